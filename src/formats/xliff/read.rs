//! The event pass behind [`parse`]: one walk over the document that records
//! units, segments, inline codes and the spans a pre-translation rewrites.

use super::{
    Code, CodeKind, Document, Flavour, Part, Segment, Skip, Span, TargetElement, TargetSlot, Unit,
    VendorSeg,
};
use crate::formats::xml::{self, Guard, LineCountingReader};
use crate::formats::FormatError;
use quick_xml::events::{BytesStart, Event};

/// XLIFF 1.2 inline elements whose content is native code (kept whole).
const NATIVE_CODE: &[&str] = &["ph", "bpt", "ept", "it"];

/// Elements whose `<source>`/`<target>` children are not the unit's own.
const FOREIGN: &[&str] = &["alt-trans", "matches", "glossary", "ignorable"];

/// Parses a UTF-8 XLIFF document (no BOM; see [`super`] for what is
/// recorded). Errors are fatal [`FormatError`]s with line and column:
/// `not_xliff`, `malformed_xml`, `dtd_not_allowed`, `xml_too_deep`,
/// `unknown_entity`, `bad_char_ref`, `invalid_encoding`, `text_too_large`.
pub fn parse(doc: &[u8]) -> Result<Document, FormatError> {
    let text = std::str::from_utf8(doc).map_err(|e| {
        let (line, column) = line_column(doc, e.valid_up_to());
        FormatError::fatal("invalid_encoding", format!("not UTF-8: {e}"))
            .at(Some(line), Some(column))
    })?;
    Parser::new(text).run()
}

/// 1-based line and column (in characters) of byte `pos`.
fn line_column(doc: &[u8], pos: usize) -> (u64, u64) {
    let pos = pos.min(doc.len());
    let before = &doc[..pos];
    let line = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u64
        + 1;
    (line, column)
}

/// Where collected inline content goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sink {
    /// The 1.2 `<source>`.
    Source,
    /// Segment `n` of the unit being read.
    Segment(usize),
}

/// A target `<mrk mtype="seg">` being read.
struct TargetMrk {
    mid: String,
    content_start: usize,
    depth: usize,
    filled: bool,
}

#[derive(Default)]
struct UnitState {
    unit: Option<Unit>,
    depth: usize,
    source_parts: Vec<Part>,
    source_start: usize,
    seg_source_start: Option<usize>,
    target_start: Option<(Span, usize)>,
    target_filled: bool,
    target_mrks: Vec<(String, TargetSlot)>,
    target_mrk: Option<TargetMrk>,
    vendor_attrs: Vec<(String, Option<String>, Option<String>)>,
}

struct Parser<'d> {
    doc: &'d str,
    flavour: Option<Flavour>,
    version: String,
    file_langs: (Option<String>, Option<String>),
    units: Vec<Unit>,
    u: UnitState,
    /// Depth of the element that set `translate="no"`.
    no_translate: Option<usize>,
    /// Depth of a foreign element (alt-trans…) being skipped.
    foreign: Option<usize>,
    /// Collecting inline content: the sink and the depth of its element.
    collect: Option<(Sink, usize)>,
    /// A native-code element being captured: start byte and depth.
    native: Option<(usize, usize)>,
    /// XLIFF 1.2 `<seg-source>` open.
    in_seg_source: bool,
    /// XLIFF 1.2 `<target>` open (depth).
    in_target: Option<usize>,
    /// XLIFF 2 segment being read: index, depth.
    segment2: Option<(usize, usize)>,
    /// `sdl:seg-defs` open.
    in_seg_defs: bool,
}

impl<'d> Parser<'d> {
    fn new(doc: &'d str) -> Self {
        Parser {
            doc,
            flavour: None,
            version: String::new(),
            file_langs: (None, None),
            units: Vec::new(),
            u: UnitState::default(),
            no_translate: None,
            foreign: None,
            collect: None,
            native: None,
            in_seg_source: false,
            in_target: None,
            segment2: None,
            in_seg_defs: false,
        }
    }

    fn run(mut self) -> Result<Document, FormatError> {
        let bytes = self.doc.as_bytes();
        let mut r = xml::reader(LineCountingReader::new(bytes));
        let mut guard = Guard::default();
        let mut buf = Vec::new();
        loop {
            let start = r.buffer_position() as usize;
            let event = match xml::read_event(&mut r, &mut buf, &mut guard) {
                Ok(e) => e,
                Err(e) => {
                    let candidates = [r.error_position() as usize, r.buffer_position() as usize];
                    let pos = candidates
                        .into_iter()
                        .find(|&p| Some(line_column(bytes, p).0) == e.line)
                        .unwrap_or(candidates[1]);
                    let (line, column) = line_column(bytes, pos);
                    return Err(e.at(Some(line), Some(column)));
                }
            };
            let end = r.buffer_position() as usize;
            let span = Span { start, end };
            let depth = guard.depth();
            let step = match event {
                Event::Start(e) => self.start(&e, span, depth, false),
                Event::Empty(e) => self.start(&e, span, depth + 1, true),
                Event::End(_) => self.end(span, depth + 1),
                Event::Text(t) => self.text(&t, span),
                Event::CData(c) => {
                    let s = String::from_utf8_lossy(&c).into_owned();
                    self.text_unescaped(s, span);
                    Ok(())
                }
                Event::Comment(_) | Event::PI(_) => {
                    self.opaque(span);
                    Ok(())
                }
                Event::Eof => break,
                _ => Ok(()),
            };
            step.map_err(|e: FormatError| {
                let (line, column) = line_column(bytes, start);
                e.at(Some(line), Some(column))
            })?;
            buf.clear();
        }
        let flavour = self.flavour.ok_or_else(|| {
            FormatError::fatal("not_xliff", "the document has no <xliff> root element")
        })?;
        Ok(Document {
            flavour,
            version: self.version,
            units: self.units,
        })
    }

    fn raw(&self, span: Span) -> &'d str {
        self.doc.get(span.start..span.end).unwrap_or("")
    }

    fn xliff2(&self) -> bool {
        self.flavour == Some(Flavour::Xliff2)
    }

    /// A start or empty tag; `depth` is the element's own depth.
    fn start(
        &mut self,
        e: &BytesStart<'_>,
        span: Span,
        depth: usize,
        empty: bool,
    ) -> Result<(), FormatError> {
        let local = xml::local_name(e).to_string();
        if self.flavour.is_none() {
            return self.root(e, &local);
        }
        if self.native.is_some() || self.foreign.is_some() {
            return Ok(());
        }
        if attr(e, "translate")?.as_deref() == Some("no") && self.no_translate.is_none() && !empty {
            self.no_translate = Some(depth);
        }
        if let Some((sink, _)) = self.collect {
            return self.inline_start(e, &local, span, depth, empty, sink);
        }
        if FOREIGN.contains(&local.as_str()) {
            if !empty {
                self.foreign = Some(depth);
            }
            return Ok(());
        }
        if self.u.unit.is_none() {
            return self.outside_unit(e, &local, span, depth, empty);
        }
        if self.xliff2() {
            self.in_unit2(e, &local, span, depth, empty)
        } else {
            self.in_unit12(e, &local, span, depth, empty)
        }
    }

    fn root(&mut self, e: &BytesStart<'_>, local: &str) -> Result<(), FormatError> {
        if local != "xliff" {
            return Err(FormatError::fatal(
                "not_xliff",
                format!("the root element is <{local}>, not <xliff>"),
            ));
        }
        self.version = attr(e, "version")?.unwrap_or_default();
        let mut flavour = if self.version.starts_with('2') {
            Flavour::Xliff2
        } else {
            Flavour::Xliff12
        };
        for a in e.attributes().flatten() {
            let value = String::from_utf8_lossy(&a.value);
            if value.contains("xliff:document:2") {
                flavour = Flavour::Xliff2;
            } else if value.starts_with("http://sdl.com/FileTypes/SdlXliff") {
                flavour = Flavour::Sdlxliff;
            } else if value == "MQXliff" {
                flavour = Flavour::Mqxliff;
            }
        }
        if flavour == Flavour::Xliff2 {
            self.file_langs = (attr(e, "srcLang")?, attr(e, "trgLang")?);
        }
        self.flavour = Some(flavour);
        Ok(())
    }

    fn outside_unit(
        &mut self,
        e: &BytesStart<'_>,
        local: &str,
        span: Span,
        depth: usize,
        empty: bool,
    ) -> Result<(), FormatError> {
        match local {
            "file" if !self.xliff2() => {
                self.file_langs = (attr(e, "source-language")?, attr(e, "target-language")?);
            }
            "trans-unit" | "unit" if !empty => {
                let skip = if self.no_translate.is_some() {
                    Some(Skip::NotTranslatable)
                } else if attr(e, "approved")?.as_deref() == Some("yes") {
                    Some(Skip::Approved)
                } else if attr_q(e, "mq:locked")?.as_deref() == Some("locked") {
                    Some(Skip::Locked)
                } else {
                    None
                };
                let mq_status = attr_q(e, "mq:status")?;
                let skip = skip.or(match mq_status.as_deref() {
                    Some(s) if s.ends_with("Confirmed") => Some(Skip::Approved),
                    _ => None,
                });
                self.u = UnitState {
                    unit: Some(Unit {
                        id: attr(e, "id")?,
                        resname: if self.xliff2() {
                            attr(e, "name")?
                        } else {
                            attr(e, "resname")?
                        },
                        source_lang: self.file_langs.0.clone(),
                        target_lang: self.file_langs.1.clone(),
                        skip,
                        segments: Vec::new(),
                        start_tag: span,
                        end_tag: span.end,
                        source_element: None,
                        seg_source_element: None,
                        target_element: None,
                        vendor_segs: Vec::new(),
                        seg_defs_end: None,
                    }),
                    depth,
                    ..UnitState::default()
                };
            }
            _ => {}
        }
        Ok(())
    }

    fn in_unit12(
        &mut self,
        e: &BytesStart<'_>,
        local: &str,
        span: Span,
        depth: usize,
        empty: bool,
    ) -> Result<(), FormatError> {
        let child = depth == self.u.depth + 1;
        match local {
            "source" if child && !empty => {
                self.u.source_start = span.start;
                self.collect = Some((Sink::Source, depth));
            }
            "seg-source" if child && !empty => {
                self.u.seg_source_start = Some(span.start);
                self.in_seg_source = true;
            }
            "mrk" if self.in_seg_source && is_seg_mrk(e)? => {
                let seg = Segment {
                    mid: attr(e, "mid")?,
                    source: Vec::new(),
                    target: TargetSlot::Missing,
                    skip: None,
                    source_content: Some(Span {
                        start: span.end,
                        end: span.end,
                    }),
                    segment_tag: None,
                    source_end: span.end,
                };
                if let Some(u) = self.u.unit.as_mut() {
                    u.segments.push(seg);
                    if !empty {
                        self.collect = Some((Sink::Segment(u.segments.len() - 1), depth));
                    }
                }
            }
            "target" if child => {
                self.u.target_start = Some((span, depth));
                self.u.target_filled = false;
                if empty {
                    self.finish_target(span, true);
                } else {
                    self.in_target = Some(depth);
                }
            }
            "mrk" if self.in_target.is_some() && is_seg_mrk(e)? => {
                let mid = attr(e, "mid")?.unwrap_or_default();
                if empty {
                    self.u.target_mrks.push((mid, TargetSlot::EmptyTag(span)));
                } else {
                    self.u.target_mrk = Some(TargetMrk {
                        mid,
                        content_start: span.end,
                        depth,
                        filled: false,
                    });
                }
            }
            _ if self.in_target.is_some() => self.mark_target_filled(),
            "seg-defs" if child => self.in_seg_defs = !empty,
            "seg" if self.in_seg_defs => {
                let id = attr(e, "id")?.unwrap_or_default();
                self.u
                    .vendor_attrs
                    .push((id.clone(), attr(e, "locked")?, attr(e, "conf")?));
                if let Some(u) = self.u.unit.as_mut() {
                    u.vendor_segs.push(VendorSeg {
                        id,
                        tag: span,
                        empty,
                    });
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn in_unit2(
        &mut self,
        e: &BytesStart<'_>,
        local: &str,
        span: Span,
        depth: usize,
        empty: bool,
    ) -> Result<(), FormatError> {
        match (local, self.segment2) {
            ("segment", None) if !empty => {
                let skip = match attr(e, "state")?.as_deref() {
                    Some("reviewed" | "final") => Some(Skip::Approved),
                    _ => None,
                };
                let seg = Segment {
                    mid: attr(e, "id")?,
                    source: Vec::new(),
                    target: TargetSlot::Missing,
                    skip,
                    source_content: None,
                    segment_tag: Some(span),
                    source_end: span.end,
                };
                if let Some(u) = self.u.unit.as_mut() {
                    u.segments.push(seg);
                    self.segment2 = Some((u.segments.len() - 1, depth));
                }
            }
            ("source", Some((i, d))) if depth == d + 1 && !empty => {
                self.collect = Some((Sink::Segment(i), depth));
            }
            ("target", Some((_, d))) if depth == d + 1 => {
                self.u.target_filled = false;
                if empty {
                    self.set_segment_target(TargetSlot::EmptyTag(span));
                } else {
                    self.u.target_start = Some((span, depth));
                    self.in_target = Some(depth);
                }
            }
            _ if self.in_target.is_some() => self.mark_target_filled(),
            _ => {}
        }
        Ok(())
    }

    fn inline_start(
        &mut self,
        e: &BytesStart<'_>,
        local: &str,
        span: Span,
        depth: usize,
        empty: bool,
        sink: Sink,
    ) -> Result<(), FormatError> {
        if !empty && !self.xliff2() && NATIVE_CODE.contains(&local) {
            self.native = Some((span.start, depth));
            return Ok(());
        }
        let id = match local {
            "ec" => attr(e, "startRef")?.or(attr(e, "id")?),
            _ => attr(e, "id")?.or(attr(e, "rid")?),
        };
        let kind = if empty {
            CodeKind::Standalone
        } else {
            CodeKind::Open
        };
        self.push_part(
            sink,
            Part::Code(Code {
                kind,
                element: local.to_string(),
                id,
                raw: self.raw(span).to_string(),
            }),
        );
        Ok(())
    }

    /// An end tag; `depth` is the depth of the element it closes.
    fn end(&mut self, span: Span, depth: usize) -> Result<(), FormatError> {
        if self.no_translate == Some(depth) {
            self.no_translate = None;
        }
        if let Some((start, d)) = self.native {
            if d == depth {
                self.native = None;
                if let Some((sink, _)) = self.collect {
                    let raw = self.doc.get(start..span.end).unwrap_or("").to_string();
                    let element = crate::formats::xliff::tag_name(&raw).to_string();
                    let element = element.rsplit(':').next().unwrap_or("").to_string();
                    let id = attr_in_raw(&raw, "id").or_else(|| attr_in_raw(&raw, "rid"));
                    self.push_part(
                        sink,
                        Part::Code(Code {
                            kind: CodeKind::Standalone,
                            element,
                            id,
                            raw,
                        }),
                    );
                }
            }
            return Ok(());
        }
        if let Some(d) = self.foreign {
            if d == depth {
                self.foreign = None;
            }
            return Ok(());
        }
        if let Some((sink, d)) = self.collect {
            if d == depth {
                self.collect = None;
                self.end_collect(sink, span);
            } else {
                let raw = self.raw(span);
                let element = tag_local(raw.trim_start_matches("</"));
                self.push_part(
                    sink,
                    Part::Code(Code {
                        kind: CodeKind::Close,
                        element,
                        id: None,
                        raw: raw.to_string(),
                    }),
                );
            }
            return Ok(());
        }
        if let Some(m) = self.u.target_mrk.as_ref() {
            if m.depth == depth {
                let content = Span {
                    start: m.content_start,
                    end: span.start,
                };
                let slot = if m.filled {
                    TargetSlot::Filled
                } else {
                    TargetSlot::Blank(content)
                };
                let mid = m.mid.clone();
                self.u.target_mrks.push((mid, slot));
                self.u.target_mrk = None;
                return Ok(());
            }
        }
        if self.in_target == Some(depth) {
            self.in_target = None;
            if self.xliff2() {
                let slot = match self.u.target_start {
                    _ if self.u.target_filled => TargetSlot::Filled,
                    Some((tag, _)) => TargetSlot::Blank(Span {
                        start: tag.end,
                        end: span.start,
                    }),
                    None => TargetSlot::Filled,
                };
                self.set_segment_target(slot);
            } else {
                self.finish_target(span, false);
            }
            return Ok(());
        }
        if let Some((_, d)) = self.segment2 {
            if d == depth {
                self.segment2 = None;
            }
            return Ok(());
        }
        if self.in_seg_source && self.u.depth + 1 == depth {
            self.in_seg_source = false;
            if let (Some(u), Some(s)) = (self.u.unit.as_mut(), self.u.seg_source_start) {
                u.seg_source_element = Some(Span {
                    start: s,
                    end: span.end,
                });
            }
            return Ok(());
        }
        if self.in_seg_defs && self.u.depth + 1 == depth {
            self.in_seg_defs = false;
            if let Some(u) = self.u.unit.as_mut() {
                u.seg_defs_end = Some(span.start);
            }
            return Ok(());
        }
        if self.u.unit.is_some() && self.u.depth == depth {
            self.finish_unit(span);
        }
        Ok(())
    }

    fn end_collect(&mut self, sink: Sink, span: Span) {
        let Some(u) = self.u.unit.as_mut() else {
            return;
        };
        match sink {
            Sink::Source => {
                u.source_element = Some(Span {
                    start: self.u.source_start,
                    end: span.end,
                });
            }
            Sink::Segment(i) => {
                if let Some(seg) = u.segments.get_mut(i) {
                    if let Some(c) = seg.source_content.as_mut() {
                        c.end = span.start;
                    }
                    seg.source_end = span.end;
                }
            }
        }
    }

    fn finish_target(&mut self, end: Span, empty: bool) {
        let Some((tag, _)) = self.u.target_start else {
            return;
        };
        let filled = !empty && self.u.target_filled;
        if let Some(u) = self.u.unit.as_mut() {
            u.target_element = Some(TargetElement {
                start_tag: tag,
                full: Span {
                    start: tag.start,
                    end: if empty { tag.end } else { end.end },
                },
                empty,
                filled,
            });
        }
        if empty {
            return;
        }
        // Content of an unsegmented target.
        self.u.target_mrks.push((
            String::new(),
            if filled {
                TargetSlot::Filled
            } else {
                TargetSlot::Blank(Span {
                    start: tag.end,
                    end: end.start,
                })
            },
        ));
    }

    fn set_segment_target(&mut self, slot: TargetSlot) {
        if let (Some(u), Some((i, _))) = (self.u.unit.as_mut(), self.segment2) {
            if let Some(seg) = u.segments.get_mut(i) {
                seg.target = slot;
            }
        }
    }

    fn mark_target_filled(&mut self) {
        match self.u.target_mrk.as_mut() {
            Some(m) => m.filled = true,
            None => self.u.target_filled = true,
        }
    }

    fn finish_unit(&mut self, end: Span) {
        let Some(mut unit) = self.u.unit.take() else {
            return;
        };
        unit.end_tag = end.start;
        let state = std::mem::take(&mut self.u);
        if !self.xliff2() {
            let segmented = unit.seg_source_element.is_some() && !unit.segments.is_empty();
            if !segmented {
                unit.seg_source_element = None;
                let target = match unit.target_element {
                    None => TargetSlot::Missing,
                    Some(t) if t.empty => TargetSlot::EmptyTag(t.start_tag),
                    Some(_) => state
                        .target_mrks
                        .iter()
                        .find(|(mid, _)| mid.is_empty())
                        .map_or(TargetSlot::Filled, |(_, s)| *s),
                };
                unit.segments = vec![Segment {
                    mid: None,
                    source: state.source_parts,
                    target,
                    skip: None,
                    source_content: None,
                    segment_tag: None,
                    source_end: unit.source_element.map_or(0, |s| s.end),
                }];
            } else {
                let whole_target = unit.target_element;
                for seg in &mut unit.segments {
                    let mid = seg.mid.clone().unwrap_or_default();
                    let found = state.target_mrks.iter().find(|(m, _)| *m == mid);
                    seg.target = match (found, whole_target) {
                        (Some((_, slot)), _) => *slot,
                        (None, None) => TargetSlot::Missing,
                        // An empty or blank target without segment markers
                        // is rebuilt whole by the writer.
                        (None, Some(t)) if t.empty || !t.filled => TargetSlot::Missing,
                        (None, Some(_)) => TargetSlot::Filled,
                    };
                }
            }
            for (id, locked, conf) in &state.vendor_attrs {
                let skip = if locked.as_deref() == Some("true") {
                    Some(Skip::Locked)
                } else if matches!(
                    conf.as_deref(),
                    Some("ApprovedTranslation" | "ApprovedSignOff" | "RejectedSignOff")
                ) {
                    Some(Skip::Approved)
                } else {
                    None
                };
                if let Some(seg) = unit
                    .segments
                    .iter_mut()
                    .find(|s| s.mid.as_deref() == Some(id.as_str()))
                {
                    seg.skip = seg.skip.or(skip);
                }
            }
        }
        for seg in &mut unit.segments {
            if seg.target == TargetSlot::Filled {
                seg.skip = seg.skip.or(Some(Skip::HasTarget));
            }
        }
        self.units.push(unit);
    }

    fn text(&mut self, raw: &[u8], span: Span) -> Result<(), FormatError> {
        if self.native.is_some() || self.foreign.is_some() {
            return Ok(());
        }
        let blank = raw.iter().all(|b| b.is_ascii_whitespace());
        if self.in_target.is_some() && !blank {
            self.mark_target_filled();
        }
        if self.collect.is_some() {
            let s = xml::unescape_text(raw).map_err(|mut e| {
                e.fatal = true;
                e
            })?;
            self.text_unescaped(s, span);
        }
        Ok(())
    }

    fn text_unescaped(&mut self, s: String, _span: Span) {
        if self.native.is_some() || self.foreign.is_some() {
            return;
        }
        if self.in_target.is_some() && !s.trim().is_empty() {
            self.mark_target_filled();
        }
        if let Some((sink, _)) = self.collect {
            self.push_part(sink, Part::Text(s));
        }
    }

    /// A comment or processing instruction inside content: an opaque code.
    fn opaque(&mut self, span: Span) {
        if self.native.is_some() || self.foreign.is_some() {
            return;
        }
        if let Some((sink, _)) = self.collect {
            let raw = self.raw(span).to_string();
            self.push_part(
                sink,
                Part::Code(Code {
                    kind: CodeKind::Standalone,
                    element: String::new(),
                    id: None,
                    raw,
                }),
            );
        }
    }

    fn push_part(&mut self, sink: Sink, part: Part) {
        let parts = match sink {
            Sink::Source => &mut self.u.source_parts,
            Sink::Segment(i) => match self.u.unit.as_mut().and_then(|u| u.segments.get_mut(i)) {
                Some(s) => &mut s.source,
                None => return,
            },
        };
        match (parts.last_mut(), part) {
            (Some(Part::Text(prev)), Part::Text(t)) => prev.push_str(&t),
            (_, part) => parts.push(part),
        }
    }
}

fn is_seg_mrk(e: &BytesStart<'_>) -> Result<bool, FormatError> {
    Ok(attr(e, "mtype")?.as_deref() == Some("seg"))
}

/// An attribute by local name (`lang` finds `xml:lang`).
fn attr(e: &BytesStart<'_>, local: &str) -> Result<Option<String>, FormatError> {
    xml::attr(e, local.as_bytes())
}

/// An attribute by its qualified name as written (`mq:status`).
fn attr_q(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, FormatError> {
    for a in e.attributes() {
        let a =
            a.map_err(|err| FormatError::fatal("malformed_xml", format!("bad attribute: {err}")))?;
        if a.key.as_ref() == name.as_bytes() {
            return xml::unescape_text(&a.value).map(Some);
        }
    }
    Ok(None)
}

/// An attribute of the first tag of `raw` (for captured native codes).
fn attr_in_raw(raw: &str, name: &str) -> Option<String> {
    let end = raw.find('>')? + 1;
    let mut r = quick_xml::Reader::from_str(&raw[..end]);
    match r.read_event() {
        Ok(Event::Start(e)) | Ok(Event::Empty(e)) => attr(&e, name).ok().flatten(),
        _ => None,
    }
}

/// Local name of a tag body (`g>` → `g`, `x:pc>` → `pc`).
fn tag_local(body: &str) -> String {
    let name = body
        .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .next()
        .unwrap_or("");
    name.rsplit(':').next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Document {
        parse(s.as_bytes()).expect("parses")
    }

    #[test]
    fn plain_units_targets_and_codes() {
        let d = parse_str(
            r#"<?xml version="1.0"?>
<xliff version="1.2"><file source-language="ar" target-language="en"><body>
<trans-unit id="a"><source>احفظ <x id="1"/>الملف &amp; <ph id="2">&lt;b&gt;</ph></source></trans-unit>
<trans-unit id="b" translate="no"><source>ثابت</source></trans-unit>
<trans-unit id="c"><source>مرحبا</source><target xml:lang="en">Hello</target>
<alt-trans><source>x</source><target>y</target></alt-trans></trans-unit>
<trans-unit id="d"><source>مرحبا</source><target/></trans-unit>
<trans-unit id="e"><source>مرحبا</source><target> </target></trans-unit>
</body></file></xliff>"#,
        );
        assert_eq!(d.flavour, Flavour::Xliff12);
        assert_eq!(d.units.len(), 5);
        let a = &d.units[0].segments[0];
        assert_eq!(a.plain_source(), "احفظ الملف & ");
        let codes: Vec<_> = a
            .codes()
            .map(|c| (c.element.as_str(), c.raw.as_str()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("x", r#"<x id="1"/>"#),
                ("ph", r#"<ph id="2">&lt;b&gt;</ph>"#)
            ]
        );
        assert_eq!(d.units[0].source_lang.as_deref(), Some("ar"));
        assert_eq!(d.units[1].skip, Some(Skip::NotTranslatable));
        assert_eq!(d.units[2].segments[0].skip, Some(Skip::HasTarget));
        assert!(matches!(
            d.units[3].segments[0].target,
            TargetSlot::EmptyTag(_)
        ));
        assert!(matches!(
            d.units[4].segments[0].target,
            TargetSlot::Blank(_)
        ));
    }

    #[test]
    fn sdlxliff_segments_inside_g_and_status() {
        let doc = r#"<xliff xmlns:sdl="http://sdl.com/FileTypes/SdlXliff/1.0" xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file source-language="ar" target-language="en"><body><trans-unit id="u1"><source><g id="1">أ. ب.</g></source><seg-source><g id="1"><mrk mtype="seg" mid="1">أ.</mrk> <mrk mtype="seg" mid="2">ب.</mrk></g></seg-source><target><g id="1"><mrk mtype="seg" mid="1">A.</mrk> <mrk mtype="seg" mid="2"/></g></target><sdl:seg-defs><sdl:seg id="1" conf="Translated"/><sdl:seg id="2" locked="true"/></sdl:seg-defs></trans-unit></body></file></xliff>"#;
        let d = parse_str(doc);
        assert_eq!(d.flavour, Flavour::Sdlxliff);
        let u = &d.units[0];
        assert_eq!(u.segments.len(), 2);
        assert_eq!(u.segments[0].skip, Some(Skip::HasTarget));
        assert_eq!(u.segments[1].skip, Some(Skip::Locked));
        match u.segments[1].target {
            TargetSlot::EmptyTag(s) => {
                assert_eq!(&doc[s.start..s.end], r#"<mrk mtype="seg" mid="2"/>"#)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(u.vendor_segs.len(), 2);
        let c = u.segments[1].source_content.expect("content span");
        assert_eq!(&doc[c.start..c.end], "ب.");
        assert!(u.seg_defs_end.is_some());
    }

    #[test]
    fn xliff2_segments_and_states() {
        let doc = r#"<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="ar" trgLang="en"><file id="f"><unit id="1"><segment id="s1"><source>مرحبا <pc id="1">بالعالم</pc></source></segment><segment id="s2" state="final"><source>x</source><target>y</target></segment><ignorable><source> </source></ignorable></unit></file></xliff>"#;
        let d = parse_str(doc);
        assert_eq!(d.flavour, Flavour::Xliff2);
        let u = &d.units[0];
        assert_eq!(u.segments.len(), 2);
        assert_eq!(u.segments[0].plain_source(), "مرحبا بالعالم");
        assert_eq!(u.segments[0].codes().count(), 2);
        assert_eq!(u.segments[1].skip, Some(Skip::Approved));
        assert_eq!(u.source_lang.as_deref(), Some("ar"));
    }

    #[test]
    fn errors_have_line_and_column() {
        let e = parse(b"<xliff version=\"1.2\">\n<file>\n  <body></file>").unwrap_err();
        assert_eq!((e.code, e.line), ("malformed_xml", Some(3)));
        assert!(e.column.is_some());
        let e = parse(b"<tmx/>").unwrap_err();
        assert_eq!(e.code, "not_xliff");
        let e = parse(b"<xliff version=\"1.2\"><file><body><trans-unit id=\"1\"><source>&nbsp;</source></trans-unit></body></file></xliff>").unwrap_err();
        assert_eq!((e.code, e.fatal), ("unknown_entity", true));
        let deep = format!(
            "<xliff version=\"1.2\"><file><body><trans-unit id=\"1\"><source>{}x{}</source></trans-unit></body></file></xliff>",
            "<g id=\"1\">".repeat(100_000),
            "</g>".repeat(100_000)
        );
        assert_eq!(parse(deep.as_bytes()).unwrap_err().code, "xml_too_deep");
    }
}
