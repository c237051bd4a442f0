//! Streaming request bodies for imports: the body goes to a spool file in
//! the data dir (never held in memory), with the configured size limit
//! enforced while streaming, so a 1 GB body over the limit is refused with
//! 413 after reading at most the limit.

use super::{ApiError, AppState};
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

/// Streams `payload` into a spool file, refusing bodies over the import
/// limit (413 `payload_too_large`) and empty bodies (400 `empty_body`).
pub async fn spool_body(
    state: &AppState,
    mut payload: web::Payload,
) -> Result<SpooledBody, ApiError> {
    let limit = state.limits.import_body_bytes;
    let id = state.store.generate_id().map_err(ApiError::internal)?;
    let path = state
        .spool_dir
        .join(format!("upload-{}-{id}.part", std::process::id()));
    let file = std::fs::File::create(&path).map_err(ApiError::internal)?;
    let mut spooled = SpooledBody { path, len: 0 };
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
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
