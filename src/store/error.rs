//! Errors of the storage layer.

/// What can go wrong below the domain: opening, reading or writing the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process holds sled's lock on the data directory.
    #[error("data dir {0} is in use by another process (is another mustalah server running?)")]
    Locked(String),
    /// The data directory was written by an incompatible version of mustalah.
    #[error("data dir {path} has schema version {found}, this build expects {expected}; export with the older version and re-import")]
    SchemaMismatch {
        /// The data directory.
        path: String,
        /// Version found on disk.
        found: u32,
        /// Version this build writes.
        expected: u32,
    },
    /// A stored value could not be decoded (corruption or a bug).
    #[error("stored value under {key} could not be decoded: {message}")]
    Decode {
        /// Printable form of the key.
        key: String,
        /// Decoder message.
        message: String,
    },
    /// The disk (or quota) holding the data dir is full. Sticky like
    /// [`Error::Failed`]: see [`super::Store::failure`].
    #[error("no space left for the data dir: {0}")]
    NoSpace(String),
    /// An earlier write failed with an I/O error; the store refuses writes
    /// until the server is restarted (sled's write path stays failed).
    #[error("the store stopped accepting writes after an I/O error: {0}")]
    Failed(String),
    /// An I/O or engine error from sled.
    #[error("storage engine error: {0}")]
    Engine(String),
}

impl Error {
    /// Whether the error leaves the store unable to write (a full disk or
    /// another I/O failure), as opposed to a fault of one value or call.
    pub fn is_storage_failure(&self) -> bool {
        matches!(self, Error::NoSpace(_) | Error::Failed(_))
    }
}

/// Result of a storage operation.
pub type Result<T> = std::result::Result<T, Error>;

impl From<sled::Error> for Error {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Io(io) => from_io(&io),
            other => Error::Engine(other.to_string()),
        }
    }
}

/// ENOSPC and EDQUOT (raw, as the first failing write reports them) or
/// their kinds (sled's clones of a stored error keep only the kind).
fn is_no_space(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(e.raw_os_error(), Some(28) | Some(122))
        || matches!(e.kind(), ErrorKind::StorageFull | ErrorKind::QuotaExceeded)
}

/// An I/O error of the store as [`Error::NoSpace`] or [`Error::Failed`].
pub(super) fn from_io(e: &std::io::Error) -> Error {
    use std::io::ErrorKind;
    if is_no_space(e) {
        // sled's copy of a stored error reads `Os { code: 28, … }`.
        let cause = match (e.raw_os_error(), e.kind()) {
            (Some(_), _) => e.to_string(),
            (None, ErrorKind::QuotaExceeded) => "Disk quota exceeded (EDQUOT)".to_string(),
            (None, _) => "No space left on device (ENOSPC)".to_string(),
        };
        Error::NoSpace(cause)
    } else {
        Error::Failed(e.to_string())
    }
}
