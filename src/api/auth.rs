//! Bearer-token authorization.
//!
//! With a write token configured, every mutating request needs
//! `Authorization: Bearer <write token>`; with a read token configured, reads
//! need the read or the write token. Probes, the OpenAPI document and the
//! Swagger UI stay open. Tokens are compared in constant time and never logged.

use super::ApiError;
use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::{header, Method, StatusCode},
    middleware::Next,
    Error,
};

/// Configured tokens.
#[derive(Clone, Default)]
pub struct Tokens {
    /// Token for reads (the write token also reads).
    pub read: Option<String>,
    /// Token for writes.
    pub write: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("read", &self.read.as_ref().map(|_| "<redacted>"))
            .field("write", &self.write.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// What a request needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token ever (probes, docs).
    Open,
    /// Read access.
    Read,
    /// Write access.
    Write,
}

/// Classifies a request. POSTs that only compute (search, recognize,
/// suggest, lookup, concordance, XLIFF pre-translation, analysis) are reads.
pub fn access_for(method: &Method, path: &str) -> Access {
    if path == "/healthz"
        || path == "/readyz"
        || path == "/openapi.json"
        || path == "/docs"
        || path.starts_with("/docs/")
    {
        return Access::Open;
    }
    // MyMemory's `set` adds a unit by GET.
    if *method == Method::GET && matches!(path.trim_end_matches('/'), "/set" | "/api/set") {
        return Access::Write;
    }
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Access::Read;
    }
    // LanguageTool's check and language list, and aligning two texts
    // without storing them, are POSTs that only compute.
    if *method == Method::POST && matches!(path, "/v2/check" | "/v2/languages" | "/v1/align") {
        return Access::Read;
    }
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if *method == Method::POST
        && matches!(
            last,
            "search"
                | "recognize"
                | "suggest"
                | "lookup"
                | "concordance"
                | "pretranslate"
                | "analysis"
                | "candidates"
        )
    {
        return Access::Read;
    }
    Access::Write
}

/// Constant-time equality (length leaks, content does not).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

fn bearer(req: &ServiceRequest) -> Option<&str> {
    bearer_of(req.headers())
}

/// The token of an `Authorization: Bearer …` header, if any.
pub fn bearer_of(headers: &header::HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The `key` query parameter, for the protocols whose clients pass their
/// credential that way (MyMemory's `key`; see [`super::compat`]).
#[derive(serde::Deserialize)]
struct KeyParam {
    key: Option<String>,
}

/// Whether one of the comma-separated `key` values of a protocol route
/// grants `access`.
fn key_param_grants(tokens: &Tokens, access: Access, req: &ServiceRequest) -> bool {
    if !super::compat::accepts_key_param(req.path()) {
        return false;
    }
    let Ok(p) = actix_web::web::Query::<KeyParam>::from_query(req.query_string()) else {
        return false;
    };
    p.key.as_deref().is_some_and(|keys| {
        keys.split(',')
            .any(|k| check(tokens, access, Some(k.trim())).is_ok())
    })
}

/// Decides: `Ok(())` to pass, or the problem to answer.
pub fn check(tokens: &Tokens, access: Access, presented: Option<&str>) -> Result<(), ApiError> {
    let matches = |t: &Option<String>| match (t, presented) {
        (Some(t), Some(p)) => constant_time_eq(t.as_bytes(), p.as_bytes()),
        _ => false,
    };
    let unauthorized = |what: &str| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            format!(
                "{what} needs Authorization: Bearer <token>; the token given is missing or wrong"
            ),
        )
    };
    match access {
        Access::Open => Ok(()),
        Access::Read => {
            if tokens.read.is_none() || matches(&tokens.read) || matches(&tokens.write) {
                Ok(())
            } else {
                Err(unauthorized("reading"))
            }
        }
        Access::Write => {
            if tokens.write.is_none() || matches(&tokens.write) {
                Ok(())
            } else if matches(&tokens.read) {
                Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "the read token does not allow changes; use the write token",
                ))
            } else {
                Err(unauthorized("changing data"))
            }
        }
    }
}

/// The middleware (install with `actix_web::middleware::from_fn`).
pub async fn require_token(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, Error> {
    let tokens = req
        .app_data::<actix_web::web::Data<Tokens>>()
        .map(|t| t.get_ref().clone())
        .unwrap_or_default();
    let access = access_for(req.method(), req.path());
    let decision = match check(&tokens, access, bearer(&req)) {
        Err(_) if key_param_grants(&tokens, access, &req) => Ok(()),
        other => other,
    };
    match decision {
        Ok(()) => Ok(next.call(req).await?.map_into_boxed_body()),
        Err(e) => {
            let resp = actix_web::ResponseError::error_response(&e);
            Ok(req.into_response(resp))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens {
            read: Some("r3ad".into()),
            write: Some("wr1te".into()),
        }
    }

    #[test]
    fn writes_need_the_write_token() {
        let t = tokens();
        assert_eq!(
            check(&t, Access::Write, None).unwrap_err().code(),
            "unauthorized"
        );
        assert_eq!(
            check(&t, Access::Write, Some("r3ad")).unwrap_err().code(),
            "forbidden"
        );
        assert!(check(&t, Access::Write, Some("wr1te")).is_ok());
        assert!(check(&t, Access::Read, Some("wr1te")).is_ok());
        assert!(check(&t, Access::Read, Some("r3ad")).is_ok());
        assert!(check(&t, Access::Read, Some("nope")).is_err());
        assert!(check(&t, Access::Open, None).is_ok());
    }

    #[test]
    fn no_tokens_means_open() {
        assert!(check(&Tokens::default(), Access::Write, None).is_ok());
    }

    #[test]
    fn compute_posts_are_reads() {
        assert_eq!(
            access_for(&Method::POST, "/v1/memories/default/search"),
            Access::Read
        );
        assert_eq!(access_for(&Method::POST, "/v1/suggest"), Access::Read);
        assert_eq!(
            access_for(&Method::POST, "/v1/xliff/pretranslate"),
            Access::Read
        );
        assert_eq!(access_for(&Method::POST, "/v1/analysis"), Access::Read);
        assert_eq!(
            access_for(&Method::POST, "/v1/memories/default/units"),
            Access::Write
        );
        assert_eq!(
            access_for(&Method::DELETE, "/v1/termbases/tech"),
            Access::Write
        );
        assert_eq!(access_for(&Method::GET, "/readyz"), Access::Open);
    }
}
