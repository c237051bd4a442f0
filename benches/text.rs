//! Throughput of the text-analysis core on ~1 MB of Arabic and English news
//! text: normalize+tokenize, and normalize+tokenize+word keys.
//!
//! Run: `cargo bench --bench text -- --warm-up-time 1 --measurement-time 3`.

use criterion::{black_box, criterion_group, Criterion, Throughput};
use mustalah::text::{segment, tokenize_into, word_keys_auto, Token, TokenKind};

/// Fallback when the shared article is absent (CI without data): our own
/// paragraph in the same register (the article itself stays outside the
/// repository).
const ARABIC_PARAGRAPH: &str = "أعلنت شركة ناشئة في دبي هذا الأسبوع عن نموذج لغوي ضخم مفتوح المصدر يعمل على الحواسيب المحمولة دون اتصال بالسحابة، وقالت إن تدريبه استغرق ثلاثة أسابيع على 512 وحدة معالجة رسومات من نوع H100. ويرى المحللون أن خفض تكلفة الاستدلال سيدفع المطورين إلى بناء تطبيقات جديدة للذكاء الاصطناعي التوليدي، بينما تتنافس شركات الرقائق على توفير معالجات أسرع وأقل استهلاكًا للطاقة لمراكز البيانات.\n";

const ENGLISH_PARAGRAPH: &str = "The World Artificial Intelligence Conference in Shanghai this week draws thousands of tech leaders, officials and investors focused on China's AI ambitions. DeepSeek, the Chinese start-up that rattled global markets with its high-performance, low-cost R1 model earlier this year, is expected to be a focus of discussion. The company says it trained its model for about $6 million using 2,000 Nvidia H800 GPUs, compared with the $80-100 million and 16,000 advanced chips its Western rivals' data-centers need. See https://www.yahoo.com/news for details, e.g. the U.S. export rules, or write to press@deepseek.com.\n";

const TARGET: usize = 1 << 20;

fn corpus(seed: &str) -> String {
    let mut s = String::with_capacity(TARGET + seed.len());
    while s.len() < TARGET {
        s.push_str(seed);
    }
    s
}

fn arabic_seed() -> String {
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

fn keys_total(text: &str, toks: &mut Vec<Token>) -> usize {
    toks.clear();
    tokenize_into(text, toks);
    toks.iter()
        .filter(|t| t.kind == TokenKind::Word)
        .map(|t| word_keys_auto(t.text(text)).len())
        .sum()
}

fn bench(c: &mut Criterion) {
    let corpora = [
        ("arabic", corpus(&arabic_seed())),
        ("english", corpus(ENGLISH_PARAGRAPH)),
    ];
    for (name, text) in &corpora {
        let mut g = c.benchmark_group(format!("text/{name}"));
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.sample_size(10);
        let mut toks: Vec<Token> = Vec::with_capacity(text.len() / 4);
        g.bench_function("normalize+tokenize", |b| {
            b.iter(|| {
                toks.clear();
                tokenize_into(black_box(text), &mut toks);
                toks.len()
            })
        });
        g.bench_function("normalize+tokenize+word_keys", |b| {
            b.iter(|| keys_total(black_box(text), &mut toks))
        });
        g.bench_function("segment", |b| b.iter(|| segment(black_box(text)).len()));
        g.finish();
    }
}

/// CPU time of this thread in nanoseconds (Linux `schedstat`), if known.
/// The build machine is shared, so wall-clock throughput understates the
/// per-core speed; CPU time gives the per-core figure.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Throughput per CPU-second of each workload (MiB/s), printed after the
/// criterion run.
fn cpu_report() {
    if thread_cpu_ns().is_none() {
        println!("cpu-time report skipped: no /proc/thread-self/schedstat");
        return;
    }
    let corpora = [
        ("arabic", corpus(&arabic_seed())),
        ("english", corpus(ENGLISH_PARAGRAPH)),
    ];
    const ITERS: u32 = 10;
    for (name, text) in &corpora {
        let mut toks: Vec<Token> = Vec::with_capacity(text.len() / 4);
        let workloads: [(&str, &mut dyn FnMut() -> usize); 3] = [
            ("normalize+tokenize", &mut || {
                toks.clear();
                tokenize_into(black_box(text), &mut toks);
                toks.len()
            }),
            ("normalize+tokenize+word_keys", &mut || {
                let mut t = Vec::new();
                keys_total(black_box(text), &mut t)
            }),
            ("segment", &mut || segment(black_box(text)).len()),
        ];
        for (w, f) in workloads {
            black_box(f());
            let (Some(t0), wall) = (thread_cpu_ns(), std::time::Instant::now()) else {
                continue;
            };
            for _ in 0..ITERS {
                black_box(f());
            }
            let Some(t1) = thread_cpu_ns() else { continue };
            let mib = text.len() as f64 * f64::from(ITERS) / (1024.0 * 1024.0);
            let cpu_s = (t1.saturating_sub(t0)) as f64 / 1e9;
            println!(
                "cpu-time text/{name}/{w}: {:.1} MiB/s per CPU-second ({:.1} MiB/s wall)",
                mib / cpu_s.max(1e-9),
                mib / wall.elapsed().as_secs_f64().max(1e-9)
            );
        }
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    if std::env::args().any(|a| a == "--bench") {
        cpu_report();
    }
}
