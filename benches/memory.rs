//! Translation-memory benchmark: import a corpus through the TMX importer
//! into an on-disk store, then measure fuzzy-search latency and throughput
//! (English queries on the source side, Arabic queries on the target side),
//! restart time, RSS and data size, plus a criterion run of single queries.
//!
//! Corpus: `MEMORY_BENCH_CORPUS` (a TSV `source<TAB>target<TAB>origin` with a
//! header, escaping as in the shared data, e.g. `/tmp/tmbench/corpus_1m.tsv`
//! from `make_corpus.py`), else the first 100,000 rows of
//! `../shared/data/tm/software-ui.en-ar.tsv.gz`, else a synthetic corpus.
//! Queries: `MEMORY_BENCH_QUERIES_EN` / `_AR` (`query<TAB>…` TSV), else
//! held-back rows (after the corpus rows) with one word dropped.
//! `MEMORY_BENCH_SLOWEST=n` prints the n slowest queries of the indexed run.
//! `MEMORY_BENCH_DATA=dir` keeps the data dir there; when it already holds
//! the imported memory, the import is skipped (restart and search only).

use criterion::Criterion;
use mustalah::formats::{tmx::TmxWriter, Format};
use mustalah::memory::model::{SearchQuery, TranslationUnit};
use mustalah::memory::Memories;
use mustalah::store::Store;
use std::io::{BufRead, BufReader, Read};
use std::time::{Duration, Instant};

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn read_rows(path: &str, max: usize) -> Option<Vec<(String, String)>> {
    let f = std::fs::File::open(path).ok()?;
    let r: Box<dyn Read> = if path.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(f))
    } else {
        Box::new(f)
    };
    Some(
        BufReader::new(r)
            .lines()
            .skip(1)
            .take(max)
            .map_while(Result::ok)
            .filter_map(|l| {
                let mut p = l.split('\t');
                Some((unescape(p.next()?), unescape(p.next()?)))
            })
            .collect(),
    )
}

fn synthetic(n: usize) -> Vec<(String, String)> {
    let en = [
        "open", "save", "the", "file", "folder", "close", "new", "window", "print", "settings",
    ];
    let ar = [
        "افتح",
        "احفظ",
        "الملف",
        "المجلد",
        "أغلق",
        "جديد",
        "النافذة",
        "اطبع",
        "الإعدادات",
        "والملف",
    ];
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|i| {
            let len = 2 + (next() % 8) as usize;
            let s: Vec<&str> = (0..len).map(|_| en[(next() % 10) as usize]).collect();
            let t: Vec<&str> = (0..len).map(|_| ar[(next() % 10) as usize]).collect();
            (
                format!("{} {i}", s.join(" ")),
                format!("{} {i}", t.join(" ")),
            )
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn query(text: &str, lang: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_string(),
        source_lang: Some(lang.into()),
        target_lang: None,
        min_score: 50,
        limit: 5,
        context: None,
    }
}

/// CPU time of the calling thread: per-query figures that other processes
/// on a busy machine do not inflate.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn run(m: &Memories, qs: &[(String, &'static str)], label: &str) {
    let mut lat = Vec::with_capacity(qs.len());
    let start = Instant::now();
    let mut hits = 0usize;
    let mut each = Vec::with_capacity(qs.len());
    let mut cpu = Vec::with_capacity(qs.len());
    for (q, lang) in qs {
        let c = thread_cpu();
        let t = Instant::now();
        hits += usize::from(
            m.search("tm", &query(q, lang))
                .map(|v| !v.is_empty())
                .unwrap_or(false),
        );
        lat.push(t.elapsed());
        cpu.push(thread_cpu().saturating_sub(c));
        each.push((t.elapsed(), q, lang));
    }
    let total = start.elapsed().as_secs_f64();
    let slowest: usize = std::env::var("MEMORY_BENCH_SLOWEST")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    each.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (d, q, lang) in each.iter().take(slowest) {
        println!("  slow: {:.2} ms [{lang}] {q:?}", d.as_secs_f64() * 1000.0);
    }
    lat.sort();
    cpu.sort();
    println!(
        "{label}: CPU time per query p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&cpu, 0.5),
        percentile(&cpu, 0.99),
        percentile(&cpu, 1.0)
    );
    println!(
        "{label}: {} queries, {:.0} q/s (1 thread), p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, with matches {hits}",
        qs.len(),
        qs.len() as f64 / total,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0)
    );
}

fn main() {
    let corpus_env = std::env::var("MEMORY_BENCH_CORPUS").ok();
    let data = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/tm/software-ui.en-ar.tsv.gz"
    );
    let (rows, held) = match corpus_env.as_deref().and_then(|p| read_rows(p, usize::MAX)) {
        Some(r) => (r, Vec::new()),
        None => match read_rows(data, 101_000) {
            Some(mut r) => {
                let held = r.split_off(r.len().min(100_000));
                (r, held)
            }
            None => {
                println!("corpus: synthetic (shared data absent)");
                let mut r = synthetic(101_000);
                let held = r.split_off(100_000);
                (r, held)
            }
        },
    };
    println!("corpus: {} units", rows.len());

    // Queries.
    let mut qs: Vec<(String, &'static str)> = Vec::new();
    for (var, lang) in [
        ("MEMORY_BENCH_QUERIES_EN", "en"),
        ("MEMORY_BENCH_QUERIES_AR", "ar"),
    ] {
        if let Some(r) = std::env::var(var).ok().and_then(|p| read_rows(&p, 2000)) {
            // read_rows yields (col0, col1): col0 is the query.
            qs.extend(r.into_iter().map(|(q, _)| (q, lang)));
        }
    }
    if qs.is_empty() {
        for (i, (s, t)) in held.iter().take(1000).enumerate() {
            let (text, lang) = if i % 2 == 0 { (s, "en") } else { (t, "ar") };
            // Edit: drop the last word when there are several.
            let words: Vec<&str> = text.split_whitespace().collect();
            let q = if words.len() > 2 {
                words[..words.len() - 1].join(" ")
            } else {
                text.clone()
            };
            if !q.trim().is_empty() {
                qs.push((q, lang));
            }
        }
    }
    qs.retain(|(q, _)| !q.trim().is_empty());

    // Import through TMX.
    let tmp = tempfile::tempdir().expect("tempdir");
    let tmx = tmp.path().join("corpus.tmx");
    let kept = std::env::var_os("MEMORY_BENCH_DATA").map(std::path::PathBuf::from);
    let data_dir = kept.clone().unwrap_or_else(|| tmp.path().join("data"));
    let imported = kept.is_some() && data_dir.join("conf").exists();
    if !imported {
        let f = std::io::BufWriter::new(std::fs::File::create(&tmx).expect("create tmx"));
        let mut w = TmxWriter::new(f, "en", "bench").expect("tmx writer");
        let now = chrono::Utc::now();
        for (i, (s, t)) in rows.iter().enumerate() {
            let u = TranslationUnit {
                id: i as u64 + 1,
                source: s.clone(),
                target: t.clone(),
                source_lang: "en".into(),
                target_lang: "ar".into(),
                context: None,
                origin: None,
                created: now,
                modified: now,
                created_by: None,
                props: Vec::new(),
                notes: Vec::new(),
                source_markup: None,
                target_markup: None,
                tuid: None,
                source_meta: Default::default(),
                target_meta: Default::default(),
            };
            w.write_unit(&u).expect("write unit");
        }
        w.finish().expect("finish tmx");
    }
    drop(rows);
    let rss0 = rss_mb();
    if !imported {
        let store = Store::open(&data_dir).expect("store");
        let m = Memories::open(&store).expect("memories");
        m.create("tm", "en", "ar", None).expect("create");
        let t = Instant::now();
        let dry = m
            .import_file("tm", &tmx, Some(Format::Tmx), true, &mut |_| {})
            .expect("dry run");
        println!(
            "import pass 1 alone (dry run, TMX parse + checks): {:.1} s ({} units)",
            t.elapsed().as_secs_f64(),
            dry.units_added
        );
        let t = Instant::now();
        let r = m
            .import_file("tm", &tmx, Some(Format::Tmx), false, &mut |_| {})
            .expect("import");
        store.flush_blocking().expect("flush");
        println!(
            "import: {:.1} s ({} added, {} updated, {} skipped)",
            t.elapsed().as_secs_f64(),
            r.units_added,
            r.units_updated,
            r.units_skipped
        );
    }
    println!("data dir: {:.0} MB", dir_size(&data_dir) as f64 / 1e6);
    let t = Instant::now();
    let store = Store::open(&data_dir).expect("reopen");
    let opened = t.elapsed().as_secs_f64();
    let m = Memories::open(&store).expect("memories");
    println!(
        "restart: store open {opened:.2} s + index load {:.2} s, RSS {:.0} MB (before import {:.0} MB)",
        t.elapsed().as_secs_f64() - opened,
        rss_mb(),
        rss0
    );
    run(&m, &qs, "indexed");
    let two = Instant::now();
    std::thread::scope(|s| {
        for half in qs.chunks(qs.len().div_ceil(2).max(1)) {
            let m = &m;
            s.spawn(move || {
                for (q, lang) in half {
                    let _ = m.search("tm", &query(q, lang));
                }
            });
        }
    });
    println!(
        "indexed, 2 threads: {:.0} q/s",
        qs.len() as f64 / two.elapsed().as_secs_f64()
    );
    let sample: Vec<_> = qs.iter().take(40).cloned().collect();
    let t = Instant::now();
    for (q, lang) in &sample {
        let _ = m.search_exhaustive("tm", &query(q, lang));
    }
    println!(
        "exhaustive scan (same scorer): {:.1} q/s (1 thread, {} queries)",
        sample.len() as f64 / t.elapsed().as_secs_f64(),
        sample.len()
    );

    if std::env::var_os("MEMORY_BENCH_NO_CRITERION").is_some() {
        return;
    }
    let mut c = Criterion::default().configure_from_args().sample_size(20);
    let en: Vec<_> = qs
        .iter()
        .filter(|q| q.1 == "en")
        .take(50)
        .cloned()
        .collect();
    let ar: Vec<_> = qs
        .iter()
        .filter(|q| q.1 == "ar")
        .take(50)
        .cloned()
        .collect();
    for (name, set) in [("search_50_en", en), ("search_50_ar", ar)] {
        c.bench_function(name, |b| {
            b.iter(|| {
                for (q, lang) in &set {
                    let _ = m.search("tm", &query(q, lang));
                }
            })
        });
    }
    c.final_summary();
}
