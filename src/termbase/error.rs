//! Errors of the term-base domain. User faults (unknown term base, bad
//! entry, unreadable import file) are kept apart from internal faults (the
//! store), so the HTTP layer can map the former to 4xx and the latter to 500.

use crate::formats::FormatError;

/// What can go wrong in a term-base operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No term base of that name.
    #[error("term base '{0}' does not exist")]
    TermBaseNotFound(String),
    /// No entry with that id in the term base.
    #[error("entry '{id}' does not exist in term base '{termbase}'")]
    EntryNotFound {
        /// Term base name.
        termbase: String,
        /// Entry id.
        id: String,
    },
    /// An entry with the given id already exists (create with explicit id).
    #[error("entry '{id}' already exists in term base '{termbase}'")]
    EntryExists {
        /// Term base name.
        termbase: String,
        /// Entry id.
        id: String,
    },
    /// A request value is invalid (user fault).
    #[error("{field}: {message}")]
    Invalid {
        /// Field (or JSON path) at fault.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The term base was deleted while this import was writing to it;
    /// nothing of the import is kept.
    #[error("term base '{0}' was deleted while the import was running; nothing was imported")]
    CollectionDeleted(String),
    /// A collection of that name is being deleted (its DELETE waits for a
    /// running import to stop); create it again once the DELETE answered.
    #[error("term base '{0}' is being deleted; create it again once the DELETE has answered")]
    BeingDeleted(String),
    /// The server is shutting down; the import was stopped and rolled back.
    #[error("the server is shutting down; the import was stopped and none of it is kept (the rest is rolled back when the server starts again)")]
    ShuttingDown,
    /// An import file could not be read at all (fatal format error); nothing
    /// was stored.
    #[error("import failed: {0}")]
    Format(FormatError),
    /// Reading an import file from disk failed (user-supplied path).
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// OS message.
        message: String,
    },
    /// The store failed (internal fault).
    #[error(transparent)]
    Store(#[from] crate::store::Error),
}

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Result of a term-base operation.
pub type Result<T> = std::result::Result<T, Error>;
