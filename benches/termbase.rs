//! Term-base performance on a 100k-entry term base (synthetic Arabic/English
//! terms mixed with the evaluation set's): recognition throughput on Arabic
//! text, lookup latency (exact/auto/fuzzy), and import of 100k entries from
//! CSV and TBX through the domain API on a temporary store.
//!
//! Run: `cargo bench --bench termbase -- --warm-up-time 1 --measurement-time 5`.
//! Imports and the lookup percentiles are timed once per run with
//! `Instant` and printed (a 100k import per criterion sample would take
//! minutes on a shared 2-core machine); recognition and lookups also go
//! through criterion.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use mustalah::formats::{tbx::write_tbx, term_delimited::write_terms_delimited, Format};
use mustalah::store::Store;
use mustalah::termbase::model::{Concept, Term, TermStatus};
use mustalah::termbase::{ImportOptions, LookupMode, LookupQuery, RecognizeOptions, TermBases};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Fallback when the shared article is absent (CI without data): our own
/// paragraph in the same register (the article itself stays outside the
/// repository).
const ARABIC_PARAGRAPH: &str = "أعلنت شركة ناشئة في دبي هذا الأسبوع عن نموذج لغوي ضخم مفتوح المصدر يعمل على الحواسيب المحمولة دون اتصال بالسحابة، وقالت إن تدريبه استغرق ثلاثة أسابيع على 512 وحدة معالجة رسومات من نوع H100. ويرى المحللون أن خفض تكلفة الاستدلال سيدفع المطورين إلى بناء تطبيقات جديدة للذكاء الاصطناعي التوليدي، بينما تتنافس شركات الرقائق على توفير معالجات أسرع وأقل استهلاكًا للطاقة لمراكز البيانات.\n";

const ENTRIES: usize = 100_000;

fn article() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/articles/waic-2025-deepseek.ar.txt"
    );
    match std::fs::read_to_string(path) {
        Ok(t) if !t.trim().is_empty() => t,
        _ => {
            eprintln!("skipped: article absent, using the built-in paragraph");
            ARABIC_PARAGRAPH.to_string()
        }
    }
}

/// Arabic words of the article (so synthetic terms really occur in the
/// text: a worst case for recognition) plus a few fixed ones.
fn arabic_vocab(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text
        .split(|c: char| !mustalah::text::normalize::is_arabic_letter(c))
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_string)
        .collect();
    v.sort();
    v.dedup();
    v
}

fn english_vocab() -> Vec<String> {
    let syll = [
        "da", "ta", "ser", "ver", "net", "work", "com", "pute", "chip", "log", "ic", "gra", "phi",
        "cal", "pro", "ces", "sor", "mem", "o", "ry",
    ];
    let mut v = Vec::new();
    for a in syll {
        for b in syll {
            v.push(format!("{a}{b}"));
        }
    }
    v
}

fn term(text: String, status: TermStatus) -> Term {
    Term {
        text,
        status,
        ..Term::default()
    }
}

/// A deterministic pseudo-Arabic vocabulary (4–7 letters): a realistic
/// spread of first words, unlike a handful of article words.
fn synthetic_arabic(n: usize) -> Vec<String> {
    let letters: Vec<char> = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي".chars().collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    (0..n)
        .map(|_| {
            let len = 4 + next() % 4;
            (0..len).map(|_| letters[next() % letters.len()]).collect()
        })
        .collect()
}

/// 100k concepts with 1–3-word Arabic and English terms, deterministic.
/// One in a hundred is built from the article's own words (so the text
/// really contains terms), the rest from a 20k-word synthetic vocabulary.
fn concepts(text: &str) -> Vec<Concept> {
    let article_words = arabic_vocab(text);
    let ar = synthetic_arabic(20_000);
    let en = english_vocab();
    let now = chrono::Utc::now();
    (0..ENTRIES)
        .map(|i| {
            let n = 1 + i % 3;
            let pick = |v: &Vec<String>, k: usize| {
                v[(i * (7 + 13 * k) + k * 31 + i / v.len()) % v.len()].clone()
            };
            let vocab = if i % 100 == 0 { &article_words } else { &ar };
            let ar_t: Vec<String> = (0..n).map(|k| pick(vocab, k)).collect();
            let en_t: Vec<String> = (0..n).map(|k| pick(&en, k)).collect();
            let mut terms = BTreeMap::new();
            terms.insert(
                "ar".to_string(),
                vec![term(ar_t.join(" "), TermStatus::Preferred)],
            );
            terms.insert(
                "en".to_string(),
                vec![term(
                    format!("{} x{i}", en_t.join(" ")),
                    TermStatus::Preferred,
                )],
            );
            Concept {
                id: format!("s{i:06}"),
                domain: None,
                definition: None,
                note: None,
                context_words: vec![],
                negative_context_words: vec![],
                general: false,
                terms,
                created: now,
                modified: now,
            }
        })
        .collect()
}

fn time_import(path: &Path, format: Format) -> (Duration, u64) {
    let store = Store::temporary().expect("store");
    let tbs = TermBases::open(&store).expect("open");
    tbs.create("bench", None).expect("create");
    let t = Instant::now();
    let r = tbs
        .import_file(
            "bench",
            path,
            Some(format),
            ImportOptions::default(),
            &mut |_| {},
        )
        .expect("import");
    store.flush_blocking().expect("flush");
    (t.elapsed(), r.entries_added)
}

fn setup() -> (TermBases, String, tempfile::TempDir) {
    let text = article();
    let dir = tempfile::tempdir().expect("tempdir");
    let cs = concepts(&text);
    let csv = dir.path().join("bench.csv");
    let tbx = dir.path().join("bench.tbx");
    let langs = vec!["ar".to_string(), "en".to_string()];
    write_terms_delimited(
        std::fs::File::create(&csv).expect("csv"),
        b',',
        &langs,
        cs.clone(),
    )
    .expect("write csv");
    write_tbx(std::fs::File::create(&tbx).expect("tbx"), "ar", cs).expect("write tbx");
    for (path, format) in [(&csv, Format::Csv), (&tbx, Format::Tbx)] {
        let (d, n) = time_import(path, format);
        let mb = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        println!(
            "import {:?}: {n} entries ({mb:.1} MB) in {:.2} s",
            format,
            d.as_secs_f64()
        );
    }
    // The benchmark term base: the CSV plus the evaluation set.
    let store = Store::temporary().expect("store");
    let tbs = TermBases::open(&store).expect("open");
    tbs.create("bench", None).expect("create");
    tbs.import_file(
        "bench",
        &csv,
        Some(Format::Csv),
        ImportOptions::default(),
        &mut |_| {},
    )
    .expect("import csv");
    let eval = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/termbase_eval/terms.csv");
    tbs.import_file("bench", &eval, None, ImportOptions::default(), &mut |_| {})
        .expect("import eval");
    let t = Instant::now();
    let reopened = TermBases::open(&store).expect("reopen");
    println!(
        "open (index rebuild) of {} entries: {:.2} s",
        reopened.get_meta("bench").map(|m| m.entries).unwrap_or(0),
        t.elapsed().as_secs_f64()
    );
    (tbs, text, dir)
}

fn percentiles(tbs: &TermBases, queries: &[&str], mode: LookupMode) -> (f64, f64) {
    let mut times: Vec<f64> = Vec::new();
    for _ in 0..20 {
        for q in queries {
            let query = LookupQuery {
                q: q.to_string(),
                mode,
                limit: 10,
                ..LookupQuery::default()
            };
            let t = Instant::now();
            black_box(tbs.lookup("bench", &query).expect("lookup"));
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    (at(0.5), at(0.99))
}

const QUERIES: &[&str] = &[
    "الذكاء الاصطناعي",
    "الذكاء الاصطناعى",
    "نماذج لغوية ضخمة",
    "وحدة معالجة رسومات",
    "الخوادم",
    "data centers",
    "inteligence",
    "artifical intelligence",
    "شركه ناشئه",
    "مركز البيانات",
];

fn bench(c: &mut Criterion) {
    let (tbs, text, _dir) = setup();
    let mut big = String::new();
    while big.len() < (1 << 20) {
        big.push_str(&text);
        big.push('\n');
    }
    let opts = RecognizeOptions {
        lang: Some("ar".into()),
        ..RecognizeOptions::default()
    };
    // Warm-up run (page in the index, fill allocator caches).
    black_box(tbs.recognize("bench", &big, &opts).expect("recognize"));
    let t = Instant::now();
    let hits = tbs
        .recognize("bench", &big, &opts)
        .expect("recognize")
        .len();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "recognition: {hits} hits in {} bytes of Arabic, {:.3} s = {:.2} MB/s",
        big.len(),
        secs,
        big.len() as f64 / 1e6 / secs
    );
    for mode in [LookupMode::Exact, LookupMode::Auto, LookupMode::Fuzzy] {
        let (p50, p99) = percentiles(&tbs, QUERIES, mode);
        println!("lookup {mode:?}: p50 {p50:.3} ms, p99 {p99:.3} ms");
    }

    let mut g = c.benchmark_group("termbase");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.bench_function("recognize_ar_1MB_100k_entries", |b| {
        b.iter(|| black_box(tbs.recognize("bench", &big, &opts).expect("recognize")))
    });
    g.finish();
    let mut g = c.benchmark_group("lookup");
    for mode in [LookupMode::Exact, LookupMode::Auto, LookupMode::Fuzzy] {
        g.bench_function(format!("{mode:?}"), |b| {
            let mut i = 0usize;
            b.iter(|| {
                i = (i + 1) % QUERIES.len();
                let q = LookupQuery {
                    q: QUERIES[i].to_string(),
                    mode,
                    limit: 10,
                    ..LookupQuery::default()
                };
                black_box(tbs.lookup("bench", &q).expect("lookup"))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
