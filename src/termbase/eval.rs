//! Evaluation of recognition on the annotated set in `tests/termbase_eval/`:
//! concept-level precision/recall at the default `min_confidence` and at 0,
//! against a baseline of exact whole-word matching (what Aho-Corasick on
//! lower-cased text with word boundaries gives, as in Weblate).

use super::{ImportOptions, RecognizeOptions, TermBases};
use crate::store::Store;
use std::collections::BTreeSet;
use std::path::Path;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/termbase_eval");

struct Sentence {
    text: String,
    gold: BTreeSet<String>,
}

fn sentences(file: &str) -> Vec<Sentence> {
    let body = std::fs::read_to_string(Path::new(DIR).join(file)).expect("eval sentences");
    body.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (text, gold) = l.split_once('\t').unwrap_or((l, ""));
            Sentence {
                text: text.to_string(),
                gold: gold
                    .split('|')
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(str::to_string)
                    .collect(),
            }
        })
        .collect()
}

#[derive(Default, Debug, Clone, Copy)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Score {
    fn add(&mut self, gold: &BTreeSet<String>, got: &BTreeSet<String>) {
        self.tp += gold.intersection(got).count();
        self.fp += got.difference(gold).count();
        self.fn_ += gold.difference(got).count();
    }
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// Whole-word, case-folded exact matching of every term (the baseline).
fn baseline(tbs: &TermBases, text: &str) -> BTreeSet<String> {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let tw = words(text);
    let mut out = BTreeSet::new();
    let (all, _) = tbs.list_concepts("eval", None, usize::MAX).expect("list");
    for c in all {
        let hit = c.terms.values().flatten().any(|t| {
            let w = words(&t.text);
            !w.is_empty() && tw.windows(w.len()).any(|win| win == w.as_slice())
        });
        if hit {
            out.insert(c.id.clone());
        }
    }
    out
}

fn load() -> TermBases {
    let store = Store::temporary().expect("store");
    let tbs = TermBases::open(&store).expect("open");
    tbs.create("eval", None).expect("create");
    let report = tbs
        .import_file(
            "eval",
            &Path::new(DIR).join("terms.csv"),
            None,
            ImportOptions::default(),
            &mut |_| {},
        )
        .expect("import eval terms");
    assert_eq!(report.errors_total, 0, "{report:?}");
    tbs
}

fn evaluate(tbs: &TermBases, file: &str, lang: &str) -> (Score, Score, Score) {
    let (mut at_default, mut at_zero, mut base) =
        (Score::default(), Score::default(), Score::default());
    for s in sentences(file) {
        let run = |min: f32| -> BTreeSet<String> {
            let opts = RecognizeOptions {
                lang: Some(lang.to_string()),
                min_confidence: min,
                ..RecognizeOptions::default()
            };
            tbs.recognize("eval", &s.text, &opts)
                .expect("recognize")
                .into_iter()
                .map(|h| h.concept_id.to_string())
                .collect()
        };
        let got = run(super::DEFAULT_MIN_CONFIDENCE);
        if got != s.gold {
            println!(
                "{lang} miss={:?} extra={:?} :: {}",
                s.gold.difference(&got).collect::<Vec<_>>(),
                got.difference(&s.gold).collect::<Vec<_>>(),
                s.text
            );
        }
        at_default.add(&s.gold, &got);
        at_zero.add(&s.gold, &run(0.0));
        base.add(&s.gold, &baseline(tbs, &s.text));
    }
    (at_default, at_zero, base)
}

/// Evaluates `file` and prints its line of figures; returns the default-run score.
fn report(tbs: &TermBases, label: &str, file: &str, lang: &str) -> Score {
    let (d, z, b) = evaluate(tbs, file, lang);
    println!(
        "{label}: default(min_confidence={}) P={:.3} R={:.3} F1={:.3} | min_confidence=0 P={:.3} R={:.3} | exact-word baseline P={:.3} R={:.3} ({d:?})",
        super::DEFAULT_MIN_CONFIDENCE,
        d.precision(),
        d.recall(),
        d.f1(),
        z.precision(),
        z.recall(),
        b.precision(),
        b.recall()
    );
    d
}

#[test]
fn recognition_precision_and_recall_on_the_annotated_set() {
    let tbs = load();
    for (file, lang, min_p, min_r) in [
        ("sentences.ar.tsv", "ar", 0.97, 0.97),
        ("sentences.en.tsv", "en", 0.97, 0.97),
    ] {
        let d = report(&tbs, lang, file, lang);
        assert!(d.precision() >= min_p, "{lang} precision {}", d.precision());
        assert!(d.recall() >= min_r, "{lang} recall {}", d.recall());
    }
}

/// Sentences where a term's word is used in another sense (خادم المسجد, a
/// python in the zoo), mixed with sentences that use the technical sense.
#[test]
fn recognition_on_false_friend_sentences() {
    let tbs = load();
    for (file, lang) in [
        ("false_friends.ar.tsv", "ar"),
        ("false_friends.en.tsv", "en"),
    ] {
        let d = report(&tbs, &format!("false friends {lang}"), file, lang);
        // Regression guards at the levels reached (see README).
        assert!(d.precision() >= 0.8, "{lang} precision {}", d.precision());
        assert!(d.recall() >= 0.6, "{lang} recall {}", d.recall());
    }
}
