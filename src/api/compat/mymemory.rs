//! MyMemory protocol: `GET /get` (also `/api/get`, OmegaT's spelling) and
//! `GET /set` (also `/api/set`), for clients whose MyMemory URL can be set
//! (MateCat's engine record, Okapi, scripts).
//!
//! * `q` (at most 500 bytes), `langpair=src|tgt` (any case, `-` or `_`
//!   region subtags: `EN-US|AR-SA`), `key` (a client key or the token;
//!   MateCat joins several with commas), `numres` (1–30, default 3),
//!   `onlyprivate`, `mt`, `of=json`, `de` are accepted; every memory here is
//!   private and there is no machine translation, so `onlyprivate` and `mt`
//!   change nothing.
//! * The answer always has every top-level key MyMemory sends, with
//!   `responseStatus` an integer; the best match is also `responseData`
//!   (`match` 0–1). An error is MyMemory's: HTTP 200, `responseStatus` 403
//!   and the message (in MyMemory's capitals) in `responseDetails` and
//!   `responseData.translatedText`, so clients that only read the text show
//!   it and clients that check the status (Okapi) raise it.
//! * `set` (write token): `seg`, `tra`, `langpair` store a unit in the
//!   first memory serving the pair (either direction); the unit id comes
//!   back in `responseDetails[0]`.

use super::super::upload::blocking;
use super::super::{ApiError, AppState};
use super::{selection, Selection};
use crate::memory::model::{SearchQuery, UnitDraft};
use crate::text::lang::{base_language, is_language_tag};
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// Longest `q`, in bytes (MyMemory's limit).
pub const MAX_QUERY_BYTES: usize = 500;
/// Lowest score a match needs to be listed.
const MIN_SCORE: u32 = 50;
/// Default and bounds of `numres`.
const NUMRES: (usize, usize, usize) = (3, 1, 30);
/// The `responseStatus` of every error (MyMemory's).
const ERROR_STATUS: u16 = 403;

/// The MyMemory routes' OpenAPI fragment.
#[derive(OpenApi)]
#[openapi(
    paths(get_match, api_get_match, set_unit, api_set_unit),
    components(schemas(MyMemoryResponse, MyMemoryData, MyMemoryMatch, MyMemorySetResponse)),
    tags((name = "mymemory", description = "MyMemory protocol (MateCat, OmegaT, Okapi): `GET /get`, `GET /set`; errors are HTTP 200 with `responseStatus` 403, as MyMemory answers them"))
)]
pub struct MyMemoryApi;

/// Query of `get`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GetQuery {
    /// The text, UTF-8, at most 500 bytes.
    pub q: Option<String>,
    /// `source|target`, e.g. `en|ar` or `EN-US|AR-SA`.
    pub langpair: Option<String>,
    /// Client key(s), comma-separated (see `--compat-key`), or the token.
    pub key: Option<String>,
    /// Most matches returned (1–30, default 3).
    pub numres: Option<String>,
    /// `1`: private memories only (every memory here is private).
    pub onlyprivate: Option<String>,
    /// Machine translation wanted (there is none; accepted and ignored).
    pub mt: Option<String>,
    /// Output format; only `json` is served.
    pub of: Option<String>,
    /// The user's e-mail (accepted, unused).
    pub de: Option<String>,
}

/// Query of `set`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SetQuery {
    /// Source segment.
    pub seg: Option<String>,
    /// Its translation.
    pub tra: Option<String>,
    /// `source|target`.
    pub langpair: Option<String>,
    /// Client key(s) or the write token.
    pub key: Option<String>,
    /// The user's e-mail, stored as the unit's creator.
    pub de: Option<String>,
}

/// The best match.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyMemoryData {
    /// Best translation (or the error message).
    pub translated_text: String,
    /// Its similarity, 0–1.
    #[serde(rename = "match")]
    pub match_: f64,
}

/// One match.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyMemoryMatch {
    /// `memory:unit id`.
    pub id: String,
    /// The stored text in the query's language.
    pub segment: String,
    /// Its translation.
    pub translation: String,
    /// Language of `segment`.
    pub source: String,
    /// Language of `translation`.
    pub target: String,
    /// Similarity 0–100, as a string (MyMemory's).
    pub quality: String,
    /// The unit's origin, if any.
    pub reference: Option<String>,
    /// Times used (not counted: 0).
    #[serde(rename = "usage-count")]
    pub usage_count: u32,
    /// Subject (`All`).
    pub subject: String,
    /// Creator (never `MT!`: these are human translations).
    #[serde(rename = "created-by")]
    pub created_by: String,
    /// Last editor.
    #[serde(rename = "last-updated-by")]
    pub last_updated_by: String,
    /// `YYYY-MM-DD hh:mm:ss`.
    #[serde(rename = "create-date")]
    pub create_date: String,
    /// `YYYY-MM-DD hh:mm:ss`.
    #[serde(rename = "last-update-date")]
    pub last_update_date: String,
    /// Similarity 0–1.
    #[serde(rename = "match")]
    pub match_: f64,
}

/// The answer of `get`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyMemoryResponse {
    /// The best match, or the error in `translatedText`.
    pub response_data: MyMemoryData,
    /// Always `false`.
    pub quota_finished: bool,
    /// Always `null`.
    #[schema(value_type = Option<String>)]
    pub mt_lang_supported: Option<String>,
    /// Empty, or the error.
    pub response_details: String,
    /// 200, or 403 for an error.
    pub response_status: u16,
    /// Always `null`.
    pub responder_id: Option<String>,
    /// Always `null`.
    #[serde(rename = "exception_code")]
    pub exception_code: Option<String>,
    /// Matches, best first.
    pub matches: Vec<MyMemoryMatch>,
}

/// The answer of `set`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyMemorySetResponse {
    /// `OK`, or the error.
    pub response_data: String,
    /// 200, or 403 for an error.
    pub response_status: u16,
    /// Always `null`.
    pub responder_id: Option<String>,
    /// `[unit id]` when stored, else the error (a string).
    pub response_details: serde_json::Value,
}

impl MyMemoryResponse {
    fn error(message: String) -> MyMemoryResponse {
        MyMemoryResponse {
            response_data: MyMemoryData {
                translated_text: message.clone(),
                match_: 0.0,
            },
            quota_finished: false,
            mt_lang_supported: None,
            response_details: message,
            response_status: ERROR_STATUS,
            responder_id: None,
            exception_code: None,
            matches: Vec::new(),
        }
    }
}

/// A MyMemory error message.
type Refusal = String;

const EXAMPLE: &str = "EXAMPLE: LANGPAIR=EN|IT USING 2 LETTER ISO OR RFC3066 LIKE ZH-CN. ALMOST ALL LANGUAGES SUPPORTED BUT SOME MAY HAVE NO CONTENT";

/// The two languages of `langpair`, checked (and served by a memory).
fn language_pair(
    state: &AppState,
    sel: &Selection,
    langpair: Option<&str>,
) -> Result<(String, String), Refusal> {
    let pair = langpair.unwrap_or("").trim();
    let Some((src, tgt)) = pair.split_once('|') else {
        return Err(format!("INVALID LANGUAGE PAIR SPECIFIED. {EXAMPLE}"));
    };
    let (src, tgt) = (src.trim(), tgt.trim());
    let served = state
        .memories
        .pair_languages(sel.memories.as_deref())
        .unwrap_or_default();
    for (lang, side) in [(src, "SOURCE"), (tgt, "TARGET")] {
        if !is_language_tag(lang) || !served.sources.contains(&base_language(lang)) {
            let shown: String = lang.chars().take(40).collect::<String>().to_uppercase();
            return Err(format!(
                "'{shown}' IS AN INVALID {side} LANGUAGE . {EXAMPLE}"
            ));
        }
    }
    if base_language(src) == base_language(tgt) {
        return Err("PLEASE SELECT TWO DISTINCT LANGUAGES".into());
    }
    Ok((src.to_string(), tgt.to_string()))
}

fn date(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

async fn lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<GetQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let sel = selection(&req, q.key.as_deref());
    let answer = match checked_get(&state, &sel, &q) {
        Err(message) => MyMemoryResponse::error(message),
        Ok((text, src, tgt, limit)) => {
            let mems = state.memories.clone();
            let allowed = sel.memories.clone();
            let found = blocking(move || {
                let names = mems.serving_pair(allowed.as_deref(), &src, &tgt)?;
                let sq = SearchQuery {
                    text,
                    source_lang: Some(src),
                    target_lang: Some(tgt),
                    min_score: MIN_SCORE,
                    limit,
                    context: None,
                };
                Ok(mems.search_memories(&names, &sq)?)
            })
            .await?;
            let matches: Vec<MyMemoryMatch> = found
                .into_iter()
                .map(|m| {
                    let f = m.found;
                    let by = "mustalah".to_string();
                    MyMemoryMatch {
                        id: format!("{}:{}", m.memory, f.id),
                        segment: f.source,
                        translation: f.target,
                        source: f.source_lang,
                        target: f.target_lang,
                        quality: f.score.min(100).to_string(),
                        reference: f.origin,
                        usage_count: 0,
                        subject: "All".into(),
                        created_by: by.clone(),
                        last_updated_by: by,
                        create_date: date(f.modified),
                        last_update_date: date(f.modified),
                        match_: f64::from(f.score.min(100)) / 100.0,
                    }
                })
                .collect();
            let best = matches.first().map_or(
                MyMemoryData {
                    translated_text: String::new(),
                    match_: 0.0,
                },
                |m| MyMemoryData {
                    translated_text: m.translation.clone(),
                    match_: m.match_,
                },
            );
            MyMemoryResponse {
                response_data: best,
                quota_finished: false,
                mt_lang_supported: None,
                response_details: String::new(),
                response_status: 200,
                responder_id: None,
                exception_code: None,
                matches,
            }
        }
    };
    Ok(HttpResponse::Ok().json(answer))
}

/// `(q, source, target, numres)` of a valid `get`, or MyMemory's refusal.
fn checked_get(
    state: &AppState,
    sel: &Selection,
    q: &GetQuery,
) -> Result<(String, String, String, usize), Refusal> {
    let text = q.q.as_deref().unwrap_or("");
    if text.trim().is_empty() {
        return Err("NO QUERY SPECIFIED. EXAMPLE REQUEST: GET?Q=HELLO&LANGPAIR=EN|IT".into());
    }
    if text.len() > MAX_QUERY_BYTES {
        return Err(format!(
            "QUERY LENGTH LIMIT EXCEEDED. MAX ALLOWED QUERY : {MAX_QUERY_BYTES} CHARS"
        ));
    }
    if let Some(of) = q.of.as_deref().filter(|f| !f.eq_ignore_ascii_case("json")) {
        let shown: String = of.chars().take(20).collect();
        return Err(format!(
            "OUTPUT FORMAT '{shown}' IS NOT SUPPORTED HERE. USE OF=JSON"
        ));
    }
    let limit = match q.numres.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => NUMRES.0,
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| "NUMRES MUST BE A NUMBER".to_string())?
            .clamp(NUMRES.1 as i64, NUMRES.2 as i64) as usize,
    };
    let (src, tgt) = language_pair(state, sel, q.langpair.as_deref())?;
    Ok((text.to_string(), src, tgt, limit))
}

async fn store(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SetQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let sel = selection(&req, q.key.as_deref());
    let refuse = |message: String| {
        HttpResponse::Ok().json(MyMemorySetResponse {
            response_data: message.clone(),
            response_status: ERROR_STATUS,
            responder_id: None,
            response_details: serde_json::Value::String(message),
        })
    };
    let (seg, tra) = match (q.seg.as_deref(), q.tra.as_deref()) {
        (Some(s), Some(t)) if !s.trim().is_empty() && !t.trim().is_empty() => {
            (s.to_string(), t.to_string())
        }
        _ => return Ok(refuse("SEG AND TRA ARE REQUIRED".into())),
    };
    let (src, tgt) = match language_pair(&state, &sel, q.langpair.as_deref()) {
        Ok(p) => p,
        Err(m) => return Ok(refuse(m)),
    };
    let mems = state.memories.clone();
    let allowed = sel.memories.clone();
    let creator = q.de.clone().filter(|d| !d.trim().is_empty());
    let stored = blocking(move || {
        let names = mems.serving_pair(allowed.as_deref(), &src, &tgt)?;
        let Some(name) = names.first() else {
            return Ok(None);
        };
        let meta = mems.get_meta(name)?.meta;
        let (s, t) = if base_language(&meta.source_lang) == base_language(&src) {
            (seg, tra)
        } else {
            (tra, seg)
        };
        let draft = UnitDraft {
            source: s,
            target: t,
            created_by: creator,
            ..UnitDraft::default()
        };
        match mems.add_units(name, vec![draft]) {
            Ok(report) => Ok(Some(Ok((name.clone(), report.ids)))),
            Err(crate::memory::Error::Invalid { field, message }) => {
                Ok(Some(Err(format!("{field}: {message}").to_uppercase())))
            }
            Err(e) => Err(e.into()),
        }
    })
    .await?;
    match stored {
        None => Ok(refuse("NO MEMORY SERVES THIS LANGUAGE PAIR".into())),
        Some(Err(m)) => Ok(refuse(m)),
        Some(Ok((name, ids))) => {
            state.store.flush().await?;
            let ids: Vec<String> = ids.iter().map(|id| format!("{name}:{id}")).collect();
            Ok(HttpResponse::Ok().json(MyMemorySetResponse {
                response_data: "OK".into(),
                response_status: 200,
                responder_id: None,
                response_details: serde_json::json!(ids),
            }))
        }
    }
}

/// Looks a text up (MyMemory `get`).
#[utoipa::path(
    tag = "mymemory",
    params(GetQuery),
    responses((status = 200, description = "Matches; an error has `responseStatus` 403 and the message in `responseDetails`", body = MyMemoryResponse))
)]
#[get("/get")]
pub async fn get_match(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<GetQuery>,
) -> Result<HttpResponse, ApiError> {
    lookup(req, state, query).await
}

/// OmegaT's spelling of `/get`.
#[utoipa::path(
    tag = "mymemory",
    params(GetQuery),
    responses((status = 200, description = "As `/get`", body = MyMemoryResponse))
)]
#[get("/api/get")]
pub async fn api_get_match(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<GetQuery>,
) -> Result<HttpResponse, ApiError> {
    lookup(req, state, query).await
}

/// Stores a unit (MyMemory `set`; write token).
#[utoipa::path(
    tag = "mymemory",
    params(SetQuery),
    responses((status = 200, description = "`responseDetails` holds `[id]`; an error has `responseStatus` 403", body = MyMemorySetResponse)),
    security(("bearer" = []))
)]
#[get("/set")]
pub async fn set_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SetQuery>,
) -> Result<HttpResponse, ApiError> {
    store(req, state, query).await
}

/// `/set` under `/api/`.
#[utoipa::path(
    tag = "mymemory",
    params(SetQuery),
    responses((status = 200, description = "As `/set`", body = MyMemorySetResponse)),
    security(("bearer" = []))
)]
#[get("/api/set")]
pub async fn api_set_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SetQuery>,
) -> Result<HttpResponse, ApiError> {
    store(req, state, query).await
}

/// Registers the MyMemory routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_match)
        .service(api_get_match)
        .service(set_unit)
        .service(api_set_unit);
}
