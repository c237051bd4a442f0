//! What the candidate engine needs besides term recognition: aligned pairs
//! in which a phrase occurs. Real adapters are in [`super::adapters`].

use crate::suggest::error::Result;
use crate::suggest::model::TermHit;
use crate::suggest::TermRecognizer;
use crate::text::{self, TokenKind};

/// Aligned (source, target) pairs.
pub trait PairSource: Sync {
    /// Pairs whose source side (language `lang`) may contain `phrase`, at
    /// most `limit`. May return more general pairs: the engine checks.
    fn pairs_with(&self, phrase: &str, lang: &str, limit: usize) -> Result<Vec<(String, String)>>;
}

/// Pairs given with the request (`parallel`): every pair whose source has
/// all the phrase's words, in the order given.
#[derive(Debug, Clone, Default)]
pub struct ParallelPairs(pub Vec<(String, String)>);

impl PairSource for ParallelPairs {
    fn pairs_with(&self, phrase: &str, _lang: &str, limit: usize) -> Result<Vec<(String, String)>> {
        let words: Vec<String> = text::tokenize(phrase)
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| text::term_key_auto(t.text(phrase)))
            .collect();
        Ok(self
            .0
            .iter()
            .filter(|(s, _)| {
                let keys: Vec<String> = text::tokenize(s)
                    .iter()
                    .filter(|t| t.kind == TokenKind::Word)
                    .flat_map(|t| text::word_keys_auto(t.text(s)))
                    .map(|k| k.key)
                    .collect();
                words.iter().all(|w| keys.contains(w))
            })
            .take(limit)
            .cloned()
            .collect())
    }
}

/// A recognizer that knows no terms (a request without term bases).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTerms;

impl TermRecognizer for NoTerms {
    fn recognize(&self, _: &[String], _: &str, _: &str, _: &str) -> Result<Vec<TermHit>> {
        Ok(Vec::new())
    }
}
