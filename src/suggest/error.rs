//! Errors of the suggestion engine.
//!
//! User faults (a malformed request, an unknown memory or term base) are kept
//! apart from internal faults (a term base or memory that failed while
//! answering), so the HTTP layer can map the first to 4xx and the second to
//! 500 without parsing messages.

/// What can go wrong while building suggestions.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed; `field` names the request field at fault.
    #[error("{field}: {message}")]
    Invalid {
        /// Request field at fault (`text`, `segments`, `limit`, …).
        field: &'static str,
        /// Human-readable explanation.
        message: String,
    },
    /// A listed memory or term base does not exist.
    #[error("{kind} '{name}' does not exist")]
    NotFound {
        /// `memory` or `termbase`.
        kind: &'static str,
        /// The name as requested.
        name: String,
    },
    /// Term recognition failed for a reason that is not the client's fault.
    #[error("term recognition failed: {0}")]
    Recognition(String),
    /// A memory search failed for a reason that is not the client's fault.
    #[error("memory search failed: {0}")]
    Search(String),
    /// The engine broke one of its own invariants (a bug, never client input).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Whether the client caused the error (4xx) rather than the server (5xx).
    pub fn is_user_fault(&self) -> bool {
        matches!(self, Error::Invalid { .. } | Error::NotFound { .. })
    }

    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }
}

/// The name the engine's traits use for [`Error`].
pub type SuggestError = Error;

/// Result of a suggestion operation.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_faults_are_told_apart_from_internal_faults() {
        assert!(Error::invalid("limit", "must be at least 1").is_user_fault());
        assert!(Error::NotFound {
            kind: "memory",
            name: "أخبار".into()
        }
        .is_user_fault());
        assert!(!Error::Search("index corrupt".into()).is_user_fault());
        assert!(!Error::Recognition("store".into()).is_user_fault());
        assert_eq!(
            Error::NotFound {
                kind: "termbase",
                name: "tech".into()
            }
            .to_string(),
            "termbase 'tech' does not exist"
        );
    }
}
