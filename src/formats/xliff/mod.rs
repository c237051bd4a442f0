//! XLIFF 1.2 (plain, SDLXLIFF, MQXLIFF) and XLIFF 2.0/2.1, read for their
//! segments and rewritten by byte splicing.
//!
//! [`parse`] runs one streaming event pass (over [`super::xml`], so the
//! same refusals apply: no DTD entities, nesting at most
//! [`super::xml::MAX_DEPTH`], bounded text runs) and returns a [`Document`]:
//! every translation unit with its segments, their source as [`Part`]s
//! (text and opaque inline codes kept with their exact bytes), the state of
//! their target ([`TargetSlot`]) and the byte [`Span`]s of the tags a
//! pre-translation may rewrite. Nothing is copied or re-serialized here.
//!
//! Writing is [`apply_edits`]: the original bytes with a list of
//! [`Edit`]s (replace a span, or insert at a point) applied, so every byte
//! outside the edited spans — skeleton, header, vendor namespaces, unknown
//! attributes, comments, `xml:space`, the BOM — is the input's own. A
//! document with no edit comes back identical.
//!
//! Segments: an XLIFF 1.2 unit with `<seg-source>` is segmented by its
//! `<mrk mtype="seg" mid>` elements (an SDLXLIFF `<g>` may wrap them or sit
//! inside them); an XLIFF 2 unit by its `<segment>`s. An unsegmented 1.2
//! unit is one segment (`mid: None`); the pre-translation may split it with
//! the sentence segmenter when its source has no inline code.
//!
//! ```
//! use mustalah::formats::xliff::{parse, Flavour, TargetSlot};
//! let doc = parse(r#"<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
//! <file source-language="ar" target-language="en" datatype="plaintext" original="a.txt"><body>
//! <trans-unit id="1"><source>افتح <g id="1">الملف</g></source></trans-unit>
//! </body></file></xliff>"#.as_bytes()).unwrap();
//! assert_eq!(doc.flavour, Flavour::Xliff12);
//! let seg = &doc.units[0].segments[0];
//! assert_eq!(seg.plain_source(), "افتح الملف");
//! assert_eq!(seg.codes().count(), 2);
//! assert!(matches!(seg.target, TargetSlot::Missing));
//! ```

mod read;

pub use read::parse;

use super::FormatError;
use std::borrow::Cow;

/// Which XLIFF dialect a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Plain XLIFF 1.2 (or 1.0/1.1).
    Xliff12,
    /// Trados SDLXLIFF (XLIFF 1.2 with `sdl:seg-defs`).
    Sdlxliff,
    /// memoQ MQXLIFF (XLIFF 1.2 with `mq:*` attributes).
    Mqxliff,
    /// XLIFF 2.0 or 2.1.
    Xliff2,
}

impl Flavour {
    /// Lower-case name (`xliff12`, `sdlxliff`, `mqxliff`, `xliff2`).
    pub fn as_str(self) -> &'static str {
        match self {
            Flavour::Xliff12 => "xliff12",
            Flavour::Sdlxliff => "sdlxliff",
            Flavour::Mqxliff => "mqxliff",
            Flavour::Xliff2 => "xliff2",
        }
    }
}

/// A byte range of the (UTF-8) document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// How an inline code relates to its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// Opens a pair (`<g>`, `<pc>`, `<mrk>`).
    Open,
    /// Closes the pair last opened.
    Close,
    /// Stands alone (`<x/>`, `<bx/>`, `<ph>…</ph>`, `<bpt>…</bpt>`, `<sc/>`…).
    Standalone,
}

/// An inline code, opaque: its exact bytes are copied into targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// Pairing role.
    pub kind: CodeKind,
    /// Local element name (`g`, `x`, `ph`, `pc`…).
    pub element: String,
    /// Its `id` (or `startRef` for `<ec>`, `rid` for `<ept>`), if any.
    pub id: Option<String>,
    /// The bytes as written (the whole element for codes with content).
    pub raw: String,
}

/// A piece of segment content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text, unescaped.
    Text(String),
    /// An inline code.
    Code(Code),
}

/// Why a unit or segment is left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// `translate="no"`.
    NotTranslatable,
    /// Locked (`sdl:seg locked="true"`, `mq:locked="locked"`).
    Locked,
    /// Approved or signed off (`approved="yes"`, SDL `ApprovedTranslation`,
    /// memoQ `*Confirmed`, XLIFF 2 `reviewed`/`final`).
    Approved,
    /// The target already has content.
    HasTarget,
}

impl Skip {
    /// Snake-case name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::NotTranslatable => "translate_no",
            Skip::Locked => "locked",
            Skip::Approved => "approved",
            Skip::HasTarget => "has_target",
        }
    }
}

/// Where a segment's translation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetSlot {
    /// No target element (1.2: none in the unit; 2: none in the segment).
    Missing,
    /// An empty element (`<target/>`, `<mrk mtype="seg" mid="2"/>`): the
    /// whole tag is replaced.
    EmptyTag(Span),
    /// An element with blank content: the content span is replaced.
    Blank(Span),
    /// Translated already.
    Filled,
}

/// One segment of a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// 1.2: the `mid` of its `<mrk mtype="seg">`; 2: the `<segment id>`.
    pub mid: Option<String>,
    /// Source content.
    pub source: Vec<Part>,
    /// Target state.
    pub target: TargetSlot,
    /// Why the segment is left alone, if it is.
    pub skip: Option<Skip>,
    /// 1.2 segmented: the bytes of the `<mrk>` content in `<seg-source>`.
    pub source_content: Option<Span>,
    /// XLIFF 2: the `<segment …>` start tag.
    pub segment_tag: Option<Span>,
    /// XLIFF 2: just after `</source>`.
    pub source_end: usize,
}

impl Segment {
    /// The source text without codes (what memories are searched with).
    pub fn plain_source(&self) -> String {
        let mut s = String::new();
        for p in &self.source {
            if let Part::Text(t) = p {
                s.push_str(t);
            }
        }
        s
    }

    /// The inline codes of the source, in order.
    pub fn codes(&self) -> impl Iterator<Item = &Code> {
        self.source.iter().filter_map(|p| match p {
            Part::Code(c) => Some(c),
            Part::Text(_) => None,
        })
    }
}

/// The `<target>` element of an XLIFF 1.2 unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetElement {
    /// Its start tag (the whole tag when empty).
    pub start_tag: Span,
    /// The whole element.
    pub full: Span,
    /// Whether it is an empty element (`<target/>`).
    pub empty: bool,
    /// Whether it has any non-blank content.
    pub filled: bool,
}

/// An SDLXLIFF `<sdl:seg>` status block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorSeg {
    /// Its `id` (the segment's `mid`).
    pub id: String,
    /// Its start tag (the whole tag when empty).
    pub tag: Span,
    /// Whether it is an empty element.
    pub empty: bool,
}

/// A translation unit (`<trans-unit>`, `<unit>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Its `id`.
    pub id: Option<String>,
    /// Its `resname` (1.2) or `name` (2).
    pub resname: Option<String>,
    /// Source language (of the enclosing `<file>` or root).
    pub source_lang: Option<String>,
    /// Target language.
    pub target_lang: Option<String>,
    /// Why the whole unit is left alone, if it is.
    pub skip: Option<Skip>,
    /// Its segments, in order.
    pub segments: Vec<Segment>,
    /// The unit's start tag.
    pub start_tag: Span,
    /// Where its end tag starts (alt-trans and notes go just before).
    pub end_tag: usize,
    /// 1.2: the `<source>` element.
    pub source_element: Option<Span>,
    /// 1.2: the `<seg-source>` element, when the unit is segmented.
    pub seg_source_element: Option<Span>,
    /// 1.2: the `<target>` element, if any.
    pub target_element: Option<TargetElement>,
    /// SDLXLIFF: the `<sdl:seg>` blocks.
    pub vendor_segs: Vec<VendorSeg>,
    /// SDLXLIFF: where `</sdl:seg-defs>` starts.
    pub seg_defs_end: Option<usize>,
}

/// A parsed XLIFF document (spans refer to [`Document::text`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Dialect.
    pub flavour: Flavour,
    /// The `version` attribute of the root.
    pub version: String,
    /// Translation units, in document order.
    pub units: Vec<Unit>,
}

/// One change to the document's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The bytes replaced (`start == end` inserts).
    pub span: Span,
    /// What goes there.
    pub text: String,
}

impl Edit {
    /// Replaces `span` with `text`.
    pub fn replace(span: Span, text: impl Into<String>) -> Edit {
        Edit {
            span,
            text: text.into(),
        }
    }

    /// Inserts `text` at byte `at`.
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            span: Span { start: at, end: at },
            text: text.into(),
        }
    }
}

/// `doc` with `edits` applied. Edits must not overlap (an insertion at a
/// replaced span's start goes before the replacement); insertions at one
/// point keep their list order.
pub fn apply_edits(doc: &str, edits: &[Edit]) -> String {
    let mut order: Vec<usize> = (0..edits.len()).collect();
    order.sort_by_key(|&i| (edits[i].span.start, edits[i].span.end, i));
    let extra: usize = edits.iter().map(|e| e.text.len()).sum();
    let mut out = String::with_capacity(doc.len() + extra);
    let mut at = 0usize;
    for i in order {
        let e = &edits[i];
        if e.span.start < at {
            // Overlap: a bug of the caller; keep the earlier edit.
            continue;
        }
        out.push_str(doc.get(at..e.span.start).unwrap_or(""));
        out.push_str(&e.text);
        at = e.span.end;
    }
    out.push_str(doc.get(at..).unwrap_or(""));
    out
}

/// A start tag (or empty-element tag) with attributes set: existing ones
/// keep their place and only their value changes, new ones are appended;
/// every other byte of the tag is kept. `value` is unescaped text.
pub fn set_attributes(tag: &str, attrs: &[(&str, &str)]) -> String {
    let mut out = tag.to_string();
    for (name, value) in attrs {
        let escaped = super::xml::escape_attr(value);
        match find_attribute(&out, name) {
            Some(v) => out.replace_range(v.start..v.end, &escaped),
            None => {
                let close = if out.ends_with("/>") {
                    out.len() - 2
                } else {
                    out.len().saturating_sub(1)
                };
                // Before the closing `>`/`/>`, after trailing whitespace.
                let trimmed = out[..close].trim_end().len();
                out.insert_str(trimmed, &format!(" {name}=\"{escaped}\""));
            }
        }
    }
    out
}

/// The byte range of the value of attribute `name` in a start tag.
fn find_attribute(tag: &str, name: &str) -> Option<Span> {
    let b = tag.as_bytes();
    let mut i = tag.find(|c: char| c.is_whitespace())?;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let key_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' {
            i += 1;
        }
        let key = &tag[key_start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() || b[i] != b'=' {
            return None;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let quote = *b.get(i)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value_start = i + 1;
        let value_end = value_start + tag[value_start..].find(quote as char)?;
        if key == name {
            return Some(Span {
                start: value_start,
                end: value_end,
            });
        }
        i = value_end + 1;
    }
    None
}

/// The element name of a start tag as written (`target`, `sdl:seg`).
pub fn tag_name(tag: &str) -> &str {
    let body = tag.trim_start_matches('<');
    let end = body
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(body.len());
    &body[..end]
}

/// An empty-element tag (`<mrk …/>`) turned into an element holding
/// `content` (already XML): `<mrk …>content</mrk>`.
pub fn fill_empty_tag(tag: &str, attrs: &[(&str, &str)], content: &str) -> String {
    let tag = set_attributes(tag, attrs);
    let open = match tag.strip_suffix("/>") {
        Some(t) => format!("{}>", t.trim_end()),
        None => tag.clone(),
    };
    format!("{open}{content}</{}>", tag_name(&tag))
}

/// The whitespace that precedes byte `at` on its line, when only whitespace
/// does (the indentation of the element starting there), with the newline.
pub fn indentation(doc: &str, at: usize) -> Cow<'_, str> {
    let before = doc.get(..at).unwrap_or("");
    match before.rfind('\n') {
        Some(nl) if before[nl + 1..].chars().all(|c| c == ' ' || c == '\t') => {
            Cow::Borrowed(&before[nl..])
        }
        _ => Cow::Borrowed(""),
    }
}

/// Largest decoded XLIFF accepted: the document is held in memory while it
/// is rewritten (SDLXLIFF of a large manual is some tens of MB).
pub const MAX_XLIFF_BYTES: usize = 256 * 1024 * 1024;

/// How the input bytes were encoded, so the output can be written the same
/// way (a file with no edit comes back byte-identical).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// UTF-8, with or without a byte-order mark.
    Utf8 {
        /// Whether it started with EF BB BF.
        bom: bool,
    },
    /// UTF-16 with a byte-order mark.
    Utf16 {
        /// Big endian.
        big_endian: bool,
    },
}

/// Decodes raw input (gzip accepted) into UTF-8 text for [`parse`], and how
/// to encode the answer. UTF-16 needs its byte-order mark; text that is not
/// valid in its encoding → fatal `invalid_encoding`; more than
/// [`MAX_XLIFF_BYTES`] → fatal `text_too_large`.
pub fn decode(input: &[u8]) -> Result<(String, Envelope), FormatError> {
    use std::io::Read;
    let unzipped;
    let bytes: &[u8] = if input.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(input)
            .take(MAX_XLIFF_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| FormatError::fatal("invalid_encoding", format!("gzip: {e}")))?;
        unzipped = out;
        &unzipped
    } else {
        input
    };
    if bytes.len() > MAX_XLIFF_BYTES {
        return Err(FormatError::fatal(
            "text_too_large",
            format!("XLIFF larger than {MAX_XLIFF_BYTES} bytes"),
        ));
    }
    let utf16 = |rest: &[u8], big_endian: bool| -> Result<(String, Envelope), FormatError> {
        if rest.len() % 2 != 0 {
            return Err(FormatError::fatal(
                "invalid_encoding",
                "UTF-16 input with an odd number of bytes (truncated?)",
            ));
        }
        let units = rest.chunks_exact(2).map(|c| {
            if big_endian {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from_le_bytes([c[0], c[1]])
            }
        });
        let text = char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|e| FormatError::fatal("invalid_encoding", format!("UTF-16: {e}")))?;
        Ok((text, Envelope::Utf16 { big_endian }))
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, false);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, true);
    }
    let (rest, bom) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    if rest.starts_with(&[b'<', 0]) || rest.starts_with(&[0, b'<']) {
        return Err(FormatError::fatal(
            "invalid_encoding",
            "UTF-16 without a byte-order mark: save the file as UTF-8 or UTF-16 with a BOM",
        ));
    }
    match String::from_utf8(rest.to_vec()) {
        Ok(text) => Ok((text, Envelope::Utf8 { bom })),
        Err(e) => {
            let pos = e.utf8_error().valid_up_to();
            let line = rest[..pos].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            Err(
                FormatError::fatal("invalid_encoding", format!("not UTF-8: {}", e.utf8_error()))
                    .at(Some(line), None),
            )
        }
    }
}

/// `text` encoded back the way [`decode`] found the input.
pub fn encode(text: &str, envelope: Envelope) -> Vec<u8> {
    match envelope {
        Envelope::Utf8 { bom } => {
            let mut out = Vec::with_capacity(text.len() + 3);
            if bom {
                out.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
            }
            out.extend_from_slice(text.as_bytes());
            out
        }
        Envelope::Utf16 { big_endian } => {
            let mut out = Vec::with_capacity(text.len() * 2 + 2);
            out.extend_from_slice(if big_endian {
                &[0xFE, 0xFF]
            } else {
                &[0xFF, 0xFE]
            });
            for u in text.encode_utf16() {
                out.extend_from_slice(&if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                });
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_set_in_place_or_appended() {
        let tag = r#"<target xml:lang="en" state='new'>"#;
        assert_eq!(
            set_attributes(
                tag,
                &[("state", "translated"), ("state-qualifier", "exact-match")]
            ),
            r#"<target xml:lang="en" state='translated' state-qualifier="exact-match">"#
        );
        assert_eq!(
            set_attributes("<sdl:seg id=\"1\"/>", &[("conf", "Draft")]),
            "<sdl:seg id=\"1\" conf=\"Draft\"/>"
        );
        assert_eq!(
            set_attributes("<target>", &[("state", "a\"b")]),
            "<target state=\"a&quot;b\">"
        );
        // `mq:status` is not `status`.
        assert_eq!(
            set_attributes(
                r#"<trans-unit status="x" mq:status="NotStarted">"#,
                &[("mq:status", "Pretranslated")]
            ),
            r#"<trans-unit status="x" mq:status="Pretranslated">"#
        );
    }

    #[test]
    fn empty_tags_are_filled() {
        assert_eq!(
            fill_empty_tag(r#"<mrk mtype="seg" mid="2"/>"#, &[], "نص"),
            r#"<mrk mtype="seg" mid="2">نص</mrk>"#
        );
        assert_eq!(
            fill_empty_tag("<target />", &[("state", "translated")], "x"),
            r#"<target state="translated">x</target>"#
        );
        assert_eq!(tag_name("<sdl:seg id='1'>"), "sdl:seg");
    }

    #[test]
    fn envelopes_round_trip() {
        let doc = "<xliff version=\"1.2\">ملف</xliff>";
        for env in [
            Envelope::Utf8 { bom: false },
            Envelope::Utf8 { bom: true },
            Envelope::Utf16 { big_endian: false },
            Envelope::Utf16 { big_endian: true },
        ] {
            let bytes = encode(doc, env);
            assert_eq!(decode(&bytes).unwrap(), (doc.to_string(), env));
        }
        let no_bom: Vec<u8> = doc.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(decode(&no_bom).unwrap_err().code, "invalid_encoding");
        let mut odd = encode(doc, Envelope::Utf16 { big_endian: false });
        odd.pop();
        assert_eq!(decode(&odd).unwrap_err().code, "invalid_encoding");
        assert_eq!(decode(b"<a>\xff</a>").unwrap_err().code, "invalid_encoding");
    }

    #[test]
    fn edits_splice_bytes() {
        let doc = "<a><b/></a>";
        let out = apply_edits(
            doc,
            &[
                Edit::insert(7, "<c/>"),
                Edit::replace(Span { start: 3, end: 7 }, "<b>x</b>"),
                Edit::insert(7, "<d/>"),
            ],
        );
        assert_eq!(out, "<a><b>x</b><c/><d/></a>");
        assert_eq!(apply_edits(doc, &[]), doc);
        assert_eq!(indentation("<a>\n  <b/>", 6), "\n  ");
        assert_eq!(indentation("<a><b/>", 3), "");
    }
}
