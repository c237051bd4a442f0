//! Safe streaming XML helpers shared by the TBX and TMX readers/writers.
//!
//! Security stance: we never expand custom entities and never fetch anything.
//! A `<!DOCTYPE>` that only names an external DTD (`<!DOCTYPE tmx SYSTEM
//! "tmx14.dtd">`) is accepted and ignored; one with an internal subset or any
//! `<!ENTITY` is refused ([`check_doctype`]), which rules out billion-laughs
//! and external-entity (XXE) attacks before any entity is seen. Text and
//! attribute values are unescaped by [`unescape_text`], which knows only the
//! five predefined entities and numeric character references.
//!
//! Bounded memory: [`LineCountingReader`] refuses a run of more than
//! [`MAX_TEXT_BYTES`] bytes without a `<` (quick-xml would buffer the whole
//! text node or tag), and [`read_event`] refuses nesting deeper than
//! [`MAX_DEPTH`].
//!
//! Positions: [`LineCountingReader`] counts the newlines of the bytes the
//! XML parser has consumed and remembers the offsets of the last
//! [`LINE_RING`] newlines, so [`LineCountingReader::line_at`] is exact for
//! any offset within those last lines (always the case for the event being
//! read unless a single text node spans more lines) and otherwise falls back
//! to the line of the oldest remembered newline (an under-estimate).
//!
//! Typical use:
//! ```
//! use mustalah::formats::xml;
//! let mut r = xml::reader(xml::LineCountingReader::new("<a>x &amp; y</a>".as_bytes()));
//! let mut guard = xml::Guard::default();
//! let mut buf = Vec::new();
//! loop {
//!     match xml::read_event(&mut r, &mut buf, &mut guard).unwrap() {
//!         quick_xml::events::Event::Text(t) => {
//!             assert_eq!(xml::unescape_text(&t).unwrap(), "x & y")
//!         }
//!         quick_xml::events::Event::Eof => break,
//!         _ => {}
//!     }
//!     buf.clear();
//! }
//! ```

use super::decode::is_encoding_error;
use super::FormatError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{self, BufRead, Read};

/// Deepest element nesting accepted (TBX/TMX need fewer than 10 levels).
pub const MAX_DEPTH: usize = 64;

/// Largest single text node / tag, in bytes.
pub const MAX_TEXT_BYTES: usize = 16 * 1024 * 1024;

/// Most attributes on one element. Our formats use a dozen at most; the
/// cap bounds the work per tag (quick-xml's own duplicate check is
/// quadratic in the attribute count, so it is off and [`check_attributes`]
/// does it in linear time).
pub const MAX_ATTRIBUTES: usize = 256;

/// How many newline offsets [`LineCountingReader`] remembers.
pub const LINE_RING: usize = 4096;

/// Prefix of the `io::Error` message [`LineCountingReader`] raises for an
/// oversized text run; [`map_xml_error`] maps it to `text_too_large`.
const TOO_LARGE: &str = "text_too_large:";

/// A quick-xml reader configured for our formats: text is kept verbatim
/// (`trim_text(false)`), empty elements stay `Event::Empty`, end names are
/// checked against start names.
pub fn reader<R: BufRead>(r: R) -> Reader<R> {
    let mut reader = Reader::from_reader(r);
    let config = reader.config_mut();
    config.trim_text(false);
    config.expand_empty_elements = false;
    config.check_end_names = true;
    reader
}

/// A [`BufRead`] wrapper that counts lines of the bytes consumed from it and
/// bounds the length of runs without `<` (see the module doc).
pub struct LineCountingReader<R> {
    inner: R,
    /// Bytes consumed so far (equals quick-xml's `buffer_position`).
    offset: u64,
    /// Newlines among the consumed bytes.
    newlines: u64,
    /// Offsets of the most recent newlines, oldest first.
    ring: VecDeque<u64>,
    /// Consumed bytes since the last `<`.
    run: usize,
}

impl<R: BufRead> LineCountingReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        LineCountingReader {
            inner,
            offset: 0,
            newlines: 0,
            ring: VecDeque::with_capacity(LINE_RING),
            run: 0,
        }
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// 1-based line of the current (consumed) position.
    pub fn line(&self) -> u64 {
        self.newlines + 1
    }

    /// 1-based line of byte `offset` (see the module doc for accuracy).
    pub fn line_at(&self, offset: u64) -> u64 {
        if offset >= self.offset {
            return self.line();
        }
        // Newlines at or after `offset` are not before it.
        let after = self
            .ring
            .iter()
            .rev()
            .take_while(|&&nl| nl >= offset)
            .count() as u64;
        self.newlines - after + 1
    }
}

impl<R: BufRead> Read for LineCountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCountingReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.run > MAX_TEXT_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{TOO_LARGE} more than {MAX_TEXT_BYTES} bytes without markup"),
            ));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let amt = amt.min(buf.len());
            let chunk = &buf[..amt];
            // memchr keeps this at memory speed; it runs over every byte.
            for i in memchr::memchr_iter(b'\n', chunk) {
                self.newlines += 1;
                if self.ring.len() == LINE_RING {
                    self.ring.pop_front();
                }
                self.ring.push_back(self.offset + i as u64);
            }
            self.run = match memchr::memrchr(b'<', chunk) {
                Some(i) => amt - i - 1,
                None => self.run + amt,
            };
            self.offset += amt as u64;
            self.inner.consume(amt);
        }
    }
}

/// 1-based line of byte `buffer_pos` (a `buffer_position()` or
/// `error_position()` of `reader`); exact within the last [`LINE_RING`]
/// lines (see the module doc).
pub fn position<R: BufRead>(reader: &Reader<LineCountingReader<R>>, buffer_pos: u64) -> u64 {
    reader.get_ref().line_at(buffer_pos)
}

/// Nesting state carried across [`read_event`] calls.
#[derive(Debug, Default, Clone)]
pub struct Guard {
    depth: usize,
    seen_root: bool,
}

impl Guard {
    /// Current element depth (0 outside the root).
    pub fn depth(&self) -> usize {
        self.depth
    }
}

/// Reads the next event with our safety checks: DOCTYPE with entities →
/// fatal `dtd_not_allowed`; depth > [`MAX_DEPTH`] → fatal `xml_too_deep`;
/// parse errors → fatal `malformed_xml` with the line; input ending inside an
/// element (or without any element) → fatal `malformed_xml`; bad encoding →
/// fatal `invalid_encoding`; oversized text → fatal `text_too_large`.
pub fn read_event<'b, R: BufRead>(
    reader: &mut Reader<LineCountingReader<R>>,
    buf: &'b mut Vec<u8>,
    guard: &mut Guard,
) -> Result<Event<'b>, FormatError> {
    let event = match reader.read_event_into(buf) {
        Ok(e) => e,
        Err(e) => {
            let line = reader.get_ref().line_at(reader.error_position());
            return Err(map_xml_error(e).at(Some(line), None));
        }
    };
    let line = || reader.get_ref().line();
    match &event {
        Event::DocType(t) => check_doctype(t).map_err(|e| e.at(Some(line()), None))?,
        Event::Start(e) => {
            guard.depth += 1;
            guard.seen_root = true;
            if guard.depth > MAX_DEPTH {
                return Err(FormatError::fatal(
                    "xml_too_deep",
                    format!("elements nested deeper than {MAX_DEPTH} levels"),
                )
                .at(Some(line()), None));
            }
            check_attributes(e).map_err(|err| err.at(Some(line()), None))?;
        }
        Event::Empty(e) => {
            guard.seen_root = true;
            check_attributes(e).map_err(|err| err.at(Some(line()), None))?;
        }
        Event::End(_) => guard.depth = guard.depth.saturating_sub(1),
        Event::Text(t) if t.len() > MAX_TEXT_BYTES => {
            return Err(FormatError::fatal(
                "text_too_large",
                format!("a text node is larger than {MAX_TEXT_BYTES} bytes"),
            )
            .at(Some(line()), None))
        }
        Event::Eof if guard.depth > 0 => {
            return Err(FormatError::fatal(
                "malformed_xml",
                "the document ends inside an element (truncated?)",
            )
            .at(Some(line()), None))
        }
        Event::Eof if !guard.seen_root => {
            return Err(
                FormatError::fatal("malformed_xml", "the document has no root element")
                    .at(Some(line()), None),
            )
        }
        _ => {}
    }
    Ok(event)
}

/// Maps a quick-xml error to a fatal [`FormatError`] (without position):
/// decoding failures → `invalid_encoding`, oversized text →
/// `text_too_large`, other I/O → `read_error`, anything else →
/// `malformed_xml`.
pub fn map_xml_error(e: quick_xml::Error) -> FormatError {
    match e {
        quick_xml::Error::Io(io) if is_encoding_error(&io) => {
            FormatError::fatal("invalid_encoding", io.to_string())
        }
        quick_xml::Error::Io(io) if io.to_string().starts_with(TOO_LARGE) => {
            FormatError::fatal("text_too_large", io.to_string())
        }
        quick_xml::Error::Io(io) => FormatError::fatal("read_error", io.to_string()),
        other => FormatError::fatal("malformed_xml", format!("XML is not well-formed: {other}")),
    }
}

/// Refuses a DOCTYPE (the content of an `Event::DocType`, or the whole
/// `<!DOCTYPE …>`) that declares an internal subset or entities: fatal
/// `dtd_not_allowed`. A DOCTYPE that merely names an external DTD is
/// allowed; it is never fetched.
pub fn check_doctype(text: &[u8]) -> Result<(), FormatError> {
    let has_entity = text
        .windows(b"<!ENTITY".len())
        .any(|w| w.eq_ignore_ascii_case(b"<!ENTITY"));
    if text.contains(&b'[') || has_entity {
        return Err(FormatError::fatal(
            "dtd_not_allowed",
            "XML with DTD entity declarations is refused: no entity expansion, no external fetch",
        ));
    }
    Ok(())
}

/// Unescapes raw text or attribute bytes: the five predefined entities and
/// decimal/hex character references. Any other entity → row error
/// `unknown_entity`; a reference to a character XML forbids (NUL, a
/// surrogate) → row error `bad_char_ref`; bytes that are not UTF-8 → fatal
/// `invalid_encoding` (cannot happen behind [`super::decoded_reader`]).
pub fn unescape_text(raw: &[u8]) -> Result<String, FormatError> {
    let mut out = String::with_capacity(raw.len());
    unescape_into(raw, &mut out)?;
    Ok(out)
}

/// As [`unescape_text`], appending to `out` (no allocation when `out` has
/// room); on error `out` may hold part of the text.
pub fn unescape_into(raw: &[u8], out: &mut String) -> Result<(), FormatError> {
    let s = std::str::from_utf8(raw)
        .map_err(|e| FormatError::fatal("invalid_encoding", format!("not UTF-8: {e}")))?;
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';') else {
            return Err(FormatError::row(
                "unknown_entity",
                "a `&` that does not start an entity reference (write `&amp;`)",
            ));
        };
        let name = &after[..semi];
        match name {
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            _ if name.starts_with('#') => out.push(char_ref(name)?),
            _ => {
                let shown: String = name.chars().take(40).collect();
                return Err(FormatError::row(
                    "unknown_entity",
                    format!("unknown entity `&{shown};` (only the XML predefined entities are expanded)"),
                ));
            }
        }
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// `#13`, `#x627` → the character.
fn char_ref(name: &str) -> Result<char, FormatError> {
    let digits = &name[1..];
    let code = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => digits.parse::<u32>(),
    };
    let bad = || {
        let shown: String = name.chars().take(12).collect();
        FormatError::row(
            "bad_char_ref",
            format!("`&{shown};` is not a character allowed in XML"),
        )
    };
    let c = code.ok().and_then(char::from_u32).ok_or_else(bad)?;
    if is_xml_char(c) {
        Ok(c)
    } else {
        Err(bad())
    }
}

/// Whether XML 1.0 allows `c` in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text content: `&`, `<`, `>`; `\r` becomes `&#xD;` so it survives
/// XML line-end normalisation; other characters XML 1.0 forbids (C0
/// controls, U+FFFE/U+FFFF) are dropped, as they cannot be represented.
pub fn escape_text(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Escapes an attribute value: as [`escape_text`] plus `"`, and `\t`/`\n`
/// as character references (attribute normalisation would turn them into
/// spaces).
pub fn escape_attr(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

fn escape(s: &str, attr: bool) -> Cow<'_, str> {
    let needs = |c: char| {
        matches!(c, '&' | '<' | '>' | '\r')
            || (attr && matches!(c, '"' | '\t' | '\n'))
            || !is_xml_char(c)
    };
    if !s.chars().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            '"' if attr => out.push_str("&quot;"),
            '\t' if attr => out.push_str("&#x9;"),
            '\n' if attr => out.push_str("&#xA;"),
            c if !is_xml_char(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Checks an element's attribute list once, in linear time: well-formed
/// (`name="value"` pairs), no name twice (fatal `malformed_xml`), at most
/// [`MAX_ATTRIBUTES`] (fatal `too_many_attributes`). Readers call it for
/// every start tag and then read attributes with [`attributes`], which
/// skips quick-xml's quadratic duplicate check.
pub fn check_attributes(e: &BytesStart<'_>) -> Result<(), FormatError> {
    let mut seen: foldhash::HashSet<&[u8]> = foldhash::HashSet::default();
    for (i, a) in attributes(e).enumerate() {
        if i == MAX_ATTRIBUTES {
            return Err(FormatError::fatal(
                "too_many_attributes",
                format!(
                    "element <{}> has more than {MAX_ATTRIBUTES} attributes",
                    String::from_utf8_lossy(e.name().as_ref())
                        .chars()
                        .take(60)
                        .collect::<String>()
                ),
            ));
        }
        let a =
            a.map_err(|err| FormatError::fatal("malformed_xml", format!("bad attribute: {err}")))?;
        if !seen.insert(a.key.into_inner()) {
            return Err(FormatError::fatal(
                "malformed_xml",
                format!(
                    "attribute {} appears twice on one element",
                    String::from_utf8_lossy(a.key.as_ref())
                        .chars()
                        .take(60)
                        .collect::<String>()
                ),
            ));
        }
    }
    Ok(())
}

/// The attributes of an element already passed through
/// [`check_attributes`], without quick-xml's duplicate check.
pub fn attributes<'a>(e: &'a BytesStart<'_>) -> quick_xml::events::attributes::Attributes<'a> {
    let mut it = e.attributes();
    it.with_checks(false);
    it
}

/// The unescaped value of the attribute whose local name is `local`
/// (`lang` matches `xml:lang` and `lang`), if present. A malformed attribute
/// list → fatal `malformed_xml`.
pub fn attr(e: &BytesStart<'_>, local: &[u8]) -> Result<Option<String>, FormatError> {
    for a in attributes(e) {
        let a =
            a.map_err(|err| FormatError::fatal("malformed_xml", format!("bad attribute: {err}")))?;
        if a.key.local_name().as_ref() == local {
            return unescape_text(&a.value).map(Some);
        }
    }
    Ok(None)
}

/// The local name (namespace prefix dropped) of an element, as a `&str`
/// (empty when not UTF-8, which cannot happen behind the decoder).
pub fn local_name<'e>(e: &'e BytesStart<'_>) -> &'e str {
    let name = e.name();
    let full = name.into_inner();
    let local = match full.iter().position(|&b| b == b':') {
        Some(i) => &full[i + 1..],
        None => full,
    };
    std::str::from_utf8(local).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a whole document, returning the first error.
    fn run(doc: &str) -> Result<Vec<String>, FormatError> {
        let mut r = reader(LineCountingReader::new(doc.as_bytes()));
        let mut guard = Guard::default();
        let mut buf = Vec::new();
        let mut texts = Vec::new();
        loop {
            match read_event(&mut r, &mut buf, &mut guard)? {
                Event::Text(t) => texts.push(unescape_text(&t)?),
                Event::Eof => return Ok(texts),
                _ => {}
            }
            buf.clear();
        }
    }

    #[test]
    fn billion_laughs_is_refused() {
        let doc = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"#;
        let err = run(doc).unwrap_err();
        assert_eq!((err.code, err.fatal), ("dtd_not_allowed", true));
    }

    #[test]
    fn external_entity_is_refused() {
        let doc = r#"<?xml version="1.0"?>
<!DOCTYPE tbx [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
<tbx>&x;</tbx>"#;
        let err = run(doc).unwrap_err();
        assert_eq!(err.code, "dtd_not_allowed");
        // Even written without an internal-subset bracket.
        assert_eq!(
            check_doctype(b"tbx <!ENTITY x SYSTEM \"file:///etc/passwd\">")
                .unwrap_err()
                .code,
            "dtd_not_allowed"
        );
    }

    #[test]
    fn plain_doctype_is_accepted_and_text_unescaped() {
        let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx SYSTEM \"tmx14.dtd\">\n<tmx><seg>ملف &amp; مجلد &#x627;&#1604;&lt;</seg></tmx>";
        let texts = run(doc).unwrap();
        assert!(texts.iter().any(|t| t == "ملف & مجلد ال<"), "{texts:?}");
    }

    #[test]
    fn unknown_entity_is_a_row_error() {
        let err = unescape_text("الملف &nbsp; file".as_bytes()).unwrap_err();
        assert_eq!((err.code, err.fatal), ("unknown_entity", false));
        assert_eq!(unescape_text(b"&#0;").unwrap_err().code, "bad_char_ref");
        assert_eq!(unescape_text(b"&#xD800;").unwrap_err().code, "bad_char_ref");
        assert_eq!(unescape_text(b"a\r&#13;b").unwrap(), "a\r\rb");
    }

    #[test]
    fn truncated_document_is_malformed_with_line() {
        let doc = "<tbx>\n<body>\n<termEntry id=\"1\">\n<term>حاسوب</term>\n";
        let err = run(doc).unwrap_err();
        assert_eq!((err.code, err.fatal), ("malformed_xml", true));
        assert_eq!(err.line, Some(5));
        // Cut inside a tag.
        let err = run("<tbx>\n<body>\n<term").unwrap_err();
        assert_eq!(err.code, "malformed_xml");
        assert_eq!(err.line, Some(3));
        // Mismatched end tag on line 2.
        let err = run("<tbx>\n<a></b>\n</tbx>").unwrap_err();
        assert_eq!((err.code, err.line), ("malformed_xml", Some(2)));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        assert_eq!(run(&doc).unwrap_err().code, "xml_too_deep");
        let ok = format!("{}x{}", "<a>".repeat(60), "</a>".repeat(60));
        assert_eq!(run(&ok).unwrap(), vec!["x".to_string()]);
    }

    #[test]
    fn huge_text_run_is_refused_with_bounded_memory() {
        let mut doc = String::from("<a>");
        doc.push_str(&"م".repeat(MAX_TEXT_BYTES / 2 + 10));
        doc.push_str("</a>");
        assert_eq!(run(&doc).unwrap_err().code, "text_too_large");
    }

    #[test]
    fn escapes_round_trip_through_unescape() {
        let s = "ملف \"x\" & <y>\r\nz\t\u{1}";
        let t = escape_text(s);
        assert_eq!(t, "ملف \"x\" &amp; &lt;y&gt;&#xD;\nz\t");
        assert_eq!(
            unescape_text(t.as_bytes()).unwrap(),
            "ملف \"x\" & <y>\r\nz\t"
        );
        let a = escape_attr(s);
        assert_eq!(a, "ملف &quot;x&quot; &amp; &lt;y&gt;&#xD;&#xA;z&#x9;");
        assert!(matches!(escape_text("حاسوب"), Cow::Borrowed(_)));
    }

    #[test]
    fn line_at_uses_the_ring() {
        let text = "a\nb\nc\nd\n";
        let mut r = LineCountingReader::new(text.as_bytes());
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(r.line(), 5);
        assert_eq!(r.line_at(0), 1);
        assert_eq!(r.line_at(2), 2);
        assert_eq!(r.line_at(6), 4);
    }

    #[test]
    fn attr_finds_xml_lang() {
        let mut r = reader(LineCountingReader::new(
            "<langSet xml:lang=\"ar-SA\" note=\"a&amp;b\"/>".as_bytes(),
        ));
        let mut buf = Vec::new();
        let mut guard = Guard::default();
        match read_event(&mut r, &mut buf, &mut guard).unwrap() {
            Event::Empty(e) => {
                assert_eq!(local_name(&e), "langSet");
                assert_eq!(attr(&e, b"lang").unwrap().as_deref(), Some("ar-SA"));
                assert_eq!(attr(&e, b"note").unwrap().as_deref(), Some("a&b"));
                assert_eq!(attr(&e, b"id").unwrap(), None);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
