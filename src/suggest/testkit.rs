//! Test fakes: a term recognizer over a fixed concept list (exact surface
//! forms, whole words) and memories with canned matches per query text.

use super::error::{Error, Result};
use super::model::{MemoryMatch, TermHit, TermTranslation};
use super::source::{MatchSource, TermRecognizer};
use chrono::{DateTime, TimeZone, Utc};

/// A concept of the fake term base.
pub struct Concept {
    pub id: &'static str,
    /// Source surface forms recognized verbatim (with clitics spelled out).
    pub forms: &'static [&'static str],
    /// `(text, status)` target terms.
    pub targets: &'static [(&'static str, &'static str)],
    pub confidence: f32,
}

pub struct FakeTerms(pub Vec<Concept>);

fn is_word_char(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric())
}

impl TermRecognizer for FakeTerms {
    fn recognize(&self, _: &[String], text: &str, _: &str, tgt: &str) -> Result<Vec<TermHit>> {
        let cs: Vec<char> = text.chars().collect();
        let mut out: Vec<TermHit> = Vec::new();
        for c in &self.0 {
            for form in c.forms {
                let f: Vec<char> = form.chars().collect();
                for p in 0..=cs.len().saturating_sub(f.len()) {
                    let whole = cs.get(p..p + f.len()) == Some(&f[..])
                        && !(p > 0 && is_word_char(cs.get(p - 1)))
                        && !is_word_char(cs.get(p + f.len()));
                    let taken = out.iter().any(|h| p < h.end && h.start < p + f.len());
                    if whole && !taken {
                        out.push(TermHit {
                            start: p,
                            end: p + f.len(),
                            surface: form.to_string(),
                            entry_id: c.id.to_string(),
                            term: c.forms[0].to_string(),
                            match_kind: "surface".into(),
                            confidence: c.confidence,
                            status: "preferred".into(),
                            translations: c
                                .targets
                                .iter()
                                .map(|(t, s)| TermTranslation {
                                    text: t.to_string(),
                                    lang: tgt.to_string(),
                                    status: s.to_string(),
                                    variants: Vec::new(),
                                })
                                .collect(),
                            termbase: "tech".into(),
                        });
                    }
                }
            }
        }
        out.sort_by_key(|h| h.start);
        Ok(out)
    }
}

/// The tech-news concepts the tests use.
pub fn tech_terms() -> FakeTerms {
    FakeTerms(vec![
        Concept {
            id: "huawei",
            forms: &["هواوي", "لهواوي"],
            targets: &[("Huawei", "preferred")],
            confidence: 1.0,
        },
        Concept {
            id: "nvidia",
            forms: &["إنفيديا", "انفيديا", "لإنفيديا"],
            targets: &[("Nvidia", "preferred")],
            confidence: 1.0,
        },
        Concept {
            id: "ai",
            forms: &["الذكاء الاصطناعي", "للذكاء الاصطناعي", "والذكاء الاصطناعي"],
            targets: &[
                ("artificial intelligence", "preferred"),
                ("AI", "admitted"),
                ("machine intelligence", "deprecated"),
                ("artificial intellect", "forbidden"),
            ],
            confidence: 1.0,
        },
        Concept {
            id: "model",
            forms: &["النموذج", "نموذج", "نموذجها"],
            targets: &[("model", "preferred")],
            confidence: 0.9,
        },
        Concept {
            id: "chip",
            forms: &["شريحة", "رقائق", "الرقائق"],
            targets: &[("chip", "preferred")],
            // A weak hit: listed, but below the check confidence.
            confidence: 0.3,
        },
    ])
}

/// Memories with canned matches keyed by the exact query text.
pub struct FakeMemory(pub Vec<(&'static str, &'static str, MemoryMatch)>);

pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A match of `memory` unit `id`.
pub fn unit(
    memory: &str,
    id: u64,
    score: u32,
    source: &str,
    target: &str,
    modified: DateTime<Utc>,
) -> MemoryMatch {
    MemoryMatch {
        memory: memory.into(),
        id,
        score,
        source: source.into(),
        target: target.into(),
        source_lang: "ar".into(),
        target_lang: "en".into(),
        diff: serde_json::Value::Null,
        penalties: serde_json::Value::Null,
        origin: None,
        modified,
    }
}

impl MatchSource for FakeMemory {
    fn search(
        &self,
        memory: &str,
        text: &str,
        _: &str,
        _: &str,
        min_score: u32,
        limit: usize,
    ) -> Result<Vec<MemoryMatch>> {
        if !self.0.iter().any(|(m, _, _)| *m == memory) {
            return Err(Error::NotFound {
                kind: "memory",
                name: memory.into(),
            });
        }
        Ok(self
            .0
            .iter()
            .filter(|(m, q, u)| *m == memory && *q == text && u.score >= min_score)
            .map(|(_, _, u)| u.clone())
            .take(limit)
            .collect())
    }
}

/// Code points `start..end` of `s`.
pub fn slice(s: &str, start: usize, end: usize) -> String {
    s.chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect()
}

/// Code point offset of the first occurrence of `needle` in `s`.
pub fn pos(s: &str, needle: &str) -> usize {
    s.find(needle)
        .map(|b| s[..b].chars().count())
        .unwrap_or(usize::MAX)
}
