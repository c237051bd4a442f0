//! Evaluation on the shared real article (skipped when absent): take the
//! seed term base, remove the technical concepts recognized in the article
//! (up to [`REMOVED`], most frequent first, domains in [`TECH_DOMAINS`]),
//! run candidates against the reduced base, and report recall@50 of the
//! removed concepts — a concept counts as recovered when a top-50
//! candidate's display, recognized with the full seed base, is exactly one
//! hit of that concept — plus the top 20 for judging by hand, and proposed
//! translations against the article's English sentences
//! (`tests/load/waic-article-translations.tsv`, sentence number → English).
//!
//! `cargo test --lib candidates::eval -- --nocapture` prints the figures.

use super::{adapters::MemoryPairs, extract, Candidate, Request};
use crate::memory::{model::UnitDraft, Memories};
use crate::store::Store;
use crate::suggest::adapters::TermBaseRecognizer;
use crate::termbase::{ImportOptions, RecognizeOptions, TermBases};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Concepts removed from the seed base.
const REMOVED: usize = 30;
/// Seed domains that count as technical.
const TECH_DOMAINS: &[&str] = &[
    "ai",
    "hardware",
    "software",
    "cloud",
    "networking",
    "devices",
    "security",
    "product",
];

fn article() -> Option<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/articles/waic-2025-deepseek.ar.txt"
    );
    std::fs::read_to_string(path).ok()
}

fn seed(store: &Store) -> TermBases {
    let tbs = TermBases::open(store).expect("open");
    tbs.create("tech", None).expect("create");
    tbs.import_file(
        "tech",
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("glossary/tech.ar-en.csv"),
        None,
        ImportOptions::default(),
        &mut |_| {},
    )
    .expect("seed import");
    tbs
}

/// (concept id, frequency) of the technical concepts recognized in `text`.
fn technical_concepts(tbs: &TermBases, text: &str) -> Vec<(String, usize)> {
    let hits = tbs
        .recognize("tech", text, &RecognizeOptions::default())
        .expect("recognize");
    let mut freq: BTreeMap<String, usize> = BTreeMap::new();
    for h in hits {
        let c = tbs.get_concept("tech", &h.concept_id).expect("concept");
        if c.domain
            .as_deref()
            .is_some_and(|d| TECH_DOMAINS.contains(&d))
        {
            *freq.entry(h.concept_id.to_string()).or_default() += 1;
        }
    }
    let mut v: Vec<(String, usize)> = freq.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// The concept a candidate is, by the full base: one hit spanning it.
fn concept_of(full: &TermBases, c: &Candidate) -> Option<String> {
    let n = c.display.chars().count();
    let opts = RecognizeOptions {
        min_confidence: 0.0,
        ..RecognizeOptions::default()
    };
    let hits = full.recognize("tech", &c.display, &opts).ok()?;
    match hits.as_slice() {
        [h] if h.char_start == 0 && h.char_end == n => Some(h.concept_id.to_string()),
        _ => None,
    }
}

#[test]
fn real_article_recall_of_removed_concepts() {
    let Some(text) = article() else {
        println!("skipped: shared article absent");
        return;
    };
    let full_store = Store::temporary().expect("store");
    let full = seed(&full_store);
    let removed: Vec<(String, usize)> = technical_concepts(&full, &text)
        .into_iter()
        .take(REMOVED)
        .collect();
    let reduced_store = Store::temporary().expect("store");
    let reduced = seed(&reduced_store);
    for (id, _) in &removed {
        reduced.delete_concept("tech", id).expect("delete");
    }
    let recognizer = TermBaseRecognizer {
        termbases: &reduced,
    };
    let texts = vec![text.clone()];
    let tbs = vec!["tech".to_string()];
    let req = Request {
        texts: &texts,
        lang: "ar",
        target_lang: "en",
        termbases: &tbs,
        limit: 50,
        min_freq: 1,
    };
    let found = extract(&req, &recognizer, None, &HashSet::new()).expect("extract");
    let mut all_req = req.clone();
    all_req.limit = super::MAX_LIMIT;
    let all = extract(&all_req, &recognizer, None, &HashSet::new()).expect("extract");
    for (i, c) in all.iter().enumerate() {
        if let Some(id) = concept_of(&full, c) {
            if removed.iter().any(|(r, _)| *r == id) && i >= 50 {
                println!("  below the top 50: #{} {} [{id}]", i + 1, c.term);
            }
        }
    }
    let recovered: HashSet<String> = found.iter().filter_map(|c| concept_of(&full, c)).collect();
    let removed_ids: HashSet<String> = removed.iter().map(|(id, _)| id.clone()).collect();
    let hit = removed_ids.intersection(&recovered).count();
    let recall = hit as f64 / removed_ids.len().max(1) as f64;
    println!(
        "candidates on the shared article: {} technical concepts removed, {hit} in the top 50, recall@50 {recall:.2}",
        removed_ids.len()
    );
    let mut missed: Vec<&String> = removed_ids.difference(&recovered).collect();
    missed.sort();
    println!("missed: {missed:?}");
    for (i, c) in found.iter().take(50).enumerate() {
        let tag = concept_of(&full, c).map_or(String::new(), |id| format!(" [{id}]"));
        println!(
            "{:>2}. {} ({}) f={} score={:.2}{tag}",
            i + 1,
            c.term,
            c.display,
            c.frequency,
            c.score
        );
    }
    // The removed concepts are what the base lacks: most must come back.
    // Measured 0.74 (17/23); the target is 0.9 (see README).
    assert!(removed_ids.len() >= 10, "{removed:?}");
    assert!(recall >= 0.7, "recall@50 {recall:.2}");
    for c in &found {
        for ctx in &c.contexts {
            let got: String = text
                .chars()
                .skip(ctx.char_start)
                .take(ctx.char_end - ctx.char_start)
                .collect();
            assert_eq!(got, ctx.surface);
        }
    }
}

/// The article's sentences numbered from 0 as `tests/load/suggest_e2e.py`
/// numbers them (cut after each `. ! ? ؟` or line break, trimmed, longer than one
/// character), paired with our English for the numbers we translated.
fn article_pairs(text: &str) -> Vec<(String, String)> {
    let tsv = include_str!("../../tests/load/waic-article-translations.tsv");
    let mut sentences = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?' | '؟' | '\n') {
            let end = i + c.len_utf8();
            let s = text[start..end].trim();
            if s.chars().count() > 1 {
                sentences.push(s.to_string());
            }
            start = end;
        }
    }
    if !text[start..].trim().is_empty() {
        sentences.push(text[start..].trim().to_string());
    }
    tsv.lines()
        .skip(1)
        .filter_map(|l| {
            let (n, en) = l.split_once('\t')?;
            let n: usize = n.trim().parse().ok()?;
            Some((sentences.get(n)?.clone(), en.to_string()))
        })
        .collect()
}

#[test]
fn real_article_translations_from_an_aligned_memory() {
    let Some(text) = article() else {
        println!("skipped: shared article absent");
        return;
    };
    let pairs = article_pairs(&text);
    assert!(pairs.len() >= 5, "{pairs:?}");
    let store = Store::temporary().expect("store");
    let mems = Memories::open(&store).expect("open");
    mems.create("news", "ar", "en", None).expect("create");
    let drafts = pairs
        .iter()
        .map(|(ar, en)| UnitDraft {
            source: ar.clone(),
            target: en.clone(),
            ..UnitDraft::default()
        })
        .collect();
    mems.add_units("news", drafts).expect("add");
    let full_store = Store::temporary().expect("store");
    let full = seed(&full_store);
    let texts: Vec<String> = pairs.iter().map(|(ar, _)| ar.clone()).collect();
    let removed = technical_concepts(&full, &texts.join("\n"));
    let reduced_store = Store::temporary().expect("store");
    let reduced = seed(&reduced_store);
    for (id, _) in &removed {
        reduced.delete_concept("tech", id).expect("delete");
    }
    let recognizer = TermBaseRecognizer {
        termbases: &reduced,
    };
    let tbs = vec!["tech".to_string()];
    let req = Request {
        texts: &texts,
        lang: "ar",
        target_lang: "en",
        termbases: &tbs,
        limit: 50,
        min_freq: 1,
    };
    let source = MemoryPairs {
        memories: &mems,
        name: "news",
    };
    let found = extract(&req, &recognizer, Some(&source), &HashSet::new()).expect("extract");
    // Judged against the seed's own English terms of each recovered concept.
    let mut right = 0;
    let mut judged = 0;
    for c in &found {
        let Some(id) = concept_of(&full, c) else {
            continue;
        };
        if !removed.iter().any(|(r, _)| *r == id) {
            continue;
        }
        let concept = full.get_concept("tech", &id).expect("concept");
        let renderings: Vec<String> = concept
            .terms_in("en")
            .flat_map(|t| std::iter::once(t.text.clone()).chain(t.variants.iter().cloned()))
            .map(|t| crate::text::term_key_en(&t))
            .collect();
        let got = c
            .translation
            .as_ref()
            .map_or(String::new(), |t| t.text.clone());
        let got_key: String = got
            .split_whitespace()
            .map(crate::text::term_key_en)
            .collect::<Vec<_>>()
            .join(" ");
        let want: Vec<String> = renderings
            .iter()
            .map(|r| {
                r.split_whitespace()
                    .map(crate::text::term_key_en)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let ok = want.contains(&got_key);
        judged += 1;
        right += usize::from(ok);
        println!(
            "  {} [{id}] → {got:?}{}",
            c.term,
            if ok { "" } else { "  ✗" }
        );
    }
    let rate = right as f64 / judged.max(1) as f64;
    println!("proposed translations right for recovered concepts: {right}/{judged} ({rate:.2})");
    // Measured 8/13; the target is 0.8 (see README).
    assert!(judged >= 5, "only {judged} removed concepts came up");
    assert!(rate >= 0.6, "{right}/{judged}");
}
