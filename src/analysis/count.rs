//! How a segment is counted: words, characters, placeables, tags.
//!
//! # The word rule (the one CAT tools bill by)
//! A word is a run of non-whitespace characters that contains at least one
//! letter or digit. Clitics are not split: `وبالملفات` ("and with the
//! files") is **one** word, as memoQ, Trados, MateCat and OmegaT count it;
//! a number (`3.5`, `٢٬٥٠٠`) is one word; a token of punctuation only
//! (`—`, `:`) is none. Characters are code points other than whitespace;
//! placeables are the numbers of the text; tags are the inline codes (a
//! pair counts once).
//!
//! ```
//! use mustalah::analysis::count::count_text;
//! let c = count_text("وبالملفات الجديدة — ٣ ملفات", 0);
//! assert_eq!((c.segments, c.words, c.placeables), (1, 4, 1));
//! assert_eq!(c.characters, 23);
//! ```

use serde::{Deserialize, Serialize};

/// Counts of one band (or one segment).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Segments.
    pub segments: u64,
    /// Words (see the module docs).
    pub words: u64,
    /// Characters other than whitespace.
    pub characters: u64,
    /// Numbers.
    pub placeables: u64,
    /// Inline codes.
    pub tags: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.segments += o.segments;
        self.words += o.words;
        self.characters += o.characters;
        self.placeables += o.placeables;
        self.tags += o.tags;
    }
}

/// Words of `s` by the rule of the module docs.
pub fn words(s: &str) -> u64 {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count() as u64
}

/// Counts of one segment with `tags` inline codes.
pub fn count_text(s: &str, tags: u64) -> Counts {
    Counts {
        segments: 1,
        words: words(s),
        characters: s.chars().filter(|c| !c.is_whitespace()).count() as u64,
        placeables: crate::suggest::number::numbers(s).len() as u64,
        tags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_clitic_words_count_once() {
        for (s, n) in [
            ("وبالملفات", 1),
            ("وبالملفات الجديدة", 2),
            ("افتح الملف، ثم احفظه.", 4),
            ("Open the file — then save it.", 6),
            ("الإصدار 3.5 من البرنامج", 4),
            ("« » — : ؟", 0),
            ("", 0),
            ("e-mail و  ال", 3),
        ] {
            assert_eq!(words(s), n, "{s}");
        }
    }

    #[test]
    fn characters_placeables_and_tags() {
        let c = count_text("بلغت ٢٬٥٠٠ وحدة في 2024", 2);
        assert_eq!(c.placeables, 2);
        assert_eq!(c.tags, 2);
        assert_eq!(c.characters, "بلغت٢٬٥٠٠وحدةفي2024".chars().count() as u64);
        let mut total = Counts::default();
        total += c;
        total += c;
        assert_eq!(total.words, 10);
    }
}
