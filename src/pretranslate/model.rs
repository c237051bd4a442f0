//! Options and report of a pre-translation (plain data; the HTTP layer has
//! its own DTOs).

use serde::Serialize;
use std::collections::BTreeMap;

/// Default lowest score of a match offered as `<alt-trans>`.
pub const DEFAULT_MIN_SCORE: u32 = 70;
/// Default score from which a match fills the target.
pub const DEFAULT_FILL_THRESHOLD: u32 = 100;
/// Default matches offered per segment.
pub const DEFAULT_MAX_MATCHES: usize = 3;
/// Points a match loses per inline code of the segment it cannot place
/// where the source has it (memories store plain text; see the module docs).
pub const TAGS_DIFFER_PENALTY: u32 = 1;

/// What to pre-translate with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Memories searched (their matches are merged).
    pub memories: Vec<String>,
    /// Term bases whose terms are noted per segment.
    pub termbases: Vec<String>,
    /// Lowest score offered (30–100).
    pub min_score: u32,
    /// Score from which the target is filled (30–101).
    pub fill_threshold: u32,
    /// Matches offered per segment (1–50).
    pub max_matches: usize,
    /// Source language; `None`: the file's.
    pub source_lang: Option<String>,
    /// Target language; `None`: the file's.
    pub target_lang: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            memories: vec!["default".into()],
            termbases: Vec::new(),
            min_score: DEFAULT_MIN_SCORE,
            fill_threshold: DEFAULT_FILL_THRESHOLD,
            max_matches: DEFAULT_MAX_MATCHES,
            source_lang: None,
            target_lang: None,
        }
    }
}

/// What a pre-translation did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// `xliff12`, `sdlxliff`, `mqxliff` or `xliff2`.
    pub flavour: String,
    /// Source language used.
    pub source_lang: String,
    /// Target language used.
    pub target_lang: String,
    /// Translation units read.
    pub units: usize,
    /// Segments read (after splitting unsegmented units).
    pub segments: usize,
    /// Segments whose target was filled.
    pub filled: usize,
    /// Of those, filled from a match of 100 or more.
    pub filled_exact: usize,
    /// Segments offered matches (`<alt-trans>`/`<mtc:match>`) but not filled.
    pub fuzzy_offered: usize,
    /// Segments left alone, by reason (`translate_no`, `locked`, `approved`,
    /// `has_target`).
    pub skipped: BTreeMap<String, usize>,
    /// Segments with term-base hits noted.
    pub with_terms: usize,
    /// Segments whose best match was demoted for inline codes.
    pub tags_differ: usize,
    /// Segments that could not be written (a target shape the writer does
    /// not know); they are left as they were.
    pub errors: usize,
}

impl Report {
    /// All skipped segments.
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }
}

/// A pre-translated file.
#[derive(Debug, Clone)]
pub struct Pretranslated {
    /// The document, encoded like the input.
    pub bytes: Vec<u8>,
    /// What was done.
    pub report: Report,
}
