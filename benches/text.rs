//! Throughput of the text-analysis core on ~1 MB of Arabic and English news
//! text: normalize+tokenize, and normalize+tokenize+word keys.
//!
//! Run: `cargo bench --bench text -- --warm-up-time 1 --measurement-time 3`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use mustalah::text::{segment, tokenize_into, word_keys_auto, Token, TokenKind};

/// Fallback when the shared article is absent (CI without data).
const ARABIC_PARAGRAPH: &str = "تجمع قمة الذكاء الاصطناعي العالمية في شنغهاي هذا الأسبوع آلاف القادة التقنيين والمسؤولين والمستثمرين الذين يركزون على تعزيز طموحات الصين في مجال الذكاء الاصطناعي. ستكون شركة ديب سيك، الناشئة الصينية التي هزت الأسواق العالمية بنموذجها عالي الأداء ومنخفض التكلفة في وقت سابق من هذا العام، محور النقاش في القمة. وتقول الشركة إنها دربت نموذجها بتكلفة تقارب 6 ملايين دولار فقط، مستخدمة 2000 وحدة معالجة رسومات من نوع Nvidia H800.\n";

const ENGLISH_PARAGRAPH: &str = "The World Artificial Intelligence Conference in Shanghai this week draws thousands of tech leaders, officials and investors focused on China's AI ambitions. DeepSeek, the Chinese start-up that rattled global markets with its high-performance, low-cost R1 model earlier this year, is expected to be a focus of discussion. The company says it trained its model for about $6 million using 2,000 Nvidia H800 GPUs, compared with the $80-100 million and 16,000 advanced chips its Western rivals' data-centers need. See https://www.yahoo.com/news for details, e.g. the U.S. export rules.\n";

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

criterion_group!(benches, bench);
criterion_main!(benches);
