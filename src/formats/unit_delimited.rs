//! Translation memories as delimited text: TSV (tab, no quoting, backslash
//! escapes) and CSV (RFC 4180 quoting).
//!
//! A header line is required. The source and target columns are found by
//! language tag (`en`, `ar`, `ar-SA`: exact tag first, then base subtag) or
//! by the names `source`/`target` (then the memory's pair applies). Optional
//! columns: `context`, `origin`, `created` (RFC 3339 or TMX date), `created_by`,
//! `note`. Any other column becomes a prop (`(column name, value)`) and is
//! announced once by an `unknown_column` warning (a non-fatal error item).
//!
//! TSV fields carry `\t`, `\n`, `\r` and `\\` escapes, decoded left to right
//! (`\` + next char; an unknown pair is kept as written). Records are capped
//! at [`MAX_RECORD_BYTES`] (`record_too_large`), so memory stays bounded.
//!
//! ```
//! use mustalah::formats::unit_delimited::UnitDelimitedReader;
//! let tsv = "source\ttarget\torigin\nOpen\\tfile\tافتح\\tالملف\tgedit\n";
//! let units: Vec<_> = UnitDelimitedReader::new(tsv.as_bytes(), b'\t', "en", "ar")
//!     .unwrap()
//!     .collect();
//! assert_eq!(units[0].as_ref().unwrap().target, "افتح\tالملف");
//! ```

use super::csv_quotes::QuoteScan;
use super::decode::is_encoding_error;
use super::tmx::parse_tmx_date;
use super::{decoded_reader, FormatError};
use crate::memory::model::{TranslationUnit, UnitDraft};
use chrono::SecondsFormat;
use csv_core::{ReadRecordResult, Terminator};
use std::io::{self, BufRead, Read, Write};

/// Largest record (all fields together) accepted.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;
/// Most fields per record accepted.
const MAX_FIELDS: usize = 4096;

/// Which column holds what.
#[derive(Debug)]
struct Columns {
    width: usize,
    source: usize,
    target: usize,
    source_lang: String,
    target_lang: String,
    context: Option<usize>,
    origin: Option<usize>,
    created: Option<usize>,
    created_by: Option<usize>,
    note: Option<usize>,
    /// Unknown columns kept as props: (index, header name).
    extra: Vec<(usize, String)>,
}

/// One raw record: fields are `out[ends[i-1]..ends[i]]`.
struct Record {
    line: u64,
    too_large: bool,
}

/// Streaming TSV/CSV memory reader yielding one [`UnitDraft`] per row.
///
/// [`UnitDelimitedReader::new`] reads the header, so `missing_header`,
/// `missing_column` and encoding problems in it come back from `new`.
pub struct UnitDelimitedReader<'a> {
    input: Box<dyn BufRead + 'a>,
    core: csv_core::Reader,
    tsv: bool,
    out: Vec<u8>,
    ends: Vec<usize>,
    eof: bool,
    done: bool,
    cols: Columns,
    warning: Option<FormatError>,
    max_record: usize,
    /// Data rows read so far (the header not counted).
    rows: u64,
    /// CSV quoting state (`None` for TSV).
    quotes: Option<QuoteScan>,
}

impl<'a> UnitDelimitedReader<'a> {
    /// Opens a delimited stream (`b'\t'` → TSV rules, anything else → CSV
    /// rules) for the memory pair (`source_lang`, `target_lang`).
    pub fn new(
        input: impl Read + 'a,
        delimiter: u8,
        source_lang: &str,
        target_lang: &str,
    ) -> Result<Self, FormatError> {
        Self::with_limit(input, delimiter, source_lang, target_lang, MAX_RECORD_BYTES)
    }

    fn with_limit(
        input: impl Read + 'a,
        delimiter: u8,
        source_lang: &str,
        target_lang: &str,
        max_record: usize,
    ) -> Result<Self, FormatError> {
        let (input, _) = decoded_reader(input)?;
        let tsv = delimiter == b'\t';
        // `\n` as the only terminator keeps csv-core's line count exact; a
        // `\r` left before it is stripped from the last field below.
        let core = csv_core::ReaderBuilder::new()
            .delimiter(delimiter)
            .quoting(!tsv)
            .terminator(Terminator::Any(b'\n'))
            .build();
        let mut me = UnitDelimitedReader {
            input,
            core,
            tsv,
            out: vec![0; 4096],
            ends: vec![0; 32],
            eof: false,
            done: false,
            cols: Columns {
                width: 0,
                source: 0,
                target: 0,
                source_lang: String::new(),
                target_lang: String::new(),
                context: None,
                origin: None,
                created: None,
                created_by: None,
                note: None,
                extra: Vec::new(),
            },
            warning: None,
            max_record,
            rows: 0,
            quotes: (!tsv).then(|| QuoteScan::new(delimiter)),
        };
        let Some(rec) = me.read_record()? else {
            return Err(FormatError::fatal(
                "missing_header",
                "the file is empty; a header line is required",
            ));
        };
        if rec.too_large {
            return Err(
                FormatError::fatal("missing_header", "the header line is too long")
                    .at(Some(rec.line), None),
            );
        }
        let names: Vec<String> = (0..me.width())
            .map(|i| me.field(i).map(|f| f.trim().to_string()))
            .collect::<Result<_, _>>()
            .map_err(|e| FormatError {
                fatal: true,
                ..e.at(Some(rec.line), None)
            })?;
        let (cols, warning) = map_columns(&names, source_lang, target_lang).map_err(|e| {
            let column = e.column;
            e.at(Some(rec.line), column)
        })?;
        me.cols = cols;
        me.warning = warning.map(|w| {
            let column = w.column;
            w.at(Some(rec.line), column)
        });
        Ok(me)
    }

    fn width(&self) -> usize {
        self.ends.len()
    }

    /// Field `i` of the current record, decoded (TSV escapes undone).
    fn field(&self, i: usize) -> Result<String, FormatError> {
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0)
        };
        let end = self.ends.get(i).copied().unwrap_or(start);
        let raw = self.out.get(start..end).unwrap_or_default();
        let s = std::str::from_utf8(raw).map_err(|e| {
            FormatError::row("invalid_encoding", format!("field is not UTF-8: {e}"))
        })?;
        Ok(if self.tsv {
            unescape_tsv(s)
        } else {
            s.to_string()
        })
    }

    /// Reads one record into `out`/`ends` (trimmed to their used length);
    /// `Ok(None)` at the end of input.
    fn read_record(&mut self) -> Result<Option<Record>, FormatError> {
        self.out.resize(self.out.capacity().max(4096), 0);
        self.ends.resize(self.ends.capacity().max(32), 0);
        let (mut nout, mut nend) = (0usize, 0usize);
        let mut too_large = false;
        loop {
            let input = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if is_encoding_error(&e) => {
                    return Err(FormatError::fatal("invalid_encoding", e.to_string())
                        .at(Some(self.core.line()), None))
                }
                Err(e) => return Err(FormatError::fatal("read_error", e.to_string())),
            };
            if input.is_empty() {
                self.eof = true;
            }
            let (res, nin, o, n) =
                self.core
                    .read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            if let Some(q) = &mut self.quotes {
                let checked = match input.get(..nin) {
                    Some([]) | None => q.finish(),
                    Some(read) => q.feed(read),
                };
                checked.map_err(|u| u.error())?;
            }
            self.input.consume(nin);
            // csv-core writes `ends` as offsets from the record's start.
            nout += o;
            nend += n;
            match res {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    if self.out.len() >= self.max_record {
                        // Keep parsing to find the record's end, discarding.
                        too_large = true;
                        nout = 0;
                        nend = 0;
                    } else {
                        // Grow geometrically, but never past the cap.
                        let len = (self.out.len() * 2).min(self.max_record);
                        self.out.resize(len.max(self.out.len() + 1), 0);
                    }
                }
                ReadRecordResult::OutputEndsFull => {
                    if self.ends.len() >= MAX_FIELDS {
                        too_large = true;
                        nout = 0;
                        nend = 0;
                    } else {
                        let len = self.ends.len() * 2;
                        self.ends.resize(len, 0);
                    }
                }
                ReadRecordResult::Record => {
                    too_large |= nout > self.max_record;
                    self.out.truncate(nout);
                    self.ends.truncate(nend);
                    // csv-core starts counting at line 1 and has already counted
                    // the terminating `\n` (absent on a last unterminated line).
                    let end_line = if self.eof {
                        self.core.line()
                    } else {
                        self.core.line().saturating_sub(1)
                    };
                    // A `\r` of a CRLF line end sits at the end of the last field.
                    let n = self.ends.len();
                    let last_start = if n >= 2 { self.ends[n - 2] } else { 0 };
                    if !too_large
                        && n >= 1
                        && self.ends[n - 1] == self.out.len()
                        && self.out.len() > last_start
                        && self.out.last() == Some(&b'\r')
                    {
                        self.out.pop();
                        self.ends[n - 1] -= 1;
                    }
                    // A line that held only `\r` is a blank line: skip it.
                    if self.ends.len() == 1 && self.out.is_empty() && !too_large {
                        self.out.resize(self.out.capacity().max(4096), 0);
                        self.ends.resize(self.ends.capacity().max(32), 0);
                        nout = 0;
                        nend = 0;
                        continue;
                    }
                    let inner = self.out.iter().filter(|&&b| b == b'\n').count() as u64;
                    return Ok(Some(Record {
                        line: end_line.saturating_sub(inner).max(1),
                        too_large,
                    }));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }

    /// Turns the current record into a draft.
    fn draft(&self, line: u64, row: u64) -> Result<UnitDraft, FormatError> {
        let c = &self.cols;
        let at = |mut e: FormatError| {
            let column = e.column;
            e.message = format!("{} (row {row})", e.message);
            e.at(Some(line), column)
        };
        if self.width() != c.width {
            let column = if self.width() > c.width {
                c.width + 1
            } else {
                self.width() + 1
            };
            return Err(at(FormatError::row(
                "bad_row",
                format!("expected {} fields, found {}", c.width, self.width()),
            )
            .at(None, Some(column as u64))));
        }
        let get = |i: Option<usize>| -> Result<Option<String>, FormatError> {
            match i {
                Some(i) => Ok(Some(self.field(i).map_err(at)?).filter(|s| !s.is_empty())),
                None => Ok(None),
            }
        };
        let source = self.field(c.source).map_err(at)?;
        let target = self.field(c.target).map_err(at)?;
        for (text, idx, side) in [(&source, c.source, "source"), (&target, c.target, "target")] {
            if text.is_empty() {
                return Err(at(FormatError::row(
                    "empty_segment",
                    format!("the {side} field is empty"),
                )
                .at(None, Some(idx as u64 + 1))));
            }
            if text.trim().is_empty() {
                return Err(at(FormatError::row(
                    "blank_segment",
                    format!("the {side} field is only whitespace; unit skipped"),
                )
                .at(None, Some(idx as u64 + 1))));
            }
        }
        let mut props = Vec::with_capacity(c.extra.len());
        for (i, name) in &c.extra {
            if let Some(v) = get(Some(*i))? {
                props.push((name.clone(), v));
            }
        }
        // A bad date is ignored on purpose, as in TMX: the text is what matters.
        let created = get(c.created)?.and_then(|d| parse_tmx_date(&d));
        Ok(UnitDraft {
            source,
            target,
            source_lang: c.source_lang.clone(),
            target_lang: c.target_lang.clone(),
            context: get(c.context)?,
            origin: get(c.origin)?,
            created,
            modified: None,
            created_by: get(c.created_by)?,
            props,
            notes: get(c.note)?.into_iter().collect(),
            source_markup: None,
            target_markup: None,
            position: Some((line, 1)),
            ..UnitDraft::default()
        })
    }
}

impl Iterator for UnitDelimitedReader<'_> {
    type Item = Result<UnitDraft, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(w) = self.warning.take() {
            return Some(Err(w));
        }
        if self.done {
            return None;
        }
        match self.read_record() {
            Ok(Some(rec)) if rec.too_large => Some(Err(FormatError::row(
                "record_too_large",
                format!(
                    "record longer than {} bytes or {MAX_FIELDS} fields",
                    self.max_record
                ),
            )
            .at(Some(rec.line), None))),
            Ok(Some(rec)) => {
                self.rows += 1;
                Some(self.draft(rec.line, self.rows))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Decodes TSV backslash escapes left to right.
fn unescape_tsv(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            // Not an escape we write: keep it as it was.
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Base subtag (`ar` of `ar-SA`), lower-cased.
fn base(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Whether a header name looks like a language tag (`en`, `ar-SA`, `zh_Hant`).
fn is_lang_tag(name: &str) -> bool {
    let mut parts = name.split(['-', '_']);
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Maps header names to columns; the second value is the `unknown_column`
/// warning, if any.
fn map_columns(
    names: &[String],
    source_lang: &str,
    target_lang: &str,
) -> Result<(Columns, Option<FormatError>), FormatError> {
    let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let find_lang = |tag: &str, skip: Option<usize>| -> Option<usize> {
        let tag = tag.trim().to_ascii_lowercase();
        let b = base(&tag);
        let usable = |i: &usize| Some(*i) != skip && is_lang_tag(&lower[*i]);
        (0..names.len())
            .filter(usable)
            .find(|&i| lower[i] == tag)
            .or_else(|| {
                (0..names.len())
                    .filter(usable)
                    .find(|&i| base(&lower[i]) == b)
            })
    };
    let named = |n: &str| lower.iter().position(|l| l == n);
    let (source, source_lang) = match find_lang(source_lang, None) {
        Some(i) => (Some(i), names[i].clone()),
        None => (named("source"), source_lang.trim().to_string()),
    };
    let (target, target_lang) = match find_lang(target_lang, source) {
        Some(i) => (Some(i), names[i].clone()),
        None => (named("target"), target_lang.trim().to_string()),
    };
    let (Some(source), Some(target)) = (source, target) else {
        let which = if source.is_none() { "source" } else { "target" };
        return Err(FormatError::fatal(
            "missing_column",
            format!(
                "no {which} column: name it by language tag ({}) or `{which}`; header is {:?}",
                if source.is_none() {
                    source_lang
                } else {
                    target_lang
                },
                names
            ),
        ));
    };
    let mut cols = Columns {
        width: names.len(),
        source,
        target,
        source_lang,
        target_lang,
        context: None,
        origin: None,
        created: None,
        created_by: None,
        note: None,
        extra: Vec::new(),
    };
    for (i, name) in lower.iter().enumerate() {
        if i == source || i == target {
            continue;
        }
        let slot = match name.as_str() {
            "context" => &mut cols.context,
            "origin" => &mut cols.origin,
            "created" => &mut cols.created,
            "created_by" => &mut cols.created_by,
            "note" => &mut cols.note,
            _ => {
                cols.extra.push((i, names[i].clone()));
                continue;
            }
        };
        if slot.is_none() {
            *slot = Some(i);
        } else {
            cols.extra.push((i, names[i].clone()));
        }
    }
    let warning = cols.extra.first().map(|(i, _)| {
        let list: Vec<&str> = cols.extra.iter().map(|(_, n)| n.as_str()).collect();
        FormatError::row(
            "unknown_column",
            format!("columns kept as props: {}", list.join(", ")),
        )
        .at(None, Some(*i as u64 + 1))
    });
    Ok((cols, warning))
}

/// Escapes a TSV field (`\\`, `\t`, `\n`, `\r`).
fn escape_tsv(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Quotes a CSV field when it holds the delimiter, a quote or a line break.
fn escape_csv(out: &mut String, s: &str, delimiter: char) {
    if s.contains([delimiter, '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Writes units as TSV (`delimiter == b'\t'`: backslash escapes, `\n` line
/// ends) or CSV (RFC 4180 quoting, CRLF line ends). Header:
/// `<source_lang> <target_lang> context origin created created_by`, with the
/// languages of the first unit (`source`/`target` when there is none);
/// `created` is RFC 3339 UTC. Props, notes, `modified` and inline markup are
/// not written (TMX keeps them).
pub fn write_units_delimited<W: Write>(
    mut out: W,
    delimiter: u8,
    units: impl IntoIterator<Item = TranslationUnit>,
) -> io::Result<()> {
    let tsv = delimiter == b'\t';
    let d = char::from(delimiter);
    let eol = if tsv { "\n" } else { "\r\n" };
    let mut units = units.into_iter().peekable();
    let (sl, tl) = units
        .peek()
        .map(|u| (u.source_lang.clone(), u.target_lang.clone()))
        .unwrap_or_else(|| ("source".to_string(), "target".to_string()));
    let mut line = String::with_capacity(256);
    let push = |line: &mut String, s: &str, first: bool| {
        if !first {
            line.push(d);
        }
        if tsv {
            escape_tsv(line, s);
        } else {
            escape_csv(line, s, d);
        }
    };
    for (i, h) in [
        sl.as_str(),
        tl.as_str(),
        "context",
        "origin",
        "created",
        "created_by",
    ]
    .iter()
    .enumerate()
    {
        push(&mut line, h, i == 0);
    }
    line.push_str(eol);
    out.write_all(line.as_bytes())?;
    for u in units {
        line.clear();
        push(&mut line, &u.source, true);
        push(&mut line, &u.target, false);
        push(&mut line, u.context.as_deref().unwrap_or(""), false);
        push(&mut line, u.origin.as_deref().unwrap_or(""), false);
        push(
            &mut line,
            &u.created.to_rfc3339_opts(SecondsFormat::Secs, true),
            false,
        );
        push(&mut line, u.created_by.as_deref().unwrap_or(""), false);
        line.push_str(eol);
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
            .single()
            .expect("valid date")
    }

    fn read(text: &[u8], delimiter: u8) -> Vec<Result<UnitDraft, FormatError>> {
        UnitDelimitedReader::new(text, delimiter, "en", "ar")
            .expect("opens")
            .collect()
    }

    #[test]
    fn reads_tsv_fixture_with_escapes_and_row_errors() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/memory/escapes.tsv"
        );
        let bytes = std::fs::read(path).expect("fixture");
        let items = read(&bytes, b'\t');
        assert_eq!(items.len(), 7, "{items:#?}");
        let w = items[0].as_ref().expect_err("warning first");
        assert_eq!(
            (w.code, w.fatal, w.line, w.column),
            ("unknown_column", false, Some(1), Some(8))
        );
        assert!(w.message.contains("domain"));

        let u = items[1].as_ref().expect("row 1");
        assert_eq!(u.source, "Open\tthe file");
        assert_eq!(u.target, "افتح\tالملف");
        assert_eq!(
            (u.source_lang.as_str(), u.target_lang.as_str()),
            ("en", "ar-SA")
        );
        assert_eq!(u.context.as_deref(), Some("menu.file"));
        assert_eq!(u.origin.as_deref(), Some("gedit/gedit"));
        assert_eq!(u.created, Some(utc(2024, 1, 15, 9, 30, 0)));
        assert_eq!(u.created_by.as_deref(), Some("hala"));
        assert_eq!(u.notes, vec!["Imperative".to_string()]);
        assert_eq!(u.props, vec![("domain".to_string(), "ui".to_string())]);

        let u = items[2].as_ref().expect("row 2");
        assert_eq!(u.source, "Line one\nline two\r\n");
        assert_eq!(u.target, "السطر الأول\nالسطر الثاني\r\n");
        assert_eq!(u.created, Some(utc(2024, 1, 16, 10, 0, 0)));
        assert_eq!((u.context.as_ref(), u.origin.as_ref()), (None, None));

        let u = items[3].as_ref().expect("row 3");
        assert_eq!(u.source, "C:\\Program Files\\app");
        assert_eq!(u.target, "ج:\\ملفات البرامج\\التطبيق");
        assert_eq!(u.created, None, "bad date ignored");
        assert_eq!(u.created_by.as_deref(), Some("omar"));

        let e = items[4].as_ref().expect_err("empty target");
        assert_eq!(
            (e.code, e.fatal, e.line, e.column),
            ("empty_segment", false, Some(5), Some(2))
        );
        let e = items[5].as_ref().expect_err("short row");
        assert_eq!(
            (e.code, e.fatal, e.line, e.column),
            ("bad_row", false, Some(6), Some(3))
        );

        let u = items[6].as_ref().expect("row 6");
        assert_eq!(
            (u.source.as_str(), u.target.as_str()),
            ("  Save as… ", " حفظ باسم…")
        );
    }

    #[test]
    fn real_data_header_source_target_origin() {
        let tsv = "source\ttarget\torigin\n  Edit this Command  \t حرر هذا الأمر\t4pane/4Pane\n\
                   a\\\\b\\tc\tأ\\\\ب\\zج\tx/y";
        let items = read(tsv.as_bytes(), b'\t');
        assert_eq!(items.len(), 2, "{items:#?}");
        let u = items[0].as_ref().expect("row");
        assert_eq!(u.source, "  Edit this Command  ");
        assert_eq!(u.target, " حرر هذا الأمر");
        assert_eq!(
            (u.source_lang.as_str(), u.target_lang.as_str()),
            ("en", "ar")
        );
        assert_eq!(u.origin.as_deref(), Some("4pane/4Pane"));
        // Last line without newline; unknown escape `\z` kept as written.
        let u = items[1].as_ref().expect("row");
        assert_eq!(
            (u.source.as_str(), u.target.as_str()),
            ("a\\b\tc", "أ\\ب\\zج")
        );
    }

    #[test]
    fn csv_rfc4180_quotes_crlf_and_language_columns() {
        let csv = "ar,EN-us,note\r\n\"افتح \"\"الملف\"\"\",\"Open \"\"the\"\", file\",x\r\n\
                   \"سطر\r\nثان\",\"line\r\ntwo\",\r\n\r\nملفاتك,your files,\r\n";
        let items = read(csv.as_bytes(), b',');
        assert_eq!(items.len(), 3, "{items:#?}");
        let u = items[0].as_ref().expect("row 1");
        assert_eq!(u.source, "Open \"the\", file");
        assert_eq!(u.target, "افتح \"الملف\"");
        assert_eq!(
            (u.source_lang.as_str(), u.target_lang.as_str()),
            ("EN-us", "ar")
        );
        assert_eq!(u.notes, vec!["x".to_string()]);
        let u = items[1].as_ref().expect("row 2");
        assert_eq!(
            (u.source.as_str(), u.target.as_str()),
            ("line\r\ntwo", "سطر\r\nثان")
        );
        assert!(u.notes.is_empty());
        let u = items[2].as_ref().expect("row 3 after a blank line");
        assert_eq!(u.target, "ملفاتك");
    }

    #[test]
    fn crlf_is_stripped_only_from_the_last_field() {
        // Row 1: CRLF after an empty last field. Row 2: a literal CR ends the
        // middle field while the last one is empty: it stays in its field.
        let tsv = "en\tar\tnote\r\nfile\tملف\t\r\nfiles\tملفات\r\t\n";
        let items = read(tsv.as_bytes(), b'\t');
        assert_eq!(items.len(), 2, "{items:#?}");
        let u = items[0].as_ref().expect("row 1");
        assert_eq!((u.source.as_str(), u.target.as_str()), ("file", "ملف"));
        assert!(u.notes.is_empty());
        let u = items[1].as_ref().expect("row 2");
        assert_eq!((u.source.as_str(), u.target.as_str()), ("files", "ملفات\r"));
    }

    #[test]
    fn header_problems_are_fatal() {
        let err = |s: &str| UnitDelimitedReader::new(s.as_bytes(), b'\t', "en", "ar").err();
        let e = err("").expect("empty");
        assert_eq!((e.code, e.fatal), ("missing_header", true));
        let e = err("en\tfr\nfile\tfichier\n").expect("no Arabic");
        assert_eq!((e.code, e.fatal, e.line), ("missing_column", true, Some(1)));
        assert!(e.message.contains("target"));
        let e = err("target\tnote\nملف\tx\n").expect("no source");
        assert!(e.message.contains("source column"));
        let e = UnitDelimitedReader::new(&b"en\tar\n\xff\xfe\xfd\tx\n"[..], b'\t', "en", "ar")
            .map(|r| r.collect::<Vec<_>>())
            .map_or_else(
                |e| e,
                |v| v.into_iter().find_map(Result::err).expect("error"),
            );
        assert_eq!((e.code, e.fatal), ("invalid_encoding", true));
    }

    #[test]
    fn oversized_record_is_skipped() {
        let big = "ملف".repeat(200);
        let tsv = format!("en\tar\n{big}\tx\nfile\tالملف\n");
        let items: Vec<_> = UnitDelimitedReader::with_limit(tsv.as_bytes(), b'\t', "en", "ar", 100)
            .expect("opens")
            .collect();
        assert_eq!(items.len(), 2, "{items:#?}");
        let e = items[0].as_ref().expect_err("too large");
        assert_eq!(
            (e.code, e.fatal, e.line),
            ("record_too_large", false, Some(2))
        );
        assert_eq!(items[1].as_ref().map(|u| u.target.as_str()), Ok("الملف"));
    }

    pub(super) fn unit(source: &str, target: &str) -> TranslationUnit {
        TranslationUnit {
            id: 1,
            source: source.to_string(),
            target: target.to_string(),
            source_lang: "en".to_string(),
            target_lang: "ar".to_string(),
            context: None,
            origin: None,
            created: utc(2024, 3, 1, 8, 0, 0),
            modified: utc(2024, 3, 2, 8, 0, 0),
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

    #[test]
    fn writer_round_trips_tsv_and_csv() {
        let mut a = unit("Open\tthe \\ file\r\n", "افتح\tالملف\\ \"هنا\"\r\n");
        a.context = Some("menu, file".to_string());
        a.origin = Some("gedit/gedit".to_string());
        a.created_by = Some("hala".to_string());
        let b = unit("  leading, \"quoted\"", "بالملفات");
        for delimiter in [b'\t', b','] {
            let mut out = Vec::new();
            write_units_delimited(&mut out, delimiter, vec![a.clone(), b.clone()]).expect("write");
            let text = String::from_utf8(out.clone()).expect("utf8");
            let header = text.lines().next().expect("header");
            let d = char::from(delimiter);
            assert_eq!(
                header,
                ["en", "ar", "context", "origin", "created", "created_by"].join(&d.to_string())
            );
            let back: Vec<_> = read(&out, delimiter)
                .into_iter()
                .map(|r| r.expect("row"))
                .collect();
            assert_eq!(back.len(), 2);
            for (u, d) in [&a, &b].iter().zip(&back) {
                assert_eq!((&d.source, &d.target), (&u.source, &u.target));
                assert_eq!(
                    (&d.context, &d.origin, &d.created_by),
                    (&u.context, &u.origin, &u.created_by)
                );
                assert_eq!(d.created, Some(u.created));
            }
        }
    }
}
