//! translate-toolkit `tmserver` / amaGama protocol, under `/tmserver/` and
//! `/api/v1/` (Weblate's and Okapi's configurable machinery, Virtaal,
//! Pootle).
//!
//! * `GET {base}/{src}/{tgt}/unit/{url-encoded text}`, or `…/unit/?source=`;
//!   `min_similarity` (default 70, clamped to 30–100), `max_candidates`
//!   (default 5, clamped to 1–30), JSONP through `callback` or
//!   `jsoncallback`. The answer is an array, best first, of
//!   `{source, target, context, quality, rank}`; `quality` is always a
//!   float (`100.0`: Okapi reads it as a Java `Double`), `rank` is the
//!   1-based position.
//! * `GET {base}/languages/`: `{"sourceLanguages": […], "targetLanguages": […]}`.
//! * Languages in any spelling (`ar_SA`, `ar-SA`, `AR`, `pt_br`) are
//!   compared by base language; a pair no memory serves, or a language with
//!   itself, answers `[]` (amaGama's 404 there makes clients report an
//!   error for a normal situation). A malformed code is a 400.
//! * Slashes may be doubled (Virtaal appends `/%s/%s/unit` to a base that
//!   ends in `/`); the text is everything after `unit/`, so an unencoded
//!   `/` in it survives too.
//! * Writes (write token): `POST …/unit/{text}` with `{"source","target"}`
//!   adds a unit to the first memory serving the pair, `POST …/store/{sid}`
//!   with a list of them adds them all with origin `sid` and answers
//!   `added N units from sid`.
//!
//! Reads carry `Cache-Control: max-age=300` (`public` when the server has
//! no read token, `private` otherwise).

use super::super::upload::blocking;
use super::super::{ApiError, AppState, Problem};
use super::{percent_decode, selection, Selection};
use crate::memory::model::{SearchQuery, UnitDraft};
use crate::text::lang::{base_language, is_language_tag};
use actix_web::{http::header, http::StatusCode, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// Default and bounds of `min_similarity`.
const MIN_SIMILARITY: (i64, i64, i64) = (70, 30, 100);
/// Default and bounds of `max_candidates`.
const MAX_CANDIDATES: (i64, i64, i64) = (5, 1, 30);
/// How long a client or proxy may reuse a read.
const CACHE_SECONDS: u32 = 300;

/// The tmserver routes' OpenAPI fragment.
#[derive(OpenApi)]
#[openapi(
    paths(
        unit_by_path,
        unit_by_query,
        languages,
        api_v1_unit_by_path,
        api_v1_languages,
        add_unit,
        add_store
    ),
    components(schemas(TmSuggestion, TmLanguages, TmUnitIn)),
    tags((name = "tmserver", description = "translate-toolkit tmserver / amaGama protocol (Weblate, Okapi, Virtaal, Pootle): `/tmserver/` and its alias `/api/v1/`"))
)]
pub struct TmserverApi;

/// One suggestion, as amaGama and tmserver send it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TmSuggestion {
    /// The stored text in the query's language.
    pub source: String,
    /// Its translation.
    pub target: String,
    /// The unit's context key, empty when it has none.
    pub context: String,
    /// Similarity 0.0–100.0, always a float.
    #[schema(example = 100.0)]
    pub quality: f64,
    /// 1-based position in the answer (amaGama: "internal, ignore").
    pub rank: f64,
}

/// Languages the memories answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TmLanguages {
    /// Languages a query may be written in (base subtags).
    pub source_languages: Vec<String>,
    /// Languages suggestions may come in.
    pub target_languages: Vec<String>,
}

/// A unit to store (write endpoints).
#[derive(Debug, Deserialize, ToSchema)]
pub struct TmUnitIn {
    /// Text in the path's source language.
    pub source: String,
    /// Its translation.
    pub target: String,
}

/// Query options of a lookup.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// The text, when the path ends in `unit/`.
    pub source: Option<String>,
    /// Lowest quality returned (30–100, default 70; outside is clamped).
    pub min_similarity: Option<String>,
    /// Most suggestions returned (1–30, default 5; outside is clamped).
    pub max_candidates: Option<String>,
    /// JSONP function name (translate-toolkit).
    pub callback: Option<String>,
    /// JSONP function name (Pootle).
    pub jsoncallback: Option<String>,
    /// A client key selecting memories (see `--compat-key`), or the token.
    pub key: Option<String>,
}

/// What a request path asks for.
#[derive(Debug, PartialEq)]
enum Call {
    Languages,
    Unit {
        source: String,
        target: String,
        raw_text: String,
    },
    Store {
        source: String,
        target: String,
        sid: String,
    },
}

/// Reads the part of the path after the base (`/tmserver`, `/api/v1`),
/// tolerating repeated slashes. `None`: no such call.
fn parse_call(rest: &str) -> Option<Call> {
    if !rest.is_empty() && !rest.starts_with('/') {
        return None;
    }
    // Non-empty segments with the byte offset just past each.
    let mut segs: Vec<(&str, usize)> = Vec::new();
    let mut at = 0;
    for s in rest.split('/') {
        at += s.len();
        if !s.is_empty() {
            segs.push((s, at));
        }
        at += 1;
        if segs.len() == 3 {
            break;
        }
    }
    match segs.as_slice() {
        [("languages", end)] if rest[(*end).min(rest.len())..].trim_matches('/').is_empty() => {
            Some(Call::Languages)
        }
        [(src, _), (tgt, _), ("unit", end)] => Some(Call::Unit {
            source: (*src).to_string(),
            target: (*tgt).to_string(),
            raw_text: rest
                .get(*end..)
                .unwrap_or("")
                .trim_start_matches('/')
                .to_string(),
        }),
        [(src, _), (tgt, _), ("store", end)] => {
            let sid = rest.get(*end..).unwrap_or("").trim_matches('/');
            (!sid.is_empty() && !sid.contains('/')).then(|| Call::Store {
                source: (*src).to_string(),
                target: (*tgt).to_string(),
                sid: sid.to_string(),
            })
        }
        _ => None,
    }
}

/// The call of `req`, after its base.
fn call_of(req: &HttpRequest) -> Result<Call, ApiError> {
    let path = req.uri().path();
    let rest = ["/tmserver", "/api/v1"]
        .iter()
        .find_map(|b| path.strip_prefix(b))
        .unwrap_or("");
    parse_call(rest).ok_or_else(|| {
        ApiError::not_found(
            "route_not_found",
            format!("no route for {} {}", req.method(), path),
        )
    })
}

fn language(field: &'static str, raw: &str) -> Result<String, ApiError> {
    let decoded = percent_decode(raw).unwrap_or_default();
    if !is_language_tag(&decoded) {
        let shown: String = decoded.chars().take(40).collect();
        return Err(ApiError::bad_request(
            "invalid_language",
            format!("{shown:?} is not a language code like en, ar_SA or pt-BR"),
        )
        .with_field(field));
    }
    Ok(decoded)
}

/// A numeric option, clamped to its bounds; a value that is no number is a 400.
fn clamped(
    field: &'static str,
    v: Option<&str>,
    (default, lo, hi): (i64, i64, i64),
) -> Result<i64, ApiError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    let n: f64 = v
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite())
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_query",
                format!("{field} must be a number, got {v:?}"),
            )
            .with_field(field)
        })?;
    Ok((n.round().clamp(lo as f64, hi as f64)) as i64)
}

/// A JSONP function name: letters, digits, `_`, `$`, `.` (at most 128).
fn callback_name(q: &UnitQuery) -> Result<Option<String>, ApiError> {
    let Some(name) = q.callback.as_deref().or(q.jsoncallback.as_deref()) else {
        return Ok(None);
    };
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'));
    if !ok {
        return Err(ApiError::bad_request(
            "invalid_callback",
            "callback must be a JavaScript function name (letters, digits, _ $ .)",
        )
        .with_field("callback"));
    }
    Ok(Some(name.to_string()))
}

/// `value` as JSON, or as JSONP when a callback was asked for; cacheable.
fn answer<T: Serialize>(req: &HttpRequest, value: &T, callback: Option<String>) -> HttpResponse {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    let private = req
        .app_data::<web::Data<super::super::auth::Tokens>>()
        .is_some_and(|t| t.read.is_some());
    let cache = format!(
        "{}, max-age={CACHE_SECONDS}",
        if private { "private" } else { "public" }
    );
    let mut resp = HttpResponse::Ok();
    resp.insert_header((header::CACHE_CONTROL, cache));
    match callback {
        Some(f) => resp
            .content_type("application/javascript; charset=utf-8")
            .body(format!("{f}({json});")),
        None => resp
            .content_type("application/json; charset=utf-8")
            .body(json),
    }
}

/// `GET` on either base.
async fn read(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<UnitQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let callback = callback_name(&q)?;
    let sel = selection(&req, q.key.as_deref());
    match call_of(&req)? {
        Call::Languages => {
            let mems = state.memories.clone();
            let langs = blocking(move || Ok(mems.pair_languages(sel.memories.as_deref())?)).await?;
            // Weblate compares its own codes (`en_us`, `pt_br`: `-` → `_`,
            // lower case) with this list, so the memories' full tags are
            // listed in that spelling beside the base languages.
            let weblate: Vec<String> = langs
                .tags
                .iter()
                .map(|t| t.replace('-', "_").to_ascii_lowercase())
                .collect();
            let with_tags = |base: std::collections::BTreeSet<String>| -> Vec<String> {
                let mut all = base;
                all.extend(weblate.iter().cloned());
                all.into_iter().collect()
            };
            let body = TmLanguages {
                source_languages: with_tags(langs.sources),
                target_languages: with_tags(langs.targets),
            };
            Ok(answer(&req, &body, callback))
        }
        Call::Unit {
            source,
            target,
            raw_text,
        } => {
            let (source, target) = (
                language("source_lang", &source)?,
                language("target_lang", &target)?,
            );
            let text = if raw_text.is_empty() {
                q.source.clone().unwrap_or_default()
            } else {
                percent_decode(&raw_text).ok_or_else(|| {
                    ApiError::bad_request("invalid_path", "the text is not UTF-8 once decoded")
                })?
            };
            let min_score = clamped(
                "min_similarity",
                q.min_similarity.as_deref(),
                MIN_SIMILARITY,
            )? as u32;
            let limit = clamped(
                "max_candidates",
                q.max_candidates.as_deref(),
                MAX_CANDIDATES,
            )? as usize;
            let found = lookup(&state, &sel, text, &source, &target, min_score, limit).await?;
            Ok(answer(&req, &found, callback))
        }
        Call::Store { .. } => Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "store accepts POST only",
        )),
    }
}

/// Suggestions for `text` from the memories serving the pair.
async fn lookup(
    state: &AppState,
    sel: &Selection,
    text: String,
    source: &str,
    target: &str,
    min_score: u32,
    limit: usize,
) -> Result<Vec<TmSuggestion>, ApiError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mems = state.memories.clone();
    let allowed = sel.memories.clone();
    let (source, target) = (source.to_string(), target.to_string());
    blocking(move || {
        let names = mems.serving_pair(allowed.as_deref(), &source, &target)?;
        let q = SearchQuery {
            text,
            source_lang: Some(source),
            target_lang: Some(target),
            min_score,
            limit,
            context: None,
        };
        let found = mems.search_memories(&names, &q)?;
        Ok(found
            .into_iter()
            .enumerate()
            .map(|(i, m)| TmSuggestion {
                source: m.found.source,
                target: m.found.target,
                context: m.found.context.unwrap_or_default(),
                quality: f64::from(m.found.score.min(100)),
                rank: (i + 1) as f64,
            })
            .collect())
    })
    .await
}

/// `POST` on either base: the optional write endpoints.
async fn write(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<UnitQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let sel = selection(&req, q.key.as_deref());
    let parse = |what: &str| -> Result<serde_json::Value, ApiError> {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request("malformed_json", format!("{what}: {e}"))
                .with_position(Some(e.line() as u64), Some(e.column() as u64))
        })
    };
    let (source, target, units, origin) = match call_of(&req)? {
        Call::Unit { source, target, .. } => {
            let u: TmUnitIn =
                serde_json::from_value(parse("the body must be {\"source\",\"target\"}")?)
                    .map_err(|e| ApiError::invalid_field("source", e.to_string()))?;
            (source, target, vec![u], None)
        }
        Call::Store {
            source,
            target,
            sid,
        } => {
            let units: Vec<TmUnitIn> = serde_json::from_value(parse(
                "the body must be a list of {\"source\",\"target\"}",
            )?)
            .map_err(|e| ApiError::invalid_field("units", e.to_string()))?;
            let sid = percent_decode(&sid).unwrap_or(sid);
            (source, target, units, Some(sid))
        }
        Call::Languages => {
            return Err(ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "languages accepts GET only",
            ))
        }
    };
    let (source, target) = (
        language("source_lang", &source)?,
        language("target_lang", &target)?,
    );
    if units.is_empty() || units.len() > crate::memory::MAX_UNITS_PER_REQUEST {
        return Err(ApiError::invalid_field(
            "units",
            format!("send 1 to {} units", crate::memory::MAX_UNITS_PER_REQUEST),
        ));
    }
    let n = units.len();
    let mems = state.memories.clone();
    let allowed = sel.memories.clone();
    let stored_origin = origin.clone();
    blocking(move || {
        let names = mems.serving_pair(allowed.as_deref(), &source, &target)?;
        let Some(name) = names.first() else {
            return Err(ApiError::not_found(
                "memory_not_found",
                format!("no memory serves {source}→{target}"),
            ));
        };
        let meta = mems.get_meta(name)?.meta;
        let forward = base_language(&meta.source_lang) == base_language(&source);
        let drafts = units
            .into_iter()
            .map(|u| {
                let (s, t) = if forward {
                    (u.source, u.target)
                } else {
                    (u.target, u.source)
                };
                UnitDraft {
                    source: s,
                    target: t,
                    origin: stored_origin.clone(),
                    ..UnitDraft::default()
                }
            })
            .collect();
        mems.add_units(name, drafts)?;
        Ok(())
    })
    .await?;
    state.store.flush().await?;
    Ok(match origin {
        Some(sid) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body(format!("added {n} units from {sid}")),
        None => HttpResponse::Ok().finish(),
    })
}

/// Registers both bases (any depth below them: see [`parse_call`]).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/tmserver{rest:.*}", "/api/v1{rest:.*}"])
            .route(web::get().to(read))
            .route(web::post().to(write))
            .default_service(web::to(super::super::not_found)),
    );
}

// The routes are served by the two handlers above; these items document
// them, one per path (the OpenAPI document cannot express "any base").

/// Suggestions for a text in the path (URL-encoded).
#[utoipa::path(
    get,
    path = "/tmserver/{source_lang}/{target_lang}/unit/{text}",
    tag = "tmserver",
    params(
        ("source_lang" = String, Path, description = "Language of the text (`en`, `ar_SA`, `pt-BR`…)", example = "en"),
        ("target_lang" = String, Path, description = "Language of the suggestions", example = "ar"),
        ("text" = String, Path, description = "The text, URL-encoded", example = "Save the file"),
        UnitQuery
    ),
    responses(
        (status = 200, description = "Suggestions, best first (`application/javascript` with a callback)",
            content((Vec<TmSuggestion> = "application/json"), (String = "application/javascript"))),
        (status = 400, description = "Malformed language code (`invalid_language`), option or callback", body = Problem, content_type = "application/problem+json")
    )
)]
#[allow(dead_code)]
fn unit_by_path() {}

/// Suggestions for the text in `?source=`.
#[utoipa::path(
    get,
    path = "/tmserver/{source_lang}/{target_lang}/unit/",
    tag = "tmserver",
    params(
        ("source_lang" = String, Path, description = "Language of the text", example = "en"),
        ("target_lang" = String, Path, description = "Language of the suggestions", example = "ar"),
        UnitQuery
    ),
    responses(
        (status = 200, description = "Suggestions, best first (`application/javascript` with a callback)",
            content((Vec<TmSuggestion> = "application/json"), (String = "application/javascript"))),
        (status = 400, description = "Malformed language code, option or callback", body = Problem, content_type = "application/problem+json")
    )
)]
#[allow(dead_code)]
fn unit_by_query() {}

/// Languages the memories answer.
#[utoipa::path(
    get,
    path = "/tmserver/languages/",
    tag = "tmserver",
    responses((status = 200, description = "Source and target languages (`application/javascript` with a callback)",
        content((TmLanguages = "application/json"), (String = "application/javascript"))))
)]
#[allow(dead_code)]
fn languages() {}

/// amaGama's spelling of `/tmserver/{source_lang}/{target_lang}/unit/{text}`.
#[utoipa::path(
    get,
    path = "/api/v1/{source_lang}/{target_lang}/unit/{text}",
    tag = "tmserver",
    params(
        ("source_lang" = String, Path, description = "Language of the text", example = "en"),
        ("target_lang" = String, Path, description = "Language of the suggestions", example = "ar"),
        ("text" = String, Path, description = "The text, URL-encoded", example = "Save the file"),
        UnitQuery
    ),
    responses(
        (status = 200, description = "Suggestions, best first (`application/javascript` with a callback)",
            content((Vec<TmSuggestion> = "application/json"), (String = "application/javascript"))),
        (status = 400, description = "Malformed language code, option or callback", body = Problem, content_type = "application/problem+json")
    )
)]
#[allow(dead_code)]
fn api_v1_unit_by_path() {}

/// amaGama's spelling of `/tmserver/languages/`.
#[utoipa::path(
    get,
    path = "/api/v1/languages/",
    tag = "tmserver",
    responses((status = 200, description = "Source and target languages (`application/javascript` with a callback)",
        content((TmLanguages = "application/json"), (String = "application/javascript"))))
)]
#[allow(dead_code)]
fn api_v1_languages() {}

/// Stores one unit in the first memory serving the pair (write token).
#[utoipa::path(
    post,
    path = "/tmserver/{source_lang}/{target_lang}/unit/{text}",
    tag = "tmserver",
    params(
        ("source_lang" = String, Path, description = "Language of `source`", example = "en"),
        ("target_lang" = String, Path, description = "Language of `target`", example = "ar"),
        ("text" = String, Path, description = "The source text (informational; the body's `source` is stored)", example = "Save the file"),
    ),
    request_body = TmUnitIn,
    responses(
        (status = 200, description = "Stored (empty body)"),
        (status = 400, description = "Malformed JSON or language code", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No memory serves the pair (`memory_not_found`)", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[allow(dead_code)]
fn add_unit() {}

/// Stores a list of units with origin `sid` (write token).
#[utoipa::path(
    post,
    path = "/tmserver/{source_lang}/{target_lang}/store/{sid}",
    tag = "tmserver",
    params(
        ("source_lang" = String, Path, description = "Language of each `source`", example = "en"),
        ("target_lang" = String, Path, description = "Language of each `target`", example = "ar"),
        ("sid" = String, Path, description = "Store id, kept as the units' origin", example = "po-file-1"),
    ),
    request_body = Vec<TmUnitIn>,
    responses(
        (status = 200, description = "`added N units from sid`", body = String, content_type = "text/plain"),
        (status = 400, description = "Malformed JSON or language code", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No memory serves the pair (`memory_not_found`)", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[allow(dead_code)]
fn add_store() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_with_doubled_slashes_and_slashes_in_the_text() {
        let unit = |s: &str, t: &str, x: &str| Call::Unit {
            source: s.into(),
            target: t.into(),
            raw_text: x.into(),
        };
        assert_eq!(parse_call("/languages/"), Some(Call::Languages));
        assert_eq!(parse_call("//languages"), Some(Call::Languages));
        assert_eq!(
            parse_call("/en/ar/unit/Save%20the%20file"),
            Some(unit("en", "ar", "Save%20the%20file"))
        );
        assert_eq!(
            parse_call("//en//ar//unit//a/b"),
            Some(unit("en", "ar", "a/b"))
        );
        assert_eq!(parse_call("/en/ar/unit/"), Some(unit("en", "ar", "")));
        assert_eq!(parse_call("/en/ar/unit"), Some(unit("en", "ar", "")));
        assert_eq!(
            parse_call("/en/ar/store/s1"),
            Some(Call::Store {
                source: "en".into(),
                target: "ar".into(),
                sid: "s1".into()
            })
        );
        for bad in [
            "",
            "/",
            "x/en/ar/unit/a",
            "/en/ar/units/a",
            "/languages/x",
            "/en/ar/store/",
        ] {
            assert_eq!(parse_call(bad), None, "{bad}");
        }
    }

    #[test]
    fn options_clamp_and_reject_non_numbers() {
        assert_eq!(clamped("m", None, MIN_SIMILARITY).unwrap(), 70);
        assert_eq!(clamped("m", Some("10"), MIN_SIMILARITY).unwrap(), 30);
        assert_eq!(clamped("m", Some("85.4"), MIN_SIMILARITY).unwrap(), 85);
        assert_eq!(clamped("m", Some("1e9"), MIN_SIMILARITY).unwrap(), 100);
        assert_eq!(clamped("c", Some("-3"), MAX_CANDIDATES).unwrap(), 1);
        assert_eq!(clamped("c", Some("500"), MAX_CANDIDATES).unwrap(), 30);
        assert_eq!(
            clamped("c", Some("NaN"), MAX_CANDIDATES)
                .unwrap_err()
                .code(),
            "invalid_query"
        );
        assert_eq!(
            clamped("c", Some("x"), MAX_CANDIDATES).unwrap_err().code(),
            "invalid_query"
        );
    }
}
