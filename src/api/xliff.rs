//! `POST /v1/xliff/pretranslate`: an XLIFF file back, pre-translated.

use super::upload::{blocking, spool_body};
use super::{ApiError, AppState, Problem};
use crate::pretranslate::{self, Options, Report};
use crate::suggest::adapters::{MemorySource, TermBaseRecognizer};
use actix_web::{http::header, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, OpenApi, ToSchema};

/// XLIFF route's OpenAPI fragment.
#[derive(OpenApi)]
#[openapi(paths(pretranslate_xliff), components(schemas(PretranslateReportDto)))]
pub struct XliffApi;

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(pretranslate_xliff);
}

/// Options of a pre-translation (query string).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PretranslateParams {
    /// Memories to search, comma-separated (default `default`).
    pub memories: Option<String>,
    /// Term bases whose terms are noted, comma-separated (default none).
    pub termbases: Option<String>,
    /// Lowest score offered as a match, 30–100 (default 70).
    pub min_score: Option<u32>,
    /// Score from which the target is filled, 30–101 (default 100).
    pub fill_threshold: Option<u32>,
    /// Matches offered per segment, 1–50 (default 3).
    pub max_matches: Option<usize>,
    /// Answer the report as JSON instead of the file.
    pub dry_run: Option<bool>,
    /// Source language (default: the file's `source-language`/`srcLang`).
    pub source_lang: Option<String>,
    /// Target language (default: the file's).
    pub target_lang: Option<String>,
}

/// What a pre-translation did (also sent as `x-mustalah-*` headers with the file).
#[derive(Debug, Serialize, ToSchema)]
pub struct PretranslateReportDto {
    /// `xliff12`, `sdlxliff`, `mqxliff` or `xliff2`.
    pub flavour: String,
    /// Source language used.
    pub source_lang: String,
    /// Target language used.
    pub target_lang: String,
    /// Translation units read.
    pub units: usize,
    /// Segments read (unsegmented units split into sentences).
    pub segments: usize,
    /// Segments whose target was filled.
    pub filled: usize,
    /// Of those, from a match of 100 or more.
    pub filled_exact: usize,
    /// Segments offered matches but not filled.
    pub fuzzy_offered: usize,
    /// Segments left alone, by reason (`translate_no`, `locked`, `approved`, `has_target`).
    pub skipped: BTreeMap<String, usize>,
    /// Segments with term-base hits noted.
    pub with_terms: usize,
    /// Segments whose best match lost points for inline codes (`tags_differ`).
    pub tags_differ: usize,
    /// Segments that could not be written and were left as they were.
    pub errors: usize,
}

impl From<Report> for PretranslateReportDto {
    fn from(r: Report) -> Self {
        PretranslateReportDto {
            flavour: r.flavour,
            source_lang: r.source_lang,
            target_lang: r.target_lang,
            units: r.units,
            segments: r.segments,
            filled: r.filled,
            filled_exact: r.filled_exact,
            fuzzy_offered: r.fuzzy_offered,
            skipped: r.skipped,
            with_terms: r.with_terms,
            tags_differ: r.tags_differ,
            errors: r.errors,
        }
    }
}

impl From<pretranslate::Error> for ApiError {
    fn from(e: pretranslate::Error) -> ApiError {
        match e {
            pretranslate::Error::Format(f) => ApiError::from(f),
            pretranslate::Error::Source(s) => ApiError::from(s),
        }
    }
}

/// A comma-separated list (blank items dropped).
pub fn list(s: Option<&str>) -> Option<Vec<String>> {
    s.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    })
}

/// Refuses a body larger than the document the engines hold in memory
/// (413 `payload_too_large`), before it is read.
pub fn check_in_memory_size(len: u64) -> Result<(), ApiError> {
    let max = crate::formats::xliff::MAX_XLIFF_BYTES as u64;
    if len > max {
        return Err(ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("an XLIFF or analysis body is held in memory: at most {max} bytes"),
        ));
    }
    Ok(())
}

/// Checks the names of memories and term bases in a request.
pub fn check_names(field: &str, names: &[String]) -> Result<(), ApiError> {
    names
        .iter()
        .try_for_each(|n| super::validate_name(field, n))
}

/// Pre-translate an XLIFF file (1.2, SDLXLIFF, MQXLIFF, 2.0/2.1).
///
/// Send the file as the raw body (gzip, UTF-8 with or without BOM, UTF-16
/// with BOM). The answer is the same file, encoded the same way, with
/// memory matches as `<alt-trans>` (XLIFF 2: `<mtc:matches>`), targets filled
/// at or above `fill_threshold` with `state`/`state-qualifier` and the vendor
/// status in step (`sdl:seg`, `mq:status`), and term-base hits as `<note
/// from="mustalah">` (XLIFF 2: `<gls:glossary>`). Every byte outside the
/// segments is the input's; a file without matches comes back identical.
/// The report is in the `x-mustalah-segments`, `x-mustalah-filled`,
/// `x-mustalah-fuzzy`, `x-mustalah-skipped` and `x-mustalah-errors`
/// headers; with `dry_run=true` it is the JSON body instead.
#[utoipa::path(
    tag = "xliff",
    params(PretranslateParams),
    request_body(content = String, description = "The XLIFF file (optionally gzip)", content_type = "application/xliff+xml"),
    responses(
        (status = 200, description = "The pre-translated file (or, with `dry_run`, the report)", content_type = "application/xliff+xml", body = String,
            headers(
                ("x-mustalah-segments" = usize, description = "Segments read"),
                ("x-mustalah-filled" = usize, description = "Targets filled"),
                ("x-mustalah-fuzzy" = usize, description = "Segments offered matches, not filled"),
                ("x-mustalah-skipped" = usize, description = "Segments left alone"),
                ("x-mustalah-errors" = usize, description = "Segments that could not be written")
            )),
        (status = 400, description = "Not readable: `malformed_xml` (with line and column), `dtd_not_allowed`, `xml_too_deep`, `invalid_encoding`, `unknown_entity`, `not_xliff`, `empty_body`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A listed memory or term base does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_field`: min_score, fill_threshold, max_matches, a name", body = Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
#[post("/v1/xliff/pretranslate")]
pub async fn pretranslate_xliff(
    state: web::Data<AppState>,
    query: web::Query<PretranslateParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let p = query.into_inner();
    let d = Options::default();
    let opts = Options {
        memories: list(p.memories.as_deref()).unwrap_or(d.memories),
        termbases: list(p.termbases.as_deref()).unwrap_or(d.termbases),
        min_score: p.min_score.unwrap_or(d.min_score),
        fill_threshold: p.fill_threshold.unwrap_or(d.fill_threshold),
        max_matches: p.max_matches.unwrap_or(d.max_matches),
        source_lang: p.source_lang,
        target_lang: p.target_lang,
    };
    check_names("memories", &opts.memories)?;
    check_names("termbases", &opts.termbases)?;
    let spooled = spool_body(&state, payload).await?;
    super::xliff::check_in_memory_size(spooled.len)?;
    let state = state.into_inner();
    let out = blocking(move || {
        let bytes = std::fs::read(spooled.path()).map_err(ApiError::internal)?;
        drop(spooled);
        let terms = TermBaseRecognizer {
            termbases: &state.termbases,
        };
        let memory = MemorySource {
            memories: &state.memories,
        };
        pretranslate::pretranslate(&bytes, &opts, &terms, &memory).map_err(ApiError::from)
    })
    .await?;
    let r = &out.report;
    if p.dry_run.unwrap_or(false) {
        return Ok(HttpResponse::Ok().json(PretranslateReportDto::from(out.report)));
    }
    let mut resp = HttpResponse::Ok();
    resp.content_type("application/xliff+xml")
        .insert_header(("x-mustalah-segments", r.segments.to_string()))
        .insert_header(("x-mustalah-filled", r.filled.to_string()))
        .insert_header(("x-mustalah-fuzzy", r.fuzzy_offered.to_string()))
        .insert_header(("x-mustalah-skipped", r.skipped_total().to_string()))
        .insert_header(("x-mustalah-errors", r.errors.to_string()))
        .insert_header((header::CONTENT_DISPOSITION, "inline"));
    Ok(resp.body(out.bytes))
}
