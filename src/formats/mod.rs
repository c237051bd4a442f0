//! Import/export formats: TMX 1.4b, TBX (v2 `martif` and v3 `tbx`), CSV/TSV,
//! and XLIFF (read for segments, rewritten by splicing: [`xliff`]).
//!
//! Readers are streaming iterators over the domain model drafts
//! ([`crate::termbase::model::ConceptDraft`], [`crate::memory::model::UnitDraft`]);
//! writers stream model values out. Nothing here touches the store or HTTP.
//!
//! Error convention for every reader: the iterator yields
//! `Err(FormatError { fatal: false, .. })` for a row/unit it had to skip and
//! goes on; it yields one `Err(FormatError { fatal: true, .. })` and then
//! `None` when the input cannot be read any further (not this format, bad
//! encoding, XML that is not well-formed, a DTD). Callers that promise
//! "nothing stored on a fatal error" therefore read everything first (or
//! spool) before committing.

pub mod decode;
pub mod tbx;
pub mod term_delimited;
pub mod tmx;
pub mod unit_delimited;
pub mod xliff;
pub mod xml;

pub use decode::{decoded_reader, Decoded};

/// A problem found in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// 1-based line, where known.
    pub line: Option<u64>,
    /// 1-based column, where known.
    pub column: Option<u64>,
    /// Stable snake_case code (`malformed_xml`, `dtd_not_allowed`,
    /// `invalid_encoding`, `missing_header`, `missing_column`,
    /// `empty_term`, `bad_row`, `missing_language`, …).
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
    /// Whether reading had to stop.
    pub fatal: bool,
}

impl FormatError {
    /// A fatal error.
    pub fn fatal(code: &'static str, message: impl Into<String>) -> FormatError {
        FormatError {
            line: None,
            column: None,
            code,
            message: message.into(),
            fatal: true,
        }
    }

    /// A per-row (skippable) error.
    pub fn row(code: &'static str, message: impl Into<String>) -> FormatError {
        FormatError {
            line: None,
            column: None,
            code,
            message: message.into(),
            fatal: false,
        }
    }

    /// Adds a position.
    pub fn at(mut self, line: Option<u64>, column: Option<u64>) -> FormatError {
        self.line = line;
        self.column = column;
        self
    }
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for FormatError {}

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma-separated values.
    Csv,
    /// Tab-separated values.
    Tsv,
    /// TermBase eXchange.
    Tbx,
    /// Translation Memory eXchange.
    Tmx,
}

impl Format {
    /// Parses `csv`, `tsv`, `tbx`, `tmx` (case-insensitive).
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "tsv" | "tab" => Some(Format::Tsv),
            "tbx" => Some(Format::Tbx),
            "tmx" => Some(Format::Tmx),
            _ => None,
        }
    }

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Tbx => "tbx",
            Format::Tmx => "tmx",
        }
    }
}

/// Guesses the format of decoded (UTF-8) text from its first bytes: XML
/// roots `<tmx`/`<martif`/`<tbx`, else a tab in the first line → TSV, a comma
/// → CSV.
pub fn sniff(head: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('<') {
        let lower = t.to_ascii_lowercase();
        if lower.contains("<tmx") {
            return Some(Format::Tmx);
        }
        if lower.contains("<martif") || lower.contains("<tbx") {
            return Some(Format::Tbx);
        }
        return None;
    }
    let first = t.lines().next().unwrap_or("");
    if first.contains('\t') {
        Some(Format::Tsv)
    } else if first.contains(',') {
        Some(Format::Csv)
    } else {
        None
    }
}

/// The first decoded (UTF-8) bytes of `raw` (gzip, BOM and UTF-16
/// undone), for [`resolve_format`].
pub fn decoded_head(raw: impl std::io::Read) -> Result<Vec<u8>, FormatError> {
    let (mut decoded, _) = decoded_reader(raw)?;
    let head = decoded
        .fill_buf()
        .map_err(|e| FormatError::fatal("invalid_encoding", e.to_string()))?;
    Ok(head.to_vec())
}

/// Decides the format of an import from the declared one (if any) and the
/// first decoded bytes, for a collection that imports `accepted` formats
/// (`kind` names it in messages: "term base", "memory"). One rule for every
/// import, so the same body gets the same answer everywhere:
/// * a format the collection does not import, declared or detected, and a
///   declared format the content contradicts, are a fatal `format_mismatch`;
/// * no declared format and unrecognizable content is a fatal
///   `unknown_format`.
pub fn resolve_format(
    declared: Option<Format>,
    head: &[u8],
    accepted: &[Format],
    kind: &str,
) -> Result<Format, FormatError> {
    let names = || {
        accepted
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("|")
    };
    let sniffed = sniff(head);
    let xml = head
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<');
    match declared {
        Some(d) if !accepted.contains(&d) => Err(FormatError::fatal(
            "format_mismatch",
            format!(
                "a {kind} does not import {}; use format={}",
                d.as_str(),
                names()
            ),
        )),
        Some(d @ (Format::Tmx | Format::Tbx)) if sniffed != Some(d) => Err(FormatError::fatal(
            "format_mismatch",
            format!(
                "format={} was declared but the body is not a {} document",
                d.as_str(),
                d.as_str().to_ascii_uppercase()
            ),
        )),
        Some(d @ (Format::Csv | Format::Tsv)) if xml => Err(FormatError::fatal(
            "format_mismatch",
            format!("format={} was declared but the body is XML", d.as_str()),
        )),
        Some(d) => Ok(d),
        None => match sniffed {
            Some(f) if accepted.contains(&f) => Ok(f),
            Some(f) => Err(FormatError::fatal(
                "format_mismatch",
                format!(
                    "the body is {}, which a {kind} does not import; use format={}",
                    f.as_str().to_ascii_uppercase(),
                    names()
                ),
            )),
            None => Err(FormatError::fatal(
                "unknown_format",
                format!(
                    "cannot tell the format of the body; pass format={}",
                    names()
                ),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_format_rule_for_every_import() {
        let memory = [Format::Tmx, Format::Tsv, Format::Csv];
        let termbase = [Format::Csv, Format::Tsv, Format::Tbx];
        let tmx = b"<?xml version=\"1.0\"?><tmx version=\"1.4\">".as_slice();
        let tbx = b"<martif type=\"TBX\">".as_slice();
        let csv = "ar,en\nملف,file\n".as_bytes();
        let code = |r: Result<Format, FormatError>| r.map_err(|e| e.code);
        assert_eq!(
            code(resolve_format(None, tmx, &memory, "memory")),
            Ok(Format::Tmx)
        );
        assert_eq!(
            code(resolve_format(None, csv, &memory, "memory")),
            Ok(Format::Csv)
        );
        assert_eq!(
            code(resolve_format(Some(Format::Tsv), csv, &memory, "memory")),
            Ok(Format::Tsv)
        );
        // The other kind of collection's format, detected or declared.
        assert_eq!(
            code(resolve_format(None, tbx, &memory, "memory")),
            Err("format_mismatch")
        );
        assert_eq!(
            code(resolve_format(None, tmx, &termbase, "term base")),
            Err("format_mismatch")
        );
        assert_eq!(
            code(resolve_format(
                Some(Format::Tmx),
                tmx,
                &termbase,
                "term base"
            )),
            Err("format_mismatch")
        );
        // A declared format the content contradicts.
        assert_eq!(
            code(resolve_format(Some(Format::Tmx), csv, &memory, "memory")),
            Err("format_mismatch")
        );
        assert_eq!(
            code(resolve_format(
                Some(Format::Csv),
                tbx,
                &termbase,
                "term base"
            )),
            Err("format_mismatch")
        );
        // Nothing recognizable and nothing declared.
        assert_eq!(
            code(resolve_format(None, b"\x00\x01 binary", &memory, "memory")),
            Err("unknown_format")
        );
    }

    #[test]
    fn sniffs_roots_and_delimiters() {
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<tmx version=\"1.4\">"),
            Some(Format::Tmx)
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><martif type=\"TBX\">"),
            Some(Format::Tbx)
        );
        assert_eq!(sniff(b"<tbx type=\"TBX-Basic\">"), Some(Format::Tbx));
        assert_eq!(sniff("en\tar\nfile\tملف".as_bytes()), Some(Format::Tsv));
        assert_eq!(sniff("ar,en\nملف,file".as_bytes()), Some(Format::Csv));
        assert_eq!(sniff(b"<html>"), None);
    }
}
