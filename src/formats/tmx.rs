//! TMX 1.4b translation memories: a streaming reader ([`TmxReader`]) and a
//! writer ([`TmxWriter`]).
//!
//! The reader keeps one `<tu>` in memory at a time and picks, per unit, the
//! `<tuv>` whose language matches the memory's source language and the one
//! matching its target (by base subtag: `ar-SA` matches `ar`, exact tags
//! win). Inline codes (`<bpt>`, `<ept>`, `<ph>`, `<it>`, `<ut>`) become their
//! native code text in `source`/`target` (`<b>`), or `{ph1}`-style
//! placeholders (element name + `x`/`i` attribute) when empty, so matching
//! sees one tag token; `<hi>` and `<sub>` contribute their text. A seg that
//! held any element also keeps its raw inner XML in `source_markup` /
//! `target_markup`, which the writer puts back verbatim.
//!
//! Metadata: `tuid` → `tuid` (else an `x-tuid` prop, which our writer
//! uses for a tuid that is not unique in its memory), `creationdate`/
//! `changedate` (`YYYYMMDDThhmmssZ`; a bad date is ignored) →
//! `created`/`modified`, `creationid` → `created_by`, the tu's `<prop
//! type>`s → `props` (in order) and `<note>`s → `notes`, the props and
//! notes of the two kept tuvs → `source_meta`/`target_meta`, `x-origin` →
//! `origin`, `x-context` → `context` (else `x-context-pre` and
//! `x-context-post`, joined by `\n` when both are present; the tu's props
//! first, then the source tuv's). The draft's language tags are the tuvs'
//! tags as written in the file. Tuvs of other languages are not kept.
//! `x-mustalah-times` (written by our exports when a time has sub-second
//! digits: `created modified` in RFC 3339) → `created` and `modified`
//! exactly.
//!
//! Row errors (unit skipped, reading goes on), each with the line and
//! column of its `<tu>` and its tuid in the message: `missing_language`,
//! `empty_segment`, `blank_segment` (a segment that is only whitespace; an
//! import reports it as a warning), `unknown_entity`, `bad_reference`,
//! `segment_too_large`, `unit_too_large`. Fatal: `not_tmx`,
//! `malformed_xml` (also a truncated file), `dtd_not_allowed`,
//! `xml_too_deep`, `invalid_encoding`, `read_error`.
//!
//! Safety: no entity expansion and no external fetch ever happens. A
//! `DOCTYPE` with an internal subset (`[...]`, where `<!ENTITY` lives) is
//! refused as `dtd_not_allowed`; the plain `<!DOCTYPE tmx SYSTEM
//! "tmx14.dtd">` is accepted and ignored. Element nesting is capped at
//! [`MAX_DEPTH`], a text node at [`MAX_TEXT_BYTES`] (row error) and any other
//! single token (comment, CDATA, tag) at about the same size (fatal), so
//! memory stays bounded for any input size.
//!
//! The small XML helpers here (escaping, unescaping, line counting) are
//! private on purpose and can be replaced by `formats::xml` later.
//!
//! ```
//! use mustalah::formats::tmx::TmxReader;
//! let tmx = r#"<tmx version="1.4"><header srclang="en"/><body>
//! <tu><tuv xml:lang="en"><seg>File</seg></tuv><tuv xml:lang="ar-SA"><seg>ملف</seg></tuv></tu>
//! </body></tmx>"#;
//! let units: Vec<_> = TmxReader::new(tmx.as_bytes(), "en", "ar").unwrap().collect();
//! assert_eq!(units[0].as_ref().unwrap().target, "ملف");
//! ```

use super::decode::is_encoding_error;
use super::{decoded_reader, FormatError};
use crate::memory::model::{TranslationUnit, UnitDraft};
use chrono::{DateTime, NaiveDateTime, Utc};
use quick_xml::events::{BytesEnd, BytesStart, Event};
use std::io::{self, BufRead, Read, Write};

/// Deepest element nesting accepted (`xml_too_deep` beyond).
pub const MAX_DEPTH: usize = 64;
/// Longest run of bytes without a `<` (one text node, or one tag) accepted;
/// a longer text node is a `segment_too_large` row error.
pub const MAX_TEXT_BYTES: u64 = 16 * 1024 * 1024;
/// Most text one `<tu>` may accumulate (`unit_too_large` beyond), so that a
/// unit made of many medium segments cannot exhaust memory either.
pub const MAX_UNIT_BYTES: usize = 4 * MAX_TEXT_BYTES as usize;

/// TMX date format (`20240131T235959Z`).
const TMX_DATE: &str = "%Y%m%dT%H%M%SZ";

/// What the `<header>` said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TmxHeader {
    /// `version` of the `<tmx>` root.
    pub version: Option<String>,
    /// `srclang` (may be `*all*`).
    pub srclang: Option<String>,
    /// `creationtool`.
    pub creationtool: Option<String>,
    /// `creationtoolversion`.
    pub creationtoolversion: Option<String>,
    /// `o-tmf` (original translation-memory format).
    pub o_tmf: Option<String>,
    /// `datatype`.
    pub datatype: Option<String>,
    /// `adminlang`.
    pub adminlang: Option<String>,
    /// `segtype`.
    pub segtype: Option<String>,
    /// `<prop type>` children, in order.
    pub props: Vec<(String, String)>,
    /// `<note>` children.
    pub notes: Vec<String>,
}

// ---------------------------------------------------------------------------
// Byte-level adapter: line counting and run-length cap.

/// Wraps the decoded text: counts newlines (for error lines) and caps runs
/// without `<`. Newlines are counted lazily, when a line is asked for or a
/// chunk is left, because counting per `consume` (one per XML token) costs
/// more than the rest of the accounting. quick-xml buffers a whole text node (or tag) in
/// memory; once a run passes the cap we swallow the rest of it up to the next
/// `<` and raise `oversize`, so the parser's buffer never grows past the cap.
struct Counted<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    /// Newlines in everything before `buf[counted]`.
    lines: std::cell::Cell<u64>,
    counted: std::cell::Cell<usize>,
    /// Bytes of the stream before `buf[0]`.
    base: u64,
    /// Stream offset just past the last newline counted (start of its line).
    line_start: std::cell::Cell<u64>,
    run: u64,
    limit: u64,
    skipping: bool,
    /// Bytes handed to the parser since the current event began; a token
    /// that may hold `<` (comment, CDATA, PI, DOCTYPE) escapes the run cap,
    /// so past `limit` plus slack we stop feeding it (`token_too_large`).
    event_bytes: u64,
    token_too_large: bool,
    oversize: bool,
}

impl<R: Read> Counted<R> {
    fn new(inner: R, limit: u64) -> Self {
        Counted {
            inner,
            buf: vec![0u8; 64 * 1024].into_boxed_slice(),
            pos: 0,
            len: 0,
            lines: std::cell::Cell::new(0),
            counted: std::cell::Cell::new(0),
            base: 0,
            line_start: std::cell::Cell::new(0),
            run: 0,
            limit,
            skipping: false,
            event_bytes: 0,
            token_too_large: false,
            oversize: false,
        }
    }

    /// 1-based line of the current position.
    fn line(&self) -> u64 {
        let from = self.counted.get().min(self.pos);
        self.count_lines(from, self.pos);
        self.counted.set(self.pos);
        self.lines.get() + 1
    }

    /// 1-based column (in bytes of UTF-8) of the current position.
    fn column(&self) -> u64 {
        self.line();
        (self.base + self.pos as u64).saturating_sub(self.line_start.get()) + 1
    }

    /// Counts the newlines of `buf[from..to]`, noting where the last line
    /// starts.
    fn count_lines(&self, from: usize, to: usize) {
        let chunk = &self.buf[from..to];
        let n = memchr::memchr_iter(b'\n', chunk).count() as u64;
        if n > 0 {
            self.lines.set(self.lines.get() + n);
            if let Some(i) = memchr::memrchr(b'\n', chunk) {
                self.line_start.set(self.base + (from + i + 1) as u64);
            }
        }
    }

    /// Tracks the run without `<` over bytes leaving the buffer.
    fn account(&mut self, from: usize, to: usize) {
        self.event_bytes += (to - from) as u64;
        let chunk = &self.buf[from..to];
        // Only the first `<` ends the run carried over from earlier chunks;
        // runs between two `<` inside one chunk are shorter than the chunk.
        match memchr::memchr(b'<', chunk) {
            Some(first) => {
                if self.run + first as u64 > self.limit {
                    self.oversize = true;
                }
                let last = memchr::memrchr(b'<', chunk).unwrap_or(first);
                if self.limit < self.buf.len() as u64 {
                    // Small limits (tests) need every run checked.
                    let mut prev = first;
                    for i in memchr::memchr_iter(b'<', &chunk[first + 1..]) {
                        let pos = first + 1 + i;
                        if (pos - prev - 1) as u64 > self.limit {
                            self.oversize = true;
                        }
                        prev = pos;
                    }
                }
                self.run = (chunk.len() - last - 1) as u64;
            }
            None => self.run += chunk.len() as u64,
        }
        if self.run > self.limit {
            self.oversize = true;
            self.skipping = true;
        }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        // A text run is swallowed past `limit`, so only other tokens get
        // here; two chunks of slack cover a run cut short mid-chunk.
        if self.event_bytes > self.limit + 2 * self.buf.len() as u64 {
            self.token_too_large = true;
            return Err(io::Error::other("token_too_large"));
        }
        loop {
            if self.pos >= self.len {
                // Count the rest of the chunk before it is overwritten.
                let from = self.counted.get().min(self.len);
                self.count_lines(from, self.len);
                self.base += self.len as u64;
                self.counted.set(0);
                self.pos = 0;
                self.len = 0;
                let n = loop {
                    match self.inner.read(&mut self.buf) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                };
                if n == 0 {
                    return Ok(&[]);
                }
                self.len = n;
            }
            if !self.skipping {
                break;
            }
            // Swallow the oversized run up to (not including) the next `<`.
            let end = match self.buf[self.pos..self.len].iter().position(|&b| b == b'<') {
                Some(i) => {
                    self.skipping = false;
                    self.pos + i
                }
                None => self.len,
            };
            self.pos = end;
            if !self.skipping {
                self.run = 0;
            }
        }
        Ok(&self.buf[self.pos..self.len])
    }

    fn consume(&mut self, amt: usize) {
        let to = (self.pos + amt).min(self.len);
        self.account(self.pos, to);
        self.pos = to;
    }
}

// ---------------------------------------------------------------------------
// Event source with depth tracking and error mapping.

type XmlReader<'a> = quick_xml::Reader<Counted<Box<dyn BufRead + 'a>>>;

struct Xml<'a> {
    reader: XmlReader<'a>,
    depth: usize,
}

impl<'a> Xml<'a> {
    /// 1-based line of the current parse position.
    fn line(&self) -> u64 {
        self.reader.get_ref().line()
    }

    /// 1-based line and column where the start tag `e`, just read, began
    /// (column 1 when the tag spans lines).
    fn start_of(&self, e: &BytesStart) -> (u64, u64) {
        let r = self.reader.get_ref();
        let line = r.line();
        let tag_len = e.len() as u64 + 2;
        let col = r.column();
        (line, if col > tag_len { col - tag_len } else { 1 })
    }

    fn take_oversize(&mut self) -> bool {
        std::mem::take(&mut self.reader.get_mut().oversize)
    }

    fn fatal(&self, code: &'static str, msg: impl Into<String>) -> FormatError {
        FormatError::fatal(code, msg).at(Some(self.line()), None)
    }

    fn map_err(&mut self, e: quick_xml::Error) -> FormatError {
        if self.reader.get_ref().token_too_large {
            return self.fatal(
                "segment_too_large",
                format!("a comment, CDATA section or tag is longer than {MAX_TEXT_BYTES} bytes"),
            );
        }
        if self.reader.get_ref().oversize {
            return self.fatal(
                "segment_too_large",
                format!("a text or markup run is longer than {MAX_TEXT_BYTES} bytes"),
            );
        }
        match e {
            quick_xml::Error::Io(io) if is_encoding_error(&io) => {
                self.fatal("invalid_encoding", io.to_string())
            }
            quick_xml::Error::Io(io) => self.fatal("read_error", io.to_string()),
            other => self.fatal("malformed_xml", format!("not well-formed XML: {other}")),
        }
    }

    /// [`super::xml::check_attributes`] with this reader's line.
    fn check_attributes(&self, e: &BytesStart) -> Result<(), FormatError> {
        super::xml::check_attributes(e).map_err(|err| err.at(Some(self.line()), None))
    }

    /// Reads the next event, keeping depth and refusing DTDs and deep nests.
    /// Sets `oversize` in the returned tuple when the event was truncated.
    fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> Result<(Event<'b>, bool), FormatError> {
        buf.clear();
        self.reader.get_mut().event_bytes = 0;
        let ev = match self.reader.read_event_into(buf) {
            Ok(ev) => ev,
            Err(e) => return Err(self.map_err(e)),
        };
        let oversize = self.take_oversize();
        match &ev {
            Event::Start(e) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.fatal(
                        "xml_too_deep",
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                self.check_attributes(e)?;
            }
            Event::Empty(e) => self.check_attributes(e)?,
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            Event::DocType(d) => {
                let text = String::from_utf8_lossy(d).to_ascii_uppercase();
                if text.contains('[') || text.contains("<!ENTITY") {
                    return Err(self.fatal(
                        "dtd_not_allowed",
                        "DOCTYPE with an internal subset or entity declarations is refused \
                         (no entity expansion, no external fetch)",
                    ));
                }
            }
            _ => {}
        }
        if oversize && !matches!(ev, Event::Text(_) | Event::CData(_)) {
            return Err(self.fatal(
                "segment_too_large",
                format!("a markup run is longer than {MAX_TEXT_BYTES} bytes"),
            ));
        }
        Ok((ev, oversize))
    }
}

// ---------------------------------------------------------------------------
// Small XML text helpers.

/// Problems found while decoding text or attribute values; they only spoil
/// the current unit.
fn escape_problem(e: &quick_xml::escape::EscapeError) -> (&'static str, String) {
    match e {
        quick_xml::escape::EscapeError::UnrecognizedEntity(_, name) => (
            "unknown_entity",
            format!("unknown entity `&{name};` (only the five XML entities are allowed)"),
        ),
        other => ("bad_reference", format!("bad character reference: {other}")),
    }
}

fn utf8(raw: &[u8]) -> Result<&str, (&'static str, String)> {
    std::str::from_utf8(raw).map_err(|e| ("invalid_encoding", format!("not UTF-8: {e}")))
}

/// Appends the unescaped form of raw text, normalising literal line breaks
/// the XML way (`\r\n` and lone `\r` → `\n`; `&#13;` stays `\r`).
fn push_unescaped(out: &mut String, raw: &[u8]) -> Result<(), (&'static str, String)> {
    push_unescaped_str(out, utf8(raw)?)
}

/// [`push_unescaped`] for text already known to be UTF-8.
fn push_unescaped_str(out: &mut String, s: &str) -> Result<(), (&'static str, String)> {
    let has_cr = s.contains('\r');
    if !has_cr && !s.contains('&') {
        out.push_str(s);
        return Ok(());
    }
    let normalized;
    let s = if has_cr {
        normalized = s.replace("\r\n", "\n").replace('\r', "\n");
        normalized.as_str()
    } else {
        s
    };
    let text = quick_xml::escape::unescape(s).map_err(|e| escape_problem(&e))?;
    out.push_str(&text);
    Ok(())
}

/// The unescaped value of attribute `name` (exact raw name), if present.
fn attr(e: &BytesStart, name: &[u8]) -> Result<Option<String>, AttrProblem> {
    for a in super::xml::attributes(e) {
        let a = a.map_err(|e| AttrProblem::Malformed(e.to_string()))?;
        if a.key.as_ref() == name {
            let raw = utf8(&a.value).map_err(|(c, m)| AttrProblem::Value(c, m))?;
            let v = quick_xml::escape::unescape(raw).map_err(|e| {
                let (c, m) = escape_problem(&e);
                AttrProblem::Value(c, m)
            })?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

enum AttrProblem {
    /// The tag is not well-formed: fatal.
    Malformed(String),
    /// A value could not be decoded: spoils the unit.
    Value(&'static str, String),
}

/// Base subtag (`ar` of `ar-SA`), lower-cased.
fn base(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Parses a TMX date (`20240131T235959Z`) or, failing that, RFC 3339.
pub(super) fn parse_tmx_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, TMX_DATE)
        .map(|n| n.and_utc())
        .ok()
        .or_else(|| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|d| d.with_timezone(&Utc))
        })
}

fn is_code(name: &[u8]) -> bool {
    matches!(name, b"bpt" | b"ept" | b"ph" | b"it" | b"ut")
}

// ---------------------------------------------------------------------------
// Seg content: plain text + raw markup.

/// Builds a seg's plain text and raw inner markup from its events.
#[derive(Debug, Default)]
struct SegBuilder {
    text: String,
    raw: String,
    has_inline: bool,
    /// For each open inline element: whether it is a code element.
    open: Vec<bool>,
    code_depth: u32,
    code_start: usize,
    code_label: String,
}

impl SegBuilder {
    fn text(&mut self, raw: &[u8]) -> Result<(), (&'static str, String)> {
        let s = utf8(raw)?;
        self.raw.push_str(s);
        push_unescaped_str(&mut self.text, s)
    }

    fn cdata(&mut self, raw: &[u8]) -> Result<(), (&'static str, String)> {
        let s = utf8(raw)?;
        self.raw.push_str("<![CDATA[");
        self.raw.push_str(s);
        self.raw.push_str("]]>");
        self.text.push_str(s);
        Ok(())
    }

    /// `{ph1}`: what an empty code element stands for in the plain text.
    fn label(e: &BytesStart) -> String {
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        let id = attr(e, b"x")
            .ok()
            .flatten()
            .or_else(|| attr(e, b"i").ok().flatten())
            .unwrap_or_default();
        let id: String = id.chars().filter(|c| c.is_alphanumeric()).collect();
        format!("{{{name}{id}}}")
    }

    fn start(&mut self, e: &BytesStart) -> Result<(), (&'static str, String)> {
        self.has_inline = true;
        self.raw.push('<');
        self.raw.push_str(utf8(e)?);
        self.raw.push('>');
        let code = is_code(e.name().as_ref());
        if code {
            if self.code_depth == 0 {
                self.code_start = self.text.len();
                self.code_label = Self::label(e);
            }
            self.code_depth += 1;
        }
        self.open.push(code);
        Ok(())
    }

    fn empty(&mut self, e: &BytesStart) -> Result<(), (&'static str, String)> {
        self.has_inline = true;
        self.raw.push('<');
        self.raw.push_str(utf8(e)?);
        self.raw.push_str("/>");
        if is_code(e.name().as_ref()) && self.code_depth == 0 {
            self.text.push_str(&Self::label(e));
        }
        Ok(())
    }

    fn end(&mut self, e: &BytesEnd) -> Result<(), (&'static str, String)> {
        self.raw.push_str("</");
        self.raw.push_str(utf8(e.name().as_ref())?);
        self.raw.push('>');
        if self.open.pop() == Some(true) {
            self.code_depth = self.code_depth.saturating_sub(1);
            if self.code_depth == 0 && self.text.len() == self.code_start {
                let label = std::mem::take(&mut self.code_label);
                self.text.push_str(&label);
            }
        }
        Ok(())
    }

    fn comment(&mut self, raw: &[u8]) -> Result<(), (&'static str, String)> {
        self.raw.push_str("<!--");
        self.raw.push_str(utf8(raw)?);
        self.raw.push_str("-->");
        Ok(())
    }

    fn size(&self) -> usize {
        self.text.len() + self.raw.len()
    }

    fn into_parts(self) -> (String, Option<String>) {
        let markup = self.has_inline.then_some(self.raw);
        (self.text, markup)
    }
}

/// The plain text a seg's inner markup stands for, by the reader's rules;
/// `None` when the markup is not a well-formed fragment.
fn render_markup(markup: &str) -> Option<String> {
    let mut r = quick_xml::Reader::from_str(markup);
    let mut seg = SegBuilder::default();
    let mut depth = 0usize;
    loop {
        match r.read_event().ok()? {
            Event::Start(e) => {
                depth += 1;
                seg.start(&e).ok()?;
            }
            Event::End(e) => {
                depth = depth.checked_sub(1)?;
                seg.end(&e).ok()?;
            }
            Event::Empty(e) => seg.empty(&e).ok()?,
            Event::Text(t) => seg.text(&t).ok()?,
            Event::CData(c) => seg.cdata(&c).ok()?,
            Event::Comment(c) => seg.comment(&c).ok()?,
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::DocType(_) => return None,
        }
    }
    (depth == 0).then_some(seg.text)
}

// ---------------------------------------------------------------------------
// The reader.

/// One `<tuv>` kept while reading a `<tu>`.
#[derive(Debug, Default)]
struct Tuv {
    lang: String,
    seg: SegBuilder,
    seg_seen: bool,
    props: Vec<(String, String)>,
    notes: Vec<String>,
}

/// Where we are inside a `<tu>`.
#[derive(Debug)]
enum Elem {
    Prop(String),
    Note,
    /// A `<tuv>`; index into the kept tuvs, `None` when its language is
    /// neither side of the pair.
    Tuv(Option<usize>),
    Seg,
    Inline,
    Other,
}

/// Streaming TMX reader yielding one [`UnitDraft`] per `<tu>`.
///
/// [`TmxReader::new`] reads the prolog and the `<header>`, so fatal problems
/// found there (not TMX, a DTD, bad encoding) come back from `new`; later
/// ones come from the iterator as described in [`crate::formats`].
pub struct TmxReader<'a> {
    xml: Xml<'a>,
    buf: Vec<u8>,
    source_lang: String,
    target_lang: String,
    source_base: String,
    target_base: String,
    header: Option<TmxHeader>,
    /// A `<tu>` met while still looking for the header (file without one).
    stashed_tu: Option<BytesStart<'static>>,
    done: bool,
    /// [`MAX_UNIT_BYTES`] (scaled with the text limit in tests).
    unit_limit: usize,
}

impl<'a> TmxReader<'a> {
    /// Opens a TMX stream for the memory pair (`source_lang`, `target_lang`).
    pub fn new(
        input: impl Read + 'a,
        source_lang: &str,
        target_lang: &str,
    ) -> Result<Self, FormatError> {
        Self::with_limit(input, source_lang, target_lang, MAX_TEXT_BYTES)
    }

    fn with_limit(
        input: impl Read + 'a,
        source_lang: &str,
        target_lang: &str,
        limit: u64,
    ) -> Result<Self, FormatError> {
        let (decoded, _) = decoded_reader(input)?;
        let reader = quick_xml::Reader::from_reader(Counted::new(decoded, limit));
        let mut me = TmxReader {
            xml: Xml { reader, depth: 0 },
            buf: Vec::with_capacity(4096),
            source_lang: source_lang.trim().to_string(),
            target_lang: target_lang.trim().to_string(),
            source_base: base(source_lang),
            target_base: base(target_lang),
            header: None,
            stashed_tu: None,
            unit_limit: usize::try_from(limit.saturating_mul(4)).unwrap_or(usize::MAX),
            done: false,
        };
        me.read_prolog()?;
        Ok(me)
    }

    /// The `<header>` attributes, props and notes, if the file had one.
    pub fn header(&self) -> Option<&TmxHeader> {
        self.header.as_ref()
    }

    /// The `xml:lang` tags of the `<tuv>`s of the next `max_units` units,
    /// distinct (case-insensitively), in order of appearance; stops early at
    /// the end of the file or at anything it cannot read.
    pub fn languages(mut self, max_units: usize) -> Vec<String> {
        let mut langs: Vec<String> = Vec::new();
        let mut units = 0;
        let mut buf = Vec::new();
        while units < max_units {
            let Ok((ev, _)) = self.xml.next(&mut buf) else {
                break;
            };
            match ev {
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"tuv" => {
                    let lang = attr(&e, b"xml:lang")
                        .ok()
                        .flatten()
                        .or_else(|| attr(&e, b"lang").ok().flatten());
                    if let Some(l) = lang {
                        if !langs.iter().any(|k| k.eq_ignore_ascii_case(&l)) {
                            langs.push(l);
                        }
                    }
                }
                Event::End(e) if e.name().as_ref() == b"tu" => units += 1,
                Event::Eof => break,
                _ => {}
            }
        }
        langs
    }

    /// Reads up to the end of `<header>` (or the start of `<body>`).
    fn read_prolog(&mut self) -> Result<(), FormatError> {
        let mut buf = std::mem::take(&mut self.buf);
        let mut version = None;
        let mut root_seen = false;
        let result = loop {
            let (ev, _) = match self.xml.next(&mut buf) {
                Ok(x) => x,
                Err(e) => break Err(e),
            };
            match ev {
                Event::Start(e) | Event::Empty(e) if !root_seen => {
                    if e.name().as_ref() != b"tmx" {
                        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                        break Err(self
                            .xml
                            .fatal("not_tmx", format!("root element is <{name}>, not <tmx>")));
                    }
                    root_seen = true;
                    version = attr(&e, b"version").ok().flatten();
                    if self.xml.depth == 0 {
                        // `<tmx/>`: nothing inside.
                        self.done = true;
                        break Ok(());
                    }
                }
                Event::Start(e) if e.name().as_ref() == b"header" => {
                    let mut h = header_attrs(&e);
                    let r = self.read_header_body(&mut buf, &mut h);
                    h.version = version.take();
                    self.header = Some(h);
                    break r;
                }
                Event::Empty(e) if e.name().as_ref() == b"header" => {
                    let mut h = header_attrs(&e);
                    h.version = version.take();
                    self.header = Some(h);
                    break Ok(());
                }
                Event::Start(e) if e.name().as_ref() == b"body" => break Ok(()),
                Event::Start(e) if e.name().as_ref() == b"tu" => {
                    self.stashed_tu = Some(e.into_owned());
                    break Ok(());
                }
                Event::Eof => {
                    if !root_seen {
                        break Err(self.xml.fatal("not_tmx", "no <tmx> root element found"));
                    }
                    self.done = true;
                    break if self.xml.depth > 0 {
                        Err(self.xml.fatal("malformed_xml", "input ends inside <tmx>"))
                    } else {
                        Ok(())
                    };
                }
                _ => {}
            }
        };
        self.buf = buf;
        result
    }

    fn read_header_body(
        &mut self,
        buf: &mut Vec<u8>,
        h: &mut TmxHeader,
    ) -> Result<(), FormatError> {
        let header_depth = self.xml.depth;
        let mut capture: Option<(Option<String>, String)> = None;
        loop {
            let (ev, _) = self.xml.next(buf)?;
            match ev {
                Event::Start(e) if self.xml.depth == header_depth + 1 => match e.name().as_ref() {
                    b"prop" => {
                        let t = attr(&e, b"type").ok().flatten().unwrap_or_default();
                        capture = Some((Some(t), String::new()));
                    }
                    b"note" => capture = Some((None, String::new())),
                    _ => {}
                },
                Event::Text(t) => {
                    if let Some((_, s)) = capture.as_mut() {
                        if push_unescaped(s, &t).is_err() {
                            s.push_str(&String::from_utf8_lossy(&t));
                        }
                    }
                }
                Event::End(_) if self.xml.depth == header_depth => match capture.take() {
                    Some((Some(t), v)) => h.props.push((t, v)),
                    Some((None, v)) => h.notes.push(v),
                    None => {}
                },
                Event::End(_) if self.xml.depth < header_depth => return Ok(()),
                Event::Eof => {
                    return Err(self
                        .xml
                        .fatal("malformed_xml", "input ends inside <header>"))
                }
                _ => {}
            }
        }
    }

    /// Reads events up to the next `<tu>` and returns it; `Ok(None)` at the
    /// end of the document.
    fn advance(&mut self) -> Result<Option<Result<UnitDraft, FormatError>>, FormatError> {
        let mut buf = std::mem::take(&mut self.buf);
        let result = self.advance_with(&mut buf);
        self.buf = buf;
        result
    }

    fn advance_with(
        &mut self,
        buf: &mut Vec<u8>,
    ) -> Result<Option<Result<UnitDraft, FormatError>>, FormatError> {
        if let Some(tu) = self.stashed_tu.take() {
            return self.read_tu(&tu, buf).map(Some);
        }
        loop {
            let (ev, _) = self.xml.next(buf)?;
            match ev {
                Event::Start(e) if e.name().as_ref() == b"tu" => {
                    let tu = e.into_owned();
                    return self.read_tu(&tu, buf).map(Some);
                }
                Event::Empty(e) if e.name().as_ref() == b"tu" => {
                    let (line, column) = self.xml.start_of(&e);
                    return Ok(Some(Err(FormatError::row(
                        "missing_language",
                        "empty <tu/> has no <tuv>",
                    )
                    .at(Some(line), Some(column.saturating_sub(1).max(1))))));
                }
                Event::Eof => {
                    if self.xml.depth > 0 {
                        return Err(self.xml.fatal(
                            "malformed_xml",
                            "input ends before </tmx> (truncated file?)",
                        ));
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
    }

    /// Reads one `<tu>` (its start tag already consumed) through `</tu>`.
    /// The outer error is fatal; the inner one spoils this unit only.
    fn read_tu(
        &mut self,
        tu: &BytesStart,
        buf: &mut Vec<u8>,
    ) -> Result<Result<UnitDraft, FormatError>, FormatError> {
        let (line, column) = self.xml.start_of(tu);
        let mut spoiled: Option<(&'static str, String)> = None;
        let mut draft = UnitDraft {
            position: Some((line, column)),
            ..UnitDraft::default()
        };
        let mut tuid = None;
        match read_tu_attrs(tu, &mut draft) {
            Ok(id) => tuid = id,
            Err(AttrProblem::Malformed(m)) => {
                return Err(self.xml.fatal("malformed_xml", m));
            }
            Err(AttrProblem::Value(c, m)) => spoiled = Some((c, m)),
        }
        let mut tuvs: Vec<Tuv> = Vec::new();
        let mut stack: Vec<Elem> = Vec::new();
        let mut capture = String::new();
        // Props and notes kept so far (they count towards the unit cap, so
        // a unit made of millions of props cannot exhaust memory).
        let mut meta_bytes = 0usize;
        loop {
            let (ev, oversize) = self.xml.next(buf)?;
            if oversize && spoiled.is_none() {
                spoiled = Some((
                    "segment_too_large",
                    format!("a text node is longer than {MAX_TEXT_BYTES} bytes"),
                ));
            }
            // Once spoiled, only track nesting until `</tu>`.
            let live = spoiled.is_none();
            let in_seg = stack.iter().any(|e| matches!(e, Elem::Seg));
            let cur_tuv = stack.iter().rev().find_map(|e| match e {
                Elem::Tuv(i) => Some(*i),
                _ => None,
            });
            let seg = match (in_seg, cur_tuv) {
                (true, Some(Some(i))) if live => tuvs.get_mut(i).map(|t| &mut t.seg),
                _ => None,
            };
            let step: Result<(), (&'static str, String)> = match ev {
                Event::Start(e) => {
                    let elem = if let Some(seg) = seg {
                        seg.start(&e).map(|_| Elem::Inline)
                    } else if in_seg {
                        Ok(Elem::Inline)
                    } else {
                        match e.name().as_ref() {
                            b"prop" => {
                                capture.clear();
                                match attr(&e, b"type") {
                                    Ok(t) => Ok(Elem::Prop(t.unwrap_or_default())),
                                    Err(AttrProblem::Value(c, m)) => Err((c, m)),
                                    Err(AttrProblem::Malformed(m)) => {
                                        return Err(self.xml.fatal("malformed_xml", m))
                                    }
                                }
                            }
                            b"note" => {
                                capture.clear();
                                Ok(Elem::Note)
                            }
                            b"tuv" => self.open_tuv(&e, &mut tuvs)?,
                            b"seg" => {
                                if let Some(Some(i)) = cur_tuv {
                                    if let Some(t) = tuvs.get_mut(i) {
                                        t.seg_seen = true;
                                    }
                                }
                                Ok(Elem::Seg)
                            }
                            _ => Ok(Elem::Other),
                        }
                    };
                    match elem {
                        Ok(el) => {
                            stack.push(el);
                            Ok(())
                        }
                        Err(p) => {
                            stack.push(Elem::Other);
                            Err(p)
                        }
                    }
                }
                Event::Empty(e) => {
                    if let Some(seg) = seg {
                        seg.empty(&e)
                    } else if !in_seg && e.name().as_ref() == b"seg" {
                        if let Some(Some(i)) = cur_tuv {
                            if let Some(t) = tuvs.get_mut(i) {
                                t.seg_seen = true;
                            }
                        }
                        Ok(())
                    } else {
                        Ok(())
                    }
                }
                Event::Text(t) => {
                    if let Some(seg) = seg {
                        seg.text(&t)
                    } else if live && matches!(stack.last(), Some(Elem::Prop(_) | Elem::Note)) {
                        push_unescaped(&mut capture, &t)
                    } else {
                        Ok(())
                    }
                }
                Event::CData(c) => {
                    if let Some(seg) = seg {
                        seg.cdata(&c)
                    } else if live && matches!(stack.last(), Some(Elem::Prop(_) | Elem::Note)) {
                        utf8(&c).map(|s| capture.push_str(s))
                    } else {
                        Ok(())
                    }
                }
                Event::Comment(c) => match seg {
                    Some(seg) => seg.comment(&c),
                    None => Ok(()),
                },
                Event::End(e) => match stack.pop() {
                    None => break,
                    Some(Elem::Inline) => match seg {
                        Some(seg) => seg.end(&e),
                        None => Ok(()),
                    },
                    Some(Elem::Prop(t)) => {
                        let value = std::mem::take(&mut capture);
                        meta_bytes += t.len() + value.len() + 64;
                        match cur_tuv {
                            Some(Some(i)) => {
                                if let Some(tuv) = tuvs.get_mut(i) {
                                    tuv.props.push((t, value));
                                }
                            }
                            Some(None) => {}
                            None => draft.props.push((t, value)),
                        }
                        Ok(())
                    }
                    Some(Elem::Note) => {
                        let value = std::mem::take(&mut capture);
                        meta_bytes += value.len() + 32;
                        match cur_tuv {
                            Some(Some(i)) => {
                                if let Some(tuv) = tuvs.get_mut(i) {
                                    tuv.notes.push(value);
                                }
                            }
                            Some(None) => {}
                            None => draft.notes.push(value),
                        }
                        Ok(())
                    }
                    Some(Elem::Tuv(_) | Elem::Seg | Elem::Other) => Ok(()),
                },
                Event::Eof => {
                    return Err(self
                        .xml
                        .fatal("malformed_xml", "input ends inside <tu> (truncated file?)"))
                }
                Event::Decl(_) | Event::PI(_) | Event::DocType(_) => Ok(()),
            };
            if let Err(p) = step {
                if spoiled.is_none() {
                    spoiled = Some(p);
                }
            }
            if spoiled.is_none() {
                let size =
                    tuvs.iter().map(|t| t.seg.size()).sum::<usize>() + capture.len() + meta_bytes;
                if size > self.unit_limit {
                    spoiled = Some((
                        "unit_too_large",
                        format!("the unit holds more than {} bytes of text", self.unit_limit),
                    ));
                }
            }
        }
        // An export of ours writes a tuid that was not unique in its memory
        // as this prop (and its own id as the tuid).
        if let Some(i) = draft.props.iter().position(|(t, _)| t == "x-tuid") {
            tuid = Some(draft.props.remove(i).1);
        }
        let id = tuid
            .as_ref()
            .map(|t| format!(" (tuid {t})"))
            .unwrap_or_default();
        if let Some((code, msg)) = spoiled {
            return Ok(Err(
                FormatError::row(code, format!("{msg}{id}")).at(Some(line), Some(column))
            ));
        }
        draft.tuid = tuid;
        Ok(self.finish_tu(draft, tuvs, &id))
    }

    /// Opens a `<tuv>`: kept when its language is one side of the pair.
    fn open_tuv(
        &self,
        e: &BytesStart,
        tuvs: &mut Vec<Tuv>,
    ) -> Result<Result<Elem, (&'static str, String)>, FormatError> {
        let lang = match attr(e, b"xml:lang") {
            Ok(Some(l)) => Some(l),
            Ok(None) => match attr(e, b"lang") {
                Ok(l) => l,
                Err(AttrProblem::Value(c, m)) => return Ok(Err((c, m))),
                Err(AttrProblem::Malformed(m)) => return Err(self.xml.fatal("malformed_xml", m)),
            },
            Err(AttrProblem::Value(c, m)) => return Ok(Err((c, m))),
            Err(AttrProblem::Malformed(m)) => return Err(self.xml.fatal("malformed_xml", m)),
        };
        let Some(lang) = lang else {
            return Ok(Ok(Elem::Tuv(None)));
        };
        let b = base(&lang);
        if b != self.source_base && b != self.target_base {
            return Ok(Ok(Elem::Tuv(None)));
        }
        tuvs.push(Tuv {
            lang,
            ..Tuv::default()
        });
        Ok(Ok(Elem::Tuv(Some(tuvs.len() - 1))))
    }

    /// Picks the pair's tuvs and fills the draft.
    fn finish_tu(
        &self,
        mut draft: UnitDraft,
        mut tuvs: Vec<Tuv>,
        id: &str,
    ) -> Result<UnitDraft, FormatError> {
        let (line, column) = draft.position.unzip();
        let pick = |tuvs: &[Tuv], tag: &str, b: &str, skip: Option<usize>| -> Option<usize> {
            let ok = |i: &usize| Some(*i) != skip && tuvs[*i].seg_seen;
            (0..tuvs.len())
                .filter(ok)
                .find(|&i| tuvs[i].lang.eq_ignore_ascii_case(tag))
                .or_else(|| {
                    (0..tuvs.len())
                        .filter(ok)
                        .find(|&i| base(&tuvs[i].lang) == b)
                })
        };
        let src = pick(&tuvs, &self.source_lang, &self.source_base, None);
        let tgt = pick(&tuvs, &self.target_lang, &self.target_base, src);
        let (Some(src), Some(tgt)) = (src, tgt) else {
            let missing = if src.is_none() {
                &self.source_lang
            } else {
                &self.target_lang
            };
            return Err(FormatError::row(
                "missing_language",
                format!("unit has no <tuv> with a <seg> in language '{missing}'{id}"),
            )
            .at(line, column));
        };
        let t = std::mem::take(&mut tuvs[tgt]);
        let s = std::mem::take(&mut tuvs[src]);
        draft.source_meta.props = s.props;
        draft.source_meta.notes = s.notes;
        draft.target_meta.props = t.props;
        draft.target_meta.notes = t.notes;
        let (source, source_markup) = s.seg.into_parts();
        let (target, target_markup) = t.seg.into_parts();
        for (side, text) in [("source", &source), ("target", &target)] {
            if text.is_empty() {
                return Err(FormatError::row(
                    "empty_segment",
                    format!("the {side} segment is empty{id}"),
                )
                .at(line, column));
            }
            if text.trim().is_empty() {
                return Err(FormatError::row(
                    "blank_segment",
                    format!("the {side} segment is only whitespace{id}; unit skipped"),
                )
                .at(line, column));
            }
        }
        draft.source = source;
        draft.target = target;
        draft.source_markup = source_markup;
        draft.target_markup = target_markup;
        draft.source_lang = s.lang;
        draft.target_lang = t.lang;
        // The unit's props first, then the source tuv's.
        let props = [&draft.props[..], &draft.source_meta.props[..]].concat();
        draft.origin = prop(&props, "x-origin");
        draft.context = prop(&props, "x-context").or_else(|| {
            match (
                prop(&props, "x-context-pre"),
                prop(&props, "x-context-post"),
            ) {
                (None, None) => None,
                (Some(p), None) => Some(p),
                (None, Some(n)) => Some(n),
                (Some(p), Some(n)) => Some(format!("{p}\n{n}")),
            }
        });
        take_precise_times(&mut draft);
        Ok(draft)
    }
}

/// `<prop type>` carrying a unit's `created` and `modified` to the
/// nanosecond (RFC 3339, space-separated): TMX dates hold whole seconds,
/// and a backup must give back the times it saved.
const PRECISE_TIMES_PROP: &str = "x-mustalah-times";

/// Moves the precise times of [`PRECISE_TIMES_PROP`] into the draft (they
/// win over the attributes' whole seconds); a value that does not parse is
/// dropped.
fn take_precise_times(draft: &mut UnitDraft) {
    let Some(pos) = draft
        .props
        .iter()
        .position(|(k, _)| k == PRECISE_TIMES_PROP)
    else {
        return;
    };
    let (_, value) = draft.props.remove(pos);
    let mut times = value.split_whitespace().map(|t| {
        DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    });
    if let (Some(Some(created)), Some(Some(modified))) = (times.next(), times.next()) {
        draft.created = Some(created);
        draft.modified = Some(modified);
    }
}

fn prop(props: &[(String, String)], kind: &str) -> Option<String> {
    props
        .iter()
        .find(|(t, _)| t == kind)
        .map(|(_, v)| v.clone())
}

fn header_attrs(e: &BytesStart) -> TmxHeader {
    let get = |n: &[u8]| attr(e, n).ok().flatten();
    TmxHeader {
        srclang: get(b"srclang"),
        creationtool: get(b"creationtool"),
        creationtoolversion: get(b"creationtoolversion"),
        o_tmf: get(b"o-tmf"),
        datatype: get(b"datatype"),
        adminlang: get(b"adminlang"),
        segtype: get(b"segtype"),
        ..TmxHeader::default()
    }
}

/// Fills dates and creator from `<tu>` attributes; returns the `tuid`.
fn read_tu_attrs(e: &BytesStart, draft: &mut UnitDraft) -> Result<Option<String>, AttrProblem> {
    let mut tuid = None;
    for a in super::xml::attributes(e) {
        let a = a.map_err(|e| AttrProblem::Malformed(e.to_string()))?;
        let key = a.key.as_ref();
        if !matches!(
            key,
            b"tuid" | b"creationdate" | b"changedate" | b"creationid"
        ) {
            continue;
        }
        let raw = utf8(&a.value).map_err(|(c, m)| AttrProblem::Value(c, m))?;
        let v = quick_xml::escape::unescape(raw)
            .map_err(|e| {
                let (c, m) = escape_problem(&e);
                AttrProblem::Value(c, m)
            })?
            .into_owned();
        match key {
            b"tuid" => tuid = Some(v),
            // A bad date is ignored on purpose: the text is what matters.
            b"creationdate" => draft.created = parse_tmx_date(&v),
            b"changedate" => draft.modified = parse_tmx_date(&v),
            _ => draft.created_by = Some(v).filter(|s| !s.is_empty()),
        }
    }
    Ok(tuid)
}

impl Iterator for TmxReader<'_> {
    type Item = Result<UnitDraft, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.advance() {
            Ok(Some(item)) => Some(item),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(fatal) => {
                self.done = true;
                Some(Err(fatal))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The writer.

/// Whether XML 1.0 allows the character at all (C0 controls other than
/// TAB/LF/CR and U+FFFE/U+FFFF are not allowed, even as references).
fn xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Escapes element text: `&<>`, `\r` as `&#13;` (a literal CR would be
/// normalised away by any XML reader). Characters XML 1.0 cannot carry are
/// dropped (documented loss).
fn escape_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// Escapes an attribute value; whitespace other than space is written as
/// references because readers normalise literal TAB/LF/CR to spaces there.
fn escape_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

fn push_attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape_attr(out, value);
    out.push('"');
}

fn push_elem(out: &mut String, open: &str, close: &str, text: &str) {
    out.push_str(open);
    escape_text(out, text);
    out.push_str(close);
}

fn push_props(out: &mut String, props: &[(String, String)]) {
    for (kind, value) in props {
        out.push_str("<prop");
        push_attr(out, "type", kind);
        out.push('>');
        escape_text(out, value);
        out.push_str("</prop>");
    }
}

/// Streams translation units out as a TMX 1.4b document.
///
/// Every unit becomes one `<tu>` with two `<tuv xml:lang>`; a seg is written
/// from its stored markup when that markup still renders to the unit's
/// text (so an edited unit never exports stale markup), else from the
/// escaped text. Characters XML 1.0 cannot carry (C0 controls other than
/// TAB/LF/CR, U+FFFE, U+FFFF) are dropped.
pub struct TmxWriter<W: Write> {
    out: W,
    scratch: String,
}

impl<W: Write> TmxWriter<W> {
    /// Writes the XML declaration, `<tmx version="1.4">`, the `<header>` and
    /// opens `<body>`.
    pub fn new(out: W, source_lang: &str, creation_tool_version: &str) -> io::Result<Self> {
        Self::with_header(out, source_lang, creation_tool_version, &[], &[])
    }

    /// [`TmxWriter::new`] with `<prop>`s and `<note>`s in the `<header>`
    /// (a memory's imported header metadata).
    pub fn with_header(
        mut out: W,
        source_lang: &str,
        creation_tool_version: &str,
        props: &[(String, String)],
        notes: &[String],
    ) -> io::Result<Self> {
        let mut s = String::with_capacity(512);
        s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.push_str("<!DOCTYPE tmx SYSTEM \"tmx14.dtd\">\n");
        s.push_str("<tmx version=\"1.4\">\n<header");
        push_attr(&mut s, "creationtool", "mustalah");
        push_attr(&mut s, "creationtoolversion", creation_tool_version);
        push_attr(&mut s, "segtype", "sentence");
        push_attr(&mut s, "o-tmf", "mustalah");
        push_attr(&mut s, "adminlang", "en");
        push_attr(&mut s, "srclang", source_lang);
        push_attr(&mut s, "datatype", "plaintext");
        if props.is_empty() && notes.is_empty() {
            s.push_str("/>\n<body>\n");
        } else {
            s.push_str(">\n");
            for note in notes {
                push_elem(&mut s, "<note>", "</note>\n", note);
            }
            push_props(&mut s, props);
            s.push_str("</header>\n<body>\n");
        }
        out.write_all(s.as_bytes())?;
        Ok(TmxWriter {
            out,
            scratch: String::with_capacity(1024),
        })
    }

    /// Writes one `<tu>`, its `tuid` being the unit's original one when it
    /// has one, else its id.
    pub fn write_unit(&mut self, u: &TranslationUnit) -> io::Result<()> {
        self.write_unit_with(u, true)
    }

    /// Writes one `<tu>`. `tuid_unique`: whether the unit's original tuid
    /// is unique among the units written; when not, the tu gets the unit's
    /// id as `tuid` and the original in an `x-tuid` prop (which the reader
    /// takes back as the tuid).
    pub fn write_unit_with(&mut self, u: &TranslationUnit, tuid_unique: bool) -> io::Result<()> {
        let s = &mut self.scratch;
        s.clear();
        s.push_str("<tu");
        let own_id = u.id.to_string();
        let (tuid, tuid_prop) = match &u.tuid {
            Some(t) if tuid_unique => (t.as_str(), None),
            Some(t) => (own_id.as_str(), Some(t.as_str())),
            None => (own_id.as_str(), None),
        };
        push_attr(s, "tuid", tuid);
        push_attr(s, "creationdate", &u.created.format(TMX_DATE).to_string());
        push_attr(s, "changedate", &u.modified.format(TMX_DATE).to_string());
        if let Some(by) = &u.created_by {
            push_attr(s, "creationid", by);
        }
        s.push('>');
        for note in &u.notes {
            push_elem(s, "<note>", "</note>", note);
        }
        if let Some(t) = tuid_prop {
            push_elem(s, "<prop type=\"x-tuid\">", "</prop>", t);
        }
        if let Some(origin) = &u.origin {
            push_elem(s, "<prop type=\"x-origin\">", "</prop>", origin);
        }
        if let Some(context) = &u.context {
            push_elem(s, "<prop type=\"x-context\">", "</prop>", context);
        }
        if u.created.timestamp_subsec_nanos() != 0 || u.modified.timestamp_subsec_nanos() != 0 {
            let digits = chrono::SecondsFormat::AutoSi;
            let times = format!(
                "{} {}",
                u.created.to_rfc3339_opts(digits, true),
                u.modified.to_rfc3339_opts(digits, true)
            );
            push_elem(s, "<prop type=\"x-mustalah-times\">", "</prop>", &times);
        }
        let own: Vec<(String, String)> = u
            .props
            .iter()
            // The origin and context are written above; another value of
            // theirs (merged from a duplicate) is kept as a prop.
            .filter(|(k, v)| match k.as_str() {
                "x-origin" => u.origin.as_ref() != Some(v),
                "x-context" => u.context.as_ref() != Some(v),
                "x-tuid" => false,
                k if k == PRECISE_TIMES_PROP => false,
                _ => true,
            })
            .cloned()
            .collect();
        push_props(s, &own);
        for (lang, text, markup, meta) in [
            (&u.source_lang, &u.source, &u.source_markup, &u.source_meta),
            (&u.target_lang, &u.target, &u.target_markup, &u.target_meta),
        ] {
            s.push_str("<tuv");
            push_attr(s, "xml:lang", lang);
            s.push('>');
            for note in &meta.notes {
                push_elem(s, "<note>", "</note>", note);
            }
            push_props(s, &meta.props);
            s.push_str("<seg>");
            match markup {
                Some(m) if render_markup(m).as_deref() == Some(text.as_str()) => s.push_str(m),
                _ => escape_text(s, text),
            }
            s.push_str("</seg></tuv>");
        }
        s.push_str("</tu>\n");
        self.out.write_all(s.as_bytes())
    }

    /// Closes `<body>` and `<tmx>`, flushes, and hands the sink back.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"</body>\n</tmx>\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/memory/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).expect("fixture present")
    }

    fn read_all(bytes: &[u8], src: &str, tgt: &str) -> Vec<Result<UnitDraft, FormatError>> {
        TmxReader::new(bytes, src, tgt).expect("opens").collect()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
            .single()
            .expect("valid date")
    }

    fn check_small(items: &[Result<UnitDraft, FormatError>]) {
        assert_eq!(items.len(), 6, "{items:#?}");
        let u1 = items[0].as_ref().expect("tu 1");
        assert_eq!(u1.source, "Open the file");
        assert_eq!(u1.target, "افتح الملف");
        assert_eq!(
            (u1.source_lang.as_str(), u1.target_lang.as_str()),
            ("en-US", "ar-SA")
        );
        assert_eq!(u1.origin.as_deref(), Some("gedit/gedit"));
        assert_eq!(u1.context.as_deref(), Some("menu.file"));
        assert_eq!(u1.created_by.as_deref(), Some("hala"));
        assert_eq!(u1.created, Some(utc(2024, 1, 15, 9, 30, 0)));
        assert_eq!(u1.modified, Some(utc(2024, 2, 1, 12, 0, 0)));
        assert_eq!(u1.notes, vec!["Imperative form.".to_string()]);
        // Tuv props are the tuv's, not the unit's.
        assert_eq!(
            u1.target_meta.props,
            vec![("x-variant".to_string(), "msa".to_string())]
        );
        assert_eq!(u1.tuid.as_deref(), Some("1"));
        assert_eq!(u1.position, Some((9, 3)));
        assert_eq!(
            u1.props,
            vec![
                ("x-origin".to_string(), "gedit/gedit".to_string()),
                ("x-context".to_string(), "menu.file".to_string()),
            ]
        );
        assert_eq!(
            (u1.source_markup.as_ref(), u1.target_markup.as_ref()),
            (None, None)
        );

        let u2 = items[1].as_ref().expect("tu 2");
        assert_eq!(u2.source, "Click <b>Save</b> to keep your files{ph2}");
        assert_eq!(u2.target, "انقر <b>حفظ</b> للاحتفاظ بملفاتك{ph2}");
        assert_eq!(
            u2.target_markup.as_deref(),
            Some(
                "انقر <bpt i=\"1\" x=\"1\" type=\"bold\">&lt;b&gt;</bpt>حفظ\
                 <ept i=\"1\">&lt;/b&gt;</ept> للاحتفاظ بملفاتك<ph x=\"2\"/>"
            )
        );
        assert!(u2
            .source_markup
            .as_deref()
            .is_some_and(|m| m.starts_with("Click <bpt")));

        let u3 = items[2].as_ref().expect("tu 3");
        assert_eq!(u3.source, "  Save as… ");
        assert_eq!(u3.target, " حفظ باسم…\r\nبالملف");
        assert_eq!(u3.created, None, "bad date is ignored");
        assert_eq!(u3.source_meta.notes, vec!["source-side note".to_string()]);
        assert!(u3.notes.is_empty());
        assert_eq!(u3.tuid.as_deref(), Some("3"));

        let e4 = items[3].as_ref().expect_err("tu 4 has no Arabic");
        assert_eq!((e4.code, e4.fatal), ("missing_language", false));
        assert!(e4.line.is_some_and(|l| l > 20), "{e4:?}");

        let u5 = items[4].as_ref().expect("tu 5");
        assert_eq!(u5.source, "The <b>files</b> & folders");
        assert_eq!(u5.target, "الملفات & المجلدات المحفوظة");
        assert_eq!(u5.source_markup, None, "escaped markup is text");
        assert_eq!(
            u5.target_markup.as_deref(),
            Some("الملفات &amp; المجلدات <hi type=\"b\">المحفوظة</hi>")
        );
        assert_eq!(
            (u5.source_lang.as_str(), u5.target_lang.as_str()),
            ("EN-GB", "AR")
        );

        let u6 = items[5].as_ref().expect("tu 6");
        assert_eq!(u6.target, "إفتح الملفّات");
        assert_eq!(u6.created_by.as_deref(), Some("omar"));
    }

    #[test]
    fn reads_small_fixture_with_variants_inline_codes_and_metadata() {
        let bytes = fixture("small.tmx");
        let reader = TmxReader::new(&bytes[..], "en", "ar").expect("opens");
        let h = reader.header().expect("header").clone();
        assert_eq!(h.srclang.as_deref(), Some("*all*"));
        assert_eq!(h.creationtool.as_deref(), Some("TestTool"));
        assert_eq!(h.o_tmf.as_deref(), Some("ABCTransMem"));
        assert_eq!(h.version.as_deref(), Some("1.4"));
        assert_eq!(h.props, vec![("x-project".to_string(), "Demo".to_string())]);
        assert_eq!(h.notes.len(), 1);
        let items: Vec<_> = reader.collect();
        check_small(&items);
    }

    #[test]
    fn utf16le_with_bom_reads_the_same() {
        let utf8: Vec<_> = read_all(&fixture("small.tmx"), "en", "ar");
        let utf16 = fixture("small.utf16le.tmx");
        assert_eq!(&utf16[..2], &[0xFF, 0xFE]);
        let items = read_all(&utf16, "en", "ar");
        check_small(&items);
        assert_eq!(items, utf8);
    }

    #[test]
    fn reversed_pair_swaps_sides() {
        let items = read_all(&fixture("small.tmx"), "ar", "en");
        let u1 = items[0].as_ref().expect("tu 1");
        assert_eq!(
            (u1.source.as_str(), u1.target.as_str()),
            ("افتح الملف", "Open the file")
        );
        // The Arabic tuv's own prop now belongs to the source side.
        assert_eq!(
            u1.source_meta.props,
            vec![("x-variant".to_string(), "msa".to_string())]
        );
        assert!(u1.target_meta.is_empty());
    }

    #[test]
    fn truncated_file_is_fatal_after_complete_units() {
        let items = read_all(&fixture("truncated.tmx"), "en", "ar");
        assert_eq!(items.len(), 3, "{items:#?}");
        assert!(items[0].is_ok() && items[1].is_ok());
        let e = items[2].as_ref().expect_err("fatal");
        assert_eq!((e.code, e.fatal), ("malformed_xml", true));
        assert!(e.line.is_some());
    }

    #[test]
    fn dtd_subsets_are_refused_without_expansion() {
        for name in ["billion-laughs.tmx", "external-entity.tmx"] {
            let bytes = fixture(name);
            let err = TmxReader::new(&bytes[..], "en", "ar")
                .err()
                .expect("refused");
            assert_eq!((err.code, err.fatal), ("dtd_not_allowed", true), "{name}");
            assert!(err.message.contains("no entity expansion"));
        }
    }

    #[test]
    fn plain_doctype_is_accepted_and_unknown_entity_spoils_one_unit() {
        let xml = r#"<?xml version="1.0"?>
<!DOCTYPE tmx SYSTEM "http://example.invalid/tmx14.dtd">
<tmx version="1.4"><header srclang="en"/><body>
<tu tuid="a"><tuv xml:lang="en"><seg>&foo; file</seg></tuv><tuv xml:lang="ar"><seg>ملف</seg></tuv></tu>
<tu tuid="b"><tuv xml:lang="en"><seg>files</seg></tuv><tuv xml:lang="ar"><seg>الملفات</seg></tuv></tu>
</body></tmx>"#;
        let items = read_all(
            xml.replace("</body>", "<tu tuid=\"c\"/></body>").as_bytes(),
            "en",
            "ar",
        );
        assert_eq!(items.len(), 3);
        assert_eq!(
            items[2].as_ref().map_err(|e| e.code),
            Err("missing_language")
        );
        let items = read_all(xml.as_bytes(), "en", "ar");
        assert_eq!(items.len(), 2);
        let e = items[0].as_ref().expect_err("unknown entity");
        assert_eq!(
            (e.code, e.fatal, e.line),
            ("unknown_entity", false, Some(4))
        );
        assert!(e.message.contains("tuid a"), "{}", e.message);
        assert_eq!(items[1].as_ref().map(|u| u.target.as_str()), Ok("الملفات"));
    }

    #[test]
    fn not_tmx_malformed_and_deep_inputs_are_fatal() {
        let err = |s: &str| match TmxReader::new(s.as_bytes(), "en", "ar") {
            Err(e) => e,
            Ok(r) => r
                .filter_map(Result::err)
                .find(|e| e.fatal)
                .expect("a fatal error"),
        };
        assert_eq!(err("<martif type=\"TBX\"></martif>").code, "not_tmx");
        assert_eq!(err("source\ttarget\nfile\tملف\n").code, "not_tmx");
        let bad =
            "<tmx version=\"1.4\"><body>\n<tu><tuv xml:lang=\"en\"><seg>a</tuv></tu></body></tmx>";
        let e = err(bad);
        assert_eq!((e.code, e.line), ("malformed_xml", Some(2)));
        let deep = format!(
            "<tmx><body><tu><tuv xml:lang=\"en\"><seg>{}x{}</seg></tuv></tu></body></tmx>",
            "<hi>".repeat(70),
            "</hi>".repeat(70)
        );
        assert_eq!(err(&deep).code, "xml_too_deep");
        let e = err("<tmx><body><tu><tuv xml:lang=\"en\"><seg>\u{0}");
        assert!(e.fatal);
    }

    #[test]
    fn invalid_utf8_is_fatal_invalid_encoding() {
        let mut bytes = b"<tmx version=\"1.4\"><body><tu><tuv xml:lang=\"en\"><seg>".to_vec();
        bytes.extend_from_slice(b"\xff\xfe\xfd</seg></tuv></tu></body></tmx>");
        let items: Vec<_> = match TmxReader::new(&bytes[..], "en", "ar") {
            Ok(r) => r.collect(),
            Err(e) => vec![Err(e)],
        };
        let e = items.last().and_then(|i| i.as_ref().err()).expect("error");
        assert_eq!((e.code, e.fatal), ("invalid_encoding", true));
    }

    #[test]
    fn oversized_text_node_spoils_only_its_unit() {
        let big = "ملف ".repeat(40);
        let xml = format!(
            "<tmx><body>\n<tu><tuv xml:lang=\"en\"><seg>{big}</seg></tuv><tuv xml:lang=\"ar\"><seg>x</seg></tuv></tu>\n\
             <tu><tuv xml:lang=\"en\"><seg>file</seg></tuv><tuv xml:lang=\"ar\"><seg>بالملف</seg></tuv></tu>\n</body></tmx>"
        );
        let items: Vec<_> = TmxReader::with_limit(xml.as_bytes(), "en", "ar", 100)
            .expect("opens")
            .collect();
        assert_eq!(items.len(), 2, "{items:#?}");
        let e = items[0].as_ref().expect_err("too large");
        assert_eq!((e.code, e.fatal), ("segment_too_large", false));
        assert_eq!(items[1].as_ref().map(|u| u.target.as_str()), Ok("بالملف"));
    }

    #[test]
    fn text_node_over_16_mib_is_a_row_error_with_the_real_limit() {
        let big = "ملف ".repeat((MAX_TEXT_BYTES as usize) / 7 + 10);
        assert!(big.len() as u64 > MAX_TEXT_BYTES);
        let xml = format!(
            "<tmx><body><tu><tuv xml:lang=\"en\"><seg>files</seg></tuv><tuv xml:lang=\"ar\"><seg>{big}</seg></tuv></tu>\
             <tu><tuv xml:lang=\"en\"><seg>file</seg></tuv><tuv xml:lang=\"ar\"><seg>ملف</seg></tuv></tu></body></tmx>"
        );
        let items = read_all(xml.as_bytes(), "en", "ar");
        assert_eq!(items.len(), 2);
        let e = items[0].as_ref().expect_err("too large");
        assert_eq!((e.code, e.fatal), ("segment_too_large", false));
        assert_eq!(items[1].as_ref().map(|u| u.target.as_str()), Ok("ملف"));
    }

    #[test]
    fn error_lines_are_exact_across_buffer_chunks() {
        // Line 1: root and body; then 150,000 blank lines (past two 64 KiB
        // chunks) and a multi-line note; the bad unit starts on line 150,005.
        let xml = format!(
            "<tmx><body>{}<tu><note>a\nb\nc</note>\n<tuv xml:lang=\"en\"><seg>x</seg></tuv></tu>\n\
             <tu>\n<tuv xml:lang=\"en\"><seg>&bad;</seg></tuv></tu></body></tmx>",
            "\n".repeat(150_000)
        );
        let items = read_all(xml.as_bytes(), "en", "ar");
        let lines: Vec<_> = items
            .iter()
            .map(|i| i.as_ref().err().map(|e| (e.code, e.line)))
            .collect();
        assert_eq!(
            lines,
            vec![
                Some(("missing_language", Some(150_001))),
                Some(("unknown_entity", Some(150_005)))
            ]
        );
    }

    #[test]
    fn huge_comment_with_angle_brackets_is_fatal_not_buffered() {
        let filler = "<b>ملف</b> ".repeat(40);
        let xml = format!(
            "<tmx><body><tu><tuv xml:lang=\"en\"><seg>a</seg></tuv><!--{}--></tu></body></tmx>",
            filler.repeat(10_000)
        );
        let items: Vec<_> = TmxReader::with_limit(xml.as_bytes(), "en", "ar", 1000)
            .expect("opens")
            .collect();
        let e = items.last().and_then(|i| i.as_ref().err()).expect("error");
        assert_eq!((e.code, e.fatal), ("segment_too_large", true), "{e:?}");
    }

    #[test]
    fn unit_with_too_many_props_is_a_row_error() {
        let props = "<prop type=\"x-note\">ملاحظة طويلة بعض الشيء</prop>".repeat(20);
        let xml = format!(
            "<tmx><body><tu>{props}<tuv xml:lang=\"en\"><seg>a</seg></tuv><tuv xml:lang=\"ar\"><seg>أ</seg></tuv></tu>\
             <tu><tuv xml:lang=\"en\"><seg>b</seg></tuv><tuv xml:lang=\"ar\"><seg>ب</seg></tuv></tu></body></tmx>"
        );
        let items: Vec<_> = TmxReader::with_limit(xml.as_bytes(), "en", "ar", 100)
            .expect("opens")
            .collect();
        assert_eq!(items.len(), 2);
        let e = items[0].as_ref().expect_err("too large");
        assert_eq!((e.code, e.fatal), ("unit_too_large", false));
        assert_eq!(items[1].as_ref().map(|u| u.target.as_str()), Ok("ب"));
    }

    #[test]
    fn literal_carriage_returns_are_normalised_but_char_refs_kept() {
        let xml = "<tmx><body><tu><tuv xml:lang=\"en\"><seg>a\r\nb\rc&#13;d</seg></tuv>\
                   <tuv xml:lang=\"ar\"><seg>أ</seg></tuv></tu></body></tmx>";
        let items = read_all(xml.as_bytes(), "en", "ar");
        assert_eq!(
            items[0].as_ref().map(|u| u.source.as_str()),
            Ok("a\nb\nc\rd")
        );
    }

    #[test]
    fn exact_tag_wins_context_pre_post_and_headerless_file() {
        // No <header>, no <body>: the first <tu> comes straight under <tmx>.
        let xml = "<tmx version=\"1.4\"><tu>\
                   <prop type=\"x-context-pre\">قبل</prop><prop type=\"x-context-post\">بعد</prop>\
                   <tuv xml:lang=\"ar-EG\"><seg>الملفات</seg></tuv>\
                   <tuv xml:lang=\"en\"><seg>Files</seg></tuv>\
                   <tuv xml:lang=\"ar\"><seg>ملفات</seg></tuv></tu>\
                   <tu><prop type=\"x-context-post\">next</prop><tuv xml:lang=\"en\"><seg>a</seg></tuv>\
                   <tuv xml:lang=\"ar\"><seg>أ</seg></tuv></tu></tmx>";
        let reader = TmxReader::new(xml.as_bytes(), "en", "ar").expect("opens");
        assert!(reader.header().is_none());
        let items: Vec<_> = reader.collect();
        assert_eq!(items.len(), 2, "{items:#?}");
        let u = items[0].as_ref().expect("unit");
        assert_eq!((u.target.as_str(), u.target_lang.as_str()), ("ملفات", "ar"));
        assert_eq!(u.context.as_deref(), Some("قبل\nبعد"));
        let u = items[1].as_ref().expect("unit");
        assert_eq!(u.context.as_deref(), Some("next"));
    }

    #[test]
    fn empty_codes_become_labelled_placeholders() {
        let xml = "<tmx><body><tu><tuv xml:lang=\"en\"><seg>Page <ph x=\"3\"/> of <it pos=\"begin\" i=\"7\"></it><ut>{n}</ut>\
                   <bpt i=\"1\"><sub>inner</sub></bpt></seg></tuv>\
                   <tuv xml:lang=\"ar\"><seg>الصفحة <ph x=\"3\"/></seg></tuv></tu></body></tmx>";
        let items = read_all(xml.as_bytes(), "en", "ar");
        let u = items[0].as_ref().expect("unit");
        assert_eq!(u.source, "Page {ph3} of {it7}{n}inner");
        assert_eq!(u.target, "الصفحة {ph3}");
    }

    fn unit(id: u64, source: &str, target: &str) -> TranslationUnit {
        TranslationUnit {
            id,
            source: source.to_string(),
            target: target.to_string(),
            source_lang: "en".to_string(),
            target_lang: "ar".to_string(),
            context: None,
            origin: None,
            created: utc(2024, 3, 1, 8, 0, 0),
            modified: utc(2024, 3, 2, 9, 15, 30),
            created_by: None,
            props: Vec::new(),
            notes: Vec::new(),
            source_markup: None,
            target_markup: None,
            tuid: None,
            source_meta: Default::default(),
            target_meta: Default::default(),
        }
    }

    fn to_draft(u: &TranslationUnit) -> UnitDraft {
        UnitDraft {
            source: u.source.clone(),
            target: u.target.clone(),
            source_lang: u.source_lang.clone(),
            target_lang: u.target_lang.clone(),
            context: u.context.clone(),
            origin: u.origin.clone(),
            created: Some(u.created),
            modified: Some(u.modified),
            created_by: u.created_by.clone(),
            props: u.props.clone(),
            notes: u.notes.clone(),
            source_markup: u.source_markup.clone(),
            target_markup: u.target_markup.clone(),
            // A unit without an original tuid is exported with its id.
            tuid: Some(u.tuid.clone().unwrap_or_else(|| u.id.to_string())),
            source_meta: u.source_meta.clone(),
            target_meta: u.target_meta.clone(),
            position: None,
        }
    }

    fn unpositioned(drafts: Vec<UnitDraft>) -> Vec<UnitDraft> {
        drafts
            .into_iter()
            .map(|d| UnitDraft {
                position: None,
                ..d
            })
            .collect()
    }

    fn write_tmx(units: &[TranslationUnit]) -> Vec<u8> {
        let mut w = TmxWriter::new(Vec::new(), "en", "0.1.0").expect("header");
        for u in units {
            w.write_unit(u).expect("unit");
        }
        w.finish().expect("finish")
    }

    /// Units as an import produces them: x-origin/x-context props first.
    fn sample_units() -> Vec<TranslationUnit> {
        let mut a = unit(
            1,
            "  Open <b>the</b> file & folder\r\n",
            "افتح <b>الملف</b> والمجلد\r\n",
        );
        a.origin = Some("gedit/gedit".to_string());
        a.context = Some("menu.file".to_string());
        a.created_by = Some("hala \"h\"".to_string());
        a.props = vec![
            ("x-origin".to_string(), "gedit/gedit".to_string()),
            ("x-context".to_string(), "menu.file".to_string()),
            ("x-origin-count".to_string(), "3".to_string()),
        ];
        a.notes = vec!["Imperative <verb>\nsecond line".to_string()];
        let mut b = unit(2, "Click <b>Save</b>{ph2}", "انقر <b>حفظ</b>{ph2}");
        b.source_markup = Some(
            "Click <bpt i=\"1\" x=\"1\">&lt;b&gt;</bpt>Save<ept i=\"1\">&lt;/b&gt;</ept><ph x=\"2\"/>"
                .to_string(),
        );
        b.target_markup = Some(
            "انقر <bpt i=\"1\" x=\"1\">&lt;b&gt;</bpt>حفظ<ept i=\"1\">&lt;/b&gt;</ept><ph x=\"2\"/>"
                .to_string(),
        );
        let c = unit(3, "إعدادات\tالطباعة", "بالإعدادات");
        vec![a, b, c]
    }

    #[test]
    fn writer_round_trips_units() {
        let units = sample_units();
        let bytes = write_tmx(&units);
        let text = String::from_utf8(bytes.clone()).expect("utf8");
        assert!(
            text.contains("<bpt i=\"1\" x=\"1\">&lt;b&gt;</bpt>حفظ"),
            "{text}"
        );
        assert!(text.contains("&#13;"));
        let reader = TmxReader::new(&bytes[..], "en", "ar").expect("opens");
        assert_eq!(
            reader.header().and_then(|h| h.creationtool.as_deref()),
            Some("mustalah")
        );
        let back: Vec<_> = reader.map(|r| r.expect("unit")).collect();
        let want: Vec<_> = units.iter().map(to_draft).collect();
        assert_eq!(unpositioned(back), want);
    }

    #[test]
    fn writer_drops_stale_markup_and_xml_illegal_characters() {
        let mut u = unit(9, "Click Save now", "انقر حفظ\u{1}");
        // Markup left over from before an edit: must not be exported.
        u.source_markup = Some("Click <ph x=\"1\"/>".to_string());
        let bytes = write_tmx(&[u]);
        let items = read_all(&bytes, "en", "ar");
        let d = items[0].as_ref().expect("unit");
        assert_eq!(
            (d.source.as_str(), d.target.as_str()),
            ("Click Save now", "انقر حفظ")
        );
        assert_eq!(d.source_markup, None);
    }

    /// translate-toolkit has no `tmx2po` command any more; this script does
    /// the same with its TMX and PO storage classes and also dumps the pairs.
    const TMX2PO: &str = r#"
import json, sys
from translate.storage import tmx, po
t = tmx.tmxfile.parsefile(sys.argv[1])
p = po.pofile()
for u in t.units:
    p.addsourceunit(u.source).target = u.target
p.savefile(sys.argv[2])
print(json.dumps([[u.source, u.target] for u in t.units]))
"#;

    #[test]
    fn translate_toolkit_reads_our_export() {
        let ok = std::process::Command::new("python3")
            .args(["-c", "import translate.storage.tmx"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            println!("skipped: translate-toolkit not installed");
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let tmx = dir.path().join("export.tmx");
        let po = dir.path().join("export.po");
        let units = sample_units();
        std::fs::write(&tmx, write_tmx(&units)).expect("write");
        let out = std::process::Command::new("python3")
            .args(["-c", TMX2PO])
            .arg(&tmx)
            .arg(&po)
            .output()
            .expect("runs python");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pairs: Vec<(String, String)> = serde_json::from_slice(&out.stdout).expect("json pairs");
        assert_eq!(pairs.len(), 3);
        // Units without inline codes come back exactly.
        for i in [0, 2] {
            assert_eq!(pairs[i], (units[i].source.clone(), units[i].target.clone()));
        }
        assert!(pairs[1].1.contains("حفظ"));
        let po = std::fs::read_to_string(&po).expect("po written");
        assert!(po.contains("msgstr \"بالإعدادات\""), "{po}");
        assert!(po.contains("msgid \"إعدادات\\tالطباعة\""), "{po}");
    }

    const REAL_TMX: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/tm/software-ui.en-ar.tmx.gz"
    );
    const REAL_TSV: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/tm/software-ui.en-ar.tsv.gz"
    );

    fn open_real(path: &str) -> Option<std::fs::File> {
        match std::fs::File::open(path) {
            Ok(f) => Some(f),
            Err(e) => {
                println!("skipped: {path} not readable ({e})");
                None
            }
        }
    }

    fn real_tmx() -> Option<TmxReader<'static>> {
        open_real(REAL_TMX).map(|f| TmxReader::new(f, "en", "ar").expect("real TMX opens"))
    }

    fn real_tsv() -> Option<crate::formats::unit_delimited::UnitDelimitedReader<'static>> {
        open_real(REAL_TSV).map(|f| {
            crate::formats::unit_delimited::UnitDelimitedReader::new(f, b'\t', "en", "ar")
                .expect("real TSV opens")
        })
    }

    #[test]
    fn real_tmx_first_5000_units() {
        let Some(reader) = real_tmx() else { return };
        let h = reader.header().cloned().expect("header");
        assert_eq!(h.srclang.as_deref(), Some("en"));
        assert_eq!(h.o_tmf.as_deref(), Some("gettext-mo"));
        let units: Vec<UnitDraft> = reader
            .take(5000)
            .map(|r| r.expect("no errors in the real file"))
            .collect();
        assert_eq!(units.len(), 5000);
        let u = &units[0];
        assert_eq!(u.source, "  Edit this Command  ");
        assert_eq!(u.target, " حرر هذا الأمر");
        assert_eq!(u.origin.as_deref(), Some("4pane/4Pane"));
        assert_eq!(
            u.props,
            vec![
                ("x-origin".to_string(), "4pane/4Pane".to_string()),
                ("x-origin-count".to_string(), "1".to_string()),
            ]
        );
        assert_eq!(
            (u.source_lang.as_str(), u.target_lang.as_str()),
            ("en", "ar")
        );
        // Escaped UI markup is text, never inline markup.
        assert!(units.iter().all(|u| u.source_markup.is_none()));
        assert_eq!(units[6].target, "&حول 4جزء");
        // Export and re-import: the same units come back.
        let stored: Vec<TranslationUnit> = units
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let mut u = unit(i as u64 + 1, &d.source, &d.target);
                u.origin = d.origin.clone();
                u.props = d.props.clone();
                u
            })
            .collect();
        let bytes = write_tmx(&stored);
        let back: Vec<UnitDraft> = read_all(&bytes, "en", "ar")
            .into_iter()
            .map(|r| r.expect("re-import"))
            .collect();
        let want: Vec<UnitDraft> = stored.iter().map(to_draft).collect();
        assert_eq!(unpositioned(back), want);
    }

    #[test]
    fn real_tmx_and_tsv_agree_on_first_1000() {
        let (Some(tmx), Some(tsv)) = (real_tmx(), real_tsv()) else {
            return;
        };
        let a: Vec<(String, String)> = tmx
            .take(1000)
            .map(|r| r.map(|u| (u.source, u.target)).expect("tmx unit"))
            .collect();
        let b: Vec<(String, String)> = tsv
            .take(1000)
            .map(|r| r.map(|u| (u.source, u.target)).expect("tsv unit"))
            .collect();
        assert_eq!(a.len(), 1000);
        assert_eq!(a, b);
    }

    /// Counts `<tu ` occurrences in the decompressed file (what `zcat | grep
    /// -c '<tu '` counts: one unit per line).
    fn count_tu_tags(path: &str) -> usize {
        let f = std::fs::File::open(path).expect("open");
        let r = io::BufReader::new(flate2::read::MultiGzDecoder::new(f));
        r.split(b'\n')
            .map(|l| l.expect("line"))
            .filter(|l| l.windows(4).any(|w| w == b"<tu "))
            .count()
    }

    /// CPU seconds used by this thread so far (Linux `/proc`, USER_HZ = 100),
    /// so the figures mean something on a machine shared by many builds.
    fn thread_cpu_secs() -> f64 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let f: Vec<f64> = rest
            .split_whitespace()
            .skip(11)
            .take(2)
            .filter_map(|x| x.parse().ok())
            .collect();
        f.iter().sum::<f64>() / 100.0
    }

    /// Reads both real files completely; prints units/s (run with
    /// `cargo test --release --lib formats::tmx -- --ignored --nocapture`).
    #[test]
    #[ignore = "reads 2 x 198k units; slow in debug"]
    fn real_files_read_completely() {
        let (Some(tmx), Some(tsv)) = (real_tmx(), real_tsv()) else {
            return;
        };
        let (started, cpu) = (std::time::Instant::now(), thread_cpu_secs());
        let (mut ok, mut errors) = (0usize, Vec::new());
        let mut pairs = Vec::with_capacity(200_000);
        for r in tmx {
            match r {
                Ok(u) => {
                    ok += 1;
                    pairs.push((u.source, u.target));
                }
                Err(e) => errors.push(e),
            }
        }
        let (t_tmx, c_tmx) = (started.elapsed().as_secs_f64(), thread_cpu_secs() - cpu);
        println!(
            "TMX: {ok} units, {t_tmx:.2} s wall = {:.0} units/s, {c_tmx:.2} s CPU = {:.0} units/s",
            ok as f64 / t_tmx,
            ok as f64 / c_tmx.max(0.01)
        );
        assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(5)]);
        let (started, cpu) = (std::time::Instant::now(), thread_cpu_secs());
        let (mut tsv_ok, mut same) = (0usize, 0usize);
        for (i, r) in tsv.enumerate() {
            let u = r.expect("no TSV errors");
            tsv_ok += 1;
            if pairs
                .get(i)
                .is_some_and(|(s, t)| *s == u.source && *t == u.target)
            {
                same += 1;
            }
        }
        let (t_tsv, c_tsv) = (started.elapsed().as_secs_f64(), thread_cpu_secs() - cpu);
        println!(
            "TSV: {tsv_ok} units, {t_tsv:.2} s wall = {:.0} units/s, {c_tsv:.2} s CPU = {:.0} units/s",
            tsv_ok as f64 / t_tsv,
            tsv_ok as f64 / c_tsv.max(0.01)
        );
        assert_eq!(ok, count_tu_tags(REAL_TMX));
        assert_eq!(tsv_ok, ok);
        assert_eq!(
            same, ok,
            "TMX and TSV give the same pairs in the same order"
        );
    }

    mod prop {
        use super::*;
        use crate::formats::unit_delimited::{write_units_delimited, UnitDelimitedReader};
        use proptest::prelude::*;

        /// Arabic (with harakat and hamza forms), Latin, spaces, line breaks,
        /// TAB, markup characters, quotes, backslash and comma.
        const TEXT: &str = "[a-zA-Z0-9ءآأإابةتثجحخدذرسشصضطظعغفقكلمنهوىيًٌٍَُِّـ <>&\n\r\t\"\\\\,;]{1,40}";
        const META: &str = "[a-zA-Zء-ي /<>&\"]{1,20}";

        fn arb_unit() -> impl Strategy<Value = TranslationUnit> {
            (
                (TEXT, TEXT, 0i64..4_000_000_000, 0i64..4_000_000_000),
                (
                    proptest::option::of(META),
                    proptest::option::of(META),
                    proptest::option::of(META),
                ),
                proptest::collection::vec(("x-[a-z]{1,8}", META), 0..3),
                proptest::collection::vec(TEXT, 0..2),
                (
                    proptest::option::of("[a-zA-Z0-9_-]{1,12}"),
                    proptest::collection::vec(("x-[a-z]{1,8}", META), 0..2),
                    proptest::collection::vec(TEXT, 0..2),
                ),
            )
                .prop_filter("a blank segment is skipped", |((s, t, _, _), ..)| {
                    !s.trim().is_empty() && !t.trim().is_empty()
                })
                .prop_map(
                    |((source, target, c, m), (context, origin, by), extra, notes, tuv)| {
                        let mut u = unit(7, &source, &target);
                        let (tuid, tuv_props, tuv_notes) = tuv;
                        u.tuid = tuid;
                        u.source_meta.props = tuv_props;
                        u.target_meta.notes = tuv_notes;
                        u.created = DateTime::from_timestamp(c, 0).unwrap_or_default();
                        u.modified = DateTime::from_timestamp(m, 0).unwrap_or_default();
                        u.created_by = by;
                        // As an import leaves them: origin/context props first.
                        if let Some(o) = &origin {
                            u.props.push(("x-origin".to_string(), o.clone()));
                        }
                        if let Some(x) = &context {
                            u.props.push(("x-context".to_string(), x.clone()));
                        }
                        u.props.extend(extra.into_iter().filter(|(k, _)| {
                            !k.starts_with("x-origin")
                                && !k.starts_with("x-context")
                                && k != "x-tuid"
                        }));
                        u.origin = origin;
                        u.context = context;
                        u.notes = notes;
                        u
                    },
                )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            #[test]
            fn tmx_round_trip(units in proptest::collection::vec(arb_unit(), 1..6)) {
                let bytes = write_tmx(&units);
                let back: Vec<_> = TmxReader::new(&bytes[..], "en", "ar")
                    .expect("opens")
                    .collect::<Result<_, _>>()
                    .expect("no errors");
                let want: Vec<_> = units.iter().map(to_draft).collect();
                prop_assert_eq!(unpositioned(back), want);
            }

            #[test]
            fn delimited_round_trip(units in proptest::collection::vec(arb_unit(), 1..6), csv in any::<bool>()) {
                let delimiter = if csv { b',' } else { b'\t' };
                let mut bytes = Vec::new();
                write_units_delimited(&mut bytes, delimiter, units.clone()).expect("write");
                let back: Vec<UnitDraft> = UnitDelimitedReader::new(&bytes[..], delimiter, "en", "ar")
                    .expect("opens")
                    .collect::<Result<_, _>>()
                    .expect("no errors");
                prop_assert_eq!(back.len(), units.len());
                for (u, d) in units.iter().zip(&back) {
                    prop_assert_eq!((&d.source, &d.target), (&u.source, &u.target));
                    prop_assert_eq!((&d.context, &d.origin), (&u.context, &u.origin));
                    prop_assert_eq!((&d.created_by, d.created), (&u.created_by, Some(u.created)));
                }
            }
        }
    }
}
