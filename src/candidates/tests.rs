//! Engine tests with a fake recognizer (terms as exact surface forms).

use super::*;
use crate::suggest::model::{TermHit, TermTranslation};

/// Recognizes listed surface forms verbatim: (form, concept id, rendering).
struct Known(Vec<(&'static str, &'static str, &'static str)>);

impl TermRecognizer for Known {
    fn recognize(&self, _: &[String], text: &str, _: &str, tgt: &str) -> Result<Vec<TermHit>> {
        let mut out = Vec::new();
        for (form, id, en) in &self.0 {
            for (b, _) in text.match_indices(form) {
                let start = text[..b].chars().count();
                out.push(TermHit {
                    start,
                    end: start + form.chars().count(),
                    surface: form.to_string(),
                    entry_id: id.to_string(),
                    term: form.to_string(),
                    match_kind: "exact".into(),
                    confidence: 1.0,
                    status: "preferred".into(),
                    translations: vec![TermTranslation {
                        text: en.to_string(),
                        lang: tgt.to_string(),
                        status: "preferred".into(),
                        variants: Vec::new(),
                    }],
                    termbase: "tech".into(),
                });
            }
        }
        Ok(out)
    }
}

fn req<'a>(texts: &'a [String], tbs: &'a [String]) -> Request<'a> {
    Request {
        texts,
        lang: "ar",
        target_lang: "en",
        termbases: tbs,
        limit: 50,
        min_freq: 1,
    }
}

#[test]
fn one_term_under_clitics_inflection_and_broken_plurals() {
    let texts = vec![
        "تبني الشركة مراكز بيانات جديدة. وفي مركز البيانات الأول آلاف الخوادم.".to_string(),
        "افتتح لمركز بيانات ثالث في المدينة.".to_string(),
    ];
    let found = extract(&req(&texts, &[]), &NoTerms, None, &HashSet::new()).expect("extract");
    let dc = found
        .iter()
        .find(|c| c.term == "مركز بيانات")
        .unwrap_or_else(|| panic!("{:#?}", found.iter().map(|c| &c.term).collect::<Vec<_>>()));
    assert_eq!(dc.frequency, 3);
    assert_eq!(dc.document_frequency, 2);
    for ctx in &dc.contexts {
        let t = &texts[ctx.text];
        let got: String = t
            .chars()
            .skip(ctx.char_start)
            .take(ctx.char_end - ctx.char_start)
            .collect();
        assert_eq!(got, ctx.surface);
        assert!(ctx.sentence.contains(&ctx.surface));
    }
    // Function words, numerals, time words and everyday words never come up.
    for c in &found {
        for bad in ["آلاف", "الأول", "المدينة", "جديدة", "في"] {
            assert_ne!(c.display, bad, "{c:?}");
        }
    }
}

#[test]
fn known_terms_and_their_pieces_are_not_candidates_but_weigh_their_neighbours() {
    let texts = vec![
        "يعمل الذكاء الاصطناعي على وحدات معالجة الرسومات. الذكاء الاصطناعي يحتاج الحوسبة السحابية."
            .to_string(),
    ];
    let tbs = vec!["tech".to_string()];
    let known = Known(vec![("الذكاء الاصطناعي", "ai", "artificial intelligence")]);
    let found = extract(&req(&texts, &tbs), &known, None, &HashSet::new()).expect("extract");
    let terms: Vec<&str> = found.iter().map(|c| c.term.as_str()).collect();
    assert!(!terms.iter().any(|t| t.contains("ذكاء")), "{terms:?}");
    assert!(!terms.contains(&"اصطناعي"), "{terms:?}");
    assert!(terms.contains(&"حوسبة سحابية"), "{terms:?}");
    assert!(
        terms.contains(&"وحدات معالجة رسومات") || terms.contains(&"وحدة معالجة رسومات"),
        "{terms:?}"
    );
}

#[test]
fn rejected_candidates_do_not_come_back() {
    let texts = vec!["الحوسبة الكمومية قادمة. الحوسبة الكمومية سريعة.".to_string()];
    let first = extract(&req(&texts, &[]), &NoTerms, None, &HashSet::new()).expect("extract");
    let top = first[0].clone();
    assert_eq!(top.term, "حوسبة كمومية");
    let rejected: HashSet<String> = [top.key.clone()].into_iter().collect();
    let again = extract(&req(&texts, &[]), &NoTerms, None, &rejected).expect("extract");
    assert!(again.iter().all(|c| c.key != top.key));
}

#[test]
fn translations_from_parallel_pairs() {
    let texts = vec![
        "أطلقت ديب سيك نموذجها R1. ونموذج R1 مفتوح المصدر. الحوسبة الكمومية مستقبل الحواسيب."
            .to_string(),
    ];
    let pairs = ParallelPairs(vec![
        (
            "أطلقت ديب سيك نموذجها R1.".into(),
            "DeepSeek released its R1 model.".into(),
        ),
        (
            "ونموذج R1 مفتوح المصدر.".into(),
            "The R1 model is open source.".into(),
        ),
        (
            "الحوسبة الكمومية مستقبل الحواسيب.".into(),
            "Quantum computing is the future of computers.".into(),
        ),
        (
            "الحوسبة الكمومية صعبة.".into(),
            "Quantum computing is hard.".into(),
        ),
    ]);
    let found =
        extract(&req(&texts, &[]), &NoTerms, Some(&pairs), &HashSet::new()).expect("extract");
    let tr = |t: &str| {
        found
            .iter()
            .find(|c| c.term == t)
            .and_then(|c| c.translation.clone())
            .unwrap_or_else(|| panic!("{t}: {found:#?}"))
    };
    assert_eq!(tr("R1").text, "R1");
    assert_eq!(tr("نموذج").text, "model");
    assert_eq!(tr("حوسبة كمومية").text, "Quantum computing");
    assert_eq!(tr("ديب سيك").text, "DeepSeek");
}

#[test]
fn bad_requests_are_user_faults() {
    let none: Vec<String> = Vec::new();
    assert!(extract(&req(&none, &[]), &NoTerms, None, &HashSet::new())
        .is_err_and(|e| e.is_user_fault()));
    let texts = vec!["x".to_string()];
    let mut r = req(&texts, &[]);
    r.limit = 0;
    assert!(extract(&r, &NoTerms, None, &HashSet::new()).is_err_and(|e| e.is_user_fault()));
    r.limit = 5;
    r.lang = "fr";
    assert!(extract(&r, &NoTerms, None, &HashSet::new()).is_err_and(|e| e.is_user_fault()));
}

#[test]
fn english_noun_phrases() {
    let texts = vec![
        "The new chip uses high-bandwidth memory. High-bandwidth memory is expensive, said analysts."
            .to_string(),
    ];
    let mut r = req(&texts, &[]);
    r.lang = "en";
    r.target_lang = "ar";
    let found = extract(&r, &NoTerms, None, &HashSet::new()).expect("extract");
    assert_eq!(
        found[0].term.to_lowercase(),
        "high-bandwidth memory",
        "{found:#?}"
    );
    assert!(found.iter().all(|c| c.term != "said" && c.term != "The"));
}
