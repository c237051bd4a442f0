//! Match analysis: the word counts per match band that every translation
//! quote starts from, per file and for the job.
//!
//! Works over [`crate::suggest::MatchSource`] (the same trait as the
//! suggestion and pre-translation engines), so tests use fakes.
//!
//! # Bands (Trados "Analyze Files" / memoQ statistics)
//! Files are taken in the order given, segments in document order
//! (unsegmented XLIFF 1.2 units split into sentences as the
//! pre-translation splits them; plain text by [`crate::text::segment`]).
//! Each segment's best match over the listed memories decides first (less
//! [`crate::pretranslate::TAGS_DIFFER_PENALTY`] per inline code between its
//! words, as the pre-translation scores it — Trados' missing formatting
//! penalty):
//! * `context` — a 101 % match; `exact` — 100 %;
//! * otherwise, a segment whose text (whitespace collapsed) occurred earlier
//!   in the job is a repetition — `repetitions` when the first occurrence
//!   is in the same file, `cross_file_repetitions` when it is in an earlier
//!   one. As in Trados, only segments that would otherwise be fuzzy or new
//!   count as repetitions: a 100 % or 101 % match is never one, and the
//!   first occurrence keeps its own band;
//! * with `internal_fuzzy`, a segment that matches an earlier segment of
//!   the job better than any memory does falls in `internal_fuzzy_*`
//!   (scored with the memory's similarity, [`crate::memory::score`]);
//! * else `fuzzy_95_99`, `fuzzy_85_94`, `fuzzy_75_84`, `fuzzy_50_74` by
//!   score, and `new` below the minimum score (default 50).
//!
//! Counts per band: segments, words, characters, placeables, tags
//! ([`count`], which documents the Arabic word rule: a word with its
//! clitics, `وبالملفات`, is one word). Optional payable rates give a
//! weighted word count.
//!
//! ```
//! use mustalah::analysis::{analyze, AnalysisOptions, FileInput};
//! use mustalah::suggest::{MatchSource, MemoryMatch, Result};
//! struct Empty;
//! impl MatchSource for Empty {
//!     fn search(&self, _: &str, _: &str, _: &str, _: &str, _: u32, _: usize)
//!         -> Result<Vec<MemoryMatch>> { Ok(vec![]) }
//! }
//! let files = vec![
//!     FileInput { name: "a.txt".into(), bytes: "افتح الملف. احفظ الملف.".into() },
//!     FileInput { name: "b.txt".into(), bytes: "افتح الملف.".into() },
//! ];
//! let a = analyze(&files, &AnalysisOptions::default(), &Empty).unwrap();
//! assert_eq!(a.files[0].bands.new.segments, 2);
//! assert_eq!(a.files[1].bands.cross_file_repetitions.words, 2);
//! assert_eq!(a.total.total.words, 6);
//! ```

pub mod count;
mod engine;
mod internal;
pub mod model;
pub mod report;
#[cfg(test)]
mod tests;

pub use engine::analyze;
pub use model::{Analysis, AnalysisOptions, Band, FileAnalysis, FileInput};
