//! Terminology QA of a translation someone else wrote (a CAT tool's target
//! segment), with the checks the suggestion engine runs on its own
//! suggestions ([`super::check`]).
//!
//! * With the source text: terms are recognized in the source and their
//!   translations searched in the target ([`super::align::occurrences`]),
//!   then every check runs: `missing_term`, `forbidden_term`,
//!   `deprecated_term`, `number_mismatch`.
//! * Always: terms are also recognized in the target itself (in its own
//!   language), so a forbidden or deprecated term is flagged even when the
//!   source is not given or its concept was not recognized there.
//!
//! Both sides are clitic-aware (the recognizer on the source and the target,
//! the target-term search on the target): «وبالفايل» is the forbidden «فايل».
//! Spans are code points of the target; findings without a place in the
//! target (a missing term, a missing number) have none. Each forbidden or
//! deprecated finding carries the concept's preferred term as replacement.

use super::align::occurrences;
use super::check::checks;
use super::error::Result;
use super::model::{CheckCode, TermHit};
use super::source::TermRecognizer;

/// One finding on a target text.
#[derive(Debug, Clone, PartialEq)]
pub struct QaFinding {
    /// What was found.
    pub code: CheckCode,
    /// Human-readable explanation.
    pub message: String,
    /// Concept concerned, if any.
    pub entry_id: Option<String>,
    /// `[start, end)` in code points of the target, when the finding has a
    /// place there.
    pub span: Option<[usize; 2]>,
    /// What to write instead (the preferred term), best first.
    pub replacements: Vec<String>,
}

/// Checks `target` (in `target_lang`) against the term bases, and against
/// `source` (in `source_lang`) when given. Findings are in target order,
/// findings without a span last.
pub fn check_translation(
    rec: &dyn TermRecognizer,
    termbases: &[String],
    source: Option<&str>,
    target: &str,
    source_lang: &str,
    target_lang: &str,
) -> Result<Vec<QaFinding>> {
    let mut out: Vec<QaFinding> = Vec::new();
    if let Some(source) = source.filter(|s| !s.trim().is_empty()) {
        let mut hits = rec.recognize(termbases, source, source_lang, target_lang)?;
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        let occ = occurrences(rec, target, target_lang, &hits);
        for c in checks(
            source,
            target,
            target_lang,
            &hits,
            &occ,
            rec.check_confidence(),
        ) {
            let replacements = match c.code {
                CheckCode::ForbiddenTerm | CheckCode::DeprecatedTerm => c
                    .entry_id
                    .as_deref()
                    .and_then(|id| hits.iter().find(|h| h.entry_id == id))
                    .and_then(TermHit::preferred_translation)
                    .map(|t| vec![t.text.clone()])
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            out.push(QaFinding {
                code: c.code,
                message: c.message,
                entry_id: c.entry_id,
                span: c.target_span,
                replacements,
            });
        }
    }
    for hit in rec.recognize(termbases, target, target_lang, target_lang)? {
        let code = match hit.status.as_str() {
            "forbidden" => CheckCode::ForbiddenTerm,
            "deprecated" => CheckCode::DeprecatedTerm,
            _ => continue,
        };
        let span = [hit.start, hit.end];
        let overlaps = |f: &QaFinding| f.span.is_some_and(|[s, e]| s < span[1] && span[0] < e);
        if out.iter().any(overlaps) {
            continue;
        }
        let preferred = hit
            .translations
            .iter()
            .find(|t| t.status == "preferred")
            .or_else(|| hit.translations.iter().find(|t| t.status == "admitted"));
        let instead = preferred
            .map(|p| format!("; use «{}»", p.text))
            .unwrap_or_default();
        out.push(QaFinding {
            code,
            message: format!("«{}» is a {} term{instead}", hit.term, hit.status),
            entry_id: Some(hit.entry_id.clone()),
            span: Some(span),
            replacements: preferred.map(|p| vec![p.text.clone()]).unwrap_or_default(),
        });
    }
    out.sort_by_key(|f| f.span.map_or((usize::MAX, usize::MAX), |[s, e]| (s, e)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::adapters::TermBaseRecognizer;
    use super::*;
    use crate::termbase::model::{ConceptDraft, Term, TermStatus};
    use crate::termbase::TermBases;

    fn term(text: &str, status: TermStatus) -> Term {
        Term {
            text: text.into(),
            status,
            ..Term::default()
        }
    }

    /// A real term base: «فايل» is forbidden for «ملف», «سيرفر» deprecated
    /// for «خادم».
    fn termbases() -> TermBases {
        let store = crate::store::Store::temporary().unwrap();
        let tbs = TermBases::open(&store).unwrap();
        tbs.create("tech", None).unwrap();
        for (id, en, ar) in [
            (
                "file",
                "file",
                vec![
                    term("ملف", TermStatus::Preferred),
                    term("فايل", TermStatus::Forbidden),
                ],
            ),
            (
                "server",
                "server",
                vec![
                    term("خادم", TermStatus::Preferred),
                    term("سيرفر", TermStatus::Deprecated),
                ],
            ),
        ] {
            let draft = ConceptDraft {
                id: Some(id.into()),
                terms: [
                    ("en".to_string(), vec![term(en, TermStatus::Preferred)]),
                    ("ar".to_string(), ar),
                ]
                .into_iter()
                .collect(),
                ..ConceptDraft::default()
            };
            tbs.create_concept("tech", draft).unwrap();
        }
        tbs
    }

    fn codes(f: &[QaFinding]) -> Vec<(&'static str, Option<[usize; 2]>)> {
        f.iter().map(|f| (f.code.as_str(), f.span)).collect()
    }

    #[test]
    fn with_the_source_every_check_runs() {
        let tbs = termbases();
        let rec = TermBaseRecognizer { termbases: &tbs };
        let tb = ["tech".to_string()];
        // «بالسيرفر»: the deprecated term behind two proclitics.
        let target = "احفظه بالسيرفر 3";
        let found = check_translation(
            &rec,
            &tb,
            Some("Save the file on the server 5"),
            target,
            "en",
            "ar",
        )
        .unwrap();
        let got = codes(&found);
        assert!(got.contains(&("deprecated_term", Some([6, 14]))), "{got:?}");
        assert!(got.contains(&("number_mismatch", None)), "{got:?}");
        let deprecated = found
            .iter()
            .find(|f| f.code == CheckCode::DeprecatedTerm)
            .unwrap();
        assert_eq!(deprecated.replacements, ["خادم"]);
        assert!(found.last().unwrap().span.is_none(), "{got:?}");
        // The right terms and numbers: nothing to report.
        let clean = check_translation(
            &rec,
            &tb,
            Some("Save the file on the server 5"),
            "احفظ الملف على الخادم 5",
            "en",
            "ar",
        )
        .unwrap();
        assert_eq!(codes(&clean), []);
    }

    #[test]
    fn without_the_source_only_forbidden_and_deprecated_terms() {
        let tbs = termbases();
        let rec = TermBaseRecognizer { termbases: &tbs };
        let tb = ["tech".to_string()];
        let found = check_translation(&rec, &tb, None, "افتح وبالفايل 3", "en", "ar").unwrap();
        assert_eq!(codes(&found), [("forbidden_term", Some([5, 13]))]);
        assert_eq!(found[0].replacements, ["ملف"]);
    }
}
