//! Alignment benchmark: quality against a length-only Gale–Church baseline,
//! and speed on a 5,000-sentence document pair.
//!
//! ```text
//! cargo bench --bench align            # quality and speed
//! ALIGN_BENCH=quality cargo bench --bench align
//! ALIGN_BENCH=speed cargo bench --bench align
//! ```
//!
//! **Test documents** are built from real multi-sentence translations: the
//! units of `../shared/data/tm/software-ui.en-ar.tsv.gz` (Debian software
//! strings and help texts, English → Arabic) whose two sides, segmented by
//! the project's segmenter, make a plausible gold alignment:
//! * the same number `k ≥ 2` of sentences on both sides → `k` links `1-1`;
//! * one sentence against two → one `1-2` or `2-1` link;
//!
//! each side ending in sentence punctuation and holding no line break (so
//! that joining units with a space does not merge sentences), every
//! sentence at least 2 characters. Consecutive such units of one package
//! (the TSV's `origin`) form one document, one unit per paragraph, 8–40
//! units per document; Arabic is the source. Layouts:
//! * `paragraphs`: blank lines between paragraphs on both sides;
//! * `dropped_paragraphs`: the same with every 10th paragraph deleted from
//!   the English side (its Arabic sentences then have no gold link);
//! * `breaks_one_side`: blank lines in the Arabic, none in the English;
//! * `no_breaks`: no paragraph breaks on either side;
//! * `dropped_no_breaks`: every 10th paragraph deleted from the English side
//!   and no paragraph breaks on either side.
//!
//! Experiments: `ALIGN_COSTS="paragraph_bonus=8,null=0.02"` overrides the
//! aligner's [`bitext::Costs`] fields, `ALIGN_LENGTH="1.14,2.08"` its length
//! model (ratio, variance), for the `mustalah` row only.
//!
//! **Scores** compare the non-null links (`1-0`/`0-1` are not scored, as in
//! Bleualign's and Vecalign's evaluations) as exact pairs of code-point
//! spans: precision = correct / predicted, recall = correct / gold, F1
//! their harmonic mean, micro-averaged over the documents of a layout.
//! Systems: the length-only Gale–Church baseline (constants 1.0 / 6.8,
//! their priors, no anchors, no paragraphs), the aligner's DP with the
//! fitted Arabic–English length model alone (its costs, no anchors, no
//! paragraphs), and the aligner (anchors and paragraphs; no term base
//! here: the software strings have no concept in the seed glossary).

use mustalah::bitext::{self, length, AlignRequest, Options};
use mustalah::formats::term_delimited::tsv_unescape;
use mustalah::suggest::{Result as SuggestResult, TermHit, TermRecognizer};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::time::Instant;

struct NoTerms;
impl TermRecognizer for NoTerms {
    fn recognize(&self, _: &[String], _: &str, _: &str, _: &str) -> SuggestResult<Vec<TermHit>> {
        Ok(Vec::new())
    }
}

/// One unit kept for the test documents: Arabic and English sentences and
/// the gold links as (Arabic sentence range, English sentence range).
struct Unit {
    origin: String,
    ar: Vec<String>,
    en: Vec<String>,
    links: Vec<((usize, usize), (usize, usize))>,
}

fn corpus_path() -> Option<std::path::PathBuf> {
    let here = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/tm/software-ui.en-ar.tsv.gz"
    );
    [here, "/work/shared/data/tm/software-ui.en-ar.tsv.gz"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.is_file())
}

fn sentences(s: &str) -> Vec<String> {
    mustalah::text::segment(s)
        .iter()
        .map(|g| g.text(s).to_string())
        .collect()
}

fn ends_a_sentence(s: &str) -> bool {
    s.trim_end()
        .chars()
        .next_back()
        .is_some_and(|c| matches!(c, '.' | '!' | '?' | '؟' | ':' | '…'))
}

fn load_units(path: &std::path::Path) -> Vec<Unit> {
    let file = std::fs::File::open(path).expect("open corpus");
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let mut out = Vec::new();
    for line in reader.lines().skip(1) {
        let Ok(line) = line else { break };
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 3 {
            continue;
        }
        let (en_text, ar_text) = (tsv_unescape(cols[0]), tsv_unescape(cols[1]));
        let (en_text, ar_text) = (en_text.trim(), ar_text.trim());
        if en_text.contains(['\n', '\r']) || ar_text.contains(['\n', '\r']) {
            continue;
        }
        if !ends_a_sentence(en_text) || !ends_a_sentence(ar_text) {
            continue;
        }
        let (en, ar) = (sentences(en_text), sentences(ar_text));
        if en.len() + ar.len() < 3 || en.iter().chain(&ar).any(|s| s.chars().count() < 2) {
            continue;
        }
        let links = match (ar.len(), en.len()) {
            (a, e) if a == e => (0..a).map(|k| ((k, k + 1), (k, k + 1))).collect(),
            (1, 2) => vec![((0, 1), (0, 2))],
            (2, 1) => vec![((0, 2), (0, 1))],
            _ => continue,
        };
        out.push(Unit {
            origin: cols[2].to_string(),
            ar,
            en,
            links,
        });
    }
    out
}

/// Documents: consecutive units of one origin, 8–40 per document.
fn documents(units: &[Unit], max_docs: usize) -> Vec<&[Unit]> {
    let mut docs = Vec::new();
    let mut start = 0;
    while start < units.len() && docs.len() < max_docs {
        let mut end = start + 1;
        while end < units.len() && end - start < 40 && units[end].origin == units[start].origin {
            end += 1;
        }
        if end - start >= 8 {
            docs.push(&units[start..end]);
        }
        start = end;
    }
    docs
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Layout {
    Paragraphs,
    DroppedParagraphs,
    BreaksOneSide,
    NoBreaks,
    DroppedNoBreaks,
}

impl Layout {
    const ALL: [Layout; 5] = [
        Layout::Paragraphs,
        Layout::DroppedParagraphs,
        Layout::BreaksOneSide,
        Layout::NoBreaks,
        Layout::DroppedNoBreaks,
    ];
    fn name(self) -> &'static str {
        match self {
            Layout::Paragraphs => "paragraphs",
            Layout::DroppedParagraphs => "dropped_paragraphs",
            Layout::BreaksOneSide => "breaks_one_side",
            Layout::NoBreaks => "no_breaks",
            Layout::DroppedNoBreaks => "dropped_no_breaks",
        }
    }
}

type SpanPair = ((usize, usize), (usize, usize));

/// Builds one document pair: the two texts and the gold links as code-point
/// spans.
fn build(doc: &[Unit], layout: Layout) -> (String, String, HashSet<SpanPair>) {
    let (ar_sep, en_sep) = match layout {
        Layout::Paragraphs | Layout::DroppedParagraphs => ("\n\n", "\n\n"),
        Layout::BreaksOneSide => ("\n\n", " "),
        Layout::NoBreaks | Layout::DroppedNoBreaks => (" ", " "),
    };
    let (mut ar, mut en) = (String::new(), String::new());
    let mut gold = HashSet::new();
    let push = |text: &mut String, sep: &str, sentences: &[String]| -> Vec<(usize, usize)> {
        if !text.is_empty() {
            text.push_str(sep);
        }
        let mut spans = Vec::new();
        for (k, s) in sentences.iter().enumerate() {
            if k > 0 {
                text.push(' ');
            }
            let start = text.chars().count();
            text.push_str(s);
            spans.push((start, start + s.chars().count()));
        }
        spans
    };
    for (u, unit) in doc.iter().enumerate() {
        let drop =
            matches!(layout, Layout::DroppedParagraphs | Layout::DroppedNoBreaks) && u % 10 == 9;
        let a = push(&mut ar, ar_sep, &unit.ar);
        if drop {
            continue;
        }
        let e = push(&mut en, en_sep, &unit.en);
        for &((a0, a1), (e0, e1)) in &unit.links {
            gold.insert(((a[a0].0, a[a1 - 1].1), (e[e0].0, e[e1 - 1].1)));
        }
    }
    (ar, en, gold)
}

#[derive(Default, Clone, Copy)]
struct Score {
    predicted: usize,
    gold: usize,
    correct: usize,
}

impl Score {
    fn prf(&self) -> (f64, f64, f64) {
        let p = self.correct as f64 / self.predicted.max(1) as f64;
        let r = self.correct as f64 / self.gold.max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
}

fn run(ar: &str, en: &str, opts: Options) -> HashSet<SpanPair> {
    let req = AlignRequest {
        source_text: ar.to_string(),
        target_text: en.to_string(),
        source_lang: "ar".into(),
        target_lang: "en".into(),
        termbases: Vec::new(),
        min_quality: 0.0,
    };
    let out = bitext::align_with(&req, &NoTerms, opts).expect("align");
    out.pairs
        .iter()
        .filter_map(|l| {
            Some((
                (l.source_start?, l.source_end?),
                (l.target_start?, l.target_end?),
            ))
        })
        .collect()
}

/// The aligner's options, with the experiment overrides of the environment.
fn tuned() -> Options {
    let mut opts = Options::default();
    if let Ok(spec) = std::env::var("ALIGN_COSTS") {
        for kv in spec.split(',').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').expect("ALIGN_COSTS: name=value");
            let v: f64 = v.parse().expect("ALIGN_COSTS: a number");
            let c = &mut opts.costs;
            match k {
                "paragraph_bonus" => c.paragraph_bonus = v,
                "alpha" => c.alpha = v,
                "beta" => c.beta = v,
                "one_one" => c.one_one = v,
                "merge" => c.merge = v,
                "two_two" => c.two_two = v,
                "null" => c.null = v,
                "length_weight" => c.length_weight = v,
                "min_band" => c.min_band = v as usize,
                other => panic!("ALIGN_COSTS: unknown cost {other}"),
            }
        }
    }
    if let Ok(spec) = std::env::var("ALIGN_LENGTH") {
        let (r, v) = spec.split_once(',').expect("ALIGN_LENGTH: ratio,variance");
        opts.length = Some(length::LengthModel {
            ratio: r.parse().expect("ratio"),
            variance: v.parse().expect("variance"),
        });
    }
    opts
}

fn systems() -> [(&'static str, Options); 3] {
    [
        (
            "gale-church baseline",
            Options {
                length: Some(length::GALE_CHURCH),
                lexical: false,
                paragraphs: false,
                // Their priors and the length cost at full weight.
                costs: bitext::Costs {
                    null: 0.0099,
                    length_weight: 1.0,
                    ..bitext::Costs::default()
                },
            },
        ),
        (
            "fitted length only",
            Options {
                length: None,
                lexical: false,
                paragraphs: false,
                ..Options::default()
            },
        ),
        ("mustalah", tuned()),
    ]
}

fn quality(units: &[Unit]) {
    let docs = documents(units, 300);
    let sentences: usize = docs.iter().flat_map(|d| d.iter()).map(|u| u.ar.len()).sum();
    println!(
        "quality: {} documents, {} Arabic sentences, from {} eligible units",
        docs.len(),
        sentences,
        units.len()
    );
    println!("| layout | system | precision | recall | F1 |");
    println!("|---|---|---:|---:|---:|");
    for layout in Layout::ALL {
        let mut scores = [Score::default(); 3];
        for doc in &docs {
            let (ar, en, gold) = build(doc, layout);
            for (k, (_, opts)) in systems().iter().enumerate() {
                let pred = run(&ar, &en, *opts);
                scores[k].predicted += pred.len();
                scores[k].gold += gold.len();
                scores[k].correct += pred.intersection(&gold).count();
            }
        }
        for (k, (name, _)) in systems().iter().enumerate() {
            let (p, r, f) = scores[k].prf();
            println!("| {} | {name} | {p:.3} | {r:.3} | {f:.3} |", layout.name());
        }
    }
}

fn speed(units: &[Unit]) {
    // One long document pair: eligible units in corpus order until 5,000
    // Arabic sentences.
    let mut doc_units = Vec::new();
    let mut n = 0;
    for u in units {
        doc_units.push(u);
        n += u.ar.len();
        if n >= 5000 {
            break;
        }
    }
    let owned: Vec<Unit> = doc_units
        .iter()
        .map(|u| Unit {
            origin: String::new(),
            ar: u.ar.clone(),
            en: u.en.clone(),
            links: u.links.clone(),
        })
        .collect();
    for layout in [Layout::Paragraphs, Layout::NoBreaks] {
        let (ar, en, gold) = build(&owned, layout);
        let mut best = f64::INFINITY;
        let mut pred = HashSet::new();
        for _ in 0..3 {
            let t = Instant::now();
            pred = run(&ar, &en, tuned());
            best = best.min(t.elapsed().as_secs_f64());
        }
        let correct = pred.intersection(&gold).count();
        println!(
            "speed: {} Arabic / {} English sentences ({}, {:.1} MB): best of 3 {:.2} s; F1 {:.3}",
            n,
            owned.iter().map(|u| u.en.len()).sum::<usize>(),
            layout.name(),
            (ar.len() + en.len()) as f64 / 1e6,
            best,
            2.0 * correct as f64 / (pred.len() + gold.len()).max(1) as f64
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from argv.
    let Some(path) = corpus_path() else {
        println!("skipped: ../shared/data/tm/software-ui.en-ar.tsv.gz not found");
        return;
    };
    let what = std::env::var("ALIGN_BENCH").unwrap_or_default();
    let t = Instant::now();
    let units = load_units(&path);
    println!(
        "corpus: {} eligible multi-sentence units read in {:.1} s",
        units.len(),
        t.elapsed().as_secs_f64()
    );
    if what.is_empty() || what == "quality" {
        quality(&units);
    }
    if what.is_empty() || what == "speed" {
        speed(&units);
    }
}
