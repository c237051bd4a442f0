//! Errors of the aligner.
//!
//! User faults (an empty side, a text in the wrong language, an unknown term
//! base) are kept apart from internal faults, so the HTTP layer maps the
//! first to 4xx and the second to 500 without parsing messages.

/// What can go wrong while aligning.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed; `field` names the request field at fault.
    #[error("{field}: {message}")]
    Invalid {
        /// Request field at fault (`source_text`, `target_lang`, …).
        field: &'static str,
        /// Human-readable explanation.
        message: String,
    },
    /// A text is not in the language the request says it is.
    #[error("{field}: {message}")]
    LanguageMismatch {
        /// `source_text` or `target_text`.
        field: &'static str,
        /// What was expected and found.
        message: String,
    },
    /// A listed term base does not exist.
    #[error("termbase '{0}' does not exist")]
    TermBaseNotFound(String),
    /// Term recognition failed for a reason that is not the client's fault.
    #[error("term recognition failed: {0}")]
    Recognition(String),
}

impl Error {
    /// Whether the client caused the error (4xx) rather than the server.
    pub fn is_user_fault(&self) -> bool {
        !matches!(self, Error::Recognition(_))
    }

    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }
}

impl From<crate::suggest::Error> for Error {
    fn from(e: crate::suggest::Error) -> Self {
        match e {
            crate::suggest::Error::NotFound { name, .. } => Error::TermBaseNotFound(name),
            crate::suggest::Error::Invalid { field, message } => Error::Invalid { field, message },
            other => Error::Recognition(other.to_string()),
        }
    }
}

/// Result of an alignment.
pub type Result<T> = std::result::Result<T, Error>;
