//! Fuzzy-match repair: replace, in the best match's target, the translation
//! of a term or a number that differs between the match source and the
//! segment.
//!
//! Pairing: both sources are tokenized and diffed word by word (LCS over
//! folded words). A term of the match source whose concept is absent from
//! the segment (*old*) is paired with a term of the segment whose concept is
//! absent from the match source (*new*) when they are the only such terms in
//! the same `replace` run of the diff, or else when they sit at the same word
//! index. Numbers pair the same way, compared by value (`٢٠٠٠` = `2000`).
//!
//! Replacement: the old concept's target terms must occur exactly once in the
//! match target (zero or several occurrences are ambiguous: no repair); that
//! occurrence is replaced by the new concept's preferred translation, keeping
//! the occurrence's affixes (`Nvidia's` → `Huawei's`, `وبالحوسبة` keeps
//! `وبال`) and its case style (ALLCAPS or Capitalized where the listed term is
//! not). A number is replaced when the old number's digits occur exactly once
//! in the target, written like that occurrence (`1,000` → `2,000`).
//! Placeholders and inline tags pair the same way, one kind with its own
//! kind (`%s` with `%1` or `{0}`, `<b>` with `<i>`), and are replaced when
//! the old one occurs exactly once in the target.
//!
//! Accelerators: when the segment has no accelerator marker
//! ([`text::accelerators`]) and the suggestion does (`Sa_ve all`), the
//! markers are dropped, one repair per marked word with the empty source
//! span `[0, 0]`: a news translator must not get a menu mnemonic.

use super::align::occurrences;
use super::model::{MemoryMatch, Repair, TermHit};
use super::number::{numbers, Number};
use super::source::TermRecognizer;
use crate::text;

/// Largest word-count product diffed; beyond it only positional pairing is
/// used, so a pathological segment cannot cost quadratic time.
const MAX_DIFF_CELLS: usize = 250_000;

/// A word of a source text: span and folded form.
struct Word {
    end: usize,
    key: String,
}

fn words(s: &str) -> Vec<Word> {
    text::tokenize(s)
        .into_iter()
        .filter_map(|t| {
            let raw = s.get(t.start..t.end)?;
            let lead = raw.chars().take_while(|c| !c.is_alphanumeric()).count();
            let core = raw.trim_matches(|c: char| !c.is_alphanumeric());
            if core.is_empty() {
                return None;
            }
            Some(Word {
                end: t.char_start + lead + core.chars().count(),
                key: core.chars().map(fold_char).collect(),
            })
        })
        .collect()
}

/// One-to-one character folding (case, alef/yeh/teh-marbuta variants), so
/// folded strings keep the character count of the original.
fn fold_char(c: char) -> char {
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ى' => 'ي',
        'ة' => 'ه',
        _ => c.to_lowercase().next().unwrap_or(c),
    }
}

/// Index of the word containing (or first following) code point `pos`.
fn word_at(words: &[Word], pos: usize) -> Option<usize> {
    words.iter().position(|w| pos < w.end)
}

/// Non-equal runs of a word diff: `(match words, segment words)` ranges.
fn replace_runs(a: &[Word], b: &[Word]) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > MAX_DIFF_CELLS {
        return Vec::new();
    }
    // lcs[i][j] = LCS length of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i].key == b[j].key {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut runs = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (mut ri, mut rj) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i].key == b[j].key {
            if ri < i || rj < j {
                runs.push((ri..i, rj..j));
            }
            i += 1;
            j += 1;
            (ri, rj) = (i, j);
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            j += 1;
        } else {
            i += 1;
        }
    }
    if ri < n || rj < m {
        runs.push((ri..n, rj..m));
    }
    runs
}

/// Pairs `old` items (word index in the match source) with `new` items (word
/// index in the segment): unique pair per diff run, else same word index.
fn pair(
    runs: &[(std::ops::Range<usize>, std::ops::Range<usize>)],
    old: &[Option<usize>],
    new: &[Option<usize>],
) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut old_done = vec![false; old.len()];
    let mut new_done = vec![false; new.len()];
    for (ra, rb) in runs {
        let o: Vec<usize> = (0..old.len())
            .filter(|&k| old[k].is_some_and(|w| ra.contains(&w)))
            .collect();
        let n: Vec<usize> = (0..new.len())
            .filter(|&k| new[k].is_some_and(|w| rb.contains(&w)))
            .collect();
        if let ([x], [y]) = (o.as_slice(), n.as_slice()) {
            pairs.push((*x, *y));
            old_done[*x] = true;
            new_done[*y] = true;
        }
    }
    for x in 0..old.len() {
        if old_done[x] || old[x].is_none() {
            continue;
        }
        let same: Vec<usize> = (0..new.len())
            .filter(|&y| !new_done[y] && new[y] == old[x])
            .collect();
        if let [y] = same.as_slice() {
            pairs.push((x, *y));
            old_done[x] = true;
            new_done[*y] = true;
        }
    }
    pairs
}

/// A planned replacement in the match target.
struct Edit {
    start: usize,
    end: usize,
    repair: Repair,
}

/// Repairs `m.target` for `segment`; returns the new text and the repairs
/// made (empty when nothing differs or everything is ambiguous).
pub(crate) fn repair(
    rec: &dyn TermRecognizer,
    target_lang: &str,
    segment: &str,
    seg_hits: &[TermHit],
    m: &MemoryMatch,
    match_hits: &[TermHit],
) -> (String, Vec<Repair>) {
    let seg_words = words(segment);
    let src_words = words(&m.source);
    let runs = replace_runs(&src_words, &seg_words);
    let target: Vec<char> = m.target.chars().collect();
    let mut edits = Vec::new();

    // Terms: concepts present on one side only, each exactly once there.
    let once = |hits: &[TermHit], h: &TermHit| {
        hits.iter().filter(|x| x.concept() == h.concept()).count() == 1
    };
    let old: Vec<&TermHit> = match_hits
        .iter()
        .filter(|h| !seg_hits.iter().any(|s| s.concept() == h.concept()))
        .filter(|h| once(match_hits, h))
        .collect();
    let new: Vec<&TermHit> = seg_hits
        .iter()
        .filter(|h| !match_hits.iter().any(|s| s.concept() == h.concept()))
        .filter(|h| once(seg_hits, h))
        .collect();
    let old_at: Vec<Option<usize>> = old.iter().map(|h| word_at(&src_words, h.start)).collect();
    let new_at: Vec<Option<usize>> = new.iter().map(|h| word_at(&seg_words, h.start)).collect();
    for (x, y) in pair(&runs, &old_at, &new_at) {
        let (Some(o), Some(n)) = (old.get(x), new.get(y)) else {
            continue;
        };
        let Some(pref) = n.preferred_translation() else {
            continue;
        };
        let occ = occurrences(rec, &m.target, target_lang, std::slice::from_ref(*o));
        let [found] = occ.found.as_slice() else {
            continue;
        };
        let old_text: String = target
            .get(found.start..found.end)
            .unwrap_or(&[])
            .iter()
            .collect();
        let new_text = restyle(&old_text, &found.listed, &pref.text);
        edits.push(Edit {
            start: found.start,
            end: found.end,
            repair: Repair {
                source_span: [n.start, n.end],
                old_target: old_text,
                new_target: new_text,
                entry_id: Some(n.entry_id.clone()),
            },
        });
    }

    // Numbers: values present on one side only.
    let seg_nums = numbers(segment);
    let src_nums = numbers(&m.source);
    let tgt_nums = numbers(&m.target);
    let old_n: Vec<&Number> = src_nums
        .iter()
        .filter(|a| !seg_nums.iter().any(|b| a.same_value(b)))
        .collect();
    let new_n: Vec<&Number> = seg_nums
        .iter()
        .filter(|a| !src_nums.iter().any(|b| a.same_value(b)))
        .collect();
    let old_at: Vec<Option<usize>> = old_n.iter().map(|n| word_at(&src_words, n.start)).collect();
    let new_at: Vec<Option<usize>> = new_n.iter().map(|n| word_at(&seg_words, n.start)).collect();
    for (x, y) in pair(&runs, &old_at, &new_at) {
        let (Some(o), Some(n)) = (old_n.get(x), new_n.get(y)) else {
            continue;
        };
        // Same digits only: "6,000,000" for "6 ملايين" is not rewritten.
        let same: Vec<&Number> = tgt_nums
            .iter()
            .filter(|t| t.canonical() == o.canonical())
            .collect();
        let [t] = same.as_slice() else {
            continue;
        };
        let old_text: String = target.get(t.start..t.end).unwrap_or(&[]).iter().collect();
        edits.push(Edit {
            start: t.start,
            end: t.end,
            repair: Repair {
                source_span: [n.start, n.end],
                old_target: old_text,
                new_target: n.format_like(t),
                entry_id: None,
            },
        });
    }
    // Placeholders and tags: texts present on one side only, same kind.
    let seg_tags = placeables(segment);
    let src_tags = placeables(&m.source);
    let tgt_tags = placeables(&m.target);
    let old_t: Vec<&Placeable> = src_tags
        .iter()
        .filter(|a| !seg_tags.iter().any(|b| a.text == b.text))
        .collect();
    let new_t: Vec<&Placeable> = seg_tags
        .iter()
        .filter(|a| !src_tags.iter().any(|b| a.text == b.text))
        .collect();
    let old_at: Vec<Option<usize>> = old_t.iter().map(|p| word_at(&src_words, p.start)).collect();
    let new_at: Vec<Option<usize>> = new_t.iter().map(|p| word_at(&seg_words, p.start)).collect();
    for (x, y) in pair(&runs, &old_at, &new_at) {
        let (Some(o), Some(n)) = (old_t.get(x), new_t.get(y)) else {
            continue;
        };
        if o.kind != n.kind {
            continue;
        }
        let same: Vec<&Placeable> = tgt_tags.iter().filter(|t| t.text == o.text).collect();
        let [t] = same.as_slice() else {
            continue;
        };
        edits.push(Edit {
            start: t.start,
            end: t.end,
            repair: Repair {
                source_span: [n.start, n.end],
                old_target: t.text.clone(),
                new_target: n.text.clone(),
                entry_id: None,
            },
        });
    }
    let (text, mut repairs) = apply(&target, edits);
    if !text::accelerators(segment).is_empty() {
        return (text, repairs);
    }
    let (text, dropped) = drop_accelerators(&text);
    repairs.extend(dropped);
    (text, repairs)
}

/// A placeholder or inline tag: code point span, text, kind.
struct Placeable {
    start: usize,
    end: usize,
    text: String,
    kind: u8,
}

fn placeables(s: &str) -> Vec<Placeable> {
    text::tokenize(s)
        .into_iter()
        .filter(|t| t.kind == text::TokenKind::Tag)
        .map(|t| {
            let raw = t.text(s);
            let kind = match raw.as_bytes() {
                [b'<', b'/', ..] => 1,
                [b'<', .., b'/', b'>'] => 2,
                [b'<', ..] => 3,
                [b'&', ..] => 4,
                _ => 5,
            };
            Placeable {
                start: t.char_start,
                end: t.char_end,
                text: raw.to_string(),
                kind,
            }
        })
        .collect()
}

/// `text` without its accelerator markers, one repair per marked word
/// (the run of non-space chars around the marker).
fn drop_accelerators(text: &str) -> (String, Vec<Repair>) {
    let marks = text::accelerators(text);
    let mut repairs = Vec::new();
    for &m in &marks {
        let start = text[..m].rfind(char::is_whitespace).map_or(0, |p| p + 1);
        let end = text[m..]
            .find(char::is_whitespace)
            .map_or(text.len(), |p| m + p);
        let old = &text[start..end];
        let new = format!("{}{}", &text[start..m], &text[m + 1..end]);
        repairs.push(Repair {
            source_span: [0, 0],
            old_target: old.to_string(),
            new_target: new,
            entry_id: None,
        });
    }
    (text::strip_accelerators(text).into_owned(), repairs)
}

/// Applies non-overlapping edits (the first of two overlapping ones wins).
fn apply(target: &[char], mut edits: Vec<Edit>) -> (String, Vec<Repair>) {
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out = String::new();
    let mut repairs = Vec::new();
    let mut pos = 0;
    for e in edits {
        if e.start < pos || e.end > target.len() {
            continue;
        }
        out.extend(target.get(pos..e.start).unwrap_or(&[]));
        out.push_str(&e.repair.new_target);
        pos = e.end;
        repairs.push(e.repair);
    }
    out.extend(target.get(pos..).unwrap_or(&[]));
    repairs.sort_by_key(|r| r.source_span);
    (out, repairs)
}

/// `replacement` written in the style of `occurrence`, an inflected form of
/// the term base's `listed`: affixes around the listed form are kept, and
/// ALLCAPS or Capitalized occurrences of a term not listed that way carry
/// over.
fn restyle(occurrence: &str, listed: &str, replacement: &str) -> String {
    let occ: Vec<char> = occurrence.chars().collect();
    let lis: Vec<char> = listed.chars().map(fold_char).collect();
    let at = (0..=occ.len().saturating_sub(lis.len())).find(|&p| {
        !lis.is_empty()
            && occ
                .get(p..p + lis.len())
                .is_some_and(|w| w.iter().map(|&c| fold_char(c)).eq(lis.iter().copied()))
    });
    let (prefix, core, suffix): (String, String, String) = match at {
        Some(p) => (
            occ[..p].iter().collect(),
            occ[p..p + lis.len()].iter().collect(),
            occ[p + lis.len()..].iter().collect(),
        ),
        None => (String::new(), occurrence.to_string(), String::new()),
    };
    let letters = |s: &str| s.chars().filter(|c| c.is_alphabetic()).collect::<Vec<_>>();
    let all_upper = |s: &str| {
        let l = letters(s);
        l.len() > 1 && l.iter().all(|c| c.is_uppercase())
    };
    let first_upper = |s: &str| letters(s).first().is_some_and(|c| c.is_uppercase());
    let styled = if all_upper(&core) && !all_upper(listed) {
        replacement.to_uppercase()
    } else if first_upper(&core) && !first_upper(listed) && !first_upper(replacement) {
        let mut cs = replacement.chars();
        match cs.next() {
            Some(f) => f.to_uppercase().chain(cs).collect(),
            None => String::new(),
        }
    } else {
        replacement.to_string()
    };
    format!("{prefix}{styled}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restyle_keeps_affixes_and_case_style() {
        assert_eq!(restyle("Nvidia's", "Nvidia", "Huawei"), "Huawei's");
        assert_eq!(restyle("NVIDIA", "Nvidia", "Huawei"), "HUAWEI");
        assert_eq!(restyle("GPUs", "GPU", "TPU"), "TPUs");
        assert_eq!(
            restyle("Cloud computing", "cloud computing", "edge computing"),
            "Edge computing"
        );
        assert_eq!(restyle("AI", "AI", "machine learning"), "machine learning");
        assert_eq!(restyle("وبالحوسبة", "حوسبة", "شبكة"), "وبالشبكة");
        assert_eq!(restyle("إنفيديا", "انفيديا", "هواوي"), "هواوي");
    }

    #[test]
    fn accelerators_are_dropped_word_by_word() {
        let (t, r) = drop_accelerators("Sa_ve all open files");
        assert_eq!(t, "Save all open files");
        assert_eq!(r.len(), 1);
        assert_eq!(
            (r[0].old_target.as_str(), r[0].new_target.as_str()),
            ("Sa_ve", "Save")
        );
        assert_eq!(r[0].source_span, [0, 0]);
        let (t, r) = drop_accelerators("ا_حفظ الملف");
        assert_eq!(
            (t.as_str(), r[0].new_target.as_str()),
            ("احفظ الملف", "احفظ")
        );
        let (t, r) = drop_accelerators("snake_case & R&D");
        assert_eq!((t.as_str(), r.len()), ("snake_case & R&D", 0));
    }

    #[test]
    fn placeables_of_one_kind_pair() {
        let kinds: Vec<u8> = placeables("%s {0} <b> </b> <br/> &amp;")
            .iter()
            .map(|p| p.kind)
            .collect();
        assert_eq!(kinds, [5, 5, 3, 1, 2, 4]);
    }

    #[test]
    fn diff_runs_pair_the_differing_words() {
        let a = words("أطلقت إنفيديا شريحة جديدة");
        let b = words("أطلقت هواوي شريحة جديدة اليوم");
        let runs = replace_runs(&a, &b);
        assert_eq!(runs, vec![(1..2, 1..2), (4..4, 4..5)]);
        assert_eq!(pair(&runs, &[Some(1)], &[Some(1), Some(4)]), vec![(0, 0)]);
        // Two candidates in one run and at no common index: no pairing.
        let runs = vec![(1..3, 1..3)];
        assert_eq!(pair(&runs, &[Some(1)], &[Some(1), Some(2)]), vec![(0, 0)]);
        let runs = vec![(1..3, 1..5)];
        assert!(pair(&runs, &[Some(1)], &[Some(2), Some(4)]).is_empty());
    }
}
