//! Term candidates: what a term base is missing, found in the day's articles,
//! with proposed translations.
//!
//! The engine works like [`crate::suggest`]: over the two small ports of
//! [`source`] — term recognition (the suggest engine's
//! [`TermRecognizer`](crate::suggest::TermRecognizer)) and a [`PairSource`]
//! of aligned pairs — with real adapters ([`adapters`]) and fakes in tests.
//!
//! # Method
//! 1. **Phrases** ([`phrase`]): runs of content words inside a sentence,
//!    broken at punctuation, numbers, stop words, Arabic verb forms,
//!    conjunctions and prepositions, a change of script, and at the end of a
//!    definite Arabic noun phrase; every part of a run of up to four words is
//!    a phrase. Words are compared by recognition's match keys, so the same
//!    term with clitics, article, inflection or a broken plural (مراكز
//!    البيانات, لمركز بيانات) is one candidate, shown by its citation form
//!    (مركز بيانات) and its most frequent surface.
//! 2. **Filters**: a candidate is dropped when the term base already has it
//!    (recognition finds a term covering it), when every occurrence lies
//!    inside a recognized term (a piece of a known term), when it was
//!    rejected before, when it is everyday vocabulary (a single word on the
//!    stop list or `everyday.*.txt`, a phrase made only of such words, a
//!    phrase that ends with one (الأسواق العالمية), a phrase of three words
//!    or more that starts with one), or when it is one known term plus
//!    everyday words only (أبرز الذكاء الاصطناعي).
//! 3. **Termhood** ([`termhood`]): an adapted C-value with an NC-value context
//!    factor seeded by the terms the base already recognizes in the texts.
//! 4. **Translations** ([`translate`]), when aligned pairs are given (a
//!    memory or parallel texts): the target phrase with the best Dice
//!    co-occurrence, known terms' renderings taken out first, names matched
//!    by their sounds; Latin-script terms inside Arabic kept as they are.
//!
//! ```
//! use mustalah::candidates::{extract, source::NoTerms, Request};
//! let texts = vec!["أعلنت الشركة عن رقاقة جديدة للذكاء. وتعتمد الرقاقة على الحوسبة الكمومية. \
//!                   الحوسبة الكمومية هي المستقبل.".to_string()];
//! let req = Request { texts: &texts, lang: "ar", target_lang: "en", termbases: &[], limit: 10, min_freq: 1 };
//! let found = extract(&req, &NoTerms, None, &Default::default()).unwrap();
//! assert_eq!(found[0].term, "حوسبة كمومية");
//! assert_eq!(found[0].frequency, 2);
//! ```

pub mod adapters;
pub mod phrase;
pub mod source;
pub mod termhood;
pub mod translate;

pub use source::{NoTerms, PairSource, ParallelPairs};

use crate::suggest::error::{Error, Result};
use crate::suggest::TermRecognizer;
use crate::termbase::model::{ConceptDraft, Term, TermStatus};
use crate::text::{self, Lang};
use phrase::{Class, Word};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

/// Largest `limit` a request may ask for.
pub const MAX_LIMIT: usize = 500;
/// Contexts kept per candidate.
pub const MAX_CONTEXTS: usize = 3;
/// Aligned pairs gathered per candidate from a memory.
pub const PAIRS_PER_CANDIDATE: usize = 50;
/// Words around a term that count as its context.
const CONTEXT_WINDOW: usize = 3;

/// What to extract from.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The texts (articles).
    pub texts: &'a [String],
    /// Their language (`ar` or `en`).
    pub lang: &'a str,
    /// Language of translations (recognition and proposals).
    pub target_lang: &'a str,
    /// Term bases whose terms are known (not candidates).
    pub termbases: &'a [String],
    /// Candidates to return (1..=[`MAX_LIMIT`]).
    pub limit: usize,
    /// Minimum frequency.
    pub min_freq: usize,
}

/// Where a candidate occurs.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// Index of the text.
    pub text: usize,
    /// Code point offset of the occurrence in that text.
    pub char_start: usize,
    /// One past its last code point.
    pub char_end: usize,
    /// The occurrence as written.
    pub surface: String,
    /// The sentence around it.
    pub sentence: String,
}

/// One term candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Citation form (clitics, article and inflection removed).
    pub term: String,
    /// The most frequent surface form.
    pub display: String,
    /// Stable match key (the words' keys), used to reject a candidate.
    pub key: String,
    /// Language tag.
    pub lang: String,
    /// Number of words.
    pub words: usize,
    /// Occurrences in all texts.
    pub frequency: usize,
    /// Texts it occurs in.
    pub document_frequency: usize,
    /// Termhood (NC-value, see [`termhood`]).
    pub score: f64,
    /// The C-value part of the score.
    pub c_value: f64,
    /// Up to [`MAX_CONTEXTS`] example contexts.
    pub contexts: Vec<Context>,
    /// Proposed translation, when pairs were given.
    pub translation: Option<translate::Proposal>,
}

/// A candidate as a terminologist adopts it.
#[derive(Debug, Clone, Default)]
pub struct Adoption {
    /// The term (citation form).
    pub term: String,
    /// Its language.
    pub lang: String,
    /// A translation, if any.
    pub translation: Option<String>,
    /// The translation's language.
    pub target_lang: String,
    /// Example sentences.
    pub examples: Vec<String>,
    /// Entry id (generated when `None`).
    pub id: Option<String>,
    /// Domain.
    pub domain: Option<String>,
}

impl Adoption {
    /// The adoption of a found candidate with its proposed translation and
    /// example sentences.
    pub fn of(c: &Candidate, target_lang: &str) -> Adoption {
        Adoption {
            term: c.term.clone(),
            lang: c.lang.clone(),
            translation: c.translation.as_ref().map(|t| t.text.clone()),
            target_lang: target_lang.to_string(),
            examples: c.contexts.iter().map(|x| x.sentence.clone()).collect(),
            ..Adoption::default()
        }
    }

    /// The new entry: terms `admitted` (a candidate is not yet a preferred
    /// term), up to three examples in the note.
    pub fn into_draft(self) -> ConceptDraft {
        let term = |text: &str| Term {
            text: text.trim().to_string(),
            status: TermStatus::Admitted,
            ..Term::default()
        };
        let mut terms = BTreeMap::new();
        terms.insert(self.lang.clone(), vec![term(&self.term)]);
        if let Some(t) = self.translation.as_deref().filter(|t| !t.trim().is_empty()) {
            terms.insert(self.target_lang.clone(), vec![term(t)]);
        }
        let examples: Vec<String> = self
            .examples
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
            .take(MAX_CONTEXTS)
            .map(|e| format!("«{e}»"))
            .collect();
        ConceptDraft {
            id: self.id,
            domain: self.domain,
            note: (!examples.is_empty()).then(|| format!("Examples: {}", examples.join(" "))),
            terms,
            ..ConceptDraft::default()
        }
    }
}

/// The candidate's key: its words' keys joined by spaces.
fn key_of(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.key.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn everyday() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = HashSet::new();
        for (body, lang) in [
            (include_str!("everyday.ar.txt"), Lang::Ar),
            (include_str!("everyday.en.txt"), Lang::En),
        ] {
            for w in body
                .lines()
                .map(|l| l.split('#').next().unwrap_or("").trim())
                .filter(|l| !l.is_empty())
            {
                set.insert(text::term_key(w, lang));
            }
        }
        set
    })
}

/// Whether a word is everyday vocabulary (never a new term alone).
fn is_everyday(w: &Word) -> bool {
    everyday().contains(&w.key)
}

/// Whether a match key is that of an everyday word.
fn is_everyday_key(key: &str) -> bool {
    everyday().contains(key)
}

/// Whether a single word can be a candidate by itself.
fn single_word_ok(w: &Word, text_lang: Lang) -> bool {
    if is_everyday(w) || w.class != Class::Content {
        return false;
    }
    match w.script {
        Lang::Ar => w.citation.chars().count() >= 3,
        _ => {
            let letters = w.citation.chars().filter(|c| c.is_alphabetic()).count();
            let has_digit = w.citation.chars().any(|c| c.is_ascii_digit());
            let capital = w.citation.chars().next().is_some_and(char::is_uppercase);
            // Inside Arabic, a Latin word is a name or a code only when it
            // looks like one (`menu` of a scraped page is not).
            letters >= 1
                && (text_lang != Lang::Ar || has_digit || capital)
                && (letters >= 2 || has_digit)
        }
    }
}

struct Occurrence {
    text: usize,
    first: usize,
    len: usize,
}

struct Group {
    words: usize,
    occurrences: Vec<Occurrence>,
    citations: BTreeMap<String, usize>,
    surfaces: BTreeMap<String, usize>,
    inside_known: usize,
    context: HashMap<String, usize>,
}

/// Term candidates of `req.texts` that the term bases lack, best first.
///
/// `rejected` holds keys ([`Candidate::key`]) rejected before. With `pairs`,
/// each candidate gets a proposed translation.
pub fn extract(
    req: &Request,
    recognizer: &dyn TermRecognizer,
    pairs: Option<&dyn PairSource>,
    rejected: &HashSet<String>,
) -> Result<Vec<Candidate>> {
    if req.texts.is_empty() {
        return Err(Error::invalid("texts", "send at least one text"));
    }
    if req.limit == 0 || req.limit > MAX_LIMIT {
        return Err(Error::invalid(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let text_lang = match Lang::from_tag(req.lang) {
        Lang::Other => return Err(Error::invalid("lang", "must be ar or en")),
        l => l,
    };
    let attested = phrase::attested_keys(req.texts.iter().map(String::as_str));
    let mut groups: HashMap<String, Group> = HashMap::new();
    let mut all_words: Vec<Vec<Word>> = Vec::with_capacity(req.texts.len());
    // Which known concepts each word is near (the NC-value weights).
    let mut near_known: HashMap<String, HashSet<String>> = HashMap::new();
    let mut known_concepts: HashSet<String> = HashSet::new();
    for (ti, t) in req.texts.iter().enumerate() {
        let mut words = phrase::words(t, &attested);
        let hits = if req.termbases.is_empty() {
            Vec::new()
        } else {
            recognizer.recognize(req.termbases, t, req.lang, req.target_lang)?
        };
        for (hi, h) in hits.iter().enumerate() {
            let inside = |w: &Word| w.char_start >= h.start && w.char_end <= h.end;
            if words.iter().filter(|w| inside(w)).count() > 1 {
                for w in words.iter_mut().filter(|w| inside(w)) {
                    w.known = Some(hi);
                }
            }
        }
        let spans: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
        for h in &hits {
            known_concepts.insert(h.entry_id.clone());
            let inside: Vec<usize> = words
                .iter()
                .enumerate()
                .filter(|(_, w)| w.char_start >= h.start && w.char_end <= h.end)
                .map(|(i, _)| i)
                .collect();
            let (Some(&lo), Some(&hi)) = (inside.first(), inside.last()) else {
                continue;
            };
            let from = lo.saturating_sub(CONTEXT_WINDOW);
            let to = (hi + CONTEXT_WINDOW + 1).min(words.len());
            for w in &words[from..to] {
                if w.class == Class::Content
                    && w.sentence == words[lo].sentence
                    && !(w.char_start >= h.start && w.char_end <= h.end)
                {
                    near_known
                        .entry(w.key.clone())
                        .or_default()
                        .insert(h.entry_id.clone());
                }
            }
        }
        for run in phrase::runs(&words) {
            for p in phrase::parts(run) {
                let ws = &words[p.first..p.first + p.len];
                if ws.iter().all(is_everyday) {
                    continue;
                }
                if p.len == 1 && !single_word_ok(&ws[0], text_lang) {
                    continue;
                }
                // An everyday word may head a two-word term (شركة ناشئة) but
                // not a longer phrase, and never end one (العالمية).
                if p.len > 1 && is_everyday(&ws[p.len - 1]) || p.len > 2 && is_everyday(&ws[0]) {
                    continue;
                }
                let (cs, ce) = (ws[0].char_start, ws[p.len - 1].char_end);
                let inside = spans.iter().any(|&(s, e)| s <= cs && ce <= e);
                // One known term with only everyday words around it (two
                // known words side by side may well be a new term: شريحة
                // متقدمة).
                let known_inside: Vec<&(usize, usize)> =
                    spans.iter().filter(|&&(s, e)| cs <= s && e <= ce).collect();
                let known_plus_everyday = known_inside.len() == 1
                    && ws.iter().all(|w| {
                        is_everyday(w)
                            || known_inside
                                .iter()
                                .any(|&&(s, e)| s <= w.char_start && w.char_end <= e)
                    });
                if known_plus_everyday && !inside {
                    continue;
                }
                let key = key_of(ws);
                let g = groups.entry(key).or_insert_with(|| Group {
                    words: p.len,
                    occurrences: Vec::new(),
                    citations: BTreeMap::new(),
                    surfaces: BTreeMap::new(),
                    inside_known: 0,
                    context: HashMap::new(),
                });
                g.occurrences.push(Occurrence {
                    text: ti,
                    first: p.first,
                    len: p.len,
                });
                *g.citations.entry(phrase::citation(ws)).or_default() += 1;
                *g.surfaces
                    .entry(t[ws[0].start..ws[p.len - 1].end].to_string())
                    .or_default() += 1;
                if inside {
                    g.inside_known += 1;
                }
                let from = p.first.saturating_sub(CONTEXT_WINDOW);
                let to = (p.first + p.len + CONTEXT_WINDOW).min(words.len());
                for (i, w) in words[from..to].iter().enumerate() {
                    let i = from + i;
                    if (p.first..p.first + p.len).contains(&i)
                        || w.class != Class::Content
                        || w.sentence != ws[0].sentence
                    {
                        continue;
                    }
                    *g.context.entry(w.key.clone()).or_default() += 1;
                }
            }
        }
        all_words.push(words);
    }

    // Termhood over every group (nesting counts all phrases seen).
    let mut entries: Vec<(String, Group)> = groups.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let counts: Vec<termhood::Counts> = entries
        .iter()
        .map(|(_, g)| termhood::Counts {
            occurrences: g
                .occurrences
                .iter()
                .map(|o| (o.text, o.first, o.len))
                .collect(),
        })
        .collect();
    let c_values = termhood::c_values(&counts);
    let n_known = known_concepts.len().max(1) as f64;
    let weight: HashMap<String, f64> = near_known
        .into_iter()
        .map(|(w, cs)| (w, cs.len() as f64 / n_known))
        .collect();

    let mut out: Vec<Candidate> = Vec::new();
    for ((key, g), c) in entries.into_iter().zip(c_values) {
        let frequency = g.occurrences.len();
        if frequency < req.min_freq.max(1) || g.inside_known == frequency || rejected.contains(&key)
        {
            continue;
        }
        let most = |m: &BTreeMap<String, usize>| {
            m.iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(s, _)| s.clone())
                .unwrap_or_default()
        };
        let term = most(&g.citations);
        let display = most(&g.surfaces);
        let docs: HashSet<usize> = g.occurrences.iter().map(|o| o.text).collect();
        let contexts = g
            .occurrences
            .iter()
            .take(MAX_CONTEXTS)
            .map(|o| {
                let t = &req.texts[o.text];
                let ws = &all_words[o.text][o.first..o.first + o.len];
                let segs = text::segment(t);
                let sentence = segs
                    .iter()
                    .find(|s| s.start <= ws[0].start && ws[o.len - 1].end <= s.end)
                    .map_or("", |s| s.text(t))
                    .to_string();
                Context {
                    text: o.text,
                    char_start: ws[0].char_start,
                    char_end: ws[o.len - 1].char_end,
                    surface: t[ws[0].start..ws[o.len - 1].end].to_string(),
                    sentence,
                }
            })
            .collect();
        let score = termhood::nc_value(c, &g.context, &weight);
        out.push(Candidate {
            term,
            display,
            key,
            lang: req.lang.to_string(),
            words: g.words,
            frequency,
            document_frequency: docs.len(),
            score,
            c_value: c,
            contexts,
            translation: None,
        });
    }
    // Known to the term base as a whole (a term that recognition finds
    // covering the candidate's citation form or display).
    let mut kept = Vec::with_capacity(out.len());
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.frequency.cmp(&a.frequency))
            .then(b.words.cmp(&a.words))
            .then(a.term.cmp(&b.term))
    });
    for c in out {
        if kept.len() >= req.limit {
            break;
        }
        if !req.termbases.is_empty() && is_known(recognizer, req, &c)? {
            continue;
        }
        kept.push(c);
    }
    if let Some(source) = pairs {
        propose_all(&mut kept, source, recognizer, req, text_lang)?;
    }
    Ok(kept)
}

/// Whether recognition finds one term spanning the whole candidate.
fn is_known(recognizer: &dyn TermRecognizer, req: &Request, c: &Candidate) -> Result<bool> {
    for form in [&c.display, &c.term] {
        let n = form.chars().count();
        let hits = recognizer.recognize(req.termbases, form, req.lang, req.target_lang)?;
        if hits.iter().any(|h| h.start == 0 && h.end == n) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Fills each candidate's proposed translation from `source`'s pairs.
fn propose_all(
    cands: &mut [Candidate],
    source: &dyn PairSource,
    recognizer: &dyn TermRecognizer,
    req: &Request,
    text_lang: Lang,
) -> Result<()> {
    let mut raw: Vec<(String, String)> = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for c in cands.iter() {
        for p in source.pairs_with(&c.display, req.lang, PAIRS_PER_CANDIDATE)? {
            if seen.insert(p.clone()) {
                raw.push(p);
            }
        }
    }
    let mut views = Vec::with_capacity(raw.len());
    for (s, t) in &raw {
        let explained: Vec<String> = if req.termbases.is_empty() {
            Vec::new()
        } else {
            recognizer
                .recognize(req.termbases, s, req.lang, req.target_lang)?
                .iter()
                .flat_map(|h| h.translations.iter().map(|t| t.text.clone()))
                .collect()
        };
        views.push(translate::PairView::new(s, t, &explained));
    }
    let freq = translate::phrase_frequencies(&views);
    for c in cands.iter_mut() {
        let keys: Vec<String> = c.key.split(' ').map(str::to_string).collect();
        c.translation = translate::propose(&keys, &c.term, text_lang, &views, &freq);
    }
    Ok(())
}

#[cfg(test)]
mod eval;
#[cfg(test)]
mod tests;
