//! Stop lists: function words, numerals and time words that are never a term
//! by themselves (`stopwords.ar.txt`, `stopwords.en.txt`, beside this file).
//!
//! The comparison is on the *light* form of a word: diacritics, tatweel and
//! invisible controls removed, but hamza seats, alif maqsura and ta marbuta
//! kept. Matching keys fold those (إلى and آلي share the key الي), so the
//! light form is what tells a function word from the term it folds to.
//!
//! ```
//! use mustalah::text::{stopword, word_keys, Lang};
//! assert!(stopword::is_stopword("إِلى"));
//! assert!(!stopword::is_stopword("آلي"));
//! // A stem that stripping turns into a function word is a stop key too.
//! let keys = word_keys("وبين", Lang::Ar);
//! assert!(keys.iter().any(|k| stopword::is_stop_key("وبين", k)));
//! // An all-capitals Latin word is an acronym, not the pronoun.
//! assert!(stopword::is_stopword("it") && !stopword::is_stopword("IT"));
//! ```

use super::normalize::{fold, normalize, Fold};
use super::{KeyKind, WordKey};
use std::collections::HashSet;
use std::sync::OnceLock;

const AR: &str = include_str!("stopwords.ar.txt");
const EN: &str = include_str!("stopwords.en.txt");

struct Lists {
    /// Light forms (Arabic as written, English lower case).
    light: HashSet<String>,
    /// Normalized forms, for keys that are not a slice of the word (a
    /// broken plural's singular).
    normalized: HashSet<String>,
}

fn entries(body: &str) -> impl Iterator<Item = &str> {
    body.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
}

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| {
        let all: Vec<&str> = entries(AR).chain(entries(EN)).collect();
        Lists {
            light: all.iter().map(|w| light(w)).collect(),
            normalized: all.iter().map(|w| normalize(w)).collect(),
        }
    })
}

/// The light form: marks, tatweel and controls dropped, Latin lower-cased,
/// every other letter kept as written.
pub fn light(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match fold(c) {
            Fold::Drop => {}
            Fold::Lower => out.extend(c.to_lowercase()),
            _ => out.push(c),
        }
    }
    out
}

/// Whether an all-capitals Latin word of two letters or more (an acronym).
fn is_acronym(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    letters > 1
        && word
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
}

/// Whether `word` (as written) is on a stop list.
pub fn is_stopword(word: &str) -> bool {
    !is_acronym(word) && lists().light.contains(&light(word))
}

/// Whether the key `key` of the running word `word` is a stop word: the
/// part of the word it stands for (proclitics and stripped suffixes
/// removed), compared in light form; a broken-plural singular by its
/// normalized form.
pub fn is_stop_key(word: &str, key: &WordKey) -> bool {
    if is_acronym(word) {
        return false;
    }
    if key.kind == KeyKind::Plural {
        return lists().normalized.contains(&key.key);
    }
    let part = key_part(word, key.prefix_chars, &key.key);
    // The light slice spells the key (up to folding) unless the key was not
    // a slice of the word (an English irregular plural): then the key.
    if normalize(&part) == key.key {
        lists().light.contains(&part)
    } else {
        lists().normalized.contains(&key.key)
    }
}

/// The light form of the part of `word` that a key of it stands for: the
/// word without its `prefix_chars` proclitic letters, cut to the key's
/// length (the stripped suffixes).
pub fn key_part(word: &str, prefix_chars: usize, key: &str) -> String {
    light(word)
        .chars()
        .skip(prefix_chars)
        .take(key.chars().count())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{word_keys, Lang};

    #[test]
    fn lists_are_clean() {
        for (name, body) in [("ar", AR), ("en", EN)] {
            let mut seen = HashSet::new();
            for w in entries(body) {
                assert!(!w.contains(char::is_whitespace), "{name}: {w:?}");
                assert_eq!(light(w), w.to_lowercase(), "{name}: {w:?} has marks");
                assert!(seen.insert(w), "{name}: {w:?} twice");
                if name == "en" {
                    assert!(w.chars().all(|c| c.is_ascii_lowercase()), "{w:?}");
                } else {
                    assert!(crate::text::script_lang(w) == Lang::Ar, "{w:?}");
                }
            }
        }
    }

    #[test]
    fn function_words_but_not_the_terms_they_fold_to() {
        for w in [
            "إلى",
            "الى",
            "إِلَى",
            "بين",
            "الخميس",
            "آلاف",
            "يوليو",
            "the",
            "It",
        ] {
            assert!(is_stopword(w), "{w}");
        }
        for w in ["آلي", "الآلي", "بيان", "ألفا", "IT", "US", "server"] {
            assert!(!is_stopword(w), "{w}");
        }
    }

    #[test]
    fn stems_that_stripping_turns_into_function_words() {
        let stop = |w: &str| {
            let lang = crate::text::script_lang(w);
            word_keys(w, lang).iter().any(|k| is_stop_key(w, k))
        };
        for w in ["وإلى", "إليه", "وبين", "وعلى", "والعام", "its", "Thousands"]
        {
            assert!(stop(w), "{w}");
        }
        // The article-stripped آلي of الآلي is the term, not إلى.
        let keys = word_keys("الآلي", Lang::Ar);
        assert!(keys.iter().all(|k| !is_stop_key("الآلي", k)), "{keys:?}");
        for w in ["بالبيانات", "servers", "IT"] {
            assert!(!stop(w), "{w}");
        }
    }
}
