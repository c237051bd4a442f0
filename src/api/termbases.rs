//! Term-base routes: term bases, entries, lookup, recognition, import and
//! export. Handlers extract, call [`crate::termbase::TermBases`], map to
//! DTOs; every write flushes the store before answering.
//!
//! Import into a term base that does not exist answers 404
//! `termbase_not_found` (create it with `PUT /v1/termbases/{tb}` first): an
//! implicit create would turn a typo in the name into a new term base.

use super::download;
use super::termbase_dto::*;
use super::upload::{blocking, check_import_type, spool_body, TERMBASE_IMPORT_TYPES};
use super::{bounded, validate_name, ApiError, AppState, Problem};
use crate::formats::Format;
use crate::termbase::{
    self, model::ConceptDraft, ImportOptions, LookupMode, LookupQuery, OnDuplicate,
    RecognizeOptions, DEFAULT_MIN_CONFIDENCE,
};
use actix_web::{delete, get, http::StatusCode, post, put, web, HttpRequest, HttpResponse};
use bytes::Bytes;
use utoipa::OpenApi;

/// Term-base routes' OpenAPI fragment.
#[derive(OpenApi)]
#[openapi(
    paths(
        list_termbases,
        get_termbase,
        create_termbase,
        delete_termbase,
        create_entry,
        list_entries,
        get_entry,
        put_entry,
        delete_entry,
        lookup_terms,
        recognize_terms,
        import_termbase,
        export_termbase
    ),
    components(schemas(
        TermStatusDto,
        TermbaseCreate,
        TermbaseDto,
        TermbaseList,
        TermInput,
        TermDto,
        EntryInput,
        EntryDto,
        EntryPage,
        TranslationDto,
        LookupResultDto,
        LookupResponse,
        RecognizeRequest,
        HitDto,
        SegmentHits,
        RecognizeResponse,
        ImportIssueDto,
        EntryImportReportDto
    ))
)]
pub struct TermbaseApi;

/// Registers the term-base routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_termbases)
        .service(get_termbase)
        .service(create_termbase)
        .service(delete_termbase)
        .service(create_entry)
        .service(list_entries)
        .service(get_entry)
        .service(put_entry)
        .service(delete_entry)
        .service(lookup_terms)
        .service(recognize_terms)
        .service(import_termbase)
        .service(export_termbase);
}

/// Largest page / result count a client may ask for.
const MAX_LIMIT: i64 = 1000;

/// Maps domain errors to problem JSON (the one place with this mapping).
pub fn termbase_error(e: termbase::Error) -> ApiError {
    use termbase::Error as E;
    match e {
        E::TermBaseNotFound(_) => ApiError::not_found("termbase_not_found", e.to_string()),
        E::EntryNotFound { .. } => ApiError::not_found("entry_not_found", e.to_string()),
        E::EntryExists { .. } => ApiError::conflict("entry_exists", e.to_string()),
        E::Invalid { ref field, .. } => ApiError::invalid_field(field.clone(), e.to_string()),
        E::Format(f) => f.into(),
        E::CollectionDeleted(_) => ApiError::conflict("collection_deleted", e.to_string()),
        E::BeingDeleted(_) => ApiError::conflict("being_deleted", e.to_string()),
        E::ShuttingDown => ApiError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "shutting_down",
            e.to_string(),
        ),
        E::Store(s) => s.into(),
        E::Io { .. } => ApiError::internal(e),
    }
}

fn tb_name(tb: &str) -> Result<(), ApiError> {
    validate_name("tb", tb)
}

/// A `limit` of 1–[`MAX_LIMIT`] (422 outside, as for every limit).
fn checked_limit(limit: Option<i64>, default: i64) -> Result<usize, ApiError> {
    Ok(bounded("limit", limit, default, 1, MAX_LIMIT)? as usize)
}

/// Lists the term bases.
#[utoipa::path(
    tag = "termbases",
    responses((status = 200, description = "All term bases, by name", body = TermbaseList))
)]
#[get("/v1/termbases")]
pub async fn list_termbases(state: web::Data<AppState>) -> HttpResponse {
    let list = TermbaseList {
        termbases: state.termbases.list().into_iter().map(Into::into).collect(),
    };
    HttpResponse::Ok().json(list)
}

/// Shows one term base.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech")),
    responses(
        (status = 200, description = "The term base", body = TermbaseDto),
        (status = 404, description = "No such term base", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "https://mustalah.dev/problems/termbase_not_found", "title": "Not Found", "status": 404,
                "detail": "term base 'tech' does not exist", "code": "termbase_not_found"}))
    )
)]
#[get("/v1/termbases/{tb}")]
pub async fn get_termbase(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    tb_name(&path)?;
    let info = state.termbases.get_meta(&path).map_err(termbase_error)?;
    Ok(HttpResponse::Ok().json(TermbaseDto::from(info)))
}

/// Creates a term base (201), or updates its description (200).
///
/// The body may be empty (no description).
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name: 1-64 of A-Z a-z 0-9 . _ -", example = "tech")),
    request_body(content = Option<TermbaseCreate>, description = "Optional description"),
    responses(
        (status = 201, description = "Created", body = TermbaseDto),
        (status = 200, description = "Existed; description updated", body = TermbaseDto),
        (status = 422, description = "Invalid name or unknown body field", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "https://mustalah.dev/problems/invalid_name", "title": "Unprocessable Entity", "status": 422,
                "detail": "tb \"مصطلحات\" is not a valid name: use 1-64 characters of A-Z a-z 0-9 . _ - not starting with '.'",
                "code": "invalid_name", "field": "tb"}))
    ),
    security(("bearer" = []))
)]
#[put("/v1/termbases/{tb}")]
pub async fn create_termbase(
    http: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    tb_name(&path)?;
    let req: TermbaseCreate = if body.iter().all(u8::is_ascii_whitespace) {
        TermbaseCreate::default()
    } else {
        super::guard::require_content_type(&http, &["application/json"])?;
        serde_json::from_slice(&body).map_err(|e| {
            super::error::json_error(actix_web::error::JsonPayloadError::Deserialize(e))
        })?
    };
    let (info, created) = state
        .termbases
        .create(&path, req.description)
        .map_err(termbase_error)?;
    state.store.flush().await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(TermbaseDto::from(info)))
}

/// Deletes a term base and all its entries.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such term base", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "https://mustalah.dev/problems/termbase_not_found", "title": "Not Found", "status": 404,
                "detail": "term base 'tech' does not exist", "code": "termbase_not_found"}))
    ),
    security(("bearer" = []))
)]
#[delete("/v1/termbases/{tb}")]
pub async fn delete_termbase(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    tb_name(&path)?;
    let tbs = state.termbases.clone();
    let name = path.into_inner();
    blocking(move || tbs.delete(&name).map_err(termbase_error)).await?;
    state.store.flush().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Creates an entry (concept); 409 when the given id exists.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech")),
    request_body = EntryInput,
    responses(
        (status = 201, description = "Created; the entry with its id", body = EntryDto),
        (status = 404, description = "No such term base", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An entry with this id exists", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "https://mustalah.dev/problems/entry_exists", "title": "Conflict", "status": 409,
                "detail": "entry 'server' already exists in term base 'tech'", "code": "entry_exists"})),
        (status = 422, description = "Invalid entry (no term, bad language tag, unknown field)", body = Problem,
            content_type = "application/problem+json",
            example = json!({"type": "https://mustalah.dev/problems/invalid_field", "title": "Unprocessable Entity", "status": 422,
                "detail": "terms.ar[0].text: a term must have 1-1000 characters", "code": "invalid_field", "field": "terms.ar[0].text"}))
    ),
    security(("bearer" = []))
)]
#[post("/v1/termbases/{tb}/entries")]
pub async fn create_entry(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<EntryInput>,
) -> Result<HttpResponse, ApiError> {
    tb_name(&path)?;
    let draft = ConceptDraft::from(body.into_inner());
    let c = state
        .termbases
        .create_concept(&path, draft)
        .map_err(termbase_error)?;
    state.store.flush().await?;
    Ok(HttpResponse::Created().json(EntryDto::from(&c)))
}

/// Lists entries in id order, page by page.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech"), PageParams),
    responses(
        (status = 200, description = "One page; `next_cursor` is null on the last", body = EntryPage),
        (status = 404, description = "No such term base", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/v1/termbases/{tb}/entries")]
pub async fn list_entries(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    tb_name(&path)?;
    let limit = checked_limit(query.limit, 100)?;
    let (page, next) = state
        .termbases
        .list_concepts(&path, query.cursor.as_deref(), limit)
        .map_err(termbase_error)?;
    Ok(HttpResponse::Ok().json(EntryPage {
        entries: page.iter().map(|c| EntryDto::from(&**c)).collect(),
        next_cursor: next,
    }))
}

/// Shows one entry.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech"),
        ("id" = String, Path, description = "Entry id", example = "server")),
    responses(
        (status = 200, description = "The entry", body = EntryDto),
        (status = 404, description = "No such term base or entry", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "https://mustalah.dev/problems/entry_not_found", "title": "Not Found", "status": 404,
                "detail": "entry 'server' does not exist in term base 'tech'", "code": "entry_not_found"}))
    )
)]
#[get("/v1/termbases/{tb}/entries/{id}")]
pub async fn get_entry(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tb, id) = path.into_inner();
    tb_name(&tb)?;
    let c = state
        .termbases
        .get_concept(&tb, &id)
        .map_err(termbase_error)?;
    Ok(HttpResponse::Ok().json(EntryDto::from(&*c)))
}

/// Creates (201) or replaces (200) the entry with this id.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech"),
        ("id" = String, Path, description = "Entry id (1-128 characters)", example = "server")),
    request_body = EntryInput,
    responses(
        (status = 200, description = "Replaced", body = EntryDto),
        (status = 201, description = "Created", body = EntryDto),
        (status = 404, description = "No such term base", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid entry", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[put("/v1/termbases/{tb}/entries/{id}")]
pub async fn put_entry(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<EntryInput>,
) -> Result<HttpResponse, ApiError> {
    let (tb, id) = path.into_inner();
    tb_name(&tb)?;
    let draft = ConceptDraft::from(body.into_inner());
    let (c, created) = state
        .termbases
        .put_concept(&tb, &id, draft)
        .map_err(termbase_error)?;
    state.store.flush().await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(EntryDto::from(&c)))
}

/// Deletes one entry.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech"),
        ("id" = String, Path, description = "Entry id", example = "server")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such term base or entry", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[delete("/v1/termbases/{tb}/entries/{id}")]
pub async fn delete_entry(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tb, id) = path.into_inner();
    tb_name(&tb)?;
    state
        .termbases
        .delete_concept(&tb, &id)
        .map_err(termbase_error)?;
    state.store.flush().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Looks a term up: exact, inflected, prefix or fuzzy.
///
/// `auto` tries exact (100), clitic/inflection-aware (95), prefix (80–90),
/// then fuzzy (60–99) until `limit` entries are found. One result per entry.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech"), LookupParams),
    responses(
        (status = 200, description = "Matches, best first", body = LookupResponse),
        (status = 400, description = "Missing `q` or unknown query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such term base", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad `mode` or `limit`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "https://mustalah.dev/problems/invalid_field", "title": "Unprocessable Entity", "status": 422,
                "detail": "mode must be auto, exact, prefix or fuzzy", "code": "invalid_field", "field": "mode"}))
    )
)]
#[get("/v1/termbases/{tb}/lookup")]
pub async fn lookup_terms(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LookupParams>,
) -> Result<HttpResponse, ApiError> {
    tb_name(&path)?;
    let p = query.into_inner();
    let mode = match p.mode.as_deref() {
        None => LookupMode::Auto,
        Some(m) => LookupMode::parse(m).ok_or_else(|| {
            ApiError::invalid_field("mode", "mode must be auto, exact, prefix or fuzzy")
        })?,
    };
    let q = LookupQuery {
        q: p.q,
        lang: p.lang,
        target_lang: p.target_lang,
        mode,
        limit: checked_limit(p.limit, 10)?,
    };
    let tbs = state.termbases.clone();
    let name = path.into_inner();
    let results = blocking(move || tbs.lookup(&name, &q).map_err(termbase_error)).await?;
    Ok(HttpResponse::Ok().json(LookupResponse {
        results: results.iter().map(Into::into).collect(),
    }))
}

/// Recognizes terms in running text, with offsets and confidence.
///
/// Send `text` (answer `hits`) or `segments` (answer `segments[i].hits`).
/// Offsets are Unicode code points, end exclusive; `surface` is the whole
/// written word(s) with clitics. Hits below `min_confidence` (default 0.5)
/// are dropped; `0` returns everything.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech")),
    request_body = RecognizeRequest,
    responses(
        (status = 200, description = "Hits", body = RecognizeResponse),
        (status = 404, description = "No such term base", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither or both of text/segments, or min_confidence outside 0-1", body = Problem,
            content_type = "application/problem+json",
            example = json!({"type": "https://mustalah.dev/problems/invalid_field", "title": "Unprocessable Entity", "status": 422,
                "detail": "min_confidence must be between 0 and 1", "code": "invalid_field", "field": "min_confidence"}))
    )
)]
#[post("/v1/termbases/{tb}/recognize")]
pub async fn recognize_terms(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<RecognizeRequest>,
) -> Result<HttpResponse, ApiError> {
    tb_name(&path)?;
    let req = body.into_inner();
    let min_confidence = req.min_confidence.unwrap_or(DEFAULT_MIN_CONFIDENCE);
    if !(0.0..=1.0).contains(&min_confidence) {
        return Err(ApiError::invalid_field(
            "min_confidence",
            "min_confidence must be between 0 and 1",
        ));
    }
    let opts = RecognizeOptions {
        lang: req.lang,
        target_lang: req.target_lang,
        include_nested: req.include_nested,
        min_confidence,
        include_general: req.include_general,
    };
    let tbs = state.termbases.clone();
    let name = path.into_inner();
    let resp = match (req.text, req.segments) {
        (Some(text), None) => {
            let hits = blocking(move || tbs.recognize(&name, &text, &opts).map_err(termbase_error))
                .await?;
            RecognizeResponse {
                hits: Some(hits.iter().map(Into::into).collect()),
                segments: None,
            }
        }
        (None, Some(segs)) => {
            let per = blocking(move || {
                tbs.recognize_segments(&name, &segs, &opts)
                    .map_err(termbase_error)
            })
            .await?;
            let segments = per
                .iter()
                .map(|hits| SegmentHits {
                    hits: hits.iter().map(Into::into).collect(),
                })
                .collect();
            RecognizeResponse {
                hits: None,
                segments: Some(segments),
            }
        }
        _ => {
            return Err(ApiError::invalid_field(
                "text",
                "send exactly one of `text` and `segments`",
            ))
        }
    };
    Ok(HttpResponse::Ok().json(resp))
}

/// Imports a CSV, TSV or TBX file (raw body; gzip, BOM and UTF-16 accepted).
///
/// The whole file is validated first: a fatal error (malformed XML, DTD,
/// bad encoding, body not in the declared format) stores nothing. Row errors
/// skip their row and are reported (first 1000) with line/column. The term
/// base must exist (404 otherwise; no implicit create).
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech"), ImportParams),
    request_body(description = "The file as the raw body, with a Content-Type from this list (`text/plain`, forms and multipart are refused)",
        content(
            (String = "text/csv", example = "id,ar,en\nserver,خادم|خوادم{deprecated},server\n"),
            (String = "text/tab-separated-values"),
            (String = "application/x-tbx+xml"),
            (String = "application/tbx+xml"),
            (String = "application/xml"),
            (String = "text/xml"),
            (String = "application/gzip"),
            (String = "application/octet-stream")
        )),
    responses(
        (status = 200, description = "Import report (also for dry runs)", body = EntryImportReportDto),
        (status = 400, description = "Unreadable file: malformed_xml, dtd_not_allowed, invalid_encoding, empty_body", body = Problem,
            content_type = "application/problem+json",
            example = json!({"type": "https://mustalah.dev/problems/malformed_xml", "title": "Bad Request", "status": 400,
                "detail": "line 12, column 5: expected </langSet>", "code": "malformed_xml", "line": 12, "column": 5})),
        (status = 404, description = "No such term base", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`collection_deleted`: deleted while the import ran; nothing imported", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the import limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unknown_format`: format absent and not recognizable; `unsupported_media_type`: Content-Type missing or not listed; `content_type_mismatch`: Content-Type contradicts `format`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_imports`: as many imports run as --max-concurrent-imports allows; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`shutting_down` (the import stopped; rolled back at the next start) or `storage_failed`", body = Problem, content_type = "application/problem+json"),
        (status = 507, description = "`insufficient_storage`: the data dir's disk is full (cause in `detail`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "format_mismatch (the body is not the declared format, or is a translation memory), missing header/language columns, bad parameter", body = Problem,
            content_type = "application/problem+json",
            example = json!({"type": "https://mustalah.dev/problems/format_mismatch", "title": "Unprocessable Entity", "status": 422,
                "detail": "format=tbx was declared but the body is not a TBX document", "code": "format_mismatch"}))
    ),
    security(("bearer" = []))
)]
#[post("/v1/termbases/{tb}/import")]
pub async fn import_termbase(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    tb_name(&path)?;
    let charset = super::charset::declared(&req)?;
    let format = match query.format.as_deref() {
        None => None,
        Some(f) => match Format::parse(f) {
            Some(fmt @ (Format::Csv | Format::Tsv | Format::Tbx)) => Some(fmt),
            _ => {
                return Err(ApiError::invalid_field(
                    "format",
                    "format must be csv, tsv or tbx",
                ))
            }
        },
    };
    let on_duplicate = match query.on_duplicate.as_deref() {
        None => OnDuplicate::Merge,
        Some(d) => OnDuplicate::parse(d).ok_or_else(|| {
            ApiError::invalid_field(
                "on_duplicate",
                "on_duplicate must be merge, skip or replace",
            )
        })?,
    };
    let opts = ImportOptions {
        on_duplicate,
        dry_run: query.dry_run.unwrap_or(false),
    };
    check_import_type(&req, TERMBASE_IMPORT_TYPES, format)?;
    state.termbases.get_meta(&path).map_err(termbase_error)?;
    let spool = spool_body(&state, payload).await?;
    let charset = charset.filter(|_| super::charset::applies_to(spool.path()));
    let tbs = state.termbases.clone();
    let name = path.into_inner();
    let report = blocking(move || {
        let mut open = || -> std::io::Result<Box<dyn std::io::Read + Send>> {
            let raw = spool.open()?;
            Ok(match charset {
                Some(enc) => Box::new(crate::formats::decode::transcoding_reader(raw, enc)),
                None => Box::new(raw),
            })
        };
        tbs.import_source(&name, &mut open, format, opts, &mut |_| {})
            .map_err(termbase_error)
    })
    .await?;
    if !opts.dry_run {
        state.store.flush().await?;
    }
    Ok(HttpResponse::Ok().json(EntryImportReportDto::from(&report)))
}

/// Exports the term base as TBX (default), CSV or TSV, streamed.
///
/// The file re-imports to the same entries (ids, terms, statuses, variants,
/// context words).
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech"), ExportParams),
    responses(
        (status = 200, description = "The file", content(
            (String = "application/x-tbx+xml"),
            (String = "text/csv", example = "id,ar,en\nserver,خادم,server\n"),
            (String = "text/tab-separated-values"))),
        (status = 404, description = "No such term base", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown format", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/v1/termbases/{tb}/export")]
pub async fn export_termbase(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    tb_name(&path)?;
    let (format, content_type) = match query.format.as_deref().unwrap_or("tbx") {
        "tbx" => (Format::Tbx, "application/x-tbx+xml"),
        "csv" => (Format::Csv, "text/csv; charset=utf-8"),
        "tsv" => (Format::Tsv, "text/tab-separated-values; charset=utf-8"),
        _ => {
            return Err(ApiError::invalid_field(
                "format",
                "format must be tbx, csv or tsv",
            ))
        }
    };
    // The entries are fixed before the answer starts: a term base deleted or
    // changed while the body streams cannot cut the file short.
    let tbs = state.termbases.clone();
    let name = path.into_inner();
    let snapshot = {
        let name = name.clone();
        blocking(move || tbs.export_snapshot(&name).map_err(termbase_error)).await?
    };
    let ext = format.as_str();
    Ok(download::streamed(
        content_type,
        &format!("termbase.{ext}"),
        format!("termbase {name}"),
        move |out| snapshot.write(format, out).map_err(|e| e.to_string()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use actix_web::{test, App};
    use serde_json::{json, Value};
    use std::sync::Arc;

    fn state(dir: &std::path::Path) -> AppState {
        let store = Store::temporary().unwrap();
        let termbases = Arc::new(crate::termbase::TermBases::open(&store).unwrap());
        let memories = Arc::new(crate::memory::Memories::open(&store).unwrap());
        AppState::new(
            store,
            termbases,
            memories,
            Default::default(),
            dir.to_path_buf(),
        )
    }

    macro_rules! app {
        ($state:expr) => {
            test::init_service(
                App::new()
                    .app_data(web::Data::new($state.clone()))
                    .app_data(
                        web::JsonConfig::default()
                            .error_handler(|e, _| crate::api::error::json_error(e).into()),
                    )
                    .app_data(
                        web::QueryConfig::default()
                            .error_handler(|e, _| crate::api::error::query_error(e).into()),
                    )
                    .configure(configure),
            )
            .await
        };
    }

    async fn parse(resp: actix_web::dev::ServiceResponse) -> (u16, Value, String) {
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = test::read_body(resp).await;
        let v = serde_json::from_slice(&body)
            .unwrap_or(Value::String(String::from_utf8_lossy(&body).into_owned()));
        (status, v, ct)
    }

    macro_rules! call {
        ($app:expr, $req:expr) => {
            parse(test::call_service($app, $req.to_request()).await)
        };
    }

    #[actix_web::test]
    async fn termbase_and_entry_crud_over_http() {
        let dir = tempfile::tempdir().unwrap();
        let st = state(dir.path());
        let app = app!(st);
        let (s, v, _) = call!(
            &app,
            test::TestRequest::put()
                .uri("/v1/termbases/tech")
                .set_json(json!({"description": "تقنية"}))
        )
        .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["name"], "tech");
        let (s, _, _) = call!(&app, test::TestRequest::put().uri("/v1/termbases/tech")).await;
        assert_eq!(s, 200);
        let (s, v, ct) = call!(
            &app,
            test::TestRequest::put()
                .uri("/v1/termbases/tech")
                .set_json(json!({"descripton": "x"}))
        )
        .await;
        assert_eq!(
            (s, v["field"].as_str(), ct.as_str()),
            (422, Some("descripton"), "application/problem+json")
        );
        let (s, v, _) = call!(&app, test::TestRequest::put().uri("/v1/termbases/%D9%85")).await;
        assert_eq!((s, v["code"].as_str()), (422, Some("invalid_name")));

        let entry = json!({"id": "server", "note": "also \"servant\"", "terms": {
            "ar": [{"text": "خادم", "status": "preferred", "variants": ["خوادم"]}],
            "en": [{"text": "server", "status": "preferred"}]}});
        let (s, v, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/tech/entries")
                .set_json(&entry)
        )
        .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["terms"]["ar"][0]["variants"][0], "خوادم");
        let (s, v, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/tech/entries")
                .set_json(&entry)
        )
        .await;
        assert_eq!((s, v["code"].as_str()), (409, Some("entry_exists")));
        let (s, v, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/nope/entries")
                .set_json(&entry)
        )
        .await;
        assert_eq!((s, v["code"].as_str()), (404, Some("termbase_not_found")));
        let bad = json!({"terms": {"ar": [{"text": "خادم", "statuss": "preferred"}]}});
        let (s, v, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/tech/entries")
                .set_json(&bad)
        )
        .await;
        assert_eq!((s, v["field"].as_str()), (422, Some("statuss")));
        let (s, v, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/tech/entries")
                .set_json(json!({"terms": {"ar": [{"text": " "}]}}))
        )
        .await;
        assert_eq!((s, v["field"].as_str()), (422, Some("terms.ar[0].text")));
        let (s, v, _) = call!(&app, test::TestRequest::put().uri("/v1/termbases/tech/entries/gpu")
            .set_json(json!({"terms": {"ar": [{"text": "وحدة معالجة رسومات"}], "en": [{"text": "GPU"}]}}))).await;
        assert_eq!((s, v["id"].as_str()), (201, Some("gpu")));
        let (s, v, _) = call!(
            &app,
            test::TestRequest::get().uri("/v1/termbases/tech/entries?limit=1")
        )
        .await;
        assert_eq!((s, v["next_cursor"].as_str()), (200, Some("gpu")));
        let (_, v, _) = call!(
            &app,
            test::TestRequest::get().uri("/v1/termbases/tech/entries?limit=1&cursor=gpu")
        )
        .await;
        assert_eq!(
            (v["entries"][0]["id"].as_str(), v["next_cursor"].is_null()),
            (Some("server"), true)
        );
        let (s, _, _) = call!(
            &app,
            test::TestRequest::get().uri("/v1/termbases/tech/entries?limit=0")
        )
        .await;
        assert_eq!(s, 422);

        let (s, v, _) = call!(
            &app,
            test::TestRequest::get()
                .uri("/v1/termbases/tech/lookup?q=%D8%A7%D9%84%D8%AE%D9%88%D8%A7%D8%AF%D9%85")
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["results"][0]["entry_id"], "server");
        assert_eq!(v["results"][0]["translations"][0]["text"], "server");
        let (s, v, _) = call!(
            &app,
            test::TestRequest::get().uri("/v1/termbases/tech/lookup?q=x&mode=wild")
        )
        .await;
        assert_eq!((s, v["field"].as_str()), (422, Some("mode")));

        let text = "نقلت الشركة الخوادم إلى وحدات GPU جديدة";
        let (s, v, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/tech/recognize")
                .set_json(json!({"text": text, "lang": "ar", "target_lang": "en"}))
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let hits = v["hits"].as_array().unwrap();
        let ids: Vec<&str> = hits
            .iter()
            .map(|h| h["entry_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec!["server", "gpu"], "{v}");
        for h in hits {
            let (a, b) = (
                h["start"].as_u64().unwrap() as usize,
                h["end"].as_u64().unwrap() as usize,
            );
            let by_chars: String = text.chars().skip(a).take(b - a).collect();
            assert_eq!(h["surface"].as_str().unwrap(), by_chars);
        }
        assert_eq!(
            (hits[0]["surface"].as_str(), hits[0]["match"].as_str()),
            (Some("الخوادم"), Some("variant"))
        );
        let (s, v, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/tech/recognize")
                .set_json(json!({"segments": ["خادم GPU", "لا شيء"], "min_confidence": 0}))
        )
        .await;
        assert_eq!((s, v["segments"].as_array().map(Vec::len)), (200, Some(2)));
        let (s, v, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/tech/recognize")
                .set_json(json!({"text": "x", "min_confidence": 1.5}))
        )
        .await;
        assert_eq!((s, v["field"].as_str()), (422, Some("min_confidence")));
        let (s, _, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/tech/recognize")
                .set_json(json!({"text": "x", "segments": ["y"]}))
        )
        .await;
        assert_eq!(s, 422);

        let (s, _, _) = call!(
            &app,
            test::TestRequest::delete().uri("/v1/termbases/tech/entries/gpu")
        )
        .await;
        assert_eq!(s, 204);
        let (s, _, _) = call!(
            &app,
            test::TestRequest::get().uri("/v1/termbases/tech/entries/gpu")
        )
        .await;
        assert_eq!(s, 404);
        let (s, _, _) = call!(&app, test::TestRequest::delete().uri("/v1/termbases/tech")).await;
        assert_eq!(s, 204);
        let (_, v, _) = call!(&app, test::TestRequest::get().uri("/v1/termbases")).await;
        assert_eq!(v["termbases"].as_array().map(Vec::len), Some(0));
    }

    #[actix_web::test]
    async fn import_export_round_trip_and_fatal_errors_store_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let st = state(dir.path());
        let app = app!(st);
        for tb in ["a", "b"] {
            call!(
                &app,
                test::TestRequest::put().uri(&format!("/v1/termbases/{tb}"))
            )
            .await;
        }
        let csv = "id,ar,en,ar_variants,note\n\
            llm,نموذج لغوي ضخم|نموذج لغوي كبير,large language model|LLM,نماذج لغوية ضخمة,\n\
            ai,ذكاء اصطناعي|ذكاء صنعي{forbidden},artificial intelligence,,\"also \"\"intelligence\"\"\"\n\
            bad,,,,\n";
        let (s, v, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/nope/import")
                .insert_header(("content-type", "application/octet-stream"))
                .set_payload(csv)
        )
        .await;
        assert_eq!((s, v["code"].as_str()), (404, Some("termbase_not_found")));
        let (s, v, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/a/import?dry_run=true")
                .insert_header(("content-type", "application/octet-stream"))
                .set_payload(csv)
        )
        .await;
        assert_eq!((s, v["entries_added"].as_u64()), (200, Some(2)), "{v}");
        assert_eq!(v["errors_total"], 1);
        let (_, v, _) = call!(&app, test::TestRequest::get().uri("/v1/termbases/a")).await;
        assert_eq!(v["entries"], 0, "dry run stored nothing");
        let (s, v, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/a/import?format=tbx")
                .insert_header(("content-type", "application/octet-stream"))
                .set_payload(csv)
        )
        .await;
        assert_eq!((s, v["code"].as_str()), (422, Some("format_mismatch")));
        let broken = "<?xml version=\"1.0\"?><martif type=\"TBX\"><text><body>\
            <termEntry id=\"x\"><langSet xml:lang=\"ar\"><tig><term>خادم</term></tig></langSet></termEntry>\
            <termEntry id=\"y\"><langSet xml:lang=\"ar\"><tig><term>شريحة</term></tig></langSet>\n</body></text></martif>";
        let (s, v, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/a/import")
                .insert_header(("content-type", "application/octet-stream"))
                .set_payload(broken)
        )
        .await;
        assert_eq!((s, v["code"].as_str()), (400, Some("malformed_xml")), "{v}");
        assert!(v["line"].as_u64().is_some());
        let (_, v, _) = call!(&app, test::TestRequest::get().uri("/v1/termbases/a")).await;
        assert_eq!(v["entries"], 0, "fatal error stored nothing");

        let (s, v, _) = call!(
            &app,
            test::TestRequest::post()
                .uri("/v1/termbases/a/import?format=csv")
                .insert_header(("content-type", "application/octet-stream"))
                .set_payload(csv)
        )
        .await;
        assert_eq!(
            (s, v["entries_added"].as_u64(), v["rows_skipped"].as_u64()),
            (200, Some(2), Some(1)),
            "{v}"
        );
        assert_eq!(v["errors"][0]["line"], 4);

        for format in ["tbx", "csv", "tsv"] {
            let resp = test::call_service(
                &app,
                test::TestRequest::get()
                    .uri(&format!("/v1/termbases/a/export?format={format}"))
                    .to_request(),
            )
            .await;
            assert_eq!(resp.status().as_u16(), 200);
            let body = test::read_body(resp).await;
            call!(&app, test::TestRequest::delete().uri("/v1/termbases/b")).await;
            call!(&app, test::TestRequest::put().uri("/v1/termbases/b")).await;
            let (s, v, _) = call!(
                &app,
                test::TestRequest::post()
                    .uri(&format!("/v1/termbases/b/import?format={format}"))
                    .insert_header(("content-type", "application/octet-stream"))
                    .set_payload(body)
            )
            .await;
            assert_eq!(
                (s, v["entries_added"].as_u64(), v["errors_total"].as_u64()),
                (200, Some(2), Some(0)),
                "{format}: {v}"
            );
            for id in ["llm", "ai"] {
                let (_, x, _) = call!(
                    &app,
                    test::TestRequest::get().uri(&format!("/v1/termbases/a/entries/{id}"))
                )
                .await;
                let (_, y, _) = call!(
                    &app,
                    test::TestRequest::get().uri(&format!("/v1/termbases/b/entries/{id}"))
                )
                .await;
                assert_eq!(x["terms"], y["terms"], "{format} round trip of {id}");
                assert_eq!(x["note"], y["note"], "{format} round trip of {id}");
            }
            // Re-importing the export into its source changes nothing.
            let resp = test::call_service(
                &app,
                test::TestRequest::get()
                    .uri(&format!("/v1/termbases/b/export?format={format}"))
                    .to_request(),
            )
            .await;
            let body = test::read_body(resp).await;
            let (_, v, _) = call!(
                &app,
                test::TestRequest::post()
                    .uri("/v1/termbases/b/import")
                    .insert_header(("content-type", "application/octet-stream"))
                    .set_payload(body)
            )
            .await;
            assert_eq!(
                (v["entries_added"].as_u64(), v["entries_unchanged"].as_u64()),
                (Some(0), Some(2)),
                "{format}: {v}"
            );
        }
    }
}
