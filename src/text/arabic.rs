//! Arabic clitic analysis and match keys.
//!
//! STUB: the text-analysis work replaces the bodies; signatures are the contract.

use super::normalize::normalize;
use super::{KeyKind, WordKey};

/// Canonical key of an Arabic word in citation form (article removed, light
/// stem, plural mapped to singular).
pub fn term_key_ar(word: &str) -> String {
    let n = normalize(word);
    n.strip_prefix("ال").map(str::to_string).unwrap_or(n)
}

/// Candidate keys of an Arabic running-text word.
pub fn word_keys_ar(word: &str) -> Vec<WordKey> {
    let n = normalize(word);
    let mut out = vec![WordKey {
        key: n.clone(),
        kind: KeyKind::Surface,
        prefix_chars: 0,
    }];
    if let Some(rest) = n.strip_prefix("ال") {
        out.push(WordKey {
            key: rest.to_string(),
            kind: KeyKind::Clitic,
            prefix_chars: 2,
        });
    }
    out
}
