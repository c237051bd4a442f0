//! Dynamic programming over sentences, in a band around the diagonal.
//!
//! A path from `(0, 0)` to `(n, m)` takes one link per step: `1-1`, `1-2`,
//! `2-1`, `2-2`, `1-0` or `0-1` sentences. Links never cross by
//! construction. A link costs (in nats)
//!
//! ```text
//! −ln prior(kind)  +  w · length cost (non-null links)
//!                  −  α · matched anchor weight  +  β · unmatched anchor weight
//! ```
//!
//! and reaching a point where both texts start a paragraph earns
//! [`Costs::paragraph_bonus`]: a paragraph break is strong evidence, not a
//! wall, so a translator's split or merged paragraph still aligns.
//!
//! Only cells within `w` rows of the band's centre are computed. The centre
//! follows the diagonal, bent through the longest increasing chain of hapax
//! anchor points (a key found exactly once on each side) and, when both
//! texts have the same number of paragraphs, through the paragraph starts;
//! the band covers both the diagonal and that path, so anchors widen it
//! where the two disagree. `w` grows with the difference in sentence
//! counts (a dropped passage shifts the path by that much at most) and is
//! capped so the DP stays linear: at most [`MAX_CELLS`] cells.

use super::anchor::{link_evidence, Keys, SentenceKeys};
use super::length::LengthModel;
use super::model::LinkKind;

/// Most DP cells computed (about 48 MB of costs and moves).
pub const MAX_CELLS: usize = 6_000_000;

/// One side as the DP sees it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Side {
    /// Length of each sentence (see [`super::length::sentence_length`]).
    pub lens: Vec<u32>,
    /// `breaks[i]`: a paragraph starts at sentence `i` (`n + 1` entries; the
    /// first and the last are always set).
    pub breaks: Vec<bool>,
}

impl Side {
    fn n(&self) -> usize {
        self.lens.len()
    }
    fn paragraphs(&self) -> usize {
        self.breaks.iter().filter(|&&b| b).count().saturating_sub(1)
    }
}

/// The DP's cost constants (nats). The defaults are the aligner's; the
/// benchmark varies them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Costs {
    /// Gain for a link boundary where both texts start a paragraph.
    pub paragraph_bonus: f64,
    /// Gain per matched anchor weight.
    pub alpha: f64,
    /// Cost per unmatched anchor weight.
    pub beta: f64,
    /// Prior of a `1-1` link.
    pub one_one: f64,
    /// Prior of each of `1-2` and `2-1`.
    pub merge: f64,
    /// Prior of a `2-2` link.
    pub two_two: f64,
    /// Prior of each of `1-0` and `0-1`.
    pub null: f64,
    /// Weight of the length cost against the priors and anchors.
    pub length_weight: f64,
    /// Smallest half-width of the band.
    pub min_band: usize,
}

impl Default for Costs {
    /// Gale and Church's priors (per kind) except a four times likelier
    /// `1-0`/`0-1` (0.04: translations of articles drop and add passages
    /// more often than their parallel corpus did), a 5-nat paragraph bonus
    /// and a length weight of 0.3.
    ///
    /// Why 0.3: the fitted variance describes one-sentence pairs well, but
    /// real lengths are heavier-tailed than a normal (0.74 % of the fitting
    /// pairs lie beyond 3σ, 0.16 % beyond 4σ, against 0.27 % and 0.006 %),
    /// so at full weight an unusual but
    /// correct `1-1` loses to a `2-2` or a merge plus a null link; 0.3
    /// (about Gale and Church's 6.8 in variance terms) scored best on the
    /// alignment benchmark (`benches/align.rs`; 1.0 loses 2–3 F1 points).
    fn default() -> Self {
        Costs {
            paragraph_bonus: 5.0,
            alpha: 1.0,
            beta: 0.5,
            one_one: 0.89,
            merge: 0.089,
            two_two: 0.011,
            null: 0.04,
            length_weight: 0.3,
            min_band: 30,
        }
    }
}

impl Costs {
    /// Prior probability of a link kind.
    pub fn prior(&self, kind: LinkKind) -> f64 {
        match kind {
            LinkKind::OneOne => self.one_one,
            LinkKind::OneTwo | LinkKind::TwoOne => self.merge,
            LinkKind::TwoTwo => self.two_two,
            LinkKind::OneZero | LinkKind::ZeroOne => self.null,
        }
    }
}

/// Everything the DP needs besides the two sides.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params {
    /// The length model.
    pub length: LengthModel,
    /// Whether anchors count (off for the length-only baseline).
    pub lexical: bool,
    /// Cost constants.
    pub costs: Costs,
}

impl Params {
    /// Default costs for a length model.
    pub fn new(length: LengthModel) -> Params {
        Params {
            length,
            lexical: true,
            costs: Costs::default(),
        }
    }
}

/// A link of the best path: its kind and first sentence on each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    /// Kind.
    pub kind: LinkKind,
    /// First source sentence.
    pub i: usize,
    /// First target sentence.
    pub j: usize,
}

/// The sentence-key lists of `len` sentences from `at`.
pub(crate) fn lists(keys: &[SentenceKeys], at: usize, len: usize) -> Vec<&SentenceKeys> {
    keys.get(at..at + len)
        .map(|s| s.iter().collect())
        .unwrap_or_default()
}

/// Cost of a link of `kind` starting at sentences `(i, j)`.
pub(crate) fn link_cost(
    p: &Params,
    src: &Side,
    tgt: &Side,
    keys: Option<&Keys>,
    kind: LinkKind,
    i: usize,
    j: usize,
) -> f64 {
    let (a, b) = kind.sizes();
    let mut cost = -p.costs.prior(kind).ln();
    if a > 0 && b > 0 {
        let ls: u32 = src.lens[i..i + a].iter().sum();
        let lt: u32 = tgt.lens[j..j + b].iter().sum();
        cost += p.costs.length_weight * p.length.cost(ls, lt);
    }
    if let (true, Some(k)) = (p.lexical, keys) {
        let (m, u) = link_evidence(k, &lists(&k.source, i, a), &lists(&k.target, j, b));
        cost += -p.costs.alpha * f64::from(m) + p.costs.beta * f64::from(u);
    }
    cost
}

/// Points `(i, j)` the band's centre passes through, increasing in both.
fn centre_points(src: &Side, tgt: &Side, keys: Option<&Keys>) -> Vec<(usize, usize)> {
    let mut pts: Vec<(usize, usize)> = Vec::new();
    if let Some(k) = keys {
        let mut at: Vec<(Option<usize>, Option<usize>)> = vec![(None, None); k.hapax.len()];
        for (side, lists) in [(0, &k.source), (1, &k.target)] {
            for (s, l) in lists.iter().enumerate() {
                for &(id, _) in l {
                    if k.hapax.get(id as usize) == Some(&true) {
                        let slot = &mut at[id as usize];
                        if side == 0 {
                            slot.0 = Some(s);
                        } else {
                            slot.1 = Some(s);
                        }
                    }
                }
            }
        }
        pts.extend(at.into_iter().filter_map(|(a, b)| Some((a?, b?))));
    }
    if src.paragraphs() == tgt.paragraphs() && src.paragraphs() > 1 {
        let starts =
            |s: &Side| -> Vec<usize> { (1..s.n()).filter(|&i| s.breaks[i]).collect::<Vec<_>>() };
        pts.extend(starts(src).into_iter().zip(starts(tgt)));
    }
    longest_chain(pts)
}

/// The longest chain of points strictly increasing in both coordinates.
fn longest_chain(mut pts: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    pts.sort_unstable_by_key(|&(i, j)| (i, std::cmp::Reverse(j)));
    pts.dedup();
    // Patience sorting on j (strict), ties in i broken by the sort order.
    let mut tails: Vec<usize> = Vec::new(); // index into pts
    let mut prev: Vec<Option<usize>> = vec![None; pts.len()];
    for (x, &(_, j)) in pts.iter().enumerate() {
        let pos = tails.partition_point(|&t| pts[t].1 < j);
        // Strict in i as well: equal i are sorted by decreasing j, so an
        // equal-i point can never extend one with the same i.
        if pos > 0 {
            prev[x] = Some(tails[pos - 1]);
        }
        if pos == tails.len() {
            tails.push(x);
        } else {
            tails[pos] = x;
        }
    }
    let mut out = Vec::new();
    let mut cur = tails.last().copied();
    while let Some(x) = cur {
        out.push(pts[x]);
        cur = prev[x];
    }
    out.reverse();
    out.retain(|&(i, j)| i > 0 && j > 0);
    out
}

/// `[lo, hi]` of target sentences per source row.
fn band(
    n: usize,
    m: usize,
    pts: &[(usize, usize)],
    min_band: usize,
) -> (Vec<usize>, Vec<usize>, usize) {
    let mut knots = vec![(0usize, 0usize)];
    knots.extend(pts.iter().copied().filter(|&(i, j)| i < n && j < m));
    knots.push((n, m));
    let diff = n.abs_diff(m);
    let mut w = (min_band + diff).max(min_band);
    let cap = MAX_CELLS / (n + 1) / 2;
    w = w.min(cap.max(min_band));
    let mut lo = vec![0usize; n + 1];
    let mut hi = vec![0usize; n + 1];
    let mut k = 0usize;
    for i in 0..=n {
        while k + 1 < knots.len() && knots[k + 1].0 < i {
            k += 1;
        }
        let (i0, j0) = knots[k];
        let (i1, j1) = knots.get(k + 1).copied().unwrap_or((n, m));
        let centre = if i1 > i0 {
            j0 + ((i - i0.min(i)) * j1.saturating_sub(j0)) / (i1 - i0)
        } else {
            j1
        };
        let diag = (i * m).checked_div(n).unwrap_or(m);
        lo[i] = centre.min(diag).saturating_sub(w);
        hi[i] = (centre.max(diag) + w).min(m);
    }
    lo[0] = 0;
    hi[n] = m;
    for i in 1..=n {
        lo[i] = lo[i].max(lo[i - 1]);
    }
    for i in (0..n).rev() {
        hi[i] = hi[i].min(hi[i + 1]);
    }
    for i in 1..=n {
        // Consecutive rows overlap, so every row is reachable.
        lo[i] = lo[i].min(hi[i - 1]);
    }
    for i in 0..=n {
        lo[i] = lo[i].min(hi[i]);
    }
    let widest = (0..=n).map(|i| hi[i] - lo[i] + 1).max().unwrap_or(1);
    (lo, hi, widest)
}

/// The best path and the widest band row searched.
pub(crate) fn align(src: &Side, tgt: &Side, keys: Option<&Keys>, p: &Params) -> (Vec<Step>, usize) {
    let (n, m) = (src.n(), tgt.n());
    let keys = if p.lexical { keys } else { None };
    let pts = centre_points(src, tgt, keys);
    let (lo, hi, widest) = band(n, m, &pts, p.costs.min_band);
    let mut offset = Vec::with_capacity(n + 2);
    let mut total = 0usize;
    for i in 0..=n {
        offset.push(total);
        total += hi[i] - lo[i] + 1;
    }
    let mut cost = vec![f64::INFINITY; total];
    let mut back = vec![u8::MAX; total];
    let cell = |i: usize, j: usize| -> Option<usize> {
        (j >= lo[i] && j <= hi[i]).then(|| offset[i] + j - lo[i])
    };
    let both_breaks = src.paragraphs() > 1 && tgt.paragraphs() > 1;
    for i in 0..=n {
        for j in lo[i]..=hi[i] {
            let Some(here) = cell(i, j) else { continue };
            if i == 0 && j == 0 {
                cost[here] = 0.0;
                continue;
            }
            let mut best = f64::INFINITY;
            let mut best_k = u8::MAX;
            for (k, kind) in LinkKind::ALL.iter().enumerate() {
                let (a, b) = kind.sizes();
                if a > i || b > j {
                    continue;
                }
                let Some(from) = cell(i - a, j - b) else {
                    continue;
                };
                let before = cost[from];
                if !before.is_finite() {
                    continue;
                }
                let c = before + link_cost(p, src, tgt, keys, *kind, i - a, j - b);
                if c < best {
                    best = c;
                    best_k = k as u8;
                }
            }
            if both_breaks && src.breaks[i] && tgt.breaks[j] {
                best -= p.costs.paragraph_bonus;
            }
            cost[here] = best;
            back[here] = best_k;
        }
    }
    let mut steps = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let Some(here) = cell(i, j) else { break };
        let Some(kind) = LinkKind::ALL.get(back[here] as usize).copied() else {
            break;
        };
        let (a, b) = kind.sizes();
        i -= a;
        j -= b;
        steps.push(Step { kind, i, j });
    }
    steps.reverse();
    (steps, widest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitext::length::GALE_CHURCH;

    fn side(lens: &[u32]) -> Side {
        let mut breaks = vec![false; lens.len() + 1];
        breaks[0] = true;
        breaks[lens.len()] = true;
        Side {
            lens: lens.to_vec(),
            breaks,
        }
    }

    fn kinds(steps: &[Step]) -> Vec<&'static str> {
        steps.iter().map(|s| s.kind.as_str()).collect()
    }

    #[test]
    fn lengths_alone_find_merges_and_the_path_covers_both_sides() {
        let p = Params::new(GALE_CHURCH);
        let (steps, _) = align(
            &side(&[100, 40, 45, 120, 80]),
            &side(&[101, 86, 118, 79]),
            None,
            &p,
        );
        assert_eq!(kinds(&steps), vec!["1-1", "2-1", "1-1", "1-1"]);
        assert_eq!(
            steps[2],
            Step {
                kind: LinkKind::OneOne,
                i: 3,
                j: 2
            }
        );
    }

    #[test]
    fn an_empty_side_gives_null_links() {
        let p = Params::new(GALE_CHURCH);
        let (steps, _) = align(&side(&[10, 20]), &side(&[]), None, &p);
        assert_eq!(kinds(&steps), vec!["1-0", "1-0"]);
        let (steps, _) = align(&side(&[]), &side(&[]), None, &p);
        assert!(steps.is_empty());
    }

    #[test]
    fn the_chain_is_increasing_in_both_coordinates() {
        let c = longest_chain(vec![(1, 1), (2, 5), (3, 2), (4, 3), (4, 9), (5, 4)]);
        assert_eq!(c, vec![(1, 1), (3, 2), (4, 3), (5, 4)]);
    }

    #[test]
    fn the_band_stays_within_the_cell_budget() {
        for (n, m) in [(100_000, 95_000), (5_000, 4_000), (10, 3_000)] {
            let (lo, hi, _) = band(n, m, &[], 30);
            let cells: usize = (0..=n).map(|i| hi[i] - lo[i] + 1).sum();
            assert!(cells <= MAX_CELLS + 2 * (n + 1), "{n} {m}: {cells}");
            assert_eq!((lo[0], hi[n]), (0, m));
        }
    }

    #[test]
    fn a_dropped_passage_is_found_and_the_path_ends_at_the_corner() {
        let n = 3000;
        let lens: Vec<u32> = (0..n).map(|i| 20 + (i * 7919 % 97) as u32).collect();
        // Lengths are the only evidence here: at full weight.
        let mut p = Params::new(GALE_CHURCH);
        p.costs.length_weight = 1.0;
        let mut t = lens.clone();
        t.drain(1000..1200);
        let (steps, _) = align(&side(&lens), &side(&t), None, &p);
        let (a, b) = steps.iter().fold((0, 0), |(a, b), s| {
            let (x, y) = s.kind.sizes();
            (a + x, b + y)
        });
        assert_eq!((a, b), (n, n - 200));
        let after = steps.iter().find(|s| s.i == 1500).expect("a link at 1500");
        assert_eq!((after.kind, after.j), (LinkKind::OneOne, 1300));
    }
}
