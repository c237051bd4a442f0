//! Plain data of an analysis: options, bands, per-file and total counts.

use super::count::Counts;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Default lowest fuzzy score reported (the `50-74` band's floor).
pub const DEFAULT_MIN_SCORE: u32 = 50;

/// One input file.
#[derive(Debug, Clone)]
pub struct FileInput {
    /// Name shown in the report.
    pub name: String,
    /// Its bytes (XLIFF, or plain UTF-8/UTF-16 text; gzip accepted).
    pub bytes: Vec<u8>,
}

/// What to analyse against.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisOptions {
    /// Memories searched.
    pub memories: Vec<String>,
    /// Source language; `None`: the first XLIFF's, else `ar`.
    pub source_lang: Option<String>,
    /// Target language; `None`: the first XLIFF's, else `en`.
    pub target_lang: Option<String>,
    /// Lowest fuzzy score counted (30–100; below it a segment is `new`).
    pub min_score: u32,
    /// Earlier segments of the job act as a memory (memoQ "homogeneity",
    /// Trados "internal fuzzy match leverage").
    pub internal_fuzzy: bool,
    /// Payable rate per band in percent (band names as in the JSON:
    /// `new`, `fuzzy_50_74`, …); the report then has weighted words.
    pub weights: Option<BTreeMap<String, f64>>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            memories: vec!["default".into()],
            source_lang: None,
            target_lang: None,
            min_score: DEFAULT_MIN_SCORE,
            internal_fuzzy: false,
            weights: None,
        }
    }
}

/// The band a segment falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// A 101 % (in-context) memory match.
    Context,
    /// A 100 % memory match.
    Exact,
    /// Repeats an earlier segment of the same file, and no memory has it at
    /// 100 % or more.
    Repetitions,
    /// Repeats a segment of an earlier file.
    CrossFileRepetitions,
    /// Fuzzy memory match in band `i` (0: 95–99, 1: 85–94, 2: 75–84, 3: 50–74).
    Fuzzy(usize),
    /// Fuzzy match against earlier segments of the job, band `i` as above.
    InternalFuzzy(usize),
    /// Nothing at or above the minimum score.
    New,
}

/// Lower bounds of the fuzzy bands, best first.
pub const FUZZY_BANDS: [(u32, u32); 4] = [(95, 99), (85, 94), (75, 84), (50, 74)];

fn fuzzy_index(score: u32) -> Option<usize> {
    FUZZY_BANDS.iter().position(|(min, _)| score >= *min)
}

impl Band {
    /// Memory fuzzy band of `score` (or `New` below `min_score` or 50).
    pub fn fuzzy(score: u32, min_score: u32) -> Band {
        match fuzzy_index(score) {
            Some(i) if score >= min_score => Band::Fuzzy(i),
            _ => Band::New,
        }
    }

    /// Internal fuzzy band of `score`.
    pub fn internal_fuzzy(score: u32) -> Band {
        fuzzy_index(score).map_or(Band::New, Band::InternalFuzzy)
    }
}

/// A fuzzy band with its bounds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FuzzyCounts {
    /// Lowest score of the band.
    pub min: u32,
    /// Highest score of the band.
    pub max: u32,
    /// What fell in it.
    #[serde(flatten)]
    pub counts: Counts,
}

/// Every band of one file (or of the job).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bands {
    /// 101 %.
    pub context: Counts,
    /// 100 %.
    pub exact: Counts,
    /// Repetitions within the file.
    pub repetitions: Counts,
    /// Repetitions of earlier files.
    pub cross_file_repetitions: Counts,
    /// Memory fuzzy bands, 95–99 first.
    pub fuzzy: [FuzzyCounts; 4],
    /// Internal fuzzy bands (all zero unless asked for).
    pub internal_fuzzy: [FuzzyCounts; 4],
    /// No match.
    pub new: Counts,
}

impl Default for Bands {
    fn default() -> Self {
        let bands = FUZZY_BANDS.map(|(min, max)| FuzzyCounts {
            min,
            max,
            counts: Counts::default(),
        });
        Bands {
            context: Counts::default(),
            exact: Counts::default(),
            repetitions: Counts::default(),
            cross_file_repetitions: Counts::default(),
            fuzzy: bands,
            internal_fuzzy: bands,
            new: Counts::default(),
        }
    }
}

impl Bands {
    /// `(name, counts)` of every band in report order; fuzzy names are
    /// `fuzzy_95_99` … and `internal_fuzzy_95_99` ….
    pub fn named(&self) -> Vec<(String, Counts)> {
        let mut out = vec![
            ("context".to_string(), self.context),
            ("exact".to_string(), self.exact),
            ("repetitions".to_string(), self.repetitions),
            (
                "cross_file_repetitions".to_string(),
                self.cross_file_repetitions,
            ),
        ];
        for f in &self.fuzzy {
            out.push((format!("fuzzy_{}_{}", f.min, f.max), f.counts));
        }
        for f in &self.internal_fuzzy {
            out.push((format!("internal_fuzzy_{}_{}", f.min, f.max), f.counts));
        }
        out.push(("new".to_string(), self.new));
        out
    }
}

/// The analysis of one file (or the job total).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileAnalysis {
    /// File name (`TOTAL` for the job).
    pub name: String,
    /// Counts per band.
    pub bands: Bands,
    /// All bands together.
    pub total: Counts,
    /// Words weighted by the payable rates, when rates were given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted_words: Option<f64>,
}

impl FileAnalysis {
    /// Empty counts for `name`.
    pub fn new(name: String) -> Self {
        FileAnalysis {
            name,
            bands: Bands::default(),
            total: Counts::default(),
            weighted_words: None,
        }
    }

    /// The counts of `band`.
    pub fn band_mut(&mut self, band: Band) -> &mut Counts {
        let b = &mut self.bands;
        match band {
            Band::Context => &mut b.context,
            Band::Exact => &mut b.exact,
            Band::Repetitions => &mut b.repetitions,
            Band::CrossFileRepetitions => &mut b.cross_file_repetitions,
            Band::Fuzzy(i) => &mut b.fuzzy[i.min(3)].counts,
            Band::InternalFuzzy(i) => &mut b.internal_fuzzy[i.min(3)].counts,
            Band::New => &mut b.new,
        }
    }

    fn weigh(&mut self, rates: &BTreeMap<String, f64>) {
        let w = self
            .bands
            .named()
            .iter()
            .map(|(name, c)| {
                let rate = rates.get(name).copied().unwrap_or(100.0);
                c.words as f64 * rate / 100.0
            })
            .sum::<f64>();
        self.weighted_words = Some((w * 10.0).round() / 10.0);
    }
}

/// A whole analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Source language.
    pub source_lang: String,
    /// Target language.
    pub target_lang: String,
    /// Memories searched.
    pub memories: Vec<String>,
    /// Lowest fuzzy score counted.
    pub min_score: u32,
    /// Whether internal fuzzy matches were looked for.
    pub internal_fuzzy: bool,
    /// Payable rates, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<BTreeMap<String, f64>>,
    /// Per file, in input order.
    pub files: Vec<FileAnalysis>,
    /// The job.
    pub total: FileAnalysis,
}

impl Analysis {
    /// Computes the weighted counts, when rates were given.
    pub(crate) fn finish(&mut self) {
        if let Some(rates) = self.weights.clone() {
            for f in &mut self.files {
                f.weigh(&rates);
            }
            self.total.weigh(&rates);
        }
    }
}

/// The band names [`AnalysisOptions::weights`] accepts.
pub fn band_names() -> Vec<String> {
    Bands::default()
        .named()
        .into_iter()
        .map(|(n, _)| n)
        .collect()
}

/// Parses payable rates written `band:percent,…` (`new:100,exact:30`); a
/// band not among [`band_names`] or a rate outside 0–1000 is refused with
/// the reason.
pub fn parse_weights(s: &str) -> Result<BTreeMap<String, f64>, String> {
    let known = band_names();
    let mut out = BTreeMap::new();
    for item in s.split(',').map(str::trim).filter(|x| !x.is_empty()) {
        let bad = || {
            format!(
                "`{item}` is not band:percent with a band among {}",
                known.join(", ")
            )
        };
        let (band, rate) = item.split_once(':').ok_or_else(bad)?;
        let rate: f64 = rate.trim().parse().map_err(|_| bad())?;
        if !known.iter().any(|k| k == band.trim()) || !(0.0..=1000.0).contains(&rate) {
            return Err(bad());
        }
        out.insert(band.trim().to_string(), rate);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_parse_known_bands_only() {
        let w = parse_weights("new:100, exact:30,fuzzy_75_84:60").expect("parses");
        assert_eq!(w.get("exact"), Some(&30.0));
        assert_eq!(w.len(), 3);
        assert!(parse_weights("nouveau:100").is_err());
        assert!(parse_weights("new:lots").is_err());
        assert!(parse_weights("new:-5").is_err());
    }
}
