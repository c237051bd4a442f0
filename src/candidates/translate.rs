//! Proposed translations of candidates from aligned pairs.
//!
//! # Method
//! For a candidate `c` and the aligned pairs whose source contains it
//! (`P(c)`), every target phrase `t` of one to four words (no stop word at
//! either end, no punctuation inside) is scored by the Dice coefficient of
//! co-occurrence over the pairs at hand:
//!
//! ```text
//! dice(c, t) = 2 · co(c, t) / ( |P(c)| + f(t) )
//! ```
//!
//! where `co` counts the pairs of `P(c)` whose target contains `t` and `f(t)`
//! the pairs (of all pairs gathered for the request) whose target contains
//! it. Target words that translate a term the term base already recognized
//! in the same pair's source are taken out first (competitive linking: they
//! are explained), so in a sentence full of known terms the new one is what
//! is left; so are stop and everyday words at either end of a phrase.
//! Ties — frequent when a candidate occurs in one pair — go to, in order: a
//! transliteration match (Arabic names in Latin letters: ديب سيك ↔
//! DeepSeek, by consonant skeleton, see [`skeleton_similarity`]), a word
//! count equal to the candidate's (or an acronym for a phrase: GPUs), then
//! one fewer, the phrase whose relative position in the target is nearest
//! the candidate's in the source (news translation keeps the order of
//! ideas), more co-occurrences, and the earlier phrase in the first pair.
//!
//! A Latin-script candidate inside Arabic text (`H800`, `Nvidia`) is its own
//! translation (`method: latin`).

use crate::text::{self, stopword, Lang, TokenKind};
use std::collections::{HashMap, HashSet};

/// Longest target phrase, in words.
const MAX_TARGET_WORDS: usize = 4;
/// Skeleton similarity from which a target phrase counts as a
/// transliteration.
const TRANSLITERATION: f64 = 0.7;

/// How a proposal was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Co-occurrence in aligned pairs.
    Cooccurrence,
    /// Co-occurrence, and the target spells the source's sounds.
    Transliteration,
    /// A Latin-script term kept as it is.
    Latin,
}

impl Method {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Cooccurrence => "cooccurrence",
            Method::Transliteration => "transliteration",
            Method::Latin => "latin",
        }
    }
}

/// A proposed target-language rendering.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// The target phrase as written in the first pair that has it.
    pub text: String,
    /// Pairs in which candidate and rendering occur together.
    pub evidence: usize,
    /// Pairs that contain the candidate.
    pub pairs: usize,
    /// Dice coefficient (0–1).
    pub score: f64,
    /// How it was found.
    pub method: Method,
}

/// One aligned pair, analysed for proposals.
#[derive(Debug, Clone)]
pub struct PairView {
    /// The keys each source word may stand for, in order.
    source_keys: Vec<Vec<String>>,
    /// Target phrases: (match keys, text as written, relative position of
    /// the phrase's centre in the target, 0–1).
    phrases: Vec<(Vec<String>, String, f64)>,
}

impl PairView {
    /// Analyses a pair. `explained` are target-side phrases (as written)
    /// that translate terms already known in this pair's source; their
    /// words are not offered.
    /// Latin words that the source already contains as they are (`R1`,
    /// `Nvidia`) count as explained too: they translate themselves.
    pub fn new(source: &str, target: &str, explained: &[String]) -> PairView {
        let words: Vec<&str> = text::tokenize(source)
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(source))
            .collect();
        let mut explained = explained.to_vec();
        if text::script_lang(target) == Lang::En {
            explained.extend(
                words
                    .iter()
                    .filter(|w| text::script_lang(w) == Lang::En)
                    .map(|w| w.to_string()),
            );
        }
        PairView {
            source_keys: words.iter().map(|w| word_key_set(w)).collect(),
            phrases: target_phrases(target, &explained),
        }
    }

    /// Whether the source contains the key sequence `keys` (adjacent words).
    pub fn contains(&self, keys: &[String]) -> bool {
        self.position(keys).is_some()
    }

    /// Relative position (0–1) of the centre of the first occurrence of
    /// `keys` in the source.
    fn position(&self, keys: &[String]) -> Option<f64> {
        if keys.is_empty() || self.source_keys.len() < keys.len() {
            return None;
        }
        let i = self
            .source_keys
            .windows(keys.len())
            .position(|w| w.iter().zip(keys).all(|(set, k)| set.contains(k)))?;
        Some((i as f64 + keys.len() as f64 / 2.0) / self.source_keys.len() as f64)
    }
}

/// Every key a running word may stand for (see [`text::word_keys`]), plus
/// its term key: a candidate's word key is one of them.
fn word_key_set(w: &str) -> Vec<String> {
    let lang = text::script_lang(w);
    let mut keys: Vec<String> = text::word_keys(w, lang)
        .into_iter()
        .map(|k| k.key)
        .collect();
    keys.push(text::term_key(w, lang));
    keys
}

/// Target phrases of one to [`MAX_TARGET_WORDS`] adjacent words with no
/// stop word at either end, none of them inside an explained phrase.
fn target_phrases(target: &str, explained: &[String]) -> Vec<(Vec<String>, String, f64)> {
    let toks = text::tokenize(target);
    // Words as (key, byte start, byte end, is stop, adjacent to previous).
    let mut words: Vec<(String, usize, usize, bool, bool)> = Vec::new();
    let mut prev_word = false;
    for t in &toks {
        if t.kind != TokenKind::Word {
            prev_word = false;
            continue;
        }
        let w = t.text(target);
        words.push((
            text::term_key(w, text::script_lang(w)),
            t.start,
            t.end,
            stopword::is_stopword(w)
                || super::is_everyday_key(&text::term_key(w, text::script_lang(w))),
            prev_word,
        ));
        prev_word = true;
    }
    let mut blocked = vec![false; words.len()];
    for e in explained {
        let ek: Vec<String> = text::tokenize(e)
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| text::term_key(t.text(e), text::script_lang(t.text(e))))
            .collect();
        if ek.is_empty() || ek.len() > words.len() {
            continue;
        }
        for i in 0..=words.len() - ek.len() {
            if words[i..i + ek.len()]
                .iter()
                .zip(&ek)
                .all(|(w, k)| &w.0 == k)
            {
                blocked[i..i + ek.len()].iter_mut().for_each(|b| *b = true);
            }
        }
    }
    let mut out = Vec::new();
    for i in 0..words.len() {
        for n in 1..=MAX_TARGET_WORDS.min(words.len() - i) {
            let span = &words[i..i + n];
            if (1..n).any(|k| !span[k].4) || blocked[i..i + n].iter().any(|&b| b) {
                break;
            }
            if span[0].3 || span[n - 1].3 {
                continue;
            }
            let keys = span.iter().map(|w| w.0.clone()).collect();
            let written = target[span[0].1..span[n - 1].2].to_string();
            let centre = (i as f64 + n as f64 / 2.0) / words.len() as f64;
            out.push((keys, written, centre));
        }
    }
    out
}

/// The pairs' target-phrase frequencies (pairs containing each phrase).
pub fn phrase_frequencies(pairs: &[PairView]) -> HashMap<Vec<String>, usize> {
    let mut f: HashMap<Vec<String>, usize> = HashMap::new();
    for p in pairs {
        let distinct: HashSet<&Vec<String>> = p.phrases.iter().map(|(k, _, _)| k).collect();
        for k in distinct {
            *f.entry(k.clone()).or_default() += 1;
        }
    }
    f
}

/// The best proposal for the candidate with word keys `keys` and citation
/// `citation`, from `pairs` (all gathered pairs; those containing the
/// candidate are used) and their [`phrase_frequencies`].
pub fn propose(
    keys: &[String],
    citation: &str,
    source_lang: Lang,
    pairs: &[PairView],
    freq: &HashMap<Vec<String>, usize>,
) -> Option<Proposal> {
    let with: Vec<&PairView> = pairs.iter().filter(|p| p.contains(keys)).collect();
    if source_lang == Lang::Ar && text::script_lang(citation) == Lang::En {
        let evidence = with
            .iter()
            .filter(|p| p.phrases.iter().any(|(k, _, _)| k.as_slice() == keys))
            .count();
        return Some(Proposal {
            text: citation.to_string(),
            evidence,
            pairs: with.len(),
            score: if with.is_empty() {
                1.0
            } else {
                evidence as f64 / with.len() as f64
            },
            method: Method::Latin,
        });
    }
    if with.is_empty() {
        return None;
    }
    // Per target phrase: co-occurrences, first written form, first seen
    // (order), summed distance of relative positions.
    let mut co: HashMap<&Vec<String>, (usize, &str, usize, f64)> = HashMap::new();
    let mut order = 0;
    for p in &with {
        let at = p.position(keys).unwrap_or(0.5);
        let mut seen: HashSet<&Vec<String>> = HashSet::new();
        for (k, written, centre) in &p.phrases {
            if seen.insert(k) {
                let e = co.entry(k).or_insert((0, written.as_str(), order, 0.0));
                e.0 += 1;
                e.3 += (centre - at).abs();
                order += 1;
            }
        }
    }
    let n = with.len() as f64;
    let want = keys.len() as i64;
    // Arabic constructs render in as many English words or one fewer
    // (وحدة معالجة رسومات → graphics processing unit / GPU).
    // An acronym (GPUs) renders any construct.
    let length_fit = |len: i64, written: &str| {
        let acronym = len == 1
            && written.chars().filter(|c| c.is_uppercase()).count() >= 2
            && !written.chars().any(|c| c.is_lowercase() && c != 's');
        if len == want || (acronym && want > 1) {
            0
        } else if len == want - 1 {
            -1
        } else {
            -(len - want).abs() - 1
        }
    };
    let best = co
        .into_iter()
        .map(|(k, (c, written, pos, dist))| {
            let f = freq.get(k).copied().unwrap_or(c) as f64;
            let dice = 2.0 * c as f64 / (n + f);
            let translit = skeleton_similarity(citation, written) >= TRANSLITERATION;
            // Dice compared in steps of 0.01, so that near-equal values
            // fall to the next criterion; position by its mean distance.
            let dice_step = (dice * 100.0).round() as i64;
            let near = -(dist / c as f64);
            (
                dice_step,
                translit,
                length_fit(k.len() as i64, written),
                near,
                c,
                -(pos as i64),
                written,
                dice,
            )
        })
        .max_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.cmp(&b.1))
                .then(a.2.cmp(&b.2))
                .then(a.3.total_cmp(&b.3))
                .then(a.4.cmp(&b.4))
                .then(a.5.cmp(&b.5))
        })?;
    Some(Proposal {
        text: best.6.to_string(),
        evidence: best.4,
        pairs: with.len(),
        score: best.7,
        method: if best.1 {
            Method::Transliteration
        } else {
            Method::Cooccurrence
        },
    })
}

/// The consonant skeleton of a word or phrase in either script, in Latin
/// letters: Arabic letters mapped to their usual transliteration, vowels
/// (and the Arabic long vowels ا و ي) dropped, p→b, v→f, doubled letters
/// once. ديب سيك → `dbsk`, DeepSeek → `dbsk`.
pub fn skeleton(s: &str) -> String {
    let mut out = String::new();
    for c in text::normalize(s).chars() {
        let m: &str = match c {
            'ب' | 'b' | 'p' => "b",
            'ت' | 'ط' | 't' => "t",
            'ث' => "th",
            'ج' | 'j' => "j",
            'g' | 'غ' => "g",
            'ح' | 'ه' | 'h' => "h",
            'خ' => "kh",
            'د' | 'ض' | 'd' => "d",
            'ذ' => "dh",
            'ر' | 'r' => "r",
            'ز' | 'ظ' | 'z' => "z",
            'س' | 'ص' | 's' | 'c' => "s",
            'ش' => "sh",
            'ف' | 'f' | 'v' => "f",
            'ق' | 'ك' | 'k' | 'q' => "k",
            'ل' | 'l' => "l",
            'م' | 'm' => "m",
            'ن' | 'n' => "n",
            'x' => "ks",
            'w' => "w",
            'y' => "",
            _ => "",
        };
        for ch in m.chars() {
            if !out.ends_with(ch) {
                out.push(ch);
            }
        }
    }
    // Latin digraphs that Arabic writes with one letter.
    out.replace("sh", "S").replace("kh", "K").replace("th", "T")
}

/// Similarity (0–1) of two phrases' consonant skeletons (normalized
/// Levenshtein); 0 when either has fewer than three consonants or both are
/// in the same script.
pub fn skeleton_similarity(a: &str, b: &str) -> f64 {
    if text::script_lang(a) == text::script_lang(b) {
        return 0.0;
    }
    let (x, y) = (skeleton(a), skeleton(b));
    if x.chars().count() < 3 || y.chars().count() < 3 {
        return 0.0;
    }
    strsim::normalized_levenshtein(&x, &y)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Candidate keys as term extraction computes them.
    fn keys(s: &str) -> Vec<String> {
        let att = super::super::phrase::attested_keys([s]);
        super::super::phrase::words(s, &att)
            .into_iter()
            .map(|w| w.key)
            .collect()
    }

    #[test]
    fn skeletons_meet_across_scripts() {
        for (ar, en) in [
            ("ديب سيك", "DeepSeek"),
            ("إنفيديا", "Nvidia"),
            ("شنغهاي", "Shanghai"),
        ] {
            assert!(
                skeleton_similarity(ar, en) >= TRANSLITERATION,
                "{ar} {en}: {} {}",
                skeleton(ar),
                skeleton(en)
            );
        }
        assert!(skeleton_similarity("ديب سيك", "model") < TRANSLITERATION);
        assert_eq!(skeleton_similarity("model", "models"), 0.0);
    }

    #[test]
    fn the_rendering_shared_by_pairs_wins_and_known_terms_are_explained() {
        let pairs = vec![
            PairView::new(
                "أطلقت الشركة نموذجها R1",
                "The company released its R1 model",
                &["company".into()],
            ),
            PairView::new("نموذج لغوي ضخم", "a large language model", &[]),
            PairView::new("النماذج مفتوحة", "the models are open", &[]),
        ];
        let f = phrase_frequencies(&pairs);
        let p = propose(&keys("نموذج"), "نموذج", Lang::Ar, &pairs, &f).expect("proposal");
        assert_eq!(p.text, "model");
        assert_eq!(p.evidence, 3);
        assert_eq!(p.pairs, 3);
        let h = propose(&keys("H800"), "H800", Lang::Ar, &pairs, &f).expect("latin");
        assert_eq!((h.text.as_str(), h.method), ("H800", Method::Latin));
    }

    #[test]
    fn a_name_seen_once_is_matched_by_its_sounds() {
        let pairs = vec![PairView::new(
            "ستكون شركة ديب سيك محور النقاش",
            "DeepSeek will be the talk of the summit",
            &["company".into()],
        )];
        let f = phrase_frequencies(&pairs);
        let p = propose(&keys("ديب سيك"), "ديب سيك", Lang::Ar, &pairs, &f).expect("proposal");
        assert_eq!(p.text, "DeepSeek");
        assert_eq!(p.method, Method::Transliteration);
    }
}
