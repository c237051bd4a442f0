//! Streaming request bodies for imports: the body goes to a spool file in
//! the data dir (never held in memory), with the configured size limit
//! enforced while streaming, so a 1 GB body over the limit is refused with
//! 413 after reading at most the limit.
//!
//! At most `--max-concurrent-imports` bodies stream (and their imports run)
//! at once: one more is answered 429 `too_many_imports` with `Retry-After`
//! before anything is read or a file opened, so slow uploads cannot use up
//! file descriptors; a body that stops arriving ends in 408 `body_timeout`
//! (see [`super::guard`]).

use super::{ApiError, AppState};
use crate::formats::Format;
use actix_web::{http::StatusCode, web};
use futures_util::StreamExt;
use std::io::Write;
use std::path::PathBuf;

/// A request body saved to disk; the file is deleted on drop.
#[derive(Debug)]
pub struct SpooledBody {
    path: PathBuf,
    /// Bytes received.
    pub len: u64,
    /// The import slot, held until the import is done with the file.
    _slot: tokio::sync::OwnedSemaphorePermit,
}

impl SpooledBody {
    /// Opens the spooled bytes for reading.
    pub fn open(&self) -> std::io::Result<std::fs::File> {
        std::fs::File::open(&self.path)
    }

    /// The spool file's path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Drop for SpooledBody {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// `Retry-After` of a `too_many_imports` answer, in seconds.
const IMPORT_RETRY_AFTER_SECS: u64 = 5;

/// Streams `payload` into a spool file, refusing bodies over the import
/// limit (413 `payload_too_large`) and empty bodies (400 `empty_body`).
pub async fn spool_body(
    state: &AppState,
    mut payload: web::Payload,
) -> Result<SpooledBody, ApiError> {
    let limit = state.limits.import_body_bytes;
    let slot = state
        .limits
        .import_slots
        .clone()
        .try_acquire_owned()
        .map_err(|_| {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_imports",
                "the server is running as many imports as it allows at once (--max-concurrent-imports); retry later",
            )
            .with_retry_after(IMPORT_RETRY_AFTER_SECS)
        })?;
    let id = state.store.generate_id().map_err(ApiError::internal)?;
    let path = state
        .spool_dir
        .join(format!("upload-{}-{id}.part", std::process::id()));
    let file = std::fs::File::create(&path).map_err(ApiError::internal)?;
    let mut spooled = SpooledBody {
        path,
        len: 0,
        _slot: slot,
    };
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            if super::guard::is_body_timeout(&e) {
                return super::guard::body_timeout_error(&e);
            }
            ApiError::bad_request(
                "body_read_error",
                format!("reading the request body failed: {e}"),
            )
        })?;
        if state.memories.is_stopping() {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "shutting_down",
                "the server is shutting down; send the import again once it is back",
            ));
        }
        spooled.len += chunk.len() as u64;
        if spooled.len > limit {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("import body exceeds the limit of {limit} bytes (--max-import-bytes)"),
            ));
        }
        out.write_all(&chunk).map_err(ApiError::internal)?;
    }
    out.flush().map_err(ApiError::internal)?;
    if spooled.len == 0 {
        return Err(ApiError::bad_request(
            "empty_body",
            "the request body is empty; send the file as the raw body",
        ));
    }
    Ok(spooled)
}

/// Removes every file in the spool directory (at start, when no upload
/// can be running); returns how many.
pub fn clear_spool(dir: &std::path::Path) -> std::io::Result<usize> {
    let mut n = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
            n += 1;
        }
    }
    Ok(n)
}

/// Runs blocking domain work (parsing, index updates) off the async workers.
pub async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    web::block(f).await.map_err(ApiError::internal)?
}

/// Content types an import route accepts, with the formats each may carry
/// (`None`: any, the format comes from `format=` or the content).
pub type ImportTypes = &'static [(&'static str, Option<&'static [Format]>)];

/// What `POST /v1/memories/{tm}/import` accepts.
pub const MEMORY_IMPORT_TYPES: ImportTypes = &[
    ("application/x-tmx+xml", Some(&[Format::Tmx])),
    ("application/tmx+xml", Some(&[Format::Tmx])),
    ("application/xml", Some(&[Format::Tmx])),
    ("text/xml", Some(&[Format::Tmx])),
    ("text/tab-separated-values", Some(&[Format::Tsv])),
    ("text/csv", Some(&[Format::Csv])),
    ("application/gzip", None),
    ("application/octet-stream", None),
];

/// What `POST /v1/termbases/{tb}/import` accepts.
pub const TERMBASE_IMPORT_TYPES: ImportTypes = &[
    ("application/x-tbx+xml", Some(&[Format::Tbx])),
    ("application/tbx+xml", Some(&[Format::Tbx])),
    ("application/xml", Some(&[Format::Tbx])),
    ("text/xml", Some(&[Format::Tbx])),
    ("text/csv", Some(&[Format::Csv])),
    ("text/tab-separated-values", Some(&[Format::Tsv])),
    ("application/gzip", None),
    ("application/octet-stream", None),
];

/// Checks an import's `Content-Type`: one of `accepted` (415
/// `unsupported_media_type` otherwise, `text/plain`, forms and multipart
/// never), and, when `format=` is given, one that can carry that format
/// (415 `content_type_mismatch`: `text/csv` with `format=tmx`).
pub fn check_import_type(
    req: &actix_web::HttpRequest,
    accepted: ImportTypes,
    format: Option<Format>,
) -> Result<(), ApiError> {
    let names: Vec<&str> = accepted.iter().map(|(t, _)| *t).collect();
    let got = super::guard::require_content_type(req, &names)?;
    let carries = accepted
        .iter()
        .find(|(t, _)| *t == got)
        .and_then(|(_, formats)| *formats);
    match (format, carries) {
        (Some(f), Some(formats)) if !formats.contains(&f) => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content_type_mismatch",
            format!(
                "Content-Type {got} does not carry format={}; send a matching type or application/octet-stream",
                f.as_str()
            ),
        )),
        _ => Ok(()),
    }
}
