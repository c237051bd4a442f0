//! XLIFF pre-translation and analysis benchmark: a 10,000-segment XLIFF
//! against a large memory and the seed term base.
//!
//! Memory: `XLIFF_BENCH_CORPUS` (a TSV `source<TAB>target…` with a header,
//! e.g. the 1M-unit corpus of the memory benchmark), else
//! `../shared/data/tm/software-ui.en-ar.tsv.gz` (198,082 real en→ar
//! units), imported through the TSV importer into an on-disk store
//! (`XLIFF_BENCH_DATA=dir` keeps it; a second run skips the import).
//! Document: 10,000 segments drawn from the corpus after a fixed shuffle —
//! a third verbatim (exact matches), a third with one word dropped
//! (fuzzy), a third with two words swapped across rows (mostly new) —
//! written as XLIFF 1.2 (en → ar), one `<trans-unit>` per segment.
//!
//! Prints one timed run of each, then criterion's estimate (10 samples).
//! Run: `cargo bench --bench xliff`.

use criterion::Criterion;
use mustalah::analysis::{analyze, AnalysisOptions, FileInput};
use mustalah::formats::xml::escape_text;
use mustalah::formats::Format;
use mustalah::memory::Memories;
use mustalah::pretranslate::{pretranslate, Options};
use mustalah::store::Store;
use mustalah::suggest::adapters::{MemorySource, TermBaseRecognizer};
use mustalah::termbase::import::{ImportOptions, OnDuplicate};
use mustalah::termbase::TermBases;
use std::io::{BufRead, BufReader, Read};
use std::time::{Duration, Instant};

const SEGMENTS: usize = 10_000;

fn unescape(s: &str) -> String {
    s.replace("\\t", "\t")
        .replace("\\n", "\n")
        .replace("\\\\", "\\")
}

fn rows() -> (String, Vec<(String, String)>) {
    let path = std::env::var("XLIFF_BENCH_CORPUS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/tm/software-ui.en-ar.tsv.gz"
        )
        .to_string()
    });
    let path = if std::path::Path::new(&path).exists() {
        path
    } else {
        "/work/shared/data/tm/software-ui.en-ar.tsv.gz".to_string()
    };
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("corpus {path}: {e}"));
    let r: Box<dyn Read> = if path.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(f))
    } else {
        Box::new(f)
    };
    let rows = BufReader::new(r)
        .lines()
        .skip(1)
        .map_while(Result::ok)
        .filter_map(|l| {
            let mut p = l.split('\t');
            Some((unescape(p.next()?), unescape(p.next()?)))
        })
        .filter(|(s, t)| !s.trim().is_empty() && !t.trim().is_empty())
        .collect();
    (path, rows)
}

/// The 10,000-segment document (see the module docs).
fn document(rows: &[(String, String)]) -> String {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n<file original=\"bench.txt\" source-language=\"en\" target-language=\"ar\" datatype=\"plaintext\">\n<body>\n");
    for i in 0..SEGMENTS {
        let (s, _) = &rows[(next() as usize) % rows.len()];
        let words: Vec<&str> = s.split_whitespace().collect();
        let text = match i % 3 {
            0 => s.clone(),
            1 if words.len() > 3 => {
                let drop = (next() as usize) % words.len();
                words
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != drop)
                    .map(|(_, w)| *w)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            _ => {
                let (o, _) = &rows[(next() as usize) % rows.len()];
                let other: Vec<&str> = o.split_whitespace().collect();
                let mut w: Vec<&str> = words.iter().take(3).copied().collect();
                w.extend(other.iter().skip(1).take(4));
                w.join(" ")
            }
        };
        out.push_str(&format!(
            "<trans-unit id=\"{i}\">\n<source xml:lang=\"en\">{}</source>\n</trans-unit>\n",
            escape_text(&text)
        ));
    }
    out.push_str("</body>\n</file>\n</xliff>\n");
    out
}

fn main() {
    let (path, rows) = rows();
    let keep = std::env::var("XLIFF_BENCH_DATA").ok();
    let tmp = tempfile::tempdir().expect("tmp");
    let data = keep
        .clone()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().join("data"));
    let store = Store::open(&data).expect("store");
    let mems = Memories::open(&store).expect("memories");
    let tbs = TermBases::open(&store).expect("termbases");
    if mems.get_meta("bench").is_err() {
        let started = Instant::now();
        mems.create("bench", "en", "ar", None).expect("create");
        mems.import_file(
            "bench",
            std::path::Path::new(&path),
            Some(Format::Tsv),
            false,
            &mut |_| {},
        )
        .expect("import");
        store.flush_blocking().expect("flush");
        println!(
            "memory: {} units from {path} imported in {:.1} s",
            rows.len(),
            started.elapsed().as_secs_f64()
        );
    }
    if tbs.get_meta("tech").is_err() {
        tbs.create("tech", None).expect("tb");
        let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/glossary/tech.ar-en.csv");
        tbs.import_file(
            "tech",
            std::path::Path::new(seed),
            Some(Format::Csv),
            ImportOptions {
                on_duplicate: OnDuplicate::Merge,
                dry_run: false,
            },
            &mut |_| {},
        )
        .expect("seed");
    }
    let doc = document(&rows);
    let opts = Options {
        memories: vec!["bench".into()],
        termbases: vec!["tech".into()],
        ..Options::default()
    };
    let terms = TermBaseRecognizer { termbases: &tbs };
    let memory = MemorySource { memories: &mems };
    let started = Instant::now();
    let out = pretranslate(doc.as_bytes(), &opts, &terms, &memory).expect("pretranslate");
    let r = &out.report;
    println!(
        "pretranslate: {} segments in {:.2} s ({} filled, {} offered, {} with terms; load {})",
        r.segments,
        started.elapsed().as_secs_f64(),
        r.filled,
        r.fuzzy_offered,
        r.with_terms,
        load()
    );
    let files = vec![FileInput {
        name: "bench.xlf".into(),
        bytes: doc.clone().into_bytes(),
    }];
    let aopts = AnalysisOptions {
        memories: vec!["bench".into()],
        ..AnalysisOptions::default()
    };
    let started = Instant::now();
    let a = analyze(&files, &aopts, &memory).expect("analyze");
    let b = &a.total.bands;
    println!(
        "analyze: {} segments in {:.2} s (exact {}, repetitions {}, fuzzy {}, new {}; load {})",
        a.total.total.segments,
        started.elapsed().as_secs_f64(),
        b.exact.segments,
        b.repetitions.segments,
        b.fuzzy.iter().map(|f| f.counts.segments).sum::<u64>(),
        b.new.segments,
        load()
    );
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30))
        .configure_from_args();
    c.bench_function("pretranslate 10k segments", |bch| {
        bch.iter(|| pretranslate(doc.as_bytes(), &opts, &terms, &memory).expect("pretranslate"))
    });
    c.bench_function("analyze 10k segments", |bch| {
        bch.iter(|| analyze(&files, &aopts, &memory).expect("analyze"))
    });
    c.final_summary();
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
