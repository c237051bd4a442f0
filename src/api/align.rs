//! `POST /v1/align` (a document pair → sentence links) and
//! `POST /v1/memories/{tm}/align` (the same, stored as units).

use super::upload::blocking;
use super::{validate_name, ApiError, AppState, Problem};
use crate::bitext::{self, AlignRequest, Alignment};
use crate::suggest::adapters::TermBaseRecognizer;
use actix_web::{http::StatusCode, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// Alignment routes' OpenAPI fragment.
#[derive(OpenApi)]
#[openapi(
    paths(align_texts, align_into_memory),
    components(schemas(
        AlignBody,
        MemoryAlignBody,
        AlignResponseDto,
        MemoryAlignResponseDto,
        LinkDto,
        AnchorDto,
        AlignStatsDto
    ))
)]
pub struct AlignApi;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(align_texts).service(align_into_memory);
}

/// A document and its translation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "source_text": "أطلقت ديب سيك نموذج R1 في يناير. وخسرت إنفيديا 600 مليار دولار في يوم واحد.",
    "target_text": "DeepSeek released R1 in January. Nvidia lost $600 billion in a single day.",
    "source_lang": "ar", "target_lang": "en", "termbases": ["tech"], "min_quality": 0
}))]
pub struct AlignBody {
    /// The source document: plain text, paragraphs separated by blank lines.
    pub source_text: String,
    /// Its translation.
    pub target_text: String,
    /// Language of `source_text` (default `ar`).
    pub source_lang: Option<String>,
    /// Language of `target_text` (default `en`).
    pub target_lang: Option<String>,
    /// Term bases whose concepts anchor the alignment (default `["tech"]`; `[]` for none).
    pub termbases: Option<Vec<String>>,
    /// Leave out links below this quality, 0–1 (default 0: every link).
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub min_quality: Option<f32>,
}

/// A document pair to align into a memory.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "source_text": "أطلقت ديب سيك نموذج R1 في يناير. وخسرت إنفيديا 600 مليار دولار في يوم واحد.",
    "target_text": "DeepSeek released R1 in January. Nvidia lost $600 billion in a single day.",
    "origin": "waic-2025-deepseek", "min_quality": 0.5, "dry_run": false
}))]
pub struct MemoryAlignBody {
    /// The source document.
    pub source_text: String,
    /// Its translation.
    pub target_text: String,
    /// Language of `source_text` (default: the memory's source language;
    /// the memory's target language aligns the other way round).
    pub source_lang: Option<String>,
    /// Language of `target_text` (default: the memory's other language).
    pub target_lang: Option<String>,
    /// Term bases whose concepts anchor the alignment (default `["tech"]`).
    pub termbases: Option<Vec<String>>,
    /// Store only links of at least this quality, 0–1 (default 0).
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub min_quality: Option<f32>,
    /// The document pair's name, stored as each unit's `origin`;
    /// re-aligning the same `origin` replaces its earlier links.
    pub origin: String,
    /// Report what would be stored, store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Evidence both sides of a link share.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnchorDto {
    /// `term`, `number`, `latin`, `url`, `tag` or `punctuation`.
    pub kind: String,
    /// The shared key (digits in ASCII, Latin word lower-cased, `termbase:entry`).
    pub key: String,
    /// Occurs exactly once in each document.
    pub hapax: bool,
}

/// One link.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkDto {
    /// First code point of the source sentences in `source_text` (null for `0-1`).
    pub source_start: Option<usize>,
    /// One past the last code point (null for `0-1`).
    pub source_end: Option<usize>,
    /// First code point of the target sentences in `target_text` (null for `1-0`).
    pub target_start: Option<usize>,
    /// One past the last code point (null for `1-0`).
    pub target_end: Option<usize>,
    /// The source sentences as written.
    pub source: String,
    /// The target sentences as written.
    pub target: String,
    /// `1-1`, `1-2`, `2-1`, `2-2`, `1-0` or `0-1`.
    pub kind: String,
    /// Confidence 0–1 (0 for `1-0`/`0-1`).
    pub quality: f32,
    /// Shared evidence.
    pub anchors: Vec<AnchorDto>,
}

/// Figures about the alignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlignStatsDto {
    /// Sentences in the source text.
    pub source_sentences: usize,
    /// Sentences in the target text.
    pub target_sentences: usize,
    /// Paragraphs in the source text.
    pub source_paragraphs: usize,
    /// Paragraphs in the target text.
    pub target_paragraphs: usize,
    /// Links before the `min_quality` filter.
    pub links: usize,
    /// Links per kind before the filter.
    pub kinds: std::collections::BTreeMap<String, usize>,
    /// Links left out for being below `min_quality`.
    pub below_min_quality: usize,
    /// Anchor keys found in both texts.
    pub anchor_keys: usize,
    /// Mean quality of the non-null links.
    pub mean_quality: f32,
    /// Widest row of the DP band (target sentences considered per source sentence).
    pub band: usize,
}

/// Answer of `POST /v1/align`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlignResponseDto {
    /// Links in document order (they never cross).
    pub pairs: Vec<LinkDto>,
    /// Figures.
    pub stats: AlignStatsDto,
}

/// Answer of `POST /v1/memories/{tm}/align`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemoryAlignResponseDto {
    /// Nothing was stored.
    pub dry_run: bool,
    /// Units created (would be, in a dry run).
    pub added: u64,
    /// Identical units kept and refreshed.
    pub updated: u64,
    /// Identical units kept as they were.
    pub unchanged: u64,
    /// Unconfirmed units of an earlier alignment of this `origin` no longer linked, deleted.
    pub removed: u64,
    /// Unit id per stored link, in order (0 for a new unit in a dry run).
    pub ids: Vec<u64>,
    /// `1-0`/`0-1` links, not stored.
    pub skipped_null: usize,
    /// Links below `min_quality`, not stored.
    pub skipped_quality: usize,
    /// Links with a side over the memory's segment limit, not stored.
    pub skipped_too_long: usize,
    /// The stored links (quality, kind, anchors), in order.
    pub pairs: Vec<LinkDto>,
    /// Figures of the alignment.
    pub stats: AlignStatsDto,
}

impl From<bitext::Link> for LinkDto {
    fn from(l: bitext::Link) -> Self {
        LinkDto {
            source_start: l.source_start,
            source_end: l.source_end,
            target_start: l.target_start,
            target_end: l.target_end,
            source: l.source,
            target: l.target,
            kind: l.kind.as_str().to_string(),
            quality: l.quality,
            anchors: l
                .anchors
                .into_iter()
                .map(|a| AnchorDto {
                    kind: serde_json::to_value(a.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    key: a.key,
                    hapax: a.hapax,
                })
                .collect(),
        }
    }
}

impl From<bitext::AlignStats> for AlignStatsDto {
    fn from(s: bitext::AlignStats) -> Self {
        AlignStatsDto {
            source_sentences: s.source_sentences,
            target_sentences: s.target_sentences,
            source_paragraphs: s.source_paragraphs,
            target_paragraphs: s.target_paragraphs,
            links: s.links,
            kinds: s.kinds,
            below_min_quality: s.below_min_quality,
            anchor_keys: s.anchor_keys,
            mean_quality: s.mean_quality,
            band: s.band,
        }
    }
}

impl From<Alignment> for AlignResponseDto {
    fn from(a: Alignment) -> Self {
        AlignResponseDto {
            pairs: a.pairs.into_iter().map(Into::into).collect(),
            stats: a.stats.into(),
        }
    }
}

impl From<bitext::Error> for ApiError {
    fn from(e: bitext::Error) -> ApiError {
        match e {
            bitext::Error::Invalid { field, message } => {
                ApiError::invalid_field(field, format!("{field}: {message}"))
            }
            bitext::Error::LanguageMismatch { field, message } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "language_mismatch",
                format!("{field} {message}"),
            )
            .with_field(field),
            bitext::Error::TermBaseNotFound(name) => ApiError::not_found(
                "termbase_not_found",
                format!("termbase '{name}' does not exist"),
            ),
            other => ApiError::internal(other),
        }
    }
}

/// Aligns a document with its translation, sentence by sentence.
///
/// Sentences come from the server's segmenter; links are `1-1`, `1-2`,
/// `2-1`, `2-2`, `1-0` or `0-1` and never cross. Evidence: an Arabic–English
/// length model, numbers in any digit system, Latin words, URLs,
/// placeholders, term-base concepts and paragraph breaks. Offsets are Unicode
/// code points into the texts as sent. Each side holds at most 8 MiB of
/// non-binary text in its stated language (422 `invalid_field` or
/// `language_mismatch` otherwise).
#[utoipa::path(
    tag = "align",
    request_body(content = AlignBody, description = "The document pair"),
    responses(
        (status = 200, description = "Links and figures", body = AlignResponseDto),
        (status = 404, description = "A listed term base does not exist (`termbase_not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty side, binary data, oversized text, bad `min_quality` (`invalid_field`), or a text not in its stated language (`language_mismatch`)", body = Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
#[post("/v1/align")]
pub async fn align_texts(
    state: web::Data<AppState>,
    body: web::Json<AlignBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let d = AlignRequest::default();
    let req = AlignRequest {
        source_text: b.source_text,
        target_text: b.target_text,
        source_lang: b.source_lang.unwrap_or(d.source_lang),
        target_lang: b.target_lang.unwrap_or(d.target_lang),
        termbases: b.termbases.unwrap_or_else(|| vec!["tech".into()]),
        min_quality: b.min_quality.unwrap_or(0.0),
    };
    let state = state.into_inner();
    let out = blocking(move || {
        let rec = TermBaseRecognizer {
            termbases: &state.termbases,
        };
        bitext::align(&req, &rec).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AlignResponseDto::from(out)))
}

/// Aligns a document pair and stores its links as units.
///
/// Each non-null link at or above `min_quality` becomes a unit with
/// `origin` = the pair's name and props `x-alignment-quality`,
/// `x-alignment-kind` and `x-alignment-confirmed: false` (exported as TMX
/// `<prop>`s). Until confirmed (`PUT …/units/{id}` with `"confirmed": true`)
/// such a unit carries the `alignment` penalty of 1 point in fuzzy search.
/// Re-aligning the same `origin` keeps identical units, deletes its
/// unconfirmed links that are gone and never touches confirmed ones; all in
/// one atomic write, flushed before the answer.
#[utoipa::path(
    tag = "align",
    params(("tm" = String, Path, description = "Memory name", example = "news")),
    request_body(content = MemoryAlignBody, description = "The document pair and its name"),
    responses(
        (status = 200, description = "What was stored (or would be, with `dry_run`)", body = MemoryAlignResponseDto),
        (status = 404, description = "`memory_not_found` or `termbase_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "As for `/v1/align`, an empty `origin`, or languages that are not the memory's pair", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/memories/{tm}/align")]
pub async fn align_into_memory(
    state: web::Data<AppState>,
    tm: web::Path<String>,
    body: web::Json<MemoryAlignBody>,
) -> Result<HttpResponse, ApiError> {
    validate_name("tm", &tm)?;
    let b = body.into_inner();
    let origin = b.origin.trim().to_string();
    if origin.is_empty() || origin.len() > 1024 {
        return Err(ApiError::invalid_field(
            "origin",
            "origin: must name the document pair (1-1024 bytes)",
        ));
    }
    let meta = state.memories.get_meta(&tm)?.meta;
    let source_lang = b.source_lang.unwrap_or_else(|| meta.source_lang.clone());
    let target_lang = b.target_lang.unwrap_or_else(|| {
        if crate::memory::lang_base(&source_lang) == crate::memory::lang_base(&meta.target_lang) {
            meta.source_lang.clone()
        } else {
            meta.target_lang.clone()
        }
    });
    let swap = bitext::units::orientation(&meta, &source_lang, &target_lang)?;
    let min_quality = b.min_quality.unwrap_or(0.0);
    let req = AlignRequest {
        source_text: b.source_text,
        target_text: b.target_text,
        source_lang,
        target_lang,
        termbases: b.termbases.unwrap_or_else(|| vec!["tech".into()]),
        min_quality: 0.0,
    };
    if !(0.0..=1.0).contains(&min_quality) {
        return Err(ApiError::invalid_field(
            "min_quality",
            "min_quality: must be between 0 and 1",
        ));
    }
    let dry_run = b.dry_run;
    let st = state.clone().into_inner();
    let name = tm.into_inner();
    let out = blocking(move || {
        let rec = TermBaseRecognizer {
            termbases: &st.termbases,
        };
        let alignment = bitext::align(&req, &rec).map_err(ApiError::from)?;
        let drafts = bitext::units::drafts(&alignment, swap, min_quality);
        let written = st
            .memories
            .replace_aligned(&name, &origin, drafts.drafts.clone(), dry_run)
            .map_err(ApiError::from)?;
        let Alignment { pairs, stats } = alignment;
        let stored: Vec<LinkDto> = drafts
            .links
            .iter()
            .filter_map(|&k| pairs.get(k).cloned().map(LinkDto::from))
            .collect();
        Ok(MemoryAlignResponseDto {
            dry_run,
            added: written.added,
            updated: written.updated,
            unchanged: written.unchanged,
            removed: written.removed,
            ids: written.ids,
            skipped_null: drafts.skipped_null,
            skipped_quality: drafts.skipped_quality,
            skipped_too_long: drafts.skipped_too_long,
            pairs: stored,
            stats: stats.into(),
        })
    })
    .await?;
    if !dry_run {
        state.store.flush().await?;
    }
    Ok(HttpResponse::Ok().json(out))
}
