//! Bilingual alignment: a document and its translation → sentence links,
//! the raw material of translation-memory units.
//!
//! (Not to be confused with `suggest`'s term alignment, which pairs
//! glossary terms inside one suggested segment.)
//!
//! The engine works over plain text and one port, the term recognizer of
//! the suggestion engine ([`crate::suggest::TermRecognizer`], backed by the
//! real term bases through [`crate::suggest::adapters::TermBaseRecognizer`]),
//! so tests run it with fakes.
//!
//! # Algorithm
//! 1. Both texts are split into sentences by [`crate::text::segment()`].
//!    Paragraphs are separated by blank lines; a text without blank lines
//!    takes every line break as one.
//! 2. Lexical anchors per sentence ([`anchor`]): numbers (any digit system),
//!    Latin-script words, URLs, placeholders, the sentence-final `?`/`!`/`:`
//!    and, with `termbases`, concepts recognized in the source whose
//!    translations occur in the target. Only keys found in both texts count;
//!    keys found exactly once in each (hapax pairs) weigh more.
//! 3. Dynamic programming over sentences ([`dp`]): links `1-1`, `1-2`, `2-1`,
//!    `2-2`, `1-0`, `0-1`, never crossing, each costing its prior, its
//!    weighted length cost under the Arabic–English length model
//!    ([`length`]) and its
//!    matched/unmatched anchors; reaching a point where both texts start a
//!    paragraph earns a bonus. Only a band around the diagonal is computed,
//!    bent and widened through hapax anchors and matching paragraph starts.
//! 4. Each link gets a **quality** in 0–1: `pʷ` of its length
//!    probability `p` (`w` the length weight, 0.3), averaged half-and-half
//!    with its anchor agreement (matched / (matched + unmatched) anchor
//!    weight) when it has anchors, else `0.85·pʷ`; times 0.9 for `1-2`/`2-1`, 0.8 for `2-2`, 0.85 when
//!    only one side starts a paragraph there (both texts having paragraphs);
//!    0 for `1-0`/`0-1`.
//!
//! ```
//! use mustalah::bitext::{align, AlignRequest};
//! use mustalah::suggest::{TermHit, TermRecognizer, Result};
//! struct NoTerms;
//! impl TermRecognizer for NoTerms {
//!     fn recognize(&self, _: &[String], _: &str, _: &str, _: &str) -> Result<Vec<TermHit>> {
//!         Ok(vec![])
//!     }
//! }
//! let req = AlignRequest {
//!     source_text: "أطلقت ديب سيك نموذج R1 في يناير. وخسرت إنفيديا 600 مليار دولار.".into(),
//!     target_text: "DeepSeek released R1 in January. Nvidia lost $600 billion.".into(),
//!     ..Default::default()
//! };
//! let out = align(&req, &NoTerms).unwrap();
//! assert_eq!(out.pairs.len(), 2);
//! assert_eq!(out.pairs[1].target, "Nvidia lost $600 billion.");
//! assert_eq!(out.pairs[1].source_start, Some(33));
//! ```
//!
//! # Not handled
//! * Links joining more than two sentences on a side (a `3-1` comes out as
//!   a `2-1` plus a `1-0`, or a `2-2`).
//! * Reordered sentences or paragraphs (links never cross).
//! * Markup: HTML or Markdown must be stripped to text first.

pub(crate) mod anchor;
pub(crate) mod dp;
pub mod error;
pub mod length;
pub mod model;
pub mod units;

pub use dp::Costs;
pub use error::{Error, Result};
pub use length::LengthModel;
pub use model::{AlignRequest, AlignStats, Alignment, Anchor, AnchorKind, Link, LinkKind};

use crate::suggest::TermRecognizer;
use crate::text::{self, Lang, Segment};

/// How to align: the defaults are the aligner; the benchmark also runs the
/// length-only baseline through the same code.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Length model; `None` = the one for the request's language pair.
    pub length: Option<LengthModel>,
    /// Lexical anchors (numbers, Latin words, terms…).
    pub lexical: bool,
    /// Paragraph breaks as evidence.
    pub paragraphs: bool,
    /// The DP's cost constants.
    pub costs: Costs,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            length: None,
            lexical: true,
            paragraphs: true,
            costs: Costs::default(),
        }
    }
}

/// One side of a document pair, split into sentences.
struct Document<'a> {
    text: &'a str,
    sentences: Vec<Segment>,
    /// `breaks[i]`: a paragraph starts at sentence `i` (n + 1 entries).
    breaks: Vec<bool>,
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{0085}')
}

impl<'a> Document<'a> {
    fn new(text: &'a str) -> Document<'a> {
        let sentences = text::segment(text);
        let gap = |k: usize| -> &str {
            let from = sentences[k - 1].end;
            text.get(from..sentences[k].start).unwrap_or("")
        };
        let blank = |g: &str| g.chars().filter(|&c| c == '\n' || c == '\u{2029}').count() >= 2;
        let blank_lines = (1..sentences.len()).any(|k| blank(gap(k)));
        let mut breaks = vec![false; sentences.len() + 1];
        breaks[0] = true;
        breaks[sentences.len()] = true;
        for (k, b) in breaks.iter_mut().enumerate().take(sentences.len()).skip(1) {
            let g = gap(k);
            *b = if blank_lines {
                blank(g)
            } else {
                g.chars().any(is_line_break)
            };
        }
        Document {
            text,
            sentences,
            breaks,
        }
    }

    fn paragraphs(&self) -> usize {
        if self.sentences.is_empty() {
            0
        } else {
            self.breaks.iter().filter(|&&b| b).count() - 1
        }
    }

    fn sentence(&self, k: usize) -> &'a str {
        self.sentences[k].text(self.text)
    }

    /// The text of sentences `from..from + len`, as written between them.
    fn span(&self, from: usize, len: usize) -> (Option<usize>, Option<usize>, String) {
        if len == 0 {
            return (None, None, String::new());
        }
        let (a, b) = (&self.sentences[from], &self.sentences[from + len - 1]);
        (
            Some(a.char_start),
            Some(b.char_end),
            self.text.get(a.start..b.end).unwrap_or("").to_string(),
        )
    }

    /// Index of the sentence holding code point `at`.
    fn sentence_at(&self, at: usize) -> Option<usize> {
        let k = self.sentences.partition_point(|s| s.char_end <= at);
        self.sentences
            .get(k)
            .filter(|s| s.char_start <= at)
            .map(|_| k)
    }
}

/// Checks one side: not empty, not too long, text rather than binary data,
/// and in its stated language.
fn check_text(field: &'static str, text: &str, lang: Lang, tag: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if text.len() > model::MAX_TEXT_BYTES {
        return Err(Error::invalid(
            field,
            format!(
                "is {} bytes; at most {} bytes per side",
                text.len(),
                model::MAX_TEXT_BYTES
            ),
        ));
    }
    let controls = text
        .chars()
        .filter(|&c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0c}'))
        .count();
    if text.contains('\0') || controls * 100 > text.chars().count().max(1) {
        return Err(Error::invalid(
            field,
            "looks like binary data (NUL or control characters); send plain text",
        ));
    }
    let (mut arabic, mut latin) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        if text::normalize::is_arabic_letter(c) {
            arabic += 1;
        } else if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
            latin += 1;
        }
    }
    let letters = arabic + latin;
    let wrong = match lang {
        // Arabic text carries Latin names and codes, but never mostly.
        Lang::Ar => letters > 0 && arabic * 10 < letters * 3,
        Lang::En => letters > 0 && arabic * 2 > letters,
        Lang::Other => false,
    };
    if wrong || (letters == 0 && lang != Lang::Other && text.chars().any(char::is_alphabetic)) {
        return Err(Error::LanguageMismatch {
            field,
            message: format!(
                "is declared {tag} but {arabic} of its {letters} Arabic/Latin letters are Arabic"
            ),
        });
    }
    Ok(())
}

fn check_lang(field: &'static str, tag: &str) -> Result<Lang> {
    let ok = !tag.is_empty()
        && tag.len() <= 35
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && tag.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if !ok {
        return Err(Error::invalid(
            field,
            format!("{tag:?} is not a language tag like 'ar' or 'en-US'"),
        ));
    }
    Ok(Lang::from_tag(tag))
}

/// Aligns a document pair with the default options.
pub fn align(req: &AlignRequest, rec: &dyn TermRecognizer) -> Result<Alignment> {
    align_with(req, rec, Options::default())
}

/// Anchor keys of one sentence before interning: kind and key text.
type RawKeys = Vec<(AnchorKind, String)>;

/// Concept anchors: per source and target sentence, the concepts recognized
/// in the source whose translations occur in that target sentence.
fn term_keys(
    req: &AlignRequest,
    rec: &dyn TermRecognizer,
    src: &Document<'_>,
    tgt: &Document<'_>,
) -> Result<(Vec<RawKeys>, Vec<RawKeys>)> {
    let mut s_keys = vec![Vec::new(); src.sentences.len()];
    let mut t_keys = vec![Vec::new(); tgt.sentences.len()];
    if req.termbases.is_empty() {
        return Ok((s_keys, t_keys));
    }
    let hits = rec.recognize(
        &req.termbases,
        &req.source_text,
        &req.source_lang,
        &req.target_lang,
    )?;
    let mut terms: Vec<String> = Vec::new();
    let mut term_concepts: Vec<Vec<String>> = Vec::new();
    for h in &hits {
        let key = format!("{}:{}", h.termbase, h.entry_id);
        if let Some(k) = src.sentence_at(h.start) {
            s_keys[k].push((AnchorKind::Term, key.clone()));
        }
        for t in &h.translations {
            match terms.iter().position(|x| x == &t.text) {
                Some(p) => {
                    if !term_concepts[p].contains(&key) {
                        term_concepts[p].push(key.clone());
                    }
                }
                None => {
                    terms.push(t.text.clone());
                    term_concepts.push(vec![key.clone()]);
                }
            }
        }
    }
    for occ in rec.find_in_target(&req.target_text, &req.target_lang, &terms) {
        if let (Some(k), Some(concepts)) = (tgt.sentence_at(occ.start), term_concepts.get(occ.term))
        {
            for c in concepts {
                t_keys[k].push((AnchorKind::Term, c.clone()));
            }
        }
    }
    for keys in s_keys.iter_mut().chain(t_keys.iter_mut()) {
        // Overlapping target terms of one concept count once per place.
        keys.dedup();
    }
    Ok((s_keys, t_keys))
}

/// Aligns a document pair.
pub fn align_with(
    req: &AlignRequest,
    rec: &dyn TermRecognizer,
    opts: Options,
) -> Result<Alignment> {
    let sl = check_lang("source_lang", &req.source_lang)?;
    let tl = check_lang("target_lang", &req.target_lang)?;
    if crate::memory::lang_base(&req.source_lang) == crate::memory::lang_base(&req.target_lang) {
        return Err(Error::invalid(
            "target_lang",
            "must differ from source_lang: alignment pairs a text with its translation",
        ));
    }
    if !(0.0..=1.0).contains(&req.min_quality) {
        return Err(Error::invalid("min_quality", "must be between 0 and 1"));
    }
    check_text("source_text", &req.source_text, sl, &req.source_lang)?;
    check_text("target_text", &req.target_text, tl, &req.target_lang)?;
    let src = Document::new(&req.source_text);
    let tgt = Document::new(&req.target_text);
    for (field, d) in [("source_text", &src), ("target_text", &tgt)] {
        if d.sentences.len() > model::MAX_SENTENCES {
            return Err(Error::invalid(
                field,
                format!(
                    "has {} sentences; at most {} per side",
                    d.sentences.len(),
                    model::MAX_SENTENCES
                ),
            ));
        }
    }
    let keys = if opts.lexical {
        let (s_terms, t_terms) = term_keys(req, rec, &src, &tgt)?;
        let raw = |d: &Document<'_>, terms: Vec<RawKeys>| {
            use rayon::prelude::*;
            let mut out: Vec<RawKeys> = (0..d.sentences.len())
                .into_par_iter()
                .map(|k| anchor::sentence_keys(d.sentence(k)))
                .collect();
            for (o, t) in out.iter_mut().zip(terms) {
                o.extend(t);
            }
            out
        };
        Some(anchor::shared_keys(raw(&src, s_terms), raw(&tgt, t_terms)))
    } else {
        None
    };
    let side = |d: &Document<'_>| dp::Side {
        lens: (0..d.sentences.len())
            .map(|k| length::sentence_length(d.sentence(k)))
            .collect(),
        breaks: if opts.paragraphs {
            d.breaks.clone()
        } else {
            let mut b = vec![false; d.breaks.len()];
            b[0] = true;
            if let Some(last) = b.last_mut() {
                *last = true;
            }
            b
        },
    };
    let (s_side, t_side) = (side(&src), side(&tgt));
    let mut params = dp::Params::new(opts.length.unwrap_or_else(|| LengthModel::for_pair(sl, tl)));
    params.lexical = opts.lexical;
    params.costs = opts.costs;
    let (steps, band) = dp::align(&s_side, &t_side, keys.as_ref(), &params);
    let both_paragraphs = opts.paragraphs && src.paragraphs() > 1 && tgt.paragraphs() > 1;
    let mut stats = AlignStats {
        source_sentences: src.sentences.len(),
        target_sentences: tgt.sentences.len(),
        source_paragraphs: src.paragraphs(),
        target_paragraphs: tgt.paragraphs(),
        links: steps.len(),
        anchor_keys: keys.as_ref().map_or(0, |k| k.names.len()),
        band,
        ..Default::default()
    };
    let mut pairs = Vec::with_capacity(steps.len());
    let mut quality_sum = 0.0f64;
    let mut non_null = 0usize;
    for st in steps {
        let (a, b) = st.kind.sizes();
        *stats.kinds.entry(st.kind.as_str().to_string()).or_default() += 1;
        let (source_start, source_end, source) = src.span(st.i, a);
        let (target_start, target_end, target) = tgt.span(st.j, b);
        let (quality, anchors) = if st.kind.is_null() {
            (0.0, Vec::new())
        } else {
            let ls: u32 = s_side.lens[st.i..st.i + a].iter().sum();
            let lt: u32 = t_side.lens[st.j..st.j + b].iter().sum();
            let p = params
                .length
                .probability(ls, lt)
                .max(1e-12)
                .powf(params.costs.length_weight);
            let (mut q, anchors) = match &keys {
                Some(k) => {
                    let (sl, tl) = (dp::lists(&k.source, st.i, a), dp::lists(&k.target, st.j, b));
                    let (m, u) = anchor::link_evidence(k, &sl, &tl);
                    let shared = anchor::shared_in_link(&sl, &tl)
                        .into_iter()
                        .filter_map(|id| {
                            let (kind, key) = k.names.get(id as usize)?.clone();
                            Some(Anchor {
                                kind,
                                key,
                                hapax: k.hapax.get(id as usize).copied().unwrap_or(false),
                            })
                        })
                        .collect();
                    let q = if m + u > 0.0 {
                        0.5 * p + 0.5 * f64::from(m / (m + u))
                    } else {
                        0.85 * p
                    };
                    (q, shared)
                }
                None => (0.85 * p, Vec::new()),
            };
            q *= match st.kind {
                LinkKind::OneTwo | LinkKind::TwoOne => 0.9,
                LinkKind::TwoTwo => 0.8,
                _ => 1.0,
            };
            if both_paragraphs && s_side.breaks[st.i] != t_side.breaks[st.j] {
                q *= 0.85;
            }
            let q = ((q.clamp(0.0, 1.0) * 1000.0).round() / 1000.0) as f32;
            quality_sum += f64::from(q);
            non_null += 1;
            (q, anchors)
        };
        if quality < req.min_quality {
            stats.below_min_quality += 1;
            continue;
        }
        pairs.push(Link {
            source_start,
            source_end,
            target_start,
            target_end,
            source,
            target,
            kind: st.kind,
            quality,
            anchors,
            source_sentence: st.i,
            target_sentence: st.j,
        });
    }
    stats.mean_quality = if non_null > 0 {
        ((quality_sum / non_null as f64 * 1000.0).round() / 1000.0) as f32
    } else {
        0.0
    };
    Ok(Alignment { pairs, stats })
}
