//! Plain data exchanged with the engine: the request, what the term base and
//! the memories hand in ([`TermHit`], [`MemoryMatch`]) and the response.
//!
//! Every offset is in Unicode code points (never bytes), so clients in any
//! language can slice the strings they sent. Field names are the JSON names;
//! the HTTP layer wraps these types in its own schema DTOs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Default minimum fuzzy score a memory match needs to be used.
pub const DEFAULT_MIN_SCORE: u32 = 70;
/// Lowest `min_score` accepted: the memory search's floor (see
/// `memory::search::MIN_SCORE_FLOOR`; the adapters' tests keep the two equal).
pub const MIN_SCORE_FLOOR: u32 = 30;
/// Default number of matches listed per segment.
pub const DEFAULT_LIMIT: usize = 3;
/// Largest `limit` accepted: more matches per segment help no translator and
/// multiply response size.
pub const MAX_LIMIT: usize = 50;
/// Largest number of segments per request, so one request cannot occupy the
/// server for minutes.
pub const MAX_SEGMENTS: usize = 20_000;

/// A suggestion request: a whole article (`text`) or pre-split `segments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SuggestRequest {
    /// The whole article; segmented by the engine. Exclusive with `segments`.
    pub text: Option<String>,
    /// Pre-split segments, used as given. Exclusive with `text`.
    pub segments: Option<Vec<String>>,
    /// Source language tag (`ar`).
    pub source_lang: String,
    /// Target language tag (`en`).
    pub target_lang: String,
    /// Memories to search; their matches are merged.
    pub memories: Vec<String>,
    /// Term bases to recognize terms with.
    pub termbases: Vec<String>,
    /// Minimum match score (0–100) for a match to be listed and used.
    pub min_score: u32,
    /// How many matches to list per segment (1–[`MAX_LIMIT`]).
    pub limit: usize,
    /// The request named no language: a segment written in the script of
    /// `target_lang` (an English UI string in an Arabic article) is
    /// treated as written in that language, the pair reversed for it.
    pub infer_direction: bool,
}

impl Default for SuggestRequest {
    fn default() -> Self {
        SuggestRequest {
            text: None,
            segments: None,
            source_lang: "ar".into(),
            target_lang: "en".into(),
            memories: Vec::new(),
            termbases: Vec::new(),
            min_score: DEFAULT_MIN_SCORE,
            limit: DEFAULT_LIMIT,
            infer_direction: false,
        }
    }
}

/// One target-language term of a recognized concept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermTranslation {
    /// The term as written in the term base.
    pub text: String,
    /// Its language tag.
    pub lang: String,
    /// `preferred`, `admitted`, `deprecated` or `forbidden`.
    pub status: String,
    /// Explicit inflected forms (broken plurals, irregular forms).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
}

impl TermTranslation {
    /// Whether the term may be used (`preferred` or `admitted`).
    pub fn is_usable(&self) -> bool {
        matches!(self.status.as_str(), "preferred" | "admitted")
    }
}

/// A recognized source term, as term recognition returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermHit {
    /// First code point of the hit in the recognized text.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The text as it occurs (with clitics, inflection).
    pub surface: String,
    /// Concept id in its term base.
    pub entry_id: String,
    /// The source term of the concept that matched, as listed.
    pub term: String,
    /// How it matched (`surface`, `clitic`, `inflected`, `plural`, …).
    #[serde(rename = "match")]
    pub match_kind: String,
    /// Recognition confidence, 0–1.
    pub confidence: f32,
    /// Status of the matched source term.
    pub status: String,
    /// All target-language terms of the concept.
    pub translations: Vec<TermTranslation>,
    /// Term base the concept belongs to.
    pub termbase: String,
}

impl TermHit {
    /// The translation to put into a target text: the first `preferred`, else
    /// the first `admitted` one.
    pub fn preferred_translation(&self) -> Option<&TermTranslation> {
        self.translations
            .iter()
            .find(|t| t.status == "preferred")
            .or_else(|| self.translations.iter().find(|t| t.status == "admitted"))
    }

    /// Identity of the concept across term bases.
    pub(crate) fn concept(&self) -> (&str, &str) {
        (self.termbase.as_str(), self.entry_id.as_str())
    }
}

/// One fuzzy match from a memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryMatch {
    /// Memory it comes from.
    pub memory: String,
    /// Unit id within that memory.
    pub id: u64,
    /// Match score (100 = exact, 101 = exact in context).
    pub score: u32,
    /// The unit's source text.
    pub source: String,
    /// The unit's target text.
    pub target: String,
    /// Source language tag.
    pub source_lang: String,
    /// Target language tag.
    pub target_lang: String,
    /// The memory's own source diff, passed through unchanged (the engine
    /// computes its own token diff for repairs).
    #[serde(default)]
    pub diff: serde_json::Value,
    /// The memory's score penalties, passed through unchanged.
    #[serde(default)]
    pub penalties: serde_json::Value,
    /// Where the unit came from.
    #[serde(default)]
    pub origin: Option<String>,
    /// Last modification of the unit (ranking tie-breaker: newer first).
    pub modified: DateTime<Utc>,
}

/// Kind of a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    /// The best match scored 100 or more.
    Exact,
    /// The best match scored below 100 and was used as is.
    Fuzzy,
    /// The best match was fuzzy and terms or numbers in it were replaced.
    Repaired,
    /// No match reached `min_score`: only recognized terms are offered.
    TermsOnly,
}

impl SuggestionKind {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            SuggestionKind::Exact => "exact",
            SuggestionKind::Fuzzy => "fuzzy",
            SuggestionKind::Repaired => "repaired",
            SuggestionKind::TermsOnly => "terms_only",
        }
    }
}

/// A source term span aligned with its translation in the suggestion text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alignment {
    /// First code point of the term in the segment.
    pub source_start: usize,
    /// One past its last code point.
    pub source_end: usize,
    /// First code point of the translation in the suggestion text.
    pub target_start: usize,
    /// One past its last code point.
    pub target_end: usize,
    /// Concept id.
    pub entry_id: String,
}

/// One replacement made in a fuzzy match's target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repair {
    /// Span `[start, end]` in the segment of the term or number that differed.
    pub source_span: [usize; 2],
    /// What the match target said.
    pub old_target: String,
    /// What the suggestion says instead.
    pub new_target: String,
    /// Concept of the new term; `None` for a number.
    pub entry_id: Option<String>,
}

/// The suggested translation of a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// Suggested target text (empty for `terms_only`).
    pub text: String,
    /// Score of the suggestion (see the module docs for repaired scores).
    pub score: u32,
    /// How it was obtained.
    pub kind: SuggestionKind,
    /// `memory:id` of the match it came from.
    pub from_match: Option<String>,
    /// Source terms aligned with their translations in `text`.
    pub alignment: Vec<Alignment>,
    /// Replacements made in the match target.
    pub repairs: Vec<Repair>,
}

/// What a terminology check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckCode {
    /// A recognized source term has no usable translation in the suggestion.
    MissingTerm,
    /// A forbidden target term of a recognized concept is in the suggestion.
    ForbiddenTerm,
    /// A deprecated target term of a recognized concept is in the suggestion.
    DeprecatedTerm,
    /// A number of the source is not in the suggestion.
    NumberMismatch,
}

impl CheckCode {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckCode::MissingTerm => "missing_term",
            CheckCode::ForbiddenTerm => "forbidden_term",
            CheckCode::DeprecatedTerm => "deprecated_term",
            CheckCode::NumberMismatch => "number_mismatch",
        }
    }
}

/// One finding of the terminology checks on a suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// What was found.
    pub code: CheckCode,
    /// Human-readable explanation.
    pub message: String,
    /// Concept concerned, if any.
    pub entry_id: Option<String>,
    /// Offending span `[start, end]` in the suggestion text, if any.
    pub target_span: Option<[usize; 2]>,
}

/// Everything the engine says about one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentSuggestion {
    /// Position of the segment (0-based).
    pub index: usize,
    /// First code point in the article (0 for the `segments` form).
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The segment text.
    pub text: String,
    /// Recognized terms, in text order.
    pub terms: Vec<TermHit>,
    /// Matches from all listed memories, best first.
    pub matches: Vec<MemoryMatch>,
    /// The suggestion built from the best match (or terms only).
    pub suggestion: Suggestion,
    /// Terminology checks on the suggestion.
    pub checks: Vec<Check>,
}

/// The engine's answer: one entry per segment, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestResponse {
    /// Per-segment suggestions.
    pub segments: Vec<SegmentSuggestion>,
}
