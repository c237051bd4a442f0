//! LanguageTool's HTTP API, answering with terminology QA, for editors that
//! use a remote LanguageTool server by URL (OmegaT 4+'s LanguageTool bridge,
//! `language-tool-python`'s `remote_server=`, editor plugins).
//!
//! * `POST /v2/check`, form-encoded (`application/x-www-form-urlencoded`,
//!   as every LanguageTool client sends it; the parameters may also come in
//!   the query string, and `GET` is accepted): `text` (the target segment),
//!   `language` (its language, `auto` guesses from the script), optional
//!   `srctext` (the source segment) and `motherTongue` (its language; the
//!   other of ar/en when absent).
//! * `GET|POST /v2/languages`: the languages of the term bases.
//!
//! The checks are [`crate::suggest::check_translation`]'s: with `srctext`,
//! a source term whose preferred translation is missing, a forbidden or
//! deprecated target term (the preferred one as replacement), a number of
//! the source missing in the target; without it, only forbidden and
//! deprecated terms. `offset`/`length` are UTF-16 code units, as Java and
//! LanguageTool count; a finding with no place in the target (a missing
//! term or number) covers the whole text. Errors are LanguageTool's:
//! 400, `text/plain`, `Error: …`.

use super::super::upload::blocking;
use super::super::{ApiError, AppState};
use super::selection;
use crate::suggest::{adapters::TermBaseRecognizer, check_translation, CheckCode, QaFinding};
use crate::text::{self, lang::is_language_tag, utf16::utf16_range};
use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// Longest `text` (or `srctext`) checked, in characters (LanguageTool's
/// public server limit is 20,000 for free use).
pub const MAX_TEXT_CHARS: usize = 20_000;

/// The LanguageTool routes' OpenAPI fragment.
#[derive(OpenApi)]
#[openapi(
    paths(check_post, check_get, languages_get, languages_post),
    components(schemas(
        CheckForm,
        LtResponse,
        LtSoftware,
        LtLanguage,
        LtDetected,
        LtMatch,
        LtReplacement,
        LtContext,
        LtType,
        LtRule,
        LtCategory,
        LtWarnings,
        LtLanguageInfo
    )),
    tags((name = "languagetool", description = "LanguageTool HTTP API answered with terminology QA (OmegaT's remote LanguageTool, language-tool-python): `POST /v2/check` (form-encoded), `/v2/languages`"))
)]
pub struct LanguageToolApi;

/// Parameters of a check (form body or query string).
#[derive(Debug, Default, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct CheckForm {
    /// The text to check: the target segment.
    pub text: Option<String>,
    /// Its language (`ar`, `en-US`, `auto`).
    pub language: Option<String>,
    /// The source segment (enables the missing-term and number checks).
    pub srctext: Option<String>,
    /// Language of `srctext`.
    pub mother_tongue: Option<String>,
    /// A client key selecting term bases (see `--compat-key`), or the token.
    pub key: Option<String>,
}

/// The answer of a check.
#[derive(Debug, Serialize, ToSchema)]
pub struct LtResponse {
    /// Who answered.
    pub software: LtSoftware,
    /// Always complete.
    pub warnings: LtWarnings,
    /// The language checked.
    pub language: LtLanguage,
    /// Findings, in text order.
    pub matches: Vec<LtMatch>,
}

/// `software`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LtSoftware {
    /// `mustalah`.
    pub name: String,
    /// The server version.
    pub version: String,
    /// Empty.
    pub build_date: String,
    /// LanguageTool API version, `"1"`: OmegaT's bridge compares it with
    /// the string `"1"` (and warns on anything else).
    pub api_version: String,
    /// Always `false`.
    pub premium: bool,
    /// Empty.
    pub status: String,
}

/// `warnings`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LtWarnings {
    /// Always `false`.
    pub incomplete_results: bool,
}

/// `language`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LtLanguage {
    /// Language name.
    pub name: String,
    /// Code as asked (or guessed for `auto`).
    pub code: String,
    /// The same, as LanguageTool reports detection.
    pub detected_language: LtDetected,
}

/// `language.detectedLanguage`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LtDetected {
    /// Language name.
    pub name: String,
    /// Code.
    pub code: String,
    /// 1.0.
    pub confidence: f64,
}

/// One finding.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LtMatch {
    /// Explanation.
    pub message: String,
    /// Short explanation.
    pub short_message: String,
    /// What to write instead.
    pub replacements: Vec<LtReplacement>,
    /// Start in UTF-16 code units of `text`.
    pub offset: usize,
    /// Length in UTF-16 code units.
    pub length: usize,
    /// The text around the finding.
    pub context: LtContext,
    /// The checked text.
    pub sentence: String,
    /// `Other`.
    #[serde(rename = "type")]
    pub kind: LtType,
    /// The rule that fired.
    pub rule: LtRule,
    /// `false`.
    pub ignore_for_incomplete_sentence: bool,
    /// 0.
    pub context_for_sure_match: i32,
}

/// A replacement.
#[derive(Debug, Serialize, ToSchema)]
pub struct LtReplacement {
    /// The text.
    pub value: String,
}

/// `context`: here the whole text, with the finding's place in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LtContext {
    /// The text.
    pub text: String,
    /// UTF-16 offset of the finding in `text`.
    pub offset: usize,
    /// UTF-16 length.
    pub length: usize,
}

/// `type`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LtType {
    /// `Other`.
    pub type_name: String,
}

/// `rule`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LtRule {
    /// `MUSTALAH_MISSING_TERM`, `MUSTALAH_FORBIDDEN_TERM`,
    /// `MUSTALAH_DEPRECATED_TERM` or `MUSTALAH_NUMBER_MISMATCH`.
    pub id: String,
    /// What the rule checks.
    pub description: String,
    /// `terminology` or `mistranslation`.
    pub issue_type: String,
    /// `TERMINOLOGY`.
    pub category: LtCategory,
}

/// `rule.category`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LtCategory {
    /// `TERMINOLOGY`.
    pub id: String,
    /// `Terminology`.
    pub name: String,
}

/// One entry of `/v2/languages`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LtLanguageInfo {
    /// Language name.
    pub name: String,
    /// Base code (`ar`).
    pub code: String,
    /// Full code (`en-US`).
    pub long_code: String,
}

/// A LanguageTool error: 400, plain text.
fn lt_error(message: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::BadRequest()
        .content_type("text/plain; charset=utf-8")
        .body(format!("Error: {message}"))
}

fn language_name(code: &str) -> String {
    match text::lang::base_language(code).as_str() {
        "ar" => "Arabic".into(),
        "en" => "English".into(),
        other => other.to_string(),
    }
}

/// What the rule of a finding is called and reports as.
fn rule_of(code: CheckCode) -> (&'static str, &'static str, &'static str) {
    match code {
        CheckCode::MissingTerm => (
            "MUSTALAH_MISSING_TERM",
            "A source term's preferred translation is missing",
            "terminology",
        ),
        CheckCode::ForbiddenTerm => (
            "MUSTALAH_FORBIDDEN_TERM",
            "A forbidden term is used",
            "terminology",
        ),
        CheckCode::DeprecatedTerm => (
            "MUSTALAH_DEPRECATED_TERM",
            "A deprecated term is used",
            "terminology",
        ),
        CheckCode::NumberMismatch => (
            "MUSTALAH_NUMBER_MISMATCH",
            "A number of the source is missing",
            "mistranslation",
        ),
    }
}

fn to_match(text: &str, f: QaFinding) -> LtMatch {
    let chars = text.chars().count();
    let [start, end] = f.span.unwrap_or([0, chars]);
    let (offset, length) = utf16_range(text, start, end);
    let (id, description, issue) = rule_of(f.code);
    LtMatch {
        short_message: description.to_string(),
        message: f.message,
        replacements: f
            .replacements
            .into_iter()
            .map(|value| LtReplacement { value })
            .collect(),
        offset,
        length,
        context: LtContext {
            text: text.to_string(),
            offset,
            length,
        },
        sentence: text.to_string(),
        kind: LtType {
            type_name: "Other".into(),
        },
        rule: LtRule {
            id: id.into(),
            description: description.into(),
            issue_type: issue.into(),
            category: LtCategory {
                id: "TERMINOLOGY".into(),
                name: "Terminology".into(),
            },
        },
        ignore_for_incomplete_sentence: false,
        context_for_sure_match: 0,
    }
}

/// The parameters of `req`: the query string, then the form body (whose
/// values win).
fn params(req: &HttpRequest, body: &[u8]) -> Result<CheckForm, String> {
    let from = |s: &str| {
        web::Query::<CheckForm>::from_query(s)
            .map(web::Query::into_inner)
            .map_err(|e| format!("malformed parameters: {e}"))
    };
    let mut p = from(req.query_string())?;
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("application/x-www-form-urlencoded"));
    if form && !body.is_empty() {
        let body = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_string())?;
        let b = from(body)?;
        p.text = b.text.or(p.text);
        p.language = b.language.or(p.language);
        p.srctext = b.srctext.or(p.srctext);
        p.mother_tongue = b.mother_tongue.or(p.mother_tongue);
        p.key = b.key.or(p.key);
    }
    Ok(p)
}

async fn check(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let p = match params(&req, &body) {
        Ok(p) => p,
        Err(e) => return Ok(lt_error(e)),
    };
    let Some(language) = p
        .language
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    else {
        return Ok(lt_error("Missing 'language' parameter"));
    };
    let Some(target) = p.text.clone() else {
        return Ok(lt_error("Missing 'text' or 'data' parameter"));
    };
    for (name, t) in [("text", Some(&target)), ("srctext", p.srctext.as_ref())] {
        if t.is_some_and(|t| t.chars().count() > MAX_TEXT_CHARS) {
            return Ok(lt_error(format!(
                "{name} exceeds the limit of {MAX_TEXT_CHARS} characters"
            )));
        }
    }
    let target_lang = if language.eq_ignore_ascii_case("auto") {
        if target.chars().any(text::normalize::is_arabic_letter) {
            "ar".to_string()
        } else {
            "en".to_string()
        }
    } else if is_language_tag(language) {
        language.to_string()
    } else {
        let shown: String = language.chars().take(40).collect();
        return Ok(lt_error(format!(
            "'{shown}' is not a language code known to LanguageTool."
        )));
    };
    let source_lang = match p.mother_tongue.as_deref().map(str::trim) {
        Some(m) if is_language_tag(m) => m.to_string(),
        Some(m) if !m.is_empty() => {
            let shown: String = m.chars().take(40).collect();
            return Ok(lt_error(format!(
                "'{shown}' is not a language code known to LanguageTool."
            )));
        }
        _ => match text::lang::base_language(&target_lang).as_str() {
            "ar" => "en".to_string(),
            _ => "ar".to_string(),
        },
    };
    let sel = selection(&req, p.key.as_deref());
    let tbs = state.termbases.clone();
    let (tl, text_for_check) = (target_lang.clone(), target.clone());
    let source = p.srctext.clone();
    let findings = blocking(move || {
        let names = sel.termbase_names(&tbs);
        let rec = TermBaseRecognizer { termbases: &tbs };
        check_translation(
            &rec,
            &names,
            source.as_deref(),
            &text_for_check,
            &source_lang,
            &tl,
        )
        .map_err(ApiError::from)
    })
    .await?;
    let name = language_name(&target_lang);
    Ok(HttpResponse::Ok().json(LtResponse {
        software: LtSoftware {
            name: "mustalah".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            build_date: String::new(),
            api_version: "1".into(),
            premium: false,
            status: String::new(),
        },
        warnings: LtWarnings {
            incomplete_results: false,
        },
        language: LtLanguage {
            name: name.clone(),
            code: target_lang.clone(),
            detected_language: LtDetected {
                name,
                code: target_lang,
                confidence: 1.0,
            },
        },
        matches: findings.into_iter().map(|f| to_match(&target, f)).collect(),
    }))
}

async fn language_list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let sel = selection(&req, None);
    let tbs = state.termbases.clone();
    let langs = blocking(move || {
        let mut langs = std::collections::BTreeSet::new();
        for name in sel.termbase_names(&tbs) {
            if let Ok(snapshot) = tbs.export_snapshot(&name) {
                for c in snapshot.concepts() {
                    langs.extend(c.terms.keys().map(|l| text::lang::base_language(l)));
                }
            }
        }
        // The two languages analysed here are always offered.
        langs.insert("ar".to_string());
        langs.insert("en".to_string());
        Ok(langs)
    })
    .await?;
    let mut out = Vec::new();
    for code in langs {
        let long_codes: Vec<String> = match code.as_str() {
            "en" => vec!["en-US".into(), "en-GB".into()],
            "ar" => vec!["ar".into()],
            _ => vec![code.clone()],
        };
        for long_code in long_codes {
            out.push(LtLanguageInfo {
                name: language_name(&code),
                code: code.clone(),
                long_code,
            });
        }
    }
    Ok(HttpResponse::Ok().json(out))
}

/// Checks a target segment against the term bases (form-encoded).
#[utoipa::path(
    tag = "languagetool",
    request_body(content = CheckForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Findings (offsets in UTF-16 code units)", body = LtResponse),
        (status = 400, description = "Missing or malformed parameter (LanguageTool's plain-text error)", body = String, content_type = "text/plain")
    )
)]
#[post("/v2/check")]
pub async fn check_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    check(req, state, body).await
}

/// Checks a target segment, parameters in the query string.
#[utoipa::path(
    tag = "languagetool",
    params(CheckForm),
    responses(
        (status = 200, description = "Findings (offsets in UTF-16 code units)", body = LtResponse),
        (status = 400, description = "Missing or malformed parameter (LanguageTool's plain-text error)", body = String, content_type = "text/plain")
    )
)]
#[get("/v2/check")]
pub async fn check_get(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    check(req, state, web::Bytes::new()).await
}

/// Languages of the term bases.
#[utoipa::path(
    tag = "languagetool",
    responses((status = 200, description = "Languages", body = [LtLanguageInfo]))
)]
#[get("/v2/languages")]
pub async fn languages_get(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    language_list(req, state).await
}

/// Languages of the term bases (OmegaT asks by POST).
#[utoipa::path(
    tag = "languagetool",
    responses((status = 200, description = "Languages", body = [LtLanguageInfo]))
)]
#[post("/v2/languages")]
pub async fn languages_post(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    language_list(req, state).await
}

/// Registers the LanguageTool routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(check_post)
        .service(check_get)
        .service(languages_get)
        .service(languages_post);
}
