//! Termhood: how much a candidate phrase looks like a term of its own.
//!
//! # Score
//! A C-value (Frantzi, Ananiadou & Mima 2000) adapted to small inputs, plus
//! an NC-value context factor seeded by the term base:
//!
//! ```text
//! C(a)  = log2(|a| + 1) · ( f(a) − ½ · Σ_{b ∈ T(a)} f(b) / |T(a)| )      (T(a) empty: the sum is 0)
//! NC(a) = 0.8 · C(a) + 0.2 · Σ_{w ∈ ctx(a)} f_a(w) · weight(w)
//! ```
//!
//! * `|a|` words, `f(a)` occurrences in all texts, `T(a)` the longer
//!   candidates that contain `a` (by match key). `|a| + 1` instead of the
//!   original `|a|` gives single words a non-zero weight, and nested
//!   occurrences are subtracted by half, not fully: in a day's articles a
//!   term often appears once, inside a longer noun phrase (البنية التحتية
//!   inside البنية التحتية الحاسوبية), where the original formula would score
//!   it 0.
//! * `ctx(a)`: content words within three words of an occurrence of `a`, in
//!   the same sentence; `f_a(w)` how often. `weight(w) = t(w) / t`, where `t`
//!   is the number of distinct term-base concepts recognized in the texts
//!   and `t(w)` those that `w` appears within three words of: words that sit
//!   next to known technical terms make their neighbours look technical.
//!
//! Ties are broken by frequency, then by length, then by the citation form,
//! so the order is deterministic.

use std::collections::HashMap;

/// One candidate's counts as termhood needs them.
#[derive(Debug, Clone)]
pub struct Counts {
    /// Match keys of the words.
    pub keys: Vec<String>,
    /// Occurrences.
    pub frequency: usize,
    /// Context word keys with counts.
    pub context: HashMap<String, usize>,
}

/// C-value of each candidate (same order as `all`).
pub fn c_values(all: &[Counts]) -> Vec<f64> {
    let index: HashMap<&[String], usize> = all
        .iter()
        .enumerate()
        .map(|(i, c)| (c.keys.as_slice(), i))
        .collect();
    // For each candidate: (number of longer containers, their frequency sum).
    let mut containers: Vec<(usize, usize)> = vec![(0, 0); all.len()];
    for b in all {
        let n = b.keys.len();
        let mut seen = Vec::new();
        for len in 1..n {
            for start in 0..=n - len {
                let part = &b.keys[start..start + len];
                if let Some(&a) = index.get(part) {
                    if !seen.contains(&a) {
                        seen.push(a);
                        containers[a].0 += 1;
                        containers[a].1 += b.frequency;
                    }
                }
            }
        }
    }
    all.iter()
        .zip(containers)
        .map(|(a, (t, sum))| {
            let len = (a.keys.len() as f64 + 1.0).log2();
            let nested = if t == 0 {
                0.0
            } else {
                0.5 * sum as f64 / t as f64
            };
            (len * (a.frequency as f64 - nested)).max(0.0)
        })
        .collect()
}

/// NC-value from a C-value and the context weights.
pub fn nc_value(c: f64, context: &HashMap<String, usize>, weight: &HashMap<String, f64>) -> f64 {
    let ctx: f64 = context
        .iter()
        .map(|(w, &n)| n as f64 * weight.get(w).copied().unwrap_or(0.0))
        .sum();
    0.8 * c + 0.2 * ctx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(keys: &[&str], f: usize) -> Counts {
        Counts {
            keys: keys.iter().map(|s| s.to_string()).collect(),
            frequency: f,
            context: HashMap::new(),
        }
    }

    #[test]
    fn c_value_rewards_length_and_independent_use() {
        let all = [
            counts(&["بنيه", "تحت", "حاسوب"], 1),
            counts(&["بنيه", "تحت"], 3),
            counts(&["تحت"], 3),
        ];
        let c = c_values(&all);
        // 2-word: log2(3) · (3 − ½·1) ; nested in one container of f 1.
        assert!((c[1] - 3f64.log2() * 2.5).abs() < 1e-9, "{c:?}");
        // 3-word, not nested: log2(4) · 1.
        assert!((c[0] - 2.0).abs() < 1e-9);
        // 1-word nested in both: 1 · (3 − ½ · (1 + 3) / 2).
        assert!((c[2] - 2.0).abs() < 1e-9, "{c:?}");
        assert!(c[1] > c[0]);
    }

    #[test]
    fn context_near_known_terms_adds_weight() {
        let mut ctx = HashMap::new();
        ctx.insert("نموذج".to_string(), 2);
        let w: HashMap<String, f64> = [("نموذج".to_string(), 0.5)].into_iter().collect();
        assert!((nc_value(1.0, &ctx, &w) - (0.8 + 0.2)).abs() < 1e-9);
        assert!((nc_value(1.0, &HashMap::new(), &w) - 0.8).abs() < 1e-9);
    }
}
