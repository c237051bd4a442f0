//! What the engine needs from the term bases and the memories, as two small
//! traits over plain data, so adapters from the real `TermBases` and
//! `Memories` stay short and tests can use fakes.
//!
//! [`find_terms`] is the default target-side term finder: it tokenizes with
//! [`crate::text::tokenize`] and compares words by [`crate::text::word_keys`]
//! against [`crate::text::term_key`], plus a few light fallbacks of its own
//! (punctuation trimming, English possessive and `-s` plural, Arabic
//! proclitics) so inflected and cased forms count even before full analysis
//! is available: `GPUs` finds `GPU`, `Nvidia's` finds `Nvidia`, `والحوسبة`
//! finds `حوسبة`.
//!
//! ```
//! use mustalah::suggest::find_terms;
//! let hits = find_terms("Nvidia's GPUs beat the gpu", "en", &["GPU".to_string()]);
//! let spans: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
//! assert_eq!(spans, vec![(9, 13), (23, 26)]);
//! ```

use super::error::Result;
use super::model::{MemoryMatch, TermHit};
use crate::text::{self, Lang};
use std::collections::HashMap;

/// Confidence a hit needs for the terminology checks when the recognizer does
/// not say otherwise: weaker hits (ambiguous senses) are listed, not enforced.
pub const DEFAULT_CHECK_CONFIDENCE: f32 = 0.5;

/// An occurrence of one of the searched terms in a target text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetOccurrence {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// Index into the searched term list.
    pub term: usize,
}

/// Term recognition as the engine sees it.
pub trait TermRecognizer: Sync {
    /// Recognizes terms of `termbases` in `text` (source language), each hit
    /// carrying the concept's terms in `target_lang`. Offsets in code points.
    fn recognize(
        &self,
        termbases: &[String],
        text: &str,
        source_lang: &str,
        target_lang: &str,
    ) -> Result<Vec<TermHit>>;

    /// Occurrences of `terms` (target-language terms) in `target_text`,
    /// inflected and cased forms included, possibly overlapping, sorted by
    /// start then longest first.
    fn find_in_target(
        &self,
        target_text: &str,
        target_lang: &str,
        terms: &[String],
    ) -> Vec<TargetOccurrence> {
        find_terms(target_text, target_lang, terms)
    }

    /// Lowest hit confidence the terminology checks act on.
    fn check_confidence(&self) -> f32 {
        DEFAULT_CHECK_CONFIDENCE
    }
}

/// Fuzzy search of one translation memory as the engine sees it.
pub trait MatchSource: Sync {
    /// Up to `limit` matches of `text` in `memory` scoring at least
    /// `min_score`. An unknown memory is [`super::Error::NotFound`].
    fn search(
        &self,
        memory: &str,
        text: &str,
        source_lang: &str,
        target_lang: &str,
        min_score: u32,
        limit: usize,
    ) -> Result<Vec<MemoryMatch>>;
}

/// A word of a text with its span (punctuation trimmed) and match keys.
struct Word {
    start: usize,
    end: usize,
    keys: Vec<String>,
    /// Written in capitals (an English `'s`/`s` ending aside): `NVIDIA's`, `GPUs`.
    caps: bool,
}

/// Whether an English word is written in capitals, ignoring a possessive or
/// plural ending, with at least two capitals (`US`, `GPUs`, `IT's`).
///
/// Matching stays case-insensitive except for two-letter acronym terms,
/// whose lower-case forms are everyday words (`US`/`us`, `IT`/`it`).
fn is_caps(word: &str) -> bool {
    let base = ["'s", "’s", "s"]
        .iter()
        .find_map(|suf| word.strip_suffix(suf))
        .unwrap_or(word);
    let letters: Vec<char> = base.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
}

/// Finds `terms` in `text`: consecutive words whose keys match the term's
/// words. See the module docs; sorted by start, then longest first.
pub fn find_terms(text: &str, lang: &str, terms: &[String]) -> Vec<TargetOccurrence> {
    let lang = Lang::from_tag(lang);
    let words = words_of(text, lang, false);
    // Key → positions of the words having it, so each term is tried only
    // where its first word can match.
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
    for (p, w) in words.iter().enumerate() {
        for k in &w.keys {
            by_key.entry(k.as_str()).or_default().push(p);
        }
    }
    // A possessive the tokenizer split off (`Nvidia` `'s`) still belongs to
    // the occurrence, so spans do not depend on the tokenizer's choice.
    let chars: Vec<char> = if lang == Lang::En {
        text.chars().collect()
    } else {
        Vec::new()
    };
    let possessive = |end: usize| -> usize {
        let apostrophe = chars.get(end).is_some_and(|c| matches!(c, '\'' | '’'));
        let s = chars.get(end + 1) == Some(&'s');
        let after = chars.get(end + 2).is_none_or(|c| !c.is_alphanumeric());
        if apostrophe && s && after {
            end + 2
        } else {
            end
        }
    };
    let mut out = Vec::new();
    for (ti, term) in terms.iter().enumerate() {
        let tw = words_of(term, lang, true);
        let Some(head) = tw.first() else {
            continue;
        };
        let mut starts: Vec<usize> = head
            .keys
            .iter()
            .filter_map(|k| by_key.get(k.as_str()))
            .flatten()
            .copied()
            .collect();
        starts.sort_unstable();
        starts.dedup();
        for p in starts {
            // A two-letter acronym term (`US`, `IT`) only matches capitals,
            // so the words `us` and `its` are not taken for it.
            let all = tw.iter().enumerate().all(|(k, w)| {
                words.get(p + k).is_some_and(|x| {
                    (!w.caps || x.caps) && x.keys.iter().any(|key| w.keys.contains(key))
                })
            });
            if let (true, Some(first), Some(last)) =
                (all, words.get(p), words.get(p + tw.len() - 1))
            {
                out.push(TargetOccurrence {
                    start: first.start,
                    end: possessive(last.end),
                    term: ti,
                });
            }
        }
    }
    out.sort_by_key(|o| (o.start, std::cmp::Reverse(o.end), o.term));
    out.dedup_by_key(|o| (o.start, o.end, o.term));
    out
}

/// Words of `s` with keys: a term's words (`as_term`) get their citation key,
/// running-text words all candidate keys.
fn words_of(s: &str, lang: Lang, as_term: bool) -> Vec<Word> {
    let mut out = Vec::new();
    for tok in text::tokenize(s) {
        let Some(raw) = s.get(tok.start..tok.end) else {
            continue;
        };
        // Trim punctuation glued to a word (the tokenizer may or may not split
        // it off) and shift the span accordingly.
        let lead = raw.chars().take_while(|c| !c.is_alphanumeric()).count();
        let core: &str = raw.trim_matches(|c: char| !c.is_alphanumeric());
        if core.is_empty() {
            continue;
        }
        let word_lang = match lang {
            Lang::Other => Lang::Other,
            _ => text::script_lang(core),
        };
        let mut keys = vec![fold(core)];
        if as_term {
            keys.push(text::term_key(core, word_lang));
        } else {
            keys.extend(text::word_keys(core, word_lang).into_iter().map(|k| k.key));
            keys.extend(fallback_keys(&fold(core), word_lang));
        }
        keys.sort();
        keys.dedup();
        let start = tok.char_start + lead;
        out.push(Word {
            start,
            end: start + core.chars().count(),
            keys,
            caps: word_lang == Lang::En && is_caps(core) && (!as_term || core.chars().count() <= 2),
        });
    }
    out
}

/// Lower case, and Arabic letter variants folded (أإآ→ا, ى→ي, ة→ه, tatweel
/// and harakat dropped) so spelling variants meet.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\u{0640}' | '\u{064B}'..='\u{0652}' | '\u{0670}'))
        .map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Light keys of a folded word that need no lexicon.
fn fallback_keys(w: &str, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    match lang {
        Lang::En => {
            let base = w
                .strip_suffix("'s")
                .or_else(|| w.strip_suffix("’s"))
                .or_else(|| w.strip_suffix('\''))
                .or_else(|| w.strip_suffix('’'))
                .unwrap_or(w);
            out.push(base.to_string());
            // Plural stems shorter than three letters are mostly accidents
            // (`its` → `it`, `uses` → `us`).
            for suf in ["es", "s"] {
                if let Some(s) = base.strip_suffix(suf).filter(|s| s.chars().count() >= 3) {
                    out.push(s.to_string());
                }
            }
        }
        Lang::Ar => {
            // Proclitics: (و|ف)? (ب|ك|ل)? (ال)?, and لل = ل + ال.
            let mut stems = vec![w];
            for s in [w.strip_prefix('و'), w.strip_prefix('ف')]
                .into_iter()
                .flatten()
            {
                stems.push(s);
            }
            let after_conj = stems.clone();
            for s in after_conj {
                for p in ['ب', 'ك', 'ل'] {
                    if let Some(r) = s.strip_prefix(p) {
                        stems.push(r);
                    }
                }
                if let Some(r) = s.strip_prefix("لل") {
                    stems.push(r);
                }
            }
            for s in stems {
                if s.chars().count() < 2 {
                    continue;
                }
                out.push(s.to_string());
                if let Some(r) = s.strip_prefix("ال").filter(|r| r.chars().count() >= 2) {
                    out.push(r.to_string());
                }
            }
        }
        Lang::Other => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str, lang: &str, terms: &[&str]) -> Vec<(String, usize)> {
        let terms: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
        let chars: Vec<char> = text.chars().collect();
        find_terms(text, lang, &terms)
            .into_iter()
            .map(|o| (chars[o.start..o.end].iter().collect(), o.term))
            .collect()
    }

    #[test]
    fn english_case_plural_and_possessive_forms_are_found() {
        assert_eq!(
            spans(
                "NVIDIA's GPUs, unlike Huawei’s gpu.",
                "en",
                &["GPU", "Nvidia", "Huawei"]
            ),
            vec![
                ("NVIDIA's".to_string(), 1),
                ("GPUs".to_string(), 0),
                ("Huawei’s".to_string(), 2),
                ("gpu".to_string(), 0)
            ]
        );
    }

    #[test]
    fn a_possessive_stays_in_the_span_a_detached_s_does_not() {
        // Spans are the same whether or not the tokenizer splits `'s` off.
        assert_eq!(
            spans(
                "Nvidia 's chips and the graphics processing unit's fans",
                "en",
                &["Nvidia", "graphics processing unit"]
            ),
            vec![
                ("Nvidia".to_string(), 0),
                ("graphics processing unit's".to_string(), 1)
            ]
        );
    }

    #[test]
    fn multiword_terms_match_consecutive_words_only() {
        assert_eq!(
            spans(
                "Artificial intelligence, and intelligence that is artificial.",
                "en",
                &["artificial intelligence"]
            ),
            vec![("Artificial intelligence".to_string(), 0)]
        );
    }

    #[test]
    fn arabic_clitics_and_spelling_variants_are_found() {
        assert_eq!(
            spans(
                "وبالحوسبة السحابية نجحت إنفيديا، ولإنفيديا رقائق",
                "ar",
                &["حوسبة سحابية", "انفيديا"]
            ),
            vec![
                ("وبالحوسبة السحابية".to_string(), 0),
                ("إنفيديا".to_string(), 1),
                ("ولإنفيديا".to_string(), 1)
            ]
        );
    }

    #[test]
    fn acronyms_match_capitals_only() {
        assert_eq!(
            spans(
                "The US uses its IT budget; the IT's team and us.",
                "en",
                &["US", "IT"]
            ),
            vec![
                ("US".to_string(), 0),
                ("IT".to_string(), 1),
                ("IT's".to_string(), 1)
            ]
        );
        // A lower-case term still matches any case.
        assert_eq!(spans("Cloud and CLOUD", "en", &["cloud"]).len(), 2);
    }

    #[test]
    fn nothing_is_found_in_unrelated_text() {
        assert!(spans("The model was released in January.", "en", &["GPU", "chip"]).is_empty());
        assert!(spans("", "en", &["GPU"]).is_empty());
        assert!(spans("GPU", "en", &["", " , "]).is_empty());
    }
}
