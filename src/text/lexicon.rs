//! The shipped sense lexicon: word lists that recognition and suggestion
//! checks use, kept as data beside this module (`lexicon/*.txt`) rather than
//! in code, so that they can be reviewed, extended and tested as lists.
//!
//! - `ambiguous.txt`: single words with a technical and an everyday sense
//!   (خادم server/servant, "mouse"); a hit on one needs evidence;
//! - `everyday_cues.txt`: words pointing at the everyday sense (مطعم,
//!   "kitchen");
//! - `general.txt`: general news vocabulary a term base lists but that is
//!   not a term to flag (شركة "company", دولار "dollar").
//!
//! The stop lists (`stopwords.*.txt`, function words) are in
//! [`super::stopword`]. Files: one entry per line, `#` starts a comment.
//!
//! ```
//! use mustalah::text::lexicon;
//! assert!(lexicon::ambiguous_words().contains(&"خادم"));
//! assert!(lexicon::general_words().contains(&"شركة"));
//! ```

use std::sync::OnceLock;

const AMBIGUOUS: &str = include_str!("lexicon/ambiguous.txt");
const EVERYDAY_CUES: &str = include_str!("lexicon/everyday_cues.txt");
const GENERAL: &str = include_str!("lexicon/general.txt");

/// The entries of a list file: comments and blank lines dropped, trimmed.
pub(crate) fn entries(body: &'static str) -> impl Iterator<Item = &'static str> {
    body.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
}

fn list(cell: &'static OnceLock<Vec<&'static str>>, body: &'static str) -> &'static [&'static str] {
    cell.get_or_init(|| entries(body).collect())
}

/// Single words that are terms in one sense and everyday words in another.
pub fn ambiguous_words() -> &'static [&'static str] {
    static L: OnceLock<Vec<&'static str>> = OnceLock::new();
    list(&L, AMBIGUOUS)
}

/// Words that point at the everyday sense of an ambiguous term.
pub fn everyday_cues() -> &'static [&'static str] {
    static L: OnceLock<Vec<&'static str>> = OnceLock::new();
    list(&L, EVERYDAY_CUES)
}

/// General vocabulary: recognized on request, not flagged by default.
pub fn general_words() -> &'static [&'static str] {
    static L: OnceLock<Vec<&'static str>> = OnceLock::new();
    list(&L, GENERAL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn lists_are_clean_and_disjoint_where_they_must_be() {
        for (name, l) in [
            ("ambiguous", ambiguous_words()),
            ("everyday_cues", everyday_cues()),
            ("general", general_words()),
        ] {
            assert!(l.len() >= 5, "{name}");
            let mut seen = HashSet::new();
            for w in l {
                assert!(seen.insert(*w), "{name}: {w} twice");
                assert_eq!(w.trim(), *w, "{name}: {w:?}");
            }
        }
        // A general word is not also ambiguous (one rule decides it), and
        // no list holds a stop word (those never reach these rules).
        let amb: HashSet<&str> = ambiguous_words().iter().copied().collect();
        for w in general_words() {
            assert!(!amb.contains(w), "{w}");
        }
        for w in ambiguous_words().iter().chain(general_words()) {
            assert!(!super::super::stopword::is_stopword(w), "{w}");
        }
    }
}
