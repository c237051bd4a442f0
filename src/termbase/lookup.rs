//! Term lookup: exact, clitic/inflection-aware, prefix and fuzzy.
//!
//! Scores: exact 100 (`exact` when the query is written exactly like the
//! term, `normalized` when only normalization made them equal); every word's
//! keys equal to the term's keys 95 (`inflected`); the normalized term
//! starts with the query 80–90 by length ratio (`prefix`); similar spelling
//! 100 × normalized Levenshtein similarity, at least 60 (`fuzzy`). Fuzzy
//! candidates come from the index's trigram filter, never from a full scan.
//! `auto` tries exact, inflected, prefix, fuzzy in that order and stops once
//! `limit` concepts are found. One result per concept (its best term).

use super::index::{norm_text, Index, TermRef};
use super::model::TermStatus;
use super::recognize::{default_target, guess_lang, translations, MatchKind, Translation};
use crate::text::{self, Lang, TokenKind};
use std::collections::HashSet;

/// Lowest fuzzy similarity reported (0–100).
pub const MIN_FUZZY_SCORE: f64 = 60.0;
/// How many trigram candidates a fuzzy lookup scores at most.
const FUZZY_CANDIDATES: usize = 400;

/// How to look up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LookupMode {
    /// Exact, then inflected, then prefix, then fuzzy.
    #[default]
    Auto,
    /// Exact and inflected matches only.
    Exact,
    /// Normalized prefix matches.
    Prefix,
    /// Similar spellings.
    Fuzzy,
}

impl LookupMode {
    /// Parses `auto`, `exact`, `prefix`, `fuzzy`.
    pub fn parse(s: &str) -> Option<LookupMode> {
        match s {
            "auto" => Some(LookupMode::Auto),
            "exact" => Some(LookupMode::Exact),
            "prefix" => Some(LookupMode::Prefix),
            "fuzzy" => Some(LookupMode::Fuzzy),
            _ => None,
        }
    }
}

/// A lookup request.
#[derive(Debug, Clone, Default)]
pub struct LookupQuery {
    /// The query text.
    pub q: String,
    /// Language of the query; guessed from its script when `None`.
    pub lang: Option<String>,
    /// Language of the translations; the other of ar/en when `None`.
    pub target_lang: Option<String>,
    /// Mode.
    pub mode: LookupMode,
    /// Most results returned (≥ 1).
    pub limit: usize,
}

/// One lookup result.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupResult {
    /// Id of the concept.
    pub concept_id: String,
    /// The matching term.
    pub term: String,
    /// Its language tag.
    pub lang: String,
    /// Score 0–100.
    pub score: u32,
    /// How it matched.
    pub match_kind: MatchKind,
    /// Status of the matching term.
    pub status: TermStatus,
    /// Target-language terms of the concept.
    pub translations: Vec<Translation>,
}

struct Ctx<'a> {
    ix: &'a Index,
    q: &'a LookupQuery,
    lang: String,
    target: String,
    seen: HashSet<u32>,
    out: Vec<LookupResult>,
}

impl Ctx<'_> {
    fn full(&self) -> bool {
        self.out.len() >= self.q.limit.max(1)
    }

    /// Adds the concept behind `r` unless it is already in the results or
    /// the form is of another language.
    fn push(&mut self, r: TermRef, score: u32, kind: MatchKind) -> bool {
        if self.full() || self.seen.contains(&r.0) {
            return false;
        }
        let Some((slot, form)) = self.ix.form(r) else {
            return false;
        };
        if !super::index::base_is(&form.lang, &self.lang) {
            return false;
        }
        let Some(term) = slot
            .concept
            .terms
            .get(&form.lang)
            .and_then(|l| l.get(form.term_idx))
        else {
            return false;
        };
        self.seen.insert(r.0);
        self.out.push(LookupResult {
            concept_id: slot.concept.id.clone(),
            term: term.text.clone(),
            lang: form.lang.clone(),
            score,
            match_kind: kind,
            status: term.status,
            translations: translations(&slot.concept, &self.target),
        });
        true
    }

    fn exact(&mut self) {
        let qn = norm_text(&self.q.q);
        let mut refs = self.ix.by_norm(&qn).to_vec();
        // Written exactly like the query first.
        refs.sort_by_key(|r| {
            self.ix
                .form(*r)
                .map(|(_, f)| (f.text != self.q.q.trim(), f.variant.is_some()))
                .unwrap_or((true, true))
        });
        for r in refs {
            let exact = self
                .ix
                .form(r)
                .is_some_and(|(_, f)| f.text == self.q.q.trim());
            let kind = if exact {
                MatchKind::Exact
            } else {
                MatchKind::Normalized
            };
            self.push(r, 100, kind);
        }
    }

    fn inflected(&mut self) {
        let q = self.q.q.as_str();
        let lang = Lang::from_tag(&self.lang);
        let words: Vec<Vec<String>> = text::tokenize(q)
            .into_iter()
            .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Number))
            .filter_map(|t| {
                let w = q.get(t.start..t.end)?;
                Some(if t.kind == TokenKind::Number {
                    vec![t.norm.clone()]
                } else {
                    text::word_keys(w, super::index::word_lang(w, lang))
                        .into_iter()
                        .map(|k| k.key)
                        .collect()
                })
            })
            .collect();
        let Some(first) = words.first() else { return };
        for k in first {
            for &r in self.ix.by_first_key(k) {
                let ok = self.ix.form(r).is_some_and(|(_, f)| {
                    f.keys.len() == words.len()
                        && f.keys.iter().zip(&words).all(|(fk, ws)| ws.contains(fk))
                });
                if ok {
                    self.push(r, 95, MatchKind::Inflected);
                }
            }
        }
    }

    fn prefix(&mut self) {
        let qn = norm_text(&self.q.q);
        if qn.is_empty() {
            return;
        }
        let qlen = qn.chars().count() as f64;
        let mut scored: Vec<(u32, TermRef)> = self
            .ix
            .by_prefix(&qn, 2000)
            .into_iter()
            .filter_map(|r| {
                let (_, f) = self.ix.form(r)?;
                let len = f.norm.chars().count().max(1) as f64;
                Some(((80.0 + 10.0 * qlen / len).round() as u32, r))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (score, r) in scored {
            if self.full() {
                break;
            }
            self.push(r, score, MatchKind::Prefix);
        }
    }

    fn fuzzy(&mut self) {
        let qn = norm_text(&self.q.q);
        let lang = Lang::from_tag(&self.lang);
        let qk: Vec<String> = text::tokenize(&self.q.q)
            .into_iter()
            .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Number))
            .filter_map(|t| {
                let w = self.q.q.get(t.start..t.end)?;
                Some(text::term_key(w, super::index::word_lang(w, lang)))
            })
            .collect();
        let qk = qk.join(" ");
        if qk.is_empty() && qn.is_empty() {
            return;
        }
        let mut scored: Vec<(f64, TermRef)> = self
            .ix
            .fuzzy_candidates(&qk, FUZZY_CANDIDATES)
            .into_iter()
            .filter_map(|r| {
                let (_, f) = self.ix.form(r)?;
                let by_keys = strsim::normalized_levenshtein(&qk, &f.keys.join(" "));
                let by_text = strsim::normalized_levenshtein(&qn, &f.norm);
                let sim = 100.0 * by_keys.max(by_text);
                (sim >= MIN_FUZZY_SCORE).then_some((sim, r))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (sim, r) in scored {
            if self.full() {
                break;
            }
            let score = (sim.floor() as u32).min(99);
            self.push(r, score, MatchKind::Fuzzy);
        }
    }
}

/// Runs a lookup against one term base's index.
pub(crate) fn lookup(ix: &Index, q: &LookupQuery) -> Vec<LookupResult> {
    let lang = q.lang.clone().unwrap_or_else(|| guess_lang(&q.q));
    let target = q
        .target_lang
        .clone()
        .unwrap_or_else(|| default_target(&lang));
    let mut cx = Ctx {
        ix,
        q,
        lang,
        target,
        seen: HashSet::new(),
        out: Vec::new(),
    };
    if q.q.trim().is_empty() {
        return cx.out;
    }
    match q.mode {
        LookupMode::Exact => {
            cx.exact();
            cx.inflected();
        }
        LookupMode::Prefix => cx.prefix(),
        LookupMode::Fuzzy => cx.fuzzy(),
        LookupMode::Auto => {
            cx.exact();
            if !cx.full() {
                cx.inflected();
            }
            if !cx.full() {
                cx.prefix();
            }
            if !cx.full() {
                cx.fuzzy();
            }
        }
    }
    cx.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::termbase::tests::draft;
    use crate::termbase::TermBases;

    fn tbs() -> TermBases {
        let store = Store::temporary().unwrap();
        let tbs = TermBases::open(&store).unwrap();
        tbs.create("t", None).unwrap();
        for d in [
            draft(
                Some("ai"),
                &["الذكاء الاصطناعي", "ذكاء صنعي"],
                &["artificial intelligence", "AI"],
            ),
            draft(
                Some("agi"),
                &["الذكاء الاصطناعي العام"],
                &["artificial general intelligence"],
            ),
            draft(Some("dc"), &["مركز بيانات"], &["data center"]),
            draft(Some("chip"), &["شريحة", "رقاقة"], &["chip"]),
        ] {
            tbs.create_concept("t", d).unwrap();
        }
        tbs
    }

    fn q(text: &str, mode: LookupMode) -> LookupQuery {
        LookupQuery {
            q: text.into(),
            mode,
            limit: 10,
            ..LookupQuery::default()
        }
    }

    #[test]
    fn exact_lookup_with_translations_in_status_order() {
        let tbs = tbs();
        let r = tbs
            .lookup("t", &q("الذكاء الاصطناعي", LookupMode::Exact))
            .unwrap();
        assert_eq!(r[0].concept_id, "ai");
        assert_eq!((r[0].score, r[0].match_kind), (100, MatchKind::Exact));
        assert_eq!(r[0].translations[0].text, "artificial intelligence");
        assert_eq!(r[0].translations[0].status, TermStatus::Preferred);
        assert_eq!(r.len(), 1, "AGI is not an exact match: {r:?}");
        let r = tbs
            .lookup("t", &q("Data Center", LookupMode::Exact))
            .unwrap();
        assert_eq!(
            (r[0].concept_id.as_str(), r[0].match_kind),
            ("dc", MatchKind::Normalized)
        );
        assert_eq!(r[0].translations[0].text, "مركز بيانات");
    }

    #[test]
    fn prefix_and_fuzzy_and_auto() {
        let tbs = tbs();
        let r = tbs
            .lookup("t", &q("artificial", LookupMode::Prefix))
            .unwrap();
        let ids: HashSet<&str> = r.iter().map(|x| x.concept_id.as_str()).collect();
        assert_eq!(ids, HashSet::from(["ai", "agi"]));
        assert!(r.iter().all(|x| (80..=90).contains(&x.score)));
        let r = tbs
            .lookup("t", &q("artificial inteligence", LookupMode::Fuzzy))
            .unwrap();
        assert_eq!(r[0].concept_id, "ai");
        assert!(r[0].score >= 90 && r[0].score < 100, "{r:?}");
        let r = tbs
            .lookup("t", &q("artifical intelligense", LookupMode::Auto))
            .unwrap();
        assert_eq!(
            (r[0].concept_id.as_str(), r[0].match_kind),
            ("ai", MatchKind::Fuzzy)
        );
        let r = tbs.lookup("t", &q("xylophone", LookupMode::Auto)).unwrap();
        assert!(r.is_empty(), "{r:?}");
    }

    #[test]
    fn limit_is_respected() {
        let tbs = tbs();
        let mut query = q("a", LookupMode::Prefix);
        query.limit = 1;
        assert_eq!(tbs.lookup("t", &query).unwrap().len(), 1);
    }

    #[test]
    fn arabic_lookup_is_clitic_and_spelling_aware() {
        let tbs = tbs();
        let mut server = draft(Some("server"), &["خادم"], &["server"]);
        server.terms.entry("en".into()).or_default()[0].status = TermStatus::Preferred;
        tbs.create_concept("t", server).unwrap();
        // ى for ي: equal after normalization.
        let r = tbs
            .lookup("t", &q("الذكاء الاصطناعى", LookupMode::Auto))
            .unwrap();
        assert_eq!(
            (r[0].concept_id.as_str(), r[0].score, r[0].match_kind),
            ("ai", 100, MatchKind::Normalized)
        );
        // Proclitic و + broken plural: the inflection-aware step.
        let r = tbs.lookup("t", &q("والخوادم", LookupMode::Exact)).unwrap();
        assert_eq!(
            (r[0].concept_id.as_str(), r[0].score, r[0].match_kind),
            ("server", 95, MatchKind::Inflected)
        );
        assert_eq!(r[0].translations[0].text, "server");
        // A typo (ت for ط) only fuzzy finds.
        assert!(tbs
            .lookup("t", &q("الذكاء الاصتناعي", LookupMode::Exact))
            .unwrap()
            .is_empty());
        let r = tbs
            .lookup("t", &q("الذكاء الاصتناعي", LookupMode::Auto))
            .unwrap();
        assert_eq!(
            (r[0].concept_id.as_str(), r[0].match_kind),
            ("ai", MatchKind::Fuzzy)
        );
        assert!(r[0].score >= 80, "{r:?}");
        // Arabic prefix: the article-less typing of the start of a term.
        let r = tbs.lookup("t", &q("مركز بي", LookupMode::Prefix)).unwrap();
        assert_eq!(r[0].concept_id, "dc");
    }
}
