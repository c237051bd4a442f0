//! Broken-plural lexicon (singular ↔ plural).
//!
//! STUB: the text-analysis work adds the lexicon data file and lookups.

/// The singular(s) of a normalized broken plural, if the lexicon knows it.
pub fn singulars_of(_plural_norm: &str) -> &'static [&'static str] {
    &[]
}
