//! Imports: drafts from a file into a term base, all-or-nothing on fatal
//! errors, bounded memory.
//!
//! The input is read TWICE (it is a spooled file or a path, so it can be
//! opened again): the first pass validates everything and collects row
//! errors — a fatal error there (malformed XML, bad encoding, wrong format)
//! returns [`Error::Format`] and nothing is stored; the second pass writes in
//! atomic batches of [`CHUNK`] entries. A dry run plans the whole import in
//! the first pass and writes nothing.
//!
//! # Journal (all-or-nothing across a crash) and what readers see
//! Pass 2 holds the term base's write lock and first writes the key
//! `import`; every batch then stores, beside each entry it writes for the
//! first time, an undo record `undo/<id>` holding the entry as it was
//! before the import (or that it did not exist). The last batch removes
//! `import` (and updates the term base's meta); the undo records are
//! cleared after. Opening a term base with `import` still present (the
//! process died during pass 2) puts every undo record back, so a half
//! import is never seen; a failed or cancelled import is undone the same
//! way before it answers.
//!
//! Readers (lookups, recognition, listing, export) read the in-memory
//! index, which the import changes only once its last batch is stored,
//! under one write lock: they see the term base before the import or
//! after it, never in between.
//!
//! Duplicates: a draft with an id is the entry with that id; a draft without
//! one is the entry sharing the normalized preferred (else first) term of
//! any language (`إصطناعي` ~ `اصطناعي`, `ة` ~ `ه`, diacritics ignored).
//! `on_duplicate` decides: `merge` (add new terms and variants, fill empty
//! fields), `skip` (leave the entry), `replace` (overwrite it, keeping its id
//! and creation time). Counts are per row: each valid row is exactly one of
//! added / updated / unchanged (a skipped duplicate is unchanged); rows with
//! errors are `rows_skipped`.

use super::index::{dup_keys, norm_text};
use super::model::{Concept, ConceptDraft, Term, TermStatus};
use super::{
    concept_from, concept_key, read, tidy, validate_draft, Error, Result, TermBase, TermBases,
};
use crate::formats::tbx::{write_tbx, TbxReader};
use crate::formats::term_delimited::{
    split_alternatives, write_terms_delimited, TermDelimitedReader,
};
use crate::formats::{Format, FormatError};
use crate::store::Batch;
use chrono::Utc;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

/// Entries written per atomic batch in the second pass.
pub const CHUNK: usize = 5_000;
/// Errors kept in a report (the total is counted separately).
pub const MAX_REPORTED_ERRORS: usize = 1_000;

/// Real glossaries write several terms in one cell or `<term>` (`نقرة،
/// طقطقة`, `1 مخدم ؛ 2 خادم`) and qualifiers beside a term (`خادم
/// (الشبكة)`): each alternative becomes a term of its own, matched without
/// its qualifiers, which are kept as the term's note (see
/// [`split_alternatives`]). The first keeps the original status, part of
/// speech and variants; the others are admitted unless the original was
/// deprecated or forbidden.
fn split_cells(mut d: ConceptDraft) -> ConceptDraft {
    for list in d.terms.values_mut() {
        let mut out: Vec<Term> = Vec::with_capacity(list.len());
        for t in list.drain(..) {
            let alts = split_alternatives(&t.text);
            for (i, alt) in alts.into_iter().enumerate() {
                if out.iter().any(|o| o.text == alt.text) {
                    continue;
                }
                let note = match (&t.note, alt.note) {
                    (Some(a), Some(b)) => Some(format!("{a}; {b}")),
                    (a, b) => b.or_else(|| a.clone()),
                };
                let status = match t.status {
                    TermStatus::Preferred if i > 0 => TermStatus::Admitted,
                    s => s,
                };
                out.push(Term {
                    text: alt.text,
                    status,
                    pos: t.pos.clone(),
                    note,
                    variants: if i == 0 {
                        t.variants.clone()
                    } else {
                        Vec::new()
                    },
                });
            }
        }
        *list = out;
    }
    d
}

/// A valid draft as read from a file, ready to plan.
fn imported(d: ConceptDraft) -> ConceptDraft {
    tidy(split_cells(d))
}

/// What to do with an entry that already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDuplicate {
    /// Add the new terms and variants to the existing entry.
    #[default]
    Merge,
    /// Keep the existing entry as it is.
    Skip,
    /// Overwrite the existing entry.
    Replace,
}

impl OnDuplicate {
    /// Parses `merge`, `skip`, `replace`.
    pub fn parse(s: &str) -> Option<OnDuplicate> {
        match s {
            "merge" => Some(OnDuplicate::Merge),
            "skip" => Some(OnDuplicate::Skip),
            "replace" => Some(OnDuplicate::Replace),
            _ => None,
        }
    }
}

/// Import options.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Duplicate handling.
    pub on_duplicate: OnDuplicate,
    /// Compute the report, store nothing.
    pub dry_run: bool,
}

/// One problem of an import, with its position in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportIssue {
    /// 1-based line, where known.
    pub line: Option<u64>,
    /// 1-based column, where known.
    pub column: Option<u64>,
    /// Stable code.
    pub code: String,
    /// Explanation.
    pub message: String,
}

impl From<&FormatError> for ImportIssue {
    fn from(e: &FormatError) -> Self {
        ImportIssue {
            line: e.line,
            column: e.column,
            code: e.code.to_string(),
            message: e.message.clone(),
        }
    }
}

/// What an import did (or would do, for a dry run).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportReport {
    /// New entries.
    pub entries_added: u64,
    /// Rows that changed an existing entry.
    pub entries_updated: u64,
    /// Rows that matched an existing entry without changing it.
    pub entries_unchanged: u64,
    /// Rows not imported because of an error.
    pub rows_skipped: u64,
    /// The first [`MAX_REPORTED_ERRORS`] row errors.
    pub errors: Vec<ImportIssue>,
    /// All row errors.
    pub errors_total: u64,
    /// Reader warnings (ignored columns, unknown statuses, …).
    pub warnings: Vec<ImportIssue>,
}

impl ImportReport {
    fn error(&mut self, issue: ImportIssue) {
        self.errors_total += 1;
        self.rows_skipped += 1;
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(issue);
        }
    }
}

/// A stream of drafts from a file, with the reader's warnings at the end.
pub trait DraftReader: Iterator<Item = std::result::Result<ConceptDraft, FormatError>> {
    /// Warnings collected so far.
    fn warnings(&self) -> Vec<FormatError> {
        Vec::new()
    }
}

/// A [`DraftReader`] over any iterator of drafts (tests, programmatic imports).
pub struct DraftIter<I>(pub I);

impl<I: Iterator<Item = std::result::Result<ConceptDraft, FormatError>>> Iterator for DraftIter<I> {
    type Item = std::result::Result<ConceptDraft, FormatError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }
}

impl<I: Iterator<Item = std::result::Result<ConceptDraft, FormatError>>> DraftReader
    for DraftIter<I>
{
}

/// Opens the input (again) for one pass.
pub type Opener<'a> =
    dyn FnMut() -> std::result::Result<Box<dyn DraftReader + 'a>, FormatError> + 'a;

/// Concepts changed by the import but not yet in the index.
#[derive(Default)]
struct Pending {
    /// Changes of the batch being built.
    by_id: HashMap<String, Concept>,
    /// Duplicate keys of every entry this import changed, to its id.
    by_dup: HashMap<String, String>,
    /// Entries stored by earlier batches of this import (their current
    /// version is in the tree, not in the index).
    written: HashSet<String>,
}

/// Key of the journal of a running import.
const IMPORT_KEY: &[u8] = b"import";
/// Prefix of the undo records of a running import.
const UNDO_PREFIX: &[u8] = b"undo/";

fn undo_key(id: &str) -> Vec<u8> {
    crate::store::key_str(UNDO_PREFIX, id)
}

/// An undo record: `0` (the entry did not exist) or `1` + its stored JSON.
fn encode_undo(old: Option<&[u8]>) -> Vec<u8> {
    match old {
        None => vec![0],
        Some(v) => [&[1u8][..], v].concat(),
    }
}

/// Undoes an unfinished import (the `import` key is present) by putting
/// back every undo record, in batches of [`CHUNK`], the journal key last,
/// so it can be repeated after a crash; without the key it only clears
/// leftover records of an import that finished.
pub(crate) fn roll_back(tree: &crate::store::Tree) -> crate::store::Result<()> {
    let unfinished = tree.contains_key(IMPORT_KEY)?;
    let mut restored = 0u64;
    loop {
        let records: Vec<crate::store::Entry> = tree
            .scan_prefix(UNDO_PREFIX)
            .take(CHUNK)
            .collect::<crate::store::Result<_>>()?;
        if records.is_empty() {
            break;
        }
        let mut batch = Batch::new();
        for (k, v) in records {
            if unfinished {
                let ck = [super::CONCEPT_PREFIX, &k[UNDO_PREFIX.len()..]].concat();
                match v.split_first() {
                    Some((1, old)) => batch.insert(&ck, old),
                    _ => batch.remove(&ck),
                }
                restored += 1;
            }
            batch.remove(&k);
        }
        tree.apply(batch)?;
    }
    if unfinished {
        tree.remove(IMPORT_KEY)?;
        tracing::warn!(
            entries = restored,
            "rolled back an unfinished term-base import"
        );
    }
    Ok(())
}

impl Pending {
    fn put(&mut self, c: Concept) {
        for k in dup_keys(&c.terms) {
            self.by_dup.entry(k).or_insert_with(|| c.id.clone());
        }
        self.by_id.insert(c.id.clone(), c);
    }
}

/// Whether two concepts have the same content (timestamps aside).
fn same_content(a: &Concept, b: &Concept) -> bool {
    a.domain == b.domain
        && a.definition == b.definition
        && a.note == b.note
        && a.context_words == b.context_words
        && a.negative_context_words == b.negative_context_words
        && a.general == b.general
        && a.terms == b.terms
}

/// `existing` with the draft's new terms, variants and missing fields added.
fn merge(existing: &Concept, d: ConceptDraft) -> Concept {
    let mut c = existing.clone();
    c.domain = c.domain.or(d.domain);
    c.definition = c.definition.or(d.definition);
    c.note = c.note.or(d.note);
    for (words, new) in [
        (&mut c.context_words, d.context_words),
        (&mut c.negative_context_words, d.negative_context_words),
    ] {
        for w in new {
            if !words.contains(&w) {
                words.push(w);
            }
        }
    }
    c.general |= d.general;
    for (tag, terms) in d.terms {
        let list = c.terms.entry(tag).or_default();
        for t in terms {
            let n = norm_text(&t.text);
            match list.iter_mut().find(|e| norm_text(&e.text) == n) {
                Some(e) => {
                    for v in t.variants {
                        if !e.variants.contains(&v) {
                            e.variants.push(v);
                        }
                    }
                    e.pos = e.pos.take().or(t.pos);
                    e.note = e.note.take().or(t.note);
                }
                None => list.push(t),
            }
        }
    }
    c
}

impl TermBases {
    /// Imports drafts read by `open` (called once or twice, see the module
    /// doc) into the term base `name`. `progress` gets the number of rows
    /// read so far (both passes count).
    pub fn import_drafts(
        &self,
        name: &str,
        open: &mut Opener<'_>,
        opts: ImportOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportReport> {
        let tb = self.base(name)?;
        let mut report = ImportReport::default();
        let mut rows = 0u64;
        // Pass 1: validate (and, for a dry run, plan).
        let mut pending = Pending::default();
        {
            let mut reader = open().map_err(Error::Format)?;
            for item in reader.by_ref() {
                rows += 1;
                if rows % 1000 == 0 {
                    progress(rows);
                }
                match item {
                    Err(e) if e.fatal => return Err(Error::Format(e)),
                    Err(e) => report.error(ImportIssue::from(&e)),
                    Ok(d) => match validate_draft(&d) {
                        Err(e) => report.error(invalid_issue(&e)),
                        Ok(()) if opts.dry_run => {
                            self.plan(&tb, imported(d), opts, &mut pending, &mut report, true)?;
                        }
                        Ok(()) => {}
                    },
                }
            }
            report.warnings = reader
                .warnings()
                .iter()
                .take(MAX_REPORTED_ERRORS)
                .map(ImportIssue::from)
                .collect();
        }
        if opts.dry_run {
            progress(rows);
            return Ok(report);
        }
        // Pass 2: write in chunks under the term base's write lock and
        // the journal (see the module doc).
        let mut reader = open().map_err(Error::Format)?;
        let _w = tb.lock_writer()?;
        tb.tree.check_writable()?;
        tb.tree.insert(IMPORT_KEY, b"")?;
        let written = (|| -> Result<()> {
            for item in reader.by_ref() {
                rows += 1;
                if rows % 1000 == 0 {
                    progress(rows);
                    if let Some(e) = self.cancelled(&tb) {
                        return Err(e);
                    }
                }
                let d = match item {
                    Err(e) if e.fatal => return Err(Error::Format(e)),
                    Err(_) => continue,
                    Ok(d) => d,
                };
                if validate_draft(&d).is_err() {
                    continue;
                }
                self.plan(&tb, imported(d), opts, &mut pending, &mut report, false)?;
                if pending.by_id.len() >= CHUNK {
                    write_chunk(&tb, &mut pending, false)?;
                }
            }
            write_chunk(&tb, &mut pending, true)
        })();
        match written {
            Ok(()) => {
                publish(&tb, &pending.written)?;
                // Finished: the records are garbage now (cleared at the
                // next open should this fail).
                if let Err(e) = roll_back(&tb.tree) {
                    tracing::warn!(error = %e, "clearing a finished import's undo records failed");
                }
                progress(rows);
                Ok(report)
            }
            // The tree is about to be dropped: nothing to undo.
            Err(e @ Error::CollectionDeleted(_)) => Err(e),
            // The process is about to exit: the journal is undone at the
            // next start (the index never saw the import).
            Err(e @ Error::ShuttingDown) => Err(e),
            Err(e) => {
                if let Err(re) = roll_back(&tb.tree) {
                    // The journal stays for the next start; the index was
                    // never changed, so readers still see the old entries.
                    tracing::error!(error = %re, "rolling back a failed term-base import failed");
                }
                Err(e)
            }
        }
    }

    /// Why a running import into `tb` must stop now, if it must.
    fn cancelled(&self, tb: &TermBase) -> Option<Error> {
        if tb.deleted.load(std::sync::atomic::Ordering::SeqCst) {
            Some(Error::CollectionDeleted(tb.name.clone()))
        } else if self.stopping.load(std::sync::atomic::Ordering::SeqCst) {
            Some(Error::ShuttingDown)
        } else {
            None
        }
    }

    /// Decides what one draft does; a concept to write goes to `pending`.
    fn plan(
        &self,
        tb: &TermBase,
        d: ConceptDraft,
        opts: ImportOptions,
        pending: &mut Pending,
        report: &mut ImportReport,
        dry_run: bool,
    ) -> Result<()> {
        let existing: Option<Concept> = match &d.id {
            Some(id) => current(tb, pending, id)?,
            None => {
                let keys = dup_keys(&d.terms);
                let in_import = keys.iter().find_map(|k| pending.by_dup.get(k)).cloned();
                let id = in_import.or_else(|| {
                    let ix = read(&tb.index);
                    let slot = ix.duplicates_of(&keys).into_iter().next()?;
                    Some(ix.slot(slot)?.concept.id.clone())
                });
                match id {
                    Some(id) => current(tb, pending, &id)?,
                    None => None,
                }
            }
        };
        let Some(old) = existing else {
            let id = match &d.id {
                Some(id) => id.clone(),
                None if dry_run => format!("dry-run-{}", pending.by_id.len()),
                None => loop {
                    let id = self.fresh_id(tb)?;
                    if !pending.by_id.contains_key(&id) && !pending.written.contains(&id) {
                        break id;
                    }
                },
            };
            let c = concept_from(d, id, Utc::now());
            report.entries_added += 1;
            pending.put(c);
            return Ok(());
        };
        let new = match opts.on_duplicate {
            OnDuplicate::Skip => {
                report.entries_unchanged += 1;
                return Ok(());
            }
            OnDuplicate::Replace => concept_from(d, old.id.clone(), old.created),
            OnDuplicate::Merge => merge(&old, d),
        };
        if same_content(&old, &new) {
            report.entries_unchanged += 1;
            return Ok(());
        }
        let mut new = new;
        new.modified = Utc::now();
        report.entries_updated += 1;
        pending.put(new);
        Ok(())
    }
}

/// The entry `id` as this import sees it: its own latest version, else
/// the stored one.
fn current(tb: &TermBase, pending: &Pending, id: &str) -> Result<Option<Concept>> {
    if let Some(c) = pending.by_id.get(id) {
        return Ok(Some(c.clone()));
    }
    if pending.written.contains(id) {
        return Ok(tb.tree.get_json(&concept_key(id))?);
    }
    Ok(read(&tb.index).get(id).map(|c| (*c).clone()))
}

/// Stores the batch being built, with the undo record of every entry it
/// touches for the first time; the `last` batch also closes the journal
/// and updates the meta. The index is left alone (see [`publish`]).
fn write_chunk(tb: &TermBase, pending: &mut Pending, last: bool) -> Result<()> {
    let mut batch = Batch::new();
    // Later versions of the same entry within the chunk supersede
    // earlier ones: write the pending (final) version once.
    for (id, c) in pending.by_id.drain() {
        if !pending.written.contains(&id) {
            let old = tb.tree.get(&concept_key(&id))?;
            batch.insert(&undo_key(&id), &encode_undo(old.as_deref()));
        }
        batch.insert_json(&concept_key(&id), &c)?;
        pending.written.insert(id);
    }
    if last {
        let mut meta = read(&tb.meta).clone();
        if !pending.written.is_empty() {
            meta.modified = Utc::now();
        }
        batch.insert_json(super::META_KEY, &meta)?;
        batch.remove(IMPORT_KEY);
        tb.tree.apply(batch)?;
        *super::write(&tb.meta) = meta;
        return Ok(());
    }
    if !batch.is_empty() {
        tb.tree.apply(batch)?;
    }
    Ok(())
}

/// Makes a finished import visible: reads back every entry it stored and
/// swaps them into the index under one write lock (analysed before).
fn publish(tb: &TermBase, written: &HashSet<String>) -> Result<()> {
    use rayon::prelude::*;
    let ids: Vec<&String> = written.iter().collect();
    let concepts: Vec<Concept> = ids
        .par_iter()
        .map(|id| tb.tree.get_json::<Concept>(&concept_key(id)))
        .collect::<crate::store::Result<Vec<Option<Concept>>>>()?
        .into_iter()
        .flatten()
        .collect();
    let prepared = super::index::Prepared::many(concepts);
    let mut ix = super::write(&tb.index);
    for p in prepared {
        ix.insert_prepared(p);
    }
    Ok(())
}

impl DraftReader for TermDelimitedReader<'_> {
    fn warnings(&self) -> Vec<FormatError> {
        TermDelimitedReader::warnings(self).to_vec()
    }
}

impl DraftReader for TbxReader<'_> {
    fn warnings(&self) -> Vec<FormatError> {
        self.losses()
    }
}

/// Opens the raw bytes of an import (again) for one pass.
pub type ByteOpener<'a> = dyn FnMut() -> std::io::Result<Box<dyn Read + Send + 'a>> + 'a;

/// Decides the format of an import (see [`crate::formats::resolve_format`]).
fn resolve_format(
    declared: Option<Format>,
    open: &mut ByteOpener<'_>,
) -> std::result::Result<Format, FormatError> {
    let raw = open().map_err(|e| FormatError::fatal("read_error", e.to_string()))?;
    let head = crate::formats::decoded_head(raw)?;
    crate::formats::resolve_format(
        declared,
        &head,
        &[Format::Csv, Format::Tsv, Format::Tbx],
        "term base",
    )
}

impl TermBases {
    /// Imports a CSV/TSV/TBX body that `open` can read any number of times
    /// (a spooled upload, a file); gzip, BOM and UTF-16 are decoded. The
    /// format is sniffed when `format` is `None`.
    pub fn import_source(
        &self,
        name: &str,
        open: &mut ByteOpener<'_>,
        format: Option<Format>,
        opts: ImportOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportReport> {
        self.base(name)?;
        let format = resolve_format(format, open).map_err(Error::Format)?;
        let mut drafts = || -> std::result::Result<Box<dyn DraftReader + '_>, FormatError> {
            let raw = open().map_err(|e| FormatError::fatal("read_error", e.to_string()))?;
            Ok(match format {
                Format::Csv => Box::new(TermDelimitedReader::new(raw, b',')?),
                Format::Tsv => Box::new(TermDelimitedReader::new(raw, b'\t')?),
                _ => Box::new(TbxReader::new(raw)?),
            })
        };
        self.import_drafts(name, &mut drafts, opts, progress)
    }

    /// Imports the file at `path` (CLI); see [`TermBases::import_source`].
    /// `progress` gets the number of rows read so far.
    pub fn import_file(
        &self,
        name: &str,
        path: &Path,
        format: Option<Format>,
        opts: ImportOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportReport> {
        let shown = path.display().to_string();
        std::fs::metadata(path).map_err(|e| Error::Io {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let mut open = || -> std::io::Result<Box<dyn Read + Send>> {
            Ok(Box::new(std::fs::File::open(path)?))
        };
        self.import_source(name, &mut open, format, opts, progress)
    }

    /// Writes the whole term base to `out` as `format` (csv, tsv or tbx),
    /// in id order (see [`TermBases::export_snapshot`]).
    pub fn export(&self, name: &str, format: Format, out: &mut dyn Write) -> Result<()> {
        self.export_snapshot(name)?.write(format, out)
    }

    /// The term base's entries as they are now, for [`ExportSnapshot::write`].
    /// Taken from the in-memory index under one read lock, so an export is a
    /// consistent point in time, needs no decoding, and is unaffected by
    /// writes or a delete of the term base while it streams; an HTTP export
    /// takes it before answering, so a missing term base is a clean 404.
    pub fn export_snapshot(&self, name: &str) -> Result<ExportSnapshot> {
        let tb = self.base(name)?;
        let (concepts, _) = read(&tb.index).ids_after(None, usize::MAX);
        Ok(ExportSnapshot { concepts })
    }
}

/// Entries of a term base at one point in time, ready to be written.
pub struct ExportSnapshot {
    concepts: Vec<Arc<Concept>>,
}

impl ExportSnapshot {
    /// The entries, in id order.
    pub fn concepts(&self) -> impl Iterator<Item = &Concept> {
        self.concepts.iter().map(|c| c.as_ref())
    }

    /// Writes the entries as `format` (csv, tsv or tbx).
    pub fn write(&self, format: Format, out: &mut dyn Write) -> Result<()> {
        let mut langs: Vec<String> = {
            let mut set: std::collections::BTreeSet<&str> = Default::default();
            for c in &self.concepts {
                set.extend(c.terms.keys().map(String::as_str));
            }
            set.into_iter().map(str::to_owned).collect()
        };
        // Arabic and English first, as people read the file.
        langs.sort_by_key(|l| (!l.starts_with("ar"), !l.starts_with("en"), l.clone()));
        let concepts = self.concepts.iter().map(|c| Concept::clone(c));
        let io = match format {
            Format::Csv => write_terms_delimited(out, b',', &langs, concepts),
            Format::Tsv => write_terms_delimited(out, b'\t', &langs, concepts),
            Format::Tbx => write_tbx(
                out,
                langs.first().map(String::as_str).unwrap_or("ar"),
                concepts,
            ),
            Format::Tmx => {
                return Err(Error::invalid(
                    "format",
                    "term bases export csv, tsv or tbx",
                ));
            }
        };
        io.map_err(|e| Error::Io {
            path: "<export>".into(),
            message: e.to_string(),
        })
    }
}

fn invalid_issue(e: &Error) -> ImportIssue {
    let (code, message) = match e {
        Error::Invalid { field, message } => ("invalid_entry", format!("{field}: {message}")),
        other => ("invalid_entry", other.to_string()),
    };
    ImportIssue {
        line: None,
        column: None,
        code: code.to_string(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::termbase::tests::draft;

    fn setup() -> TermBases {
        let store = Store::temporary().unwrap();
        let tbs = TermBases::open(&store).unwrap();
        tbs.create("t", None).unwrap();
        tbs
    }

    fn run(
        tbs: &TermBases,
        items: Vec<std::result::Result<ConceptDraft, FormatError>>,
        opts: ImportOptions,
    ) -> Result<ImportReport> {
        let mut open = move || -> std::result::Result<Box<dyn DraftReader>, FormatError> {
            Ok(Box::new(DraftIter(items.clone().into_iter())))
        };
        tbs.import_drafts("t", &mut open, opts, &mut |_| {})
    }

    #[test]
    fn an_export_snapshot_outlives_changes_and_a_delete_of_its_term_base() {
        let tbs = setup();
        run(
            &tbs,
            vec![
                Ok(draft(Some("gpu"), &["وحدة معالجة رسومات"], &["GPU"])),
                Ok(draft(Some("server"), &["خادم"], &["server"])),
            ],
            ImportOptions::default(),
        )
        .unwrap();
        let mut whole = Vec::new();
        tbs.export("t", Format::Csv, &mut whole).unwrap();
        let snapshot = tbs.export_snapshot("t").unwrap();
        tbs.create_concept("t", draft(Some("chip"), &["شريحة"], &["chip"]))
            .unwrap();
        tbs.delete("t").unwrap();
        let mut later = Vec::new();
        snapshot.write(Format::Csv, &mut later).unwrap();
        assert_eq!(
            String::from_utf8(later).unwrap(),
            String::from_utf8(whole).unwrap()
        );
        assert!(matches!(
            tbs.export_snapshot("t"),
            Err(Error::TermBaseNotFound(_))
        ));
    }

    #[test]
    fn normalized_duplicates_merge_skip_replace() {
        let tbs = setup();
        let r = run(
            &tbs,
            vec![
                Ok(draft(None, &["ذكاء اصطناعي"], &["AI"])),
                Ok(draft(None, &["شبكة عصبية"], &["neural network"])),
            ],
            ImportOptions::default(),
        )
        .unwrap();
        assert_eq!((r.entries_added, r.entries_updated), (2, 0));
        // Hamza on alef, diacritics and ة/ه differ only in normalization.
        let again = vec![
            Ok(draft(None, &["ذَكاء إصطناعي"], &["artificial intelligence"])),
            Ok(draft(None, &["شبكه عصبيه"], &["neural network"])),
        ];
        let skip = ImportOptions {
            on_duplicate: OnDuplicate::Skip,
            dry_run: false,
        };
        let r = run(&tbs, again.clone(), skip).unwrap();
        assert_eq!((r.entries_added, r.entries_unchanged), (0, 2), "{r:?}");
        // Merge: the AI entry gains an English term; the network entry has
        // nothing new (its terms equal after normalization).
        let r = run(&tbs, again.clone(), ImportOptions::default()).unwrap();
        assert_eq!(
            (r.entries_added, r.entries_updated, r.entries_unchanged),
            (0, 1, 1),
            "{r:?}"
        );
        assert_eq!(tbs.get_meta("t").unwrap().entries, 2);
        let list = tbs.list_concepts("t", None, 10).unwrap().0;
        let ai = list
            .iter()
            .find(|c| c.terms["en"].iter().any(|t| t.text == "AI"))
            .unwrap();
        assert_eq!(ai.terms["en"].len(), 2, "merge added the new English term");
        let replace = ImportOptions {
            on_duplicate: OnDuplicate::Replace,
            dry_run: false,
        };
        let r = run(&tbs, again, replace).unwrap();
        assert_eq!(r.entries_updated, 2);
        let ai = tbs.get_concept("t", &ai.id).unwrap();
        assert_eq!(ai.terms["en"].len(), 1);
        assert_eq!(ai.terms["en"][0].text, "artificial intelligence");
    }

    #[test]
    fn dry_run_and_fatal_errors_store_nothing() {
        let tbs = setup();
        let items = vec![
            Ok(draft(Some("a"), &["خادم"], &["server"])),
            Err(FormatError::row("empty_term", "row has no term").at(Some(3), Some(1))),
            Ok(draft(Some("b"), &["شريحة"], &["chip"])),
            Ok(draft(Some("a"), &["خادوم"], &[])),
        ];
        let dry = ImportOptions {
            on_duplicate: OnDuplicate::Merge,
            dry_run: true,
        };
        let r = run(&tbs, items.clone(), dry).unwrap();
        assert_eq!(
            (
                r.entries_added,
                r.entries_updated,
                r.rows_skipped,
                r.errors_total
            ),
            (2, 1, 1, 1)
        );
        assert_eq!(r.errors[0].line, Some(3));
        assert_eq!(tbs.get_meta("t").unwrap().entries, 0);

        let mut fatal = items.clone();
        fatal.push(Err(
            FormatError::fatal("malformed_xml", "unexpected end").at(Some(9), Some(4))
        ));
        match run(&tbs, fatal, ImportOptions::default()) {
            Err(Error::Format(e)) => assert_eq!((e.code, e.line), ("malformed_xml", Some(9))),
            other => panic!("{other:?}"),
        }
        assert_eq!(tbs.get_meta("t").unwrap().entries, 0);

        let r = run(&tbs, items, ImportOptions::default()).unwrap();
        assert_eq!((r.entries_added, r.entries_updated), (2, 1));
        assert_eq!(tbs.get_concept("t", "a").unwrap().terms["ar"].len(), 2);
    }

    /// Drafts for an import spanning chunks: a replacement of `gpu`, then
    /// `n` new entries.
    fn spanning(n: usize) -> Vec<std::result::Result<ConceptDraft, FormatError>> {
        let mut items = vec![Ok(draft(Some("gpu"), &["معالج رسومي"], &["graphics chip"]))];
        items.extend((0..n).map(|i| {
            Ok(draft(
                Some(&format!("e{i:06}")),
                &[&format!("مصطلح {i}")],
                &[],
            ))
        }));
        items
    }

    /// An opener whose second (writing) pass ends after `stop` drafts with
    /// `end`: a panic (the process dying) or a fatal format error.
    fn cut_short(
        items: Vec<std::result::Result<ConceptDraft, FormatError>>,
        stop: usize,
        panic: bool,
    ) -> impl FnMut() -> std::result::Result<Box<dyn DraftReader>, FormatError> {
        let mut opened = 0;
        move || {
            opened += 1;
            if opened == 1 {
                return Ok(Box::new(DraftIter(items.clone().into_iter())));
            }
            let head = items.clone().into_iter().take(stop);
            let tail = std::iter::once(()).map(move |()| {
                if panic {
                    panic!("the process dies here");
                }
                Err(FormatError::fatal("read_failed", "the disk went away"))
            });
            Ok(Box::new(DraftIter(head.chain(tail))))
        }
    }

    fn gpu_terms(tbs: &TermBases) -> Vec<String> {
        let c = tbs.get_concept("t", "gpu").unwrap();
        c.terms.values().flatten().map(|t| t.text.clone()).collect()
    }

    #[test]
    fn an_import_is_invisible_until_done_and_rolled_back_after_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let n = 2 * CHUNK + 100;
        let before = {
            let store = Store::open(dir.path()).unwrap();
            let tbs = TermBases::open(&store).unwrap();
            tbs.create("t", None).unwrap();
            tbs.create_concept("t", draft(Some("gpu"), &["وحدة معالجة رسومات"], &["GPU"]))
                .unwrap();
            let before = gpu_terms(&tbs);
            let opts = ImportOptions {
                on_duplicate: OnDuplicate::Replace,
                dry_run: false,
            };
            let mut open = cut_short(spanning(n), CHUNK + 1500, true);
            let mut checked = 0;
            let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                tbs.import_drafts("t", &mut open, opts, &mut |rows| {
                    // Rows of pass 2 past its first stored chunk.
                    if rows > (n + 1 + CHUNK) as u64 {
                        assert_eq!(tbs.get_meta("t").unwrap().entries, 1);
                        assert_eq!(gpu_terms(&tbs), before);
                        checked += 1;
                    }
                })
            }));
            assert!(crashed.is_err());
            assert!(checked > 0, "the visibility check ran");
            let tree = &tbs.base("t").unwrap().tree;
            assert!(tree.contains_key(IMPORT_KEY).unwrap());
            assert!(tree.count_prefix(super::super::CONCEPT_PREFIX).unwrap() >= CHUNK);
            store.flush_blocking().unwrap();
            before
        };
        let store = crate::memory::tests::reopen(dir.path());
        let tbs = TermBases::open(&store).unwrap();
        assert_eq!(tbs.get_meta("t").unwrap().entries, 1);
        assert_eq!(gpu_terms(&tbs), before);
        let tree = &tbs.base("t").unwrap().tree;
        assert_eq!(tree.count_prefix(super::super::CONCEPT_PREFIX).unwrap(), 1);
        assert_eq!(tree.count_prefix(UNDO_PREFIX).unwrap(), 0);
        assert!(!tree.contains_key(IMPORT_KEY).unwrap());

        // A failure part-way is undone before the import answers; the
        // same import then goes through whole.
        let opts = ImportOptions {
            on_duplicate: OnDuplicate::Replace,
            dry_run: false,
        };
        let mut open = cut_short(spanning(n), CHUNK + 500, false);
        let e = tbs
            .import_drafts("t", &mut open, opts, &mut |_| {})
            .unwrap_err();
        assert!(
            matches!(e, Error::Format(ref f) if f.code == "read_failed"),
            "{e:?}"
        );
        assert_eq!(tree.count_prefix(super::super::CONCEPT_PREFIX).unwrap(), 1);
        assert_eq!(gpu_terms(&tbs), before);
        let r = run(&tbs, spanning(n), opts).unwrap();
        assert_eq!((r.entries_added, r.entries_updated), (n as u64, 1));
        assert_eq!(tbs.get_meta("t").unwrap().entries, n + 1);
        assert_eq!(gpu_terms(&tbs), vec!["معالج رسومي", "graphics chip"]);
        assert_eq!(tree.count_prefix(UNDO_PREFIX).unwrap(), 0);
    }

    #[test]
    fn duplicates_across_chunks_of_one_import_merge() {
        let tbs = setup();
        // The same term (no id) early and after a full chunk: one entry.
        let mut items = vec![Ok(draft(None, &["خادم"], &["server"]))];
        items.extend((0..CHUNK + 5).map(|i| Ok(draft(None, &[&format!("مصطلح {i}")], &[]))));
        items.push(Ok(draft(None, &["خادم"], &["host"])));
        let r = run(&tbs, items, ImportOptions::default()).unwrap();
        assert_eq!(
            (r.entries_added, r.entries_updated),
            ((CHUNK + 6) as u64, 1)
        );
        assert_eq!(tbs.get_meta("t").unwrap().entries, CHUNK + 6);
    }

    #[test]
    fn large_import_spans_chunks() {
        let tbs = setup();
        let items: Vec<_> = (0..(CHUNK + 10))
            .map(|i| {
                Ok(draft(
                    Some(&format!("e{i:06}")),
                    &[&format!("مصطلح {i}")],
                    &[],
                ))
            })
            .collect();
        let r = run(&tbs, items, ImportOptions::default()).unwrap();
        assert_eq!(r.entries_added, (CHUNK + 10) as u64);
        assert_eq!(tbs.get_meta("t").unwrap().entries, CHUNK + 10);
    }

    #[test]
    fn real_glossaries_import_with_accurate_reports() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/glossary/");
        // (file, rows in the file per its README, a term and its translation)
        let cases = [
            (
                "aosus-arabeyes-tech.csv",
                3_512u64,
                "Absolute address",
                "عنوان مطلق",
            ),
            ("arabterm-it.tbx", 20_125, "abrasive paper", "ورق كاشط"),
        ];
        for (file, rows, en, ar) in cases {
            let path = std::path::Path::new(dir).join(file);
            if !path.exists() {
                println!("skipped: {} not present", path.display());
                continue;
            }
            let tbs = setup();
            let mut seen = 0;
            let r = tbs
                .import_file("t", &path, None, ImportOptions::default(), &mut |n| {
                    seen = n
                })
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            println!(
                "{file}: added {} updated {} unchanged {} skipped {} errors {} warnings {}",
                r.entries_added,
                r.entries_updated,
                r.entries_unchanged,
                r.rows_skipped,
                r.errors_total,
                r.warnings.len()
            );
            assert_eq!(
                r.entries_added + r.entries_updated + r.entries_unchanged + r.rows_skipped,
                rows,
                "{file}: every row is accounted for exactly once"
            );
            assert_eq!(r.rows_skipped, r.errors_total, "{file}");
            assert_eq!(
                r.errors.len() as u64,
                r.errors_total.min(MAX_REPORTED_ERRORS as u64)
            );
            assert!(
                r.errors.iter().all(|e| e.line.is_some()),
                "{file}: {:?}",
                r.errors
            );
            assert_eq!(seen, 2 * rows, "{file}: progress counts both passes");
            assert_eq!(tbs.get_meta("t").unwrap().entries as u64, r.entries_added);
            let q = crate::termbase::LookupQuery {
                q: en.into(),
                lang: Some("en".into()),
                target_lang: Some("ar".into()),
                mode: crate::termbase::LookupMode::Exact,
                limit: 5,
            };
            let found = tbs.lookup("t", &q).unwrap();
            assert!(
                found
                    .iter()
                    .any(|f| f.translations.iter().any(|t| t.text == ar)),
                "{file}: {en} -> {found:?}"
            );
        }
    }
}
