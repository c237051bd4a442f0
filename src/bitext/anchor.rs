//! Lexical anchors: small traits both sides of a translation share.
//!
//! Per sentence, the keys are
//! * numbers, by their ASCII digits without group separators
//!   ([`crate::text::tokenize`] reads Arabic-Indic and Persian digits), so
//!   `٢٠٠٠`, `2000` and `2,000` meet;
//! * Latin-script words of two letters or more, lower-cased (`H800`,
//!   `Nvidia`, `GNOME` inside Arabic text, and every English word, most of
//!   which meet nothing on the Arabic side);
//! * URLs and e-mail addresses; placeholders and inline tags (`%s`, `{0}`);
//! * a sentence-final `?`/`؟`, `!` or `:` (the shape of the sentence);
//! * term-base concepts recognized in the source whose translation occurs in
//!   the target (computed by the caller with the term recognizers).
//!
//! Only keys found in both documents are kept. A key that occurs exactly
//! once in each document is a *hapax* pair: the strongest evidence, also
//! used to centre the DP's band ([`super::dp`]).

use super::model::AnchorKind;
use crate::text::{self, TokenKind};
use std::collections::HashMap;

/// Key ids with their counts in one sentence, sorted by id.
pub(crate) type SentenceKeys = Vec<(u32, u16)>;

/// The shared keys of a document pair.
#[derive(Debug, Default)]
pub(crate) struct Keys {
    /// Kind and text of each key id.
    pub names: Vec<(AnchorKind, String)>,
    /// Weight of each key in the link cost (nats per occurrence).
    pub weight: Vec<f32>,
    /// Whether the key occurs exactly once on each side.
    pub hapax: Vec<bool>,
    /// Keys per source sentence.
    pub source: Vec<SentenceKeys>,
    /// Keys per target sentence.
    pub target: Vec<SentenceKeys>,
}

/// Weight of one occurrence of a key of `kind` (nats); hapax pairs count
/// [`HAPAX_FACTOR`] times more.
fn kind_weight(kind: AnchorKind) -> f32 {
    match kind {
        AnchorKind::Term => 2.0,
        AnchorKind::Number => 2.5,
        AnchorKind::Latin => 2.0,
        AnchorKind::Url => 3.0,
        AnchorKind::Tag => 1.5,
        AnchorKind::Punctuation => 1.0,
    }
}

/// How much more a hapax pair weighs.
pub(crate) const HAPAX_FACTOR: f32 = 1.5;

/// Raw keys of one sentence (kind, key text), with repetitions.
pub(crate) fn sentence_keys(s: &str) -> Vec<(AnchorKind, String)> {
    let mut out = Vec::new();
    for tok in text::tokenize(s) {
        match tok.kind {
            TokenKind::Number => out.push((AnchorKind::Number, tok.norm.clone())),
            TokenKind::Url | TokenKind::Email => out.push((AnchorKind::Url, tok.norm.clone())),
            TokenKind::Tag => out.push((AnchorKind::Tag, tok.norm.clone())),
            TokenKind::Word => {
                let w = tok.text(s);
                let latin = w.chars().any(|c| c.is_ascii_alphabetic())
                    && !w.chars().any(crate::text::normalize::is_arabic_letter);
                if latin && w.chars().filter(|c| c.is_alphanumeric()).count() >= 2 {
                    out.push((AnchorKind::Latin, tok.norm.clone()));
                }
            }
            TokenKind::Punct | TokenKind::Symbol => {}
        }
    }
    let last = s
        .trim_end()
        .trim_end_matches(['"', '\'', '»', '«', '”', '“', '’', ')', ']', '}'])
        .chars()
        .next_back();
    match last {
        Some('?' | '؟') => out.push((AnchorKind::Punctuation, "?".into())),
        Some('!') => out.push((AnchorKind::Punctuation, "!".into())),
        Some(':') => out.push((AnchorKind::Punctuation, ":".into())),
        _ => {}
    }
    out
}

/// Builds the shared keys from each side's raw keys per sentence.
pub(crate) fn shared_keys(
    source: Vec<Vec<(AnchorKind, String)>>,
    target: Vec<Vec<(AnchorKind, String)>>,
) -> Keys {
    let mut ids: HashMap<(AnchorKind, String), u32> = HashMap::new();
    let mut counts: Vec<[u32; 2]> = Vec::new();
    let mut intern = |side: usize, sentences: Vec<Vec<(AnchorKind, String)>>| -> Vec<Vec<u32>> {
        sentences
            .into_iter()
            .map(|keys| {
                keys.into_iter()
                    .map(|k| {
                        let next = ids.len() as u32;
                        let id = *ids.entry(k).or_insert(next);
                        if id as usize == counts.len() {
                            counts.push([0, 0]);
                        }
                        counts[id as usize][side] += 1;
                        id
                    })
                    .collect()
            })
            .collect()
    };
    let src = intern(0, source);
    let tgt = intern(1, target);
    // Compact ids of the keys present on both sides.
    let mut compact = vec![u32::MAX; counts.len()];
    let mut by_id: Vec<(AnchorKind, String)> = Vec::new();
    let mut names: Vec<Option<(AnchorKind, String)>> = vec![None; counts.len()];
    for (k, id) in ids {
        names[id as usize] = Some(k);
    }
    let mut keys = Keys::default();
    for (id, c) in counts.iter().enumerate() {
        if c[0] > 0 && c[1] > 0 {
            if let Some(name) = names[id].take() {
                compact[id] = by_id.len() as u32;
                let hapax = c[0] == 1 && c[1] == 1;
                let w = kind_weight(name.0) * if hapax { HAPAX_FACTOR } else { 1.0 };
                keys.weight.push(w);
                keys.hapax.push(hapax);
                by_id.push(name);
            }
        }
    }
    keys.names = by_id;
    let collect = |sentences: Vec<Vec<u32>>| -> Vec<SentenceKeys> {
        sentences
            .into_iter()
            .map(|ids| {
                let mut v: Vec<u32> = ids
                    .into_iter()
                    .map(|id| compact[id as usize])
                    .filter(|&c| c != u32::MAX)
                    .collect();
                v.sort_unstable();
                let mut out: SentenceKeys = Vec::new();
                for id in v {
                    match out.last_mut() {
                        Some((last, n)) if *last == id => *n = n.saturating_add(1),
                        _ => out.push((id, 1)),
                    }
                }
                out
            })
            .collect()
    };
    keys.source = collect(src);
    keys.target = collect(tgt);
    keys
}

/// Count of `key` in the sentences `lists`.
fn count_in(lists: &[&SentenceKeys], key: u32) -> u16 {
    lists
        .iter()
        .map(|l| {
            l.binary_search_by_key(&key, |&(k, _)| k)
                .map_or(0, |p| l[p].1)
        })
        .sum()
}

/// Weights of the shared key occurrences a link's two sides match and leave
/// unmatched: `(matched, unmatched)`.
pub(crate) fn link_evidence(
    keys: &Keys,
    source: &[&SentenceKeys],
    target: &[&SentenceKeys],
) -> (f32, f32) {
    let mut matched = 0.0f32;
    let mut unmatched = 0.0f32;
    for (i, l) in source.iter().enumerate() {
        for &(k, _) in l.iter() {
            // A key repeated in both source sentences is counted once, at
            // its first list.
            if source[..i]
                .iter()
                .any(|p| p.binary_search_by_key(&k, |&(x, _)| x).is_ok())
            {
                continue;
            }
            let cs = count_in(source, k);
            let ct = count_in(target, k);
            let w = keys.weight[k as usize];
            matched += f32::from(cs.min(ct)) * w;
            unmatched += f32::from(cs - cs.min(ct)) * w;
        }
    }
    for (i, l) in target.iter().enumerate() {
        for &(k, _) in l.iter() {
            if target[..i]
                .iter()
                .any(|p| p.binary_search_by_key(&k, |&(x, _)| x).is_ok())
            {
                continue;
            }
            let cs = count_in(source, k);
            let ct = count_in(target, k);
            unmatched += f32::from(ct - cs.min(ct)) * keys.weight[k as usize];
        }
    }
    (matched, unmatched)
}

/// The keys a link's two sides share, for the answer.
pub(crate) fn shared_in_link(source: &[&SentenceKeys], target: &[&SentenceKeys]) -> Vec<u32> {
    let mut out: Vec<u32> = source
        .iter()
        .flat_map(|l| l.iter().map(|&(k, _)| k))
        .filter(|&k| count_in(target, k) > 0)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_any_digit_system_latin_words_and_shape_are_keys() {
        let ar = sentence_keys("دربت الشركة نموذجها بـ ٢٠٠٠ وحدة Nvidia H800؟");
        let en = sentence_keys("Did the firm train its model on 2,000 Nvidia H800 GPUs?");
        let shared = shared_keys(vec![ar], vec![en]);
        let mut names: Vec<String> = shared
            .names
            .iter()
            .map(|(k, s)| format!("{k:?}:{s}"))
            .collect();
        names.sort();
        assert_eq!(
            names,
            vec!["Latin:h800", "Latin:nvidia", "Number:2000", "Punctuation:?"]
        );
        assert!(shared.hapax.iter().all(|&h| h));
    }

    #[test]
    fn evidence_counts_matched_and_unmatched_occurrences() {
        let shared = shared_keys(
            vec![
                sentence_keys("في 2025 أطلقت R1"),
                sentence_keys("وفي 2025 أيضا"),
            ],
            vec![
                sentence_keys("In 2025 it released R1."),
                sentence_keys("Also in 2025."),
            ],
        );
        let (s0, s1) = (&shared.source[0], &shared.source[1]);
        let (t0, t1) = (&shared.target[0], &shared.target[1]);
        let (m, u) = link_evidence(&shared, &[s0], &[t0]);
        assert!(m > 0.0 && u == 0.0, "{m} {u}");
        // Crossing pairs match the year but leave R1 unmatched.
        let (m2, u2) = link_evidence(&shared, &[s0], &[t1]);
        assert!(m2 < m && u2 > 0.0);
        // A 2-2 link holds everything.
        let (m3, u3) = link_evidence(&shared, &[s0, s1], &[t0, t1]);
        assert!(m3 > m && u3 == 0.0);
    }
}
