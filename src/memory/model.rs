//! Translation-memory model: bilingual units with metadata.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One stored translation unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranslationUnit {
    /// Id within the memory.
    pub id: u64,
    /// Source text. TMX inline codes appear as their native code text
    /// (`<b>`, `%s`), which the tokenizer treats as one tag token each.
    pub source: String,
    /// Target text, same conventions.
    pub target: String,
    /// Source language tag as given (`ar`, `en-US`).
    pub source_lang: String,
    /// Target language tag.
    pub target_lang: String,
    /// Context key (previous/next segment hash or a free key) for 101 matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// Where the unit came from (project/file/package).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last modification time.
    pub modified: DateTime<Utc>,
    /// Who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// TMX `<prop type="…">value</prop>` pairs, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<(String, String)>,
    /// TMX `<note>` texts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Original TMX inner markup of the source `<seg>` when it held inline
    /// elements (`<bpt>`, `<ph>`, …), so export restores it exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_markup: Option<String>,
    /// Same for the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_markup: Option<String>,
}

/// A unit as read from a file or request, before the memory assigns an id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnitDraft {
    /// Source text (inline codes as native text).
    pub source: String,
    /// Target text.
    pub target: String,
    /// Source language tag.
    pub source_lang: String,
    /// Target language tag.
    pub target_lang: String,
    /// Context key.
    pub context: Option<String>,
    /// Origin.
    pub origin: Option<String>,
    /// Creation time from the file, if any.
    pub created: Option<DateTime<Utc>>,
    /// Modification time from the file, if any.
    pub modified: Option<DateTime<Utc>>,
    /// Creator from the file.
    pub created_by: Option<String>,
    /// TMX props.
    pub props: Vec<(String, String)>,
    /// TMX notes.
    pub notes: Vec<String>,
    /// Raw TMX inner markup of the source seg when it had inline elements.
    pub source_markup: Option<String>,
    /// Same for the target.
    pub target_markup: Option<String>,
}

/// Description of one memory (its `meta` record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryMeta {
    /// Memory name (path segment).
    pub name: String,
    /// Language of the unit sources (`ar`, `en`).
    pub source_lang: String,
    /// Language of the unit targets.
    pub target_lang: String,
    /// Free description.
    #[serde(default)]
    pub description: Option<String>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last time a unit or the description changed.
    pub modified: DateTime<Utc>,
    /// Next unit id to hand out (ids are never reused).
    #[serde(default = "first_id")]
    pub next_id: u64,
}

fn first_id() -> u64 {
    1
}

/// A memory with its live unit count.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryInfo {
    /// The stored description.
    pub meta: MemoryMeta,
    /// Number of units.
    pub units: u64,
}

/// Outcome of adding units.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AddReport {
    /// Id of every draft, in request order (an existing id when deduplicated).
    pub ids: Vec<u64>,
    /// Units created.
    pub added: u64,
    /// Existing identical units whose `modified` was refreshed.
    pub updated: u64,
}

/// A fuzzy-search request.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    /// The segment to match.
    pub text: String,
    /// Language of `text`; `None` = the memory's source language.
    pub source_lang: Option<String>,
    /// Wanted translation language; `None` = the other language of the memory.
    pub target_lang: Option<String>,
    /// Lowest score returned, 0–101.
    pub min_score: u32,
    /// Most matches returned, 1–100.
    pub limit: usize,
    /// Context key; equal context plus identical text scores 101.
    pub context: Option<String>,
}

/// One step of the token alignment between the query and a match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffOp {
    /// `equal`, `insert` (only in the match), `delete` (only in the query),
    /// `replace` or `placeable` (a number, placeholder or tag aligned to one
    /// of its kind: what a repair can substitute).
    pub op: &'static str,
    /// Slice of the query (original spacing), empty for `insert`.
    pub query: String,
    /// Slice of the match's source (original spacing), empty for `delete`.
    pub source: String,
}

/// A deduction from the edit-distance score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Penalty {
    /// Stable reason code (`numbers_differ`, `tags_differ`, …).
    pub reason: &'static str,
    /// Points deducted.
    pub points: u32,
}

/// One fuzzy match, oriented as requested (sides swapped when the search
/// ran over the memory's target side).
#[derive(Debug, Clone, PartialEq)]
pub struct FuzzyMatch {
    /// Unit id.
    pub id: u64,
    /// Score 0–101 (see [`crate::memory::score`]).
    pub score: u32,
    /// The matched side's text.
    pub source: String,
    /// The other side's text.
    pub target: String,
    /// Language of `source`.
    pub source_lang: String,
    /// Language of `target`.
    pub target_lang: String,
    /// Token alignment between the query and `source`.
    pub diff: Vec<DiffOp>,
    /// Deductions applied.
    pub penalties: Vec<Penalty>,
    /// Unit origin.
    pub origin: Option<String>,
    /// Unit modification time.
    pub modified: DateTime<Utc>,
    /// Unit context.
    pub context: Option<String>,
}

/// A span of a concordance hit, in code points of the stored text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// `true` for the unit's source, `false` for its target.
    pub source_side: bool,
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
}

/// One concordance result.
#[derive(Debug, Clone, PartialEq)]
pub struct ConcordanceHit {
    /// The unit.
    pub unit: TranslationUnit,
    /// Where the phrase occurs.
    pub spans: Vec<Span>,
}

/// Outcome of an import.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportReport {
    /// Units created.
    pub units_added: u64,
    /// Identical units refreshed.
    pub units_updated: u64,
    /// Units skipped because of a row error.
    pub units_skipped: u64,
    /// First 1,000 row errors.
    pub errors: Vec<crate::formats::FormatError>,
    /// Number of row errors in total.
    pub errors_total: u64,
}
