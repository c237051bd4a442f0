//! The length model: how long a translation is, fitted on Arabic–English
//! pairs.
//!
//! Gale and Church (1993) model the target length of a link as normal with
//! mean `c·l₁` and variance `s²·l₁` (`l₁` the source length in characters)
//! and score a link by the two-tailed probability of
//! `δ = (l₂ − c·l₁) / √(s²·l₁)`. Their constants (`c = 1`, `s² = 6.8`) were
//! fitted on English, French and German; Arabic writes short vowels as
//! optional marks and glues articles, prepositions and pronouns onto words,
//! so an Arabic sentence is markedly shorter than its English translation.
//!
//! Length here is the number of code points that are neither whitespace nor
//! Arabic diacritics or tatweel ([`sentence_length`]): both vary by typist,
//! not by content.
//!
//! [`ARABIC_ENGLISH`] was fitted with `tests/align/fit_length_model.py` on
//! the 57,480 one-sentence pairs with at least 20 Arabic characters in the
//! Debian software memory (`../shared/data/tm`), a memory export the script
//! can read again to refit for another memory:
//!
//! ```text
//! python3 tests/align/fit_length_model.py ../shared/data/tm/software-ui.en-ar.tsv.gz
//! ```
//!
//! The DP weighs this cost by [`super::Costs::length_weight`] (0.3): the
//! normal fits most pairs but real lengths are heavier-tailed.
//!
//! The reverse direction follows from the same fit: if `l₂ ≈ c·l₁` with
//! variance `s²·l₁`, then `l₁ ≈ l₂/c` with variance `s²·l₂/c³`.

/// A fitted length model: target characters per source character and the
/// variance per source character.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LengthModel {
    /// Mean target length per source character (`c`).
    pub ratio: f64,
    /// Variance of the target length per source character (`s²`).
    pub variance: f64,
}

/// Arabic source, English target: fitted constants (see the module docs).
pub const ARABIC_ENGLISH: LengthModel = LengthModel {
    ratio: 1.1425,
    variance: 2.0838,
};

/// Gale and Church's constants, for the length-only baseline.
pub const GALE_CHURCH: LengthModel = LengthModel {
    ratio: 1.0,
    variance: 6.8,
};

impl LengthModel {
    /// The same model for the reverse direction.
    pub fn reversed(self) -> LengthModel {
        LengthModel {
            ratio: 1.0 / self.ratio,
            variance: self.variance / self.ratio.powi(3),
        }
    }

    /// The model for a language pair: Arabic–English either way; any other
    /// pair gets Gale and Church's constants.
    pub fn for_pair(source: crate::text::Lang, target: crate::text::Lang) -> LengthModel {
        use crate::text::Lang;
        match (source, target) {
            (Lang::Ar, Lang::En) => ARABIC_ENGLISH,
            (Lang::En, Lang::Ar) => ARABIC_ENGLISH.reversed(),
            _ => GALE_CHURCH,
        }
    }

    /// `δ` of a link joining `source` and `target` characters. The source
    /// length is the mean of both lengths in source units, as Gale and
    /// Church do, so the score is symmetric in spirit.
    pub fn delta(&self, source: u32, target: u32) -> f64 {
        let l1 = f64::from(source);
        let l2 = f64::from(target);
        let mean = (l1 + l2 / self.ratio) / 2.0;
        (l2 - self.ratio * l1) / (self.variance * mean.max(1.0)).sqrt()
    }

    /// Two-tailed probability of a length difference at least as large as
    /// this link's (1 for a perfect ratio).
    pub fn probability(&self, source: u32, target: u32) -> f64 {
        two_tailed(self.delta(source, target))
    }

    /// The link's length cost in nats: `−ln` of [`Self::probability`].
    pub fn cost(&self, source: u32, target: u32) -> f64 {
        -self.probability(source, target).max(1e-12).ln()
    }
}

/// `P(|Z| ≥ |z|)` for a standard normal `Z` (Abramowitz–Stegun 7.1.26 for
/// `erfc`, absolute error below 1.5e-7).
pub fn two_tailed(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    (poly * (-x * x).exp()).clamp(0.0, 1.0)
}

/// Characters that count for length: not whitespace, not an Arabic
/// diacritic (U+064B–U+0652, superscript alef U+0670) or tatweel (U+0640).
pub fn counts_for_length(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '\u{064B}'..='\u{0652}' | '\u{0670}' | '\u{0640}')
}

/// Length of a sentence for the model.
pub fn sentence_length(s: &str) -> u32 {
    s.chars().filter(|&c| counts_for_length(c)).count() as u32
}

/// Fits a model on (source length, target length) pairs of one-sentence
/// translations: `c = Σl₂ / Σl₁`, `s² = mean((l₂ − c·l₁)² / l₁)`. `None`
/// without usable pairs. The script in the module docs does the same.
pub fn fit(pairs: impl IntoIterator<Item = (u32, u32)>) -> Option<LengthModel> {
    let pairs: Vec<(f64, f64)> = pairs
        .into_iter()
        .filter(|&(a, b)| a > 0 && b > 0)
        .map(|(a, b)| (f64::from(a), f64::from(b)))
        .collect();
    let (s1, s2): (f64, f64) = pairs
        .iter()
        .fold((0.0, 0.0), |(x, y), &(a, b)| (x + a, y + b));
    if pairs.is_empty() || s1 <= 0.0 {
        return None;
    }
    let ratio = s2 / s1;
    let variance = pairs
        .iter()
        .map(|&(a, b)| (b - ratio * a).powi(2) / a)
        .sum::<f64>()
        / pairs.len() as f64;
    Some(LengthModel { ratio, variance })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_tail_is_right_at_known_points() {
        assert!((two_tailed(0.0) - 1.0).abs() < 1e-6);
        assert!((two_tailed(1.96) - 0.05).abs() < 1e-3);
        assert!((two_tailed(-1.96) - 0.05).abs() < 1e-3);
        assert!(two_tailed(10.0) < 1e-12);
    }

    #[test]
    fn fitting_recovers_a_known_ratio_and_reversal_inverts_it() {
        let pairs: Vec<(u32, u32)> = (10..200)
            .flat_map(|l| [(l, l * 6 / 5), (l, l * 6 / 5 + 2)])
            .collect();
        let m = fit(pairs).expect("pairs");
        assert!((m.ratio - 1.2).abs() < 0.02, "{m:?}");
        let r = m.reversed();
        assert!((r.ratio * m.ratio - 1.0).abs() < 1e-9);
        assert!(fit(Vec::new()).is_none());
        assert!(fit(vec![(0, 5)]).is_none());
    }

    #[test]
    fn english_is_expected_longer_than_its_arabic_and_marks_do_not_count() {
        const { assert!(ARABIC_ENGLISH.ratio > 1.0) };
        // The same pair of lengths is likelier with the roles the model
        // was fitted for than reversed.
        let (la, le) = (40, 46);
        assert!(ARABIC_ENGLISH.probability(la, le) > ARABIC_ENGLISH.probability(le, la));
        assert_eq!(sentence_length("مُحَمَّد  ـــ"), 4);
    }
}
