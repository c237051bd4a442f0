//! Wire types of the translation-memory routes (the domain types do not
//! derive `ToSchema`; these convert with `From`).

use crate::memory::model::{
    AddReport, ConcordanceHit, DiffOp, FuzzyMatch, ImportReport, MemoryInfo, Penalty,
    TranslationUnit, UnitDraft,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Body of `PUT /v1/memories/{tm}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"source_lang": "ar", "target_lang": "en", "description": "Software UI strings"}))]
pub struct CreateMemory {
    /// Language of the unit sources (BCP-47 tag).
    pub source_lang: String,
    /// Language of the unit targets.
    pub target_lang: String,
    /// Free description.
    #[serde(default)]
    pub description: Option<String>,
}

/// A memory with its unit count.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"name": "software", "source_lang": "en", "target_lang": "ar",
    "description": "Software UI strings", "units": 198082,
    "created": "2026-11-29T23:50:00Z", "modified": "2026-11-29T23:55:00Z"}))]
pub struct MemoryDto {
    /// Name.
    pub name: String,
    /// Source language.
    pub source_lang: String,
    /// Target language.
    pub target_lang: String,
    /// Description.
    pub description: Option<String>,
    /// Number of units.
    pub units: u64,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last change.
    pub modified: DateTime<Utc>,
}

impl From<MemoryInfo> for MemoryDto {
    fn from(i: MemoryInfo) -> Self {
        MemoryDto {
            name: i.meta.name,
            source_lang: i.meta.source_lang,
            target_lang: i.meta.target_lang,
            description: i.meta.description,
            units: i.units,
            created: i.meta.created,
            modified: i.meta.modified,
        }
    }
}

/// `GET /v1/memories` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemoryList {
    /// All memories, by name.
    pub memories: Vec<MemoryDto>,
}

/// A TMX `<prop>`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"type": "x-origin", "value": "gedit/gedit"}))]
pub struct PropDto {
    /// Property type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Value.
    pub value: String,
}

/// A unit as sent by a client.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"source": "Save the file", "target": "احفظ الملف", "context": "menu.file", "origin": "gedit/gedit"}))]
pub struct UnitIn {
    /// Source text (inline codes as native text: `<b>`, `%s`, `{0}`).
    pub source: String,
    /// Target text.
    pub target: String,
    /// Context key (101 matches).
    #[serde(default)]
    pub context: Option<String>,
    /// Origin (project/file/package).
    #[serde(default)]
    pub origin: Option<String>,
    /// Author.
    #[serde(default)]
    pub created_by: Option<String>,
    /// Properties.
    #[serde(default)]
    pub props: Vec<PropDto>,
    /// Notes.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Language of `source`: optional; when given it must be the memory's
    /// source language (base subtag: `ar-SA` fits `ar`), else 422
    /// `language_mismatch`.
    #[serde(default)]
    pub source_lang: Option<String>,
    /// Language of `target`; same rule.
    #[serde(default)]
    pub target_lang: Option<String>,
    /// For a unit from an alignment: `true` once a person has checked it
    /// (lifts the `alignment` penalty); sets the `x-alignment-confirmed` prop.
    #[serde(default)]
    pub confirmed: Option<bool>,
}

impl From<UnitIn> for UnitDraft {
    fn from(u: UnitIn) -> Self {
        let mut props: Vec<(String, String)> =
            u.props.into_iter().map(|p| (p.kind, p.value)).collect();
        if let Some(c) = u.confirmed {
            crate::memory::aligned::set_confirmed(&mut props, c);
        }
        UnitDraft {
            source_lang: u.source_lang.unwrap_or_default(),
            target_lang: u.target_lang.unwrap_or_default(),
            source: u.source,
            target: u.target,
            context: u.context,
            origin: u.origin,
            created_by: u.created_by,
            props,
            notes: u.notes,
            ..Default::default()
        }
    }
}

/// Body of `POST /v1/memories/{tm}/units`: one unit (its fields at the top
/// level) or `{"units": [...]}` (at most 10,000).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"units": [
    {"source": "Save the file", "target": "احفظ الملف"},
    {"source": "Open a file", "target": "افتح ملفًا", "context": "menu.file"}]}))]
pub struct AddUnitsBody {
    /// Batch form.
    #[serde(default)]
    pub units: Option<Vec<UnitIn>>,
    /// Single form: source text.
    #[serde(default)]
    pub source: Option<String>,
    /// Single form: target text.
    #[serde(default)]
    pub target: Option<String>,
    /// Single form: context.
    #[serde(default)]
    pub context: Option<String>,
    /// Single form: origin.
    #[serde(default)]
    pub origin: Option<String>,
    /// Single form: author.
    #[serde(default)]
    pub created_by: Option<String>,
    /// Single form: properties.
    #[serde(default)]
    pub props: Vec<PropDto>,
    /// Single form: notes.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Single form: language of `source` (must be the memory's).
    #[serde(default)]
    pub source_lang: Option<String>,
    /// Single form: language of `target` (must be the memory's).
    #[serde(default)]
    pub target_lang: Option<String>,
}

/// Answer of `POST /v1/memories/{tm}/units`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"ids": [41, 42], "added": 1, "updated": 0, "unchanged": 1}))]
pub struct AddUnitsResponse {
    /// Id of each unit in request order (the existing id for an identical unit).
    pub ids: Vec<u64>,
    /// Units created.
    pub added: u64,
    /// Existing units with the same source, target and context that gained
    /// props or notes (merged in; `modified` moves).
    pub updated: u64,
    /// Existing units with the same content and nothing new (left as they
    /// were, `modified` untouched).
    pub unchanged: u64,
}

impl From<AddReport> for AddUnitsResponse {
    fn from(r: AddReport) -> Self {
        AddUnitsResponse {
            ids: r.ids,
            added: r.added,
            updated: r.updated,
            unchanged: r.unchanged,
        }
    }
}

/// A stored unit.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 42, "source": "Save the file", "target": "احفظ الملف",
    "source_lang": "en", "target_lang": "ar", "context": null, "origin": "gedit/gedit",
    "created": "2026-11-29T23:50:00Z", "modified": "2026-11-29T23:50:00Z",
    "created_by": null, "props": [], "notes": []}))]
pub struct UnitDto {
    /// Id.
    pub id: u64,
    /// Source text.
    pub source: String,
    /// Target text.
    pub target: String,
    /// Source language.
    pub source_lang: String,
    /// Target language.
    pub target_lang: String,
    /// Context key.
    pub context: Option<String>,
    /// Origin.
    pub origin: Option<String>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last change.
    pub modified: DateTime<Utc>,
    /// Author.
    pub created_by: Option<String>,
    /// Properties.
    pub props: Vec<PropDto>,
    /// Notes.
    pub notes: Vec<String>,
    /// The unit's id in the file it was imported from (TMX `tuid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tuid: Option<String>,
}

impl From<TranslationUnit> for UnitDto {
    fn from(u: TranslationUnit) -> Self {
        UnitDto {
            id: u.id,
            source: u.source,
            target: u.target,
            source_lang: u.source_lang,
            target_lang: u.target_lang,
            context: u.context,
            origin: u.origin,
            created: u.created,
            modified: u.modified,
            created_by: u.created_by,
            props: u
                .props
                .into_iter()
                .map(|(kind, value)| PropDto { kind, value })
                .collect(),
            notes: u.notes,
            tuid: u.tuid,
        }
    }
}

/// Body of `POST /v1/memories/{tm}/search`: `text` (one segment) or
/// `segments` (batch, at most 1,000).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "احفظ الملفات المفتوحة", "source_lang": "ar", "target_lang": "en",
    "min_score": 70, "limit": 5, "context": null}))]
pub struct SearchBody {
    /// The segment to match (at most its first 2,000 tokens are used).
    #[serde(default)]
    pub text: Option<String>,
    /// Batch form: several segments, answered as `results`.
    #[serde(default)]
    pub segments: Option<Vec<String>>,
    /// Language of the query; default the memory's source language; the
    /// memory's target language searches the target side (sides swapped).
    #[serde(default)]
    pub source_lang: Option<String>,
    /// Wanted translation language; default the other language of the memory.
    #[serde(default)]
    pub target_lang: Option<String>,
    /// Lowest score returned, 30–101 (default 70). A fraction is rounded up
    /// (scores are integers, so `87.5` returns scores from 88).
    #[serde(default)]
    #[schema(minimum = 30, maximum = 101)]
    pub min_score: Option<f64>,
    /// Most matches per segment, 1–100 (default 5).
    #[serde(default)]
    pub limit: Option<i64>,
    /// Context key: an identical segment whose unit has this context scores 101.
    #[serde(default)]
    pub context: Option<String>,
}

/// One aligned run between the query and the match's source.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"op": "replace", "query": "الملفات", "source": "الملف"}))]
pub struct DiffDto {
    /// `equal`, `insert` (only in the match), `delete` (only in the query), `replace`,
    /// `placeable` (a number, placeholder or tag aligned to one of its kind).
    pub op: String,
    /// Query text of the run (original spacing).
    pub query: String,
    /// Match source text of the run.
    pub source: String,
}

/// A deduction from the score.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"reason": "numbers_differ", "points": 2}))]
pub struct PenaltyDto {
    /// `numbers_differ`, `tags_differ`, `punctuation_differs`, `case_differs`,
    /// `orthography_differs`, `accelerator_differs`, `whitespace_differs`,
    /// `alignment` (an aligned unit nobody has confirmed yet).
    pub reason: String,
    /// Points deducted.
    pub points: u32,
}

/// One fuzzy match.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 42, "score": 75, "source": "احفظ الملف", "target": "Save the file",
    "source_lang": "ar", "target_lang": "en",
    "diff": [{"op": "equal", "query": "احفظ", "source": "احفظ"},
             {"op": "replace", "query": "الملفات", "source": "الملف"}],
    "penalties": [], "origin": "gedit/gedit", "modified": "2026-11-29T23:50:00Z", "context": null}))]
pub struct MatchDto {
    /// Unit id.
    pub id: u64,
    /// Score 0–101.
    pub score: u32,
    /// Matched text (the unit's target when the search ran on the target side).
    pub source: String,
    /// Its translation.
    pub target: String,
    /// Language of `source`.
    pub source_lang: String,
    /// Language of `target`.
    pub target_lang: String,
    /// Token alignment query ↔ source.
    pub diff: Vec<DiffDto>,
    /// Deductions.
    pub penalties: Vec<PenaltyDto>,
    /// Unit origin.
    pub origin: Option<String>,
    /// Unit last change.
    pub modified: DateTime<Utc>,
    /// Unit context.
    pub context: Option<String>,
}

fn diff_dto(d: DiffOp) -> DiffDto {
    DiffDto {
        op: d.op.to_string(),
        query: d.query,
        source: d.source,
    }
}

fn penalty_dto(p: Penalty) -> PenaltyDto {
    PenaltyDto {
        reason: p.reason.to_string(),
        points: p.points,
    }
}

impl From<FuzzyMatch> for MatchDto {
    fn from(m: FuzzyMatch) -> Self {
        MatchDto {
            id: m.id,
            score: m.score,
            source: m.source,
            target: m.target,
            source_lang: m.source_lang,
            target_lang: m.target_lang,
            diff: m.diff.into_iter().map(diff_dto).collect(),
            penalties: m.penalties.into_iter().map(penalty_dto).collect(),
            origin: m.origin,
            modified: m.modified,
            context: m.context,
        }
    }
}

/// Matches of one segment.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// Best first (score, then newer, then lower id).
    pub matches: Vec<MatchDto>,
}

/// Matches of each segment of a batch, in request order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchSearchResponse {
    /// One entry per segment.
    pub results: Vec<SearchResponse>,
}

/// Concordance query string.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConcordanceParams {
    /// Phrase to find (normalized; Arabic clitics accepted: `الذكاء الاصطناعي`
    /// also finds `للذكاء الاصطناعي`).
    pub q: String,
    /// Search only the side in this language.
    #[serde(default)]
    pub lang: Option<String>,
    /// Most results, 1–100 (default 20).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// Where the phrase occurs.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"side": "source", "start": 9, "end": 25}))]
pub struct SpanDto {
    /// `source` or `target`.
    pub side: String,
    /// First code point (of the stored text).
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
}

/// One concordance hit.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "source": "مقدمة للذكاء الاصطناعي", "target": "Introduction to AI",
    "source_lang": "ar", "target_lang": "en", "spans": [{"side": "source", "start": 6, "end": 22}]}))]
pub struct ConcordanceDto {
    /// Unit id.
    pub id: u64,
    /// Source text.
    pub source: String,
    /// Target text.
    pub target: String,
    /// Source language.
    pub source_lang: String,
    /// Target language.
    pub target_lang: String,
    /// Occurrences.
    pub spans: Vec<SpanDto>,
}

impl From<ConcordanceHit> for ConcordanceDto {
    fn from(h: ConcordanceHit) -> Self {
        ConcordanceDto {
            id: h.unit.id,
            source: h.unit.source,
            target: h.unit.target,
            source_lang: h.unit.source_lang,
            target_lang: h.unit.target_lang,
            spans: h
                .spans
                .into_iter()
                .map(|s| SpanDto {
                    side: if s.source_side { "source" } else { "target" }.into(),
                    start: s.start,
                    end: s.end,
                })
                .collect(),
        }
    }
}

/// Concordance answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcordanceResponse {
    /// Hits in unit order.
    pub results: Vec<ConcordanceDto>,
}

/// Import query string.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `tmx`, `tsv` or `csv`; sniffed from the content when absent.
    #[serde(default)]
    pub format: Option<String>,
    /// Validate and count without storing anything.
    #[serde(default)]
    pub dry_run: Option<bool>,
}

/// Export query string.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `tmx` (default) or `tsv`.
    #[serde(default)]
    pub format: Option<String>,
}

/// A skipped row of an import.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"line": 12, "column": 5, "code": "bad_row", "message": "missing target"}))]
pub struct UnitImportErrorDto {
    /// 1-based line.
    pub line: Option<u64>,
    /// 1-based column.
    pub column: Option<u64>,
    /// Stable code.
    pub code: String,
    /// Explanation.
    pub message: String,
}

/// Import report.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"units_added": 198000, "units_updated": 2, "units_unchanged": 80, "units_skipped": 2,
    "errors": [{"line": 12, "column": 3, "code": "missing_language", "message": "unit has no <tuv> with a <seg> in language 'ar' (tuid 17)"}],
    "errors_total": 1, "warnings": [{"line": 40, "column": 3, "code": "blank_segment",
    "message": "the source segment is only whitespace (tuid 31); unit skipped"}], "warnings_total": 1}))]
pub struct UnitImportReportDto {
    /// Units created (or that would be, in a dry run).
    pub units_added: u64,
    /// Units with the same source, target and context as a stored one that
    /// brought new props or notes (merged in) or a later `changedate`.
    pub units_updated: u64,
    /// Units identical to a stored one: nothing written, `modified`
    /// untouched (a second import of the same file reports every unit here).
    pub units_unchanged: u64,
    /// Units skipped (errors and warnings).
    pub units_skipped: u64,
    /// First 1,000 row errors.
    pub errors: Vec<UnitImportErrorDto>,
    /// All row errors.
    pub errors_total: u64,
    /// First 1,000 units skipped by policy: a segment that is only
    /// whitespace (`blank_segment`) holds no translation.
    pub warnings: Vec<UnitImportErrorDto>,
    /// All warnings.
    pub warnings_total: u64,
}

impl From<crate::formats::FormatError> for UnitImportErrorDto {
    fn from(e: crate::formats::FormatError) -> Self {
        UnitImportErrorDto {
            line: e.line,
            column: e.column,
            code: e.code.to_string(),
            message: e.message,
        }
    }
}

impl From<ImportReport> for UnitImportReportDto {
    fn from(r: ImportReport) -> Self {
        UnitImportReportDto {
            units_added: r.units_added,
            units_updated: r.units_updated,
            units_unchanged: r.units_unchanged,
            units_skipped: r.units_skipped,
            errors: r.errors.into_iter().map(Into::into).collect(),
            errors_total: r.errors_total,
            warnings: r.warnings.into_iter().map(Into::into).collect(),
            warnings_total: r.warnings_total,
        }
    }
}
