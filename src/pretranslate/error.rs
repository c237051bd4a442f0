//! Errors of the pre-translation and analysis engines.

use crate::formats::FormatError;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file cannot be read (not XLIFF, malformed, hostile): a user fault
    /// with the position where known.
    #[error("{0}")]
    Format(FormatError),
    /// A memory, term base or option the engine was given is wrong (user
    /// fault), or a source failed (internal): as the suggestion engine says.
    #[error(transparent)]
    Source(#[from] crate::suggest::Error),
}

impl From<FormatError> for Error {
    fn from(e: FormatError) -> Self {
        Error::Format(e)
    }
}

/// Result of a pre-translation or analysis.
pub type Result<T> = std::result::Result<T, Error>;
