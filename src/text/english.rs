//! English match keys: case, possessive, plural, hyphenation.
//!
//! STUB: the text-analysis work replaces the bodies; signatures are the contract.

use super::normalize::normalize;
use super::{KeyKind, WordKey};

/// Canonical key of an English word of a term.
pub fn term_key_en(word: &str) -> String {
    normalize(word)
}

/// Candidate keys of an English running-text word.
pub fn word_keys_en(word: &str) -> Vec<WordKey> {
    vec![WordKey {
        key: normalize(word),
        kind: KeyKind::Surface,
        prefix_chars: 0,
    }]
}
