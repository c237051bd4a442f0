//! Text analysis: normalization, tokenization, Arabic clitic and English
//! inflection keys, sentence segmentation.
//!
//! This module depends on no other module of the crate. The original text is
//! never altered: analysis yields *match keys* next to exact spans into the
//! original string, so callers can always point back at what the user wrote.
//!
//! ```
//! use mustalah::text::{tokenize, TokenKind};
//! let toks = tokenize("وبالذكاء الاصطناعي");
//! assert_eq!(toks[0].kind, TokenKind::Word);
//! assert_eq!(&"وبالذكاء الاصطناعي"[toks[0].start..toks[0].end], "وبالذكاء");
//! ```

pub mod arabic;
pub mod english;
pub mod normalize;
pub mod plural;
pub mod segment;
pub mod token;

pub use arabic::{term_key_ar, word_keys_ar};
pub use english::{term_key_en, word_keys_en};
pub use normalize::normalize;
pub use segment::{segment, Segment};
pub use token::{tokenize, Token, TokenKind};

/// A language as far as analysis cares: the base subtag of a BCP-47 tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Arabic (`ar`, `ar-SA`, …).
    Ar,
    /// English (`en`, `en-US`, …).
    En,
    /// Any other language: normalized, tokenized, no inflection keys.
    Other,
}

impl Lang {
    /// The analysis language of a BCP-47 tag (`ar-SA` → `Ar`); case-insensitive.
    pub fn from_tag(tag: &str) -> Lang {
        let base = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match base.as_str() {
            "ar" | "ara" => Lang::Ar,
            "en" | "eng" => Lang::En,
            _ => Lang::Other,
        }
    }
}

/// How a match key was derived from a running-text word, from most to least
/// literal. Term recognition reports the weakest kind it needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyKind {
    /// The normalized surface form itself.
    Surface,
    /// Proclitics (و ف ب ك ل ال لل) and/or the English possessive removed,
    /// English case/hyphenation folded.
    Clitic,
    /// Suffixes (pronouns, feminine/plural/nisba endings, English plural)
    /// removed: a light stem.
    Inflected,
    /// Mapped through the broken-plural lexicon (or the guarded pattern
    /// fallback) to its singular.
    Plural,
}

/// One candidate key of a running-text word.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WordKey {
    /// The key, comparable with [`term_key`] of a term's word.
    pub key: String,
    /// How it was derived.
    pub kind: KeyKind,
    /// Characters of the (normalized) word consumed by proclitics, e.g. 3 for
    /// وال; informational.
    pub prefix_chars: usize,
}

/// The canonical key of one word of a term in citation form (as a term base
/// lists it). Invariant: for any inflected running-text form `w` of that word
/// that the analysis handles, `word_keys(w, lang)` contains this key.
pub fn term_key(word: &str, lang: Lang) -> String {
    match lang {
        Lang::Ar => term_key_ar(word),
        Lang::En => term_key_en(word),
        Lang::Other => normalize(word),
    }
}

/// All candidate keys of a running-text word (a `Word` token's original
/// text), most literal first, without duplicates.
pub fn word_keys(word: &str, lang: Lang) -> Vec<WordKey> {
    match lang {
        Lang::Ar => word_keys_ar(word),
        Lang::En => word_keys_en(word),
        Lang::Other => vec![WordKey {
            key: normalize(word),
            kind: KeyKind::Surface,
            prefix_chars: 0,
        }],
    }
}

/// Keys for a word whose language is guessed from its script (Arabic letters
/// → Arabic rules, otherwise English rules). Mixed-script sentences (Arabic
/// with `Nvidia`, `H800`) need this.
pub fn word_keys_auto(word: &str) -> Vec<WordKey> {
    word_keys(word, script_lang(word))
}

/// Canonical term key with the language guessed from the script.
pub fn term_key_auto(word: &str) -> String {
    term_key(word, script_lang(word))
}

/// `Ar` when the word contains an Arabic letter, else `En`.
pub fn script_lang(word: &str) -> Lang {
    if word.chars().any(normalize::is_arabic_letter) {
        Lang::Ar
    } else {
        Lang::En
    }
}
