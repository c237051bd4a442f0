//! `POST /v1/analysis`: the match analysis of one or more files.

use super::upload::{blocking, spool_body};
use super::xliff::{check_names, list};
use super::{ApiError, AppState, Problem};
use crate::analysis::{self, model::parse_weights, report, AnalysisOptions, FileInput};
use crate::suggest::adapters::MemorySource;
use actix_web::{http::header, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

/// Analysis route's OpenAPI fragment.
#[derive(OpenApi)]
#[openapi(paths(analyze_files))]
pub struct AnalysisApi;

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(analyze_files);
}

/// Options of an analysis (query string).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalysisParams {
    /// Memories to search, comma-separated (default `default`).
    pub memories: Option<String>,
    /// Lowest fuzzy score counted, 30–100 (default 50; below it a segment is `new`).
    pub min_score: Option<u32>,
    /// Earlier segments of the job act as a memory (`internal_fuzzy_*` bands).
    pub internal_fuzzy: Option<bool>,
    /// `json` (default), `csv` or `xml` (Trados analysis report names).
    pub format: Option<String>,
    /// Payable rates in percent per band, e.g. `new:100,fuzzy_50_74:100,fuzzy_75_84:60,exact:30,repetitions:30`; bands not listed pay 100.
    pub weights: Option<String>,
    /// Name of the file sent as a raw body (default `file`).
    pub name: Option<String>,
    /// Source language (default: the first XLIFF's, else `ar`).
    pub source_lang: Option<String>,
    /// Target language (default: the first XLIFF's, else `en`).
    pub target_lang: Option<String>,
}

/// The files of a `multipart/form-data` body: each part with a body (the
/// part's `filename`, else its `name`, names the file).
fn multipart_files(body: &[u8], content_type: &str) -> Result<Vec<FileInput>, ApiError> {
    let boundary = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"').to_string())
        .ok_or_else(|| {
            ApiError::bad_request("malformed_multipart", "multipart body without a boundary")
        })?;
    let delim = format!("--{boundary}");
    let finder = memchr::memmem::Finder::new(delim.as_bytes());
    let starts: Vec<usize> = finder.find_iter(body).collect();
    let mut out = Vec::new();
    for w in starts.windows(2) {
        let part = &body[w[0] + delim.len()..w[1]];
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let Some(split) = memchr::memmem::find(part, b"\r\n\r\n") else {
            return Err(ApiError::bad_request(
                "malformed_multipart",
                "a multipart part has no header end",
            ));
        };
        let headers = String::from_utf8_lossy(&part[..split]);
        let disposition = headers
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .unwrap_or("");
        let param = |key: &str| {
            disposition
                .split(';')
                .filter_map(|p| p.trim().strip_prefix(key))
                .next()
                .map(|v| v.trim_matches('"').to_string())
        };
        let name = param("filename=")
            .or_else(|| param("name="))
            .unwrap_or_else(|| format!("file{}", out.len() + 1));
        out.push(FileInput {
            name,
            bytes: part[split + 4..].to_vec(),
        });
    }
    if out.is_empty() {
        return Err(ApiError::bad_request(
            "malformed_multipart",
            "the multipart body holds no file",
        ));
    }
    Ok(out)
}

/// Match analysis of one or more files (XLIFF or plain text).
///
/// Send one file as the raw body, or several as `multipart/form-data`
/// (each part a file; its `filename` names it). Per file and for the job:
/// segments, words, characters, placeables and tags in the bands `context`
/// (101), `exact` (100), `repetitions` and `cross_file_repetitions`
/// (counted as Trados does: only segments that would otherwise be fuzzy or
/// new), `fuzzy_95_99`, `fuzzy_85_94`, `fuzzy_75_84`, `fuzzy_50_74`,
/// `internal_fuzzy_*` (with `internal_fuzzy=true`) and `new`. Words are
/// counted as CAT tools bill them: an Arabic word with its clitics
/// (`وبالملفات`) is one word. `format=csv` gives one row per file and band,
/// `format=xml` the element names of Trados' analysis report.
#[utoipa::path(
    tag = "xliff",
    params(AnalysisParams),
    request_body(content = String, description = "One file (raw), or several as multipart/form-data", content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "The analysis (JSON, CSV or XML)", content_type = "application/json", body = Object),
        (status = 400, description = "A file is not readable (`malformed_xml` with the file name, line and column; `malformed_multipart`; `empty_body`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A listed memory does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_field`: min_score, format, weights, a name", body = Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
#[post("/v1/analysis")]
pub async fn analyze_files(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<AnalysisParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let p = query.into_inner();
    let format = p.format.as_deref().unwrap_or("json").to_ascii_lowercase();
    if !matches!(format.as_str(), "json" | "csv" | "xml") {
        return Err(ApiError::invalid_field(
            "format",
            "format must be json, csv or xml",
        ));
    }
    let d = AnalysisOptions::default();
    let opts = AnalysisOptions {
        memories: list(p.memories.as_deref()).unwrap_or(d.memories),
        source_lang: p.source_lang,
        target_lang: p.target_lang,
        min_score: p.min_score.unwrap_or(d.min_score),
        internal_fuzzy: p.internal_fuzzy.unwrap_or(false),
        weights: p
            .weights
            .as_deref()
            .map(parse_weights)
            .transpose()
            .map_err(|e| ApiError::invalid_field("weights", e))?,
    };
    check_names("memories", &opts.memories)?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let name = p.name.unwrap_or_else(|| "file".into());
    let spooled = spool_body(&state, payload).await?;
    super::xliff::check_in_memory_size(spooled.len)?;
    let state = state.into_inner();
    let result = blocking(move || {
        let bytes = std::fs::read(spooled.path()).map_err(ApiError::internal)?;
        drop(spooled);
        let files = if content_type
            .to_ascii_lowercase()
            .starts_with("multipart/form-data")
        {
            multipart_files(&bytes, &content_type)?
        } else {
            vec![FileInput { name, bytes }]
        };
        let memory = MemorySource {
            memories: &state.memories,
        };
        analysis::analyze(&files, &opts, &memory).map_err(ApiError::from)
    })
    .await?;
    Ok(match format.as_str() {
        "csv" => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(report::to_csv(&result)),
        "xml" => HttpResponse::Ok()
            .content_type("application/xml; charset=utf-8")
            .body(report::to_xml(&result)),
        _ => HttpResponse::Ok().json(&result),
    })
}
