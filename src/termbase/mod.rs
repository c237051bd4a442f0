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
}

impl std::fmt::Debug for TermBases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TermBases")
            .field("termbases", &read(&self.bases).keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Checks an entry id: 1–128 characters, no control characters, no
/// surrounding whitespace.
pub fn validate_id(id: &str) -> Result<()> {
    let n = id.chars().count();
    if n == 0 || n > 128 || id.chars().any(char::is_control) || id.trim() != id {
        let shown: String = id.chars().take(40).collect();
        return Err(Error::invalid(
            "id",
            format!("entry id {shown:?} is invalid: use 1-128 characters without control characters or surrounding spaces"),
        ));
    }
    Ok(())
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
        terms: d.terms,
        created,
        modified: Utc::now(),
    }
}

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
                Arc::new(TermBase {
                    name: name.to_string(),
                    tree,
                    meta: RwLock::new(meta),
                    index: RwLock::new(ix),
                    write: Mutex::new(()),
                }),
            );
        }
        Ok(TermBases {
            store: store.clone(),
            bases: RwLock::new(bases),
        })
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
        if let Some(tb) = bases.get(name).cloned() {
            drop(bases);
            let _w = lock(&tb.write);
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
        let tb = Arc::new(TermBase {
            name: name.to_string(),
            tree,
            meta: RwLock::new(meta),
            index: RwLock::new(Index::new()),
            write: Mutex::new(()),
        });
        let info = tb.info();
        bases.insert(name.to_string(), tb);
        Ok((info, true))
    }

    /// Info of one term base.
    pub fn get_meta(&self, name: &str) -> Result<TermBaseInfo> {
        Ok(self.base(name)?.info())
    }

    /// All term bases, by name.
    pub fn list(&self) -> Vec<TermBaseInfo> {
        read(&self.bases).values().map(|tb| tb.info()).collect()
    }

    /// Deletes a term base and all its entries.
    pub fn delete(&self, name: &str) -> Result<()> {
        let tb = write(&self.bases)
            .remove(name)
            .ok_or_else(|| Error::TermBaseNotFound(name.to_string()))?;
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
        let _w = lock(&tb.write);
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
        validate_id(id)?;
        draft.id = Some(id.to_string());
        validate_draft(&draft)?;
        let tb = self.base(name)?;
        let draft = tidy(draft);
        let _w = lock(&tb.write);
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
        let tb = self.base(name)?;
        let c = read(&tb.index).get(id);
        c.ok_or_else(|| Error::EntryNotFound {
            termbase: name.to_string(),
            id: id.to_string(),
        })
    }

    /// Deletes the entry `id`.
    pub fn delete_concept(&self, name: &str, id: &str) -> Result<()> {
        let tb = self.base(name)?;
        let _w = lock(&tb.write);
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

    /// Recognizes terms in several segments under one read lock.
    pub fn recognize_segments(
        &self,
        name: &str,
        segments: &[String],
        opts: &RecognizeOptions,
    ) -> Result<Vec<Vec<Hit>>> {
        let tb = self.base(name)?;
        let ix = read(&tb.index);
        Ok(segments
            .iter()
            .map(|s| recognize::recognize(&ix, s, opts))
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
