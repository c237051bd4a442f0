//! Plain-text rendering of a [`SuggestResponse`] for the command line
//! (`mustalah suggest FILE`): per segment its text, the best match, the
//! suggestion, the terms with their translations and the checks.

use super::model::{SuggestResponse, SuggestionKind};
use std::fmt::Write;

/// A readable report of `resp`, one block per segment.
pub fn render_report(resp: &SuggestResponse) -> String {
    let mut out = String::new();
    for seg in &resp.segments {
        // Writing into a String cannot fail.
        let _ = writeln!(
            out,
            "── Segment {} [{}..{}]",
            seg.index + 1,
            seg.start,
            seg.end
        );
        let _ = writeln!(out, "   {}", seg.text);
        match seg.matches.first() {
            Some(m) => {
                let _ = writeln!(
                    out,
                    "   best match: {}% from {} #{} ({} match{})",
                    m.score,
                    m.memory,
                    m.id,
                    seg.matches.len(),
                    if seg.matches.len() == 1 { "" } else { "es" }
                );
                let _ = writeln!(out, "     source: {}", m.source);
                let _ = writeln!(out, "     target: {}", m.target);
            }
            None => {
                let _ = writeln!(out, "   best match: none");
            }
        }
        let s = &seg.suggestion;
        if s.kind == SuggestionKind::TermsOnly {
            let _ = writeln!(out, "   suggestion: (terms only)");
        } else {
            let _ = writeln!(
                out,
                "   suggestion [{} {}%]: {}",
                s.kind.as_str(),
                s.score,
                s.text
            );
        }
        for r in &s.repairs {
            let _ = writeln!(out, "     repaired: {} → {}", r.old_target, r.new_target);
        }
        if !seg.terms.is_empty() {
            let _ = writeln!(out, "   terms:");
        }
        for t in &seg.terms {
            let tr: Vec<String> = t
                .translations
                .iter()
                .map(|x| match x.status.as_str() {
                    "preferred" => x.text.clone(),
                    other => format!("{} ({other})", x.text),
                })
                .collect();
            let _ = writeln!(
                out,
                "     {} [{}] → {}",
                t.surface,
                t.entry_id,
                tr.join(", ")
            );
        }
        for c in &seg.checks {
            let _ = writeln!(out, "   ! {}: {}", c.code.as_str(), c.message);
        }
        out.push('\n');
    }
    out
}
