//! The writer: turns outcomes into byte [`Edit`]s per flavour. Only
//! targets, target and segment start tags, vendor status (`sdl:seg`,
//! `mq:*`), alt-trans / `mtc:matches`, notes / `gls:glossary` and, for a
//! unit split into sentences, its new `<seg-source>` are written.

use super::engine::{Offer, Outcome, Piece};
use super::model::Report;
use crate::formats::xliff::{
    fill_empty_tag, indentation, set_attributes, CodeKind, Document, Edit, Flavour, Part, Segment,
    Span, TargetSlot, Unit,
};
use crate::formats::xml::{escape_attr, escape_text};
use crate::suggest::TermHit;

/// The language pair written into `xml:lang`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Langs<'a> {
    pub source: &'a str,
    pub target: &'a str,
}

/// Every edit of the document.
pub(crate) fn edits(
    text: &str,
    doc: &Document,
    pieces: &[Piece],
    outcomes: &[Outcome],
    langs: Langs<'_>,
    report: &mut Report,
) -> Vec<Edit> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let ui = pieces[i].unit;
        let mut j = i;
        while j < pieces.len() && pieces[j].unit == ui {
            j += 1;
        }
        let work: Vec<(&Piece, &Outcome)> = pieces[i..j].iter().zip(&outcomes[i..j]).collect();
        let interesting = work
            .iter()
            .any(|(_, o)| o.fill.is_some() || !o.offers.is_empty() || !o.terms.is_empty());
        if let (true, Some(unit)) = (interesting, doc.units.get(ui)) {
            let w = UnitWriter {
                text,
                unit,
                flavour: doc.flavour,
                langs,
            };
            if doc.flavour == Flavour::Xliff2 {
                w.unit2(&work, &mut out);
            } else {
                w.unit12(&work, &mut out, report);
            }
        }
        i = j;
    }
    out
}

/// Target content for `seg` filled with `translation`: the source's leading
/// codes, the text, the codes from between the source's words, the
/// trailing codes (all in source order, so pairs stay nested).
fn content(seg: &Segment, translation: &str) -> String {
    let nonblank = |p: &Part| matches!(p, Part::Text(t) if !t.trim().is_empty());
    let first = seg.source.iter().position(nonblank);
    let last = seg.source.iter().rposition(nonblank);
    let mut out = String::new();
    let codes = |range: &[Part], out: &mut String| {
        for p in range {
            if let Part::Code(c) = p {
                out.push_str(&c.raw);
            }
        }
    };
    match (first, last) {
        (Some(f), Some(l)) => {
            codes(&seg.source[..f], &mut out);
            out.push_str(&escape_text(translation));
            codes(&seg.source[f..=l], &mut out);
            codes(&seg.source[l + 1..], &mut out);
        }
        _ => {
            out.push_str(&escape_text(translation));
            codes(&seg.source, &mut out);
        }
    }
    debug_assert!(seg
        .codes()
        .filter(|c| c.kind == CodeKind::Open)
        .count()
        .eq(&seg.codes().filter(|c| c.kind == CodeKind::Close).count()));
    out
}

/// `state`/`state-qualifier` of a target whose filled pieces scored
/// `scores` (all pieces filled: `complete`).
fn state_attrs(scores: &[u32], complete: bool) -> [(&'static str, &'static str); 2] {
    if complete && scores.iter().all(|&s| s >= 100) {
        [("state", "translated"), ("state-qualifier", "exact-match")]
    } else {
        [
            ("state", "needs-review-translation"),
            ("state-qualifier", "leveraged-tm"),
        ]
    }
}

fn alt_trans(mid: Option<&str>, o: &Offer, langs: Langs<'_>) -> String {
    let mid = mid.map_or(String::new(), |m| format!(" mid=\"{}\"", escape_attr(m)));
    format!(
        "<alt-trans{mid} match-quality=\"{}\" origin=\"mustalah:{}\"><source xml:lang=\"{}\">{}</source><target xml:lang=\"{}\">{}</target></alt-trans>",
        o.score,
        escape_attr(&o.memory),
        escape_attr(langs.source),
        escape_text(&o.source),
        escape_attr(langs.target),
        escape_text(&o.target)
    )
}

/// One line per hit: surface → preferred translation, then the ones to avoid.
fn term_line(h: &TermHit) -> String {
    let mut s = format!("{} → ", h.surface);
    s.push_str(h.preferred_translation().map_or("?", |t| t.text.as_str()));
    let avoid: Vec<String> = h
        .translations
        .iter()
        .filter(|t| matches!(t.status.as_str(), "forbidden" | "deprecated"))
        .map(|t| format!("{} ({})", t.text, t.status))
        .collect();
    if !avoid.is_empty() {
        s.push_str(&format!("; avoid: {}", avoid.join(", ")));
    }
    s.push_str(&format!(" [{}:{}]", h.termbase, h.entry_id));
    s
}

struct UnitWriter<'a> {
    text: &'a str,
    unit: &'a Unit,
    flavour: Flavour,
    langs: Langs<'a>,
}

impl UnitWriter<'_> {
    fn raw(&self, s: Span) -> &str {
        self.text.get(s.start..s.end).unwrap_or("")
    }

    /// Inserts `elements` as the unit's last children, each on its own line
    /// when the file is indented.
    fn append_children(&self, child_ind: &str, elements: &[String], out: &mut Vec<Edit>) {
        if elements.is_empty() {
            return;
        }
        let close_ind = indentation(self.text, self.unit.end_tag);
        let at = self.unit.end_tag - close_ind.len();
        let joined: String = elements.iter().map(|e| format!("{child_ind}{e}")).collect();
        out.push(Edit::insert(at, joined));
    }

    fn unit12(&self, work: &[(&Piece, &Outcome)], out: &mut Vec<Edit>, report: &mut Report) {
        let unit = self.unit;
        let Some(source_el) = unit.source_element else {
            report.errors += work.len();
            return;
        };
        let child_ind = indentation(self.text, source_el.start).into_owned();
        let mut tail: Vec<String> = Vec::new();
        let fills: Vec<u32> = work
            .iter()
            .filter_map(|(_, o)| o.fill.as_ref().map(|f| f.1))
            .collect();
        let complete = fills.len() == work.len();
        let states = state_attrs(&fills, complete);
        let target_lang = ("xml:lang", self.langs.target);
        let split = work.iter().any(|(p, _)| p.sentence.is_some());
        if split {
            // A unit split into sentences: new seg-source and target.
            let mut seg_source = String::from("<seg-source>");
            let mut target = format!(
                "<target xml:lang=\"{}\" state=\"{}\" state-qualifier=\"{}\">",
                escape_attr(self.langs.target),
                states[0].1,
                states[1].1
            );
            for (p, o) in work {
                let (k, gap) = p.sentence.clone().unwrap_or_default();
                let mid = k + 1;
                seg_source.push_str(&escape_text(&gap));
                seg_source.push_str(&format!(
                    "<mrk mtype=\"seg\" mid=\"{mid}\">{}</mrk>",
                    escape_text(&p.text)
                ));
                target.push_str(&escape_text(&gap));
                let filled = o
                    .fill
                    .as_ref()
                    .map_or(String::new(), |f| escape_text(&f.0).into_owned());
                target.push_str(&format!("<mrk mtype=\"seg\" mid=\"{mid}\">{filled}</mrk>"));
            }
            seg_source.push_str("</seg-source>");
            target.push_str("</target>");
            let mut insert = format!("{child_ind}{seg_source}");
            if !fills.is_empty() {
                insert.push_str(&format!("{child_ind}{target}"));
            }
            out.push(Edit::insert(source_el.end, insert));
        } else if unit.seg_source_element.is_none() {
            let (p, o) = work[0];
            let seg = &unit.segments[p.seg];
            if let Some((t, _, _)) = &o.fill {
                let body = content(seg, t);
                match seg.target {
                    TargetSlot::Missing => out.push(Edit::insert(
                        source_el.end,
                        format!(
                            "{child_ind}<target xml:lang=\"{}\" state=\"{}\" state-qualifier=\"{}\">{body}</target>",
                            escape_attr(self.langs.target),
                            states[0].1,
                            states[1].1
                        ),
                    )),
                    TargetSlot::EmptyTag(span) => out.push(Edit::replace(
                        span,
                        fill_empty_tag(self.raw(span), &states, &body),
                    )),
                    TargetSlot::Blank(span) => {
                        out.push(Edit::replace(span, body));
                        self.retag_target(&states, out);
                    }
                    TargetSlot::Filled => report.errors += 1,
                }
            }
        } else {
            self.segmented12(work, &states, target_lang, out, report);
        }
        if self.flavour == Flavour::Sdlxliff {
            self.sdl_status(work, out, &mut tail);
        }
        if self.flavour == Flavour::Mqxliff {
            if let Some(low) = fills.iter().min() {
                let tag = self.raw(unit.start_tag);
                let percent = low.to_string();
                let attrs = [
                    ("mq:status", "Pretranslated"),
                    ("mq:percent", percent.as_str()),
                ];
                out.push(Edit::replace(unit.start_tag, set_attributes(tag, &attrs)));
            }
        }
        for (p, o) in work {
            let mid = match &p.sentence {
                Some((k, _)) => Some((k + 1).to_string()),
                None => unit.segments[p.seg].mid.clone(),
            };
            for offer in &o.offers {
                tail.push(alt_trans(mid.as_deref(), offer, self.langs));
            }
        }
        let lines: Vec<String> = work
            .iter()
            .flat_map(|(_, o)| o.terms.iter().map(term_line))
            .collect();
        if !lines.is_empty() {
            tail.push(format!(
                "<note from=\"mustalah\">{}</note>",
                escape_text(&format!("Terms: {}", lines.join(" | ")))
            ));
        }
        self.append_children(&child_ind, &tail, out);
    }

    /// Sets `state`/`state-qualifier` on the existing `<target>` start tag;
    /// SDLXLIFF keeps its status in `<sdl:seg>` only, as Trados writes it.
    fn retag_target(&self, states: &[(&str, &str)], out: &mut Vec<Edit>) {
        if self.flavour == Flavour::Sdlxliff {
            return;
        }
        if let Some(t) = self.unit.target_element.filter(|t| !t.empty) {
            out.push(Edit::replace(
                t.start_tag,
                set_attributes(self.raw(t.start_tag), states),
            ));
        }
    }

    fn segmented12(
        &self,
        work: &[(&Piece, &Outcome)],
        states: &[(&str, &str); 2],
        target_lang: (&str, &str),
        out: &mut Vec<Edit>,
        report: &mut Report,
    ) {
        let unit = self.unit;
        let fills: Vec<(&Segment, String)> = work
            .iter()
            .filter_map(|(p, o)| {
                let seg = &unit.segments[p.seg];
                o.fill.as_ref().map(|f| (seg, content(seg, &f.0)))
            })
            .collect();
        if fills.is_empty() {
            return;
        }
        // No target, or one without segment markers: rebuilt whole.
        let rebuild = unit.target_element.is_none()
            || unit
                .segments
                .iter()
                .all(|s| s.target == TargetSlot::Missing);
        if rebuild {
            // The target mirrors the seg-source: same markers, same codes
            // around them, each marker holding its translation (or nothing).
            let Some(ss) = unit.seg_source_element else {
                return;
            };
            let mut replaced: Vec<Edit> = Vec::new();
            for seg in &unit.segments {
                if let Some(c) = seg.source_content {
                    let body = fills
                        .iter()
                        .find(|(s, _)| std::ptr::eq(*s, seg))
                        .map_or(String::new(), |(_, b)| b.clone());
                    replaced.push(Edit::replace(
                        Span {
                            start: c.start - ss.start,
                            end: c.end - ss.start,
                        },
                        body,
                    ));
                }
            }
            let raw = self.raw(ss);
            let mut target = crate::formats::xliff::apply_edits(raw, &replaced);
            let open_end = target.find('>').map_or(0, |i| i + 1);
            let open = set_attributes("<target>", &[target_lang, states[0], states[1]]);
            target.replace_range(..open_end, &open);
            if let Some(close) = target.rfind("</") {
                target.replace_range(close.., "</target>");
            }
            match unit.target_element {
                Some(t) => out.push(Edit::replace(t.full, target)),
                None => {
                    let ind = indentation(self.text, ss.start);
                    out.push(Edit::insert(ss.end, format!("{ind}{target}")));
                }
            }
            return;
        }
        for (seg, body) in &fills {
            match seg.target {
                TargetSlot::EmptyTag(span) => out.push(Edit::replace(
                    span,
                    fill_empty_tag(self.raw(span), &[], body),
                )),
                TargetSlot::Blank(span) => out.push(Edit::replace(span, body.clone())),
                TargetSlot::Missing | TargetSlot::Filled => report.errors += 1,
            }
        }
        self.retag_target(states, out);
    }

    /// SDLXLIFF: `<sdl:seg>` in step with each filled segment.
    fn sdl_status(&self, work: &[(&Piece, &Outcome)], out: &mut Vec<Edit>, tail: &mut Vec<String>) {
        let unit = self.unit;
        let mut new_segs = String::new();
        for (p, o) in work {
            let (Some((_, score, memory)), None) = (&o.fill, &p.sentence) else {
                continue;
            };
            let Some(mid) = unit.segments[p.seg].mid.as_deref() else {
                continue;
            };
            let percent = (*score).min(100).to_string();
            let system = format!("mustalah:{memory}");
            let mut attrs = vec![
                ("conf", if *score >= 100 { "Translated" } else { "Draft" }),
                ("origin", "tm"),
                ("origin-system", system.as_str()),
                ("percent", percent.as_str()),
            ];
            if *score > 100 {
                attrs.push(("text-match", "SourceAndTarget"));
            }
            match unit.vendor_segs.iter().find(|v| v.id == mid) {
                Some(v) => out.push(Edit::replace(
                    v.tag,
                    set_attributes(self.raw(v.tag), &attrs),
                )),
                None => new_segs.push_str(&set_attributes(
                    &format!("<sdl:seg id=\"{}\"/>", escape_attr(mid)),
                    &attrs,
                )),
            }
        }
        if new_segs.is_empty() {
            return;
        }
        match unit.seg_defs_end {
            Some(at) => out.push(Edit::insert(at, new_segs)),
            None => tail.push(format!("<sdl:seg-defs>{new_segs}</sdl:seg-defs>")),
        }
    }

    fn unit2(&self, work: &[(&Piece, &Outcome)], out: &mut Vec<Edit>) {
        let unit = self.unit;
        let first_seg = unit.segments.first().and_then(|s| s.segment_tag);
        let unit_ind = first_seg.map_or(String::new(), |t| {
            indentation(self.text, t.start).into_owned()
        });
        let mut matches = String::new();
        let mut glossary = String::new();
        for (n, (p, o)) in work.iter().enumerate() {
            let seg = &unit.segments[p.seg];
            let Some(tag) = seg.segment_tag else {
                continue;
            };
            let id = seg
                .mid
                .clone()
                .unwrap_or_else(|| format!("mustalah-{}", n + 1));
            let mut attrs: Vec<(&str, &str)> = Vec::new();
            if seg.mid.is_none() && (!o.offers.is_empty() || !o.terms.is_empty()) {
                attrs.push(("id", id.as_str()));
            }
            if let Some((t, score, _)) = &o.fill {
                let body = content(seg, t);
                if *score >= 100 {
                    attrs.extend([
                        ("state", "translated"),
                        ("subState", "mustalah:exact-match"),
                    ]);
                } else {
                    attrs.extend([("state", "initial"), ("subState", "mustalah:leveraged-tm")]);
                }
                match seg.target {
                    TargetSlot::Missing => {
                        let region = self.text.get(tag.end..seg.source_end).unwrap_or("");
                        let ind = region.find("<source").map_or(String::new(), |i| {
                            indentation(self.text, tag.end + i).into_owned()
                        });
                        out.push(Edit::insert(
                            seg.source_end,
                            format!("{ind}<target>{body}</target>"),
                        ));
                    }
                    TargetSlot::EmptyTag(span) => out.push(Edit::replace(
                        span,
                        fill_empty_tag(self.raw(span), &[], &body),
                    )),
                    TargetSlot::Blank(span) => out.push(Edit::replace(span, body)),
                    TargetSlot::Filled => {}
                }
            }
            if !attrs.is_empty() {
                out.push(Edit::replace(tag, set_attributes(self.raw(tag), &attrs)));
            }
            for (k, offer) in o.offers.iter().enumerate() {
                matches.push_str(&format!(
                    "<mtc:match id=\"mustalah-{}-{}\" ref=\"#{}\" similarity=\"{}\" matchQuality=\"{}\" origin=\"mustalah:{}\" type=\"tm\"><source>{}</source><target>{}</target></mtc:match>",
                    n + 1,
                    k + 1,
                    escape_attr(&id),
                    offer.score.min(100),
                    offer.score.min(100),
                    escape_attr(&offer.memory),
                    escape_text(&offer.source),
                    escape_text(&offer.target)
                ));
            }
            for h in &o.terms {
                let mut entry = format!(
                    "<gls:glossEntry ref=\"#{}\"><gls:term source=\"mustalah:{}\">{}</gls:term>",
                    escape_attr(&id),
                    escape_attr(&h.termbase),
                    escape_text(&h.surface)
                );
                for t in h.translations.iter().filter(|t| t.is_usable()) {
                    entry.push_str(&format!(
                        "<gls:translation>{}</gls:translation>",
                        escape_text(&t.text)
                    ));
                }
                let avoid: Vec<String> = h
                    .translations
                    .iter()
                    .filter(|t| !t.is_usable())
                    .map(|t| format!("{} ({})", t.text, t.status))
                    .collect();
                if !avoid.is_empty() {
                    entry.push_str(&format!(
                        "<gls:definition>{}</gls:definition>",
                        escape_text(&format!("avoid: {}", avoid.join(", ")))
                    ));
                }
                entry.push_str("</gls:glossEntry>");
                glossary.push_str(&entry);
            }
        }
        let mut head = String::new();
        if !matches.is_empty() {
            head.push_str(&format!(
                "{unit_ind}<mtc:matches xmlns:mtc=\"urn:oasis:names:tc:xliff:matches:2.0\">{matches}</mtc:matches>"
            ));
        }
        if !glossary.is_empty() {
            head.push_str(&format!(
                "{unit_ind}<gls:glossary xmlns:gls=\"urn:oasis:names:tc:xliff:glossary:2.0\">{glossary}</gls:glossary>"
            ));
        }
        if !head.is_empty() {
            out.push(Edit::insert(unit.start_tag.end, head));
        }
    }
}
