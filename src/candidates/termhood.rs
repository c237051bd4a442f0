//! Termhood: how much a candidate phrase looks like a term of its own.
//!
//! # Score
//! A C-value (Frantzi, Ananiadou & Mima 2000) adapted to small inputs, plus
//! an NC-value context factor seeded by the term base:
//!
//! ```text
//! C(a)  = log2(|a| + 1) · Σ_{o ∈ occ(a)} share(o)
//! share(o) = 0  if o lies inside an occurrence of a longer candidate that occurs twice or more
//!            ½  if it lies only inside longer candidates seen once
//!            1  otherwise
//! NC(a) = 0.8 · C(a) + 0.2 · Σ_{w ∈ ctx(a)} f_a(w) · weight(w)
//! ```
//!
//! * This is the C-value's "frequency minus what longer candidates
//!   explain", counted per occurrence: `|a|` words, `occ(a)` its
//!   occurrences in all texts. `|a| + 1` instead of the original `|a|`
//!   gives single words a non-zero weight. Occurrences inside a longer
//!   phrase seen only once count half, not zero: in a day's articles a term often appears once, inside a longer
//!   noun phrase (البنية التحتية inside البنية التحتية الحاسوبية), where the
//!   original formula would score it 0; a longer phrase that recurs is the
//!   unit, and its parts lose all it explains (ذكاء inside الذكاء الاصطناعي).
//! * `ctx(a)`: content words within three words of an occurrence of `a`, in
//!   the same sentence; `f_a(w)` how often. `weight(w) = t(w) / t`, where `t`
//!   is the number of distinct term-base concepts recognized in the texts
//!   and `t(w)` those that `w` appears within three words of: words that sit
//!   next to known technical terms make their neighbours look technical.
//!
//! Ties are broken by frequency, then by length, then by the citation form,
//! so the order is deterministic.

use std::collections::HashMap;

/// One candidate as termhood needs it.
#[derive(Debug, Clone)]
pub struct Counts {
    /// Its occurrences: (text, first word, number of words).
    pub occurrences: Vec<(usize, usize, usize)>,
}

/// What one occurrence of `a` adds: 1 alone, ½ inside longer candidates
/// seen once, 0 inside a longer candidate that recurs.
fn share(
    span_freq: &HashMap<(usize, usize, usize), usize>,
    (t, first, len): (usize, usize, usize),
) -> f64 {
    let mut inside_once = false;
    for l2 in len + 1..=super::phrase::MAX_WORDS {
        for f2 in first.saturating_sub(l2 - len)..=first {
            if f2 + l2 < first + len {
                continue;
            }
            match span_freq.get(&(t, f2, l2)) {
                Some(&f) if f >= 2 => return 0.0,
                Some(_) => inside_once = true,
                None => {}
            }
        }
    }
    if inside_once {
        0.5
    } else {
        1.0
    }
}

/// C-value of each candidate (same order as `all`).
pub fn c_values(all: &[Counts]) -> Vec<f64> {
    let mut span_freq: HashMap<(usize, usize, usize), usize> = HashMap::new();
    for c in all {
        for &o in &c.occurrences {
            span_freq.insert(o, c.occurrences.len());
        }
    }
    all.iter()
        .map(|a| {
            let len = a.occurrences.first().map_or(1, |o| o.2);
            let weight = (len as f64 + 1.0).log2();
            weight
                * a.occurrences
                    .iter()
                    .map(|&o| share(&span_freq, o))
                    .sum::<f64>()
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

    #[test]
    fn c_value_counts_what_longer_candidates_do_not_explain() {
        // Text 0, words 0..3: "بنية تحتية حاسوبية" once; "بنية تحتية" also
        // at 5..7 and 9..11 (recurring), "تحتية" inside all three.
        let all = [
            Counts {
                occurrences: vec![(0, 0, 3)],
            },
            Counts {
                occurrences: vec![(0, 0, 2), (0, 5, 2), (0, 9, 2)],
            },
            Counts {
                occurrences: vec![(0, 1, 1), (0, 6, 1), (0, 10, 1)],
            },
        ];
        let c = c_values(&all);
        assert!((c[0] - 2.0).abs() < 1e-9, "{c:?}");
        // ½ inside the once-seen 3-word phrase, 1 + 1 alone.
        assert!((c[1] - 3f64.log2() * 2.5).abs() < 1e-9, "{c:?}");
        // Every occurrence inside the recurring 2-word phrase.
        assert_eq!(c[2], 0.0);
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
