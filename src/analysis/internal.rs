//! Internal fuzzy matching: the job's earlier segments as a memory, scored
//! with the memory's own similarity ([`crate::memory::score`]: weighted
//! token Levenshtein, clitic and inflection variants cost 1).
//!
//! Candidates are the earlier segments sharing the most tokens with the
//! query (at most [`CANDIDATES`]), so a job of n segments costs
//! O(n · [`CANDIDATES`]) distances, not O(n²).

use crate::memory::score::{self, Tok};
use std::collections::HashMap;

/// Earlier segments scored per query, the ones sharing most tokens first.
pub const CANDIDATES: usize = 32;

/// Earlier segments, tokenized and indexed by token.
#[derive(Default)]
pub struct InternalMemory {
    ids: HashMap<String, u32>,
    segments: Vec<Vec<Tok>>,
    postings: HashMap<u32, Vec<u32>>,
}

impl InternalMemory {
    fn intern(&mut self, s: &str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(s.to_string()).or_insert(next)
    }

    fn toks(&mut self, text: &str) -> Vec<Tok> {
        score::tokens(text)
            .into_iter()
            .map(|t| {
                let ckey = score::ckey_string(&t.norm, t.kind);
                Tok {
                    id: self.intern(&t.norm),
                    ckey: self.intern(&ckey),
                    w: score::token_weight(t.kind),
                    place: score::placeable_key(t.kind, &t.norm).is_some(),
                }
            })
            .collect()
    }

    /// Adds a segment.
    pub fn add(&mut self, text: &str) {
        let toks = self.toks(text);
        let n = self.segments.len() as u32;
        let mut seen: Vec<u32> = toks.iter().filter(|t| t.w == 2).map(|t| t.ckey).collect();
        seen.sort_unstable();
        seen.dedup();
        for k in seen {
            self.postings.entry(k).or_default().push(n);
        }
        self.segments.push(toks);
    }

    /// Best score (0–100) of `text` against the segments added so far.
    pub fn best(&mut self, text: &str) -> u32 {
        let q = self.toks(text);
        let mut shared: HashMap<u32, u32> = HashMap::new();
        let mut keys: Vec<u32> = q.iter().filter(|t| t.w == 2).map(|t| t.ckey).collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            for &s in self.postings.get(&k).map(Vec::as_slice).unwrap_or(&[]) {
                *shared.entry(s).or_default() += 1;
            }
        }
        let mut cands: Vec<(u32, u32)> = shared.into_iter().collect();
        cands.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        cands.truncate(CANDIDATES);
        let lq = score::weighted_len(&q);
        cands
            .iter()
            .filter_map(|&(s, _)| {
                let u = self.segments.get(s as usize)?;
                let d = score::distance(&q, u, &score::NearMisses::default(), None)?;
                Some(score::base_score(d, lq, score::weighted_len(u)))
            })
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earlier_segments_match_fuzzily() {
        let mut m = InternalMemory::default();
        assert_eq!(m.best("افتح الملف الجديد الآن"), 0);
        m.add("افتح الملف الجديد الآن");
        m.add("Save the document");
        let near = m.best("افتح الملف القديم الآن");
        assert!((50..100).contains(&near), "{near}");
        assert_eq!(m.best("افتح الملف الجديد الآن"), 100);
        assert_eq!(m.best("شيء مختلف تماما"), 0);
    }
}
