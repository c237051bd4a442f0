//! The engine's two sources backed by the real term bases and memories.

use super::error::{Error, Result};
use super::model::{MemoryMatch, TermHit, TermTranslation};
use super::source::{MatchSource, TermRecognizer};
use crate::memory::{self, model::SearchQuery, Memories};
use crate::termbase::{self, recognize::RecognizeOptions, TermBases};

/// Term recognition over the named term bases of a [`TermBases`].
pub struct TermBaseRecognizer<'a> {
    /// The term bases.
    pub termbases: &'a TermBases,
}

impl TermRecognizer for TermBaseRecognizer<'_> {
    fn recognize(
        &self,
        termbases: &[String],
        text: &str,
        source_lang: &str,
        target_lang: &str,
    ) -> Result<Vec<TermHit>> {
        let opts = RecognizeOptions {
            lang: Some(source_lang.to_string()),
            target_lang: Some(target_lang.to_string()),
            // Alignment and checks need the general words too (the checks
            // know not to require their translation).
            include_general: true,
            ..RecognizeOptions::default()
        };
        let found = self
            .termbases
            .recognize_many(termbases, text, &opts)
            .map_err(|e| match e {
                termbase::error::Error::TermBaseNotFound(name) => Error::NotFound {
                    kind: "termbase",
                    name,
                },
                other => Error::Recognition(other.to_string()),
            })?;
        let hits = found
            .into_iter()
            .map(|(tb, h)| TermHit {
                start: h.char_start,
                end: h.char_end,
                surface: h.surface,
                entry_id: h.concept_id.to_string(),
                term: h.term.to_string(),
                match_kind: h.match_kind.as_str().to_string(),
                confidence: h.confidence,
                status: h.status.as_str().to_string(),
                translations: h
                    .translations
                    .iter()
                    .map(|t| TermTranslation {
                        text: t.text.clone(),
                        lang: t.lang.clone(),
                        status: t.status.as_str().to_string(),
                        variants: Vec::new(),
                    })
                    .collect(),
                termbase: tb,
            })
            .collect();
        Ok(hits)
    }
}

/// Fuzzy search over the named memories of a [`Memories`].
pub struct MemorySource<'a> {
    /// The memories.
    pub memories: &'a Memories,
}

impl MatchSource for MemorySource<'_> {
    fn search(
        &self,
        memory: &str,
        text: &str,
        source_lang: &str,
        target_lang: &str,
        min_score: u32,
        limit: usize,
    ) -> Result<Vec<MemoryMatch>> {
        let q = SearchQuery {
            text: text.to_string(),
            source_lang: Some(source_lang.to_string()),
            target_lang: Some(target_lang.to_string()),
            min_score,
            limit,
            context: None,
        };
        let found = self.memories.search(memory, &q).map_err(|e| match e {
            memory::error::Error::MemoryNotFound(name) => Error::NotFound {
                kind: "memory",
                name,
            },
            e @ (memory::error::Error::Invalid { .. }
            | memory::error::Error::LanguagePairConflict { .. }) => Error::Invalid {
                field: "source_lang",
                message: e.to_string(),
            },
            other => Error::Search(other.to_string()),
        })?;
        Ok(found
            .into_iter()
            .map(|m| MemoryMatch {
                memory: memory.to_string(),
                id: m.id,
                score: m.score,
                diff: serde_json::to_value(&m.diff).unwrap_or_default(),
                penalties: serde_json::to_value(&m.penalties).unwrap_or_default(),
                source: m.source,
                target: m.target,
                source_lang: m.source_lang,
                target_lang: m.target_lang,
                origin: m.origin,
                modified: m.modified,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggest_and_memory_share_the_min_score_floor() {
        assert_eq!(
            super::super::model::MIN_SCORE_FLOOR,
            crate::memory::search::MIN_SCORE_FLOOR
        );
    }
}
