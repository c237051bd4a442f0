//! `POST /v1/suggest`: article suggestions (segmentation, memory matches,
//! term alignment, fuzzy-match repair, terminology checks).

use super::upload::blocking;
use super::{ApiError, AppState, Problem};
use crate::suggest::{
    self,
    adapters::{MemorySource, TermBaseRecognizer},
    model::{self as m, SuggestRequest},
};
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// Suggest route's OpenAPI fragment.
#[derive(OpenApi)]
#[openapi(
    paths(suggest_article),
    components(schemas(
        SuggestRequestDto,
        SuggestResponseDto,
        SegmentDto,
        TermHitDto,
        TermTranslationDto,
        SuggestMatchDto,
        SuggestionDto,
        AlignmentDto,
        RepairDto,
        CheckDto
    ))
)]
pub struct SuggestApi;

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(suggest_article);
}

/// Article (or pre-segmented text) to suggest translations for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "text": "وقال أحد المراقبين إن شركة هواوي دربت نموذجها بتكلفة تقارب 6 ملايين دولار.\nوخسرت شركة إنفيديا وحدها 600 مليار دولار في يوم واحد.",
    "source_lang": "ar", "target_lang": "en",
    "memories": ["default"], "termbases": ["tech"], "min_score": 70, "limit": 3
}))]
pub struct SuggestRequestDto {
    /// The whole article; it is segmented into sentences. Give `text` or `segments`, not both.
    pub text: Option<String>,
    /// Pre-segmented text (CAT tools); segmentation is skipped.
    pub segments: Option<Vec<String>>,
    /// Language of the article (default `ar`).
    pub source_lang: Option<String>,
    /// Language of the suggestions (default `en`).
    pub target_lang: Option<String>,
    /// Memories to search (default `["default"]`).
    pub memories: Option<Vec<String>>,
    /// Term bases for recognition (default `["tech"]`).
    pub termbases: Option<Vec<String>>,
    /// Lowest match score a suggestion may come from, 30–100 (default 70).
    #[schema(minimum = 30, maximum = 100)]
    pub min_score: Option<u32>,
    /// Matches listed per segment, 1–50 (default 3).
    pub limit: Option<usize>,
}

/// Suggestions, segment by segment.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponseDto {
    /// One entry per segment, in order.
    pub segments: Vec<SegmentDto>,
}

/// One segment with its terms, matches, suggestion and checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentDto {
    /// 0-based segment index.
    pub index: usize,
    /// First code point of the segment in the article.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The segment text.
    pub text: String,
    /// Recognized terms (code point offsets into the segment text).
    pub terms: Vec<TermHitDto>,
    /// Memory matches from all listed memories, best first (ties: newer first).
    pub matches: Vec<SuggestMatchDto>,
    /// The suggested translation.
    pub suggestion: SuggestionDto,
    /// Terminology and number checks on the suggestion.
    pub checks: Vec<CheckDto>,
}

/// A recognized source term.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermHitDto {
    /// First code point (segment text).
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The words as written, clitics included.
    pub surface: String,
    /// Concept id.
    pub entry_id: String,
    /// The term base's form that matched.
    pub term: String,
    /// `exact`, `normalized`, `inflected`, `variant` or `fuzzy`.
    #[serde(rename = "match")]
    pub match_kind: String,
    /// Confidence 0–1 that the technical sense is meant.
    pub confidence: f32,
    /// Status of the matched source term.
    pub status: String,
    /// Target-language terms of the concept.
    pub translations: Vec<TermTranslationDto>,
    /// Term base the concept belongs to.
    pub termbase: String,
}

/// A target-language term of a concept.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermTranslationDto {
    /// The term.
    pub text: String,
    /// Its language tag.
    pub lang: String,
    /// `preferred`, `admitted`, `deprecated` or `forbidden`.
    pub status: String,
}

/// A memory match.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestMatchDto {
    /// Memory it came from.
    pub memory: String,
    /// Unit id.
    pub id: u64,
    /// Score 0–101.
    pub score: u32,
    /// Stored source.
    pub source: String,
    /// Stored target.
    pub target: String,
    /// Source language.
    pub source_lang: String,
    /// Target language.
    pub target_lang: String,
    /// Token diff between the segment and the stored source.
    #[schema(value_type = Object)]
    pub diff: serde_json::Value,
    /// Score deductions.
    #[schema(value_type = Object)]
    pub penalties: serde_json::Value,
    /// Unit origin.
    pub origin: Option<String>,
    /// Unit modification time (RFC 3339).
    pub modified: String,
}

/// The suggestion for one segment.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionDto {
    /// Suggested translation; empty for `terms_only`.
    pub text: String,
    /// Score of the suggestion (match score, minus repair costs).
    pub score: u32,
    /// `exact`, `fuzzy`, `repaired` or `terms_only`.
    pub kind: String,
    /// `memory:id` of the match it came from.
    pub from_match: Option<String>,
    /// Source term spans aligned to their translations in `text`.
    pub alignment: Vec<AlignmentDto>,
    /// Replacements made in the match's target.
    pub repairs: Vec<RepairDto>,
}

/// A source term aligned to its translation in the suggestion.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlignmentDto {
    /// First code point of the term in the segment.
    pub source_start: usize,
    /// One past its last code point.
    pub source_end: usize,
    /// First code point of the translation in the suggestion.
    pub target_start: usize,
    /// One past its last code point.
    pub target_end: usize,
    /// Concept id.
    pub entry_id: String,
}

/// One repair of the match's target.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepairDto {
    /// `[start, end)` of the segment's term or number (code points).
    pub source_span: [usize; 2],
    /// Text replaced in the match's target.
    pub old_target: String,
    /// Its replacement.
    pub new_target: String,
    /// Concept id (null for numbers).
    pub entry_id: Option<String>,
}

/// A terminology or number check on the suggestion.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckDto {
    /// `missing_term`, `forbidden_term`, `deprecated_term` or `number_mismatch`.
    pub code: String,
    /// Explanation.
    pub message: String,
    /// Concept concerned.
    pub entry_id: Option<String>,
    /// `[start, end)` in the suggestion, where the check points at text.
    pub target_span: Option<[usize; 2]>,
}

impl From<m::SuggestResponse> for SuggestResponseDto {
    fn from(r: m::SuggestResponse) -> Self {
        SuggestResponseDto {
            segments: r.segments.into_iter().map(SegmentDto::from).collect(),
        }
    }
}

impl From<m::SegmentSuggestion> for SegmentDto {
    fn from(s: m::SegmentSuggestion) -> Self {
        SegmentDto {
            index: s.index,
            start: s.start,
            end: s.end,
            text: s.text,
            terms: s.terms.into_iter().map(TermHitDto::from).collect(),
            matches: s
                .matches
                .into_iter()
                .map(|x| SuggestMatchDto {
                    memory: x.memory,
                    id: x.id,
                    score: x.score,
                    source: x.source,
                    target: x.target,
                    source_lang: x.source_lang,
                    target_lang: x.target_lang,
                    diff: x.diff,
                    penalties: x.penalties,
                    origin: x.origin,
                    modified: x.modified.to_rfc3339(),
                })
                .collect(),
            suggestion: SuggestionDto {
                text: s.suggestion.text,
                score: s.suggestion.score,
                kind: s.suggestion.kind.as_str().to_string(),
                from_match: s.suggestion.from_match,
                alignment: s
                    .suggestion
                    .alignment
                    .into_iter()
                    .map(|a| AlignmentDto {
                        source_start: a.source_start,
                        source_end: a.source_end,
                        target_start: a.target_start,
                        target_end: a.target_end,
                        entry_id: a.entry_id,
                    })
                    .collect(),
                repairs: s
                    .suggestion
                    .repairs
                    .into_iter()
                    .map(|r| RepairDto {
                        source_span: r.source_span,
                        old_target: r.old_target,
                        new_target: r.new_target,
                        entry_id: r.entry_id,
                    })
                    .collect(),
            },
            checks: s
                .checks
                .into_iter()
                .map(|c| CheckDto {
                    code: c.code.as_str().to_string(),
                    message: c.message,
                    entry_id: c.entry_id,
                    target_span: c.target_span,
                })
                .collect(),
        }
    }
}

impl From<m::TermHit> for TermHitDto {
    fn from(h: m::TermHit) -> Self {
        TermHitDto {
            start: h.start,
            end: h.end,
            surface: h.surface,
            entry_id: h.entry_id,
            term: h.term,
            match_kind: h.match_kind,
            confidence: h.confidence,
            status: h.status,
            translations: h
                .translations
                .into_iter()
                .map(|t| TermTranslationDto {
                    text: t.text,
                    lang: t.lang,
                    status: t.status,
                })
                .collect(),
            termbase: h.termbase,
        }
    }
}

impl From<suggest::Error> for ApiError {
    fn from(e: suggest::Error) -> ApiError {
        match e {
            suggest::Error::Invalid { field, message } => {
                ApiError::invalid_field(field, format!("{field}: {message}"))
            }
            suggest::Error::NotFound { kind, name } => ApiError::not_found(
                if kind == "memory" {
                    "memory_not_found"
                } else {
                    "termbase_not_found"
                },
                format!("{kind} '{name}' does not exist"),
            ),
            other => ApiError::internal(other),
        }
    }
}

/// Builds the engine request from the wire request, with the defaults.
pub fn to_request(dto: SuggestRequestDto) -> SuggestRequest {
    let d = SuggestRequest::default();
    SuggestRequest {
        infer_direction: dto.source_lang.is_none() && dto.target_lang.is_none(),
        text: dto.text,
        segments: dto.segments,
        source_lang: dto.source_lang.unwrap_or(d.source_lang),
        target_lang: dto.target_lang.unwrap_or(d.target_lang),
        memories: dto.memories.unwrap_or_else(|| vec!["default".into()]),
        termbases: dto.termbases.unwrap_or_else(|| vec!["tech".into()]),
        min_score: dto.min_score.unwrap_or(d.min_score),
        limit: dto.limit.unwrap_or(d.limit),
    }
}

/// Suggest translations for an article, segment by segment.
///
/// Segments the article (unless `segments` is given), searches every listed
/// memory, recognizes terms, aligns each term with its translation in the
/// best match, repairs the match when a known term or a number differs, and
/// checks the suggestion's terminology. All offsets are Unicode code points.
/// Limits: `min_score` 30–100, `limit` 1–50, at most 20,000 segments
/// (422 `invalid_field` otherwise).
#[utoipa::path(
    tag = "suggest",
    request_body(content = SuggestRequestDto, description = "Article or segments"),
    responses(
        (status = 200, description = "Suggestions per segment", body = SuggestResponseDto),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A listed memory or term base does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field (both/neither of text and segments, limit, min_score)", body = Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
#[post("/v1/suggest")]
pub async fn suggest_article(
    state: web::Data<AppState>,
    body: web::Json<SuggestRequestDto>,
) -> Result<HttpResponse, ApiError> {
    let req = to_request(body.into_inner());
    for (field, tag) in [
        ("source_lang", &req.source_lang),
        ("target_lang", &req.target_lang),
    ] {
        let ok = (2..=35).contains(&tag.len())
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            return Err(ApiError::invalid_field(
                field,
                format!("{field} must be a language tag such as `ar`, `en` or `ar-SA`"),
            ));
        }
    }
    let state = state.into_inner();
    let resp = blocking(move || {
        let terms = TermBaseRecognizer {
            termbases: &state.termbases,
        };
        let memory = MemorySource {
            memories: &state.memories,
        };
        suggest::suggest(&req, &terms, &memory).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SuggestResponseDto::from(resp)))
}
