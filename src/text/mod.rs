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
//!
//! # What is handled
//!
//! * **Normalization** ([`normalize()`]): NFKC for Arabic presentation forms
//!   only; tashkeel, tatweel and bidi/format controls removed; one fold
//!   table ([`normalize::fold`]) for أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و,
//!   ئ → ي, ی → ي, ک → ك, Arabic-Indic/Persian digits → ASCII, ٫ → `.`,
//!   ٬ → `,`, ، ؛ ؟ → `, ; ?`, curly quotes and guillemets → `'`/`"`, dash
//!   variants → `-`; lowercase. Idempotent, single pass, ASCII fast path.
//! * **Tokens** ([`tokenize`]): byte and char spans, kinds Word / Number /
//!   Punct / Tag / Url / Email / Symbol; placeholders and inline tags as one
//!   token; mixed letters+digits (`H800`, `COVID-19`) are words; numbers
//!   normalize to ASCII without group separators; hyphenated English words
//!   are one token (see [`token`]).
//! * **Arabic keys** ([`arabic`]): proclitics و ف ب ك ل ال لل and
//!   combinations (minimum stem 2 letters after article forms, 3 after bare
//!   proclitics and after suffixes); pronoun suffixes ه ها هم هما هن ك كم
//!   كما كن ي نا; endings ة ات ان ين ون ية ي اً; ت→ة before pronouns. Every
//!   analysis is only a candidate key: recognition is dictionary-guarded,
//!   and the surface key is always kept (بكين still matches بكين/ببكين).
//! * **Broken plurals**, three layers: term-base variants (termbase's job);
//!   the lexicon `plurals.ar.tsv` (≥ 1,000 true broken plurals, [`plural`]);
//!   the consonant-pattern fallback [`plural::pattern_singulars`], measured
//!   and deliberately NOT used in [`word_keys`].
//! * **English keys** ([`english`]): lowercase, possessive dropped, regular
//!   and irregular plurals with guards for `news`, `series`, `-ss`, `-us`,
//!   `-is`, `-ics`, acronyms (`AWS`, `iOS`; `GPUs` → `gpu`), capitalised
//!   `Windows`; compounds meet through [`english::compound_key`].
//! * **Sentences** ([`segment()`]): every newline splits; `. ! ? ؟ …` with
//!   closing quotes/brackets; no split in numbers, versions, URLs, e-mails,
//!   abbreviations, initials, mid-sentence ellipses.
//!
//! # What is not handled
//!
//! Verb morphology and the future prefix س; weak-root and hamza-seat changes
//! under suffixes (ذكاؤه); broken plurals missing from the lexicon; English
//! irregular verbs; sentence ends right after an abbreviation (`U.S. The`);
//! languages other than Arabic and English get normalization only.

pub mod arabic;
pub mod english;
pub mod normalize;
pub mod plural;
pub mod segment;
pub mod stopword;
pub mod token;

pub use arabic::{analyses, Analysis};
pub use arabic::{term_key_ar, word_keys_ar};
pub use english::{compound_key, term_key_en, word_keys_en};
pub use normalize::{normalize, normalize_into};
pub use plural::{pattern_singulars, plurals_of, singulars_of};
pub use segment::{segment, Segment};
pub use token::{for_each_span, push_norm, tokenize, tokenize_into, Span, Token, TokenKind};

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
/// text), most literal first (the normalized surface), without duplicates;
/// empty when the word normalizes to nothing (only marks or controls).
pub fn word_keys(word: &str, lang: Lang) -> Vec<WordKey> {
    match lang {
        Lang::Ar => word_keys_ar(word),
        Lang::En => word_keys_en(word),
        Lang::Other => {
            let key = normalize(word);
            if key.is_empty() {
                return Vec::new();
            }
            vec![WordKey {
                key,
                kind: KeyKind::Surface,
                prefix_chars: 0,
            }]
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Key functions accept any input without panicking, return the
        /// surface key first and no duplicates.
        #[test]
        fn keys_total_on_any_input(w in "\\PC{0,24}") {
            for lang in [Lang::Ar, Lang::En, Lang::Other] {
                let ks = word_keys(&w, lang);
                let n = normalize(&w);
                if n.is_empty() {
                    prop_assert!(ks.is_empty());
                } else {
                    prop_assert_eq!(&ks[0].key, &n);
                    prop_assert_eq!(ks[0].kind, KeyKind::Surface);
                }
                let mut seen = std::collections::HashSet::new();
                prop_assert!(ks.iter().all(|k| seen.insert(k.key.clone())));
                let _ = term_key(&w, lang);
            }
            let _ = arabic::analyses(&w);
            let _ = english::compound_key(&[&w, &w]);
            let _ = plural::pattern_singulars(&normalize(&w));
        }
    }

    #[test]
    fn empty_words_have_no_keys() {
        for w in ["", "\u{0640}\u{064E}", "\u{200F}"] {
            for lang in [Lang::Ar, Lang::En, Lang::Other] {
                assert!(word_keys(w, lang).is_empty(), "{w:?} {lang:?}");
            }
        }
    }

    #[test]
    fn lang_from_tag() {
        assert_eq!(Lang::from_tag("ar-SA"), Lang::Ar);
        assert_eq!(Lang::from_tag("EN_us"), Lang::En);
        assert_eq!(Lang::from_tag("fr"), Lang::Other);
    }

    #[test]
    fn auto_keys_follow_script() {
        assert_eq!(script_lang("وبالذكاء"), Lang::Ar);
        assert_eq!(script_lang("GPUs"), Lang::En);
        assert!(word_keys_auto("وبالذكاء").iter().any(|k| k.key == "ذكاء"));
        assert!(word_keys_auto("GPUs").iter().any(|k| k.key == "gpu"));
        assert_eq!(term_key_auto("الذكاء"), "ذكاء");
        assert_eq!(term_key_auto("H800"), "h800");
        let other = word_keys("Häuser", Lang::Other);
        assert_eq!(other.len(), 1);
        assert_eq!(other[0].key, "häuser");
    }

    /// Term recognition over a real news sentence: token keys meet term keys.
    #[test]
    fn sentence_tokens_meet_term_keys() {
        let s = "وتقول الشركة إنها دربت نموذجها بتكلفة تقارب 6 ملايين دولار فقط، مستخدمة 2000 وحدة معالجة رسومات من نوع Nvidia H800.";
        let toks = tokenize(s);
        let keys: Vec<Vec<WordKey>> = toks
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| word_keys_auto(t.text(s)))
            .collect();
        for term in ["نموذج", "شركة", "تكلفة", "H800", "Nvidia", "وحدة"] {
            let k = term_key_auto(term);
            assert!(
                keys.iter().any(|ks| ks.iter().any(|w| w.key == k)),
                "{term} ({k}) not found"
            );
        }
        let numbers: Vec<&str> = toks
            .iter()
            .filter(|t| t.kind == TokenKind::Number)
            .map(|t| t.norm.as_str())
            .collect();
        assert_eq!(numbers, vec!["6", "2000"]);
    }

    /// The whole real article: spans slice back, segments cover the text,
    /// and the article's key terms are found through their citation keys.
    #[test]
    fn real_article_invariants() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/articles/waic-2025-deepseek.ar.txt"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            println!("skipped: {path} absent");
            return;
        };
        let toks = tokenize(&text);
        for t in &toks {
            assert_eq!(text[..t.start].chars().count(), t.char_start);
            assert!(!t.text(&text).trim().is_empty());
        }
        let segs = segment(&text);
        let covered: usize = segs
            .iter()
            .map(|g| g.text(&text).chars().filter(|c| !c.is_whitespace()).count())
            .sum();
        assert_eq!(covered, text.chars().filter(|c| !c.is_whitespace()).count());
        assert!(segs.len() >= 20, "{} segments", segs.len());
        let all_keys: std::collections::HashSet<String> = toks
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
            .flat_map(|t| word_keys_auto(t.text(&text)))
            .map(|k| k.key)
            .collect();
        for term in [
            "ذكاء",
            "اصطناعي",
            "نموذج",
            "شريحة",
            "سوق",
            "مستثمر",
            "تقنية",
            "WAIC",
            "H800",
            "مركز",
        ] {
            let k = term_key_auto(term);
            assert!(all_keys.contains(&k), "{term} ({k})");
        }
    }
}
