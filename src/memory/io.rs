//! Import and export of whole memories, with the import journal.
//!
//! # Import journal (atomicity under `kill -9`)
//! An import validates the whole spooled file first (pass 1: a fatal error
//! stores nothing) and then writes batches of 10,000 units (pass 2). Before
//! pass 2 it writes `import/<import id>` = `{"first_id": n}` and holds the
//! memory's writer lock until the end, so every unit it *creates* has an id
//! `≥ first_id`. The last batch removes the journal entry; then the store is
//! flushed and the import is acknowledged. When the memory is opened and a
//! journal entry is still there (the process died during pass 2), every unit
//! with id `≥ first_id` is deleted with its index entries, so a half import
//! is never visible. (Existing units whose `modified` an import refreshed
//! keep the new time.) The journal also records the dictionary's length at
//! the start: the tokens the import added (only its own new units use
//! them, as it holds the writer lock) are removed too, so a rolled-back
//! import leaves no vocabulary behind. The roll-back removes keys in
//! batches of [`IMPORT_BATCH`] units, journal last, so it is repeatable and
//! its memory stays small whatever the import's size.
//!
//! # Cancellation
//! An import checks between batches whether its memory was deleted
//! ([`Error::CollectionDeleted`], nothing to roll back: the tree is being
//! dropped) or the server is shutting down ([`Error::ShuttingDown`]: it
//! answers at once and leaves its journal to the roll-back at the next
//! start, so shutting down takes at most one batch).
//!
//! # What readers see during an import
//! Searches, unit reads and counts see each batch of [`IMPORT_BATCH`] units
//! as it is written (read-committed per batch); the import's result is
//! all-or-nothing across a crash, a cancellation or a storage failure.

use crate::store::{key_u64, Batch, Tree};
use serde::{Deserialize, Serialize};

/// An in-progress import.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Journal {
    pub(crate) first_id: u64,
    /// Length of the dictionary when the import started (absent in
    /// journals written before it was recorded: their tokens are kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) first_dict: Option<u32>,
}

/// Removes, in batches of [`IMPORT_BATCH`], every key of `prefix` from
/// `from` on and, for each, the keys `also` derives from it.
fn remove_from(
    tree: &Tree,
    prefix: &[u8],
    from: Vec<u8>,
    also: &dyn Fn(&[u8]) -> Vec<Vec<u8>>,
) -> crate::store::Result<u64> {
    let mut removed = 0u64;
    let mut from = from;
    loop {
        let keys: Vec<Vec<u8>> = tree
            .scan_prefix_from(prefix, &from)
            .take(IMPORT_BATCH)
            .map(|r| r.map(|(k, _)| k))
            .collect::<crate::store::Result<_>>()?;
        let Some(last) = keys.last() else {
            return Ok(removed);
        };
        from = [last.as_slice(), &[0]].concat();
        let mut batch = Batch::new();
        for k in &keys {
            batch.remove(k);
            for extra in also(k) {
                batch.remove(&extra);
            }
        }
        removed += keys.len() as u64;
        tree.apply(batch)?;
    }
}

/// Deletes the units of imports that never finished.
pub(crate) fn roll_back_journals(tree: &Tree) -> crate::store::Result<()> {
    let journals: Vec<crate::store::Entry> = tree
        .scan_prefix(b"import/")
        .collect::<crate::store::Result<_>>()?;
    for (k, v) in journals {
        let Ok(j) = crate::store::decode_json::<Journal>(&k, &v) else {
            tree.remove(&k)?;
            continue;
        };
        // Snapshots are only written with no journal open, so none should
        // hold these units; if one does, it is dropped (the next open reads
        // every unit) rather than trusted.
        let snap_bound = tree
            .get(super::index::SNAP_KEY)?
            .and_then(|h| super::index::decode_snap_header(&h))
            .map_or(0, |h| h.0);
        if j.first_id < snap_bound {
            tree.remove(super::index::SNAP_KEY)?;
        }
        tracing::warn!(first_id = j.first_id, "rolling back an unfinished import");
        let units = remove_from(tree, b"u/", key_u64(b"u/", j.first_id), &|uk| {
            crate::store::u64_suffix(uk)
                .map(|id| vec![key_u64(b"t/", id)])
                .unwrap_or_default()
        })?;
        // Blobs whose unit key was already gone (a roll-back cut short).
        remove_from(tree, b"t/", key_u64(b"t/", j.first_id), &|_| Vec::new())?;
        let tokens = match j.first_dict {
            Some(n) => remove_from(
                tree,
                b"d/",
                [b"d/".as_slice(), &n.to_be_bytes()].concat(),
                &|_| Vec::new(),
            )?,
            None => 0,
        };
        tree.remove(&k)?;
        tracing::warn!(first_id = j.first_id, units, tokens, "import rolled back");
    }
    Ok(())
}

use super::model::{ImportReport, TranslationUnit, UnitDraft};
use super::{
    poisoned, prepare, prepare_draft, write_units, BatchKind, Error, Memories, Memory, Result,
};
use crate::formats::unit_delimited::{write_units_delimited, UnitDelimitedReader};
use crate::formats::{tmx::TmxReader, tmx::TmxWriter, Format, FormatError};
use std::io::Write;
use std::path::Path;

/// Units per write batch of an import.
pub const IMPORT_BATCH: usize = 10_000;
/// Row errors kept in an import report.
pub const MAX_REPORTED_ERRORS: usize = 1000;

type Drafts = Box<dyn Iterator<Item = std::result::Result<UnitDraft, FormatError>>>;

/// Decides the format of an import file (see
/// [`crate::formats::resolve_format`]).
fn resolve_file_format(path: &Path, declared: Option<Format>) -> Result<Format> {
    let head = crate::formats::decoded_head(std::fs::File::open(path)?).map_err(Error::Format)?;
    crate::formats::resolve_format(
        declared,
        &head,
        &[Format::Tmx, Format::Tsv, Format::Csv],
        "memory",
    )
    .map_err(Error::Format)
}

fn open_drafts(path: &Path, format: Format, src: &str, tgt: &str) -> Result<Drafts> {
    let f = std::fs::File::open(path)?;
    match format {
        Format::Tmx => Ok(Box::new(
            TmxReader::new(f, src, tgt).map_err(Error::Format)?,
        )),
        Format::Tsv | Format::Csv => {
            let delim = if format == Format::Tsv { b'\t' } else { b',' };
            Ok(Box::new(
                UnitDelimitedReader::new(f, delim, src, tgt).map_err(Error::Format)?,
            ))
        }
        Format::Tbx => Err(Error::invalid(
            "format",
            "tbx is a term-base format; use tmx, tsv or csv for memories",
        )),
    }
}

/// Whether a reader's row problem is a policy skip reported as a warning
/// rather than an error: a segment that is only whitespace holds no
/// translation (CAT tools write them for empty source strings).
fn is_warning(e: &FormatError) -> bool {
    e.code == "blank_segment"
}

fn note(report: &mut ImportReport, e: FormatError) {
    if is_warning(&e) {
        report.warnings_total += 1;
        report.units_skipped += 1;
        if report.warnings.len() < MAX_REPORTED_ERRORS {
            report.warnings.push(e);
        }
        return;
    }
    report.errors_total += 1;
    // A warning about the file (an unknown column) skips no unit.
    if e.code != "unknown_column" {
        report.units_skipped += 1;
    }
    if report.errors.len() < MAX_REPORTED_ERRORS {
        report.errors.push(e);
    }
}

/// Validated drafts of a file (`None` for a skipped row, which `note`d).
fn checked(
    meta: &super::model::MemoryMeta,
    item: std::result::Result<UnitDraft, FormatError>,
) -> std::result::Result<std::result::Result<UnitDraft, FormatError>, Error> {
    match item {
        Err(e) if e.fatal => Err(Error::Format(e)),
        Err(e) => Ok(Err(e)),
        Ok(d) => {
            let (position, tuid) = (d.position, d.tuid.clone());
            Ok(prepare_draft(meta, d).map_err(|e| {
                let id = tuid.map(|t| format!(" (tuid {t})")).unwrap_or_default();
                FormatError::row("invalid_unit", format!("{e}{id}"))
                    .at(position.map(|p| p.0), position.map(|p| p.1))
            }))
        }
    }
}

/// The stored unit with the content of `d` (dedup hash `h`), if any.
fn stored_same_content(m: &Memory, h: u64, d: &UnitDraft) -> Result<Option<TranslationUnit>> {
    let ids: Vec<u64> = {
        let idx = m.index.read().map_err(|_| poisoned())?;
        idx.with_hash(h)
            .into_iter()
            .filter_map(|ord| idx.units.get(ord as usize).map(|r| r.id))
            .collect()
    };
    for id in ids {
        if let Some(u) = m
            .tree
            .get_json::<TranslationUnit>(&crate::store::key_u64(b"u/", id))?
        {
            if super::same_content(&u, d) {
                return Ok(Some(u));
            }
        }
    }
    Ok(None)
}

/// The `<header>` of a TMX file (props, notes, `srclang`), read without
/// going further than the header.
pub fn tmx_header(path: &Path) -> Result<Option<crate::formats::tmx::TmxHeader>> {
    let f = std::fs::File::open(path)?;
    let reader = TmxReader::new(f, "", "").map_err(Error::Format)?;
    Ok(reader.header().cloned())
}

/// The language pair a TMX file is written in: its header's `srclang`
/// (unless `*all*`; else the first tuv's language) as the source, and as
/// the target the first other language of its first 1,000 units (one of
/// another base language preferred: `en` with `en-US` and `fr` gives
/// `en`→`fr`, `en-US` with only `en-GB` gives `en-US`→`en-GB`). `None` when
/// the file shows no second language.
pub fn tmx_pair(path: &Path) -> Result<Option<(String, String)>> {
    let f = std::fs::File::open(path)?;
    let reader = TmxReader::new(f, "", "").map_err(Error::Format)?;
    let srclang = reader
        .header()
        .and_then(|h| h.srclang.clone())
        .filter(|s| !s.is_empty() && s != "*all*");
    let langs: Vec<String> = reader
        .languages(1000)
        .into_iter()
        .filter(|l| l != "*all*")
        .collect();
    let Some(src) = srclang.or_else(|| langs.first().cloned()) else {
        return Ok(None);
    };
    let others = || langs.iter().filter(|l| !l.eq_ignore_ascii_case(&src));
    let tgt = others()
        .find(|l| super::lang_base(l) != super::lang_base(&src))
        .or_else(|| others().next());
    Ok(tgt.map(|t| (src.clone(), t.clone())))
}

/// Refuses a TMX whose header names a source language that is neither side
/// of the memory's pair (a file for another memory). A header `srclang`
/// equal to the memory's target is accepted: units are read by language,
/// so the sides are never swapped.
fn check_pair(meta: &super::model::MemoryMeta, h: &crate::formats::tmx::TmxHeader) -> Result<()> {
    let Some(src) = h
        .srclang
        .as_deref()
        .filter(|s| *s != "*all*" && !s.is_empty())
    else {
        return Ok(());
    };
    let b = super::lang_base(src);
    if b == super::lang_base(&meta.source_lang) || b == super::lang_base(&meta.target_lang) {
        return Ok(());
    }
    Err(Error::Format(FormatError::fatal(
        "language_mismatch",
        format!(
            "the TMX header's srclang is {src}, but memory '{}' holds {}→{}; import it into a memory of that pair",
            meta.name, meta.source_lang, meta.target_lang
        ),
    )))
}

/// Where an import is, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStep {
    /// Pass 1: units read and checked so far (the total is not known yet).
    Checked(u64),
    /// Pass 2: units written so far, of `total` valid ones.
    Written {
        /// Units written.
        done: u64,
        /// Units pass 1 found valid.
        total: u64,
    },
}

impl Memories {
    /// Imports a file: pass 1 validates everything (a fatal error stores
    /// nothing), pass 2 writes batches under the import journal. `format`
    /// `None` sniffs the content. `progress` receives the units written.
    pub fn import_file(
        &self,
        name: &str,
        path: &Path,
        format: Option<Format>,
        dry_run: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportReport> {
        self.import_file_with(name, path, format, dry_run, &mut |step| {
            if let ImportStep::Written { done, .. } = step {
                progress(done);
            }
        })
    }

    /// [`Memories::import_file`] reporting both passes (a progress bar
    /// with a total and an ETA for the write pass).
    pub fn import_file_with(
        &self,
        name: &str,
        path: &Path,
        format: Option<Format>,
        dry_run: bool,
        progress: &mut dyn FnMut(ImportStep),
    ) -> Result<ImportReport> {
        let m = self.memory(name)?;
        let format = resolve_file_format(path, format)?;
        let meta = m.meta.read().map_err(|_| poisoned())?.clone();
        let header = match format {
            Format::Tmx => tmx_header(path)?,
            _ => None,
        };
        if let Some(h) = &header {
            check_pair(&meta, h)?;
        }
        // Pass 1: validate, count.
        let mut report = ImportReport::default();
        let mut seen: std::collections::HashSet<u64> = Default::default();
        let (mut read, mut valid) = (0u64, 0u64);
        for item in open_drafts(path, format, &meta.source_lang, &meta.target_lang)? {
            if read % IMPORT_BATCH as u64 == 0 {
                if let Some(e) = self.cancelled(&m, name) {
                    return Err(e);
                }
            }
            read += 1;
            if read % 4096 == 0 {
                progress(ImportStep::Checked(read));
            }
            let item = checked(&meta, item)?;
            valid += u64::from(item.is_ok());
            match item {
                Err(e) => note(&mut report, e),
                Ok(d) if dry_run => {
                    let h = super::dedup_hash(&d.source, &d.target, d.context.as_deref());
                    match stored_same_content(&m, h, &d)? {
                        Some(mut u) => {
                            if u.absorb(d, chrono::Utc::now()) {
                                report.units_updated += 1;
                            } else {
                                report.units_unchanged += 1;
                            }
                        }
                        None if !seen.insert(h) => report.units_unchanged += 1,
                        None => report.units_added += 1,
                    }
                }
                Ok(_) => {}
            }
        }
        if dry_run {
            return Ok(report);
        }
        // Pass 2: write under the journal. The header's props and notes
        // become the memory's (merged), stored with the import's batches.
        let _w = m.writer.lock().map_err(|_| poisoned())?;
        m.tree.check_writable()?;
        if let Some(h) = header {
            let mut meta = m.meta.write().map_err(|_| poisoned())?;
            super::model::merge_props(&mut meta.header_props, h.props);
            super::model::merge_notes(&mut meta.header_notes, h.notes);
        }
        let first_id = m.meta.read().map_err(|_| poisoned())?.next_id;
        let first_dict = u32::try_from(m.index.read().map_err(|_| poisoned())?.dict.len()).ok();
        let jid = self.store().generate_id()?;
        let jkey = crate::store::key_u64(b"import/", jid);
        m.tree.insert_json(
            &jkey,
            &Journal {
                first_id,
                first_dict,
            },
        )?;
        let cancelled = || self.cancelled(&m, name);
        let mut written = |done| progress(ImportStep::Written { done, total: valid });
        let result = write_pass(&m, path, format, &meta, &jkey, &cancelled, &mut written);
        match result {
            Ok(r) => {
                report.units_added = r.added;
                report.units_updated = r.updated;
                report.units_unchanged = r.unchanged;
                Ok(report)
            }
            // The tree is about to be dropped: nothing to undo.
            Err(e @ Error::CollectionDeleted(_)) => Err(e),
            // The process is about to exit: answer now and leave the
            // journal to the roll-back at the next start.
            Err(e @ Error::ShuttingDown) => Err(e),
            Err(e) => {
                // Undone and reloaded without the index lock (searches go on
                // meanwhile); the swap takes it for a moment.
                let rolled_back = roll_back_journals(&m.tree);
                if let Err(re) = &rolled_back {
                    // The store cannot write (the usual cause of both
                    // failures): the journal stays for the next start;
                    // until then the import's units are hidden.
                    tracing::error!(error = %re, "rolling back a failed import failed");
                }
                let hide = |idx: &mut super::index::Index| {
                    if rolled_back.is_err() {
                        let ords: Vec<u32> = idx
                            .by_id
                            .iter()
                            .filter(|(id, _)| **id >= first_id)
                            .map(|(_, ord)| *ord)
                            .collect();
                        for ord in ords {
                            idx.kill(ord);
                        }
                    }
                };
                match super::load_index(&m.tree) {
                    Ok(mut fresh) => {
                        hide(&mut fresh);
                        *m.index.write().map_err(|_| poisoned())? = fresh;
                    }
                    Err(le) => {
                        tracing::error!(error = %le, "reloading the index after a failed import failed; keeping the one in memory");
                        let mut idx = m.index.write().map_err(|_| poisoned())?;
                        hide(&mut idx);
                    }
                }
                Err(e)
            }
        }
    }

    /// Why a running import of `m` must stop now, if it must.
    fn cancelled(&self, m: &Memory, name: &str) -> Option<Error> {
        if m.deleted.load(std::sync::atomic::Ordering::SeqCst) {
            Some(Error::CollectionDeleted(name.to_string()))
        } else if self.is_stopping() {
            Some(Error::ShuttingDown)
        } else {
            None
        }
    }

    /// Streams every unit of a memory as TMX 1.4b (or TSV) into `out`.
    pub fn export(&self, name: &str, format: Format, out: &mut dyn Write) -> Result<()> {
        self.export_source(name, &std::env::temp_dir())?
            .write(format, out)
    }

    /// The memory as it is now, for [`MemoryExport::write`]: a
    /// point-in-time snapshot while writes go on. Its stored units are
    /// copied, under the memory's writer lock, into an unnamed file in
    /// `scratch` (writers of this memory wait for that copy, a sequential
    /// scan; a running import is waited for, so an export never holds half
    /// of one). An HTTP export takes it before answering, so a missing
    /// memory is a clean 404 rather than an empty 200.
    pub fn export_source(&self, name: &str, scratch: &Path) -> Result<MemoryExport> {
        let memory = self.memory(name)?;
        let (units, count, meta) = {
            let _w = memory.lock_writer()?;
            let meta = memory.meta.read().map_err(|_| poisoned())?.clone();
            let count = memory.index.read().map_or(0, |idx| idx.alive);
            (copy_units(&memory.tree, scratch)?, count, meta)
        };
        Ok(MemoryExport { units, count, meta })
    }
}

/// Copies every `u/` pair of `tree` into a file in `dir` that is unlinked
/// at once (nothing is left behind, whatever happens to the process).
fn copy_units(tree: &Tree, dir: &Path) -> Result<std::fs::File> {
    let path = dir.join(format!(
        "export-{}-{}.part",
        std::process::id(),
        EXPORT_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    std::fs::remove_file(&path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    for r in tree.scan_prefix(b"u/") {
        let (k, v) = r?;
        for part in [&k, &v] {
            w.write_all(&(part.len() as u64).to_le_bytes())?;
            w.write_all(part)?;
        }
    }
    let mut file = w.into_inner().map_err(|e| Error::Io(e.into_error()))?;
    use std::io::Seek;
    file.seek(std::io::SeekFrom::Start(0))?;
    Ok(file)
}

static EXPORT_SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Reads back the pairs [`copy_units`] wrote.
struct CopiedUnits<R> {
    r: R,
}

impl<R: std::io::Read> CopiedUnits<R> {
    fn part(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut len = [0u8; 8];
        match self.r.read_exact(&mut len) {
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            other => other?,
        }
        let mut buf = vec![0u8; usize::try_from(u64::from_le_bytes(len)).unwrap_or(0)];
        self.r.read_exact(&mut buf)?;
        Ok(Some(buf))
    }
}

impl<R: std::io::Read> Iterator for CopiedUnits<R> {
    type Item = crate::store::Result<crate::store::Entry>;
    fn next(&mut self) -> Option<Self::Item> {
        let pair = (|| -> std::io::Result<Option<crate::store::Entry>> {
            let Some(k) = self.part()? else {
                return Ok(None);
            };
            let v = self.part()?.ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "export copy cut short")
            })?;
            Ok(Some((k, v)))
        })();
        match pair {
            Ok(p) => p.map(Ok),
            Err(e) => Some(Err(crate::store::Error::Engine(format!(
                "reading the export copy: {e}"
            )))),
        }
    }
}

/// A memory about to be exported (see [`Memories::export_source`]).
pub struct MemoryExport {
    /// The copy of its units (see [`copy_units`]).
    units: std::fs::File,
    /// How many units the copy holds.
    count: u64,
    meta: super::model::MemoryMeta,
}

impl MemoryExport {
    /// Number of units to be written.
    pub fn units(&self) -> u64 {
        self.count
    }

    /// Writes every unit as TMX 1.4b or TSV. A storage error part-way (the
    /// memory deleted meanwhile, a damaged value) is returned, never a
    /// silently shorter file.
    pub fn write(&self, format: Format, out: &mut dyn Write) -> Result<()> {
        self.write_with(format, out, &mut |_| {})
    }

    /// [`MemoryExport::write`] telling `progress` how many units are out.
    pub fn write_with(
        &self,
        format: Format,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(u64),
    ) -> Result<()> {
        let mut done = 0u64;
        let mut tick = |done: &mut u64| {
            *done += 1;
            if *done % 1024 == 0 {
                progress(*done);
            }
        };
        match format {
            Format::Tmx => {
                // Two passes over the copy, one after the other: clones of
                // the file share its read offset.
                let repeated = repeated_tuids(self.copied()?)?;
                let mut w = TmxWriter::with_header(
                    out,
                    &self.meta.source_lang,
                    env!("CARGO_PKG_VERSION"),
                    &self.meta.header_props,
                    &self.meta.header_notes,
                )?;
                for r in self.copied()? {
                    let (k, v) = r?;
                    let u: TranslationUnit = crate::store::decode_json(&k, &v)?;
                    let unique = u.tuid.as_ref().is_none_or(|t| !repeated.contains(t));
                    w.write_unit_with(&u, unique)?;
                    tick(&mut done);
                }
                w.finish()?;
                progress(done);
                Ok(())
            }
            Format::Tsv => {
                // The writer takes plain units: stop at the first storage
                // error and report it after the writer returns.
                let mut failure = None;
                let units = self.copied()?.map_while(|r| {
                    let decoded = r.and_then(|(k, v)| crate::store::decode_json(&k, &v));
                    match decoded {
                        Ok(u) => {
                            tick(&mut done);
                            Some(u)
                        }
                        Err(e) => {
                            failure = Some(e);
                            None
                        }
                    }
                });
                write_units_delimited(&mut *out, b'\t', units)?;
                progress(done);
                match failure {
                    Some(e) => Err(e.into()),
                    None => Ok(()),
                }
            }
            _ => Err(Error::invalid("format", "export supports tmx and tsv")),
        }
    }
}

/// The tuids an export cannot write as they are because more than one
/// unit would carry them: original tuids shared by several units or equal
/// to the id of a unit without one (which is exported as its tuid).
fn repeated_tuids(
    units: impl Iterator<Item = crate::store::Result<crate::store::Entry>>,
) -> Result<std::collections::HashSet<String>> {
    #[derive(Deserialize)]
    struct Ids {
        id: u64,
        #[serde(default)]
        tuid: Option<String>,
    }
    let mut seen: std::collections::HashMap<String, bool> = Default::default();
    for r in units {
        let (k, v) = r?;
        let u: Ids = crate::store::decode_json(&k, &v)?;
        let exported = u.tuid.unwrap_or_else(|| u.id.to_string());
        seen.entry(exported)
            .and_modify(|twice| *twice = true)
            .or_insert(false);
    }
    Ok(seen
        .into_iter()
        .filter_map(|(t, twice)| twice.then_some(t))
        .collect())
}

impl MemoryExport {
    /// The copied units, from the start.
    fn copied(&self) -> Result<CopiedUnits<std::io::BufReader<std::fs::File>>> {
        use std::io::Seek;
        let mut f = self.units.try_clone()?;
        f.seek(std::io::SeekFrom::Start(0))?;
        Ok(CopiedUnits {
            r: std::io::BufReader::with_capacity(1 << 20, f),
        })
    }
}

/// A batch from the reader thread: drafts, their tokens, whether last.
type Parsed = (Vec<UnitDraft>, Vec<super::Prepared>, bool);

fn write_pass(
    m: &Memory,
    path: &Path,
    format: Format,
    meta: &super::model::MemoryMeta,
    jkey: &[u8],
    cancelled: &dyn Fn() -> Option<Error>,
    progress: &mut dyn FnMut(u64),
) -> Result<super::model::AddReport> {
    // The file is parsed and tokenized on a thread of its own, a batch
    // ahead of the writes: the reader is sequential and was a sixth of a
    // large import, tokenizing another sixth.
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Parsed>>(1);
        scope.spawn(move || {
            let mut it = match open_drafts(path, format, &meta.source_lang, &meta.target_lang) {
                Ok(it) => it,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            loop {
                let mut chunk = Vec::with_capacity(IMPORT_BATCH);
                let mut ended = false;
                while chunk.len() < IMPORT_BATCH {
                    let Some(item) = it.next() else {
                        ended = true;
                        break;
                    };
                    match checked(meta, item) {
                        Ok(Ok(d)) => chunk.push(d),
                        Ok(Err(_)) => {}
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
                // A failed send means the writer stopped (its error is
                // reported there).
                let prepared = prepare(&chunk);
                if tx.send(Ok((chunk, prepared, ended))).is_err() || ended {
                    return;
                }
            }
        });
        let mut total = super::model::AddReport::default();
        let mut done = 0u64;
        let now = chrono::Utc::now();
        // Returning drops `rx`, which unblocks the reader before the scope
        // joins it.
        for msg in rx.iter() {
            let (chunk, prepared, ended) = msg?;
            if let Some(e) = cancelled() {
                return Err(e);
            }
            let n = chunk.len() as u64;
            let kind = if ended {
                BatchKind::ImportEnd(jkey)
            } else {
                BatchKind::ImportPart
            };
            let r = write_units(m, chunk, Some(prepared), now, kind)?;
            total.added += r.added;
            total.updated += r.updated;
            total.unchanged += r.unchanged;
            done += n;
            progress(done);
            if ended {
                return Ok(total);
            }
        }
        Err(Error::Format(FormatError::fatal(
            "read_failed",
            "the import file's reader stopped before the end",
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{draft, mems};
    use super::*;
    use crate::store::Store;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/memory")
            .join(name)
    }

    fn all_units(m: &Memories) -> Vec<(String, String)> {
        let tree = m.memory("tm").unwrap().tree.clone();
        let mut v: Vec<(String, String)> = tree
            .scan_prefix(b"u/")
            .map(|r| {
                let (k, val) = r.unwrap();
                let u: TranslationUnit = crate::store::decode_json(&k, &val).unwrap();
                (u.source, u.target)
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn imports_tmx_utf8_and_utf16_and_dry_run_stores_nothing() {
        let (_s, m) = mems();
        m.create("tm", "en", "ar", None).unwrap();
        let dry = m
            .import_file("tm", &fixture("small.tmx"), None, true, &mut |_| {})
            .unwrap();
        assert!(dry.units_added >= 2, "{dry:?}");
        assert_eq!(m.get_meta("tm").unwrap().units, 0);
        let r = m
            .import_file(
                "tm",
                &fixture("small.tmx"),
                Some(Format::Tmx),
                false,
                &mut |_| {},
            )
            .unwrap();
        assert_eq!(
            (r.units_added, r.units_updated),
            (dry.units_added, dry.units_updated)
        );
        let units = all_units(&m);
        assert!(
            units
                .iter()
                .any(|(s, t)| s == "Open the file" && t == "افتح الملف"),
            "{units:?}"
        );
        // The same content in UTF-16 only refreshes.
        let r16 = m
            .import_file(
                "tm",
                &fixture("small.utf16le.tmx"),
                None,
                false,
                &mut |_| {},
            )
            .unwrap();
        assert_eq!(r16.units_added, 0, "{r16:?}");
        assert_eq!(all_units(&m), units);
        let hits = m
            .search(
                "tm",
                &super::super::model::SearchQuery {
                    text: "افتح الملفات".into(),
                    source_lang: Some("ar".into()),
                    target_lang: Some("en".into()),
                    min_score: 50,
                    limit: 5,
                    context: None,
                },
            )
            .unwrap();
        assert!(hits.iter().any(|h| h.target == "Open the file"), "{hits:?}");
    }

    fn stored(m: &Memories) -> Vec<TranslationUnit> {
        let tree = m.memory("tm").unwrap().tree.clone();
        tree.scan_prefix(b"u/")
            .map(|r| {
                let (k, v) = r.unwrap();
                crate::store::decode_json(&k, &v).unwrap()
            })
            .collect()
    }

    #[test]
    fn reimport_is_a_noop_and_export_keeps_tuids_tuv_metadata_and_header() {
        let (_s, m) = mems();
        m.create("tm", "en", "ar", None).unwrap();
        let first = m
            .import_file("tm", &fixture("small.tmx"), None, false, &mut |_| {})
            .unwrap();
        assert_eq!(first.units_added, 5, "{first:?}");
        let before = (stored(&m), m.get_meta("tm").unwrap());
        assert_eq!(
            before.1.meta.header_props,
            [("x-project".into(), "Demo".into())]
        );
        let dry = m
            .import_file("tm", &fixture("small.tmx"), None, true, &mut |_| {})
            .unwrap();
        let again = m
            .import_file("tm", &fixture("small.tmx"), None, false, &mut |_| {})
            .unwrap();
        for r in [&dry, &again] {
            assert_eq!(
                (r.units_added, r.units_updated, r.units_unchanged),
                (0, 0, 5),
                "{r:?}"
            );
        }
        assert_eq!((stored(&m), m.get_meta("tm").unwrap()), before);

        let mut out = Vec::new();
        m.export("tm", Format::Tmx, &mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(
            text.contains("<prop type=\"x-project\">Demo</prop>"),
            "{text}"
        );
        assert!(
            text.contains("<tuv xml:lang=\"ar-SA\"><prop type=\"x-variant\">msa</prop><seg>"),
            "{text}"
        );
        assert!(text.contains("<tu tuid=\"6\""), "{text}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.tmx");
        std::fs::write(&p, &out).unwrap();
        let (_s2, m2) = mems();
        m2.create("tm", "en", "ar", None).unwrap();
        m2.import_file("tm", &p, None, false, &mut |_| {}).unwrap();
        // TMX dates hold whole seconds.
        let seconds = |t: chrono::DateTime<chrono::Utc>| {
            chrono::DateTime::from_timestamp(t.timestamp(), 0).unwrap_or_default()
        };
        let strip = |us: Vec<TranslationUnit>| -> Vec<TranslationUnit> {
            us.into_iter()
                .map(|u| TranslationUnit {
                    created: seconds(u.created),
                    modified: seconds(u.modified),
                    ..u
                })
                .collect()
        };
        let (a, b) = (strip(stored(&m)), strip(stored(&m2)));
        assert_eq!(a, b);
        assert_eq!(m2.get_meta("tm").unwrap().meta.header_notes.len(), 1);

        // The same content with a new note merges it: updated, not added.
        let merged = dir.path().join("merged.tmx");
        let with_note = std::fs::read_to_string(fixture("small.tmx"))
            .unwrap()
            .replace(
                "<note>Imperative form.</note>",
                "<note>Imperative form.</note><note>Checked.</note>",
            );
        std::fs::write(&merged, with_note).unwrap();
        let r = m
            .import_file("tm", &merged, None, false, &mut |_| {})
            .unwrap();
        assert_eq!(
            (r.units_added, r.units_updated, r.units_unchanged),
            (0, 1, 4)
        );
        let u1 = m.get_unit("tm", 1).unwrap();
        assert_eq!(u1.notes, ["Imperative form.", "Checked."]);
        assert_eq!(u1.tuid.as_deref(), Some("1"));
    }

    #[test]
    fn whitespace_only_segments_are_warnings_with_positions_and_tuids() {
        let (_s, m) = mems();
        m.create("tm", "en", "ar", None).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("blank.tmx");
        std::fs::write(
            &p,
            "<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n\
             <tu tuid=\"a\"><tuv xml:lang=\"en\"><seg>File</seg></tuv><tuv xml:lang=\"ar\"><seg>ملف</seg></tuv></tu>\n  \
             <tu tuid=\"b\"><tuv xml:lang=\"en\"><seg> </seg></tuv><tuv xml:lang=\"ar\"><seg>ملف</seg></tuv></tu>\n\
             </body></tmx>",
        )
        .unwrap();
        let r = m.import_file("tm", &p, None, false, &mut |_| {}).unwrap();
        assert_eq!(
            (r.units_added, r.units_skipped, r.errors_total),
            (1, 1, 0),
            "{r:?}"
        );
        assert_eq!(r.warnings_total, 1);
        let w = &r.warnings[0];
        assert_eq!(
            (w.code, w.line, w.column),
            ("blank_segment", Some(3), Some(3))
        );
        assert!(w.message.contains("tuid b"), "{w:?}");
    }

    #[test]
    fn fatal_import_stores_nothing() {
        let (_s, m) = mems();
        m.create("tm", "en", "ar", None).unwrap();
        for f in ["truncated.tmx", "billion-laughs.tmx", "external-entity.tmx"] {
            let e = m
                .import_file("tm", &fixture(f), Some(Format::Tmx), false, &mut |_| {})
                .unwrap_err();
            assert!(matches!(e, Error::Format(ref fe) if fe.fatal), "{f}: {e:?}");
        }
        assert_eq!(m.get_meta("tm").unwrap().units, 0);
        assert!(all_units(&m).is_empty());
    }

    #[test]
    fn export_reimports_to_the_same_units() {
        let (_s, m) = mems();
        m.create("tm", "en", "ar", None).unwrap();
        let mut d = draft("Click <b>%s</b> & save", "انقر <b>%s</b> واحفظ");
        d.context = Some("dlg".into());
        d.props = vec![("x-project".into(), "gedit".into())];
        m.add_units("tm", vec![d, draft("  Save as… ", " حفظ باسم…\r\nبالملف")])
            .unwrap();
        let mut out = Vec::new();
        m.export("tm", Format::Tmx, &mut out).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.tmx");
        std::fs::write(&p, &out).unwrap();
        let (_s2, m2) = mems();
        m2.create("tm", "en", "ar", None).unwrap();
        let r = m2.import_file("tm", &p, None, false, &mut |_| {}).unwrap();
        assert_eq!(r.units_added, 2, "{r:?}");
        assert_eq!(all_units(&m2), all_units(&m));
        let back = m2.get_unit("tm", 1).unwrap();
        let orig = m.get_unit("tm", 1).unwrap();
        assert_eq!(back.context, orig.context);
        assert!(back
            .props
            .contains(&("x-project".to_string(), "gedit".to_string())));
    }

    #[test]
    fn tsv_export_reimports_and_bad_rows_are_reported() {
        let (_s, m) = mems();
        m.create("tm", "en", "ar", None).unwrap();
        m.add_units(
            "tm",
            vec![
                draft("Open\tfile", "افتح\tالملف"),
                draft("Save as…\nnew", "احفظ باسم…\nجديد"),
            ],
        )
        .unwrap();
        let mut out = Vec::new();
        m.export("tm", Format::Tsv, &mut out).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.tsv");
        std::fs::write(&p, &out).unwrap();
        let (_s2, m2) = mems();
        m2.create("tm", "en", "ar", None).unwrap();
        let r = m2.import_file("tm", &p, None, false, &mut |_| {}).unwrap();
        assert_eq!(r.units_added, 2, "{r:?}");
        assert_eq!(all_units(&m2), all_units(&m));
        let csv = dir.path().join("x.csv");
        std::fs::write(&csv, "en,ar\nFile,ملف\n,فارغ\n\"Open, now\",افتح الآن\n").unwrap();
        let r = m2
            .import_file("tm", &csv, Some(Format::Csv), false, &mut |_| {})
            .unwrap();
        assert_eq!(
            (r.units_added, r.units_skipped, r.errors_total),
            (2, 1, 1),
            "{r:?}"
        );
        assert_eq!(r.errors.len(), 1);
    }

    #[test]
    fn unfinished_import_is_rolled_back_on_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let m = Memories::open(&store).unwrap();
            m.create("tm", "ar", "en", None).unwrap();
            m.add_units("tm", vec![draft("احفظ الملف", "Save the file")])
                .unwrap();
            // Simulate a crash in pass 2: journal written, one batch applied,
            // the final batch (which removes the journal) never ran.
            let mem = m.memory("tm").unwrap();
            let first_id = mem.meta.read().unwrap().next_id;
            mem.tree
                .insert_json(
                    &crate::store::key_u64(b"import/", 99),
                    &Journal {
                        first_id,
                        first_dict: None,
                    },
                )
                .unwrap();
            let _w = mem.writer.lock().unwrap();
            write_units(
                &mem,
                vec![
                    draft("افتح الملف", "Open the file"),
                    draft("والملف", "and the file"),
                ],
                None,
                chrono::Utc::now(),
                BatchKind::ImportPart,
            )
            .unwrap();
            assert_eq!(m.get_meta("tm").unwrap().units, 3);
            store.flush_blocking().unwrap();
        }
        let store = super::super::tests::reopen(dir.path());
        let m = Memories::open(&store).unwrap();
        assert_eq!(m.get_meta("tm").unwrap().units, 1);
        assert_eq!(
            all_units(&m),
            vec![("احفظ الملف".into(), "Save the file".into())]
        );
        let q = super::super::model::SearchQuery {
            text: "افتح الملف".into(),
            source_lang: None,
            target_lang: None,
            min_score: 90,
            limit: 5,
            context: None,
        };
        assert!(m.search("tm", &q).unwrap().is_empty());
    }
}
