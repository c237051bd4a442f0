//! Translation-memory routes: memories, units, fuzzy search, concordance,
//! import and export.
//!
//! Search defaults: `min_score` 70 (30–101 accepted, else 422), `limit` 5
//! (1–100, else 422); a segment is matched on its first 2,000 tokens, so a
//! 10 MB segment cannot hang the server. CPU-heavy work (search, import,
//! export) runs on the blocking pool.

use super::download;
use super::memory_dto::*;
use super::upload::{blocking, check_import_type, spool_body, MEMORY_IMPORT_TYPES};
use super::{bounded, validate_name, ApiError, AppState, Problem};
use crate::formats::Format;
use crate::memory::{model::SearchQuery, search::MIN_SCORE_FLOOR, Error, MAX_UNITS_PER_REQUEST};
use actix_web::{delete, get, http::StatusCode, post, put, web, HttpRequest, HttpResponse};
use utoipa::OpenApi;

/// Most segments in one batch search.
pub const MAX_SEGMENTS: usize = 1000;

/// Memory routes' OpenAPI fragment.
#[derive(OpenApi)]
#[openapi(
    paths(
        put_memory,
        list_memories,
        get_memory,
        delete_memory,
        add_units,
        get_unit,
        put_unit,
        delete_unit,
        search,
        concordance,
        import,
        export
    ),
    components(schemas(
        CreateMemory,
        MemoryDto,
        MemoryList,
        PropDto,
        UnitIn,
        AddUnitsBody,
        AddUnitsResponse,
        UnitDto,
        SearchBody,
        DiffDto,
        PenaltyDto,
        MatchDto,
        SearchResponse,
        BatchSearchResponse,
        SpanDto,
        ConcordanceDto,
        ConcordanceResponse,
        UnitImportErrorDto,
        UnitImportReportDto
    ))
)]
pub struct MemoryApi;

/// Registers the memory routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_memories)
        .service(put_memory)
        .service(get_memory)
        .service(delete_memory)
        .service(add_units)
        .service(get_unit)
        .service(put_unit)
        .service(delete_unit)
        .service(search)
        .service(concordance)
        .service(import)
        .service(export);
}

/// Maps domain errors to problem JSON (the one place for this mapping).
impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        match e {
            Error::MemoryNotFound(_) => ApiError::not_found("memory_not_found", e.to_string()),
            Error::UnitNotFound { .. } => ApiError::not_found("unit_not_found", e.to_string()),
            Error::LanguagePairConflict { .. } => {
                ApiError::conflict("language_pair_conflict", e.to_string())
            }
            Error::Invalid { field, message } => {
                ApiError::invalid_field(field, format!("{field}: {message}"))
            }
            Error::LanguageMismatch { field, .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "language_mismatch",
                e.to_string(),
            )
            .with_field(field),
            Error::Format(fe) => fe.into(),
            Error::CollectionDeleted(_) => ApiError::conflict("collection_deleted", e.to_string()),
            Error::BeingDeleted(_) => ApiError::conflict("being_deleted", e.to_string()),
            Error::ShuttingDown => ApiError::new(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                "shutting_down",
                e.to_string(),
            ),
            Error::Io(e) => ApiError::internal(e),
            Error::Store(e) => e.into(),
        }
    }
}

fn checked_name(tm: &str) -> Result<(), ApiError> {
    validate_name("tm", tm)
}

/// Creates a memory (or confirms it exists with the same language pair).
#[utoipa::path(
    tag = "memories",
    params(("tm" = String, Path, description = "Memory name", example = "software")),
    request_body = CreateMemory,
    responses(
        (status = 201, description = "Created", body = MemoryDto),
        (status = 200, description = "Already existed with this pair", body = MemoryDto),
        (status = 409, description = "Exists with another language pair (`language_pair_conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name or language tag", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[put("/v1/memories/{tm}")]
pub async fn put_memory(
    state: web::Data<AppState>,
    tm: web::Path<String>,
    body: web::Json<CreateMemory>,
) -> Result<HttpResponse, ApiError> {
    checked_name(&tm)?;
    let b = body.into_inner();
    let (info, created) =
        state
            .memories
            .create(&tm, &b.source_lang, &b.target_lang, b.description)?;
    state.store.flush().await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(MemoryDto::from(info)))
}

/// Lists all memories.
#[utoipa::path(
    tag = "memories",
    responses((status = 200, description = "All memories", body = MemoryList))
)]
#[get("/v1/memories")]
pub async fn list_memories(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let memories = state
        .memories
        .list()?
        .into_iter()
        .map(MemoryDto::from)
        .collect();
    Ok(HttpResponse::Ok().json(MemoryList { memories }))
}

/// One memory.
#[utoipa::path(
    tag = "memories",
    params(("tm" = String, Path, description = "Memory name", example = "software")),
    responses(
        (status = 200, description = "The memory", body = MemoryDto),
        (status = 404, description = "`memory_not_found`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/v1/memories/{tm}")]
pub async fn get_memory(
    state: web::Data<AppState>,
    tm: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    checked_name(&tm)?;
    Ok(HttpResponse::Ok().json(MemoryDto::from(state.memories.get_meta(&tm)?)))
}

/// Deletes a memory and all its units.
#[utoipa::path(
    tag = "memories",
    params(("tm" = String, Path, description = "Memory name", example = "software")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "`memory_not_found`", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[delete("/v1/memories/{tm}")]
pub async fn delete_memory(
    state: web::Data<AppState>,
    tm: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    checked_name(&tm)?;
    let mems = state.memories.clone();
    let name = tm.into_inner();
    blocking(move || mems.delete(&name).map_err(ApiError::from)).await?;
    state.store.flush().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Adds one unit or `{"units": [...]}` (≤ 10,000) atomically; identical
/// units (same source, target, context) refresh `modified` and count as
/// `updated`.
#[utoipa::path(
    tag = "memories",
    params(("tm" = String, Path, description = "Memory name", example = "software")),
    request_body = AddUnitsBody,
    responses(
        (status = 201, description = "Stored", body = AddUnitsResponse),
        (status = 404, description = "`memory_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid unit (`invalid_field`) or more than 10,000 (`too_many_units`)", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/memories/{tm}/units")]
pub async fn add_units(
    state: web::Data<AppState>,
    tm: web::Path<String>,
    body: web::Json<AddUnitsBody>,
) -> Result<HttpResponse, ApiError> {
    checked_name(&tm)?;
    let b = body.into_inner();
    let units: Vec<UnitIn> = match (b.units, b.source, b.target) {
        (Some(units), None, None) => units,
        (None, Some(source), Some(target)) => vec![UnitIn {
            source,
            target,
            context: b.context,
            origin: b.origin,
            created_by: b.created_by,
            props: b.props,
            notes: b.notes,
            source_lang: b.source_lang,
            target_lang: b.target_lang,
            confirmed: None,
        }],
        (Some(_), _, _) => {
            return Err(ApiError::invalid_field(
                "units",
                "send either one unit (source, target, …) or {\"units\": [...]}, not both",
            ))
        }
        (None, None, _) => return Err(ApiError::invalid_field("source", "source is required")),
        (None, _, None) => return Err(ApiError::invalid_field("target", "target is required")),
    };
    if units.len() > MAX_UNITS_PER_REQUEST {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_units",
            format!(
                "{} units in one request; at most {MAX_UNITS_PER_REQUEST} (use the import endpoint for more)",
                units.len()
            ),
        )
        .with_field("units"));
    }
    if units.is_empty() {
        return Err(ApiError::invalid_field("units", "units must not be empty"));
    }
    let mems = state.memories.clone();
    let name = tm.into_inner();
    let drafts = units.into_iter().map(Into::into).collect();
    let report = blocking(move || mems.add_units(&name, drafts).map_err(ApiError::from)).await?;
    state.store.flush().await?;
    Ok(HttpResponse::Created().json(AddUnitsResponse::from(report)))
}

/// One unit.
#[utoipa::path(
    tag = "memories",
    params(
        ("tm" = String, Path, description = "Memory name", example = "software"),
        ("id" = u64, Path, description = "Unit id", example = 42)
    ),
    responses(
        (status = 200, description = "The unit", body = UnitDto),
        (status = 404, description = "`memory_not_found` or `unit_not_found`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/v1/memories/{tm}/units/{id}")]
pub async fn get_unit(
    state: web::Data<AppState>,
    path: web::Path<(String, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (tm, id) = path.into_inner();
    checked_name(&tm)?;
    Ok(HttpResponse::Ok().json(UnitDto::from(state.memories.get_unit(&tm, id)?)))
}

/// Replaces a unit's content (keeps id and `created`).
#[utoipa::path(
    tag = "memories",
    params(
        ("tm" = String, Path, description = "Memory name", example = "software"),
        ("id" = u64, Path, description = "Unit id", example = 42)
    ),
    request_body = UnitIn,
    responses(
        (status = 200, description = "Updated", body = UnitDto),
        (status = 404, description = "`memory_not_found` or `unit_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid unit", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[put("/v1/memories/{tm}/units/{id}")]
pub async fn put_unit(
    state: web::Data<AppState>,
    path: web::Path<(String, u64)>,
    body: web::Json<UnitIn>,
) -> Result<HttpResponse, ApiError> {
    let (tm, id) = path.into_inner();
    checked_name(&tm)?;
    let mems = state.memories.clone();
    let draft = body.into_inner().into();
    let unit = blocking(move || mems.put_unit(&tm, id, draft).map_err(ApiError::from)).await?;
    state.store.flush().await?;
    Ok(HttpResponse::Ok().json(UnitDto::from(unit)))
}

/// Deletes a unit.
#[utoipa::path(
    tag = "memories",
    params(
        ("tm" = String, Path, description = "Memory name", example = "software"),
        ("id" = u64, Path, description = "Unit id", example = 42)
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "`memory_not_found` or `unit_not_found`", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[delete("/v1/memories/{tm}/units/{id}")]
pub async fn delete_unit(
    state: web::Data<AppState>,
    path: web::Path<(String, u64)>,
) -> Result<HttpResponse, ApiError> {
    let (tm, id) = path.into_inner();
    checked_name(&tm)?;
    let mems = state.memories.clone();
    blocking(move || mems.delete_unit(&tm, id).map_err(ApiError::from)).await?;
    state.store.flush().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `min_score` as an integer threshold: a fraction rounds up (scores are
/// integers), outside 30–101 (or not finite) is a 422.
fn min_score_of(v: Option<f64>) -> Result<u32, ApiError> {
    let v = v.unwrap_or(70.0);
    if !v.is_finite() || !(f64::from(MIN_SCORE_FLOOR)..=101.0).contains(&v) {
        return Err(ApiError::invalid_field(
            "min_score",
            format!("min_score must be between {MIN_SCORE_FLOOR} and 101, got {v}"),
        ));
    }
    Ok(v.ceil() as u32)
}

/// Fuzzy search. `{"text": …}` answers `{"matches": […]}`; `{"segments":
/// […]}` (≤ 1,000) answers `{"results": [{"matches": […]}, …]}`. With
/// `source_lang` equal to the memory's target language the target side is
/// searched and matches come back swapped (`source` is then the unit's
/// target text). Score: see the README (token edit similarity, penalties,
/// 101 for an identical segment with the same context).
#[utoipa::path(
    tag = "memories",
    params(("tm" = String, Path, description = "Memory name", example = "software")),
    request_body = SearchBody,
    responses(
        (status = 200, description = "Matches, best first (`results` for a batch)", body = SearchResponse),
        (status = 404, description = "`memory_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty text, `min_score` outside 30–101, `limit` outside 1–100, or a language not in the memory", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/v1/memories/{tm}/search")]
pub async fn search(
    state: web::Data<AppState>,
    tm: web::Path<String>,
    body: web::Json<SearchBody>,
) -> Result<HttpResponse, ApiError> {
    checked_name(&tm)?;
    let b = body.into_inner();
    let min_score = min_score_of(b.min_score)?;
    let limit = bounded("limit", b.limit, 5, 1, 100)? as usize;
    let (texts, batch) = match (b.text, b.segments) {
        (Some(t), None) => (vec![t], false),
        (None, Some(s)) => {
            if s.is_empty() || s.len() > MAX_SEGMENTS {
                return Err(ApiError::invalid_field(
                    "segments",
                    format!("segments must hold 1 to {MAX_SEGMENTS} strings"),
                ));
            }
            (s, true)
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_field(
                "segments",
                "send text or segments, not both",
            ))
        }
        (None, None) => return Err(ApiError::invalid_field("text", "text is required")),
    };
    let mems = state.memories.clone();
    let name = tm.into_inner();
    let (source_lang, target_lang, context) = (b.source_lang, b.target_lang, b.context);
    let results = blocking(move || {
        texts
            .into_iter()
            .map(|text| {
                let q = SearchQuery {
                    text,
                    source_lang: source_lang.clone(),
                    target_lang: target_lang.clone(),
                    min_score,
                    limit,
                    context: context.clone(),
                };
                mems.search(&name, &q)
                    .map(|v| SearchResponse {
                        matches: v.into_iter().map(MatchDto::from).collect(),
                    })
                    .map_err(ApiError::from)
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })
    .await?;
    if batch {
        Ok(HttpResponse::Ok().json(BatchSearchResponse { results }))
    } else {
        let one = results.into_iter().next().unwrap_or(SearchResponse {
            matches: Vec::new(),
        });
        Ok(HttpResponse::Ok().json(one))
    }
}

/// Units whose source or target contains the phrase (normalized, Arabic
/// clitic-aware, words in order); spans are code points of the stored text.
#[utoipa::path(
    tag = "memories",
    params(
        ("tm" = String, Path, description = "Memory name", example = "software"),
        ConcordanceParams
    ),
    responses(
        (status = 200, description = "Hits", body = ConcordanceResponse),
        (status = 404, description = "`memory_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty `q`, `limit` outside 1–100, or unknown `lang`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/v1/memories/{tm}/concordance")]
pub async fn concordance(
    state: web::Data<AppState>,
    tm: web::Path<String>,
    query: web::Query<ConcordanceParams>,
) -> Result<HttpResponse, ApiError> {
    checked_name(&tm)?;
    let p = query.into_inner();
    let limit = bounded("limit", p.limit, 20, 1, 100)? as usize;
    let mems = state.memories.clone();
    let name = tm.into_inner();
    let hits = blocking(move || {
        mems.concordance(&name, &p.q, p.lang.as_deref(), limit)
            .map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ConcordanceResponse {
        results: hits.into_iter().map(ConcordanceDto::from).collect(),
    }))
}

fn parse_format(field: &'static str, f: Option<&str>) -> Result<Option<Format>, ApiError> {
    match f {
        None => Ok(None),
        Some(s) => match Format::parse(s) {
            Some(Format::Tbx) | None => Err(ApiError::invalid_field(
                field,
                format!("format {s:?} is not one of tmx, tsv, csv"),
            )),
            Some(f) => Ok(Some(f)),
        },
    }
}

/// Imports a TMX/TSV/CSV file sent as the raw body (gzip accepted). The file
/// is validated completely before anything is stored: a fatal error
/// (malformed XML, a DTD with entities, bad encoding) answers 400 with the
/// line, a body that is not the declared format (or is a term base) 422,
/// an unrecognizable body without `format` 415; each stores nothing. An import
/// interrupted by a crash is rolled back at the next start.
#[utoipa::path(
    tag = "memories",
    params(("tm" = String, Path, description = "Memory name", example = "software"), ImportParams),
    request_body(description = "The file (TMX, TSV or CSV; optionally gzip) as the raw body, with a Content-Type from this list (`text/plain`, forms and multipart are refused)",
        content(
            (String = "application/x-tmx+xml"),
            (String = "application/tmx+xml"),
            (String = "application/xml"),
            (String = "text/xml"),
            (String = "text/tab-separated-values"),
            (String = "text/csv"),
            (String = "application/gzip"),
            (String = "application/octet-stream")
        )),
    responses(
        (status = 200, description = "Imported (or counted, with dry_run)", body = UnitImportReportDto),
        (status = 400, description = "Fatal file error, nothing stored (`malformed_xml`, `dtd_not_allowed`, `invalid_encoding`, `empty_body`, …)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`memory_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`collection_deleted`: deleted while the import ran; nothing imported", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unknown_format`: format absent and not recognizable; `unsupported_media_type`: Content-Type missing or not listed; `content_type_mismatch`: Content-Type contradicts `format`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_imports`: as many imports run as --max-concurrent-imports allows; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`shutting_down` (the import stopped; rolled back at the next start) or `storage_failed`", body = Problem, content_type = "application/problem+json"),
        (status = 507, description = "`insufficient_storage`: the data dir's disk is full (cause in `detail`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`format_mismatch` (the body is not the declared format, or is a term base), `missing_header`, `missing_language`, or a bad parameter (`invalid_field`)", body = Problem,
            content_type = "application/problem+json",
            example = json!({"type": "https://mustalah.dev/problems/format_mismatch", "title": "Unprocessable Entity", "status": 422,
                "detail": "format=tmx was declared but the body is not a TMX document", "code": "format_mismatch"}))
    ),
    security(("bearer" = []))
)]
#[post("/v1/memories/{tm}/import")]
pub async fn import(
    req: HttpRequest,
    state: web::Data<AppState>,
    tm: web::Path<String>,
    query: web::Query<ImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    checked_name(&tm)?;
    let p = query.into_inner();
    let format = parse_format("format", p.format.as_deref())?;
    let charset = super::charset::declared(&req)?;
    check_import_type(&req, MEMORY_IMPORT_TYPES, format)?;
    state.memories.get_meta(&tm)?;
    let spooled = spool_body(&state, payload).await?;
    let charset = charset.filter(|_| super::charset::applies_to(spooled.path()));
    let mems = state.memories.clone();
    let name = tm.into_inner();
    let dry_run = p.dry_run.unwrap_or(false);
    let report = blocking(move || {
        let utf8 = match charset {
            Some(enc) => Some(
                super::charset::Utf8Copy::of(spooled.path(), enc).map_err(ApiError::internal)?,
            ),
            None => None,
        };
        let path = utf8.as_ref().map_or(spooled.path(), |c| c.path());
        let r = mems.import_file(&name, path, format, dry_run, &mut |_| {});
        drop(utf8);
        drop(spooled);
        r.map_err(ApiError::from)
    })
    .await?;
    state.store.flush().await?;
    Ok(HttpResponse::Ok().json(UnitImportReportDto::from(report)))
}

/// Streams the memory as TMX 1.4b (default) or TSV; re-importing the file
/// yields the same units.
#[utoipa::path(
    tag = "memories",
    params(("tm" = String, Path, description = "Memory name", example = "software"), ExportParams),
    responses(
        (status = 200, description = "The file, streamed", content_type = "application/x-tmx+xml", body = String),
        (status = 404, description = "`memory_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown format", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/v1/memories/{tm}/export")]
pub async fn export(
    state: web::Data<AppState>,
    tm: web::Path<String>,
    query: web::Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    checked_name(&tm)?;
    let format = parse_format("format", query.format.as_deref())?.unwrap_or(Format::Tmx);
    if format == Format::Csv {
        return Err(ApiError::invalid_field(
            "format",
            "export supports tmx and tsv",
        ));
    }
    // Resolved before the answer starts: a missing memory is a 404, and a
    // failure while the body streams cuts the transfer (never a short file).
    let mems = state.memories.clone();
    let name = tm.into_inner();
    let source = {
        let name = name.clone();
        let scratch = state.spool_dir.clone();
        blocking(move || mems.export_source(&name, &scratch).map_err(ApiError::from)).await?
    };
    let (ctype, ext) = match format {
        Format::Tmx => ("application/x-tmx+xml", "tmx"),
        _ => ("text/tab-separated-values; charset=utf-8", "tsv"),
    };
    Ok(download::streamed(
        ctype,
        &format!("{name}.{ext}"),
        format!("memory {name}"),
        move |out| source.write(format, out).map_err(|e| e.to_string()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{test, App};
    use serde_json::{json, Value};
    use std::sync::Arc;

    fn state(dir: &std::path::Path) -> AppState {
        let store = crate::store::Store::temporary().unwrap();
        AppState::new(
            store.clone(),
            Arc::new(crate::termbase::TermBases::open(&store).unwrap()),
            Arc::new(crate::memory::Memories::open(&store).unwrap()),
            Default::default(),
            dir.to_path_buf(),
        )
    }

    macro_rules! app {
        ($dir:expr) => {
            test::init_service(
                App::new()
                    .app_data(web::Data::new(state($dir)))
                    .app_data(
                        web::JsonConfig::default()
                            .error_handler(|e, _| crate::api::error::json_error(e).into()),
                    )
                    .configure(configure),
            )
            .await
        };
    }

    #[actix_web::test]
    async fn create_add_search_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let app = app!(dir.path());
        let put = |body: Value| {
            test::TestRequest::put()
                .uri("/v1/memories/tech")
                .set_json(body)
                .to_request()
        };
        let r =
            test::call_service(&app, put(json!({"source_lang": "ar", "target_lang": "en"}))).await;
        assert_eq!(r.status(), 201);
        let r =
            test::call_service(&app, put(json!({"source_lang": "ar", "target_lang": "en"}))).await;
        assert_eq!(r.status(), 200);
        let r =
            test::call_service(&app, put(json!({"source_lang": "en", "target_lang": "ar"}))).await;
        assert_eq!(r.status(), 409);
        let body: Value = test::read_body_json(r).await;
        assert_eq!(body["code"], "language_pair_conflict");

        let req = test::TestRequest::post()
            .uri("/v1/memories/tech/units")
            .set_json(json!({"units": [
                {"source": "احفظ الملف", "target": "Save the file"},
                {"source": "افتح الملف", "target": "Open the file"}]}))
            .to_request();
        let body: Value = test::call_and_read_body_json(&app, req).await;
        assert_eq!(body["added"], 2);
        let req = test::TestRequest::post()
            .uri("/v1/memories/tech/units")
            .set_json(json!({"source": "احفظ الملف", "target": "Save the file"}))
            .to_request();
        let body: Value = test::call_and_read_body_json(&app, req).await;
        assert_eq!(
            (body["added"].clone(), body["unchanged"].clone()),
            (json!(0), json!(1))
        );

        let req = test::TestRequest::post()
            .uri("/v1/memories/tech/search")
            .set_json(json!({"text": "احفظ الملفات", "source_lang": "ar", "target_lang": "en", "limit": 5, "min_score": 50}))
            .to_request();
        let body: Value = test::call_and_read_body_json(&app, req).await;
        assert_eq!(body["matches"][0]["target"], "Save the file");
        assert!(body["matches"][0]["score"].as_u64().unwrap() >= 50);
        assert_eq!(body["matches"][0]["diff"][0]["op"], "equal");

        let req = test::TestRequest::post()
            .uri("/v1/memories/tech/search")
            .set_json(json!({"segments": ["Save the file", "Open"], "source_lang": "en", "min_score": 30}))
            .to_request();
        let body: Value = test::call_and_read_body_json(&app, req).await;
        assert_eq!(body["results"][0]["matches"][0]["source"], "Save the file");
        assert_eq!(body["results"][0]["matches"][0]["target"], "احفظ الملف");
        assert_eq!(body["results"][1]["matches"][0]["source"], "Open the file");

        for (bad, field) in [
            (json!({"text": "x", "min_score": 102}), "min_score"),
            (json!({"text": "x", "limit": 0}), "limit"),
            (json!({"text": "   "}), "text"),
            (json!({"text": "x", "source_lang": "fr"}), "source_lang"),
        ] {
            let req = test::TestRequest::post()
                .uri("/v1/memories/tech/search")
                .set_json(bad)
                .to_request();
            let r = test::call_service(&app, req).await;
            assert_eq!(r.status(), 422);
            let body: Value = test::read_body_json(r).await;
            assert_eq!(body["field"], field);
        }
        let req = test::TestRequest::get()
            .uri("/v1/memories/tech/concordance?q=%D8%A7%D9%84%D9%85%D9%84%D9%81")
            .to_request();
        let body: Value = test::call_and_read_body_json(&app, req).await;
        assert_eq!(body["results"].as_array().unwrap().len(), 2);
        let req = test::TestRequest::get()
            .uri("/v1/memories/nope")
            .to_request();
        let r = test::call_service(&app, req).await;
        assert_eq!(r.status(), 404);
    }

    #[actix_web::test]
    async fn import_export_over_http() {
        let dir = tempfile::tempdir().unwrap();
        let app = app!(dir.path());
        let req = test::TestRequest::put()
            .uri("/v1/memories/ui")
            .set_json(json!({"source_lang": "en", "target_lang": "ar"}))
            .to_request();
        assert_eq!(test::call_service(&app, req).await.status(), 201);
        let tmx = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/memory/small.tmx"),
        )
        .unwrap();
        let req = test::TestRequest::post()
            .uri("/v1/memories/ui/import?dry_run=true")
            .insert_header(("content-type", "application/octet-stream"))
            .set_payload(tmx.clone())
            .to_request();
        let dry: Value = test::call_and_read_body_json(&app, req).await;
        let req = test::TestRequest::get().uri("/v1/memories/ui").to_request();
        let meta: Value = test::call_and_read_body_json(&app, req).await;
        assert_eq!(meta["units"], 0);
        let req = test::TestRequest::post()
            .uri("/v1/memories/ui/import")
            .insert_header(("content-type", "application/octet-stream"))
            .set_payload(tmx)
            .to_request();
        let rep: Value = test::call_and_read_body_json(&app, req).await;
        assert_eq!(rep["units_added"], dry["units_added"]);
        let req = test::TestRequest::post()
            .uri("/v1/memories/ui/import?format=tmx")
            .insert_header(("content-type", "application/octet-stream"))
            .set_payload("<tmx version=\"1.4\"><header/><body><tu>")
            .to_request();
        let r = test::call_service(&app, req).await;
        assert_eq!(r.status(), 400);
        let req = test::TestRequest::get()
            .uri("/v1/memories/ui/export")
            .to_request();
        let r = test::call_service(&app, req).await;
        assert_eq!(r.status(), 200);
        let body = test::read_body(r).await;
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(
            text.contains("<tmx") && text.contains("افتح الملف"),
            "{text}"
        );
    }

    #[actix_web::test]
    async fn a_full_disk_answers_507_fails_readiness_and_keeps_search() {
        let dir = tempfile::tempdir().unwrap();
        let st = state(dir.path());
        st.set_ready(None);
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(st.clone()))
                .configure(configure)
                .configure(crate::api::health::configure),
        )
        .await;
        let req = test::TestRequest::put()
            .uri("/v1/memories/tm")
            .set_json(json!({"source_lang": "en", "target_lang": "ar"}))
            .to_request();
        assert_eq!(test::call_service(&app, req).await.status(), 201);
        let add = |source: &str| {
            test::TestRequest::post()
                .uri("/v1/memories/tm/units")
                .set_json(json!({"source": source, "target": "احفظ الملف"}))
                .to_request()
        };
        assert_eq!(
            test::call_service(&app, add("Save the file"))
                .await
                .status(),
            201
        );
        st.store.inject_write_error(0, 28);
        let r = test::call_service(&app, add("Save the files")).await;
        assert_eq!(r.status(), 507);
        let body: Value = test::read_body_json(r).await;
        assert_eq!(body["code"], "insufficient_storage");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("No space left on device"),
            "{body}"
        );
        let r =
            test::call_service(&app, test::TestRequest::get().uri("/readyz").to_request()).await;
        assert_eq!(r.status(), 503);
        let body: Value = test::read_body_json(r).await;
        assert_eq!(body["code"], "storage_failed");
        assert!(
            body["detail"].as_str().unwrap().contains("No space left"),
            "{body}"
        );
        let req = test::TestRequest::post()
            .uri("/v1/memories/tm/search")
            .set_json(json!({"text": "Save the file"}))
            .to_request();
        let hits: Value = test::call_and_read_body_json(&app, req).await;
        assert_eq!(hits["matches"][0]["source"], "Save the file", "{hits}");
        let req = test::TestRequest::get().uri("/v1/memories/tm").to_request();
        let meta: Value = test::call_and_read_body_json(&app, req).await;
        assert_eq!(meta["units"], 1);
    }
}
