//! TBX (TermBase eXchange) term bases: a streaming reader of
//! [`ConceptDraft`]s and a TBX-Basic writer of [`Concept`]s.
//!
//! # Reading
//! * TBX v2 / TBX-Basic: `martif/text/body/termEntry[@id]/langSet[@xml:lang]`
//!   with `tig` (`term` + `termNote*`) or `ntig` (`termGrp/term` +
//!   `termNote*`);
//! * TBX v3 (`tbx`, `urn:iso:std:iso:30042:ed-2`), DCA style:
//!   `conceptEntry[@id]/langSec[@xml:lang]/termSec` (`term`, `termNote`,
//!   `descrip`, `note`), and DCT style, where an element's local name is the
//!   data category (`<basic:administrativeStatus>`, `<basic:definition>` …).
//!
//! Data categories: `administrativeStatus` / `normativeAuthorization` → term
//! status (a term without one is preferred when it is the first of its
//! language, admitted otherwise, as in CSV); `partOfSpeech` → pos;
//! `definition` (any level) → definition (several distinct ones joined with a
//! newline); `subjectField` → domain (the first); `note` → the concept note
//! at entry/language level, the term note at term level (several joined with
//! newlines); `descrip type="context"` → a `context: …` note line; `admin
//! type="source"` → a `source: …` note line; other categories → `type: …`
//! note lines; `termType` is ignored. Our extensions: `termNote
//! type="x-variant"` (repeatable) → [`Term::variants`], `descrip
//! type="x-contextWords"` (`|`-separated) → context words,
//! `x-negativeContextWords` → negative context words, `x-general` (`true`)
//! → general vocabulary. All values are
//! trimmed; `xml:lang` tags are canonically cased (`EN-us` → `en-US`).
//! Entities: only the XML predefined ones and character references
//! (see [`super::xml`]); a DOCTYPE with an internal subset is refused.
//!
//! Errors: per entry (skipped): `empty_entry` (no term), `missing_language`
//! (a term outside a `langSet` with a language), `bad_status`,
//! `term_too_long`, `entry_too_large` (over [`MAX_TERMS_PER_ENTRY`] terms),
//! `unknown_entity` / `bad_char_ref`; each with the line of the entry start.
//! Fatal: `not_tbx` (root is not `martif`/`tbx`), `malformed_xml` (with
//! line), `dtd_not_allowed`, `xml_too_deep`, `text_too_large`,
//! `invalid_encoding`.

use super::term_delimited::{canonical_language_tag, MAX_TERM_CHARS};
use super::xml::{self, Guard, LineCountingReader};
use super::{decoded_reader, FormatError};
use crate::termbase::model::{Concept, ConceptDraft, Term, TermStatus};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, BufRead, Read, Write};

/// Most terms accepted in one entry (bounds memory per entry).
pub const MAX_TERMS_PER_ENTRY: usize = 10_000;

/// Data categories recognised as element names (TBX v3 DCT style).
const DCT_CATEGORIES: &[&str] = &[
    "administrativeStatus",
    "normativeAuthorization",
    "partOfSpeech",
    "definition",
    "subjectField",
    "context",
    "source",
    "termType",
    "grammaticalGender",
    "geographicalUsage",
    "customerSubset",
    "projectSubset",
    "termLocation",
    "usageNote",
];

/// A term being read, and whether its status was given.
#[derive(Debug, Default)]
struct TermAcc {
    term: Term,
    explicit_status: bool,
}

/// The entry being read.
#[derive(Debug, Default)]
struct Entry {
    draft: ConceptDraft,
    line: u64,
    error: Option<FormatError>,
    /// Language of the open `langSet`/`langSec` (`Some("")` when it has none).
    lang: Option<String>,
    term: Option<TermAcc>,
    terms: BTreeMap<String, Vec<TermAcc>>,
    term_count: usize,
    /// Fields of this entry the model does not keep as they were.
    losses: Vec<(String, Loss)>,
}

/// How a TBX field fared on import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loss {
    /// Not kept at all.
    Dropped,
    /// Kept as a `type: value` line of the concept's or term's note.
    Folded,
    /// Kept, merged with others of its kind (notes, definitions).
    Merged,
}

/// Field kinds not kept as they were, over the whole file: how, how often,
/// first line.
type Losses = BTreeMap<String, (Loss, u64, u64)>;

fn record(losses: &mut Losses, kind: String, how: Loss, line: u64) {
    losses
        .entry(kind)
        .and_modify(|e| e.1 += 1)
        .or_insert((how, 1, line));
}

/// Structural elements read for what they hold (the rest of an entry's
/// elements outside a captured value is dropped and reported).
const TRAVERSED: &[&str] = &[
    "langSet",
    "langSec",
    "tig",
    "ntig",
    "termSec",
    "termGrp",
    "descripGrp",
    "adminGrp",
];

impl Entry {
    /// Keeps the first error of the entry.
    fn fail(&mut self, e: FormatError) {
        if self.error.is_none() {
            self.error = Some(FormatError {
                fatal: false,
                line: Some(self.line),
                ..e
            });
        }
    }
}

/// Text collected from one data-category element.
#[derive(Debug)]
struct Capture {
    /// Local element name (`term`, `termNote`, `descrip`, `note`, `admin`
    /// or a DCT category).
    name: &'static str,
    /// The `type` attribute, if any.
    ty: Cow<'static, str>,
    /// Guard depth of the capturing element.
    depth: usize,
    text: String,
}

/// Streaming TBX reader (see the module doc); yields one concept per entry.
pub struct TbxReader<'a> {
    xml: Reader<LineCountingReader<Box<dyn BufRead + 'a>>>,
    buf: Vec<u8>,
    guard: Guard,
    root_seen: bool,
    done: bool,
    entry: Option<Entry>,
    capture: Option<Capture>,
    losses: Losses,
    /// Guard depth of the dropped element being skipped, if any.
    dropping: Option<usize>,
}

impl<'a> TbxReader<'a> {
    /// One warning per kind of field the term-base model does not keep as
    /// it was (dropped, folded into a note line, merged), with how often
    /// and the line of the first occurrence.
    pub fn losses(&self) -> Vec<FormatError> {
        self.losses
            .iter()
            .map(|(kind, (how, n, line))| {
                let (code, what) = match how {
                    Loss::Dropped => ("tbx_field_dropped", "not kept"),
                    Loss::Folded => (
                        "tbx_field_folded",
                        "kept as a `type: value` line of the concept or term note (exported back as its element where the category is known)",
                    ),
                    Loss::Merged => (
                        "tbx_field_merged",
                        "kept, merged with the others of its kind into one value",
                    ),
                };
                FormatError::row(code, format!("{kind}: {what} ({n} in the file)"))
                    .at(Some(*line), None)
            })
            .collect()
    }

    /// Decodes `input` (gzip, BOM, UTF-16) and prepares to read. The root is
    /// checked on the first call to `next`.
    pub fn new(input: impl Read + 'a) -> Result<Self, FormatError> {
        let (decoded, _) = decoded_reader(input)?;
        Ok(TbxReader {
            xml: xml::reader(LineCountingReader::new(decoded)),
            buf: Vec::with_capacity(4096),
            guard: Guard::default(),
            root_seen: false,
            done: false,
            entry: None,
            capture: None,
            losses: Losses::new(),
            dropping: None,
        })
    }

    /// 1-based line of the reader's position.
    pub fn line(&self) -> u64 {
        self.xml.get_ref().line()
    }

    /// Reads until an entry ends (`Ok(Some)`), the input ends (`Ok(None)`)
    /// or a fatal error.
    fn advance(&mut self) -> Result<Option<Result<ConceptDraft, FormatError>>, FormatError> {
        loop {
            self.buf.clear();
            let line = self.xml.get_ref().line();
            let event = xml::read_event(&mut self.xml, &mut self.buf, &mut self.guard)?;
            match event {
                Event::Start(e) => {
                    if self.capture.is_some() {
                        // Inline markup inside a value (`<hi>`): keep its text only.
                        continue;
                    }
                    let name = xml::local_name(&e);
                    if !self.root_seen {
                        check_root(name, line)?;
                        self.root_seen = true;
                        continue;
                    }
                    if name == "descripGrp" {
                        if let Some(en) = &mut self.entry {
                            en.losses.push((
                                "<descripGrp> (its descrip and admin are kept, not the grouping)"
                                    .into(),
                                Loss::Merged,
                            ));
                        }
                    }
                    let captured = start_element(
                        &mut self.entry,
                        &mut self.capture,
                        name,
                        &e,
                        line,
                        self.guard.depth(),
                    )?;
                    if !captured
                        && self.dropping.is_none()
                        && self.entry.is_some()
                        && !TRAVERSED.contains(&name)
                    {
                        // Its children go with it (reported once).
                        self.dropping = Some(self.guard.depth());
                        let ty = xml::attr(&e, b"type")?.unwrap_or_default();
                        let kind = if ty.is_empty() {
                            format!("<{name}>")
                        } else {
                            format!("<{name} type=\"{ty}\">")
                        };
                        record(&mut self.losses, kind, Loss::Dropped, line);
                    }
                }
                Event::Empty(e) => {
                    if self.capture.is_some() {
                        continue;
                    }
                    let name = xml::local_name(&e);
                    if !self.root_seen {
                        check_root(name, line)?;
                        self.root_seen = true;
                        continue;
                    }
                    if is_entry(name) && self.entry.is_none() {
                        let id = xml::attr(&e, b"id")?;
                        return Ok(Some(Err(FormatError::row(
                            "empty_entry",
                            format!("entry {} has no term", id.unwrap_or_default()),
                        )
                        .at(Some(line), None))));
                    }
                    // Empty elements carry no text; one with attributes
                    // (`<xref target=… type=…/>`) carries a value we drop.
                    if self.entry.is_some()
                        && self.dropping.is_none()
                        && e.attributes().next().is_some()
                    {
                        record(&mut self.losses, format!("<{name}>"), Loss::Dropped, line);
                    }
                }
                Event::Text(t) => {
                    if let Some(capture) = &mut self.capture {
                        if capture.text.len() + t.len() > xml::MAX_TEXT_BYTES {
                            return Err(too_large().at(Some(line), None));
                        }
                        match xml::unescape_into(&t, &mut capture.text) {
                            Ok(()) => {}
                            Err(e) if e.fatal => return Err(e.at(Some(line), None)),
                            Err(e) => {
                                if let Some(entry) = &mut self.entry {
                                    entry.fail(e);
                                }
                            }
                        }
                    } else if !self.root_seen && !t.iter().all(u8::is_ascii_whitespace) {
                        return Err(not_tbx("text before the root element").at(Some(line), None));
                    }
                }
                Event::CData(c) => {
                    if let Some(capture) = &mut self.capture {
                        let s = std::str::from_utf8(&c).map_err(|e| {
                            FormatError::fatal("invalid_encoding", format!("not UTF-8: {e}"))
                        })?;
                        if capture.text.len() + s.len() > xml::MAX_TEXT_BYTES {
                            return Err(too_large().at(Some(line), None));
                        }
                        capture.text.push_str(s);
                    }
                }
                Event::End(e) => {
                    if let Some(capture) = self.capture.take() {
                        if self.guard.depth() >= capture.depth {
                            self.capture = Some(capture);
                            continue;
                        }
                        if let Some(entry) = &mut self.entry {
                            apply(entry, capture);
                        }
                        continue;
                    }
                    if self.dropping.is_some_and(|d| self.guard.depth() < d) {
                        self.dropping = None;
                    }
                    let name = std::str::from_utf8(e.local_name().into_inner()).unwrap_or("");
                    if is_entry(name) {
                        if let Some(en) = &mut self.entry {
                            for (kind, how) in std::mem::take(&mut en.losses) {
                                record(&mut self.losses, kind, how, en.line);
                            }
                        }
                    }
                    if let Some(done) = end_element(&mut self.entry, name) {
                        return Ok(Some(done));
                    }
                }
                Event::Eof => return Ok(None),
                _ => {}
            }
        }
    }
}

impl Iterator for TbxReader<'_> {
    type Item = Result<ConceptDraft, FormatError>;

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
            Err(e) => {
                self.done = true;
                Some(Err(FormatError { fatal: true, ..e }))
            }
        }
    }
}

fn not_tbx(what: &str) -> FormatError {
    FormatError::fatal(
        "not_tbx",
        format!("not a TBX document ({what}); expected a <martif> or <tbx> root"),
    )
}

fn check_root(name: &str, line: u64) -> Result<(), FormatError> {
    if name == "martif" || name == "tbx" {
        Ok(())
    } else {
        Err(not_tbx(&format!("root element <{name}>")).at(Some(line), None))
    }
}

fn is_entry(name: &str) -> bool {
    name == "termEntry" || name == "conceptEntry"
}

/// A captured value would grow past the XML text limit.
fn too_large() -> FormatError {
    FormatError::fatal(
        "text_too_large",
        format!("a value is larger than {} bytes", xml::MAX_TEXT_BYTES),
    )
}

/// Handles a start tag outside a capture.
fn start_element(
    entry: &mut Option<Entry>,
    capture: &mut Option<Capture>,
    name: &str,
    e: &BytesStart<'_>,
    line: u64,
    depth: usize,
) -> Result<bool, FormatError> {
    if is_entry(name) {
        if entry.is_none() {
            let mut new = Entry {
                line,
                ..Entry::default()
            };
            new.draft.id = xml::attr(e, b"id")?.filter(|s| !s.trim().is_empty());
            *entry = Some(new);
        }
        return Ok(true);
    }
    let Some(entry) = entry else {
        // Header, `back` matter: nothing we keep.
        return Ok(true);
    };
    match name {
        "langSet" | "langSec" => {
            let lang = xml::attr(e, b"lang")?.unwrap_or_default();
            let lang = lang.trim();
            // `EN-us` → `en-US` as in CSV; other shapes are kept as written.
            entry.lang = Some(canonical_language_tag(lang).unwrap_or_else(|| lang.to_owned()));
        }
        "tig" | "ntig" | "termSec" => entry.term = Some(TermAcc::default()),
        "term" | "termNote" | "descrip" | "note" | "admin" => {
            const CAPTURED: [&str; 5] = ["term", "termNote", "descrip", "note", "admin"];
            *capture = Some(Capture {
                name: CAPTURED
                    .iter()
                    .find(|c| **c == name)
                    .copied()
                    .unwrap_or("note"),
                ty: type_attr(e)?,
                depth,
                text: String::new(),
            })
        }
        _ if DCT_CATEGORIES.contains(&name) => {
            *capture = Some(Capture {
                name: DCT_CATEGORIES
                    .iter()
                    .find(|c| **c == name)
                    .copied()
                    .unwrap_or("note"),
                ty: Cow::Borrowed(""),
                depth,
                text: String::new(),
            })
        }
        // Containers (termGrp, descripGrp, transacGrp …) and things we skip.
        _ => return Ok(false),
    }
    Ok(true)
}

/// Handles an end tag outside a capture; returns the finished entry.
fn end_element(entry: &mut Option<Entry>, name: &str) -> Option<Result<ConceptDraft, FormatError>> {
    let open = entry.as_mut()?;
    match name {
        "tig" | "ntig" | "termSec" => {
            if let Some(acc) = open.term.take() {
                push_term(open, acc);
            }
            None
        }
        "langSet" | "langSec" => {
            open.lang = None;
            None
        }
        _ if is_entry(name) => entry.take().map(finish),
        _ => None,
    }
}

fn push_term(entry: &mut Entry, acc: TermAcc) {
    if acc.term.text.is_empty() {
        return;
    }
    let lang = match entry.lang.as_deref() {
        Some(l) if !l.is_empty() => l.to_owned(),
        _ => {
            entry.fail(FormatError::row(
                "missing_language",
                format!(
                    "term `{}` is not inside a langSet with xml:lang",
                    acc.term.text
                ),
            ));
            return;
        }
    };
    if acc.term.text.chars().count() > MAX_TERM_CHARS {
        entry.fail(FormatError::row(
            "term_too_long",
            format!("a term is longer than {MAX_TERM_CHARS} characters"),
        ));
        return;
    }
    entry.term_count += 1;
    if entry.term_count > MAX_TERMS_PER_ENTRY {
        entry.fail(FormatError::row(
            "entry_too_large",
            format!("an entry has more than {MAX_TERMS_PER_ENTRY} terms"),
        ));
        return;
    }
    entry.terms.entry(lang).or_default().push(acc);
}

fn finish(mut entry: Entry) -> Result<ConceptDraft, FormatError> {
    if let Some(e) = entry.error.take() {
        return Err(e);
    }
    for (lang, accs) in std::mem::take(&mut entry.terms) {
        let terms = accs
            .into_iter()
            .enumerate()
            .map(|(i, mut acc)| {
                if !acc.explicit_status {
                    acc.term.status = if i == 0 {
                        TermStatus::Preferred
                    } else {
                        TermStatus::Admitted
                    };
                }
                acc.term
            })
            .collect();
        entry.draft.terms.insert(lang, terms);
    }
    if entry.draft.terms.is_empty() {
        let id = entry.draft.id.unwrap_or_default();
        return Err(
            FormatError::row("empty_entry", format!("entry {id} has no term"))
                .at(Some(entry.line), None),
        );
    }
    Ok(entry.draft)
}

fn append_line(slot: &mut Option<String>, line: &str) {
    match slot {
        Some(s) if !s.is_empty() => {
            s.push('\n');
            s.push_str(line);
        }
        _ => *slot = Some(line.to_owned()),
    }
}

/// Types of `termNote`/`descrip`/`admin` we look at, so the common ones
/// need no allocation.
const KNOWN_TYPES: &[&str] = &[
    "administrativeStatus",
    "normativeAuthorization",
    "partOfSpeech",
    "termType",
    "x-variant",
    "definition",
    "subjectField",
    "context",
    "x-contextWords",
    "x-negativeContextWords",
    "x-general",
    "source",
];

/// The `type` attribute (empty when absent).
fn type_attr(e: &BytesStart<'_>) -> Result<Cow<'static, str>, FormatError> {
    for a in xml::attributes(e) {
        let a =
            a.map_err(|err| FormatError::fatal("malformed_xml", format!("bad attribute: {err}")))?;
        if a.key.local_name().as_ref() == b"type" {
            if let Some(known) = KNOWN_TYPES.iter().find(|k| k.as_bytes() == &*a.value) {
                return Ok(Cow::Borrowed(known));
            }
            return xml::unescape_text(&a.value).map(Cow::Owned);
        }
    }
    Ok(Cow::Borrowed(""))
}

/// Trims `s` without reallocating.
fn trim_in_place(s: &mut String) {
    let end = s.trim_end().len();
    s.truncate(end);
    let start = s.len() - s.trim_start().len();
    if start > 0 {
        s.drain(..start);
    }
}

/// Applies a finished capture to the entry.
fn apply(entry: &mut Entry, mut capture: Capture) {
    trim_in_place(&mut capture.text);
    if capture.text.is_empty() {
        return;
    }
    if capture.name == "term" {
        let text = std::mem::take(&mut capture.text);
        match &mut entry.term {
            Some(acc) => acc.term.text = text,
            // A bare <term> directly in a langSet: take it as its own term.
            None => push_term(
                entry,
                TermAcc {
                    term: Term {
                        text,
                        ..Term::default()
                    },
                    explicit_status: false,
                },
            ),
        }
        return;
    }
    let value = capture.text.as_str();
    let category = match capture.name {
        "termNote" | "descrip" | "admin" => &*capture.ty,
        other => other,
    };
    let in_term = entry.term.is_some();
    let note_line = |entry: &mut Entry, line: &str| {
        let slot = match &mut entry.term {
            Some(acc) => &mut acc.term.note,
            None => &mut entry.draft.note,
        };
        let merged = slot.as_deref().is_some_and(|s| !s.is_empty());
        append_line(slot, line);
        merged
    };
    match category {
        "note" => {
            if note_line(entry, value) {
                entry
                    .losses
                    .push(("several notes at one level".into(), Loss::Merged));
            }
        }
        "administrativeStatus" | "normativeAuthorization" if in_term => {
            match TermStatus::parse(value) {
                Some(status) => {
                    if let Some(acc) = &mut entry.term {
                        acc.term.status = status;
                        acc.explicit_status = true;
                    }
                }
                None => entry.fail(FormatError::row(
                    "bad_status",
                    format!(
                        "unknown {category} `{}`",
                        value.chars().take(40).collect::<String>()
                    ),
                )),
            }
        }
        "partOfSpeech" if in_term => {
            if let Some(acc) = &mut entry.term {
                acc.term.pos = Some(value.to_owned());
            }
        }
        "x-variant" if in_term => {
            if let Some(acc) = &mut entry.term {
                acc.term.variants.push(value.to_owned());
            }
        }
        "termType" => entry
            .losses
            .push(("<termNote type=\"termType\">".into(), Loss::Dropped)),
        "definition" => {
            if entry.lang.is_some() {
                entry.losses.push((
                    "a language's definition (merged into the concept definition)".into(),
                    Loss::Merged,
                ));
            }
            if entry.draft.definition.as_deref() != Some(value) {
                if entry.draft.definition.is_some() {
                    entry
                        .losses
                        .push(("several definitions".into(), Loss::Merged));
                }
                append_line(&mut entry.draft.definition, value);
            }
        }
        "subjectField" => {
            if entry.draft.domain.is_none() {
                entry.draft.domain = Some(value.to_owned());
            }
        }
        "x-contextWords" | "x-negativeContextWords" => {
            let list = if category == "x-contextWords" {
                &mut entry.draft.context_words
            } else {
                &mut entry.draft.negative_context_words
            };
            list.extend(
                value
                    .split('|')
                    .map(str::trim)
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned),
            )
        }
        "x-general" => entry.draft.general = matches!(value, "true" | "1" | "yes"),
        other => {
            let label = if other.is_empty() {
                capture.name
            } else {
                other
            };
            let kind = if other.is_empty() {
                format!("<{}>", capture.name)
            } else {
                format!("<{} type=\"{other}\">", capture.name)
            };
            entry.losses.push((kind, Loss::Folded));
            note_line(entry, &format!("{label}: {value}"));
        }
    }
}

/// TBX `administrativeStatus` value of a status.
fn status_value(status: TermStatus) -> &'static str {
    match status {
        TermStatus::Preferred => "preferredTerm-admn-sts",
        TermStatus::Admitted => "admittedTerm-admn-sts",
        TermStatus::Deprecated => "deprecatedTerm-admn-sts",
        TermStatus::Forbidden => "notRecommendedTerm-admn-sts",
    }
}

/// Writes `concepts` as TBX-Basic (TBX v2 `martif`), one `termEntry` per
/// concept, streaming. `source_lang` is the document's `xml:lang`. Forbidden
/// terms are written `notRecommendedTerm-admn-sts` (TBX-Basic has no
/// "forbidden"); variants and context words use our `x-variant` /
/// `x-contextWords` extensions. Languages with no non-empty term are left
/// out.
pub fn write_tbx<W: Write>(
    out: W,
    source_lang: &str,
    concepts: impl IntoIterator<Item = Concept>,
) -> io::Result<()> {
    let mut w = io::BufWriter::new(out);
    writeln!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        w,
        "<martif type=\"TBX-Basic\" xml:lang=\"{}\">",
        xml::escape_attr(source_lang)
    )?;
    writeln!(w, "<martifHeader>")?;
    writeln!(
        w,
        "<fileDesc><sourceDesc><p>Exported by mustalah</p></sourceDesc></fileDesc>"
    )?;
    writeln!(
        w,
        "<encodingDesc><p type=\"XCSURI\">TBXBasicXCSV02.xcs</p></encodingDesc>"
    )?;
    writeln!(w, "</martifHeader>")?;
    writeln!(w, "<text>\n<body>")?;
    for concept in concepts {
        write_entry(&mut w, &concept)?;
    }
    writeln!(w, "</body>\n</text>\n</martif>")?;
    w.flush()
}

/// The element a data category folded into a `type: value` note line was
/// read from (see [`apply`]), to write it back as that element.
fn folded_element(category: &str) -> Option<&'static str> {
    match category {
        "grammaticalGender" | "grammaticalNumber" | "transferComment" | "geographicalUsage"
        | "pronunciation" | "abbreviatedFormFor" | "usageNote" | "termLocation" => Some("termNote"),
        "context"
        | "relatedConcept"
        | "relatedConceptBroader"
        | "relatedConceptNarrower"
        | "example"
        | "explanation" => Some("descrip"),
        "source" | "sourceIdentifier" | "productSubset" | "projectSubset"
        | "businessUnitSubset" | "customerSubset" | "responsibility" => Some("admin"),
        _ => None,
    }
}

/// Writes a note: its `type: value` lines of known data categories as
/// their elements again, the other lines as one `<note>`.
fn write_note<W: Write>(w: &mut W, note: &str) -> io::Result<()> {
    let mut rest: Vec<&str> = Vec::new();
    for line in note.split('\n') {
        let folded = line.split_once(": ").and_then(|(k, v)| {
            let el = folded_element(k)?;
            Some((el, k, v))
        });
        match folded {
            Some((el, k, v)) => write!(
                w,
                "<{el} type=\"{}\">{}</{el}>",
                xml::escape_attr(k),
                xml::escape_text(v)
            )?,
            None => rest.push(line),
        }
    }
    if !rest.is_empty() {
        write!(w, "<note>{}</note>", xml::escape_text(&rest.join("\n")))?;
    }
    Ok(())
}

fn write_entry<W: Write>(w: &mut W, c: &Concept) -> io::Result<()> {
    writeln!(w, "<termEntry id=\"{}\">", xml::escape_attr(&c.id))?;
    let descrip = |w: &mut W, ty: &str, v: &str| {
        writeln!(
            w,
            "  <descrip type=\"{ty}\">{}</descrip>",
            xml::escape_text(v)
        )
    };
    if let Some(d) = &c.domain {
        descrip(w, "subjectField", d)?;
    }
    if let Some(d) = &c.definition {
        descrip(w, "definition", d)?;
    }
    for (ty, list) in [
        ("x-contextWords", &c.context_words),
        ("x-negativeContextWords", &c.negative_context_words),
    ] {
        if !list.is_empty() {
            let words: Vec<String> = list.iter().map(|s| s.replace('|', "¦")).collect();
            descrip(w, ty, &words.join("|"))?;
        }
    }
    if c.general {
        descrip(w, "x-general", "true")?;
    }
    if let Some(n) = &c.note {
        write!(w, "  ")?;
        write_note(w, n)?;
        writeln!(w)?;
    }
    for (lang, terms) in &c.terms {
        if terms.iter().all(|t| t.text.trim().is_empty()) {
            continue;
        }
        writeln!(w, "  <langSet xml:lang=\"{}\">", xml::escape_attr(lang))?;
        for t in terms.iter().filter(|t| !t.text.trim().is_empty()) {
            write!(w, "    <tig><term>{}</term>", xml::escape_text(&t.text))?;
            write!(
                w,
                "<termNote type=\"administrativeStatus\">{}</termNote>",
                status_value(t.status)
            )?;
            if let Some(pos) = &t.pos {
                write!(
                    w,
                    "<termNote type=\"partOfSpeech\">{}</termNote>",
                    xml::escape_text(pos)
                )?;
            }
            for v in &t.variants {
                write!(
                    w,
                    "<termNote type=\"x-variant\">{}</termNote>",
                    xml::escape_text(v)
                )?;
            }
            if let Some(n) = &t.note {
                write_note(w, n)?;
            }
            writeln!(w, "</tig>")?;
        }
        writeln!(w, "  </langSet>")?;
    }
    writeln!(w, "</termEntry>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(doc: &str) -> Vec<Result<ConceptDraft, FormatError>> {
        TbxReader::new(doc.as_bytes()).expect("decoder").collect()
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/termbase/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).expect("fixture")
    }

    fn ok(items: &[Result<ConceptDraft, FormatError>]) -> Vec<ConceptDraft> {
        items
            .iter()
            .filter_map(|r| r.as_ref().ok().cloned())
            .collect()
    }

    #[test]
    fn reads_tbx2_tig_and_ntig() {
        let items: Vec<_> = TbxReader::new(fixture("tbx2-tig-ntig.tbx").as_slice())
            .unwrap()
            .collect();
        assert_eq!(items.len(), 3);
        let file = items[0].clone().unwrap();
        assert_eq!(file.id.as_deref(), Some("c-file"));
        assert_eq!(file.domain.as_deref(), Some("computing"));
        assert_eq!(
            file.definition.as_deref(),
            Some("A named collection of data & metadata.")
        );
        assert_eq!(
            file.note.as_deref(),
            Some("source: Arabeyes\nSeen in file managers.")
        );
        let en = &file.terms["en"];
        assert_eq!(en[0].text, "file");
        assert_eq!(en[0].pos.as_deref(), Some("noun"));
        let ar = &file.terms["ar"];
        assert_eq!(ar.len(), 2);
        assert_eq!(
            (ar[0].text.as_str(), ar[0].status),
            ("ملف", TermStatus::Preferred)
        );
        assert_eq!(ar[0].variants, vec!["ملفات", "الملفات"]);
        assert_eq!(ar[0].note.as_deref(), Some("جمع تكسير: ملفات"));
        assert_eq!(
            (ar[1].text.as_str(), ar[1].status),
            ("فايل", TermStatus::Deprecated)
        );
        assert_eq!(
            ar[1].note.as_deref(),
            Some("context: احفظ الفايل قبل الإغلاق")
        );

        let empty = items[1].as_ref().unwrap_err();
        assert_eq!(
            (empty.code, empty.fatal, empty.line),
            ("empty_entry", false, Some(40))
        );

        let server = items[2].clone().unwrap();
        // Without a status, the first term of a language is preferred.
        let en = &server.terms["en"];
        assert_eq!(
            (en[0].status, en[1].status),
            (TermStatus::Preferred, TermStatus::Admitted)
        );
        // `xml:lang="AR"` is keyed `ar`.
        assert_eq!(server.terms["ar"][0].status, TermStatus::Admitted);
    }

    #[test]
    fn reads_tbx3_dca_and_dct() {
        let dca = ok(&TbxReader::new(fixture("tbx3-dca.tbx").as_slice())
            .unwrap()
            .collect::<Vec<_>>());
        assert_eq!(dca.len(), 1);
        let c = &dca[0];
        assert_eq!(c.id.as_deref(), Some("c-browser"));
        assert_eq!(c.domain.as_deref(), Some("internet"));
        assert_eq!(
            c.definition.as_deref(),
            Some("Software for viewing web pages.")
        );
        let ar = &c.terms["ar"];
        let got: Vec<_> = ar.iter().map(|t| (t.text.as_str(), t.status)).collect();
        assert_eq!(
            got,
            vec![
                ("متصفح الويب", TermStatus::Preferred),
                ("مستعرض", TermStatus::Admitted),
                ("براوزر", TermStatus::Deprecated)
            ]
        );
        assert_eq!(ar[0].note.as_deref(), Some("المتصفح؛ بالمتصفح (سوابق)"));
        assert_eq!(c.terms["en"][0].pos.as_deref(), Some("noun"));

        let dct = ok(&TbxReader::new(fixture("tbx3-dct.tbx").as_slice())
            .unwrap()
            .collect::<Vec<_>>());
        assert_eq!(dct.len(), 1);
        let c = &dct[0];
        assert_eq!(c.domain.as_deref(), Some("security"));
        assert_eq!(
            c.definition.as_deref(),
            Some("A value used to encrypt or decrypt.")
        );
        assert_eq!(c.terms["en"][0].pos.as_deref(), Some("noun"));
        assert_eq!(c.terms["ar"][1].text, "مفتاح التشفير");
        assert_eq!(c.terms["ar"][1].status, TermStatus::Forbidden);
    }

    #[test]
    fn reads_utf16le_with_bom() {
        let items = ok(&TbxReader::new(fixture("utf16le-bom.tbx").as_slice())
            .unwrap()
            .collect::<Vec<_>>());
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].terms["ar"][0].text, "قاعدة البيانات");
        let ar: Vec<_> = items[1].terms["ar"]
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(ar, vec!["الإنترنت", "إنترنت"]);
    }

    #[test]
    fn fatal_errors() {
        let last = |doc: &str| {
            let items = read_str(doc);
            items
                .last()
                .and_then(|r| r.as_ref().err())
                .map(|e| (e.code, e.fatal, e.line))
        };
        assert_eq!(
            last("<tmx version=\"1.4\"><body/></tmx>"),
            Some(("not_tbx", true, Some(1)))
        );
        assert_eq!(last("ar,en\nملف,file\n"), Some(("not_tbx", true, Some(1))));
        let truncated = "<martif>\n<text><body>\n<termEntry id=\"1\"><langSet xml:lang=\"ar\"><tig><term>ملف</term>\n";
        assert_eq!(last(truncated), Some(("malformed_xml", true, Some(4))));
        let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE martif [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>\n<martif><text><body><termEntry><langSet xml:lang=\"ar\"><tig><term>&b;</term></tig></langSet></termEntry></body></text></martif>";
        assert_eq!(last(bomb).map(|e| e.0), Some("dtd_not_allowed"));
        let xxe = "<!DOCTYPE martif [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><martif><text><body><termEntry><langSet xml:lang=\"en\"><tig><term>&x;</term></tig></langSet></termEntry></body></text></martif>";
        assert_eq!(last(xxe).map(|e| e.0), Some("dtd_not_allowed"));
        // After a fatal error the iterator ends.
        let mut r = TbxReader::new("<html/>".as_bytes()).unwrap();
        assert!(matches!(r.next(), Some(Err(_))));
        assert!(r.next().is_none());
    }

    #[test]
    fn entry_errors_skip_only_that_entry() {
        let doc = "<martif><text><body>\n\
            <termEntry id=\"a\"><langSet xml:lang=\"ar\"><tig><term>نظام &nbsp;</term></tig></langSet></termEntry>\n\
            <termEntry id=\"b\"><langSet><tig><term>برنامج</term></tig></langSet></termEntry>\n\
            <termEntry id=\"c\"><langSet xml:lang=\"ar\"><tig><term>شبكة</term><termNote type=\"administrativeStatus\">maybe</termNote></tig></langSet></termEntry>\n\
            <termEntry id=\"d\"/>\n\
            <termEntry id=\"e\"><langSet xml:lang=\"ar\"><tig><term>بالشبكة</term></tig></langSet></termEntry>\n\
            </body></text></martif>";
        let items = read_str(doc);
        let codes: Vec<_> = items
            .iter()
            .map(|r| match r {
                Ok(c) => c.terms["ar"][0].text.clone(),
                Err(e) => format!("{}@{}", e.code, e.line.unwrap_or(0)),
            })
            .collect();
        assert_eq!(
            codes,
            vec![
                "unknown_entity@2".to_string(),
                "missing_language@3".into(),
                "bad_status@4".into(),
                "empty_entry@5".into(),
                "بالشبكة".into()
            ]
        );
        assert!(items
            .iter()
            .all(|r| r.as_ref().map_or_else(|e| !e.fatal, |_| true)));
    }

    fn sample() -> Vec<Concept> {
        let now = chrono::Utc::now();
        let mut terms = BTreeMap::new();
        terms.insert(
            "ar".to_string(),
            vec![
                Term {
                    text: "الملف & \"المجلد\" <مضغوط>".into(),
                    status: TermStatus::Preferred,
                    pos: Some("noun".into()),
                    note: Some("جمع تكسير\r\nسطر ثان".into()),
                    variants: vec!["ملفات".into(), "بالملفات".into()],
                },
                Term {
                    text: "فايل".into(),
                    status: TermStatus::Forbidden,
                    ..Term::default()
                },
                Term {
                    text: "ملف".into(),
                    status: TermStatus::Admitted,
                    ..Term::default()
                },
            ],
        );
        terms.insert(
            "en-US".to_string(),
            vec![
                Term {
                    text: "file".into(),
                    status: TermStatus::Admitted,
                    ..Term::default()
                },
                Term {
                    text: "data set".into(),
                    status: TermStatus::Deprecated,
                    ..Term::default()
                },
            ],
        );
        vec![
            Concept {
                id: "c&1 \"q\"".into(),
                domain: Some("الحوسبة & networks".into()),
                definition: Some("وحدة <تخزين>\nمسماة".into()),
                note: Some("source: ALECSO\nملاحظة".into()),
                context_words: vec!["قرص".into(), "disk".into()],
                negative_context_words: vec!["مطعم".into()],
                general: true,
                terms,
                created: now,
                modified: now,
            },
            Concept {
                id: "c2".into(),
                domain: None,
                definition: None,
                note: None,
                context_words: vec![],
                negative_context_words: vec![],
                general: false,
                terms: BTreeMap::from([(
                    "ar".to_string(),
                    vec![Term {
                        text: "خادم".into(),
                        status: TermStatus::Preferred,
                        ..Term::default()
                    }],
                )]),
                created: now,
                modified: now,
            },
        ]
    }

    /// What reading back a written concept must give.
    pub(crate) fn as_draft(c: &Concept) -> ConceptDraft {
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
    fn folded_categories_are_written_back_as_their_elements_and_reported() {
        let doc = r#"<martif type="TBX"><text><body><termEntry id="c1">
            <descrip type="context">Save the file first.</descrip>
            <langSet xml:lang="fr"><ntig><termGrp><term>fichier</term>
              <termNote type="grammaticalGender">masculine</termNote></termGrp>
              <transacGrp><transac type="transactionType">origination</transac></transacGrp>
            </ntig></langSet></termEntry></body></text></martif>"#;
        let mut reader = TbxReader::new(doc.as_bytes()).unwrap();
        let draft = reader.next().unwrap().unwrap();
        assert!(reader.next().is_none());
        let codes: Vec<(String, &str)> = reader
            .losses()
            .into_iter()
            .map(|w| {
                (
                    w.message.split(':').next().unwrap_or("").to_string(),
                    w.code,
                )
            })
            .collect();
        assert!(
            codes.contains(&("<transacGrp>".into(), "tbx_field_dropped")),
            "{codes:?}"
        );
        assert!(
            codes.contains(&(
                "<termNote type=\"grammaticalGender\">".into(),
                "tbx_field_folded"
            )),
            "{codes:?}"
        );
        let now = chrono::Utc::now();
        let concept = Concept {
            id: "c1".into(),
            domain: draft.domain,
            definition: draft.definition,
            note: draft.note,
            context_words: draft.context_words,
            negative_context_words: draft.negative_context_words,
            general: draft.general,
            terms: draft.terms,
            created: now,
            modified: now,
        };
        let mut out = Vec::new();
        write_tbx(&mut out, "fr", [concept]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("<descrip type=\"context\">Save the file first.</descrip>"),
            "{text}"
        );
        assert!(
            text.contains("<termNote type=\"grammaticalGender\">masculine</termNote>"),
            "{text}"
        );
        assert!(!text.contains("<note>"), "{text}");
    }

    #[test]
    fn round_trip_through_writer_and_reader() {
        let concepts = sample();
        let mut out = Vec::new();
        write_tbx(&mut out, "ar", concepts.clone()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("<martif type=\"TBX-Basic\" xml:lang=\"ar\">"));
        let drafts: Vec<ConceptDraft> = read_str(&text).into_iter().map(|r| r.unwrap()).collect();
        let expected: Vec<ConceptDraft> = concepts.iter().map(as_draft).collect();
        assert_eq!(drafts, expected, "{text}");
    }

    #[test]
    fn reads_the_real_tbx_glossaries() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/glossary/");
        // (file, `<termEntry` count per the data README)
        let files = [
            ("aosus-arabeyes-tech.tbx", 3_512usize),
            ("arabterm-it.tbx", 20_125),
            ("arabterm-all-domains.tbx.gz", 161_215),
            ("freedict-ara-eng.tbx.gz", 52_618),
        ];
        for (name, entries) in files {
            let path = format!("{dir}{name}");
            let Ok(file) = std::fs::File::open(&path) else {
                println!("skipped: {path} is absent");
                continue;
            };
            let (mut ok, mut errors, mut ar_terms) = (0usize, 0usize, 0usize);
            for r in TbxReader::new(file).expect(name) {
                match r {
                    Ok(c) => {
                        ok += 1;
                        ar_terms += c.terms.get("ar").map_or(0, Vec::len);
                    }
                    Err(e) => {
                        assert!(!e.fatal, "{name}: {e}");
                        errors += 1;
                    }
                }
            }
            println!("{name}: {ok} concepts, {errors} entry errors, {ar_terms} Arabic terms");
            assert_eq!(ok + errors, entries, "{name}");
            assert!(ok * 100 >= entries * 99, "{name}: only {ok} of {entries}");
            assert!(ar_terms >= ok * 95 / 100, "{name}: too few Arabic terms");
        }
    }

    mod props {
        use super::super::*;
        use super::as_draft;
        use crate::formats::term_delimited::{write_terms_delimited, TermDelimitedReader};
        use proptest::prelude::*;

        /// Arabic and Latin text with the punctuation that needs escaping,
        /// trimmed (readers trim values) and without `|` (list separator).
        fn text() -> impl Strategy<Value = String> {
            "[ء-يa-zA-Z0-9 ,;:'\"&<>.()/\\\\{}؟،-]{1,16}"
                .prop_map(|s| s.trim().to_owned())
                .prop_filter("non-empty", |s| !s.is_empty())
        }

        fn status() -> impl Strategy<Value = TermStatus> {
            prop_oneof![
                Just(TermStatus::Preferred),
                Just(TermStatus::Admitted),
                Just(TermStatus::Deprecated),
                Just(TermStatus::Forbidden)
            ]
        }

        fn term() -> impl Strategy<Value = Term> {
            (
                text(),
                status(),
                proptest::option::of(text()),
                proptest::collection::vec(text(), 0..3),
            )
                .prop_map(|(text, status, note, variants)| Term {
                    text,
                    status,
                    pos: None,
                    note,
                    variants,
                })
        }

        fn concept() -> impl Strategy<Value = Concept> {
            let langs = proptest::collection::btree_map(
                prop_oneof![Just("ar"), Just("en"), Just("ar-SA"), Just("fr")]
                    .prop_map(str::to_owned),
                proptest::collection::vec(term(), 1..4),
                1..4,
            );
            (
                text(),
                proptest::option::of(text()),
                proptest::option::of(text()),
                proptest::option::of(text()),
                proptest::collection::vec(text(), 0..3),
                proptest::option::of(prop_oneof![Just("noun"), Just("verb")]),
                langs,
            )
                .prop_map(
                    |(id, domain, definition, note, context_words, pos, mut terms)| {
                        for list in terms.values_mut() {
                            for t in list.iter_mut() {
                                t.pos = pos.map(str::to_owned);
                            }
                        }
                        let now = chrono::Utc::now();
                        Concept {
                            id,
                            domain,
                            definition,
                            note,
                            context_words,
                            negative_context_words: vec![],
                            general: false,
                            terms,
                            created: now,
                            modified: now,
                        }
                    },
                )
        }

        /// What CSV/TSV can carry: no term notes, variants only on the
        /// first term of a language.
        fn delimited_view(c: &Concept) -> ConceptDraft {
            let mut d = as_draft(c);
            for list in d.terms.values_mut() {
                for (i, t) in list.iter_mut().enumerate() {
                    t.note = None;
                    if i > 0 {
                        t.variants.clear();
                    }
                }
            }
            d
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            #[test]
            fn drafts_round_trip_through_csv_tsv_and_tbx(concepts in proptest::collection::vec(concept(), 1..6)) {
                let mut out = Vec::new();
                write_tbx(&mut out, "ar", concepts.clone()).unwrap();
                let read: Vec<ConceptDraft> = TbxReader::new(out.as_slice()).unwrap().map(|r| r.unwrap()).collect();
                let expected: Vec<ConceptDraft> = concepts.iter().map(as_draft).collect();
                prop_assert_eq!(read, expected);

                let langs: Vec<String> = ["ar", "ar-SA", "en", "fr"].iter().map(|s| s.to_string()).collect();
                let expected: Vec<ConceptDraft> = concepts.iter().map(delimited_view).collect();
                for delimiter in [b',', b'\t'] {
                    let mut out = Vec::new();
                    write_terms_delimited(&mut out, delimiter, &langs, concepts.clone()).unwrap();
                    let read: Vec<ConceptDraft> = TermDelimitedReader::new(out.as_slice(), delimiter)
                        .unwrap()
                        .map(|r| r.unwrap())
                        .collect();
                    prop_assert_eq!(&read, &expected);
                }
            }
        }
    }

    /// Measurement, not an assertion: `cargo test --release --lib
    /// formats::tbx -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn measure_reading_100k_entries() {
        use crate::formats::term_delimited::{write_terms_delimited, TermDelimitedReader};
        let now = chrono::Utc::now();
        let concepts = (0..100_000).map(|i| Concept {
            id: format!("c{i}"),
            domain: Some("computing".into()),
            definition: None,
            note: Some(format!("source: bench row {i}")),
            context_words: vec![],
            negative_context_words: vec![],
            general: false,
            terms: BTreeMap::from([
                (
                    "ar".to_string(),
                    vec![
                        Term {
                            text: format!("ملف النظام {i}"),
                            status: TermStatus::Preferred,
                            ..Term::default()
                        },
                        Term {
                            text: format!("الملفات {i}"),
                            status: TermStatus::Admitted,
                            ..Term::default()
                        },
                    ],
                ),
                (
                    "en".to_string(),
                    vec![Term {
                        text: format!("system file {i}"),
                        status: TermStatus::Preferred,
                        pos: Some("noun".into()),
                        ..Term::default()
                    }],
                ),
            ]),
            created: now,
            modified: now,
        });
        let mut tbx = Vec::new();
        write_tbx(&mut tbx, "ar", concepts.clone()).unwrap();
        let mut csv = Vec::new();
        let langs = vec!["ar".to_string(), "en".to_string()];
        write_terms_delimited(&mut csv, b',', &langs, concepts).unwrap();

        // CPU time of this thread (ns) from /proc: the machine is shared, so
        // wall time alone overstates the cost.
        let cpu = || {
            std::fs::read_to_string("/proc/thread-self/schedstat")
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
                .map(std::time::Duration::from_nanos)
        };
        let cpu0 = cpu();
        let start = std::time::Instant::now();
        let n = TbxReader::new(tbx.as_slice())
            .unwrap()
            .filter(|r| r.is_ok())
            .count();
        let tbx_time = start.elapsed();
        let cpu1 = cpu();
        let start = std::time::Instant::now();
        let m = TermDelimitedReader::new(csv.as_slice(), b',')
            .unwrap()
            .filter(|r| r.is_ok())
            .count();
        let csv_time = start.elapsed();
        let cpu2 = cpu();
        let spent = |a: Option<std::time::Duration>, b: Option<std::time::Duration>| match (a, b) {
            (Some(a), Some(b)) => format!("{:?}", b.saturating_sub(a)),
            _ => "n/a".to_string(),
        };
        println!(
            "CPU time: TBX {}, CSV {}",
            spent(cpu0, cpu1),
            spent(cpu1, cpu2)
        );
        println!(
            "TBX: {n} entries ({:.1} MB) in {:?}; CSV: {m} rows ({:.1} MB) in {:?}",
            tbx.len() as f64 / 1e6,
            tbx_time,
            csv.len() as f64 / 1e6,
            csv_time
        );
        assert_eq!((n, m), (100_000, 100_000));
        let real = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/glossary/arabterm-all-domains.tbx.gz"
        );
        match std::fs::File::open(real) {
            Ok(file) => {
                let (c0, start) = (cpu(), std::time::Instant::now());
                let k = TbxReader::new(file).unwrap().filter(|r| r.is_ok()).count();
                println!(
                    "real arabterm-all-domains.tbx.gz (gzip): {k} entries in {:?}, CPU {}",
                    start.elapsed(),
                    spent(c0, cpu())
                );
            }
            Err(_) => println!("skipped: {real} is absent"),
        }
    }
}
