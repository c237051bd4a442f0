//! Term bases: concepts with Arabic and English terms, lookups and term
//! recognition in running text.
//!
//! # Storage
//! One store tree per term base, `tb:<name>`: key `meta` holds
//! [`TermBaseMeta`] as JSON, `c/<id>` one [`Concept`] as JSON. Every write is
//! one atomic [`Batch`] on that tree (the concept(s) plus the updated meta);
//! callers flush ([`Store::flush`]) before acknowledging.
//!
//! # Index
//! Each term base keeps an in-memory [`index::Index`] behind a `RwLock`,
//! built from the stored concepts when the registry is opened and then
//! updated incrementally by every write; a per-term-base write mutex keeps
//! the store and the index in the same order. Reads (lookup, recognition)
//! only take the read lock.

pub mod error;
#[cfg(test)]
mod eval;
#[cfg(test)]
mod eval_real;
pub mod import;
pub(crate) mod index;
pub mod lookup;
pub mod model;
pub mod recognize;
mod rejected;

pub use error::{Error, Result};
pub use import::{ImportIssue, ImportOptions, ImportReport, OnDuplicate};
pub use lookup::{LookupMode, LookupQuery, LookupResult};
pub use recognize::{Hit, MatchKind, RecognizeOptions, Translation, DEFAULT_MIN_CONFIDENCE};
pub use rejected::Rejected;

use crate::store::{Batch, Store, Tree};
use chrono::{DateTime, Utc};
use index::Index;
use model::{Concept, ConceptDraft};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// Prefix of the store trees that hold term bases.
const TREE_PREFIX: &str = "tb:";
/// Key of the metadata record inside a term base's tree.
const META_KEY: &[u8] = b"meta";
/// Key prefix of concepts inside a term base's tree.
const CONCEPT_PREFIX: &[u8] = b"c/";

/// Stored metadata of a term base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermBaseMeta {
    /// Free description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last change of the term base or any of its entries.
    pub modified: DateTime<Utc>,
}

/// A term base as listed: name, metadata and entry count.
#[derive(Debug, Clone, PartialEq)]
pub struct TermBaseInfo {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Number of entries (concepts).
    pub entries: usize,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last modification time.
    pub modified: DateTime<Utc>,
}

/// One open term base: its tree, metadata and index.
pub(crate) struct TermBase {
    name: String,
    tree: Tree,
    meta: RwLock<TermBaseMeta>,
    index: RwLock<Index>,
    /// Serializes writers so the store and the index apply changes in the
    /// same order.
    write: Mutex<()>,
    /// Set by [`TermBases::delete`] before it waits for the writer: a
    /// running import stops, queued writers give up.
    deleted: AtomicBool,
}

/// A poisoned lock only means another thread panicked while holding it; the
/// data behind our locks is always left consistent between statements, so
/// carry on rather than turn one panic into a permanently dead term base.
fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

fn lock<T>(l: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    l.lock().unwrap_or_else(|e| e.into_inner())
}

fn concept_key(id: &str) -> Vec<u8> {
    crate::store::key_str(CONCEPT_PREFIX, id)
}

impl TermBase {
    fn new(name: &str, tree: Tree, meta: TermBaseMeta, index: Index) -> TermBase {
        TermBase {
            name: name.to_string(),
            tree,
            meta: RwLock::new(meta),
            index: RwLock::new(index),
            write: Mutex::new(()),
            deleted: AtomicBool::new(false),
        }
    }

    /// Takes the writer lock of a term base that still exists.
    fn lock_writer(&self) -> Result<std::sync::MutexGuard<'_, ()>> {
        let w = lock(&self.write);
        if self.deleted.load(Ordering::SeqCst) {
            return Err(Error::TermBaseNotFound(self.name.clone()));
        }
        Ok(w)
    }

    fn info(&self) -> TermBaseInfo {
        let meta = read(&self.meta).clone();
        TermBaseInfo {
            name: self.name.clone(),
            description: meta.description,
            entries: read(&self.index).len(),
            created: meta.created,
            modified: meta.modified,
        }
    }

    /// Applies `batch` plus a meta update, then the index changes, as one
    /// ordered write.
    fn commit(&self, mut batch: Batch, upserts: Vec<Concept>, removals: Vec<String>) -> Result<()> {
        let mut meta = read(&self.meta).clone();
        meta.modified = Utc::now();
        batch.insert_json(META_KEY, &meta)?;
        // Analyse before taking the index lock: readers keep going.
        let prepared = index::Prepared::many(upserts);
        self.tree.apply(batch)?;
        *write(&self.meta) = meta;
        let mut ix = write(&self.index);
        for id in &removals {
            ix.remove(id);
        }
        for p in prepared {
            ix.insert_prepared(p);
        }
        Ok(())
    }
}

/// All term bases of the store.
pub struct TermBases {
    store: Store,
    bases: RwLock<BTreeMap<String, Arc<TermBase>>>,
    /// Set when the server shuts down: running imports stop and roll back.
    stopping: AtomicBool,
    /// Names whose DELETE is waiting for a writer: their tree still exists
    /// until it is dropped, so the name cannot be created meanwhile.
    deleting: Mutex<std::collections::BTreeSet<String>>,
}

impl std::fmt::Debug for TermBases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TermBases")
            .field("termbases", &read(&self.bases).keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Checks an entry id: 1–128 characters, no control characters, no
/// invisible bidi/format controls (an id with U+202E or U+200B looks like
/// another), no surrounding whitespace, not `.` or `..` (ids are path
/// segments). Ids are stored in NFC ([`canonical_id`]).
pub fn validate_id(id: &str) -> Result<()> {
    let n = id.chars().count();
    let bad_char = |c: char| c.is_control() || crate::text::normalize::is_invisible_control(c);
    if n == 0 || n > 128 || id.chars().any(bad_char) || id.trim() != id || id == "." || id == ".." {
        let shown: String = id.escape_debug().take(60).collect();
        return Err(Error::invalid(
            "id",
            format!("entry id \"{shown}\" is invalid: use 1-128 characters without control or invisible formatting characters or surrounding spaces, other than . and .."),
        ));
    }
    Ok(())
}

/// The stored form of an entry id: NFC, so the NFC and NFD spellings of
/// one id name one entry.
pub fn canonical_id(id: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    if crate::text::normalize::needs_composition(id) {
        std::borrow::Cow::Owned(id.nfc().collect())
    } else {
        std::borrow::Cow::Borrowed(id)
    }
}

/// Checks a draft's content (not its id): at least one term, valid language
/// tags, non-empty term texts of sane length.
pub fn validate_draft(d: &ConceptDraft) -> Result<()> {
    if let Some(id) = &d.id {
        validate_id(id)?;
    }
    if d.terms.values().all(Vec::is_empty) {
        return Err(Error::invalid("terms", "an entry needs at least one term"));
    }
    for (tag, list) in &d.terms {
        let ok_tag = !tag.is_empty()
            && tag.len() <= 35
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && tag.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if !ok_tag {
            let shown: String = tag.chars().take(40).collect();
            return Err(Error::invalid(
                format!("terms.{shown}"),
                format!("{shown:?} is not a language tag (use e.g. ar, en, ar-SA)"),
            ));
        }
        for (i, t) in list.iter().enumerate() {
            let len = t.text.trim().chars().count();
            if len == 0 || len > 1000 {
                return Err(Error::invalid(
                    format!("terms.{tag}[{i}].text"),
                    "a term must have 1-1000 characters",
                ));
            }
            if t.variants
                .iter()
                .any(|v| v.trim().is_empty() || v.chars().count() > 1000)
            {
                return Err(Error::invalid(
                    format!("terms.{tag}[{i}].variants"),
                    "variants must have 1-1000 characters",
                ));
            }
        }
    }
    Ok(())
}

/// Trims term texts and variants, drops empty languages.
fn tidy(mut d: ConceptDraft) -> ConceptDraft {
    if let Some(id) = &mut d.id {
        if let std::borrow::Cow::Owned(nfc) = canonical_id(id) {
            *id = nfc;
        }
    }
    for list in d.terms.values_mut() {
        for t in list.iter_mut() {
            t.text = t.text.trim().to_string();
            for v in t.variants.iter_mut() {
                *v = v.trim().to_string();
            }
        }
    }
    d.terms.retain(|_, l| !l.is_empty());
    d
}

/// Builds a concept from a tidy draft.
fn concept_from(d: ConceptDraft, id: String, created: DateTime<Utc>) -> Concept {
    Concept {
        id,
        domain: d.domain,
        definition: d.definition,
        note: d.note,
        context_words: d.context_words,
        negative_context_words: d.negative_context_words,
        general: d.general,
        terms: d.terms,
        created,
        modified: Utc::now(),
    }
}

/// A confident hit of a document: (segment, concept id, subject field).
type Confident = (usize, Arc<str>, Option<String>);

impl TermBases {
    /// Opens the term bases kept in `store` (loads their indexes).
    pub fn open(store: &Store) -> crate::store::Result<TermBases> {
        let mut bases = BTreeMap::new();
        for tree_name in store.tree_names() {
            let Some(name) = tree_name.strip_prefix(TREE_PREFIX) else {
                continue;
            };
            let tree = store.tree(&tree_name)?;
            // A tree without meta is a leftover of an interrupted create or
            // delete: not a term base.
            let Some(meta) = tree.get_json::<TermBaseMeta>(META_KEY)? else {
                continue;
            };
            import::roll_back(&tree)?;
            // Decode and analyse in parallel batches; insert in key order.
            let mut ix = Index::new();
            let mut raw: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
            let mut load = |raw: &mut Vec<(Vec<u8>, Vec<u8>)>| -> crate::store::Result<()> {
                use rayon::prelude::*;
                let decoded: crate::store::Result<Vec<index::Prepared>> = std::mem::take(raw)
                    .into_par_iter()
                    .map(|(k, v)| {
                        crate::store::decode_json::<Concept>(&k, &v).map(index::Prepared::new)
                    })
                    .collect();
                for p in decoded? {
                    ix.insert_prepared(p);
                }
                Ok(())
            };
            for r in tree.scan_prefix(CONCEPT_PREFIX) {
                raw.push(r?);
                if raw.len() >= 8192 {
                    load(&mut raw)?;
                }
            }
            load(&mut raw)?;
            bases.insert(
                name.to_string(),
                Arc::new(TermBase::new(name, tree, meta, ix)),
            );
        }
        Ok(TermBases {
            store: store.clone(),
            bases: RwLock::new(bases),
            stopping: AtomicBool::new(false),
            deleting: Mutex::default(),
        })
    }

    /// Stops running imports (they answer [`Error::ShuttingDown`] and roll
    /// back); called on SIGTERM.
    pub fn begin_shutdown(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// The store the term bases live in (callers flush it).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn base(&self, name: &str) -> Result<Arc<TermBase>> {
        read(&self.bases)
            .get(name)
            .cloned()
            .ok_or_else(|| Error::TermBaseNotFound(name.to_string()))
    }

    /// Creates the term base, or updates its description when it exists.
    /// Returns its info and whether it was created. The name is assumed
    /// valid (the API checks it with `api::validate_name`).
    pub fn create(&self, name: &str, description: Option<String>) -> Result<(TermBaseInfo, bool)> {
        let mut bases = write(&self.bases);
        if lock(&self.deleting).contains(name) {
            return Err(Error::BeingDeleted(name.to_string()));
        }
        if let Some(tb) = bases.get(name).cloned() {
            drop(bases);
            let _w = tb.lock_writer()?;
            let mut meta = read(&tb.meta).clone();
            meta.description = description;
            meta.modified = Utc::now();
            tb.tree.insert_json(META_KEY, &meta)?;
            *write(&tb.meta) = meta;
            return Ok((tb.info(), false));
        }
        let tree_name = format!("{TREE_PREFIX}{name}");
        let tree = self.store.tree(&tree_name)?;
        let now = Utc::now();
        let meta = TermBaseMeta {
            description,
            created: now,
            modified: now,
        };
        // A leftover tree from an interrupted delete may still hold entries.
        let mut batch = Batch::new();
        for r in tree.scan_prefix(CONCEPT_PREFIX) {
            batch.remove(&r?.0);
        }
        batch.insert_json(META_KEY, &meta)?;
        tree.apply(batch)?;
        let tb = Arc::new(TermBase::new(name, tree, meta, Index::new()));
        let info = tb.info();
        bases.insert(name.to_string(), tb);
        Ok((info, true))
    }

    /// Sets a term base's creation and last-change times (a restore puts
    /// back those of the backup).
    pub fn restore_times(
        &self,
        name: &str,
        created: DateTime<Utc>,
        modified: DateTime<Utc>,
    ) -> Result<()> {
        let tb = self.base(name)?;
        let _w = tb.lock_writer()?;
        let mut meta = read(&tb.meta).clone();
        meta.created = created;
        meta.modified = modified;
        tb.tree.insert_json(META_KEY, &meta)?;
        *write(&tb.meta) = meta;
        Ok(())
    }

    /// Info of one term base.
    pub fn get_meta(&self, name: &str) -> Result<TermBaseInfo> {
        Ok(self.base(name)?.info())
    }

    /// All term bases, by name.
    pub fn list(&self) -> Vec<TermBaseInfo> {
        read(&self.bases).values().map(|tb| tb.info()).collect()
    }

    /// Deletes a term base and all its entries. A running import is
    /// cancelled (it answers [`Error::CollectionDeleted`]); only this call
    /// waits for it to stop, with no other lock held.
    pub fn delete(&self, name: &str) -> Result<()> {
        let tb = {
            let mut bases = write(&self.bases);
            let tb = bases
                .remove(name)
                .ok_or_else(|| Error::TermBaseNotFound(name.to_string()))?;
            lock(&self.deleting).insert(name.to_string());
            tb
        };
        tb.deleted.store(true, Ordering::SeqCst);
        let dropped = self.drop_base(&tb, name);
        lock(&self.deleting).remove(name);
        dropped
    }

    /// Waits for `tb`'s writer and removes its tree.
    fn drop_base(&self, tb: &TermBase, name: &str) -> Result<()> {
        let _w = lock(&tb.write);
        // Remove the meta first: should dropping the tree fail half-way, the
        // leftover is not taken for a term base at the next start.
        tb.tree.remove(META_KEY)?;
        self.store.drop_tree(&format!("{TREE_PREFIX}{name}"))?;
        Ok(())
    }

    /// Creates an entry. With a draft id that exists → [`Error::EntryExists`];
    /// without an id one is generated (`c<number>`).
    pub fn create_concept(&self, name: &str, draft: ConceptDraft) -> Result<Concept> {
        validate_draft(&draft)?;
        let tb = self.base(name)?;
        let draft = tidy(draft);
        let _w = tb.lock_writer()?;
        let id = match &draft.id {
            Some(id) => {
                if read(&tb.index).contains(id) {
                    return Err(Error::EntryExists {
                        termbase: name.to_string(),
                        id: id.clone(),
                    });
                }
                id.clone()
            }
            None => self.fresh_id(&tb)?,
        };
        let concept = concept_from(draft, id, Utc::now());
        let mut batch = Batch::new();
        batch.insert_json(&concept_key(&concept.id), &concept)?;
        tb.commit(batch, vec![concept.clone()], vec![])?;
        Ok(concept)
    }

    /// A generated id not used in `tb`.
    fn fresh_id(&self, tb: &TermBase) -> Result<String> {
        loop {
            let id = format!("c{}", self.store.generate_id()?);
            if !read(&tb.index).contains(&id) {
                return Ok(id);
            }
        }
    }

    /// Creates or replaces the entry `id` (the draft's own id is ignored).
    /// Returns the stored concept and whether it was created.
    pub fn put_concept(
        &self,
        name: &str,
        id: &str,
        mut draft: ConceptDraft,
    ) -> Result<(Concept, bool)> {
        let id = &*canonical_id(id);
        validate_id(id)?;
        draft.id = Some(id.to_string());
        validate_draft(&draft)?;
        let tb = self.base(name)?;
        let draft = tidy(draft);
        let _w = tb.lock_writer()?;
        let old = read(&tb.index).get(id);
        let created = old.as_ref().map(|c| c.created).unwrap_or_else(Utc::now);
        let concept = concept_from(draft, id.to_string(), created);
        let mut batch = Batch::new();
        batch.insert_json(&concept_key(id), &concept)?;
        tb.commit(batch, vec![concept.clone()], vec![])?;
        Ok((concept, old.is_none()))
    }

    /// The entry `id`.
    pub fn get_concept(&self, name: &str, id: &str) -> Result<Arc<Concept>> {
        let id = &*canonical_id(id);
        let tb = self.base(name)?;
        let c = read(&tb.index).get(id);
        c.ok_or_else(|| Error::EntryNotFound {
            termbase: name.to_string(),
            id: id.to_string(),
        })
    }

    /// Deletes the entry `id`.
    pub fn delete_concept(&self, name: &str, id: &str) -> Result<()> {
        let id = &*canonical_id(id);
        let tb = self.base(name)?;
        let _w = tb.lock_writer()?;
        if !read(&tb.index).contains(id) {
            return Err(Error::EntryNotFound {
                termbase: name.to_string(),
                id: id.to_string(),
            });
        }
        let mut batch = Batch::new();
        batch.remove(&concept_key(id));
        tb.commit(batch, vec![], vec![id.to_string()])
    }

    /// One page of entries in id order after `cursor`; the second value is
    /// the cursor of the next page (the last id returned) when more follow.
    pub fn list_concepts(
        &self,
        name: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Arc<Concept>>, Option<String>)> {
        let tb = self.base(name)?;
        let (page, more) = read(&tb.index).ids_after(cursor, limit.max(1));
        let next = if more {
            page.last().map(|c| c.id.clone())
        } else {
            None
        };
        Ok((page, next))
    }

    /// Streams every entry in id order to `f` from the store (bounded memory;
    /// used by export).
    pub fn for_each_concept(
        &self,
        name: &str,
        f: &mut dyn FnMut(Concept) -> std::io::Result<()>,
    ) -> Result<()> {
        let tb = self.base(name)?;
        for r in tb.tree.scan_prefix(CONCEPT_PREFIX) {
            let (k, v) = r?;
            let c: Concept = crate::store::decode_json(&k, &v)?;
            f(c).map_err(|e| Error::Io {
                path: "<export>".into(),
                message: e.to_string(),
            })?;
        }
        Ok(())
    }

    /// Looks terms up (see [`lookup`]).
    pub fn lookup(&self, name: &str, q: &LookupQuery) -> Result<Vec<LookupResult>> {
        let tb = self.base(name)?;
        let ix = read(&tb.index);
        Ok(lookup::lookup(&ix, q))
    }

    /// Recognizes terms in running text (see [`recognize`]).
    pub fn recognize(&self, name: &str, text: &str, opts: &RecognizeOptions) -> Result<Vec<Hit>> {
        let tb = self.base(name)?;
        let ix = read(&tb.index);
        Ok(recognize::recognize(&ix, text, opts))
    }

    /// Recognizes terms with several term bases at once: the longest hit
    /// at each place wins; on the same span the smaller term base comes
    /// first (a curated base before a large general one, whatever order
    /// they are named in), and the hits of the others there are dropped.
    /// Each hit comes with the name of its term base.
    pub fn recognize_many(
        &self,
        names: &[String],
        text: &str,
        opts: &RecognizeOptions,
    ) -> Result<Vec<(String, Hit)>> {
        let mut all: Vec<(usize, String, Hit)> = Vec::new();
        for name in names {
            let tb = self.base(name)?;
            let ix = read(&tb.index);
            let size = ix.len();
            all.extend(
                recognize::recognize(&ix, text, opts)
                    .into_iter()
                    .map(|h| (size, name.clone(), h)),
            );
        }
        if names.len() < 2 {
            return Ok(all.into_iter().map(|(_, n, h)| (n, h)).collect());
        }
        // Stable: within one base the recognizer's own order is kept.
        all.sort_by_key(|(size, _, h)| (h.char_start, std::cmp::Reverse(h.char_end), *size));
        let mut kept: Vec<(String, Hit)> = Vec::with_capacity(all.len());
        let mut place: Option<(usize, usize, usize)> = None;
        for (size, name, h) in all {
            match place {
                // Another hit of the winning base on the same span (a
                // homograph) stays; everything else overlapping goes.
                Some((s, e, z)) if h.char_start < e => {
                    if (h.char_start, h.char_end, size) == (s, e, z) && !h.nested {
                        kept.push((name, h));
                    }
                }
                _ => {
                    place = Some((h.char_start, h.char_end, size));
                    kept.push((name, h));
                }
            }
        }
        Ok(kept)
    }

    /// Recognizes terms in several segments (one document) under one read
    /// lock, weighing ambiguous hits with evidence from the whole document:
    /// a hit below `min_confidence` in its own segment gains 0.2
    /// (`document_term`) when its concept is a confident hit (kept at
    /// `min_confidence`, at least 0.5) in another segment, and 0.1
    /// (`document_domain`) when confident hits in other segments share its
    /// subject field; a hit that an everyday cue
    /// or a negative context word lowered gains nothing.
    pub fn recognize_segments(
        &self,
        name: &str,
        segments: &[String],
        opts: &RecognizeOptions,
    ) -> Result<Vec<Vec<Hit>>> {
        let tb = self.base(name)?;
        let ix = read(&tb.index);
        let all = RecognizeOptions {
            min_confidence: 0.0,
            ..opts.clone()
        };
        let per: Vec<Vec<Hit>> = segments
            .iter()
            .map(|s| recognize::recognize(&ix, s, &all))
            .collect();
        // Confident concepts and domains per segment.
        let domain_of = |h: &Hit| ix.get(&h.concept_id).and_then(|c| c.domain.clone());
        let mut confident: Vec<Confident> = Vec::new();
        for (i, hits) in per.iter().enumerate() {
            for h in hits
                .iter()
                .filter(|h| h.confidence >= opts.min_confidence.max(0.5))
            {
                confident.push((i, h.concept_id.clone(), domain_of(h)));
            }
        }
        Ok(per
            .into_iter()
            .enumerate()
            .map(|(i, hits)| {
                hits.into_iter()
                    .filter_map(|mut h| {
                        let lowered = h
                            .evidence
                            .iter()
                            .any(|e| matches!(*e, "everyday_cue" | "negative_context"));
                        if h.confidence < opts.min_confidence && !lowered {
                            let elsewhere = |f: &dyn Fn(&Confident) -> bool| {
                                confident.iter().any(|c| c.0 != i && f(c))
                            };
                            if elsewhere(&|c| c.1 == h.concept_id) {
                                h.confidence += 0.2;
                                h.evidence.push("document_term");
                            }
                            let d = domain_of(&h);
                            if d.is_some() && elsewhere(&|c| c.2 == d) {
                                h.confidence += 0.1;
                                h.evidence.push("document_domain");
                            }
                            h.confidence = (h.confidence.min(0.9) * 100.0).round() / 100.0;
                        }
                        (h.confidence >= opts.min_confidence).then_some(h)
                    })
                    .collect()
            })
            .collect())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use model::{Term, TermStatus};

    /// A draft with Arabic and English terms (first of each preferred).
    pub(crate) fn draft(id: Option<&str>, ar: &[&str], en: &[&str]) -> ConceptDraft {
        let mk = |xs: &[&str]| {
            xs.iter()
                .enumerate()
                .map(|(i, t)| Term {
                    text: t.to_string(),
                    status: if i == 0 {
                        TermStatus::Preferred
                    } else {
                        TermStatus::Admitted
                    },
                    ..Term::default()
                })
                .collect::<Vec<_>>()
        };
        let mut terms = BTreeMap::new();
        if !ar.is_empty() {
            terms.insert("ar".to_string(), mk(ar));
        }
        if !en.is_empty() {
            terms.insert("en".to_string(), mk(en));
        }
        ConceptDraft {
            id: id.map(str::to_string),
            terms,
            ..ConceptDraft::default()
        }
    }

    #[test]
    fn crud_round_trip_and_errors() {
        let store = Store::temporary().unwrap();
        let tbs = TermBases::open(&store).unwrap();
        assert!(matches!(
            tbs.create_concept("tech", draft(None, &["خادم"], &["server"])),
            Err(Error::TermBaseNotFound(_))
        ));
        let (info, created) = tbs.create("tech", Some("مصطلحات تقنية".into())).unwrap();
        assert!(created);
        assert_eq!(info.entries, 0);
        let (_, created) = tbs.create("tech", Some("Tech terms".into())).unwrap();
        assert!(!created);
        assert_eq!(
            tbs.get_meta("tech").unwrap().description.as_deref(),
            Some("Tech terms")
        );

        let c = tbs
            .create_concept("tech", draft(Some("server"), &[" خادم "], &["server"]))
            .unwrap();
        assert_eq!(c.terms["ar"][0].text, "خادم", "term text is trimmed");
        assert!(matches!(
            tbs.create_concept("tech", draft(Some("server"), &["خادوم"], &[])),
            Err(Error::EntryExists { .. })
        ));
        let gen = tbs
            .create_concept("tech", draft(None, &["شريحة"], &["chip"]))
            .unwrap();
        assert!(gen.id.starts_with('c'));
        let (upd, created) = tbs
            .put_concept(
                "tech",
                "server",
                draft(None, &["خادوم", "خادم"], &["server"]),
            )
            .unwrap();
        assert!(!created);
        assert_eq!(upd.created, c.created);
        assert_eq!(
            tbs.get_concept("tech", "server").unwrap().terms["ar"].len(),
            2
        );
        assert!(matches!(
            tbs.create_concept("tech", draft(Some("bad\nid"), &["x"], &[])),
            Err(Error::Invalid { .. })
        ));
        assert!(matches!(
            tbs.create_concept("tech", draft(None, &[], &[])),
            Err(Error::Invalid { .. })
        ));
        assert!(matches!(
            tbs.create_concept("tech", draft(None, &["   "], &[])),
            Err(Error::Invalid { .. })
        ));
        tbs.delete_concept("tech", "server").unwrap();
        assert!(matches!(
            tbs.get_concept("tech", "server"),
            Err(Error::EntryNotFound { .. })
        ));
        assert!(matches!(
            tbs.delete_concept("tech", "server"),
            Err(Error::EntryNotFound { .. })
        ));
        assert_eq!(tbs.get_meta("tech").unwrap().entries, 1);
        tbs.delete("tech").unwrap();
        assert!(tbs.list().is_empty());
        assert!(matches!(
            tbs.delete("tech"),
            Err(Error::TermBaseNotFound(_))
        ));
    }

    #[test]
    fn reopen_rebuilds_index_and_deleted_bases_stay_deleted() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let tbs = TermBases::open(&store).unwrap();
            tbs.create("tech", None).unwrap();
            tbs.create("old", None).unwrap();
            tbs.create_concept("tech", draft(Some("ai"), &["ذكاء اصطناعي"], &["AI"]))
                .unwrap();
            tbs.create_concept("old", draft(Some("x"), &["ملف"], &["file"]))
                .unwrap();
            tbs.delete("old").unwrap();
            store.flush_blocking().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let tbs = TermBases::open(&store).unwrap();
        let names: Vec<String> = tbs.list().into_iter().map(|i| i.name).collect();
        assert_eq!(names, vec!["tech"]);
        let hits = tbs
            .recognize("tech", "الذكاء الاصطناعي", &RecognizeOptions::default())
            .unwrap();
        assert_eq!(hits.len(), 1, "{hits:?}");
        // Re-creating a deleted name starts empty.
        tbs.create("old", None).unwrap();
        assert_eq!(tbs.get_meta("old").unwrap().entries, 0);
    }

    #[test]
    fn listing_pages_with_stable_cursor() {
        let store = Store::temporary().unwrap();
        let tbs = TermBases::open(&store).unwrap();
        tbs.create("t", None).unwrap();
        for id in ["b", "a", "d", "c", "e"] {
            tbs.create_concept("t", draft(Some(id), &["ملف"], &[]))
                .unwrap();
        }
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let (page, next) = tbs.list_concepts("t", cursor.as_deref(), 2).unwrap();
            seen.extend(page.iter().map(|c| c.id.clone()));
            match next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, vec!["a", "b", "c", "d", "e"]);
    }
}
