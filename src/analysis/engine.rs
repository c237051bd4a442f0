//! The analysis proper: segments of every file, their best memory match,
//! then one pass in job order that assigns each segment its band.

use super::count::{count_text, Counts};
use super::model::{Analysis, AnalysisOptions, Band, FileAnalysis, FileInput};
use crate::formats::xliff::{self, Skip};
use crate::pretranslate::{interior_codes, split_candidates, Error, Result, TAGS_DIFFER_PENALTY};
use crate::suggest::{self, MatchSource};
use rayon::prelude::*;
use std::collections::HashMap;

/// One segment to count.
struct Item {
    file: usize,
    text: String,
    tags: u64,
    /// Codes between its words (the pre-translation's `tags_differ`).
    interior: u32,
}

/// Analyses `files` against the memories of `opts` (see the module docs).
pub fn analyze(
    files: &[FileInput],
    opts: &AnalysisOptions,
    memory: &dyn MatchSource,
) -> Result<Analysis> {
    if !(suggest::model::MIN_SCORE_FLOOR..=100).contains(&opts.min_score) {
        return Err(suggest::Error::invalid(
            "min_score",
            format!(
                "must be between {} and 100, got {}",
                suggest::model::MIN_SCORE_FLOOR,
                opts.min_score
            ),
        )
        .into());
    }
    let mut items = Vec::new();
    let mut langs: Option<(String, String)> = None;
    for (fi, f) in files.iter().enumerate() {
        extract(fi, f, &mut items, &mut langs)?;
    }
    let (file_src, file_tgt) = langs.unwrap_or_else(|| ("ar".into(), "en".into()));
    let src = opts.source_lang.clone().unwrap_or(file_src);
    let tgt = opts.target_lang.clone().unwrap_or(file_tgt);
    let best: Vec<u32> = items
        .par_iter()
        .map(|it| {
            let mut best = 0;
            for (i, m) in opts.memories.iter().enumerate() {
                if opts.memories[..i].contains(m) {
                    continue;
                }
                let found = memory.search(m, &it.text, &src, &tgt, opts.min_score, 1)?;
                best = found.iter().map(|x| x.score).fold(best, u32::max);
            }
            // As the pre-translation scores it: plain-text memories cannot
            // place codes between the words.
            Ok(best.saturating_sub(TAGS_DIFFER_PENALTY.saturating_mul(it.interior)))
        })
        .collect::<suggest::Result<_>>()?;
    let mut out = Analysis {
        source_lang: src,
        target_lang: tgt,
        memories: opts.memories.clone(),
        min_score: opts.min_score,
        internal_fuzzy: opts.internal_fuzzy,
        files: files
            .iter()
            .map(|f| FileAnalysis::new(f.name.clone()))
            .collect(),
        total: FileAnalysis::new("TOTAL".into()),
        weights: opts.weights.clone(),
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut internal = super::internal::InternalMemory::default();
    for (it, &score) in items.iter().zip(&best) {
        let key = it.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let band = if score >= 101 {
            Band::Context
        } else if score == 100 {
            Band::Exact
        } else if let Some(&first) = seen.get(&key) {
            if first == it.file {
                Band::Repetitions
            } else {
                Band::CrossFileRepetitions
            }
        } else {
            let own = if opts.internal_fuzzy {
                internal.best(&it.text)
            } else {
                0
            };
            if own > score && own >= opts.min_score {
                Band::internal_fuzzy(own)
            } else {
                Band::fuzzy(score, opts.min_score)
            }
        };
        seen.entry(key).or_insert(it.file);
        if opts.internal_fuzzy {
            internal.add(&it.text);
        }
        let c = count_text(&it.text, it.tags);
        out.files[it.file].add(band, c);
        out.total.add(band, c);
    }
    out.finish();
    Ok(out)
}

/// The segments of one file: XLIFF units (except `translate="no"`), split
/// like the pre-translation splits them, or plain text segmented.
fn extract(
    fi: usize,
    f: &FileInput,
    items: &mut Vec<Item>,
    langs: &mut Option<(String, String)>,
) -> Result<()> {
    let (text, _) = xliff::decode(&f.bytes).map_err(|e| located(f, e))?;
    if !text.trim_start().starts_with('<') {
        for s in crate::text::segment(&text) {
            items.push(Item {
                file: fi,
                text: s.text(&text).to_string(),
                tags: 0,
                interior: 0,
            });
        }
        return Ok(());
    }
    let doc = xliff::parse(text.as_bytes()).map_err(|e| located(f, e))?;
    if langs.is_none() {
        let (s, t) = crate::pretranslate::languages(&doc, &Default::default());
        *langs = Some((s, t));
    }
    for unit in &doc.units {
        if unit.skip == Some(Skip::NotTranslatable) {
            continue;
        }
        for seg in &unit.segments {
            let plain = seg.plain_source();
            if plain.trim().is_empty() {
                continue;
            }
            let tags = seg
                .codes()
                .filter(|c| c.kind != xliff::CodeKind::Close)
                .count() as u64;
            let sentences = split_candidates(doc.flavour, seg, &plain);
            if sentences.len() > 1 {
                for s in sentences {
                    items.push(Item {
                        file: fi,
                        text: s.text(&plain).to_string(),
                        tags: 0,
                        interior: 0,
                    });
                }
            } else {
                items.push(Item {
                    file: fi,
                    text: plain.trim().to_string(),
                    tags,
                    interior: interior_codes(&seg.source) as u32,
                });
            }
        }
    }
    Ok(())
}

/// A format error of file `f`, its name in the message.
fn located(f: &FileInput, mut e: crate::formats::FormatError) -> Error {
    e.message = format!("{}: {}", f.name, e.message);
    Error::Format(e)
}

impl FileAnalysis {
    fn add(&mut self, band: Band, c: Counts) {
        *self.band_mut(band) += c;
        self.total += c;
    }
}
