//! The candidate engine's pair source backed by a real memory; term
//! recognition uses the suggest engine's
//! [`TermBaseRecognizer`](crate::suggest::adapters::TermBaseRecognizer).

use super::source::PairSource;
use crate::memory::Memories;
use crate::suggest::error::{Error, Result};

/// Aligned pairs from a translation memory, found by concordance (clitic
/// and inflection variants of each word accepted).
pub struct MemoryPairs<'a> {
    /// The memories.
    pub memories: &'a Memories,
    /// The memory to read.
    pub name: &'a str,
}

impl PairSource for MemoryPairs<'_> {
    fn pairs_with(&self, phrase: &str, lang: &str, limit: usize) -> Result<Vec<(String, String)>> {
        let meta = self.memories.get_meta(self.name).map_err(memory_error)?;
        let hits = self
            .memories
            .concordance(self.name, phrase, Some(lang), limit.min(100))
            .map_err(memory_error)?;
        let from_source = crate::text::Lang::from_tag(&meta.meta.source_lang)
            == crate::text::Lang::from_tag(lang);
        Ok(hits
            .into_iter()
            .map(|h| {
                if from_source {
                    (h.unit.source, h.unit.target)
                } else {
                    (h.unit.target, h.unit.source)
                }
            })
            .collect())
    }
}

fn memory_error(e: crate::memory::error::Error) -> Error {
    match e {
        crate::memory::error::Error::MemoryNotFound(name) => Error::NotFound {
            kind: "memory",
            name,
        },
        crate::memory::error::Error::Invalid { field, message } => {
            Error::Invalid { field, message }
        }
        other => Error::Search(other.to_string()),
    }
}
