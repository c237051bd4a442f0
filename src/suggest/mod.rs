//! Article suggestions: for each segment of an Arabic article, the best
//! translation-memory matches, a suggested translation with the glossary
//! terms aligned between source and suggestion, and terminology checks.
//!
//! The engine is independent of HTTP and of the concrete term bases and
//! memories: it talks to them through [`TermRecognizer`] and [`MatchSource`],
//! two traits over plain data ([`TermHit`], [`MemoryMatch`]).
//!
//! # Algorithm, per segment (segments run in parallel with rayon)
//! 1. Segmentation with [`crate::text::segment`] (the `segments` form of the
//!    request skips it; its spans are then `0..len` of each segment).
//! 2. One `recognize` of the segment, one `search` per listed memory; matches
//!    below `min_score` are dropped, the rest merged and ranked by score, ties
//!    broken by newer `modified`, then memory name and unit id; top `limit`.
//! 3. No match: kind `terms_only`, empty text, no alignment, no checks; the
//!    recognized terms are still listed.
//! 4. Best match scoring below 100: one more `recognize`, of the match
//!    source, and fuzzy-match repair of terms and numbers (see the repair
//!    rules below).
//! 5. Alignment: every target term and variant of every recognized concept is
//!    searched in the suggestion (inflected and cased forms count); each hit
//!    gets the next unused occurrence of its concept in text order.
//! 6. Checks: `missing_term`, `forbidden_term`, `deprecated_term`,
//!    `number_mismatch`.
//!
//! # Repair rules and score
//! A term of the match source is replaced only when it pairs with exactly one
//! differing term of the segment (same diff run or same word index) and its
//! translation occurs exactly once in the match target; numbers likewise, by
//! value. Each repair costs [`REPAIR_COST`] = 2 points: `score = min(match score − 2 × repairs,
//! 99)`. A repaired match is never presented as exact, and the small cost
//! keeps an unrepaired match of equal score ranked as at least as safe, since
//! a repair can still break agreement (Arabic number–noun agreement, gender).
//! Kind: `repaired` when any repair was made, else `exact` for a score of 100
//! or more, else `fuzzy`.
//!
//! # Not handled
//! * Terms that differ in several places of one diff run without a
//!   positional counterpart, or occur more than once on either side: left
//!   alone (ambiguous).
//! * Grammar around a replaced term (articles, agreement) is not adjusted.
//! * Spelled-out numbers (`ثلاثة`, `three`) are not numbers; digits glued to
//!   Latin letters (`R1`, `H800`) are names, not numbers.
//! * The memory's own `diff` is passed through, not used: the engine diffs
//!   words itself so it needs nothing beyond source and target texts.
//! * Alignment pairs a concept's hits and target occurrences in text order;
//!   when Arabic and English order the same concept's repetitions
//!   differently, the pairing can cross.
//! * Checks only look at concepts recognized in the source: a forbidden
//!   target term of an unrecognized concept goes unnoticed.
//!
//! `from_match` is `"<memory>:<unit id>"`, unique across the listed memories.
//!
//! ```
//! use mustalah::suggest::{suggest, SuggestRequest, TermRecognizer, MatchSource,
//!     TermHit, MemoryMatch, Result};
//! struct NoTerms;
//! impl TermRecognizer for NoTerms {
//!     fn recognize(&self, _: &[String], _: &str, _: &str, _: &str) -> Result<Vec<TermHit>> {
//!         Ok(vec![])
//!     }
//! }
//! struct NoMemory;
//! impl MatchSource for NoMemory {
//!     fn search(&self, _: &str, _: &str, _: &str, _: &str, _: u32, _: usize)
//!         -> Result<Vec<MemoryMatch>> { Ok(vec![]) }
//! }
//! let req = SuggestRequest { text: Some("مرحبا\nبالعالم".into()), ..Default::default() };
//! let resp = suggest(&req, &NoTerms, &NoMemory).unwrap();
//! assert_eq!(resp.segments.len(), 2);
//! assert_eq!(resp.segments[1].start, 6);
//! ```

pub mod adapters;
mod align;
#[cfg(test)]
mod bench;
mod check;
mod engine;
pub mod error;
pub mod model;
pub(crate) mod number;
mod repair;
mod report;
pub mod source;
#[cfg(test)]
pub(crate) mod testkit;

pub use engine::{suggest, REPAIR_COST};
pub use error::{Error, Result, SuggestError};
pub use model::{
    Alignment, Check, CheckCode, MemoryMatch, Repair, SegmentSuggestion, SuggestRequest,
    SuggestResponse, Suggestion, SuggestionKind, TermHit, TermTranslation,
};
pub use report::render_report;
pub use source::{find_terms, MatchSource, TargetOccurrence, TermRecognizer};
