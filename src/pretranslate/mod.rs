//! XLIFF pre-translation: the file a translator works on, returned with
//! memory matches offered, targets filled and terms noted, in the file's
//! own dialect (XLIFF 1.2, SDLXLIFF, MQXLIFF, XLIFF 2.0/2.1).
//!
//! The engine works over the suggestion engine's two traits
//! ([`crate::suggest::TermRecognizer`], [`crate::suggest::MatchSource`]),
//! so tests use fakes and the server
//! the real term bases and memories. Matching *is* the suggestion engine
//! ([`crate::suggest::suggest`] on the segment list): merged ranked matches
//! from every listed memory, clitic-aware term recognition and the
//! fuzzy-match repair of terms and numbers, so a 95 % match whose only
//! difference is a known term or a number is filled repaired.
//!
//! # What is written
//! Reading and writing are [`crate::formats::xliff`]: a streaming pass that
//! records spans, and byte splicing, so everything outside the segments is
//! the input's bytes. Per segment:
//! * up to `max_matches` matches scoring at least `min_score`, as
//!   `<alt-trans mid match-quality="87" origin="mustalah:<memory>">` with
//!   `<source xml:lang>`/`<target xml:lang>` (XLIFF 1.2; integer quality:
//!   Okapi ignores `87.5`) or `<mtc:match ref similarity matchQuality
//!   origin type="tm">` (XLIFF 2);
//! * at or above `fill_threshold`, the target: `state="translated"
//!   state-qualifier="exact-match"` for 100 and 101,
//!   `needs-review-translation`/`leveraged-tm` for fuzzy fills (XLIFF 2:
//!   `state="translated"`/`initial` with `subState`); SDLXLIFF `<sdl:seg
//!   conf="Translated|Draft" origin="tm" origin-system="mustalah:<memory>"
//!   percent>`, MQXLIFF `mq:status="Pretranslated" mq:percent` (the lowest
//!   fill of the unit). `approved="yes"` is never set;
//! * the term-base hits of the source (surface → preferred translation,
//!   forbidden and deprecated ones to avoid) as `<note from="mustalah">`
//!   (XLIFF 1.2) or `<gls:glossary>` (XLIFF 2).
//!
//! Skipped: `translate="no"`, locked (`sdl:seg locked`, `mq:locked`),
//! approved (`approved="yes"`, SDL approved/signed-off, memoQ confirmed,
//! XLIFF 2 `reviewed`/`final`) and segments whose target has content.
//!
//! # Segmentation and inline codes
//! `<seg-source>` markers and XLIFF 2 segments are kept: a rebuilt target
//! mirrors the seg-source (same `mid`s in order, same codes around them).
//! An unsegmented 1.2 unit without inline codes and without a target is
//! split with [`crate::text::segment`] (`. ! ? ؟ ؛` …) when it has several
//! sentences, and gets a `<seg-source>` and a target with one marker per
//! sentence. Inline codes are opaque and keep their ids: memories hold
//! plain text, so a filled target has the source's leading and trailing
//! codes in place and the codes from between its words after the text; each
//! such code costs the match [`TAGS_DIFFER_PENALTY`] (`tags_differ`), so a
//! 100 % match of a segment with inner codes is a 99 % fuzzy fill for review.
//!
//! ```
//! use mustalah::pretranslate::{pretranslate, Options};
//! use mustalah::suggest::{MatchSource, MemoryMatch, Result, TermHit, TermRecognizer};
//! struct NoTerms;
//! impl TermRecognizer for NoTerms {
//!     fn recognize(&self, _: &[String], _: &str, _: &str, _: &str) -> Result<Vec<TermHit>> {
//!         Ok(vec![])
//!     }
//! }
//! struct OneUnit;
//! impl MatchSource for OneUnit {
//!     fn search(&self, memory: &str, text: &str, _: &str, _: &str, _: u32, _: usize)
//!         -> Result<Vec<MemoryMatch>> {
//!         Ok((text == "افتح الملف").then(|| MemoryMatch {
//!             memory: memory.into(), id: 1, score: 100, source: text.into(),
//!             target: "Open the file".into(), source_lang: "ar".into(),
//!             target_lang: "en".into(), diff: Default::default(),
//!             penalties: Default::default(), origin: None, modified: Default::default(),
//!         }).into_iter().collect())
//!     }
//! }
//! let xlf = r#"<xliff version="1.2"><file source-language="ar" target-language="en"><body>
//! <trans-unit id="1"><source>افتح الملف</source></trans-unit>
//! </body></file></xliff>"#;
//! let out = pretranslate(xlf.as_bytes(), &Options::default(), &NoTerms, &OneUnit).unwrap();
//! let text = String::from_utf8(out.bytes).unwrap();
//! assert!(text.contains(r#"<target xml:lang="en" state="translated" state-qualifier="exact-match">Open the file</target>"#));
//! assert!(text.contains(r#"<alt-trans match-quality="100" origin="mustalah:default">"#));
//! assert_eq!(out.report.filled, 1);
//! ```

mod engine;
pub mod error;
pub mod model;
#[cfg(test)]
mod tests;
mod write;

pub use engine::pretranslate;
pub(crate) use engine::{interior_codes, languages, split_candidates};
pub use error::{Error, Result};
pub use model::{Options, Pretranslated, Report, TAGS_DIFFER_PENALTY};
