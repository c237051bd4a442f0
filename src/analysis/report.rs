//! The analysis as CSV, as a Trados-style XML report, and as a text table.
//!
//! CSV: one row per file and band, then the `TOTAL` rows:
//! `file,band,min,max,segments,words,characters,placeables,tags` (`min`,
//! `max` empty outside the fuzzy bands); a final `weighted_words` row per
//! file when rates were given.
//!
//! XML: the element and attribute names of Trados Studio's "Analyze Files"
//! report (as re-created by translate5's compatible export): `<task
//! name="analyse">`, `<taskInfo>` with `<settings>`, one `<file name>` per
//! file and `<batchTotal>`, each holding `<analyse>` with `<perfect>`,
//! `<inContextExact>`, `<exact>`, `<locked>`, `<crossFileRepeated>`,
//! `<repeated>`, `<total>`, `<new>`, `<fuzzy min max>` and
//! `<internalFuzzy min max>`, every one with `segments words characters
//! placeables tags`.

use super::count::Counts;
use super::model::{Analysis, FileAnalysis};
use crate::formats::xml::escape_attr;
use std::fmt::Write;

/// The analysis as CSV (see the module docs).
pub fn to_csv(a: &Analysis) -> String {
    let mut out = String::from("file,band,min,max,segments,words,characters,placeables,tags\n");
    for f in a.files.iter().chain(std::iter::once(&a.total)) {
        let name = csv_field(&f.name);
        let mut row = |band: &str, min: String, max: String, c: &Counts| {
            let _ = writeln!(
                out,
                "{name},{band},{min},{max},{},{},{},{},{}",
                c.segments, c.words, c.characters, c.placeables, c.tags
            );
        };
        let b = &f.bands;
        row("context", String::new(), String::new(), &b.context);
        row("exact", String::new(), String::new(), &b.exact);
        row("repetitions", String::new(), String::new(), &b.repetitions);
        row(
            "cross_file_repetitions",
            String::new(),
            String::new(),
            &b.cross_file_repetitions,
        );
        for x in &b.fuzzy {
            row("fuzzy", x.min.to_string(), x.max.to_string(), &x.counts);
        }
        for x in &b.internal_fuzzy {
            row(
                "internal_fuzzy",
                x.min.to_string(),
                x.max.to_string(),
                &x.counts,
            );
        }
        row("new", String::new(), String::new(), &b.new);
        row("total", String::new(), String::new(), &f.total);
        if let Some(w) = f.weighted_words {
            let _ = writeln!(out, "{name},weighted_words,,,,{w},,,");
        }
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn xml_counts(out: &mut String, element: &str, extra: &str, c: &Counts) {
    let _ = writeln!(
        out,
        "      <{element}{extra} segments=\"{}\" words=\"{}\" characters=\"{}\" placeables=\"{}\" tags=\"{}\"/>",
        c.segments, c.words, c.characters, c.placeables, c.tags
    );
}

fn xml_analyse(out: &mut String, f: &FileAnalysis) {
    let b = &f.bands;
    out.push_str("    <analyse>\n");
    xml_counts(out, "perfect", "", &Counts::default());
    xml_counts(out, "inContextExact", "", &b.context);
    xml_counts(out, "exact", "", &b.exact);
    xml_counts(out, "locked", "", &Counts::default());
    xml_counts(out, "crossFileRepeated", "", &b.cross_file_repetitions);
    xml_counts(out, "repeated", "", &b.repetitions);
    xml_counts(out, "total", "", &f.total);
    xml_counts(out, "new", "", &b.new);
    for x in b.fuzzy.iter().rev() {
        xml_counts(
            out,
            "fuzzy",
            &format!(" min=\"{}\" max=\"{}\"", x.min, x.max),
            &x.counts,
        );
    }
    for x in b.internal_fuzzy.iter().rev() {
        let attrs = format!(" min=\"{}\" max=\"{}\"", x.min, x.max);
        xml_counts(out, "internalFuzzy", &attrs, &x.counts);
    }
    out.push_str("    </analyse>\n");
}

/// The analysis as a Trados-style XML report (see the module docs).
pub fn to_xml(a: &Analysis) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<task name=\"analyse\">\n");
    let _ = writeln!(
        out,
        "  <taskInfo runAt=\"{}\">\n    <language name=\"{}\" target=\"{}\"/>",
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S"),
        escape_attr(&a.source_lang),
        escape_attr(&a.target_lang)
    );
    for m in &a.memories {
        let _ = writeln!(out, "    <tm name=\"{}\"/>", escape_attr(m));
    }
    let _ = writeln!(
        out,
        "    <settings reportInternalFuzzyLeverage=\"{}\" reportLockedSegmentsSeparately=\"no\" reportCrossFileRepetitions=\"yes\" minimumMatchScore=\"{}\" searchMode=\"bestWins\" missingFormattingPenalty=\"{}\"/>\n  </taskInfo>",
        if a.internal_fuzzy { "yes" } else { "no" },
        a.min_score,
        crate::pretranslate::TAGS_DIFFER_PENALTY
    );
    for f in &a.files {
        let _ = writeln!(out, "  <file name=\"{}\">", escape_attr(&f.name));
        xml_analyse(&mut out, f);
        out.push_str("  </file>\n");
    }
    out.push_str("  <batchTotal>\n");
    xml_analyse(&mut out, &a.total);
    out.push_str("  </batchTotal>\n</task>\n");
    out
}

/// A text table for the terminal: one column per file plus the total,
/// words per band.
pub fn to_table(a: &Analysis) -> String {
    let mut out = String::new();
    let cols: Vec<&FileAnalysis> = a.files.iter().chain(std::iter::once(&a.total)).collect();
    let _ = write!(out, "{:<26}", "band (segments/words)");
    for f in &cols {
        let name: String = f
            .name
            .chars()
            .rev()
            .take(18)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let _ = write!(out, "{name:>20}");
    }
    out.push('\n');
    let names = a.total.bands.named();
    for (i, (band, _)) in names.iter().enumerate() {
        let _ = write!(out, "{band:<26}");
        for f in &cols {
            let c = f.bands.named()[i].1;
            let _ = write!(out, "{:>20}", format!("{}/{}", c.segments, c.words));
        }
        out.push('\n');
    }
    let _ = write!(out, "{:<26}", "total");
    for f in &cols {
        let _ = write!(
            out,
            "{:>20}",
            format!("{}/{}", f.total.segments, f.total.words)
        );
    }
    out.push('\n');
    if a.weights.is_some() {
        let _ = write!(out, "{:<26}", "weighted words");
        for f in &cols {
            let _ = write!(out, "{:>20}", f.weighted_words.unwrap_or(0.0));
        }
        out.push('\n');
    }
    out
}
