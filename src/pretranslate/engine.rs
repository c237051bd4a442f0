//! The engine: decode, parse, plan the segments to look up, match them
//! through the suggestion engine, and hand the outcomes to the writer.

use super::error::Result;
use super::model::{Options, Pretranslated, Report, TAGS_DIFFER_PENALTY};
use super::write;
use crate::formats::xliff::{self, CodeKind, Document, Flavour, Part, Segment, TargetSlot};
use crate::suggest::{
    self,
    model::{SuggestRequest, SuggestionKind, MAX_LIMIT, MAX_SEGMENTS},
    MatchSource, TermHit, TermRecognizer,
};

/// One lookup: a segment, or a sentence of an unsegmented unit.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    /// Unit index.
    pub unit: usize,
    /// Segment index in the unit.
    pub seg: usize,
    /// For a split unit: the sentence's 0-based index and the whitespace
    /// that precedes it in the source.
    pub sentence: Option<(usize, String)>,
    /// The text looked up (codes removed).
    pub text: String,
    /// Inline codes of the segment a filled target cannot place.
    pub interior_codes: usize,
}

/// A match offered for a piece.
#[derive(Debug, Clone)]
pub(crate) struct Offer {
    pub memory: String,
    pub score: u32,
    pub source: String,
    pub target: String,
}

/// What matching found for a piece.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// Matches offered, best first (scores after the inline-code penalty).
    pub offers: Vec<Offer>,
    /// The text to fill the target with and its score, at or above the
    /// fill threshold.
    pub fill: Option<(String, u32, String)>,
    /// Term-base hits of the source.
    pub terms: Vec<TermHit>,
    /// Whether the inline-code penalty lowered the best match.
    pub demoted: bool,
}

/// Pre-translates an XLIFF file (see the module docs).
pub fn pretranslate(
    input: &[u8],
    opts: &Options,
    terms: &dyn TermRecognizer,
    memory: &dyn MatchSource,
) -> Result<Pretranslated> {
    validate(opts)?;
    let (text, envelope) = xliff::decode(input)?;
    let doc = xliff::parse(text.as_bytes())?;
    let (src, tgt) = languages(&doc, opts);
    let mut report = Report {
        flavour: doc.flavour.as_str().to_string(),
        source_lang: src.clone(),
        target_lang: tgt.clone(),
        units: doc.units.len(),
        ..Report::default()
    };
    let pieces = plan(&doc, &mut report);
    let outcomes = lookup(&pieces, opts, &src, &tgt, terms, memory)?;
    for o in &outcomes {
        match &o.fill {
            Some((_, score, _)) => {
                report.filled += 1;
                if *score >= 100 {
                    report.filled_exact += 1;
                }
            }
            None if !o.offers.is_empty() => report.fuzzy_offered += 1,
            None => {}
        }
        report.with_terms += usize::from(!o.terms.is_empty());
        report.tags_differ += usize::from(o.demoted);
    }
    let langs = write::Langs {
        source: &src,
        target: &tgt,
    };
    let edits = write::edits(&text, &doc, &pieces, &outcomes, langs, &mut report);
    let out = xliff::apply_edits(&text, &edits);
    Ok(Pretranslated {
        bytes: xliff::encode(&out, envelope),
        report,
    })
}

fn validate(opts: &Options) -> Result<()> {
    if !(30..=101).contains(&opts.fill_threshold) {
        return Err(suggest::Error::invalid(
            "fill_threshold",
            format!("must be between 30 and 101, got {}", opts.fill_threshold),
        )
        .into());
    }
    if opts.max_matches == 0 || opts.max_matches > MAX_LIMIT {
        return Err(suggest::Error::invalid(
            "max_matches",
            format!(
                "must be between 1 and {MAX_LIMIT}, got {}",
                opts.max_matches
            ),
        )
        .into());
    }
    Ok(())
}

/// The language pair: the options', else the first unit's, else ar → en.
pub(crate) fn languages(doc: &Document, opts: &Options) -> (String, String) {
    let first =
        |f: fn(&xliff::Unit) -> Option<&String>| doc.units.iter().find_map(|u| f(u).cloned());
    let src = opts
        .source_lang
        .clone()
        .or_else(|| first(|u| u.source_lang.as_ref()))
        .unwrap_or_else(|| "ar".into());
    let tgt = opts
        .target_lang
        .clone()
        .or_else(|| first(|u| u.target_lang.as_ref()))
        .unwrap_or_else(|| "en".into());
    (src, tgt)
}

/// Inline codes of `parts` between the first and last non-blank text: a
/// filled target keeps the leading and trailing codes in place and puts
/// these after the text. Closing codes are not counted (a pair is one).
pub(crate) fn interior_codes(parts: &[Part]) -> usize {
    let nonblank = |p: &Part| matches!(p, Part::Text(t) if !t.trim().is_empty());
    let (Some(first), Some(last)) = (
        parts.iter().position(nonblank),
        parts.iter().rposition(nonblank),
    ) else {
        return 0;
    };
    parts[first..=last]
        .iter()
        .filter(|p| matches!(p, Part::Code(c) if c.kind != CodeKind::Close))
        .count()
}

/// The segments to look up, counting the skipped ones in `report`.
pub(crate) fn plan(doc: &Document, report: &mut Report) -> Vec<Piece> {
    let mut out = Vec::new();
    for (ui, unit) in doc.units.iter().enumerate() {
        for (si, seg) in unit.segments.iter().enumerate() {
            let skip = unit.skip.or(seg.skip);
            if let Some(why) = skip {
                report.segments += 1;
                *report.skipped.entry(why.as_str().to_string()).or_default() += 1;
                continue;
            }
            let text = seg.plain_source();
            if text.trim().is_empty() {
                continue;
            }
            let sentences = split_candidates(doc.flavour, seg, &text);
            if sentences.len() > 1 {
                let mut prev_end = 0;
                for (k, s) in sentences.iter().enumerate() {
                    report.segments += 1;
                    out.push(Piece {
                        unit: ui,
                        seg: si,
                        sentence: Some((k, text[prev_end..s.start].to_string())),
                        text: s.text(&text).to_string(),
                        interior_codes: 0,
                    });
                    prev_end = s.end;
                }
                continue;
            }
            report.segments += 1;
            out.push(Piece {
                unit: ui,
                seg: si,
                sentence: None,
                interior_codes: interior_codes(&seg.source),
                text,
            });
        }
    }
    out
}

/// Sentences of an unsegmented XLIFF 1.2 unit without inline codes and
/// without a target element (others stay one segment).
pub(crate) fn split_candidates(
    flavour: Flavour,
    seg: &Segment,
    text: &str,
) -> Vec<crate::text::Segment> {
    let splittable = flavour != Flavour::Xliff2
        && seg.mid.is_none()
        && seg.codes().next().is_none()
        && seg.target == TargetSlot::Missing;
    if splittable {
        crate::text::segment(text)
    } else {
        Vec::new()
    }
}

/// Matches every piece through the suggestion engine (terms, ranked merged
/// matches, fuzzy repair of terms and numbers).
fn lookup(
    pieces: &[Piece],
    opts: &Options,
    src: &str,
    tgt: &str,
    terms: &dyn TermRecognizer,
    memory: &dyn MatchSource,
) -> Result<Vec<Outcome>> {
    let mut out = Vec::with_capacity(pieces.len());
    for chunk in pieces.chunks(MAX_SEGMENTS) {
        let req = SuggestRequest {
            text: None,
            segments: Some(chunk.iter().map(|p| p.text.clone()).collect()),
            source_lang: src.to_string(),
            target_lang: tgt.to_string(),
            memories: opts.memories.clone(),
            termbases: opts.termbases.clone(),
            min_score: opts.min_score,
            limit: opts.max_matches,
        };
        let resp = suggest::suggest(&req, terms, memory)?;
        for (piece, seg) in chunk.iter().zip(resp.segments) {
            let penalty = TAGS_DIFFER_PENALTY.saturating_mul(piece.interior_codes as u32);
            let offers: Vec<Offer> = seg
                .matches
                .iter()
                .map(|m| Offer {
                    memory: m.memory.clone(),
                    score: m.score.saturating_sub(penalty),
                    source: m.source.clone(),
                    target: m.target.clone(),
                })
                .filter(|o| o.score >= opts.min_score)
                .collect();
            let s = &seg.suggestion;
            let score = s.score.saturating_sub(penalty);
            let fill = (s.kind != SuggestionKind::TermsOnly
                && !s.text.trim().is_empty()
                && score >= opts.fill_threshold)
                .then(|| {
                    let memory = s
                        .from_match
                        .as_deref()
                        .and_then(|f| f.rsplit_once(':'))
                        .map_or("", |(m, _)| m)
                        .to_string();
                    (s.text.clone(), score, memory)
                });
            out.push(Outcome {
                demoted: penalty > 0 && !seg.matches.is_empty(),
                offers,
                fill,
                terms: seg.terms,
            });
        }
    }
    Ok(out)
}
