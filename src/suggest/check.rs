//! Terminology checks on a suggestion.
//!
//! * `missing_term`: a recognized concept (hit confidence at least the
//!   recognizer's check confidence) none of whose preferred or admitted
//!   translations occurs in the suggestion;
//! * `forbidden_term` / `deprecated_term`: a forbidden or deprecated target
//!   term of such a concept occurs in the suggestion (`target_span` given);
//! * `number_mismatch`: a number of the source has no number of the same
//!   value in the suggestion (digits of any script, thousands separators and
//!   scale words tolerated: `6 ملايين` = `6 million` = `6,000,000`).

use super::align::Occurrences;
use super::model::{Check, CheckCode, TermHit};
use super::number::numbers;

/// Runs all checks of `suggestion` (translation of `source`).
pub(crate) fn checks(
    source: &str,
    suggestion: &str,
    hits: &[TermHit],
    occ: &Occurrences,
    min_confidence: f32,
) -> Vec<Check> {
    let mut out = Vec::new();
    for (c, _) in occ.concepts.iter().enumerate() {
        let of_c: Vec<&TermHit> = hits
            .iter()
            .filter(|h| occ.concept_of(h) == Some(c))
            .collect();
        let Some(first) = of_c.first() else {
            continue;
        };
        if !of_c.iter().any(|h| h.confidence >= min_confidence) {
            continue;
        }
        let usable_found = occ
            .of(c)
            .any(|o| matches!(o.status.as_str(), "preferred" | "admitted"));
        if let (false, Some(pref)) = (usable_found, first.preferred_translation()) {
            out.push(Check {
                code: CheckCode::MissingTerm,
                message: format!(
                    "«{}» ({}) is not translated; expected «{}»",
                    first.surface, first.term, pref.text
                ),
                entry_id: Some(first.entry_id.clone()),
                target_span: None,
            });
        }
        for o in occ.of(c) {
            let code = match o.status.as_str() {
                "forbidden" => CheckCode::ForbiddenTerm,
                "deprecated" => CheckCode::DeprecatedTerm,
                _ => continue,
            };
            let instead = first
                .preferred_translation()
                .map(|p| format!("; use «{}»", p.text))
                .unwrap_or_default();
            out.push(Check {
                code,
                message: format!(
                    "«{}» is a {} translation of «{}»{instead}",
                    o.listed, o.status, first.term
                ),
                entry_id: Some(first.entry_id.clone()),
                target_span: Some([o.start, o.end]),
            });
        }
    }
    let target_numbers = numbers(suggestion);
    let mut reported: Vec<String> = Vec::new();
    for n in numbers(source) {
        let canon = n.canonical();
        if reported.contains(&canon) || target_numbers.iter().any(|t| t.same_value(&n)) {
            continue;
        }
        let written: String = source.chars().skip(n.start).take(n.end - n.start).collect();
        out.push(Check {
            code: CheckCode::NumberMismatch,
            message: format!("number {written} ({canon}) of the source is not in the suggestion"),
            entry_id: None,
            target_span: None,
        });
        reported.push(canon);
    }
    out
}
