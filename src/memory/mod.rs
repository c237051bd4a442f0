//! Translation memories: units, fuzzy search, concordance, import/export.
//!
//! Each memory lives in its own store tree `tm:<name>`:
//! * `meta` → [`model::MemoryMeta`] (JSON, includes the next unit id);
//! * `u/<id be>` → [`model::TranslationUnit`] (JSON);
//! * `t/<id be>`, `d/<u32 be>` → the search index (see [`index`]);
//! * `snap`, `s/<u32 be>`, `c/<id be>` → the index snapshot and its change
//!   log (see [`index`]);
//! * `import/<import id be>` → an import journal entry (see [`io`]).
//!
//! Every change to a unit and its index entries is one atomic batch. The
//! in-memory index is loaded at open from the snapshot plus the `t/` and
//! `d/` keys written since (no re-tokenizing), unless the tree's
//! `analysis` key says the index was built by another tokenizing: then it
//! is rebuilt from the `u/` units first (see [`reindex`]).
//!
//! Dedup: adding a unit whose source, target (Unicode NFC) and context equal
//! an existing unit's stores no copy: the props, notes and tuv metadata it
//! brings are merged into the existing unit, whose `modified` then moves
//! (reported as `updated`); when it brings nothing new the unit is left
//! untouched (`unchanged`), so re-importing a file is a no-op. Case,
//! diacritic or whitespace variants are distinct translations and are kept
//! as separate units.

pub mod aligned;
pub mod error;
pub mod index;
pub mod io;
pub mod model;
pub mod pair;
pub mod reindex;
pub mod score;
pub mod search;

pub use error::{Error, Result};

use crate::store::{key_u64, Batch, Store, Tree};
use chrono::{DateTime, Utc};
use index::{encode_blob, Index};
use model::{AddReport, MemoryInfo, MemoryMeta, TranslationUnit, UnitDraft};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use unicode_normalization::UnicodeNormalization;

/// Most units accepted by one [`Memories::add_units`] call over HTTP.
pub const MAX_UNITS_PER_REQUEST: usize = 10_000;

/// One opened memory.
pub(crate) struct Memory {
    pub(crate) tree: Tree,
    pub(crate) meta: RwLock<MemoryMeta>,
    pub(crate) index: RwLock<Index>,
    /// Serializes writers (an import holds it for its whole write pass, so
    /// the ids it allocates form one contiguous range; see [`io`]).
    pub(crate) writer: Mutex<()>,
    /// Set by [`Memories::delete`] before it waits for the writer: a
    /// running import stops at its next batch, queued writers give up.
    pub(crate) deleted: AtomicBool,
}

impl Memory {
    fn new(tree: Tree, meta: MemoryMeta, index: Index) -> Memory {
        Memory {
            tree,
            meta: RwLock::new(meta),
            index: RwLock::new(index),
            writer: Mutex::new(()),
            deleted: AtomicBool::new(false),
        }
    }

    /// Takes the writer lock of a memory that still exists.
    pub(crate) fn lock_writer(&self) -> Result<std::sync::MutexGuard<'_, ()>> {
        let w = self.writer.lock().map_err(|_| poisoned())?;
        if self.deleted.load(Ordering::SeqCst) {
            return Err(Error::MemoryNotFound(self.meta_name()));
        }
        Ok(w)
    }

    fn meta_name(&self) -> String {
        self.meta.read().map(|m| m.name.clone()).unwrap_or_default()
    }

    /// Puts the in-memory index back to what the tree holds after a write
    /// failed part-way. Should the tree be unreadable too, the current index
    /// is kept (never replaced by an empty one): searches keep answering.
    fn reload_index(&self, idx: &mut Index) {
        match load_index(&self.tree) {
            Ok(fresh) => *idx = fresh,
            Err(e) => tracing::error!(
                error = %e,
                memory = %self.meta_name(),
                "reloading the index after a failed write failed; keeping the one in memory"
            ),
        }
    }
}

/// All translation memories of the store.
pub struct Memories {
    store: Store,
    mems: RwLock<HashMap<String, Arc<Memory>>>,
    /// Set when the server shuts down: running imports stop and roll back.
    stopping: AtomicBool,
    /// Names whose DELETE is waiting for a writer: their tree still exists
    /// until it is dropped, so the name cannot be created meanwhile.
    deleting: Mutex<std::collections::HashSet<String>>,
}

impl std::fmt::Debug for Memories {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memories").finish_non_exhaustive()
    }
}

fn tree_name(name: &str) -> String {
    format!("tm:{name}")
}

fn poisoned() -> Error {
    Error::Store(crate::store::Error::Engine("lock poisoned".into()))
}

/// Primary language subtag, lower-case (`en-US` → `en`).
pub fn lang_base(tag: &str) -> String {
    crate::text::lang::primary_subtag(tag)
}

fn valid_lang(field: &'static str, tag: &str) -> Result<()> {
    let ok = !tag.is_empty()
        && tag.len() <= 35
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && tag.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("{tag:?} is not a language tag like 'ar' or 'en-US'"),
        ))
    }
}

/// Dedup hash (FNV-1a 64) of NFC source, NFC target and context.
pub fn dedup_hash(source: &str, target: &str, context: Option<&str>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    let mut buf = [0u8; 4];
    for c in source.nfc() {
        c.encode_utf8(&mut buf).bytes().for_each(&mut eat);
    }
    eat(0xff);
    for c in target.nfc() {
        c.encode_utf8(&mut buf).bytes().for_each(&mut eat);
    }
    eat(0xff);
    if let Some(c) = context {
        eat(1);
        c.bytes().for_each(&mut eat);
    }
    h
}

fn same_content(u: &TranslationUnit, d: &UnitDraft) -> bool {
    u.context == d.context && u.source.nfc().eq(d.source.nfc()) && u.target.nfc().eq(d.target.nfc())
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

impl Memories {
    /// Opens the memories kept in `store`: rolls back unfinished imports and
    /// loads every index.
    pub fn open(store: &Store) -> crate::store::Result<Memories> {
        let mut mems = HashMap::new();
        for t in store.tree_names() {
            let Some(name) = t.strip_prefix("tm:") else {
                continue;
            };
            let tree = store.tree(&t)?;
            let Some(meta) = tree.get_json::<MemoryMeta>(b"meta")? else {
                continue;
            };
            io::roll_back_journals(&tree)?;
            let index = match reindex::rebuild_if_stale(store, &tree, name, meta.next_id)? {
                Some((index, _)) => index,
                None => load_index(&tree)?,
            };
            mems.insert(name.to_string(), Arc::new(Memory::new(tree, meta, index)));
        }
        store.flush_blocking()?;
        Ok(Memories {
            store: store.clone(),
            mems: RwLock::new(mems),
            stopping: AtomicBool::new(false),
            deleting: Mutex::default(),
        })
    }

    /// Stops running imports at their next batch (they answer
    /// [`Error::ShuttingDown`] and roll back); called on SIGTERM.
    pub fn begin_shutdown(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// Whether [`Memories::begin_shutdown`] was called.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    pub(crate) fn memory(&self, name: &str) -> Result<Arc<Memory>> {
        self.mems
            .read()
            .map_err(|_| poisoned())?
            .get(name)
            .cloned()
            .ok_or_else(|| Error::MemoryNotFound(name.to_string()))
    }

    /// Creates a memory; `Ok(false)` when it already existed with the same
    /// language pair (its description is then updated when given).
    pub fn create(
        &self,
        name: &str,
        source_lang: &str,
        target_lang: &str,
        description: Option<String>,
    ) -> Result<(MemoryInfo, bool)> {
        valid_lang("source_lang", source_lang)?;
        valid_lang("target_lang", target_lang)?;
        let mut mems = self.mems.write().map_err(|_| poisoned())?;
        if self.deleting.lock().map_err(|_| poisoned())?.contains(name) {
            return Err(Error::BeingDeleted(name.to_string()));
        }
        if let Some(m) = mems.get(name) {
            let mut meta = m.meta.write().map_err(|_| poisoned())?;
            if !meta.source_lang.eq_ignore_ascii_case(source_lang)
                || !meta.target_lang.eq_ignore_ascii_case(target_lang)
            {
                return Err(Error::LanguagePairConflict {
                    name: name.to_string(),
                    existing: format!("{}→{}", meta.source_lang, meta.target_lang),
                    requested: format!("{source_lang}→{target_lang}"),
                });
            }
            if description.is_some() && description != meta.description {
                let mut updated = meta.clone();
                updated.description = description;
                updated.modified = Utc::now();
                m.tree.insert_json(b"meta", &updated)?;
                *meta = updated;
            }
            let units = m.index.read().map_err(|_| poisoned())?.alive;
            return Ok((
                MemoryInfo {
                    meta: meta.clone(),
                    units,
                },
                false,
            ));
        }
        let now = Utc::now();
        let meta = MemoryMeta {
            name: name.to_string(),
            source_lang: source_lang.to_string(),
            target_lang: target_lang.to_string(),
            description,
            created: now,
            modified: now,
            next_id: 1,
            header_props: Vec::new(),
            header_notes: Vec::new(),
        };
        let tree = self.store.tree(&tree_name(name))?;
        reindex::stamp(&tree)?;
        tree.insert_json(b"meta", &meta)?;
        mems.insert(
            name.to_string(),
            Arc::new(Memory::new(tree, meta.clone(), Index::default())),
        );
        Ok((MemoryInfo { meta, units: 0 }, true))
    }

    /// Description and unit count of one memory.
    pub fn get_meta(&self, name: &str) -> Result<MemoryInfo> {
        let m = self.memory(name)?;
        let meta = m.meta.read().map_err(|_| poisoned())?.clone();
        let units = m.index.read().map_err(|_| poisoned())?.alive;
        Ok(MemoryInfo { meta, units })
    }

    /// All memories, by name.
    pub fn list(&self) -> Result<Vec<MemoryInfo>> {
        let mut names: Vec<String> = self
            .mems
            .read()
            .map_err(|_| poisoned())?
            .keys()
            .cloned()
            .collect();
        names.sort();
        names.iter().map(|n| self.get_meta(n)).collect()
    }

    /// Deletes a memory and all its units. A running import is cancelled
    /// (it answers [`Error::CollectionDeleted`]); only this call waits for
    /// it to stop, with no other lock held, so other requests go on.
    pub fn delete(&self, name: &str) -> Result<()> {
        let m = {
            let mut mems = self.mems.write().map_err(|_| poisoned())?;
            let m = mems
                .remove(name)
                .ok_or_else(|| Error::MemoryNotFound(name.to_string()))?;
            let mut deleting = self.deleting.lock().map_err(|_| poisoned())?;
            deleting.insert(name.to_string());
            m
        };
        m.deleted.store(true, Ordering::SeqCst);
        let dropped = (|| -> Result<()> {
            let _w = m.writer.lock().map_err(|_| poisoned())?;
            self.store.drop_tree(&tree_name(name))?;
            Ok(())
        })();
        if let Ok(mut deleting) = self.deleting.lock() {
            deleting.remove(name);
        }
        dropped
    }

    /// Adds units in one atomic batch (identical ones refresh `modified`).
    pub fn add_units(&self, name: &str, drafts: Vec<UnitDraft>) -> Result<AddReport> {
        let m = self.memory(name)?;
        let _w = m.lock_writer()?;
        let meta = m.meta.read().map_err(|_| poisoned())?.clone();
        let drafts = drafts
            .into_iter()
            .map(|d| prepare_draft(&meta, d))
            .collect::<Result<Vec<_>>>()?;
        write_units(&m, drafts, None, Utc::now(), BatchKind::Request)
    }

    /// One unit.
    pub fn get_unit(&self, name: &str, id: u64) -> Result<TranslationUnit> {
        let m = self.memory(name)?;
        m.tree
            .get_json(&key_u64(b"u/", id))?
            .ok_or_else(|| Error::UnitNotFound {
                memory: name.to_string(),
                id,
            })
    }

    /// Replaces a unit's content (keeps its id and `created`).
    pub fn put_unit(&self, name: &str, id: u64, draft: UnitDraft) -> Result<TranslationUnit> {
        let m = self.memory(name)?;
        let _w = m.lock_writer()?;
        m.tree.check_writable()?;
        let meta = m.meta.read().map_err(|_| poisoned())?.clone();
        let mut draft = prepare_draft(&meta, draft)?;
        let old: TranslationUnit =
            m.tree
                .get_json(&key_u64(b"u/", id))?
                .ok_or_else(|| Error::UnitNotFound {
                    memory: name.to_string(),
                    id,
                })?;
        aligned::carry_over(&old, &mut draft);
        let now = Utc::now();
        let unit = unit_from_draft(id, draft, Some(old.created), now);
        let mut idx = m.index.write().map_err(|_| poisoned())?;
        let mut batch = Batch::new();
        stage_new_unit(&mut idx, &mut batch, &unit)?;
        let mut meta = meta;
        meta.modified = now;
        batch.insert_json(b"meta", &meta)?;
        commit(&m, &mut idx, batch, meta, Snapshot::IfDue)?;
        Ok(unit)
    }

    /// Deletes a unit.
    pub fn delete_unit(&self, name: &str, id: u64) -> Result<()> {
        let m = self.memory(name)?;
        let _w = m.lock_writer()?;
        m.tree.check_writable()?;
        let mut idx = m.index.write().map_err(|_| poisoned())?;
        let Some(ord) = idx.by_id.get(&id).copied() else {
            return Err(Error::UnitNotFound {
                memory: name.to_string(),
                id,
            });
        };
        let mut meta = m.meta.read().map_err(|_| poisoned())?.clone();
        meta.modified = Utc::now();
        let mut batch = Batch::new();
        batch.remove(&key_u64(b"u/", id));
        batch.remove(&key_u64(b"t/", id));
        batch.insert_json(b"meta", &meta)?;
        idx.kill(ord);
        idx.log_change(id, &mut batch);
        commit(&m, &mut idx, batch, meta, Snapshot::IfDue)
    }

    /// Sets a memory's creation and last-change times (a restore puts
    /// back those of the backup).
    pub fn restore_times(
        &self,
        name: &str,
        created: DateTime<Utc>,
        modified: DateTime<Utc>,
    ) -> Result<()> {
        let m = self.memory(name)?;
        let _w = m.lock_writer()?;
        let mut meta = m.meta.read().map_err(|_| poisoned())?.clone();
        meta.created = created;
        meta.modified = modified;
        m.tree.insert_json(b"meta", &meta)?;
        *m.meta.write().map_err(|_| poisoned())? = meta;
        Ok(())
    }

    /// The store (flushing).
    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// Longest source or target a unit may hold (64 KiB, about 32,000 Arabic or
/// 64,000 Latin characters). Segments are sentences or paragraphs; a longer
/// text is a document, not a unit, and would only be matched on its first
/// [`score::MAX_TOKENS`] tokens anyway. CAT tools cap far lower (2,000
/// characters is common).
pub const MAX_SEGMENT_BYTES: usize = 64 * 1024;

/// Longest `context`, `origin`, `created_by` or prop type (4 KiB): keys and
/// labels, returned with every search match.
pub const MAX_LABEL_BYTES: usize = 4 * 1024;

/// Most props, and most notes, on one unit.
pub const MAX_PROPS: usize = 64;

/// Longest single note or prop value (16 KiB).
pub const MAX_NOTE_BYTES: usize = 16 * 1024;

/// Most bytes of all notes and props of a unit together (64 KiB, as a
/// segment).
pub const MAX_METADATA_BYTES: usize = 64 * 1024;

/// Checks the metadata of a draft against the caps above; the error names
/// the field (`context`, `origin`, `created_by`, `props`, `notes`).
fn check_metadata(d: &UnitDraft) -> Result<()> {
    let too_long = |field: &'static str, what: String, len: usize, max: usize| {
        Err(Error::invalid(
            field,
            format!("{what} is {len} bytes; at most {max} bytes"),
        ))
    };
    for (field, v) in [
        ("context", &d.context),
        ("origin", &d.origin),
        ("created_by", &d.created_by),
    ] {
        if let Some(v) = v.as_deref().filter(|v| v.len() > MAX_LABEL_BYTES) {
            return too_long(field, field.to_string(), v.len(), MAX_LABEL_BYTES);
        }
    }
    for (field, n) in [("props", d.props.len()), ("notes", d.notes.len())] {
        if n > MAX_PROPS {
            return Err(Error::invalid(
                field,
                format!("has {n} items; at most {MAX_PROPS}"),
            ));
        }
    }
    for (i, (kind, value)) in d.props.iter().enumerate() {
        if kind.len() > MAX_LABEL_BYTES {
            let what = format!("props[{i}].type");
            return too_long("props", what, kind.len(), MAX_LABEL_BYTES);
        }
        if value.len() > MAX_NOTE_BYTES {
            let what = format!("props[{i}].value");
            return too_long("props", what, value.len(), MAX_NOTE_BYTES);
        }
    }
    for (i, note) in d.notes.iter().enumerate() {
        if note.len() > MAX_NOTE_BYTES {
            let what = format!("notes[{i}]");
            return too_long("notes", what, note.len(), MAX_NOTE_BYTES);
        }
    }
    let props: usize = d.props.iter().map(|(k, v)| k.len() + v.len()).sum();
    let notes: usize = d.notes.iter().map(String::len).sum();
    if props + notes > MAX_METADATA_BYTES {
        let field = if props >= notes { "props" } else { "notes" };
        return Err(Error::invalid(
            field,
            format!(
                "props and notes hold {} bytes together; at most {MAX_METADATA_BYTES}",
                props + notes
            ),
        ));
    }
    Ok(())
}

/// Fills the memory's languages into a draft and checks it.
pub(crate) fn prepare_draft(meta: &MemoryMeta, mut d: UnitDraft) -> Result<UnitDraft> {
    for (field, text) in [("source", &d.source), ("target", &d.target)] {
        if text.trim().is_empty() {
            return Err(Error::invalid(field, "must not be empty"));
        }
        if text.len() > MAX_SEGMENT_BYTES {
            return Err(Error::invalid(
                field,
                format!(
                    "is {} bytes; a segment holds at most {MAX_SEGMENT_BYTES} bytes",
                    text.len()
                ),
            ));
        }
    }
    check_metadata(&d)?;
    if d.source_lang.is_empty() {
        d.source_lang = meta.source_lang.clone();
    } else if lang_base(&d.source_lang) != lang_base(&meta.source_lang) {
        return Err(Error::LanguageMismatch {
            field: "source_lang",
            message: format!(
                "{} does not match the memory's source language {}",
                d.source_lang, meta.source_lang
            ),
        });
    }
    if d.target_lang.is_empty() {
        d.target_lang = meta.target_lang.clone();
    } else if lang_base(&d.target_lang) != lang_base(&meta.target_lang) {
        return Err(Error::LanguageMismatch {
            field: "target_lang",
            message: format!(
                "{} does not match the memory's target language {}",
                d.target_lang, meta.target_lang
            ),
        });
    }
    Ok(d)
}

fn unit_from_draft(
    id: u64,
    d: UnitDraft,
    created: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> TranslationUnit {
    TranslationUnit {
        id,
        source: d.source,
        target: d.target,
        source_lang: d.source_lang,
        target_lang: d.target_lang,
        context: d.context,
        origin: d.origin,
        created: created.or(d.created).unwrap_or(now),
        modified: d.modified.unwrap_or(now),
        created_by: d.created_by,
        props: d.props,
        notes: d.notes,
        source_markup: d.source_markup,
        target_markup: d.target_markup,
        tuid: d.tuid,
        source_meta: d.source_meta,
        target_meta: d.target_meta,
    }
}

/// Tokenizes and indexes `unit` in memory and queues its keys in `batch`.
fn stage_new_unit(idx: &mut Index, batch: &mut Batch, unit: &TranslationUnit) -> Result<()> {
    let toks = (score::tokens(&unit.source), score::tokens(&unit.target));
    let hash = dedup_hash(&unit.source, &unit.target, unit.context.as_deref());
    batch.insert_json(&key_u64(b"u/", unit.id), unit)?;
    stage_index(idx, batch, unit, hash, toks);
    Ok(())
}

/// Indexes `unit` (tokens and dedup hash already computed: imports do that
/// in parallel before taking the index lock) and queues its `t/` blob; the
/// caller queues the unit itself.
fn stage_index(
    idx: &mut Index,
    batch: &mut Batch,
    unit: &TranslationUnit,
    hash: u64,
    toks: (Vec<crate::text::Token>, Vec<crate::text::Token>),
) {
    let src: Vec<u32> = toks.0.iter().map(|t| idx.dict.intern(t).id).collect();
    let tgt: Vec<u32> = toks.1.iter().map(|t| idx.dict.intern(t).id).collect();
    let modified = micros(unit.modified);
    batch.insert(
        &key_u64(b"t/", unit.id),
        &encode_blob(hash, modified, &src, &tgt),
    );
    idx.push(unit.id, hash, modified, &src, &tgt);
    idx.log_change(unit.id, batch);
}

/// Whether a commit writes a fresh index snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Snapshot {
    /// Never (a batch inside an import: its journal is still open).
    Never,
    /// When enough changed since the last one (a large import's last batch
    /// always qualifies; a small one adds a few keys to read at restart
    /// rather than rewriting the whole snapshot).
    IfDue,
}

/// Adds the new dictionary entries (and a snapshot when asked), applies the
/// batch and publishes the new meta; on a storage error the in-memory index
/// is reloaded from the tree.
fn commit(
    m: &Memory,
    idx: &mut Index,
    mut batch: Batch,
    meta: MemoryMeta,
    snapshot: Snapshot,
) -> Result<()> {
    for (k, v) in idx.dict.take_new() {
        batch.insert(&k, &v);
    }
    if snapshot == Snapshot::IfDue && idx.snapshot_due() {
        // Every id below next_id is in the index at this point.
        idx.stage_snapshot(meta.next_id, &mut batch);
    }
    match m.tree.apply(batch) {
        Ok(()) => {
            *m.meta.write().map_err(|_| poisoned())? = meta;
            Ok(())
        }
        Err(e) => {
            m.reload_index(idx);
            Err(e.into())
        }
    }
}

/// What a [`write_units`] batch is part of.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BatchKind<'a> {
    /// A request of its own.
    Request,
    /// A batch of an import that continues.
    ImportPart,
    /// An import's last batch, which removes this journal key.
    ImportEnd(&'a [u8]),
}

/// A draft's dedup hash and tokens (source, target).
pub(crate) type Prepared = (u64, (Vec<crate::text::Token>, Vec<crate::text::Token>));

/// Tokenizing and the dedup hash (Unicode NFC) are the costly part of a
/// write and need no lock: done on all cores, before [`write_units`] (an
/// import does it on its reader thread, overlapping the previous batch's
/// write).
pub(crate) fn prepare(drafts: &[UnitDraft]) -> Vec<Prepared> {
    use rayon::prelude::*;
    drafts
        .par_iter()
        .map(|d| {
            let toks = (score::tokens(&d.source), score::tokens(&d.target));
            (dedup_hash(&d.source, &d.target, d.context.as_deref()), toks)
        })
        .collect()
}

/// Writes checked drafts as one batch. The caller holds `m.writer`.
/// `prepared`: [`prepare`] of `drafts` when already done.
pub(crate) fn write_units(
    m: &Memory,
    drafts: Vec<UnitDraft>,
    prepared: Option<Vec<Prepared>>,
    now: DateTime<Utc>,
    kind: BatchKind<'_>,
) -> Result<AddReport> {
    write_units_replacing(m, drafts, prepared, now, kind, &[])
}

/// [`write_units`], deleting the units `remove` in the same batch (a
/// re-alignment replaces a document pair's earlier links atomically).
pub(crate) fn write_units_replacing(
    m: &Memory,
    drafts: Vec<UnitDraft>,
    prepared: Option<Vec<Prepared>>,
    now: DateTime<Utc>,
    kind: BatchKind<'_>,
    remove: &[u64],
) -> Result<AddReport> {
    use rayon::prelude::*;
    m.tree.check_writable()?;
    let mut prepared: Vec<Option<Prepared>> = match prepared {
        Some(p) if p.len() == drafts.len() => p.into_iter().map(Some).collect(),
        _ => prepare(&drafts).into_iter().map(Some).collect(),
    };
    let mut idx = m.index.write().map_err(|_| poisoned())?;
    let mut meta = m.meta.read().map_err(|_| poisoned())?.clone();
    let mut batch = Batch::new();
    // Units to store, by id (JSON-encoded in parallel at the end).
    let mut pending: HashMap<u64, TranslationUnit> = HashMap::new();
    // An error part-way leaves the in-memory index ahead of the store:
    // it is then reloaded, like after a failed commit.
    let staged = (|| -> Result<AddReport> {
        let mut report = AddReport::default();
        for &id in remove {
            if let Some(ord) = idx.by_id.get(&id).copied() {
                batch.remove(&key_u64(b"u/", id));
                batch.remove(&key_u64(b"t/", id));
                idx.kill(ord);
                idx.log_change(id, &mut batch);
            }
        }
        for (i, d) in drafts.into_iter().enumerate() {
            let Some((hash, toks)) = prepared.get_mut(i).and_then(Option::take) else {
                continue;
            };
            let mut existing = None;
            for ord in idx.with_hash(hash) {
                let Some(rec) = idx.units.get(ord as usize) else {
                    continue;
                };
                let id = rec.id;
                let unit = match pending.get(&id) {
                    Some(u) => Some(u.clone()),
                    None => m.tree.get_json::<TranslationUnit>(&key_u64(b"u/", id))?,
                };
                if let Some(u) = unit.filter(|u| same_content(u, &d)) {
                    existing = Some((ord, u));
                    break;
                }
            }
            if let Some((ord, mut u)) = existing {
                // Same content: fold in what the draft adds (and, for an
                // unconfirmed aligned unit, the new link's quality); nothing
                // new leaves the unit (and its `modified`) as it was.
                let before = u.props.clone();
                aligned::refresh(&mut u, &d);
                let refreshed = u.props != before;
                if !u.absorb(d, now) {
                    if !refreshed {
                        report.ids.push(u.id);
                        report.unchanged += 1;
                        continue;
                    }
                    u.modified = now.max(u.modified);
                }
                let ms = micros(u.modified);
                let blob = encode_blob(hash, ms, idx.side_ids(ord, 0), idx.side_ids(ord, 1));
                batch.insert(&key_u64(b"t/", u.id), &blob);
                if let Some(rec) = idx.units.get_mut(ord as usize) {
                    rec.modified = ms;
                }
                idx.log_change(u.id, &mut batch);
                report.ids.push(u.id);
                report.updated += 1;
                pending.insert(u.id, u);
            } else {
                let id = meta.next_id;
                meta.next_id += 1;
                let unit = unit_from_draft(id, d, None, now);
                stage_index(&mut idx, &mut batch, &unit, hash, toks);
                report.ids.push(id);
                report.added += 1;
                pending.insert(id, unit);
            }
        }
        let encoded: Vec<crate::store::Result<(u64, Vec<u8>)>> = pending
            .par_iter()
            .map(|(id, u)| crate::store::encode_json(u).map(|v| (*id, v)))
            .collect();
        for r in encoded {
            let (id, v) = r?;
            batch.insert(&key_u64(b"u/", id), &v);
        }
        Ok(report)
    })();
    let report = match staged {
        Ok(r) => r,
        Err(e) => {
            m.reload_index(&mut idx);
            return Err(e);
        }
    };
    if report.added + report.updated > 0 {
        meta.modified = now;
    }
    batch.insert_json(b"meta", &meta)?;
    let snapshot = match kind {
        BatchKind::Request => Snapshot::IfDue,
        BatchKind::ImportPart => Snapshot::Never,
        BatchKind::ImportEnd(k) => {
            batch.remove(k);
            Snapshot::IfDue
        }
    };
    commit(m, &mut idx, batch, meta, snapshot)?;
    Ok(report)
}

/// Reads the stored snapshot into `idx` and returns the ids changed since;
/// `Ok(None)` when there is none or it does not decode (`idx` is then left
/// empty).
fn load_snapshot(tree: &Tree, idx: &mut Index) -> crate::store::Result<Option<Vec<u64>>> {
    let Some(h) = tree.get(index::SNAP_KEY)? else {
        return Ok(None);
    };
    let Some((bound, chunks, len)) = index::decode_snap_header(&h) else {
        tracing::warn!("index snapshot header unreadable; reading every unit");
        return Ok(None);
    };
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).min(1 << 32));
    for i in 0..chunks {
        match tree.get(&index::snap_chunk_key(i))? {
            Some(c) => bytes.extend_from_slice(&c),
            None => break,
        }
    }
    if bytes.len() as u64 != len || idx.load_snapshot(&bytes, bound).is_none() {
        tracing::warn!("index snapshot incomplete; reading every unit");
        *idx = Index::default();
        // Stale chunks are then overwritten or removed by the next snapshot.
        idx.set_snapshot_state(chunks, []);
        return Ok(None);
    }
    let mut log = Vec::new();
    for r in tree.scan_prefix(index::SNAP_LOG_PREFIX) {
        if let Some(id) = crate::store::u64_suffix(&r?.0) {
            log.push(id);
        }
    }
    idx.set_snapshot_state(chunks, log.iter().copied());
    Ok(Some(log))
}

/// Reads the persistent index of a memory into memory: the snapshot, then
/// the dictionary entries and unit blobs written since (see [`index`]).
pub(crate) fn load_index(tree: &Tree) -> crate::store::Result<Index> {
    load_index_from(tree, true)
}

fn load_index_from(tree: &Tree, use_snapshot: bool) -> crate::store::Result<Index> {
    let mut idx = Index::default();
    let changed = if use_snapshot {
        load_snapshot(tree, &mut idx)?
    } else {
        None
    };
    let dict_from = u32::try_from(idx.dict.len()).unwrap_or(u32::MAX);
    for r in tree.scan_prefix_from(
        b"d/",
        &[b"d/".as_slice(), &dict_from.to_be_bytes()].concat(),
    ) {
        let (k, v) = r?;
        idx.dict.load_entry(&k, &v);
    }
    idx.dict.finish_loading();
    let (mut src, mut tgt) = (Vec::new(), Vec::new());
    let mut push = |idx: &mut Index, id: u64, v: &[u8]| {
        if let Some((hash, modified)) = index::decode_blob_into(v, &mut src, &mut tgt) {
            idx.push(id, hash, modified, &src, &tgt);
        }
    };
    if let Some(changed) = changed {
        // Units the snapshot holds that changed since: drop the snapshot's
        // copy, read the current blob if the unit still exists.
        for id in changed {
            if let Some(ord) = idx.by_id.get(&id).copied() {
                idx.kill(ord);
            }
            if let Some(v) = tree.get(&key_u64(b"t/", id))? {
                push(&mut idx, id, &v);
            }
        }
    }
    for r in tree.scan_prefix_from(b"t/", &key_u64(b"t/", idx.snap_bound)) {
        let (k, v) = r?;
        if let Some(id) = crate::store::u64_suffix(&k) {
            push(&mut idx, id, &v);
        }
    }
    Ok(idx)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn draft(source: &str, target: &str) -> UnitDraft {
        UnitDraft {
            source: source.into(),
            target: target.into(),
            ..Default::default()
        }
    }

    /// Reopens a store just dropped. sled's background flusher may still
    /// hold the directory lock for a moment after the last handle is gone
    /// (seen under parallel test load), so `Locked` is retried briefly.
    pub(crate) fn reopen(dir: &std::path::Path) -> Store {
        for _ in 0..100 {
            match Store::open(dir) {
                Err(crate::store::Error::Locked(_)) => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                other => return other.unwrap(),
            }
        }
        Store::open(dir).unwrap()
    }

    pub(crate) fn mems() -> (Store, Memories) {
        let store = Store::temporary().unwrap();
        let m = Memories::open(&store).unwrap();
        (store, m)
    }

    #[test]
    fn create_list_conflict_delete() {
        let (_s, m) = mems();
        assert!(m.create("tech", "ar", "en", None).unwrap().1);
        let (info, created) = m.create("tech", "ar", "en", Some("تقنية".into())).unwrap();
        assert!(!created);
        assert_eq!(info.meta.description.as_deref(), Some("تقنية"));
        assert!(matches!(
            m.create("tech", "en", "ar", None),
            Err(Error::LanguagePairConflict { .. })
        ));
        assert!(matches!(
            m.create("bad", "", "ar", None),
            Err(Error::Invalid {
                field: "source_lang",
                ..
            })
        ));
        assert_eq!(m.list().unwrap().len(), 1);
        m.delete("tech").unwrap();
        assert!(m.list().unwrap().is_empty());
        assert!(matches!(m.get_meta("tech"), Err(Error::MemoryNotFound(_))));
    }

    #[test]
    fn units_crud_and_dedup_refreshes_modified() {
        let (_s, m) = mems();
        m.create("tm", "ar", "en", None).unwrap();
        let r = m
            .add_units(
                "tm",
                vec![
                    draft("احفظ الملف", "Save the file"),
                    draft("افتح الملف", "Open the file"),
                ],
            )
            .unwrap();
        assert_eq!((r.added, r.updated), (2, 0));
        let first = m.get_unit("tm", r.ids[0]).unwrap();
        assert_eq!(first.source_lang, "ar");
        let again = m
            .add_units(
                "tm",
                vec![
                    draft("احفظ الملف", "Save the file"),
                    draft("احفظ الملف", "Save file"),
                ],
            )
            .unwrap();
        assert_eq!((again.added, again.updated, again.unchanged), (1, 0, 1));
        assert_eq!(again.ids[0], r.ids[0]);
        assert_eq!(m.get_unit("tm", r.ids[0]).unwrap(), first);
        let mut noted = draft("احفظ الملف", "Save the file");
        noted.notes = vec!["reviewed".into()];
        noted.props = vec![("x-project".into(), "gedit".into())];
        let merged = m.add_units("tm", vec![noted]).unwrap();
        assert_eq!((merged.added, merged.updated), (0, 1));
        let refreshed = m.get_unit("tm", r.ids[0]).unwrap();
        assert!(refreshed.modified >= first.modified);
        assert_eq!(refreshed.notes, ["reviewed"]);
        assert_eq!(refreshed.props, [("x-project".into(), "gedit".into())]);
        assert_eq!(m.get_meta("tm").unwrap().units, 3);

        let mut d = draft("احفظ الملفات", "Save the files");
        d.context = Some("menu".into());
        let put = m.put_unit("tm", r.ids[1], d).unwrap();
        assert_eq!(put.created, m.get_unit("tm", r.ids[1]).unwrap().created);
        assert_eq!(m.get_unit("tm", r.ids[1]).unwrap().source, "احفظ الملفات");
        m.delete_unit("tm", r.ids[1]).unwrap();
        assert!(matches!(
            m.get_unit("tm", r.ids[1]),
            Err(Error::UnitNotFound { .. })
        ));
        assert!(matches!(
            m.delete_unit("tm", r.ids[1]),
            Err(Error::UnitNotFound { .. })
        ));
        assert_eq!(m.get_meta("tm").unwrap().units, 2);
        assert!(matches!(
            m.add_units("tm", vec![draft(" ", "x")]),
            Err(Error::Invalid {
                field: "source",
                ..
            })
        ));
    }

    type LiveUnit = (u64, i64, u64, Vec<u32>, Vec<u32>);
    /// Live units, (stem key, unit id) postings per side, dictionary size.
    pub(crate) type LiveView = (Vec<LiveUnit>, Vec<Vec<(u32, u64)>>, usize);

    /// The live content of an index, independent of ordinals.
    pub(crate) fn live_view(idx: &Index) -> LiveView {
        let mut units: Vec<LiveUnit> = idx
            .by_id
            .iter()
            .map(|(&id, &ord)| {
                let u = &idx.units[ord as usize];
                assert!(u.alive);
                let (s, t) = (idx.side_ids(ord, 0), idx.side_ids(ord, 1));
                (id, u.modified, u.hash, s.to_vec(), t.to_vec())
            })
            .collect();
        units.sort();
        assert_eq!(units.len() as u64, idx.alive);
        let postings = idx
            .sides
            .iter()
            .map(|side| {
                let mut v: Vec<(u32, u64)> = Vec::new();
                for (ck, ords) in side.postings.iter().enumerate() {
                    for &o in ords {
                        let u = &idx.units[o as usize];
                        if u.alive {
                            v.push((ck as u32, u.id));
                        }
                    }
                }
                v.sort();
                v
            })
            .collect();
        (units, postings, idx.dict.len())
    }

    #[test]
    fn snapshot_plus_changes_equals_reading_every_unit() {
        let dir = tempfile::tempdir().unwrap();
        let texts: Vec<(String, String)> = (0..300)
            .map(|i| {
                (
                    format!("Save file number {} in folder {}", i, i % 7),
                    format!("احفظ الملف رقم {} في المجلد {}", i, i % 7),
                )
            })
            .collect();
        {
            let store = Store::open(dir.path()).unwrap();
            let m = Memories::open(&store).unwrap();
            m.create("tm", "en", "ar", None).unwrap();
            let mem = m.memory("tm").unwrap();
            let _w = mem.writer.lock().unwrap();
            let drafts = texts.iter().map(|(s, t)| draft(s, t)).collect();
            // An import's last batch; 300 units are too few for a snapshot
            // to be due, so one is written by hand.
            write_units(
                &mem,
                drafts,
                None,
                Utc::now(),
                BatchKind::ImportEnd(b"import/x"),
            )
            .unwrap();
            assert!(mem.tree.get(index::SNAP_KEY).unwrap().is_none());
            {
                let mut idx = mem.index.write().unwrap();
                let mut b = Batch::new();
                idx.stage_snapshot(mem.meta.read().unwrap().next_id, &mut b);
                mem.tree.apply(b).unwrap();
            }
            assert!(mem.tree.get(index::SNAP_KEY).unwrap().is_some());
            drop(_w);
            // Changes after it: a refresh, new units, a replacement and
            // deletions on both sides of the bound.
            let r = m
                .add_units(
                    "tm",
                    vec![
                        UnitDraft {
                            notes: vec!["reviewed".into()],
                            ..draft(&texts[5].0, &texts[5].1)
                        },
                        draft("Open the new window", "افتح النافذة الجديدة"),
                        draft("Close the window", "أغلق النافذة"),
                    ],
                )
                .unwrap();
            assert_eq!((r.added, r.updated), (2, 1));
            m.put_unit("tm", 10, draft("Print the page", "اطبع الصفحة"))
                .unwrap();
            m.delete_unit("tm", 20).unwrap();
            m.delete_unit("tm", r.ids[2]).unwrap();
            m.put_unit(
                "tm",
                r.ids[1],
                draft("Open the old window", "افتح النافذة القديمة"),
            )
            .unwrap();
            let logged = mem.tree.count_prefix(index::SNAP_LOG_PREFIX).unwrap();
            assert_eq!(logged, 3, "ids 6, 10 and 20 changed after the snapshot");
            store.flush_blocking().unwrap();
        }
        let store = reopen(dir.path());
        let m = Memories::open(&store).unwrap();
        let mem = m.memory("tm").unwrap();
        let full = load_index_from(&mem.tree, false).unwrap();
        let fast = mem.index.read().unwrap();
        assert_eq!(fast.snap_bound, 301);
        assert_eq!(live_view(&fast), live_view(&full));
        assert_eq!(fast.alive, 300);
        drop(fast);
        let q = model::SearchQuery {
            text: "Print the page".into(),
            source_lang: None,
            target_lang: None,
            min_score: 90,
            limit: 5,
            context: None,
        };
        assert_eq!(m.search("tm", &q).unwrap()[0].id, 10);

        // A damaged snapshot is ignored: everything is read from the keys.
        mem.tree
            .insert(&index::snap_chunk_key(0), b"\x01\x02")
            .unwrap();
        let again = load_index(&mem.tree).unwrap();
        assert_eq!(again.snap_bound, 0);
        assert_eq!(live_view(&again), live_view(&full));

        // Dedup after a snapshot load (its hash map is built on first use).
        let r = m
            .add_units("tm", vec![draft(&texts[7].0, &texts[7].1)])
            .unwrap();
        assert_eq!((r.added, r.unchanged, r.ids[0]), (0, 1, 8));
    }

    #[test]
    fn segments_over_the_cap_are_refused_and_nothing_is_stored() {
        let (_s, m) = mems();
        m.create("tm", "ar", "en", None).unwrap();
        let at_cap = "ب".repeat(MAX_SEGMENT_BYTES / 2);
        assert_eq!(at_cap.len(), MAX_SEGMENT_BYTES);
        m.add_units("tm", vec![draft(&at_cap, "b")]).unwrap();
        let over = format!("{at_cap}x");
        for (d, field) in [(draft(&over, "b"), "source"), (draft("ب", &over), "target")] {
            match m.add_units("tm", vec![draft("أ", "a"), d]) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("expected invalid {field}, got {other:?}"),
            }
        }
        assert_eq!(m.get_meta("tm").unwrap().units, 1);
    }

    fn search_text(m: &Memories, text: &str) -> Vec<u64> {
        let q = model::SearchQuery {
            text: text.into(),
            source_lang: None,
            target_lang: None,
            min_score: 90,
            limit: 5,
            context: None,
        };
        m.search("tm", &q).unwrap().iter().map(|h| h.id).collect()
    }

    #[test]
    fn a_full_disk_keeps_the_last_good_state_searchable_and_refuses_writes() {
        let (store, m) = mems();
        m.create("tm", "en", "ar", None).unwrap();
        let r = m
            .add_units(
                "tm",
                vec![
                    draft("Save the file", "احفظ الملف"),
                    draft("Open the file", "افتح الملف"),
                ],
            )
            .unwrap();
        store.inject_write_error(0, 28);
        let no_space = |e: Error| matches!(e, Error::Store(crate::store::Error::NoSpace(_)));
        let e = m
            .add_units("tm", vec![draft("Close the window", "أغلق النافذة")])
            .unwrap_err();
        assert!(no_space(e));
        assert!(matches!(
            store.failure(),
            Some(crate::store::Error::NoSpace(ref cause)) if cause.contains("No space left")
        ));
        // Every later write is refused with the same cause; nothing is lost.
        let e = m
            .add_units("tm", vec![draft("Print the page", "اطبع الصفحة")])
            .unwrap_err();
        assert!(no_space(e));
        assert!(no_space(
            m.put_unit("tm", r.ids[0], draft("Save all", "احفظ الكل"))
                .unwrap_err()
        ));
        assert!(no_space(m.delete_unit("tm", r.ids[1]).unwrap_err()));
        assert_eq!(m.get_meta("tm").unwrap().units, 2);
        assert_eq!(search_text(&m, "Save the file"), vec![r.ids[0]]);
        assert_eq!(search_text(&m, "Open the file"), vec![r.ids[1]]);
        assert!(search_text(&m, "Close the window").is_empty());
        assert_eq!(m.get_unit("tm", r.ids[0]).unwrap().target, "احفظ الملف");
    }

    #[test]
    fn delete_during_an_import_cancels_it_without_blocking_other_memories() {
        let (_s, m) = mems();
        let m = Arc::new(m);
        m.create("tm", "en", "ar", None).unwrap();
        m.create("other", "en", "ar", None).unwrap();
        m.add_units("other", vec![draft("Save the file", "احفظ الملف")])
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.tsv");
        let mut tsv = String::from("en\tar\n");
        for i in 0..(3 * io::IMPORT_BATCH) {
            tsv.push_str(&format!("Line {i} of the file\tالسطر {i} من الملف\n"));
        }
        std::fs::write(&path, tsv).unwrap();
        // The import reports its first batch, then waits until the DELETE
        // below has been issued (and returned from the map), so the DELETE
        // always lands while the import holds the writer lock.
        let (at_batch_tx, at_batch_rx) = std::sync::mpsc::channel::<()>();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let importer = {
            let m = m.clone();
            std::thread::spawn(move || {
                let mut first = true;
                m.import_file("tm", &path, None, false, &mut |_| {
                    if first {
                        first = false;
                        at_batch_tx.send(()).unwrap();
                        go_rx.recv().unwrap();
                    }
                })
            })
        };
        at_batch_rx.recv().unwrap();
        let deleter = {
            let m = m.clone();
            std::thread::spawn(move || m.delete("tm"))
        };
        // The memory leaves the map at once; other memories answer while
        // the import still holds its writer lock.
        while m.get_meta("tm").is_ok() {
            std::thread::yield_now();
        }
        assert_eq!(m.list().unwrap().len(), 1);
        // Its tree is not dropped yet: the name cannot be taken again.
        assert!(matches!(
            m.create("tm", "en", "ar", None),
            Err(Error::BeingDeleted(_))
        ));
        assert_eq!(m.get_meta("other").unwrap().units, 1);
        m.add_units("other", vec![draft("Open the file", "افتح الملف")])
            .unwrap();
        go_tx.send(()).unwrap();
        let r = importer.join().unwrap();
        assert!(
            matches!(r, Err(Error::CollectionDeleted(ref n)) if n == "tm"),
            "{r:?}"
        );
        deleter.join().unwrap().unwrap();
        assert!(matches!(m.get_meta("tm"), Err(Error::MemoryNotFound(_))));
        // A new memory of the same name starts empty.
        m.create("tm", "en", "ar", None).unwrap();
        assert_eq!(m.get_meta("tm").unwrap().units, 0);
    }

    #[test]
    fn index_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let ids = {
            let store = Store::open(dir.path()).unwrap();
            let m = Memories::open(&store).unwrap();
            m.create("tm", "en", "ar", None).unwrap();
            let r = m
                .add_units("tm", vec![draft("Save the file", "احفظ الملف")])
                .unwrap();
            store.flush_blocking().unwrap();
            r.ids
        };
        let store = reopen(dir.path());
        let m = Memories::open(&store).unwrap();
        assert_eq!(m.get_meta("tm").unwrap().units, 1);
        let again = m
            .add_units(
                "tm",
                vec![draft("Save the file", "احفظ الملف"), draft("x", "y")],
            )
            .unwrap();
        assert_eq!(again.ids[0], ids[0]);
        assert!(again.ids[1] > ids[0], "ids are not reused");
    }
}
