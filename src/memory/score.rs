//! The one similarity function of the translation memory. The indexed search
//! and the exhaustive scan both call it, so they cannot disagree.
//!
//! # Formula
//! Both segments are tokenized with [`crate::text::tokenize`] (at most
//! [`MAX_TOKENS`] tokens each are considered; a longer segment is matched on
//! its first 2,000 tokens, found in its first 256 KiB). Each token has a *weight*: 1 for punctuation,
//! 2 for everything else (words, numbers, tags/placeholders such as `<b>`,
//! `%s`, `{0}`, URLs, symbols). Lengths are weighted: `n = Σ weight`.
//!
//! `d` is the weighted token Levenshtein distance over *normalized* tokens:
//! * equal normalized tokens cost 0;
//! * two words that differ only by clitics/inflection (same light stem from
//!   [`crate::text::word_keys`], e.g. `والملف` / `الملف`) cost 1 (half a word);
//! * any other substitution costs `max(weight)`; insert/delete cost `weight`.
//!
//! `base = floor(100 × (max(n, m) − d) / max(n, m))`: 100 only when the
//! token sequences are identical after normalization (`d = 0`).
//!
//! Penalties (each reported as `{"reason","points"}`) are then subtracted
//! (floor 0):
//! * `numbers_differ`: 2 points per number not found on the other side;
//! * `tags_differ`: 2 points per tag/placeholder not found on the other side;
//! * `punctuation_differs`: 1 point when all differences are punctuation;
//! * `case_differs`: 1 point when aligned equal tokens differ only in case;
//! * `orthography_differs`: 1 point when aligned equal tokens differ in
//!   spelling variants that normalization folds (hamza/alef forms, ة/ه,
//!   ى/ي, diacritics, tatweel);
//! * `whitespace_differs`: 1 point when the texts differ only in whitespace.
//!
//! A segment identical to the unit's text (byte for byte) scores 100 and no
//! penalty applies; it scores **101** when the request's `context` equals
//! the unit's context. Scores are integers 0–101. Equal scores are ordered
//! by [`tie_similarity`] (character similarity of the texts as written;
//! among units tying at the last place of the answer, the 32 newest are
//! compared, so thousands of near duplicates cost no more than 32), then
//! newer `modified`, then lower id: among units a token score cannot
//! tell apart, the one with fewer character edits reads closest to the
//! query (`Stop video` prefers `Stop audio` over `Stop recording`).
//!
//! # Worked examples (checked by the unit tests of this file)
//! * `احفظ الملف` vs `احفظ الملف` → 100 (101 with the same context);
//! * `أنشئ ملفا جديدا` vs `انشئ ملفا جديدا` (hamza only) → 99;
//! * `Save the file` vs `save the file` (case only) → 99;
//! * 10 words, one replaced by another word → 90;
//! * `Delete 3 files now please` vs `Delete 5 files now please` → 80 − 2 = 78;
//! * `احفظ الملف` vs `احفظ والملف` or `احفظ ملف` (clitic only) → 75 (a full substitution
//!   would give 50).
//!
//! # Why the index filter is lossless
//! Penalties only lower a score, so candidates are filtered on `base`.
//! Every edit changes the weighted length by at most its cost, hence
//! `d ≥ |n − m|` and `base ≥ s` implies `100·min(n,m) ≥ s·max(n,m)` (length
//! window). Let `S` be the weight of the query tokens aligned to a unit token
//! with the same stem key (exact or clitic match); every other query token
//! costs at least its weight (and likewise on the unit side), so
//! `d ≥ max(n, m) − S` and `base ≥ s` implies `100·S ≥ s·max(n, m)`. `S` is at most the multiset intersection of stem keys
//! (weighted by the heaviest query token of each key), which the postings
//! count. With `T = ceil(s·n/100)`, a unit can only qualify if it shares a
//! key with the rarest query keys whose complement weighs less than `T`
//! (prefix filtering). When `T = 0` the search falls back to a scan of the
//! length window.
//!
//! # Why stopping at a higher threshold is lossless
//! Only the top `limit` results are returned. The search first runs the
//! filter above with a higher threshold `L` (95, 85, 70) in place of `s`;
//! its candidates include every unit with `base ≥ L`, hence every unit
//! whose final score is `≥ L` (final ≤ base, and 101 needs base 100). If
//! at least `limit` of them score `≥ L`, they outrank every unit not found
//! (those score `< L`), so the top `limit` is the same as at `s`; otherwise
//! the next level runs, and finally `s` itself. A high `L` needs only the
//! rarest keys, so a query with good matches never reads the long postings
//! of frequent words.

use super::model::{DiffOp, Penalty};
use crate::text::{self, KeyKind, Token, TokenKind};

/// Tokens of a segment that are indexed and scored.
pub const MAX_TOKENS: usize = 2000;

/// A token as the scorer sees it: interned normalized form, interned stem
/// key, weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    /// Id of the normalized token text.
    pub id: u32,
    /// Id of the stem key (equal ids for clitic/inflection variants).
    pub ckey: u32,
    /// 1 for punctuation, 2 otherwise.
    pub w: u8,
}

/// Weight of a token kind.
pub fn token_weight(kind: TokenKind) -> u8 {
    if kind == TokenKind::Punct {
        1
    } else {
        2
    }
}

/// The stem key string of a token: for words the shortest clitic or
/// inflection key of [`text::word_keys_auto`] (never the lexicon plural),
/// for every other token its normalized text.
pub fn ckey_string(norm: &str, kind: TokenKind) -> String {
    if kind != TokenKind::Word {
        return norm.to_string();
    }
    // The shortest clitic/inflection key is the most reduced analysis, the
    // one variants of a word share (وبالمكتبة, المكتبة, مكتبة → مكتب);
    // keys under 2 letters are too ambiguous to equate words.
    text::word_keys_auto(norm)
        .into_iter()
        .filter(|k| k.kind <= KeyKind::Inflected && k.key.chars().count() >= 2)
        .min_by_key(|k| k.key.chars().count())
        .map(|k| k.key)
        .unwrap_or_else(|| norm.to_string())
}

/// Bytes of a segment that are tokenized at most (far more than
/// [`MAX_TOKENS`] tokens of real text; bounds the work for a 10 MB segment).
pub const MAX_SCAN_BYTES: usize = 256 * 1024;

/// Tokenizes `s` (its first [`MAX_SCAN_BYTES`] bytes), keeping at most
/// [`MAX_TOKENS`] tokens.
pub fn tokens(s: &str) -> Vec<Token> {
    let mut cut = s.len().min(MAX_SCAN_BYTES);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut t = text::tokenize(s.get(..cut).unwrap_or(""));
    t.truncate(MAX_TOKENS);
    t
}

fn sub_cost(a: Tok, b: Tok) -> u32 {
    if a.id == b.id {
        0
    } else if a.ckey == b.ckey && a.w == 2 && b.w == 2 {
        1
    } else {
        u32::from(a.w.max(b.w))
    }
}

/// Weighted length.
pub fn weighted_len(t: &[Tok]) -> u32 {
    t.iter().map(|t| u32::from(t.w)).sum()
}

/// Weighted token Levenshtein distance; `None` when it exceeds `dmax`
/// (checked after every row, so hopeless candidates stop early).
pub fn distance(q: &[Tok], u: &[Tok], dmax: Option<u32>) -> Option<u32> {
    distance_in(q, u, dmax, &mut Vec::new(), &mut Vec::new())
}

/// [`distance`] with caller-owned row buffers (a search scores thousands of
/// candidates; allocating two rows each time dominated the profile).
pub fn distance_in(
    q: &[Tok],
    u: &[Tok],
    dmax: Option<u32>,
    prev: &mut Vec<u32>,
    cur: &mut Vec<u32>,
) -> Option<u32> {
    prev.clear();
    let mut acc = 0;
    prev.push(0);
    for t in u {
        acc += u32::from(t.w);
        prev.push(acc);
    }
    cur.clear();
    cur.resize(u.len() + 1, 0);
    let mut first = 0u32;
    for a in q {
        first += u32::from(a.w);
        cur[0] = first;
        let mut row_min = first;
        for (j, b) in u.iter().enumerate() {
            let v = (prev[j] + sub_cost(*a, *b))
                .min(prev[j + 1] + u32::from(a.w))
                .min(cur[j] + u32::from(b.w));
            cur[j + 1] = v;
            row_min = row_min.min(v);
        }
        if let Some(m) = dmax {
            if row_min > m {
                return None;
            }
        }
        std::mem::swap(prev, cur);
    }
    let d = prev.get(u.len()).copied().unwrap_or(0);
    match dmax {
        Some(m) if d > m => None,
        _ => Some(d),
    }
}

/// `floor(100 × (L − d) / L)` with `L = max(lq, lu)`; 100 for two empty
/// segments.
pub fn base_score(d: u32, lq: u32, lu: u32) -> u32 {
    let l = lq.max(lu);
    if l == 0 {
        return 100;
    }
    (100 * u64::from(l.saturating_sub(d)) / u64::from(l)) as u32
}

/// Largest distance that still reaches `s` (≤ 100) with lengths `lq`, `lu`.
pub fn max_distance(s: u32, lq: u32, lu: u32) -> u32 {
    let l = u64::from(lq.max(lu));
    // 100·(L − d) ≥ s·L  ⇔  d ≤ L·(100 − s)/100
    (l * u64::from(100 - s.min(100)) / 100) as u32
}

/// One aligned step (indices into the query / unit token arrays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Same normalized token.
    Equal(usize, usize),
    /// Different tokens aligned.
    Replace(usize, usize),
    /// Unit token absent from the query.
    Insert(usize),
    /// Query token absent from the unit.
    Delete(usize),
}

/// Optimal alignment (full matrix with backtrace; only run on results).
pub fn align(q: &[Tok], u: &[Tok]) -> Vec<Step> {
    let (n, m) = (q.len(), u.len());
    let w = m + 1;
    let mut dp = vec![0u32; (n + 1) * w];
    for j in 1..=m {
        dp[j] = dp[j - 1] + u32::from(u[j - 1].w);
    }
    for i in 1..=n {
        dp[i * w] = dp[(i - 1) * w] + u32::from(q[i - 1].w);
        for j in 1..=m {
            dp[i * w + j] = (dp[(i - 1) * w + j - 1] + sub_cost(q[i - 1], u[j - 1]))
                .min(dp[(i - 1) * w + j] + u32::from(q[i - 1].w))
                .min(dp[i * w + j - 1] + u32::from(u[j - 1].w));
        }
    }
    let mut steps = Vec::with_capacity(n.max(m));
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let here = dp[i * w + j];
        if i > 0 && j > 0 && here == dp[(i - 1) * w + j - 1] + sub_cost(q[i - 1], u[j - 1]) {
            if q[i - 1].id == u[j - 1].id {
                steps.push(Step::Equal(i - 1, j - 1));
            } else {
                steps.push(Step::Replace(i - 1, j - 1));
            }
            i -= 1;
            j -= 1;
        } else if i > 0 && here == dp[(i - 1) * w + j] + u32::from(q[i - 1].w) {
            steps.push(Step::Delete(i - 1));
            i -= 1;
        } else {
            steps.push(Step::Insert(j - 1));
            j = j.saturating_sub(1);
        }
    }
    steps.reverse();
    steps
}

/// A segment with its tokens and their scorer view.
#[derive(Debug, Clone)]
pub struct Side<'a> {
    /// Original text.
    pub text: &'a str,
    /// Tokens (spans into `text`).
    pub tokens: &'a [Token],
    /// Scorer view of `tokens`.
    pub toks: &'a [Tok],
}

fn kind_multiset_diff(q: &Side<'_>, u: &Side<'_>, kind: TokenKind) -> u32 {
    let mut qa: Vec<&str> = q
        .tokens
        .iter()
        .filter(|t| t.kind == kind)
        .map(|t| t.norm.as_str())
        .collect();
    let mut ua: Vec<&str> = u
        .tokens
        .iter()
        .filter(|t| t.kind == kind)
        .map(|t| t.norm.as_str())
        .collect();
    qa.sort_unstable();
    ua.sort_unstable();
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < qa.len() && j < ua.len() {
        match qa[i].cmp(ua[j]) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    (qa.len().max(ua.len()) - common) as u32
}

/// Penalties of `u` against the query `q` given their alignment.
pub fn penalties(q: &Side<'_>, u: &Side<'_>, steps: &[Step]) -> Vec<Penalty> {
    let mut out = Vec::new();
    if q.text == u.text {
        return out;
    }
    let numbers = kind_multiset_diff(q, u, TokenKind::Number);
    if numbers > 0 {
        out.push(Penalty {
            reason: "numbers_differ",
            points: 2 * numbers,
        });
    }
    let tags = kind_multiset_diff(q, u, TokenKind::Tag);
    if tags > 0 {
        out.push(Penalty {
            reason: "tags_differ",
            points: 2 * tags,
        });
    }
    let is_punct = |t: Option<&Token>| t.is_some_and(|t| t.kind == TokenKind::Punct);
    let mut differing = 0usize;
    let mut only_punct = true;
    let (mut case, mut ortho) = (false, false);
    for s in steps {
        match *s {
            Step::Equal(i, j) => {
                if let (Some(a), Some(b)) = (q.tokens.get(i), u.tokens.get(j)) {
                    let (ra, rb) = (raw(q.text, a), raw(u.text, b));
                    if !text::normalize::canonically_equal(ra, rb) {
                        if ra.to_lowercase() == rb.to_lowercase() {
                            case = true;
                        } else {
                            ortho = true;
                        }
                    }
                }
            }
            Step::Replace(i, j) => {
                differing += 1;
                only_punct &= is_punct(q.tokens.get(i)) && is_punct(u.tokens.get(j));
            }
            Step::Insert(j) => {
                differing += 1;
                only_punct &= is_punct(u.tokens.get(j));
            }
            Step::Delete(i) => {
                differing += 1;
                only_punct &= is_punct(q.tokens.get(i));
            }
        }
    }
    if differing > 0 && only_punct {
        out.push(Penalty {
            reason: "punctuation_differs",
            points: 1,
        });
    }
    if case {
        out.push(Penalty {
            reason: "case_differs",
            points: 1,
        });
    }
    if ortho {
        out.push(Penalty {
            reason: "orthography_differs",
            points: 1,
        });
    }
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if squeeze(q.text) == squeeze(u.text) {
        out.push(Penalty {
            reason: "whitespace_differs",
            points: 1,
        });
    }
    out
}

fn raw<'a>(text: &'a str, t: &Token) -> &'a str {
    text.get(t.start..t.end).unwrap_or("")
}

/// Characters of each text compared by [`tie_similarity`]: bounds its cost
/// (a quadratic edit distance) on long segments, where equal token scores
/// are rare anyway.
pub const TIE_CHARS: usize = 512;

/// Tie-break between equal scores: character Levenshtein similarity of the
/// two texts as written (first [`TIE_CHARS`] characters of each), in
/// millionths (1,000,000 = identical).
pub fn tie_similarity(query: &str, unit: &str) -> u32 {
    let cut = |s: &str| -> usize { s.char_indices().nth(TIE_CHARS).map_or(s.len(), |(i, _)| i) };
    let (q, u) = (&query[..cut(query)], &unit[..cut(unit)]);
    (strsim::normalized_levenshtein(q, u) * 1_000_000.0).round() as u32
}

/// Final score from the base score, penalties and the 101 rule.
pub fn final_score(base: u32, penalties: &[Penalty], identical: bool, context_equal: bool) -> u32 {
    if identical {
        return if context_equal { 101 } else { 100 };
    }
    let p: u32 = penalties.iter().map(|p| p.points).sum();
    base.saturating_sub(p)
}

/// Runs of equal/insert/delete/replace with the original text slices.
pub fn diff(q: &Side<'_>, u: &Side<'_>, steps: &[Step]) -> Vec<DiffOp> {
    // (op, query token range, unit token range)
    type Range = Option<(usize, usize)>;
    let mut runs: Vec<(&'static str, Range, Range)> = Vec::new();
    let ext = |r: Option<(usize, usize)>, i: Option<usize>| match (r, i) {
        (Some((a, _)), Some(i)) => Some((a, i)),
        (None, Some(i)) => Some((i, i)),
        (r, None) => r,
    };
    for s in steps {
        let (op, qi, ui) = match *s {
            Step::Equal(i, j) => ("equal", Some(i), Some(j)),
            Step::Replace(i, j) => ("replace", Some(i), Some(j)),
            Step::Insert(j) => ("insert", None, Some(j)),
            Step::Delete(i) => ("delete", Some(i), None),
        };
        match runs.last_mut() {
            Some(last) if last.0 == op => {
                last.1 = ext(last.1, qi);
                last.2 = ext(last.2, ui);
            }
            _ => runs.push((op, qi.map(|i| (i, i)), ui.map(|j| (j, j)))),
        }
    }
    let slice = |side: &Side<'_>, r: Option<(usize, usize)>| -> String {
        r.and_then(|(a, b)| {
            let s = side.tokens.get(a)?.start;
            let e = side.tokens.get(b)?.end;
            side.text.get(s..e).map(str::to_string)
        })
        .unwrap_or_default()
    };
    runs.into_iter()
        .map(|(op, qr, ur)| DiffOp {
            op,
            query: slice(q, qr),
            source: slice(u, ur),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Scores two strings with a private dictionary, like the memory does.
    fn score(q: &str, u: &str) -> (u32, Vec<Penalty>, Vec<DiffOp>) {
        let mut dict: HashMap<String, u32> = HashMap::new();
        let intern = |s: String, dict: &mut HashMap<String, u32>| {
            let n = dict.len() as u32;
            *dict.entry(s).or_insert(n)
        };
        let view = |toks: &[Token], dict: &mut HashMap<String, u32>| -> Vec<Tok> {
            toks.iter()
                .map(|t| Tok {
                    id: intern(t.norm.clone(), dict),
                    ckey: intern(ckey_string(&t.norm, t.kind), dict),
                    w: token_weight(t.kind),
                })
                .collect()
        };
        let (qt, ut) = (tokens(q), tokens(u));
        let (qv, uv) = (view(&qt, &mut dict), view(&ut, &mut dict));
        let d = distance(&qv, &uv, None).unwrap();
        let base = base_score(d, weighted_len(&qv), weighted_len(&uv));
        let qs = Side {
            text: q,
            tokens: &qt,
            toks: &qv,
        };
        let us = Side {
            text: u,
            tokens: &ut,
            toks: &uv,
        };
        let steps = align(&qv, &uv);
        let p = penalties(&qs, &us, &steps);
        let f = final_score(base, &p, q == u, false);
        (f, p, diff(&qs, &us, &steps))
    }

    #[test]
    fn huge_segment_is_capped() {
        let big = "احفظ الملف ".repeat(1_000_000);
        let t = tokens(&big);
        assert_eq!(t.len(), MAX_TOKENS);
        assert_eq!(&big[t[1].start..t[1].end], "الملف");
    }

    #[test]
    fn identical_is_100() {
        assert_eq!(score("احفظ الملف", "احفظ الملف").0, 100);
        assert_eq!(final_score(100, &[], true, true), 101);
    }

    #[test]
    fn case_only_is_99() {
        let (s, p, _) = score("Save the file", "save the file");
        assert_eq!(s, 99, "{p:?}");
        assert_eq!(p[0].reason, "case_differs");
    }

    #[test]
    fn orthography_only_is_99() {
        let (s, p, _) = score("أنشئ ملفا جديدا", "انشئ ملفا جديدا");
        assert_eq!(s, 99, "{p:?}");
        assert_eq!(p[0].reason, "orthography_differs");
        let (s, _, _) = score("المكتبة العامة", "المكتبه العامّة");
        assert_eq!(s, 99);
    }

    #[test]
    fn one_of_ten_words_replaced_is_90() {
        let (s, p, d) = score(
            "open the new file in the editor and save it",
            "open the old file in the editor and save it",
        );
        assert_eq!(s, 90, "{p:?}");
        assert!(p.is_empty());
        assert_eq!(d[1].op, "replace");
        assert_eq!((d[1].query.as_str(), d[1].source.as_str()), ("new", "old"));
    }

    #[test]
    fn different_number_is_penalized() {
        let (s, p, _) = score("Delete 3 files now please", "Delete 5 files now please");
        assert_eq!(s, 78, "{p:?}");
        assert_eq!(
            p[0],
            Penalty {
                reason: "numbers_differ",
                points: 2
            }
        );
    }

    #[test]
    fn clitic_variant_costs_half() {
        let (clitic, _, d) = score("احفظ الملف", "احفظ ملف");
        let (full, _, _) = score("احفظ الملف", "احفظ الصورة");
        assert_eq!(clitic, 75);
        assert_eq!(score("احفظ الملف", "احفظ والملف").0, 75);
        assert_eq!(score("save the file", "save the files").0, 83);
        assert_eq!(full, 50);
        assert_eq!(d[0].op, "equal");
        assert_eq!(d[0].query, "احفظ");
    }

    #[test]
    fn tags_and_whitespace_are_penalized() {
        let (s, p, _) = score("Open <b>%s</b> now", "Open <b>%d</b> now");
        assert!(p.iter().any(|p| p.reason == "tags_differ"), "{p:?} {s}");
        let (s, p, _) = score("احفظ  الملف", "احفظ الملف");
        assert!(p.iter().any(|p| p.reason == "whitespace_differs"), "{p:?}");
        assert_eq!(s, 99);
    }

    #[test]
    fn diff_reports_inserts_and_deletes_with_original_text() {
        let (_, _, d) = score("افتح الملف الجديد", "افتح الملف");
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].op, "equal");
        assert_eq!(d[0].query, "افتح الملف");
        assert_eq!(d[1].op, "delete");
        assert_eq!(d[1].query, "الجديد");
        let (_, _, d) = score("افتح", "افتح الملف");
        assert_eq!(d[1].op, "insert");
        assert_eq!(d[1].source, "الملف");
    }

    #[test]
    fn cutoff_agrees_with_full_distance() {
        let t = |ids: &[u32]| -> Vec<Tok> {
            ids.iter().map(|&id| Tok { id, ckey: id, w: 2 }).collect()
        };
        let (a, b) = (t(&[1, 2, 3, 4]), t(&[1, 9, 3, 4, 5]));
        let d = distance(&a, &b, None).unwrap();
        assert_eq!(d, 4);
        assert_eq!(distance(&a, &b, Some(4)), Some(4));
        assert_eq!(distance(&a, &b, Some(3)), None);
    }
}
