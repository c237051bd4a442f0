//! Term-candidate routes: candidates a term base lacks, found in articles
//! ([`crate::candidates`]), adoption as entries, and remembered rejections.

use super::termbase_dto::EntryDto;
use super::termbases::termbase_error;
use super::upload::blocking;
use super::{validate_name, ApiError, AppState, Problem};
use crate::candidates::{self, adapters::MemoryPairs, Adoption, Candidate, ParallelPairs, Request};
use crate::suggest::adapters::TermBaseRecognizer;
use actix_web::{delete, get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// Texts per request.
const MAX_TEXTS: usize = 1000;
/// Aligned pairs per request.
const MAX_PAIRS: usize = 20_000;

/// Candidate routes' OpenAPI fragment.
#[derive(OpenApi)]
#[openapi(
    paths(
        find_candidates,
        adopt_candidate,
        reject_candidate,
        list_rejected,
        unreject_candidate
    ),
    components(schemas(
        CandidatesRequest,
        ParallelPair,
        CandidatesResponse,
        CandidateDto,
        ContextDto,
        ProposalDto,
        AdoptRequest,
        RejectRequest,
        RejectedDto,
        RejectedList
    ))
)]
pub struct CandidatesApi;

/// Registers the candidate routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(find_candidates)
        .service(adopt_candidate)
        .service(reject_candidate)
        .service(list_rejected)
        .service(unreject_candidate);
}

/// An aligned pair given with the request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParallelPair {
    /// Text in the candidates' language.
    pub source: String,
    /// Its translation.
    pub target: String,
}

/// What to extract candidates from.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidatesRequest {
    /// The texts (articles), 1–1000.
    #[schema(example = json!(["تعتمد مراكز البيانات على وحدات معالجة الرسومات والحوسبة الكمومية."]))]
    pub texts: Vec<String>,
    /// Language of the texts: `ar` or `en` (default `ar`).
    #[serde(default)]
    pub lang: Option<String>,
    /// Language of proposed translations (default: the other of ar/en).
    #[serde(default)]
    pub target_lang: Option<String>,
    /// Candidates to return, 1–500 (default 50).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Minimum frequency (default 1).
    #[serde(default)]
    pub min_freq: Option<usize>,
    /// A memory of aligned pairs to propose translations from.
    #[serde(default)]
    pub memory: Option<String>,
    /// Aligned pairs to propose translations from (instead of `memory`).
    #[serde(default)]
    pub parallel: Option<Vec<ParallelPair>>,
}

/// An example occurrence.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContextDto {
    /// Index of the text in `texts`.
    pub text: usize,
    /// Code point offset of the occurrence in that text.
    pub start: usize,
    /// One past its last code point.
    pub end: usize,
    /// The occurrence as written.
    pub surface: String,
    /// The sentence around it.
    pub sentence: String,
}

/// A proposed translation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalDto {
    /// The rendering as written in the pairs.
    pub text: String,
    /// Pairs where candidate and rendering occur together.
    pub evidence: usize,
    /// Pairs that contain the candidate.
    pub pairs: usize,
    /// Dice coefficient 0–1.
    pub score: f64,
    /// `cooccurrence`, `transliteration` or `latin`.
    pub method: String,
}

/// One candidate.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateDto {
    /// Citation form.
    #[schema(example = "حوسبة كمومية")]
    pub term: String,
    /// Most frequent surface form.
    pub display: String,
    /// Stable key; send it to `…/candidates/reject`.
    pub key: String,
    /// Language tag.
    pub lang: String,
    /// Words.
    pub words: usize,
    /// Occurrences.
    pub frequency: usize,
    /// Texts it occurs in.
    pub document_frequency: usize,
    /// Termhood (NC-value).
    pub score: f64,
    /// The C-value part of the score.
    pub c_value: f64,
    /// Up to three example contexts.
    pub contexts: Vec<ContextDto>,
    /// Proposed translation (with `memory` or `parallel`).
    pub translation: Option<ProposalDto>,
}

impl From<Candidate> for CandidateDto {
    fn from(c: Candidate) -> CandidateDto {
        CandidateDto {
            term: c.term,
            display: c.display,
            key: c.key,
            lang: c.lang,
            words: c.words,
            frequency: c.frequency,
            document_frequency: c.document_frequency,
            score: (c.score * 1000.0).round() / 1000.0,
            c_value: (c.c_value * 1000.0).round() / 1000.0,
            contexts: c
                .contexts
                .into_iter()
                .map(|x| ContextDto {
                    text: x.text,
                    start: x.char_start,
                    end: x.char_end,
                    surface: x.surface,
                    sentence: x.sentence,
                })
                .collect(),
            translation: c.translation.map(|p| ProposalDto {
                text: p.text,
                evidence: p.evidence,
                pairs: p.pairs,
                score: (p.score * 1000.0).round() / 1000.0,
                method: p.method.as_str().to_string(),
            }),
        }
    }
}

/// Candidates, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandidatesResponse {
    /// The candidates.
    pub candidates: Vec<CandidateDto>,
}

fn other_lang(lang: &str) -> &'static str {
    if crate::text::Lang::from_tag(lang) == crate::text::Lang::Ar {
        "en"
    } else {
        "ar"
    }
}

/// Term candidates in articles that the term base lacks.
///
/// Single- and multi-word candidates normalized to a citation form
/// (clitics, article and inflection removed; broken plurals through the
/// lexicon), with frequency, document frequency, a termhood score
/// (adapted C-value with an NC-value context factor) and up to three
/// contexts (code-point offsets into the texts as sent). Terms of the term
/// base and candidates rejected before do not come up. With `memory` or
/// `parallel`, each candidate gets a proposed translation from aligned pairs.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech")),
    request_body = CandidatesRequest,
    responses(
        (status = 200, description = "Candidates", body = CandidatesResponse),
        (status = 404, description = "No such term base or memory", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No texts, too many, bad limit or language", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/v1/termbases/{tb}/candidates")]
pub async fn find_candidates(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<CandidatesRequest>,
) -> Result<HttpResponse, ApiError> {
    let tb = path.into_inner();
    validate_name("tb", &tb)?;
    let req = body.into_inner();
    if req.texts.len() > MAX_TEXTS {
        return Err(ApiError::invalid_field(
            "texts",
            format!("at most {MAX_TEXTS} texts"),
        ));
    }
    if req.parallel.as_ref().is_some_and(|p| p.len() > MAX_PAIRS) {
        return Err(ApiError::invalid_field(
            "parallel",
            format!("at most {MAX_PAIRS} pairs"),
        ));
    }
    if req.memory.is_some() && req.parallel.is_some() {
        return Err(ApiError::invalid_field(
            "memory",
            "send `memory` or `parallel`, not both",
        ));
    }
    if let Some(m) = &req.memory {
        validate_name("memory", m)?;
    }
    let state = state.into_inner();
    let found = blocking(move || -> Result<Vec<Candidate>, ApiError> {
        let rejected = state.termbases.rejected_keys(&tb).map_err(termbase_error)?;
        if let Some(m) = &req.memory {
            state.memories.get_meta(m)?;
        }
        let lang = req.lang.as_deref().unwrap_or("ar");
        let target_lang = req.target_lang.as_deref().unwrap_or(other_lang(lang));
        let termbases = vec![tb];
        let r = Request {
            texts: &req.texts,
            lang,
            target_lang,
            termbases: &termbases,
            limit: req.limit.unwrap_or(50),
            min_freq: req.min_freq.unwrap_or(1),
        };
        let recognizer = TermBaseRecognizer {
            termbases: &state.termbases,
        };
        let parallel = req.parallel.as_ref().map(|ps| {
            ParallelPairs(
                ps.iter()
                    .map(|p| (p.source.clone(), p.target.clone()))
                    .collect(),
            )
        });
        let memory = req.memory.as_deref().map(|name| MemoryPairs {
            memories: &state.memories,
            name,
        });
        let source: Option<&dyn candidates::PairSource> = match (&parallel, &memory) {
            (Some(p), _) => Some(p),
            (None, Some(m)) => Some(m),
            _ => None,
        };
        Ok(candidates::extract(&r, &recognizer, source, &rejected)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(CandidatesResponse {
        candidates: found.into_iter().map(Into::into).collect(),
    }))
}

/// A candidate to adopt as an entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptRequest {
    /// The term (a candidate's `term`).
    #[schema(example = "حوسبة كمومية")]
    pub term: String,
    /// Its language (default `ar`).
    #[serde(default)]
    pub lang: Option<String>,
    /// A translation (a candidate's proposed one, possibly corrected).
    #[serde(default)]
    pub translation: Option<String>,
    /// Language of the translation (default: the other of ar/en).
    #[serde(default)]
    pub target_lang: Option<String>,
    /// Example sentences (a candidate's contexts), kept in the entry's note.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Entry id (generated when absent).
    #[serde(default)]
    pub id: Option<String>,
    /// Domain.
    #[serde(default)]
    pub domain: Option<String>,
}

/// Adopts a candidate as a new entry: its terms `admitted`, the example
/// sentences kept in the entry's note. The candidate no longer comes up,
/// because the term base now has it.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech")),
    request_body = AdoptRequest,
    responses(
        (status = 201, description = "The new entry", body = EntryDto),
        (status = 404, description = "No such term base", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An entry with this id exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid term or language", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/termbases/{tb}/candidates/adopt")]
pub async fn adopt_candidate(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<AdoptRequest>,
) -> Result<HttpResponse, ApiError> {
    validate_name("tb", &path)?;
    let req = body.into_inner();
    let lang = req.lang.unwrap_or_else(|| "ar".into());
    let draft = Adoption {
        term: req.term,
        target_lang: req
            .target_lang
            .unwrap_or_else(|| other_lang(&lang).to_string()),
        lang,
        translation: req.translation,
        examples: req.examples,
        id: req.id,
        domain: req.domain,
    }
    .into_draft();
    let tbs = state.termbases.clone();
    let name = path.into_inner();
    let c = blocking(move || tbs.create_concept(&name, draft).map_err(termbase_error)).await?;
    state.store.flush().await?;
    Ok(HttpResponse::Created().json(EntryDto::from(&c)))
}

/// A candidate to reject.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// The candidate's `key`.
    pub key: String,
    /// The candidate's `term`, for the list of rejections.
    #[serde(default)]
    pub term: Option<String>,
}

/// A rejected candidate.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedDto {
    /// Its key.
    pub key: String,
    /// Its term when rejected.
    pub term: String,
    /// When (RFC 3339).
    pub rejected: String,
}

/// The rejected candidates of a term base.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedList {
    /// In key order.
    pub rejected: Vec<RejectedDto>,
}

impl From<crate::termbase::Rejected> for RejectedDto {
    fn from(r: crate::termbase::Rejected) -> RejectedDto {
        RejectedDto {
            key: r.key,
            term: r.term,
            rejected: r.rejected.to_rfc3339(),
        }
    }
}

fn check_key(key: &str) -> Result<(), ApiError> {
    if key.trim().is_empty() || key.chars().count() > 1000 {
        return Err(ApiError::invalid_field(
            "key",
            "key must have 1-1000 characters",
        ));
    }
    Ok(())
}

/// Rejects a candidate: it does not come up again for this term base.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech")),
    request_body = RejectRequest,
    responses(
        (status = 200, description = "Recorded (the first record is kept)", body = RejectedDto),
        (status = 404, description = "No such term base", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/termbases/{tb}/candidates/reject")]
pub async fn reject_candidate(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<RejectRequest>,
) -> Result<HttpResponse, ApiError> {
    validate_name("tb", &path)?;
    let req = body.into_inner();
    check_key(&req.key)?;
    let tbs = state.termbases.clone();
    let name = path.into_inner();
    let term = req.term.unwrap_or_else(|| req.key.clone());
    let r = blocking(move || {
        tbs.reject_candidate(&name, &req.key, &term)
            .map_err(termbase_error)
    })
    .await?;
    state.store.flush().await?;
    Ok(HttpResponse::Ok().json(RejectedDto::from(r)))
}

/// Lists the rejected candidates.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech")),
    responses(
        (status = 200, description = "Rejections", body = RejectedList),
        (status = 404, description = "No such term base", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/v1/termbases/{tb}/candidates/rejected")]
pub async fn list_rejected(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    validate_name("tb", &path)?;
    let tbs = state.termbases.clone();
    let name = path.into_inner();
    let list = blocking(move || tbs.rejected_candidates(&name).map_err(termbase_error)).await?;
    Ok(HttpResponse::Ok().json(RejectedList {
        rejected: list.into_iter().map(Into::into).collect(),
    }))
}

/// Which rejection to forget.
#[derive(Debug, Deserialize, IntoParams)]
pub struct KeyParam {
    /// The candidate key.
    pub key: String,
}

/// Forgets a rejection, so the candidate may come up again.
#[utoipa::path(
    tag = "termbases",
    params(("tb" = String, Path, description = "Term base name", example = "tech"), KeyParam),
    responses(
        (status = 204, description = "Forgotten"),
        (status = 404, description = "No such term base or rejection", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[delete("/v1/termbases/{tb}/candidates/rejected")]
pub async fn unreject_candidate(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<KeyParam>,
) -> Result<HttpResponse, ApiError> {
    validate_name("tb", &path)?;
    check_key(&query.key)?;
    let tbs = state.termbases.clone();
    let name = path.into_inner();
    let key = query.into_inner().key;
    let existed =
        blocking(move || tbs.unreject_candidate(&name, &key).map_err(termbase_error)).await?;
    if !existed {
        return Err(ApiError::not_found(
            "rejection_not_found",
            "no such rejected candidate",
        ));
    }
    state.store.flush().await?;
    Ok(HttpResponse::NoContent().finish())
}
