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
    /// An I/O or engine error from sled.
    #[error("storage engine error: {0}")]
    Engine(String),
}

/// Result of a storage operation.
pub type Result<T> = std::result::Result<T, Error>;

impl From<sled::Error> for Error {
    fn from(e: sled::Error) -> Self {
        Error::Engine(e.to_string())
    }
}
