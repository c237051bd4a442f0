//! Export URLs that CAT tools and scripts poll: OmegaT team projects map
//! `tm/auto/…` or `glossary/…` to an HTTP URL and fetch it with
//! `If-None-Match`, keeping their copy on `304 Not Modified`.
//!
//! * `GET /v1/memories/{tm}.tmx`: TMX 1.4b (the `export` route's bytes);
//! * `GET /v1/termbases/{tb}.tbx`: TBX-Basic;
//! * `GET /v1/termbases/{tb}.utf8` and `.tsv`: OmegaT's glossary layout
//!   (`source<TAB>target<TAB>comment`, no header; see
//!   [`crate::formats::omegat_glossary`]), `source_lang`/`target_lang`
//!   choosing the direction (default `ar` → `en`).
//!
//! # Validators
//! The `ETag` is strong: a hash of what determines the bytes, namely the
//! collection's name, creation time, last change time (every write of a
//! unit, an entry or the description sets it, in the same atomic batch as
//! the change, see [`crate::memory`] and [`crate::termbase`]), its size,
//! the next unit id, the format and direction, and the server version (the
//! writers' output may change between versions). It survives restarts and
//! costs one metadata read: no export is produced to answer a `304`.
//! `Last-Modified` is the last change, sent only once that second is over
//! (a second change within the same second would otherwise go unnoticed by
//! `If-Modified-Since`); `If-None-Match` takes precedence over
//! `If-Modified-Since`, as RFC 9110 says.
//!
//! The version is read before the content: a change landing in between
//! makes the body newer than its tag, so the next poll fetches again; it
//! never leaves a client on a stale copy.

use super::super::download;
use super::super::termbases::termbase_error;
use super::super::upload::blocking;
use super::super::{validate_name, ApiError, AppState, Problem};
use crate::formats::Format;
use actix_web::http::header::{self, EntityTag, HttpDate, IfModifiedSince, IfNoneMatch};
use actix_web::{get, web, HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, OpenApi};

/// The export routes' OpenAPI fragment.
#[derive(OpenApi)]
#[openapi(
    paths(memory_tmx, termbase_tbx, termbase_utf8, termbase_tsv),
    tags((name = "exports", description = "Stable export URLs with strong ETags, for OmegaT team projects (HTTP repository mappings) and scripts that poll"))
)]
pub struct ExportApi;

/// Direction of a glossary export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GlossaryParams {
    /// Language of the first column (default `ar`).
    pub source_lang: Option<String>,
    /// Language of the second column (default `en`).
    pub target_lang: Option<String>,
}

/// What identifies one export's bytes.
struct Version {
    tag: EntityTag,
    modified: DateTime<Utc>,
}

impl Version {
    fn of(parts: &[&str], modified: DateTime<Utc>) -> Version {
        let mut h = Sha256::new();
        for p in parts {
            h.update(p.as_bytes());
            h.update([0]);
        }
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        let hex: String = h
            .finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        Version {
            tag: EntityTag::new_strong(hex),
            modified,
        }
    }

    /// `Last-Modified`, once the second of the last change is over.
    fn last_modified(&self) -> Option<HttpDate> {
        let secs = self.modified.timestamp();
        (secs < Utc::now().timestamp()).then(|| {
            let t = std::time::UNIX_EPOCH
                + std::time::Duration::from_secs(u64::try_from(secs).unwrap_or(0));
            HttpDate::from(t)
        })
    }

    /// Whether the client's copy is this version (answer 304).
    fn matches(&self, req: &HttpRequest) -> bool {
        if let Some(inm) = req.get_header::<IfNoneMatch>() {
            return match inm {
                IfNoneMatch::Any => true,
                IfNoneMatch::Items(tags) => tags.iter().any(|t| t.weak_eq(&self.tag)),
            };
        }
        match (req.get_header::<IfModifiedSince>(), self.last_modified()) {
            (Some(IfModifiedSince(since)), Some(_)) => {
                let since = std::time::SystemTime::from(since)
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                self.modified.timestamp() <= since
            }
            _ => false,
        }
    }

    /// Adds the validators (and "revalidate every time") to `resp`.
    fn stamp(&self, resp: &mut HttpResponse) {
        let h = resp.headers_mut();
        if let Ok(v) = header::HeaderValue::from_str(&self.tag.to_string()) {
            h.insert(header::ETAG, v);
        }
        if let Some(lm) = self.last_modified() {
            if let Ok(v) = header::HeaderValue::from_str(&lm.to_string()) {
                h.insert(header::LAST_MODIFIED, v);
            }
        }
        h.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-cache"),
        );
    }

    fn not_modified(&self) -> HttpResponse {
        let mut resp = HttpResponse::NotModified().finish();
        self.stamp(&mut resp);
        resp
    }
}

fn micros(t: DateTime<Utc>) -> String {
    t.timestamp_micros().to_string()
}

/// The memory as TMX 1.4b, with `ETag`/`Last-Modified`; `304` when the
/// client's `If-None-Match` (or `If-Modified-Since`) is current.
#[utoipa::path(
    tag = "exports",
    params(("tm" = String, Path, description = "Memory name", example = "software")),
    responses(
        (status = 200, description = "The memory, streamed", content_type = "application/x-tmx+xml", body = String,
            headers(("ETag" = String, description = "Strong validator"), ("Last-Modified" = String, description = "Last change"))),
        (status = 304, description = "Unchanged since the client's copy"),
        (status = 404, description = "`memory_not_found`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/v1/memories/{tm}.tmx")]
pub async fn memory_tmx(
    req: HttpRequest,
    state: web::Data<AppState>,
    tm: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = tm.into_inner();
    validate_name("tm", &name)?;
    let mems = state.memories.clone();
    let scratch = state.spool_dir.clone();
    let (version, source) = {
        let name = name.clone();
        blocking(move || {
            let info = mems.get_meta(&name)?;
            let m = &info.meta;
            let version = Version::of(
                &[
                    "tm",
                    &name,
                    &micros(m.created),
                    &micros(m.modified),
                    &info.units.to_string(),
                    &m.next_id.to_string(),
                    "tmx",
                ],
                m.modified,
            );
            Ok((version, mems.export_source(&name, &scratch)?))
        })
        .await?
    };
    if version.matches(&req) {
        return Ok(version.not_modified());
    }
    let mut resp = download::streamed(
        "application/x-tmx+xml",
        &format!("{name}.tmx"),
        format!("memory {name}"),
        move |out| source.write(Format::Tmx, out).map_err(|e| e.to_string()),
    );
    version.stamp(&mut resp);
    Ok(resp)
}

/// Writes an export's bytes (on the blocking pool).
type Producer = Box<dyn FnOnce(&mut dyn std::io::Write) -> Result<(), String> + Send>;

/// What a term-base export writes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TermExport {
    Tbx,
    Glossary,
}

async fn termbase_export(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: String,
    kind: TermExport,
    ext: &'static str,
    direction: (String, String),
) -> Result<HttpResponse, ApiError> {
    validate_name("tb", &name)?;
    for (field, lang) in [("source_lang", &direction.0), ("target_lang", &direction.1)] {
        if !crate::text::lang::is_language_tag(lang) {
            return Err(ApiError::invalid_field(
                field,
                format!("{field} must be a language tag like ar or en-US"),
            ));
        }
    }
    let tbs = state.termbases.clone();
    let (version, snapshot) = {
        let name = name.clone();
        let direction = direction.clone();
        blocking(move || {
            let info = tbs.get_meta(&name).map_err(termbase_error)?;
            let version = Version::of(
                &[
                    "tb",
                    &name,
                    &micros(info.created),
                    &micros(info.modified),
                    &info.entries.to_string(),
                    ext,
                    &direction.0,
                    &direction.1,
                ],
                info.modified,
            );
            Ok((version, tbs.export_snapshot(&name).map_err(termbase_error)?))
        })
        .await?
    };
    if version.matches(&req) {
        return Ok(version.not_modified());
    }
    let (ctype, produce): (&str, Producer) = match kind {
        TermExport::Tbx => (
            "application/x-tbx+xml",
            Box::new(move |out| snapshot.write(Format::Tbx, out).map_err(|e| e.to_string())),
        ),
        TermExport::Glossary => (
            "text/tab-separated-values; charset=utf-8",
            Box::new(move |out| {
                crate::formats::omegat_glossary::write_glossary(
                    out,
                    &direction.0,
                    &direction.1,
                    snapshot.concepts().cloned(),
                )
                .map_err(|e| e.to_string())
            }),
        ),
    };
    let mut resp = download::streamed(
        ctype,
        &format!("{name}.{ext}"),
        format!("termbase {name}"),
        produce,
    );
    version.stamp(&mut resp);
    Ok(resp)
}

fn direction(p: GlossaryParams) -> (String, String) {
    (
        p.source_lang.unwrap_or_else(|| "ar".into()),
        p.target_lang.unwrap_or_else(|| "en".into()),
    )
}

/// The term base as TBX-Basic, with `ETag`/`Last-Modified`; `304` when
/// the client's copy is current.
#[utoipa::path(
    tag = "exports",
    params(("tb" = String, Path, description = "Term base name", example = "tech")),
    responses(
        (status = 200, description = "The term base, streamed", content_type = "application/x-tbx+xml", body = String,
            headers(("ETag" = String, description = "Strong validator"), ("Last-Modified" = String, description = "Last change"))),
        (status = 304, description = "Unchanged since the client's copy"),
        (status = 404, description = "`termbase_not_found`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/v1/termbases/{tb}.tbx")]
pub async fn termbase_tbx(
    req: HttpRequest,
    state: web::Data<AppState>,
    tb: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let dir = ("ar".to_string(), "en".to_string());
    termbase_export(req, state, tb.into_inner(), TermExport::Tbx, "tbx", dir).await
}

/// The term base as an OmegaT glossary (`source<TAB>target<TAB>comment`,
/// no header), with `ETag`/`Last-Modified`.
#[utoipa::path(
    tag = "exports",
    params(("tb" = String, Path, description = "Term base name", example = "tech"), GlossaryParams),
    responses(
        (status = 200, description = "The glossary, streamed", content_type = "text/tab-separated-values", body = String,
            headers(("ETag" = String, description = "Strong validator"), ("Last-Modified" = String, description = "Last change"))),
        (status = 304, description = "Unchanged since the client's copy"),
        (status = 404, description = "`termbase_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A language that is no tag (`invalid_field`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/v1/termbases/{tb}.utf8")]
pub async fn termbase_utf8(
    req: HttpRequest,
    state: web::Data<AppState>,
    tb: web::Path<String>,
    query: web::Query<GlossaryParams>,
) -> Result<HttpResponse, ApiError> {
    let dir = direction(query.into_inner());
    termbase_export(
        req,
        state,
        tb.into_inner(),
        TermExport::Glossary,
        "utf8",
        dir,
    )
    .await
}

/// The same glossary under a `.tsv` name.
#[utoipa::path(
    tag = "exports",
    params(("tb" = String, Path, description = "Term base name", example = "tech"), GlossaryParams),
    responses(
        (status = 200, description = "The glossary, streamed", content_type = "text/tab-separated-values", body = String,
            headers(("ETag" = String, description = "Strong validator"), ("Last-Modified" = String, description = "Last change"))),
        (status = 304, description = "Unchanged since the client's copy"),
        (status = 404, description = "`termbase_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A language that is no tag (`invalid_field`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/v1/termbases/{tb}.tsv")]
pub async fn termbase_tsv(
    req: HttpRequest,
    state: web::Data<AppState>,
    tb: web::Path<String>,
    query: web::Query<GlossaryParams>,
) -> Result<HttpResponse, ApiError> {
    let dir = direction(query.into_inner());
    termbase_export(
        req,
        state,
        tb.into_inner(),
        TermExport::Glossary,
        "tsv",
        dir,
    )
    .await
}

/// Registers the export routes (before the collections' own routes, which
/// would take `x.tmx` for a name).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(memory_tmx)
        .service(termbase_tbx)
        .service(termbase_utf8)
        .service(termbase_tsv);
}
