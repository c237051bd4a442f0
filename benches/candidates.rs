//! Term-candidate extraction speed: 100 articles of about 500 words each
//! (≈ 50,000 words) against the seed term base, without and with proposed
//! translations from an aligned memory.
//!
//! The articles are the evaluation sentences of `tests/termbase_eval/` plus,
//! when present, the shared real article's sentences, dealt into 100
//! documents in a fixed pseudo-random order (so most candidates occur in
//! several documents, as a day's news does).
//!
//! Run: `cargo bench --bench candidates -- --warm-up-time 1 --measurement-time 10`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mustalah::candidates::{adapters::MemoryPairs, extract, Request};
use mustalah::memory::{model::UnitDraft, Memories};
use mustalah::store::Store;
use mustalah::suggest::adapters::TermBaseRecognizer;
use mustalah::termbase::{ImportOptions, TermBases};
use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

const DOCS: usize = 100;
const WORDS_PER_DOC: usize = 500;

fn sentences() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out: Vec<String> =
        std::fs::read_to_string(Path::new(root).join("tests/termbase_eval/sentences.ar.tsv"))
            .expect("eval sentences")
            .lines()
            .filter_map(|l| l.split('\t').next())
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
            .collect();
    match std::fs::read_to_string(
        Path::new(root).join("../shared/data/articles/waic-2025-deepseek.ar.txt"),
    ) {
        Ok(a) => out.extend(
            mustalah::text::segment(&a)
                .iter()
                .map(|s| s.text(&a).to_string()),
        ),
        Err(_) => eprintln!("skipped: shared article absent, evaluation sentences only"),
    }
    out
}

fn documents(sents: &[String]) -> Vec<String> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..DOCS)
        .map(|_| {
            let mut doc = String::new();
            while doc.split_whitespace().count() < WORDS_PER_DOC {
                doc.push_str(&sents[(next() % sents.len() as u64) as usize]);
                doc.push(' ');
            }
            doc
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let store = Store::temporary().expect("store");
    let tbs = TermBases::open(&store).expect("open");
    tbs.create("tech", None).expect("create");
    tbs.import_file(
        "tech",
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("glossary/tech.ar-en.csv"),
        None,
        ImportOptions::default(),
        &mut |_| {},
    )
    .expect("seed");
    let mems = Memories::open(&store).expect("memories");
    mems.create("news", "ar", "en", None).expect("memory");
    let sents = sentences();
    // An aligned memory: each sentence paired with a stand-in target (the
    // proposal step's cost does not depend on the target's language).
    let drafts = sents
        .iter()
        .enumerate()
        .map(|(i, s)| UnitDraft {
            source: s.clone(),
            target: format!("sentence {i} of the archive, in English"),
            ..UnitDraft::default()
        })
        .collect();
    mems.add_units("news", drafts).expect("units");
    let docs = documents(&sents);
    let words: usize = docs.iter().map(|d| d.split_whitespace().count()).sum();
    let termbases = vec!["tech".to_string()];
    let req = Request {
        texts: &docs,
        lang: "ar",
        target_lang: "en",
        termbases: &termbases,
        limit: 50,
        min_freq: 1,
    };
    let recognizer = TermBaseRecognizer { termbases: &tbs };
    let pairs = MemoryPairs {
        memories: &mems,
        name: "news",
    };
    let rejected = HashSet::new();
    let t = Instant::now();
    let found = extract(&req, &recognizer, None, &rejected).expect("extract");
    eprintln!(
        "{DOCS} documents, {words} words: {} candidates in {:.2} s (one run)",
        found.len(),
        t.elapsed().as_secs_f64()
    );
    let mut g = c.benchmark_group("candidates");
    g.sample_size(10);
    g.bench_function("100 articles", |b| {
        b.iter(|| black_box(extract(&req, &recognizer, None, &rejected).expect("extract")))
    });
    g.bench_function("100 articles + memory proposals", |b| {
        b.iter(|| black_box(extract(&req, &recognizer, Some(&pairs), &rejected).expect("extract")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
