//! Links → translation-memory unit drafts.

use super::model::{Alignment, Link};
use crate::memory::aligned;
use crate::memory::model::UnitDraft;
use crate::memory::MAX_SEGMENT_BYTES;

/// Drafts from an alignment and what was left out.
#[derive(Debug, Clone, Default)]
pub struct Drafts {
    /// One draft per stored link, in document order.
    pub drafts: Vec<UnitDraft>,
    /// The link of each draft (index into `Alignment::pairs`).
    pub links: Vec<usize>,
    /// `1-0`/`0-1` links (nothing to store).
    pub skipped_null: usize,
    /// Links below `min_quality`.
    pub skipped_quality: usize,
    /// Links with a side over the memory's segment limit.
    pub skipped_too_long: usize,
}

/// A link's text as a unit holds it: the line breaks and spaces between two
/// joined sentences become one space.
fn unit_text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Drafts for the links of `alignment` at or above `min_quality`. `swap`:
/// the memory's source language is the request's target language.
pub fn drafts(alignment: &Alignment, swap: bool, min_quality: f32) -> Drafts {
    let mut out = Drafts::default();
    for (k, l) in alignment.pairs.iter().enumerate() {
        if l.kind.is_null() {
            out.skipped_null += 1;
            continue;
        }
        if l.quality < min_quality {
            out.skipped_quality += 1;
            continue;
        }
        if l.source.len() > MAX_SEGMENT_BYTES || l.target.len() > MAX_SEGMENT_BYTES {
            out.skipped_too_long += 1;
            continue;
        }
        out.drafts.push(draft(l, swap));
        out.links.push(k);
    }
    out
}

fn draft(l: &Link, swap: bool) -> UnitDraft {
    let (s, t) = (unit_text(&l.source), unit_text(&l.target));
    let (source, target) = if swap { (t, s) } else { (s, t) };
    UnitDraft {
        source,
        target,
        props: aligned::props(l.quality, l.kind.as_str()),
        ..Default::default()
    }
}

/// Whether a request's `source_lang → target_lang` runs against the
/// memory's pair (`Ok(true)`: the request's source is the memory's target);
/// a pair that is not the memory's either way is [`super::Error::Invalid`].
pub fn orientation(
    meta: &crate::memory::model::MemoryMeta,
    source_lang: &str,
    target_lang: &str,
) -> super::Result<bool> {
    use crate::memory::lang_base;
    let (s, t) = (lang_base(source_lang), lang_base(target_lang));
    let (ms, mt) = (lang_base(&meta.source_lang), lang_base(&meta.target_lang));
    if s == ms && t == mt {
        Ok(false)
    } else if s == mt && t == ms {
        Ok(true)
    } else {
        Err(super::Error::invalid(
            "source_lang",
            format!(
                "{source_lang}→{target_lang} is not the memory's pair ({}→{}) either way",
                meta.source_lang, meta.target_lang
            ),
        ))
    }
}
