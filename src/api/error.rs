//! The one HTTP error type: RFC 9457 `application/problem+json` bodies with a
//! stable machine-readable `code`.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Problem details (RFC 9457) plus our stable `code` and optional location.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(example = json!({
    "type": "https://mustalah.dev/problems/termbase_not_found",
    "title": "Not Found",
    "status": 404,
    "detail": "term base 'tech' does not exist",
    "code": "termbase_not_found"
}))]
pub struct Problem {
    /// URI naming the problem type (stable; derived from `code`).
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary of the HTTP status.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Human-readable explanation of this occurrence.
    pub detail: String,
    /// Stable machine-readable error code (snake_case), never changed once published.
    pub code: String,
    /// 1-based line of the input at fault, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based column of the input at fault, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// Name (or JSON path) of the request field at fault, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error answered to an HTTP client.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    line: Option<u64>,
    column: Option<u64>,
    field: Option<String>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// An error with the given status, stable code and message.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            detail: detail.into(),
            line: None,
            column: None,
            field: None,
            retry_after: None,
        }
    }

    /// 400 `bad_request`-style error with a specific code.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 422 validation error naming the field at fault.
    pub fn invalid_field(field: impl Into<String>, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", detail).with_field(field)
    }

    /// 404 with a specific code.
    pub fn not_found(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, detail)
    }

    /// 409 with a specific code.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, detail)
    }

    /// 500: the cause goes to the log, the client gets a fixed message.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the server failed to process the request; the cause is in its log",
        )
    }

    /// Adds the field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    /// Adds the line/column at fault.
    pub fn with_position(mut self, line: Option<u64>, column: Option<u64>) -> ApiError {
        self.line = line;
        self.column = column;
        self
    }

    /// Adds a `Retry-After` header (seconds) to the answer.
    pub fn with_retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The problem body.
    pub fn problem(&self) -> Problem {
        Problem {
            type_uri: format!("https://mustalah.dev/problems/{}", self.code),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_string(),
            line: self.line,
            column: self.column,
            field: self.field.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.status, self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let body = serde_json::to_string(&self.problem()).unwrap_or_else(|_| "{}".to_string());
        let mut resp = HttpResponse::build(self.status);
        resp.content_type("application/problem+json");
        if let Some(s) = self.retry_after {
            resp.insert_header((actix_web::http::header::RETRY_AFTER, s.to_string()));
        }
        resp.body(body)
    }
}

/// A full disk is the client's to know (507, the cause in the message);
/// other storage failures are 503 (the server restarts itself, see
/// `app`); anything else is internal.
impl From<crate::store::Error> for ApiError {
    fn from(e: crate::store::Error) -> ApiError {
        use crate::store::Error as S;
        match e {
            S::NoSpace(_) => ApiError::new(
                StatusCode::INSUFFICIENT_STORAGE,
                "insufficient_storage",
                format!(
                    "{e}; the write was not acknowledged: free space in the data dir and retry"
                ),
            ),
            S::Failed(_) => {
                tracing::error!(error = %e, "write refused");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_failed",
                    e.to_string(),
                )
            }
            other => ApiError::internal(other),
        }
    }
}

/// Turns actix's JSON extractor errors into problem JSON naming the field.
pub fn json_error(err: actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError as J;
    match &err {
        J::OverflowKnownLength { length, limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("JSON body of {length} bytes exceeds the limit of {limit} bytes"),
        ),
        J::Overflow { limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("JSON body exceeds the limit of {limit} bytes"),
        ),
        J::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "expected Content-Type: application/json",
        ),
        J::Deserialize(e) => {
            let (line, column) = (e.line() as u64, e.column() as u64);
            let msg = e.to_string();
            let field = field_from_serde_message(&msg);
            let code = if e.is_syntax() || e.is_eof() {
                "malformed_json"
            } else {
                "invalid_json_body"
            };
            let status = if code == "malformed_json" {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut api = ApiError::new(status, code, msg).with_position(Some(line), Some(column));
            if let Some(f) = field {
                api = api.with_field(f);
            }
            api
        }
        J::Payload(p) if super::guard::is_body_timeout(p) => super::guard::body_timeout_error(p),
        _ => ApiError::bad_request("malformed_json", err.to_string()),
    }
}

/// Pulls the field name out of serde's messages (`unknown field `foo``,
/// `missing field `text``).
fn field_from_serde_message(msg: &str) -> Option<String> {
    for marker in ["unknown field `", "missing field `", "duplicate field `"] {
        if let Some(i) = msg.find(marker) {
            let rest = &msg[i + marker.len()..];
            if let Some(j) = rest.find('`') {
                return Some(rest[..j].to_string());
            }
        }
    }
    None
}

/// Query-string extractor errors as problem JSON.
pub fn query_error(err: actix_web::error::QueryPayloadError) -> ApiError {
    let msg = err.to_string();
    // serde_urlencoded's messages name a field only for unknown/missing ones.
    let field = field_from_serde_message(&msg);
    let mut e = ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", msg);
    if let Some(f) = field {
        e = e.with_field(f);
    }
    e
}

/// Path extractor errors as problem JSON.
pub fn path_error(err: actix_web::error::PathError) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_path", err.to_string())
}

/// A fatal import error, with one status rule for every import (memories
/// and term bases alike): 415 when the body's format cannot be told
/// (`unknown_format`), 422 when it is readable but not a usable import (a
/// format the collection does not import, missing header or language
/// columns), 400 when the bytes cannot be read as the format (syntax,
/// encoding, DTD, size).
impl From<crate::formats::FormatError> for ApiError {
    fn from(f: crate::formats::FormatError) -> ApiError {
        let status = match f.code {
            "unknown_format" => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "format_mismatch" | "not_tbx" | "not_tmx" | "missing_header" | "no_language_column"
            | "missing_column" | "missing_language" | "language_mismatch" => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, f.code, f.to_string()).with_position(f.line, f.column)
    }
}

/// Middleware that gives every error answer produced outside our handlers
/// (actix-web's own 400s and 404s, the Swagger UI's 404s under `/docs/`,
/// actix-cors' refusals) a problem JSON body, keeping its status and
/// headers. Answers that already are problem JSON pass unchanged, and so do
/// those of the LanguageTool protocol (`/v2/…`, plain-text errors).
pub fn problem_bodies<B: actix_web::body::MessageBody + 'static>(
) -> actix_web::middleware::ErrorHandlers<B> {
    actix_web::middleware::ErrorHandlers::new().default_handler(to_problem::<B>)
}

fn to_problem<B>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    use actix_web::http::header;
    use actix_web::middleware::ErrorHandlerResponse;
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    // LanguageTool's protocol answers its errors as `text/plain` `Error: …`,
    // which its clients read; those stay as they are.
    let own_protocol = res.request().path().starts_with("/v2/");
    if is_problem || own_protocol {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (code, what) = protocol_code(status);
    let detail = format!(
        "{what} ({} {})",
        res.request().method(),
        res.request().path()
    );
    let mut problem = ApiError::new(status, code, detail).error_response();
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().append(name.clone(), value.clone());
        }
    }
    let (req, _) = res.into_parts();
    Ok(ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(req, problem).map_into_right_body(),
    ))
}

/// Stable code and a sentence for an error status answered by the HTTP
/// machinery rather than by a handler.
fn protocol_code(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("bad_request", "the request could not be read"),
        401 => ("unauthorized", "a token is required"),
        403 => ("forbidden", "the request is not allowed"),
        404 => ("route_not_found", "nothing is served at this path"),
        405 => ("method_not_allowed", "this method is not allowed here"),
        408 => ("request_timeout", "the request took too long to arrive"),
        411 => ("length_required", "the request needs a Content-Length"),
        413 => ("payload_too_large", "the request body is too large"),
        414 => ("uri_too_long", "the request target is too long"),
        415 => (
            "unsupported_media_type",
            "the body's media type or encoding is not accepted",
        ),
        431 => ("headers_too_large", "the request headers are too large"),
        s if s >= 500 => (
            "internal_error",
            "the server failed to process the request; the cause is in its log",
        ),
        _ => ("http_error", "the request failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_field_names_are_extracted() {
        assert_eq!(
            field_from_serde_message("unknown field `lmit`, expected one of `text`, `limit`"),
            Some("lmit".into())
        );
        assert_eq!(field_from_serde_message("expected a string"), None);
    }

    #[test]
    fn problem_has_stable_type_and_code() {
        let p = ApiError::not_found("memory_not_found", "memory 'x' does not exist").problem();
        assert_eq!(p.status, 404);
        assert_eq!(p.code, "memory_not_found");
        assert!(p.type_uri.ends_with("/memory_not_found"));
    }
}
