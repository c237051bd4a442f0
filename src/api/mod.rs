//! HTTP layer: actix-web handlers and the OpenAPI document.
//!
//! Handlers are thin: extract, call the domain, map to a wire type. Each
//! resource lives in its own file with its own `configure` and its own
//! `#[derive(OpenApi)]` fragment; [`openapi`] merges the fragments, so a route
//! is documented where it is defined. Wire types derive `ToSchema`; domain
//! types do not.

pub mod align;
pub mod analysis;
pub mod auth;
pub mod candidates;
pub mod charset;
pub mod compat;
pub mod docs;
pub mod download;
pub mod error;
pub mod guard;
pub mod health;
pub mod memories;
pub mod memory_dto;
pub mod state;
pub mod suggest;
pub mod termbase_dto;
pub mod termbases;
pub mod upload;
pub mod xliff;

pub use error::{ApiError, Problem};
pub use state::AppState;

use actix_web::{http::Method, web, HttpRequest, HttpResponse};
use utoipa::OpenApi;

/// The API's top-level description; resource files contribute paths.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "mustalah",
        description = "Translation-memory and term-base server for Arabic↔English technical translation.\n\nErrors are `application/problem+json` with a stable `code`. When the server runs with `--write-token`, mutating requests need `Authorization: Bearer <token>`; with `--read-token`, reads need a token too.",
        license(name = "MIT OR Apache-2.0")
    ),
    components(schemas(Problem)),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "termbases", description = "Term bases, entries, lookup, recognition, import/export"),
        (name = "memories", description = "Translation memories, units, fuzzy search, concordance, import/export"),
        (name = "suggest", description = "Article suggestions: segmentation, matches, term alignment, repair, checks"),
        (name = "xliff", description = "CAT tools through their own files: XLIFF pre-translation (1.2, SDLXLIFF, MQXLIFF, 2.x) and match analysis"),
        (name = "align", description = "Bilingual alignment of a document and its translation into sentence links and units")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Answers any route can give besides its own: malformed requests (400:
/// `malformed_json`, `invalid_path`, `invalid_query`), missing or wrong
/// tokens or a foreign web origin (401, 403), a body that stops arriving
/// (408), bodies over the limit (413), a wrong content type or encoding
/// (415), a `Host` not answered (421), invalid names or fields (422),
/// internal failures (500). Added to
/// every operation that does not document them itself, so the document
/// matches what clients really receive.
fn add_common_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let common: [(&str, &str); 9] = [
        ("400", "Malformed request: JSON, path or query (`malformed_json`, `invalid_path`, `invalid_query`)"),
        ("401", "Token missing or wrong (`unauthorized`), when the server runs with tokens"),
        ("403", "Read token used for a change (`forbidden`), or a change from a web origin not allowed (`cross_origin_refused`)"),
        ("408", "The request body stopped arriving or came too slowly (`body_timeout`, see --body-timeout)"),
        ("413", "Body over the configured limit (`payload_too_large`)"),
        ("415", "Unsupported content type or format (`unsupported_media_type`, `unknown_format`)"),
        ("421", "`Host` not answered by this server (`host_not_allowed`, see --allowed-host)"),
        ("422", "Invalid name or field (`invalid_name`, `invalid_field`, `invalid_json_body`)"),
        ("500", "Internal failure (`internal_error`); the cause is in the server log"),
    ];
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            for (status, description) in common {
                if op.responses.responses.contains_key(status) {
                    continue;
                }
                let response = ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build();
                op.responses
                    .responses
                    .insert(status.to_string(), response.into());
            }
        }
    }
}

/// The per-module OpenAPI fragments, merged by [`openapi`].
fn fragments() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        candidates::CandidatesApi::openapi(),
        health::HealthApi::openapi(),
        align::AlignApi::openapi(),
        memories::MemoryApi::openapi(),
        suggest::SuggestApi::openapi(),
        termbases::TermbaseApi::openapi(),
        xliff::XliffApi::openapi(),
        analysis::AnalysisApi::openapi(),
    ]
    .into_iter()
    .chain(compat::fragments())
    .collect()
}

/// The complete OpenAPI document (deterministic: same code, same bytes).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for fragment in fragments() {
        doc.merge(fragment);
    }
    add_common_errors(&mut doc);
    doc
}

/// Checks a collection name (term base or memory) from a path: 1–64
/// characters of `A–Z a–z 0–9 . _ -`, not starting with `.` (so no `..`).
pub fn validate_name(field: &str, name: &str) -> Result<(), ApiError> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if name.is_empty() || name.len() > 64 || !ok_chars || name.starts_with('.') {
        let shown: String = name.chars().take(80).collect();
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
            format!("{field} {shown:?} is not a valid name: use 1-64 characters of A-Z a-z 0-9 . _ - not starting with '.'"),
        )
        .with_field(field));
    }
    Ok(())
}

/// A numeric request field: `default` when absent, 422 `invalid_field`
/// naming it when outside `lo..=hi` (limits are checked, never clamped).
pub fn bounded(
    field: &'static str,
    v: Option<i64>,
    default: i64,
    lo: i64,
    hi: i64,
) -> Result<i64, ApiError> {
    let v = v.unwrap_or(default);
    if v < lo || v > hi {
        return Err(ApiError::invalid_field(
            field,
            format!("{field} must be between {lo} and {hi}, got {v}"),
        ));
    }
    Ok(v)
}

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // First: the export URLs (`/v1/memories/{tm}.tmx`) must win over the
    // memory and term-base routes, which would take `x.tmx` for a name.
    compat::configure(cfg);
    candidates::configure(cfg);
    health::configure(cfg);
    align::configure(cfg);
    memories::configure(cfg);
    suggest::configure(cfg);
    termbases::configure(cfg);
    xliff::configure(cfg);
    analysis::configure(cfg);
}

/// Echoes the request id that the tracing middleware assigned (and logs
/// with every line of the request) as `x-request-id`, so a client can quote it.
pub async fn request_id_header(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::HttpMessage;
    let id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| id.to_string());
    let mut res = next.call(req).await?;
    if let Some(v) = id.and_then(|id| actix_web::http::header::HeaderValue::from_str(&id).ok()) {
        res.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("x-request-id"),
            v,
        );
    }
    Ok(res)
}

/// Fallback for unmatched requests: 405 (with `Allow`) when the path exists
/// under another method, else 404; both as problem JSON.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let allowed = allowed_methods(req.path());
    if allowed.is_empty() || allowed.contains(req.method()) {
        return actix_web::ResponseError::error_response(&ApiError::not_found(
            "route_not_found",
            format!("no route for {} {}", req.method(), req.path()),
        ));
    }
    let allow = allowed
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut resp = actix_web::ResponseError::error_response(&ApiError::new(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} is not allowed on {}; allowed: {allow}",
            req.method(),
            req.path()
        ),
    ));
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allow) {
        resp.headers_mut().insert(actix_web::http::header::ALLOW, v);
    }
    resp
}

/// Methods the documented API accepts on `path`.
fn allowed_methods(path: &str) -> Vec<Method> {
    static ROUTES: std::sync::OnceLock<Vec<(actix_web::dev::ResourceDef, Vec<Method>)>> =
        std::sync::OnceLock::new();
    let routes = ROUTES.get_or_init(|| {
        let doc = openapi();
        doc.paths
            .paths
            .iter()
            .map(|(p, item)| {
                let mut methods = Vec::new();
                let pairs = [
                    (&item.get, Method::GET),
                    (&item.put, Method::PUT),
                    (&item.post, Method::POST),
                    (&item.delete, Method::DELETE),
                    (&item.patch, Method::PATCH),
                    (&item.head, Method::HEAD),
                ];
                for (op, m) in pairs {
                    if op.is_some() {
                        methods.push(m);
                    }
                }
                (actix_web::dev::ResourceDef::new(p.as_str()), methods)
            })
            .collect()
    });
    routes
        .iter()
        .filter(|(def, _)| def.is_match(path))
        .flat_map(|(_, m)| m.iter().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// utoipa's merge keeps the first schema of a given name, so two DTOs
    /// with the same type name in different modules would silently document
    /// one module's responses with the other's shape.
    #[test]
    fn fragments_never_define_one_schema_name_twice_differently() {
        let mut seen: std::collections::BTreeMap<String, serde_json::Value> =
            std::collections::BTreeMap::new();
        let mut all = fragments();
        all.insert(0, ApiDoc::openapi());
        for fragment in all {
            let Some(components) = fragment.components else {
                continue;
            };
            for (name, schema) in components.schemas {
                let schema = serde_json::to_value(&schema).expect("schema serializes");
                if let Some(earlier) = seen.get(&name) {
                    assert_eq!(earlier, &schema, "schema {name} defined twice, differently");
                } else {
                    seen.insert(name, schema);
                }
            }
        }
    }

    #[test]
    fn names_are_checked() {
        for ok in ["tech", "default", "ar-en_v2.1"] {
            assert!(validate_name("tb", ok).is_ok(), "{ok}");
        }
        let long = "x".repeat(10_000);
        for bad in [
            "",
            "..",
            ".hidden",
            "a/b",
            "a\u{0}b",
            "مصطلح",
            long.as_str(),
        ] {
            let e = validate_name("tb", bad).unwrap_err();
            assert_eq!(e.code(), "invalid_name");
        }
    }
}
