//! CSV and TSV term bases: a streaming reader of [`ConceptDraft`]s and a
//! writer of [`Concept`]s in the same syntax.
//!
//! # Format
//! One concept per row; a header row is required. Column headers are
//! matched case-insensitively:
//!
//! * a BCP-47 language tag (`ar`, `en`, `ar-SA`, `en-US`, `fr`, `zh-Hans`:
//!   primary subtag of 2–3 letters) holds that language's terms, separated by
//!   `|`. The first is preferred, the others admitted, unless a term ends with
//!   a status marker `{deprecated}`, `{forbidden}`, `{admitted}`,
//!   `{preferred}` (TBX names such as `{deprecatedTerm-admn-sts}` too).
//!   The reader does not split cells further; on import each term is then
//!   split into the alternatives real glossaries write in one cell
//!   (`،` `؛` `;` and numbered senses, qualifiers kept as notes: see
//!   [`split_alternatives`]);
//! * `id`; `domain` (or `subject`, `subjectField`); `pos` (or
//!   `partOfSpeech`, applies to every term of the row); `definition`; `note`;
//!   `status` (applies to every term without a marker, overriding the
//!   preferred/admitted default); `context` / `context_words` (`|`-separated
//!   disambiguation words); `negative_context_words` (or `negative_context`,
//!   `not_with`: `|`-separated words pointing to another sense);
//!   `general` (`true`/`false`: general vocabulary, recognized only on
//!   request; anything else is a `bad_general` row error); `<lang>_variants` (`|`-separated inflected forms
//!   of the FIRST term of that language, e.g. `ar_variants`);
//! * any other column is kept in the concept note as a `column: value` line
//!   and reported once as an `unknown_column` warning.
//!
//! Values are trimmed of surrounding whitespace; empty cells are absent.
//! CSV follows RFC 4180 (quotes, doubled quotes, quoted line breaks). TSV
//! uses no quoting; instead `\t`, `\n`, `\r` and `\\` escapes are decoded
//! in every field (an unknown escape is kept as written).
//!
//! Errors: per row (the row is skipped): `empty_row` (no term at all),
//! `bad_row` (field count differs from the header), `term_too_long` (over
//! [`MAX_TERM_CHARS`] characters), `bad_status` (unknown marker or `status`
//! value); each carries the 1-based line of the record start and, where
//! known, the 1-based column. Fatal (reading stops): `invalid_encoding`,
//! `missing_header`, `no_language_column`, `too_many_columns` (more than
//! [`MAX_FIELDS`] fields), `row_too_large` (a record over [`MAX_ROW_BYTES`]
//! bytes: the csv crate buffers one whole record, so this bounds memory),
//! `unterminated_quote` (CSV: a quoted field still open at the end of the
//! file or spanning more than [`super::csv_quotes::MAX_QUOTED_LINES`] lines,
//! reported at the line of its opening quote).
//!
//! Not representable (the writer's known losses): per-term notes, variants
//! of other than the first term of a language, a `pos` that differs
//! between terms of one concept (the first term's is written), and `|`
//! inside terms/variants/context words (written as `¦`). Language columns
//! are matched to `Concept::terms` keys exactly, so pass canonical tags
//! (`en-US`), as the reader produces them. Cells are not protected against
//! spreadsheet formula injection (`=`, `+`, `@` prefixes are written as is).

use super::csv_quotes::QuoteScan;
use super::decode::is_encoding_error;
use super::{decoded_reader, FormatError};
use crate::termbase::model::{Concept, ConceptDraft, Term, TermStatus};
use std::collections::VecDeque;
use std::io::{self, Read, Write};

/// Longest accepted term, in characters.
pub const MAX_TERM_CHARS: usize = 1000;
/// Most fields accepted in one record.
pub const MAX_FIELDS: usize = 10_000;
/// Largest accepted record, in bytes.
pub const MAX_ROW_BYTES: u64 = 1024 * 1024;

/// Prefix of the `io::Error` [`CappedReader`] raises for a quoted field
/// that does not close; the line of its opening quote follows.
const UNTERMINATED: &str = "unterminated_quote:";

/// Prefix of the I/O error the byte cap raises.
const ROW_TOO_LARGE: &str = "row_too_large:";

/// What a column holds.
#[derive(Debug, Clone, PartialEq)]
enum Column {
    Lang(String),
    Variants(String),
    Id,
    Domain,
    Pos,
    Definition,
    Note,
    Status,
    Context,
    NegativeContext,
    General,
    Unknown(String),
}

/// Streaming reader of CSV/TSV term bases (see the module doc).
pub struct TermDelimitedReader<'a> {
    records: csv::Reader<CappedReader<Box<dyn io::BufRead + 'a>>>,
    record: csv::StringRecord,
    columns: Vec<Column>,
    tsv: bool,
    warnings: Vec<FormatError>,
    line: u64,
    done: bool,
}

impl<'a> TermDelimitedReader<'a> {
    /// Decodes `input` (gzip, BOM, UTF-16), reads and validates the header.
    /// `delimiter` is `b','` for CSV, `b'\t'` for TSV (TSV: no quoting,
    /// backslash escapes), anything else is CSV-like with that delimiter.
    pub fn new(input: impl Read + 'a, delimiter: u8) -> Result<Self, FormatError> {
        let (decoded, _) = decoded_reader(input)?;
        let capped = CappedReader {
            inner: decoded,
            read: 0,
            limit: MAX_ROW_BYTES,
            newlines: VecDeque::new(),
            lines_before: 0,
            quotes: (delimiter != b'\t').then(|| QuoteScan::new(delimiter)),
        };
        let tsv = delimiter == b'\t';
        let records = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .quoting(!tsv)
            .from_reader(capped);
        let mut reader = TermDelimitedReader {
            records,
            record: csv::StringRecord::new(),
            columns: Vec::new(),
            tsv,
            warnings: Vec::new(),
            line: 0,
            done: false,
        };
        if !reader.read_record()? {
            return Err(FormatError::fatal(
                "missing_header",
                "the file is empty: a header row naming the columns (e.g. `id,ar,en`) is required",
            )
            .at(Some(1), None));
        }
        reader.columns = reader.parse_header();
        if !reader.columns.iter().any(|c| matches!(c, Column::Lang(_))) {
            return Err(FormatError::fatal(
                "no_language_column",
                "no column header is a language tag (e.g. `ar`, `en`, `en-US`); the first row must be a header",
            )
            .at(Some(reader.line), None));
        }
        Ok(reader)
    }

    /// Warnings found so far (each unknown column once).
    pub fn warnings(&self) -> &[FormatError] {
        &self.warnings
    }

    /// 1-based line of the start of the last record read.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Reads the next record into `self.record`; `Ok(false)` at the end.
    fn read_record(&mut self) -> Result<bool, FormatError> {
        let result = self.records.read_record(&mut self.record);
        let more = match result {
            Ok(more) => more,
            Err(e) => {
                let line = match e.position() {
                    Some(p) => self.records.get_mut().line_at(p.byte()),
                    None => self.line + 1,
                };
                let err = csv_error(e);
                if err.line.is_some() {
                    return Err(err);
                }
                return Err(err.at(Some(line), None));
            }
        };
        if !more {
            return Ok(false);
        }
        // csv-core does not count line breaks inside quoted fields, so lines
        // come from the byte offset of the record start instead.
        let start = self.record.position().map_or(0, |p| p.byte());
        self.line = self.records.get_mut().line_at(start);
        // The record that just ended may have used most of the budget; the
        // next one starts here.
        let next = self.records.position().byte();
        self.records.get_mut().limit = next + MAX_ROW_BYTES;
        if self.record.len() > MAX_FIELDS {
            return Err(FormatError::fatal(
                "too_many_columns",
                format!("a row has more than {MAX_FIELDS} fields"),
            )
            .at(Some(self.line), None));
        }
        Ok(true)
    }

    fn parse_header(&mut self) -> Vec<Column> {
        let mut columns = Vec::with_capacity(self.record.len());
        let mut langs: Vec<String> = Vec::new();
        for raw in self.record.iter() {
            let name = raw.trim().trim_start_matches('\u{feff}');
            let col = match name.to_ascii_lowercase().as_str() {
                "id" | "concept_id" | "conceptid" | "concept" | "entry_id" | "entryid"
                | "term_id" => Column::Id,
                "domain" | "subject" | "subjectfield" | "subject_field" => Column::Domain,
                "pos" | "partofspeech" | "part_of_speech" => Column::Pos,
                "definition" => Column::Definition,
                "note" | "notes" => Column::Note,
                "status" => Column::Status,
                "context" | "context_words" => Column::Context,
                "negative_context" | "negative_context_words" | "not_with" => {
                    Column::NegativeContext
                }
                "general" | "general_vocabulary" => Column::General,
                _ => match header_language(name) {
                    Some(tag) => {
                        langs.push(tag.clone());
                        Column::Lang(tag)
                    }
                    None => Column::Unknown(name.to_owned()),
                },
            };
            columns.push(col);
        }
        // `<lang>_variants` refers to a language column, wherever it is.
        for (i, col) in columns.iter_mut().enumerate() {
            if let Column::Unknown(name) = col {
                let lower = name.to_ascii_lowercase();
                if let Some(base) = lower.strip_suffix("_variants") {
                    if let Some(tag) = langs.iter().find(|t| t.eq_ignore_ascii_case(base)) {
                        *col = Column::Variants(tag.clone());
                        continue;
                    }
                }
                self.warnings.push(
                    FormatError::row(
                        "unknown_column",
                        format!("column `{name}` is not a known column; its values are kept in the concept note"),
                    )
                    .at(Some(self.line), Some(i as u64 + 1)),
                );
            }
        }
        columns
    }

    /// Builds the concept of the current record.
    fn concept(&self) -> Result<ConceptDraft, FormatError> {
        let line = Some(self.line);
        if self.record.len() != self.columns.len() {
            let col = self.record.len().min(self.columns.len()) as u64 + 1;
            return Err(FormatError::row(
                "bad_row",
                format!(
                    "the row has {} fields, the header {}",
                    self.record.len(),
                    self.columns.len()
                ),
            )
            .at(line, Some(col)));
        }
        let mut draft = ConceptDraft::default();
        let mut extra_notes: Vec<String> = Vec::new();
        let mut pos: Option<String> = None;
        let mut status: Option<TermStatus> = None;
        // (language, terms with explicit-marker flag) in column order.
        let mut langs: Vec<(&str, Vec<(Term, bool)>)> = Vec::new();
        let mut variants: Vec<(&str, Vec<String>)> = Vec::new();
        for (i, (col, raw)) in self.columns.iter().zip(self.record.iter()).enumerate() {
            let column = Some(i as u64 + 1);
            let value = self.field(raw);
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match col {
                Column::Lang(tag) => {
                    let terms = parse_terms(value).map_err(|e| e.at(line, column))?;
                    match langs.iter_mut().find(|(t, _)| *t == tag.as_str()) {
                        Some((_, list)) => list.extend(terms),
                        None => langs.push((tag, terms)),
                    }
                }
                Column::Variants(tag) => variants.push((tag, split_list(value))),
                Column::Id => draft.id = Some(value.to_owned()),
                Column::Domain => draft.domain = Some(value.to_owned()),
                Column::Pos => pos = Some(value.to_owned()),
                Column::Definition => draft.definition = Some(value.to_owned()),
                Column::Note => draft.note = Some(value.to_owned()),
                Column::Context => draft.context_words = split_list(value),
                Column::NegativeContext => draft.negative_context_words = split_list(value),
                Column::General => {
                    draft.general = match value.to_ascii_lowercase().as_str() {
                        "1" | "true" | "yes" | "y" | "general" => true,
                        "0" | "false" | "no" | "n" => false,
                        _ => {
                            return Err(FormatError::row(
                                "bad_general",
                                format!("`general` is `true` or `false`, not `{value}`"),
                            )
                            .at(line, column))
                        }
                    }
                }
                Column::Status => {
                    status = Some(TermStatus::parse(value).ok_or_else(|| {
                        FormatError::row("bad_status", format!("unknown status `{value}`"))
                            .at(line, column)
                    })?)
                }
                Column::Unknown(name) => extra_notes.push(format!("{name}: {value}")),
            }
        }
        if !extra_notes.is_empty() {
            let mut note = draft.note.take().unwrap_or_default();
            for extra in extra_notes {
                if !note.is_empty() {
                    note.push('\n');
                }
                note.push_str(&extra);
            }
            draft.note = Some(note);
        }
        for (tag, terms) in langs {
            let mut out: Vec<Term> = Vec::with_capacity(terms.len());
            for (mut term, marked) in terms {
                if !marked {
                    term.status = match status {
                        Some(s) => s,
                        None if out.is_empty() => TermStatus::Preferred,
                        None => TermStatus::Admitted,
                    };
                }
                term.pos.clone_from(&pos);
                out.push(term);
            }
            if let Some(first) = out.first_mut() {
                for (vtag, list) in &variants {
                    if *vtag == tag {
                        first.variants.extend(list.iter().cloned());
                    }
                }
            }
            draft.terms.insert(tag.to_owned(), out);
        }
        if draft.terms.is_empty() {
            return Err(FormatError::row(
                "empty_row",
                "the row has no term in any language column",
            )
            .at(line, None));
        }
        Ok(draft)
    }

    /// A field with TSV escapes decoded (CSV fields are returned as is).
    fn field<'r>(&self, raw: &'r str) -> std::borrow::Cow<'r, str> {
        if self.tsv && raw.contains('\\') {
            std::borrow::Cow::Owned(tsv_unescape(raw))
        } else {
            std::borrow::Cow::Borrowed(raw)
        }
    }
}

impl Iterator for TermDelimitedReader<'_> {
    type Item = Result<ConceptDraft, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.read_record() {
            Ok(true) => Some(self.concept()),
            Ok(false) => {
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

/// Maps a csv error to a fatal [`FormatError`] (no position).
fn csv_error(e: csv::Error) -> FormatError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) if is_encoding_error(&io) => {
            FormatError::fatal("invalid_encoding", io.to_string())
        }
        csv::ErrorKind::Io(io) if io.to_string().starts_with(ROW_TOO_LARGE) => {
            FormatError::fatal("row_too_large", io.to_string())
        }
        csv::ErrorKind::Io(io) if io.to_string().starts_with(UNTERMINATED) => {
            let msg = io.to_string();
            let rest = msg.trim_start_matches(UNTERMINATED);
            let (line, text) = rest.split_once(':').unwrap_or(("", rest));
            FormatError::fatal("unterminated_quote", text.trim().to_string())
                .at(line.parse().ok(), None)
        }
        csv::ErrorKind::Io(io) => FormatError::fatal("read_error", io.to_string()),
        csv::ErrorKind::Utf8 { err, .. } => {
            FormatError::fatal("invalid_encoding", format!("not UTF-8: {err}"))
        }
        other => FormatError::fatal("bad_csv", format!("{other:?}")),
    }
}

/// Refuses to read more than `limit` bytes into the input, so one record
/// cannot grow the csv crate's buffer without bound; remembers where the
/// line breaks are so that a record's byte offset gives its line.
struct CappedReader<R> {
    inner: R,
    read: u64,
    limit: u64,
    /// Offsets of line breaks read but not yet before a queried offset.
    newlines: VecDeque<u64>,
    /// Line breaks before the last queried offset.
    lines_before: u64,
    /// CSV quoting state (`None` for TSV, which does not quote).
    quotes: Option<QuoteScan>,
}

impl<R> CappedReader<R> {
    /// 1-based line of a record starting at byte `offset`; offsets must
    /// not decrease between calls (record starts do not), which keeps
    /// `newlines` short: it only holds the breaks between the current record
    /// and the read-ahead. A break AT `offset` counts as before it: after
    /// `\r\n` csv reports the record start at the `\n`.
    fn line_at(&mut self, offset: u64) -> u64 {
        while self.newlines.front().is_some_and(|&nl| nl <= offset) {
            self.newlines.pop_front();
            self.lines_before += 1;
        }
        self.lines_before + 1
    }
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read >= self.limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{ROW_TOO_LARGE} a record is larger than {MAX_ROW_BYTES} bytes"),
            ));
        }
        let room = (self.limit - self.read).min(buf.len() as u64) as usize;
        let n = self.inner.read(&mut buf[..room])?;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' {
                self.newlines.push_back(self.read + i as u64);
            }
        }
        if let Some(q) = &mut self.quotes {
            let checked = if n == 0 {
                q.finish()
            } else {
                q.feed(&buf[..n])
            };
            if let Err(u) = checked {
                // Carried through the csv crate as an I/O error.
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{UNTERMINATED}{}:{}", u.line(), u.message()),
                ));
            }
        }
        self.read += n as u64;
        Ok(n)
    }
}

/// A header that is a language tag, canonically cased (see
/// [`canonical_language_tag`]). A few 3-letter words common as CSV headers
/// are not taken for languages.
fn language_tag(name: &str) -> Option<String> {
    const NOT_LANGS: &[&str] = &[
        "url", "ref", "tag", "src", "key", "num", "row", "uid", "img", "def", "alt", "seq", "col",
        "var", "typ", "ext", "pid", "sid",
    ];
    if NOT_LANGS.contains(&name.to_ascii_lowercase().as_str()) {
        return None;
    }
    canonical_language_tag(name)
}

/// The language a term column's header names: a tag (`ar`, `en-US`), a
/// language name (`Arabic`, `English`, `العربية`), or either with the word
/// "term" around it (`term_ar`, `ar_term`, `Term (en)`, `English term`) —
/// the headers real glossary exports use. `<lang>_variants` is not a term
/// column and is left to the caller.
fn header_language(name: &str) -> Option<String> {
    if let Some(tag) = language_tag(name) {
        return Some(tag);
    }
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower
        .split([' ', '_', '(', ')', '[', ']', ':', '/'])
        .filter(|w| !w.is_empty() && !matches!(*w, "term" | "terms" | "text" | "language" | "lang"))
        .collect();
    match words.as_slice() {
        [one] => language_name(one).map(str::to_owned).or_else(|| {
            // Only when "term" (or similar) was stripped: a bare `source`
            // column must stay unknown.
            (words.len() < lower.split(['_', ' ']).count())
                .then(|| language_tag(one))
                .flatten()
        }),
        _ => None,
    }
}

/// A language written out as a word, in English or Arabic.
fn language_name(word: &str) -> Option<&'static str> {
    match word {
        "arabic" | "العربية" | "عربي" | "العربي" | "عربية" => Some("ar"),
        "english"
        | "الإنجليزية"
        | "الانجليزية"
        | "الإنكليزية"
        | "الانكليزية"
        | "إنجليزي"
        | "انجليزي"
        | "الإنجليزي"
        | "الانجليزي" => Some("en"),
        "french" | "الفرنسية" | "فرنسي" => Some("fr"),
        _ => None,
    }
}

/// A BCP-47-like tag canonically cased (`EN-us` → `en-US`, `zh-hans` →
/// `zh-Hans`): primary subtag of 2–3 letters, then subtags of 1–8
/// letters/digits; `None` when `name` is not of that shape. Used by the CSV
/// and TBX readers so both key terms alike.
pub fn canonical_language_tag(name: &str) -> Option<String> {
    let mut parts = name.split('-');
    let primary = parts.next()?;
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut tag = primary.to_ascii_lowercase();
    // ISO 639-2 codes some exports use for the languages we match on.
    match tag.as_str() {
        "ara" => tag = "ar".into(),
        "eng" => tag = "en".into(),
        "fra" | "fre" => tag = "fr".into(),
        _ => {}
    }
    for sub in parts {
        if sub.is_empty() || sub.len() > 8 || !sub.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        tag.push('-');
        if sub.len() == 2 && sub.bytes().all(|b| b.is_ascii_alphabetic()) {
            tag.push_str(&sub.to_ascii_uppercase());
        } else if sub.len() == 4 && sub.bytes().all(|b| b.is_ascii_alphabetic()) {
            let lower = sub.to_ascii_lowercase();
            tag.push_str(&lower[..1].to_ascii_uppercase());
            tag.push_str(&lower[1..]);
        } else {
            tag.push_str(&sub.to_ascii_lowercase());
        }
    }
    Some(tag)
}

/// Splits a language cell into terms; the flag says whether the term
/// carried an explicit status marker.
fn parse_terms(cell: &str) -> Result<Vec<(Term, bool)>, FormatError> {
    let mut terms = Vec::new();
    for piece in cell.split('|') {
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        let (text, status) = split_marker(piece)?;
        if text.is_empty() {
            continue;
        }
        if text.chars().count() > MAX_TERM_CHARS {
            return Err(FormatError::row(
                "term_too_long",
                format!("a term is longer than {MAX_TERM_CHARS} characters"),
            ));
        }
        let marked = status.is_some();
        terms.push((
            Term {
                text: text.to_owned(),
                status: status.unwrap_or_default(),
                ..Term::default()
            },
            marked,
        ));
    }
    Ok(terms)
}

/// `"ملف {deprecated}"` → (`"ملف"`, Some(Deprecated)). Only a final
/// `{…}` is a marker; an unknown one is a `bad_status` error.
fn split_marker(piece: &str) -> Result<(&str, Option<TermStatus>), FormatError> {
    if let Some(body) = piece.strip_suffix('}') {
        if let Some(open) = body.rfind('{') {
            let marker = &body[open + 1..];
            let status = TermStatus::parse(marker).filter(|_| !marker.trim().is_empty());
            return match status {
                Some(s) => Ok((body[..open].trim_end(), Some(s))),
                None => Err(FormatError::row(
                    "bad_status",
                    format!(
                        "unknown status marker `{{{}}}` (use preferred, admitted, deprecated, forbidden)",
                        marker.chars().take(40).collect::<String>()
                    ),
                )),
            };
        }
    }
    Ok((piece, None))
}

/// One term of a third-party cell that may hold several: the term as it is
/// matched (qualifiers removed) and the qualifiers, kept as a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    /// The term without parenthetical or bracketed qualifiers.
    pub text: String,
    /// The qualifiers (`خادم (الشبكة)` → `الشبكة`), `; `-joined.
    pub note: Option<String>,
}

/// A numbering marker word of a cell (`1`, `1.`, `2)`, `(٢)`, `3-`): its
/// value.
fn numbering_marker(word: &str) -> Option<u32> {
    let inner = word
        .strip_prefix('(')
        .and_then(|w| w.strip_suffix(')'))
        .unwrap_or_else(|| word.trim_end_matches(['.', ')', '-']));
    if inner.is_empty() || inner.chars().count() > 2 {
        return None;
    }
    inner.chars().try_fold(0u32, |acc, c| {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '٠'..='٩' => c as u32 - '٠' as u32,
            _ => return None,
        };
        Some(acc * 10 + d)
    })
}

/// Per char of `s`: whether it lies outside `(…)` and `[…]`.
fn depth_zero(s: &str) -> Vec<bool> {
    let mut depth = 0usize;
    s.char_indices()
        .map(|(_, c)| match c {
            '(' | '[' => {
                depth += 1;
                false
            }
            ')' | ']' => {
                let was = depth;
                depth = depth.saturating_sub(1);
                was == 0
            }
            _ => depth == 0,
        })
        .collect()
}

/// Splits a cell of a real glossary into its alternatives: numbered senses
/// (`1 مخدم ؛ 2 خادم`, `1. … 2. …`, `(١) … (٢) …`, recognised only when the
/// cell starts with 1 and a 2 follows, so `5 نانومتر` stays whole), then
/// `،` `؛` `;` outside parentheses; each part loses its parenthetical and
/// bracketed qualifiers, which become its note (`خادم (الشبكة)` → `خادم`,
/// note `الشبكة`; `[لغة] Python` → `Python`), except article markers such
/// as `(ال...)`, which are dropped. Duplicates are removed; a part that is
/// nothing but a qualifier is kept as written. A cell with none of these
/// is returned unchanged, as one alternative.
pub fn split_alternatives(cell: &str) -> Vec<Alternative> {
    let cell = cell.trim();
    // Numbered senses: cut at the markers 1, 2, 3… in order.
    let mut pieces: Vec<&str> = Vec::new();
    let words: Vec<(usize, &str)> = cell
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - cell.as_ptr() as usize, w))
        .collect();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    if words.first().and_then(|(_, w)| numbering_marker(w)) == Some(1) {
        let mut next = 1;
        for (pos, w) in &words {
            if numbering_marker(w) == Some(next) {
                cuts.push((*pos, pos + w.len()));
                next += 1;
            }
        }
    }
    if cuts.len() >= 2 {
        for (i, (_, body_start)) in cuts.iter().enumerate() {
            let end = cuts.get(i + 1).map(|c| c.0).unwrap_or(cell.len());
            pieces.push(cell.get(*body_start..end).unwrap_or(""));
        }
    } else {
        pieces.push(cell);
    }
    let mut out: Vec<Alternative> = Vec::new();
    for piece in pieces {
        let zero = depth_zero(piece);
        let mut start = 0;
        let mut parts = Vec::new();
        for ((i, c), z) in piece.char_indices().zip(&zero) {
            if *z && matches!(c, '،' | '؛' | ';') {
                parts.push(&piece[start..i]);
                start = i + c.len_utf8();
            }
        }
        parts.push(&piece[start..]);
        for part in parts {
            let part = part.trim().trim_end_matches(['،', '؛', ';', ',']).trim();
            if part.is_empty() {
                continue;
            }
            let alt = strip_qualifiers(part);
            if !out.iter().any(|o| o.text == alt.text) {
                out.push(alt);
            }
        }
    }
    if out.is_empty() {
        out.push(Alternative {
            text: cell.to_string(),
            note: None,
        });
    }
    out
}

/// `خادم (الشبكة)` → `خادم` with the note `الشبكة`; article markers
/// (`(ال...)`, `(الـ)`) are dropped without a note.
fn strip_qualifiers(part: &str) -> Alternative {
    let mut text = String::with_capacity(part.len());
    let mut notes: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut group = String::new();
    for c in part.chars() {
        match c {
            '(' | '[' => {
                if depth > 0 {
                    group.push(c);
                }
                depth += 1;
                text.push(' ');
            }
            ')' | ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    let g = group.trim().to_string();
                    let article = g.trim_end_matches(['.', '…', 'ـ', ' ']).trim().eq("ال");
                    if !g.is_empty() && !article {
                        notes.push(g);
                    }
                    group.clear();
                } else {
                    group.push(c);
                }
            }
            _ if depth > 0 => group.push(c),
            _ => text.push(c),
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text.trim_matches(['-', ' ']).to_string();
    if text.is_empty() || depth > 0 {
        return Alternative {
            text: part.to_string(),
            note: None,
        };
    }
    Alternative {
        text,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

/// Splits a `|`-separated list, trimming and dropping empty items.
fn split_list(value: &str) -> Vec<String> {
    value
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Decodes TSV backslash escapes `\t` `\n` `\r` `\\`; others stay as written.
pub fn tsv_unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
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
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Encodes a TSV field (inverse of [`tsv_unescape`]): a backslash, TAB,
/// LF and CR become `\\`, `\t`, `\n`, `\r`.
pub fn tsv_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// A list item as written: `|` is the separator, so it becomes `¦`.
fn item(s: &str) -> String {
    s.trim().replace('|', "¦")
}

/// One term in cell syntax, with a marker when the status is not the
/// position's default, or when the text itself ends with `{…}` (so that
/// the reader strips only our marker).
fn term_cell(term: &Term, first: bool) -> String {
    let text = item(&term.text);
    let default = if first {
        TermStatus::Preferred
    } else {
        TermStatus::Admitted
    };
    let looks_marked = text.ends_with('}') && text.contains('{');
    if term.status != default || looks_marked {
        format!("{text} {{{}}}", term.status.as_str())
    } else {
        text
    }
}

/// Writes `concepts` as CSV (`delimiter` `b','`, RFC 4180 quoting) or TSV
/// (`b'\t'`, backslash escapes) with the header
/// `id,<lang…>,<lang>_variants…,domain,pos,definition,note,context_words,negative_context_words,general`.
/// `langs` are the language columns (pass the union of the concepts' tags;
/// terms in other languages are not written). Streams one row at a time.
pub fn write_terms_delimited<W: Write>(
    out: W,
    delimiter: u8,
    langs: &[String],
    concepts: impl IntoIterator<Item = Concept>,
) -> io::Result<()> {
    let tsv = delimiter == b'\t';
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .quote_style(if tsv {
            csv::QuoteStyle::Never
        } else {
            csv::QuoteStyle::Necessary
        })
        .from_writer(out);
    let mut header: Vec<String> = vec!["id".into()];
    header.extend(langs.iter().cloned());
    header.extend(langs.iter().map(|l| format!("{l}_variants")));
    header.extend(
        [
            "domain",
            "pos",
            "definition",
            "note",
            "context_words",
            "negative_context_words",
            "general",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    writer.write_record(&header)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for concept in concepts {
        row.clear();
        row.push(concept.id.clone());
        let mut first_variants: Vec<String> = Vec::with_capacity(langs.len());
        let mut pos: Option<&str> = None;
        for lang in langs {
            let terms = concept.terms.get(lang).map(Vec::as_slice).unwrap_or(&[]);
            let cell: Vec<String> = terms
                .iter()
                .filter(|t| !t.text.trim().is_empty())
                .enumerate()
                .map(|(i, t)| term_cell(t, i == 0))
                .collect();
            row.push(cell.join("|"));
            let first = terms.iter().find(|t| !t.text.trim().is_empty());
            first_variants.push(
                first
                    .map(|t| {
                        t.variants
                            .iter()
                            .map(|v| item(v))
                            .collect::<Vec<_>>()
                            .join("|")
                    })
                    .unwrap_or_default(),
            );
            if pos.is_none() {
                pos = terms.iter().find_map(|t| t.pos.as_deref());
            }
        }
        row.extend(first_variants);
        row.push(concept.domain.clone().unwrap_or_default());
        row.push(pos.unwrap_or_default().to_owned());
        row.push(concept.definition.clone().unwrap_or_default());
        row.push(concept.note.clone().unwrap_or_default());
        for words in [&concept.context_words, &concept.negative_context_words] {
            row.push(words.iter().map(|w| item(w)).collect::<Vec<_>>().join("|"));
        }
        row.push(if concept.general { "true" } else { "" }.to_string());
        if tsv {
            for field in row.iter_mut() {
                *field = tsv_escape(field);
            }
        }
        writer.write_record(&row)?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn read_all(
        input: &str,
        delimiter: u8,
    ) -> (Vec<Result<ConceptDraft, FormatError>>, Vec<FormatError>) {
        let mut r = TermDelimitedReader::new(input.as_bytes(), delimiter).expect("header");
        let rows: Vec<_> = r.by_ref().collect();
        (rows, r.warnings().to_vec())
    }

    fn term(text: &str, status: TermStatus) -> Term {
        Term {
            text: text.into(),
            status,
            ..Term::default()
        }
    }

    #[test]
    fn reads_house_glossary_syntax() {
        let csv = "id,ar,en,pos,domain,status,ar_variants,note\n\
                   c1,ملف|الملف {deprecated},file,noun,computing,,ملفات,\"a note, with comma\"\n\
                   c2,خادم,server|host {forbidden},noun,networking,admitted,خوادم|خدام,\n";
        let (rows, warnings) = read_all(csv, b',');
        assert!(warnings.is_empty(), "{warnings:?}");
        let c1 = rows[0].clone().unwrap();
        assert_eq!(c1.id.as_deref(), Some("c1"));
        assert_eq!(c1.domain.as_deref(), Some("computing"));
        assert_eq!(c1.note.as_deref(), Some("a note, with comma"));
        let ar = &c1.terms["ar"];
        assert_eq!(ar[0].text, "ملف");
        assert_eq!(ar[0].status, TermStatus::Preferred);
        assert_eq!(ar[0].variants, vec!["ملفات"]);
        assert_eq!(ar[0].pos.as_deref(), Some("noun"));
        assert_eq!(
            (ar[1].text.as_str(), ar[1].status),
            ("الملف", TermStatus::Deprecated)
        );
        assert!(ar[1].variants.is_empty());
        let c2 = rows[1].clone().unwrap();
        // The status column overrides the defaults, not explicit markers.
        assert_eq!(c2.terms["ar"][0].status, TermStatus::Admitted);
        assert_eq!(c2.terms["ar"][0].variants, vec!["خوادم", "خدام"]);
        assert_eq!(c2.terms["en"][0].status, TermStatus::Admitted);
        assert_eq!(c2.terms["en"][1].status, TermStatus::Forbidden);
    }

    #[test]
    fn unknown_columns_go_to_note_and_warn_once() {
        let csv = "ar,en,source\nحاسوب,computer,Arabeyes\nشبكة; شبكات,network,ALECSO\n";
        let (rows, warnings) = read_all(csv, b',');
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            (warnings[0].code, warnings[0].column),
            ("unknown_column", Some(3))
        );
        let c = rows[1].clone().unwrap();
        assert_eq!(c.note.as_deref(), Some("source: ALECSO"));
        // `;` does not split synonyms.
        assert_eq!(c.terms["ar"][0].text, "شبكة; شبكات");
        assert_eq!(c.terms["ar"].len(), 1);
    }

    #[test]
    fn row_errors_are_reported_and_skipped() {
        let long = "ب".repeat(1001);
        let csv = format!(
            "ar,en\nكتاب,book\n,\nمكتبة,library,extra\nالملف {{bogus}},file\n{long},x\nقارئ,reader\n"
        );
        let (rows, _) = read_all(&csv, b',');
        let codes: Vec<_> = rows
            .iter()
            .map(|r| match r {
                Ok(c) => c.terms["ar"][0].text.clone(),
                Err(e) => format!("{}@{}:{:?}", e.code, e.line.unwrap_or(0), e.column),
            })
            .collect();
        assert_eq!(
            codes,
            vec![
                "كتاب".to_string(),
                "empty_row@3:None".into(),
                "bad_row@4:Some(3)".into(),
                "bad_status@5:Some(1)".into(),
                "term_too_long@6:Some(1)".into(),
                "قارئ".into()
            ]
        );
        assert!(rows
            .iter()
            .all(|r| r.as_ref().map_or_else(|e| !e.fatal, |_| true)));
    }

    #[test]
    fn fatal_header_problems() {
        let err = |s: &[u8]| {
            TermDelimitedReader::new(s, b',')
                .err()
                .map(|e| (e.code, e.fatal))
        };
        assert_eq!(err(b""), Some(("missing_header", true)));
        assert_eq!(
            err("ملف,file\n".as_bytes()),
            Some(("no_language_column", true))
        );
        assert_eq!(
            err(b"id,term,translation\n"),
            Some(("no_language_column", true))
        );
        assert_eq!(err(b"\xc3(,en\n"), Some(("invalid_encoding", true)));
    }

    #[test]
    fn invalid_encoding_in_body_is_fatal() {
        let mut bytes = "ar,en\nملف,file\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"\xff\xfe\xfd,x\n");
        let r = TermDelimitedReader::new(bytes.as_slice(), b',');
        let rows: Vec<_> = match r {
            Ok(r) => r.collect(),
            Err(e) => vec![Err(e)],
        };
        let last = rows
            .last()
            .and_then(|r| r.as_ref().err())
            .map(|e| (e.code, e.fatal));
        assert_eq!(last, Some(("invalid_encoding", true)));
    }

    #[test]
    fn oversized_rows_and_field_counts_are_fatal() {
        let mut csv = String::from("ar,en\nملف,file\n");
        csv.push_str(&"x,".repeat(10_001));
        csv.push('\n');
        let rows: Vec<_> = TermDelimitedReader::new(csv.as_bytes(), b',')
            .unwrap()
            .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].as_ref().unwrap_err().code, "too_many_columns");
        let mut csv = String::from("ar,en\nملف,file\n\"");
        csv.push_str(&"م".repeat(600_000));
        csv.push_str("\",x\n");
        let rows: Vec<_> = TermDelimitedReader::new(csv.as_bytes(), b',')
            .unwrap()
            .collect();
        let e = rows.last().unwrap().as_ref().unwrap_err();
        assert_eq!((e.code, e.fatal), ("row_too_large", true));
        assert!(rows[0].is_ok());
    }

    #[test]
    fn language_tags_are_recognised() {
        assert_eq!(language_tag("AR"), Some("ar".into()));
        assert_eq!(language_tag("en-us"), Some("en-US".into()));
        assert_eq!(language_tag("zh-hans"), Some("zh-Hans".into()));
        assert_eq!(language_tag("ara"), Some("ar".into()));
        assert_eq!(language_tag("ENG-us"), Some("en-US".into()));
        assert_eq!(language_tag("source"), None);
        assert_eq!(language_tag("url"), None);
        assert_eq!(language_tag("e"), None);
        assert_eq!(language_tag("en-"), None);
    }

    #[test]
    fn header_names_of_real_glossary_exports_are_recognised() {
        for (header, lang) in [
            ("Arabic", "ar"),
            ("english", "en"),
            ("العربية", "ar"),
            ("الإنجليزية", "en"),
            ("term_ar", "ar"),
            ("ar_term", "ar"),
            ("Term (en)", "en"),
            ("Term [ar-SA]", "ar-SA"),
            ("English term", "en"),
            ("Arabic Terms", "ar"),
            ("ara", "ar"),
        ] {
            assert_eq!(header_language(header).as_deref(), Some(lang), "{header}");
        }
        for header in [
            "source",
            "target",
            "ar_variants",
            "definition_en",
            "term",
            "url",
            "notes ar en",
        ] {
            assert_eq!(header_language(header), None, "{header}");
        }
        let csv = "concept_id,Arabic,English term,ar_variants\nc1,خادم,server,خوادم\n";
        let (rows, warnings) = read_all(csv, b',');
        assert!(warnings.is_empty(), "{warnings:?}");
        let concept = rows[0].as_ref().expect("row reads");
        assert_eq!(concept.id.as_deref(), Some("c1"));
        let langs: Vec<&str> = concept.terms.keys().map(String::as_str).collect();
        assert_eq!(langs, ["ar", "en"]);
        assert_eq!(concept.terms["ar"][0].text, "خادم");
    }

    #[test]
    fn alternatives_of_real_glossary_cells() {
        let texts = |cell: &str| -> Vec<(String, Option<String>)> {
            split_alternatives(cell)
                .into_iter()
                .map(|a| (a.text, a.note))
                .collect()
        };
        let plain = |xs: &[&str]| -> Vec<(String, Option<String>)> {
            xs.iter().map(|x| (x.to_string(), None)).collect()
        };
        assert_eq!(texts("1 مخدِّم ؛ 2 خادم"), plain(&["مخدِّم", "خادم"]));
        assert_eq!(texts("1. processor 2. CPU"), plain(&["processor", "CPU"]));
        assert_eq!(texts("(١) حاسوب (٢) حاسب"), plain(&["حاسوب", "حاسب"]));
        assert_eq!(texts("نقرة، طقطقة"), plain(&["نقرة", "طقطقة"]));
        assert_eq!(texts("router; gateway"), plain(&["router", "gateway"]));
        assert_eq!(
            texts("خادم (الشبكة)"),
            vec![("خادم".to_string(), Some("الشبكة".to_string()))]
        );
        assert_eq!(
            texts("[لغة] Python"),
            vec![("Python".to_string(), Some("لغة".to_string()))]
        );
        assert_eq!(
            texts("pilot programme (radio, TV); pilot"),
            vec![
                ("pilot programme".to_string(), Some("radio, TV".to_string())),
                ("pilot".to_string(), None)
            ]
        );
        assert_eq!(
            texts("شابكة (ال...)، إنترنت (ال...)"),
            plain(&["شابكة", "إنترنت"])
        );
        // Numbers that are part of a term, a lone 1, vowels: kept as written.
        assert_eq!(texts("5 نانومتر"), plain(&["5 نانومتر"]));
        assert_eq!(texts("1 بت"), plain(&["1 بت"]));
        assert_eq!(texts("آسْكِي"), plain(&["آسْكِي"]));
        assert_eq!(texts("(مدرسة)"), plain(&["(مدرسة)"]));
        assert_eq!(texts("1 مفتاح ؛ 2 مفتاح"), plain(&["مفتاح"]));
    }

    #[test]
    fn tsv_escapes_are_decoded() {
        let tsv = "ar\ten\tnote\nمفتاح\\tالتشغيل\tkey\tسطر\\nثان \\\\ و \\x\n";
        let (rows, _) = read_all(tsv, b'\t');
        let c = rows[0].clone().unwrap();
        assert_eq!(c.terms["ar"][0].text, "مفتاح\tالتشغيل");
        assert_eq!(c.note.as_deref(), Some("سطر\nثان \\ و \\x"));
    }

    fn sample_concepts() -> Vec<Concept> {
        let now = chrono::Utc::now();
        let mut t1 = BTreeMap::new();
        t1.insert(
            "ar".to_string(),
            vec![
                Term {
                    text: "الملف".into(),
                    status: TermStatus::Preferred,
                    pos: Some("noun".into()),
                    variants: vec!["ملفات".into(), "الملفات".into()],
                    note: None,
                },
                Term {
                    pos: Some("noun".into()),
                    ..term("ملف {مضغوط}", TermStatus::Admitted)
                },
                Term {
                    pos: Some("noun".into()),
                    ..term("فايل", TermStatus::Forbidden)
                },
            ],
        );
        t1.insert(
            "en".to_string(),
            vec![Term {
                pos: Some("noun".into()),
                ..term("file, \"data\"", TermStatus::Deprecated)
            }],
        );
        let mut t2 = BTreeMap::new();
        t2.insert(
            "ar".to_string(),
            vec![term("الخادم", TermStatus::Preferred)],
        );
        t2.insert(
            "en-US".to_string(),
            vec![
                term("server", TermStatus::Admitted),
                term("host", TermStatus::Preferred),
            ],
        );
        vec![
            Concept {
                id: "c-1".into(),
                domain: Some("computing".into()),
                definition: Some("وحدة تخزين, \"مسماة\"\nسطر ثان\tمع جدولة \\ شرطة".into()),
                note: Some("note, with \"quotes\"\r\nand lines".into()),
                context_words: vec!["قرص".into(), "disk".into()],
                negative_context_words: vec!["مطعم".into()],
                general: true,
                terms: t1,
                created: now,
                modified: now,
            },
            Concept {
                id: "c-2".into(),
                domain: None,
                definition: None,
                note: None,
                context_words: vec![],
                negative_context_words: vec![],
                general: false,
                terms: t2,
                created: now,
                modified: now,
            },
        ]
    }

    fn as_draft(c: &Concept) -> ConceptDraft {
        ConceptDraft {
            id: Some(c.id.clone()),
            domain: c.domain.clone(),
            definition: c.definition.clone(),
            note: c.note.clone(),
            context_words: c.context_words.clone(),
            negative_context_words: c.negative_context_words.clone(),
            general: c.general,
            terms: c.terms.clone(),
        }
    }

    #[test]
    fn round_trip_csv_and_tsv() {
        let concepts = sample_concepts();
        let langs = vec!["ar".to_string(), "en".to_string(), "en-US".to_string()];
        for delimiter in [b',', b'\t'] {
            let mut out = Vec::new();
            write_terms_delimited(&mut out, delimiter, &langs, concepts.clone()).unwrap();
            let text = String::from_utf8(out).unwrap();
            let (rows, warnings) = read_all(&text, delimiter);
            assert!(warnings.is_empty(), "{warnings:?}");
            let drafts: Vec<ConceptDraft> = rows.into_iter().map(|r| r.unwrap()).collect();
            let expected: Vec<ConceptDraft> = concepts.iter().map(as_draft).collect();
            assert_eq!(drafts, expected, "delimiter {delimiter}\n{text}");
        }
    }

    #[test]
    fn reads_the_real_third_party_glossaries() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/glossary/");
        // (file, data rows per the data README)
        let files = [
            ("arabterm-it.csv", 20_125usize),
            ("aosus-arabeyes-tech.csv", 3_512),
            ("aosus-arabeyes-tech-split.csv", 3_920),
            ("arabterm-all-domains.csv.gz", 161_215),
            ("freedict-ara-eng.csv.gz", 85_113),
        ];
        for (name, rows) in files {
            let path = format!("{dir}{name}");
            let Ok(file) = std::fs::File::open(&path) else {
                println!("skipped: {path} is absent");
                continue;
            };
            let reader = TermDelimitedReader::new(file, b',').expect(name);
            let mut ok = 0usize;
            let mut row_errors = 0usize;
            let mut with_ar = 0usize;
            for r in reader {
                match r {
                    Ok(c) => {
                        ok += 1;
                        with_ar += usize::from(c.terms.contains_key("ar"));
                    }
                    Err(e) => {
                        assert!(!e.fatal, "{name}: {e}");
                        row_errors += 1;
                    }
                }
            }
            println!("{name}: {ok} concepts, {row_errors} row errors");
            assert_eq!(ok + row_errors, rows, "{name}");
            assert!(
                ok * 100 >= rows * 99,
                "{name}: only {ok} of {rows} rows read"
            );
            assert!(with_ar * 100 >= ok * 95, "{name}: few Arabic terms");
        }
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/termbase/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).expect("fixture")
    }

    #[test]
    fn fixture_csv_with_bom_and_quoted_newlines() {
        let bytes = fixture("bom-quoted-newlines.csv");
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let mut r = TermDelimitedReader::new(bytes.as_slice(), b',').unwrap();
        let rows: Vec<ConceptDraft> = r.by_ref().map(|r| r.unwrap()).collect();
        assert!(r.warnings().is_empty());
        assert_eq!(rows.len(), 2);
        // The BOM does not end up in the first header (`id` is recognised).
        assert_eq!(rows[0].id.as_deref(), Some("k1"));
        assert_eq!(
            rows[0].note.as_deref(),
            Some("سطر أول\r\nسطر ثان, مع فاصلة و\"علامات\"")
        );
        let ar: Vec<_> = rows[1].terms["ar"]
            .iter()
            .map(|t| (t.text.as_str(), t.status))
            .collect();
        assert_eq!(
            ar,
            vec![
                ("الفأرة", TermStatus::Preferred),
                ("فأرة", TermStatus::Admitted)
            ]
        );
        // The record after a quoted line break starts on line 4.
        assert_eq!(r.line(), 4);
    }

    #[test]
    fn fixture_tsv_with_escapes() {
        let bytes = fixture("escapes.tsv");
        let rows: Vec<ConceptDraft> = TermDelimitedReader::new(bytes.as_slice(), b'\t')
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(rows[0].terms["ar"][0].text, "مسار\tالملف");
        assert_eq!(
            rows[0].definition.as_deref(),
            Some("الموقع في\nشجرة الأدلة: C:\\Users")
        );
    }

    #[test]
    fn fixture_with_malformed_rows() {
        let bytes = fixture("malformed-row.csv");
        let rows: Vec<_> = TermDelimitedReader::new(bytes.as_slice(), b',')
            .unwrap()
            .collect();
        let got: Vec<_> = rows
            .iter()
            .map(|r| match r {
                Ok(c) => c.terms["ar"][0].text.clone(),
                Err(e) => format!(
                    "{}@{}:{}",
                    e.code,
                    e.line.unwrap_or(0),
                    e.column.unwrap_or(0)
                ),
            })
            .collect();
        assert_eq!(
            got,
            vec![
                "نافذة".to_string(),
                "bad_row@3:3".into(),
                "bad_row@4:4".into(),
                // An unterminated quote stops the import at the line where
                // its field opened, instead of swallowing the rest of the file.
                "unterminated_quote@5:0".into()
            ]
        );
    }
}
