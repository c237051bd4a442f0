//! Where the translations of recognized concepts occur in a target text, and
//! the alignment of source hits with those occurrences.
//!
//! All target terms (and variants) of all recognized concepts are searched in
//! one [`TermRecognizer::find_in_target`] call. Overlapping occurrences are
//! resolved leftmost-longest (`artificial intelligence` wins over
//! `intelligence`); an identical span found for two concepts (a shared
//! translation) is kept for both, and the alignment then gives it to one hit
//! only. Within a concept, hits and occurrences are paired in text order:
//! the nth source occurrence with the nth target occurrence.

use super::model::{Alignment, TermHit};
use super::source::TermRecognizer;

/// One occurrence of a concept's target term.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Occurrence {
    /// First code point in the target text.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// Index into [`Occurrences::concepts`].
    pub concept: usize,
    /// Status of the target term found.
    pub status: String,
    /// The target term as the term base lists it.
    pub listed: String,
}

/// The distinct concepts of a set of hits and their occurrences in a text.
#[derive(Debug, Default)]
pub(crate) struct Occurrences {
    /// `(termbase, entry_id)` in order of first hit.
    pub concepts: Vec<(String, String)>,
    /// Non-overlapping occurrences (identical spans of distinct concepts
    /// excepted), sorted by start.
    pub found: Vec<Occurrence>,
}

impl Occurrences {
    /// Index of a hit's concept.
    pub fn concept_of(&self, hit: &TermHit) -> Option<usize> {
        self.concepts
            .iter()
            .position(|(tb, id)| (tb.as_str(), id.as_str()) == hit.concept())
    }

    /// Occurrences of one concept, in text order.
    pub fn of(&self, concept: usize) -> impl Iterator<Item = &Occurrence> {
        self.found.iter().filter(move |o| o.concept == concept)
    }
}

/// Finds the target terms of the concepts of `hits` in `text`.
pub(crate) fn occurrences(
    rec: &dyn TermRecognizer,
    text: &str,
    target_lang: &str,
    hits: &[TermHit],
) -> Occurrences {
    let mut occ = Occurrences::default();
    // Searched strings and, for each, (concept, status).
    let mut wanted: Vec<String> = Vec::new();
    let mut owner: Vec<(usize, String)> = Vec::new();
    for hit in hits {
        if occ.concept_of(hit).is_some() {
            continue;
        }
        let c = occ.concepts.len();
        occ.concepts
            .push((hit.termbase.clone(), hit.entry_id.clone()));
        for t in &hit.translations {
            for form in std::iter::once(&t.text).chain(t.variants.iter()) {
                wanted.push(form.clone());
                owner.push((c, t.status.clone()));
            }
        }
    }
    if wanted.is_empty() || text.is_empty() {
        return occ;
    }
    let mut all: Vec<Occurrence> = rec
        .find_in_target(text, target_lang, &wanted)
        .into_iter()
        .filter(|o| o.start < o.end)
        .filter_map(|o| {
            let (concept, status) = owner.get(o.term)?;
            Some(Occurrence {
                start: o.start,
                end: o.end,
                concept: *concept,
                status: status.clone(),
                listed: wanted.get(o.term)?.clone(),
            })
        })
        .collect();
    // Leftmost-longest; among equal spans a usable status first, so a
    // concept listing one form as both admitted and forbidden is not flagged.
    all.sort_by_key(|o| {
        (
            o.start,
            std::cmp::Reverse(o.end),
            o.concept,
            !matches!(o.status.as_str(), "preferred" | "admitted"),
        )
    });
    let mut kept: Vec<Occurrence> = Vec::new();
    for o in all {
        let clash = kept.iter().any(|k| {
            let overlap = o.start < k.end && k.start < o.end;
            let same_span = o.start == k.start && o.end == k.end;
            overlap && !(same_span && o.concept != k.concept)
        });
        if !clash {
            kept.push(o);
        }
    }
    occ.found = kept;
    occ
}

/// Aligns each hit with an occurrence of its concept, in order, never giving
/// one target span to two hits. `hits` must be sorted by start.
pub(crate) fn align(hits: &[TermHit], occ: &Occurrences) -> Vec<Alignment> {
    let mut used: Vec<(usize, usize)> = Vec::new();
    let mut out = Vec::new();
    for (c, _) in occ.concepts.iter().enumerate() {
        let mut targets = occ
            .of(c)
            .filter(|o| !used.contains(&(o.start, o.end)))
            .map(|o| (o.start, o.end))
            .collect::<Vec<_>>()
            .into_iter();
        for hit in hits.iter().filter(|h| occ.concept_of(h) == Some(c)) {
            let Some(span) = targets.by_ref().find(|s| !used.contains(s)) else {
                break;
            };
            used.push(span);
            out.push(Alignment {
                source_start: hit.start,
                source_end: hit.end,
                target_start: span.0,
                target_end: span.1,
                entry_id: hit.entry_id.clone(),
            });
        }
    }
    out.sort_by_key(|a| (a.source_start, a.target_start));
    out
}
