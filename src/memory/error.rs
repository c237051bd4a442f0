//! Errors of the translation-memory domain. User faults (unknown memory,
//! bad language, malformed import) are kept apart from internal faults
//! (storage), so the HTTP layer can map them to 4xx and 500 respectively.

use crate::formats::FormatError;

/// What can go wrong in a translation-memory operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The named memory does not exist.
    #[error("memory '{0}' does not exist")]
    MemoryNotFound(String),
    /// The unit id does not exist in the memory.
    #[error("unit {id} does not exist in memory '{memory}'")]
    UnitNotFound {
        /// Memory name.
        memory: String,
        /// Unit id.
        id: u64,
    },
    /// The memory exists with another language pair.
    #[error("memory '{name}' exists with language pair {existing}, not {requested}")]
    LanguagePairConflict {
        /// Memory name.
        name: String,
        /// Pair stored.
        existing: String,
        /// Pair requested.
        requested: String,
    },
    /// A request value is invalid (field name, message).
    #[error("{field}: {message}")]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// Why.
        message: String,
    },
    /// A unit states a language that is not the memory's on that side.
    #[error("{field}: {message}")]
    LanguageMismatch {
        /// `source_lang` or `target_lang`.
        field: &'static str,
        /// Why.
        message: String,
    },
    /// The memory was deleted while this request (an import) was writing
    /// to it; nothing of the request is kept.
    #[error("memory '{0}' was deleted while the import was running; nothing was imported")]
    CollectionDeleted(String),
    /// A collection of that name is being deleted (its DELETE waits for a
    /// running import to stop); create it again once the DELETE answered.
    #[error("memory '{0}' is being deleted; create it again once the DELETE has answered")]
    BeingDeleted(String),
    /// The server is shutting down; the import was stopped and rolled back.
    #[error("the server is shutting down; the import was stopped and none of it is kept (the rest is rolled back when the server starts again)")]
    ShuttingDown,
    /// An import file cannot be read any further; nothing was stored.
    #[error("import refused: {0}")]
    Format(FormatError),
    /// An I/O error on a local file (import spool, export sink).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// Storage failure (internal).
    #[error(transparent)]
    Store(#[from] crate::store::Error),
}

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }
}

/// Result of a translation-memory operation.
pub type Result<T> = std::result::Result<T, Error>;
