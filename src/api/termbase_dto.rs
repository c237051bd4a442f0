//! Wire types of the term-base routes. Domain types never derive `ToSchema`;
//! these DTOs convert from/to them, so internal changes don't churn the
//! published API.

use crate::termbase::{
    model::{Concept, ConceptDraft, Term, TermStatus},
    Hit, ImportIssue, ImportReport, LookupResult, TermBaseInfo, Translation,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Normative status of a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum TermStatusDto {
    /// The term to use.
    Preferred,
    /// Acceptable synonym.
    #[default]
    Admitted,
    /// Should no longer be used.
    Deprecated,
    /// Must not be used.
    Forbidden,
}

impl From<TermStatus> for TermStatusDto {
    fn from(s: TermStatus) -> Self {
        match s {
            TermStatus::Preferred => TermStatusDto::Preferred,
            TermStatus::Admitted => TermStatusDto::Admitted,
            TermStatus::Deprecated => TermStatusDto::Deprecated,
            TermStatus::Forbidden => TermStatusDto::Forbidden,
        }
    }
}

impl From<TermStatusDto> for TermStatus {
    fn from(s: TermStatusDto) -> Self {
        match s {
            TermStatusDto::Preferred => TermStatus::Preferred,
            TermStatusDto::Admitted => TermStatus::Admitted,
            TermStatusDto::Deprecated => TermStatus::Deprecated,
            TermStatusDto::Forbidden => TermStatus::Forbidden,
        }
    }
}

/// Body of `PUT /v1/termbases/{tb}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "مصطلحات الذكاء الاصطناعي والحوسبة (AI and computing terms)"}))]
pub struct TermbaseCreate {
    /// Free description.
    #[serde(default)]
    pub description: Option<String>,
}

/// A term base as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"name": "tech", "description": "AI and computing terms", "entries": 797,
    "created": "2025-07-26T08:00:00Z", "modified": "2025-07-28T17:30:00Z"}))]
pub struct TermbaseDto {
    /// Name (path segment).
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Number of entries.
    pub entries: usize,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last modification.
    pub modified: DateTime<Utc>,
}

impl From<TermBaseInfo> for TermbaseDto {
    fn from(i: TermBaseInfo) -> Self {
        TermbaseDto {
            name: i.name,
            description: i.description,
            entries: i.entries,
            created: i.created,
            modified: i.modified,
        }
    }
}

/// `GET /v1/termbases`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"termbases": [{"name": "tech", "description": "AI and computing terms", "entries": 797,
    "created": "2025-07-26T08:00:00Z", "modified": "2025-07-28T17:30:00Z"}]}))]
pub struct TermbaseList {
    /// All term bases, by name.
    pub termbases: Vec<TermbaseDto>,
}

/// A term as sent by a client.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "خادم", "status": "preferred", "pos": "noun", "variants": ["خوادم"]}))]
pub struct TermInput {
    /// The term as written.
    pub text: String,
    /// Status (default `admitted`).
    #[serde(default)]
    pub status: Option<TermStatusDto>,
    /// Part of speech.
    #[serde(default)]
    pub pos: Option<String>,
    /// Usage note.
    #[serde(default)]
    pub note: Option<String>,
    /// Listed inflected forms analysis cannot derive (broken plurals).
    #[serde(default)]
    pub variants: Vec<String>,
}

/// A term as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"text": "خادم", "status": "preferred", "pos": "noun", "variants": ["خوادم"]}))]
pub struct TermDto {
    /// The term as written.
    pub text: String,
    /// Status.
    pub status: TermStatusDto,
    /// Part of speech.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pos: Option<String>,
    /// Usage note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Listed inflected forms.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
}

/// Body of `POST /entries` and `PUT /entries/{id}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "server",
    "domain": "hardware",
    "note": "also \"servant\" in everyday Arabic",
    "context_words": ["بيانات", "سحابة", "data"],
    "terms": {
        "ar": [{"text": "خادم", "status": "preferred", "variants": ["خوادم"]}, {"text": "مزود", "status": "admitted"}],
        "en": [{"text": "server", "status": "preferred"}]
    }
}))]
pub struct EntryInput {
    /// Id (1–128 characters); generated when absent on create, ignored on
    /// `PUT` (the path id wins).
    #[serde(default)]
    pub id: Option<String>,
    /// Subject field.
    #[serde(default)]
    pub domain: Option<String>,
    /// Definition.
    #[serde(default)]
    pub definition: Option<String>,
    /// Note; mention another sense ("also …") to mark single-word terms as
    /// ambiguous for recognition.
    #[serde(default)]
    pub note: Option<String>,
    /// Words whose presence confirms the technical sense (any language).
    #[serde(default)]
    pub context_words: Vec<String>,
    /// Words whose presence points to another sense (خادم not with مطعم,
    /// مسجد): a hit near one loses most of its confidence.
    #[serde(default)]
    pub negative_context_words: Vec<String>,
    /// General vocabulary (شركة "company"): recognized only with
    /// `include_general`.
    #[serde(default)]
    pub general: bool,
    /// Terms per language tag (`ar`, `en`, `ar-SA`, …).
    pub terms: BTreeMap<String, Vec<TermInput>>,
}

impl From<EntryInput> for ConceptDraft {
    fn from(e: EntryInput) -> Self {
        ConceptDraft {
            id: e.id,
            domain: e.domain,
            definition: e.definition,
            note: e.note,
            context_words: e.context_words,
            negative_context_words: e.negative_context_words,
            general: e.general,
            terms: e
                .terms
                .into_iter()
                .map(|(tag, list)| {
                    let terms = list
                        .into_iter()
                        .map(|t| Term {
                            text: t.text,
                            status: t.status.unwrap_or_default().into(),
                            pos: t.pos,
                            note: t.note,
                            variants: t.variants,
                        })
                        .collect();
                    (tag, terms)
                })
                .collect(),
        }
    }
}

/// An entry (concept) as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "server", "domain": "hardware", "note": "also \"servant\" in everyday Arabic",
    "context_words": ["بيانات", "سحابة", "data"],
    "terms": {"ar": [{"text": "خادم", "status": "preferred", "variants": ["خوادم"]}], "en": [{"text": "server", "status": "preferred"}]},
    "created": "2025-07-26T08:00:00Z", "modified": "2025-07-26T08:00:00Z"
}))]
pub struct EntryDto {
    /// Id.
    pub id: String,
    /// Subject field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Definition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// Note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Disambiguation context words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context_words: Vec<String>,
    /// Words pointing to another sense.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub negative_context_words: Vec<String>,
    /// General vocabulary, recognized only on request.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub general: bool,
    /// Terms per language tag.
    pub terms: BTreeMap<String, Vec<TermDto>>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last modification.
    pub modified: DateTime<Utc>,
}

impl From<&Concept> for EntryDto {
    fn from(c: &Concept) -> Self {
        EntryDto {
            id: c.id.clone(),
            domain: c.domain.clone(),
            definition: c.definition.clone(),
            note: c.note.clone(),
            context_words: c.context_words.clone(),
            negative_context_words: c.negative_context_words.clone(),
            general: c.general,
            terms: c
                .terms
                .iter()
                .map(|(tag, list)| {
                    let terms = list
                        .iter()
                        .map(|t| TermDto {
                            text: t.text.clone(),
                            status: t.status.into(),
                            pos: t.pos.clone(),
                            note: t.note.clone(),
                            variants: t.variants.clone(),
                        })
                        .collect();
                    (tag.clone(), terms)
                })
                .collect(),
            created: c.created,
            modified: c.modified,
        }
    }
}

/// One page of entries.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"entries": [{"id": "ai", "terms": {"ar": [{"text": "ذكاء اصطناعي", "status": "preferred"}],
    "en": [{"text": "artificial intelligence", "status": "preferred"}]},
    "created": "2025-07-26T08:00:00Z", "modified": "2025-07-26T08:00:00Z"}], "next_cursor": "ai"}))]
pub struct EntryPage {
    /// Entries in id order.
    pub entries: Vec<EntryDto>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Query of `GET /entries`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The `next_cursor` of the previous page (the last id seen).
    #[param(example = "ai")]
    pub cursor: Option<String>,
    /// Page size, 1–1000 (default 100; outside the range: 422).
    #[param(example = 100, minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// Query of `GET /lookup`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LookupParams {
    /// The text to look up.
    #[param(example = "الذكاء الاصطناعى")]
    pub q: String,
    /// Language of `q` (`ar`, `en`, …); guessed from its script when absent.
    #[param(example = "ar")]
    pub lang: Option<String>,
    /// Language of the translations; the other of ar/en when absent.
    #[param(example = "en")]
    pub target_lang: Option<String>,
    /// `auto` (default) | `exact` | `prefix` | `fuzzy`.
    #[param(example = "auto")]
    pub mode: Option<String>,
    /// Most results, 1–1000 (default 10; outside the range: 422).
    #[param(example = 10, minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// A target-language term.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"text": "server", "lang": "en", "status": "preferred"}))]
pub struct TranslationDto {
    /// The term.
    pub text: String,
    /// Its language tag.
    pub lang: String,
    /// Its status.
    pub status: TermStatusDto,
}

impl From<&Translation> for TranslationDto {
    fn from(t: &Translation) -> Self {
        TranslationDto {
            text: t.text.clone(),
            lang: t.lang.clone(),
            status: t.status.into(),
        }
    }
}

/// One lookup result.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"entry_id": "ai", "term": "ذكاء اصطناعي", "lang": "ar", "score": 100, "match": "normalized",
    "status": "preferred", "translations": [{"text": "artificial intelligence", "lang": "en", "status": "preferred"},
    {"text": "A.I.", "lang": "en", "status": "deprecated"}]}))]
pub struct LookupResultDto {
    /// Entry id.
    pub entry_id: String,
    /// The matching term.
    pub term: String,
    /// Its language tag.
    pub lang: String,
    /// 0–100.
    pub score: u32,
    /// `exact` | `normalized` | `inflected` | `prefix` | `fuzzy`.
    #[serde(rename = "match")]
    pub match_kind: String,
    /// Status of the matching term.
    pub status: TermStatusDto,
    /// Target-language terms: preferred, admitted, deprecated, forbidden.
    pub translations: Vec<TranslationDto>,
}

impl From<&LookupResult> for LookupResultDto {
    fn from(r: &LookupResult) -> Self {
        LookupResultDto {
            entry_id: r.concept_id.clone(),
            term: r.term.clone(),
            lang: r.lang.clone(),
            score: r.score,
            match_kind: r.match_kind.as_str().to_string(),
            status: r.status.into(),
            translations: r.translations.iter().map(Into::into).collect(),
        }
    }
}

/// `GET /lookup` answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"results": [{"entry_id": "ai", "term": "ذكاء اصطناعي", "lang": "ar", "score": 100,
    "match": "normalized", "status": "preferred",
    "translations": [{"text": "artificial intelligence", "lang": "en", "status": "preferred"}]}]}))]
pub struct LookupResponse {
    /// Best first.
    pub results: Vec<LookupResultDto>,
}

/// Body of `POST /recognize`: exactly one of `text` and `segments`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "وبالذكاء الاصطناعي دربت الشركة نموذجها على 2000 وحدة GPU من نوع Nvidia H800",
    "lang": "ar", "target_lang": "en", "include_nested": false, "min_confidence": null}))]
pub struct RecognizeRequest {
    /// One text.
    #[serde(default)]
    pub text: Option<String>,
    /// Several segments (answered per segment, in order).
    #[serde(default)]
    pub segments: Option<Vec<String>>,
    /// Language of the text; guessed from its script when absent.
    #[serde(default)]
    pub lang: Option<String>,
    /// Language of the translations; the other of ar/en when absent.
    #[serde(default)]
    pub target_lang: Option<String>,
    /// Also report shorter terms inside a longer hit.
    #[serde(default)]
    pub include_nested: bool,
    /// Drop hits under this confidence, 0–1 (default 0.5; 0 returns all).
    #[serde(default)]
    pub min_confidence: Option<f32>,
    /// Also report general vocabulary (entries flagged `general`, and
    /// single words such as شركة "company" of the shipped general list).
    #[serde(default)]
    pub include_general: bool,
}

/// One recognized term.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"start": 0, "end": 18, "surface": "وبالذكاء الاصطناعي", "entry_id": "ai",
    "term": "ذكاء اصطناعي", "lang": "ar", "match": "inflected", "confidence": 0.92, "status": "preferred",
    "translations": [{"text": "artificial intelligence", "lang": "en", "status": "preferred"}]}))]
pub struct HitDto {
    /// Code point offset of the first character.
    pub start: usize,
    /// Code point offset one past the last character.
    pub end: usize,
    /// The text as written, `text[start..end]` in code points.
    pub surface: String,
    /// Entry id.
    pub entry_id: String,
    /// The term (citation form) that matched.
    pub term: String,
    /// The listed variant that matched (only with `match: variant`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Language tag of the term.
    pub lang: String,
    /// `exact` | `normalized` | `inflected` | `variant` | `fuzzy`.
    #[serde(rename = "match")]
    pub match_kind: String,
    /// 0–1: how sure the technical sense is.
    pub confidence: f32,
    /// Status of the matched source term (`forbidden`, `deprecated` flag misuse).
    pub status: TermStatusDto,
    /// Target-language terms.
    pub translations: Vec<TranslationDto>,
    /// Inside a longer hit (only with `include_nested`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nested: bool,
    /// Why the hit has its confidence, as stable codes: the match kind,
    /// the starting point (`multi_word`, `tech_name`, `unambiguous_word`,
    /// `ambiguous_word`, `large_glossary_word`, `lowercase_namesake`), then
    /// what moved it (`other_terms`, `tech_token`, `context_word`,
    /// `same_domain`, `everyday_cue`, `gender_shift`, `negative_context`).
    pub evidence: Vec<String>,
}

impl From<&Hit> for HitDto {
    fn from(h: &Hit) -> Self {
        HitDto {
            start: h.char_start,
            end: h.char_end,
            surface: h.surface.clone(),
            entry_id: h.concept_id.to_string(),
            term: h.term.to_string(),
            variant: h.variant.as_deref().map(str::to_string),
            lang: h.lang.to_string(),
            match_kind: h.match_kind.as_str().to_string(),
            confidence: h.confidence,
            status: h.status.into(),
            translations: h.translations.iter().map(Into::into).collect(),
            nested: h.nested,
            evidence: h.evidence.iter().map(|e| e.to_string()).collect(),
        }
    }
}

/// Hits of one segment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SegmentHits {
    /// Hits, by position.
    pub hits: Vec<HitDto>,
}

/// `POST /recognize` answer: `hits` for `text`, `segments` for `segments`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"hits": [{"start": 0, "end": 18, "surface": "وبالذكاء الاصطناعي", "entry_id": "ai",
    "term": "ذكاء اصطناعي", "lang": "ar", "match": "inflected", "confidence": 0.92, "status": "preferred",
    "translations": [{"text": "artificial intelligence", "lang": "en", "status": "preferred"}]}]}))]
pub struct RecognizeResponse {
    /// Hits of `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hits: Option<Vec<HitDto>>,
    /// Hits per segment, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<Vec<SegmentHits>>,
}

/// Query of `POST /import`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `csv` | `tsv` | `tbx`; sniffed from the body when absent.
    #[param(example = "tbx")]
    pub format: Option<String>,
    /// `merge` (default) | `skip` | `replace`.
    #[param(example = "merge")]
    pub on_duplicate: Option<String>,
    /// Compute the report, store nothing.
    #[param(example = false)]
    pub dry_run: Option<bool>,
}

/// Query of `GET /export`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `tbx` (default) | `csv` | `tsv`.
    #[param(example = "tbx")]
    pub format: Option<String>,
}

/// One import problem.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"line": 14, "column": 1, "code": "empty_term", "message": "row 14 has no Arabic or English term"}))]
pub struct ImportIssueDto {
    /// 1-based line.
    pub line: Option<u64>,
    /// 1-based column.
    pub column: Option<u64>,
    /// Stable code.
    pub code: String,
    /// Explanation.
    pub message: String,
}

impl From<&ImportIssue> for ImportIssueDto {
    fn from(i: &ImportIssue) -> Self {
        ImportIssueDto {
            line: i.line,
            column: i.column,
            code: i.code.clone(),
            message: i.message.clone(),
        }
    }
}

/// What an import did (or would do with `dry_run`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"entries_added": 3490, "entries_updated": 12, "entries_unchanged": 8, "rows_skipped": 2,
    "errors": [{"line": 14, "column": 1, "code": "empty_term", "message": "row 14 has no Arabic or English term"}],
    "errors_total": 2, "warnings": []}))]
pub struct EntryImportReportDto {
    /// New entries.
    pub entries_added: u64,
    /// Rows that changed an existing entry.
    pub entries_updated: u64,
    /// Rows matching an existing entry without change (incl. skipped duplicates).
    pub entries_unchanged: u64,
    /// Rows with an error.
    pub rows_skipped: u64,
    /// First 1000 row errors.
    pub errors: Vec<ImportIssueDto>,
    /// All row errors.
    pub errors_total: u64,
    /// Reader warnings.
    pub warnings: Vec<ImportIssueDto>,
}

impl From<&ImportReport> for EntryImportReportDto {
    fn from(r: &ImportReport) -> Self {
        EntryImportReportDto {
            entries_added: r.entries_added,
            entries_updated: r.entries_updated,
            entries_unchanged: r.entries_unchanged,
            rows_skipped: r.rows_skipped,
            errors: r.errors.iter().map(Into::into).collect(),
            errors_total: r.errors_total,
            warnings: r.warnings.iter().map(Into::into).collect(),
        }
    }
}
