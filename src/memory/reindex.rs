//! Rebuilding a memory's search index when the analysis changes.
//!
//! The `t/` blobs, the `d/` dictionary and the snapshot (see [`super::index`])
//! hold the tokens [`score::tokens`] produced when each unit was written. A
//! build whose tokenizing differs (accelerator markers folded, `%1` a
//! placeable, trailing colons set aside…) would otherwise keep matching
//! against the old tokens: a stored `Show _Toolbar` is not found by
//! `Show Toolbar`.
//!
//! The key `analysis` of a memory's tree holds the [`ANALYSIS_VERSION`] its
//! index was built with (`u32` big-endian; absent means 1, every build
//! before it was recorded). At open a memory whose recorded version differs
//! from the current one is re-indexed from its stored units (`u/`):
//! 1. the snapshot (`snap`, `s/`, `c/`) and the dictionary (`d/`) are
//!    removed, in batches;
//! 2. every unit is re-tokenized and its `t/` blob and the new dictionary
//!    entries are written, [`REBUILD_BATCH`] units a batch; `t/` blobs of
//!    ids without a unit are removed;
//! 3. the store is flushed, then one batch writes a fresh snapshot and the
//!    current version, and the store is flushed again.
//!
//! The version is written last, so a crash anywhere before leaves the old
//! (or no) version and the next open starts the rebuild over; a half-old
//! index is never taken as current.

use super::index::{self, Index};
use super::model::TranslationUnit;
use super::{dedup_hash, score, stage_index};
use crate::store::{Batch, Store, Tree};

/// Version of the analysis (tokenizing for matching) the index is built
/// with. 1: plain [`crate::text::tokenize`]; 2: accelerator markers
/// ignored, Qt `%1` placeables, trailing colons and ellipses set aside.
pub const ANALYSIS_VERSION: u32 = 2;

/// Key of the recorded version in a memory's tree.
pub const ANALYSIS_KEY: &[u8] = b"analysis";

/// Units (or removed keys) per batch of a rebuild.
pub const REBUILD_BATCH: usize = 5_000;

/// The version recorded in `tree` (1 when absent or unreadable).
pub fn recorded_version(tree: &Tree) -> crate::store::Result<u32> {
    Ok(tree
        .get(ANALYSIS_KEY)?
        .and_then(|v| <[u8; 4]>::try_from(v.as_slice()).ok())
        .map_or(1, u32::from_be_bytes))
}

/// Records the current version (a new, empty memory).
pub fn stamp(tree: &Tree) -> crate::store::Result<()> {
    let mut b = Batch::new();
    b.insert(ANALYSIS_KEY, &ANALYSIS_VERSION.to_be_bytes());
    tree.apply(b)
}

/// What a rebuild did, for the log and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rebuilt {
    /// The version found.
    pub from_version: u32,
    /// Units re-indexed.
    pub units: u64,
    /// Entries of the new dictionary.
    pub dict_entries: usize,
    /// `t/` blobs removed because their unit was gone.
    pub removed_orphans: u64,
}

/// Re-indexes the memory in `tree` when its recorded version is not
/// [`ANALYSIS_VERSION`] and returns the new index (with its snapshot
/// written); `None` when the index is current. `next_id`: the meta's.
pub(crate) fn rebuild_if_stale(
    store: &Store,
    tree: &Tree,
    name: &str,
    next_id: u64,
) -> crate::store::Result<Option<(Index, Rebuilt)>> {
    let from_version = recorded_version(tree)?;
    if from_version == ANALYSIS_VERSION {
        return Ok(None);
    }
    tracing::info!(
        memory = name,
        from_version,
        to_version = ANALYSIS_VERSION,
        "memory index built by another analysis version; re-indexing from the stored units"
    );
    let started = std::time::Instant::now();
    let r = rebuild(store, tree, next_id, from_version)?;
    tracing::info!(
        memory = name,
        units = r.1.units,
        dict_entries = r.1.dict_entries,
        removed_orphans = r.1.removed_orphans,
        ms = started.elapsed().as_millis() as u64,
        "memory index rebuilt"
    );
    Ok(Some(r))
}

/// Removes every key under `prefix`, [`REBUILD_BATCH`] keys a batch.
fn remove_prefix(tree: &Tree, prefix: &[u8]) -> crate::store::Result<()> {
    loop {
        let mut b = Batch::new();
        for r in tree.scan_prefix(prefix).take(REBUILD_BATCH) {
            b.remove(&r?.0);
        }
        if b.is_empty() {
            return Ok(());
        }
        tree.apply(b)?;
    }
}

fn rebuild(
    store: &Store,
    tree: &Tree,
    next_id: u64,
    from_version: u32,
) -> crate::store::Result<(Index, Rebuilt)> {
    // 1. The derived keys, snapshot header first.
    let mut b = Batch::new();
    b.remove(index::SNAP_KEY);
    tree.apply(b)?;
    for prefix in [index::SNAP_CHUNK_PREFIX, index::SNAP_LOG_PREFIX, b"d/"] {
        remove_prefix(tree, prefix)?;
    }
    // 2. Every unit, re-tokenized.
    let mut idx = Index::default();
    let mut units = 0u64;
    let mut chunk: Vec<TranslationUnit> = Vec::with_capacity(REBUILD_BATCH);
    let mut scan = tree.scan_prefix(b"u/");
    loop {
        chunk.clear();
        for r in scan.by_ref().take(REBUILD_BATCH) {
            let (k, v) = r?;
            chunk.push(crate::store::decode_json(&k, &v)?);
        }
        if chunk.is_empty() {
            break;
        }
        index_chunk(tree, &mut idx, &chunk)?;
        units += chunk.len() as u64;
    }
    drop(scan);
    // Blobs of units that no longer exist (none in a consistent tree).
    let mut removed_orphans = 0u64;
    let mut orphans = Batch::new();
    for r in tree.scan_prefix(b"t/") {
        let (k, _) = r?;
        let id = crate::store::u64_suffix(&k);
        if id.is_none_or(|id| !idx.by_id.contains_key(&id)) {
            orphans.remove(&k);
            removed_orphans += 1;
        }
    }
    tree.apply(orphans)?;
    // 3. Everything above on disk before the version says it is current.
    store.flush_blocking()?;
    let mut b = Batch::new();
    idx.stage_snapshot(next_id, &mut b);
    b.insert(ANALYSIS_KEY, &ANALYSIS_VERSION.to_be_bytes());
    tree.apply(b)?;
    store.flush_blocking()?;
    let dict_entries = idx.dict.len();
    Ok((
        idx,
        Rebuilt {
            from_version,
            units,
            dict_entries,
            removed_orphans,
        },
    ))
}

/// Tokenizes `units` on all cores, indexes them and writes their blobs and
/// the new dictionary entries as one batch.
fn index_chunk(
    tree: &Tree,
    idx: &mut Index,
    units: &[TranslationUnit],
) -> crate::store::Result<()> {
    use rayon::prelude::*;
    let prepared: Vec<_> = units
        .par_iter()
        .map(|u| {
            let toks = (score::tokens(&u.source), score::tokens(&u.target));
            (dedup_hash(&u.source, &u.target, u.context.as_deref()), toks)
        })
        .collect();
    let mut b = Batch::new();
    for (u, (hash, toks)) in units.iter().zip(prepared) {
        stage_index(idx, &mut b, u, hash, toks);
    }
    for (k, v) in idx.dict.take_new() {
        b.insert(&k, &v);
    }
    tree.apply(b)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::model::SearchQuery;
    use crate::memory::tests::{draft, reopen};
    use crate::memory::Memories;

    /// Rewrites the index of memory `name` as the build before
    /// [`ANALYSIS_VERSION`] 2 stored it: every unit tokenized by plain
    /// [`crate::text::tokenize`] (what `score::tokens` was), a dictionary of
    /// those tokens, a snapshot of them and no version key.
    fn write_version_1_index(store: &Store, name: &str) {
        let tree = store.tree(&format!("tm:{name}")).unwrap();
        remove_prefix(&tree, b"d/").unwrap();
        remove_prefix(&tree, b"t/").unwrap();
        let mut idx = Index::default();
        let mut b = Batch::new();
        let mut next_id = 1;
        for r in tree.scan_prefix(b"u/") {
            let (k, v) = r.unwrap();
            let u: TranslationUnit = crate::store::decode_json(&k, &v).unwrap();
            let old = |s: &str| {
                let mut t = crate::text::tokenize(s);
                t.truncate(score::MAX_TOKENS);
                t
            };
            let toks = (old(&u.source), old(&u.target));
            let hash = dedup_hash(&u.source, &u.target, u.context.as_deref());
            stage_index(&mut idx, &mut b, &u, hash, toks);
            next_id = next_id.max(u.id + 1);
        }
        for (k, v) in idx.dict.take_new() {
            b.insert(&k, &v);
        }
        idx.stage_snapshot(next_id, &mut b);
        b.remove(ANALYSIS_KEY);
        tree.apply(b).unwrap();
        store.flush_blocking().unwrap();
    }

    fn query(text: &str) -> SearchQuery {
        SearchQuery {
            text: text.into(),
            source_lang: None,
            target_lang: None,
            min_score: 50,
            limit: 5,
            context: None,
        }
    }

    #[test]
    fn version_1_index_is_rebuilt_at_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let m = Memories::open(&store).unwrap();
            m.create("ui", "en", "ar", None).unwrap();
            m.add_units(
                "ui",
                vec![
                    draft("Show _Toolbar", "إظهار _شريط الأدوات"),
                    draft("Deleting %1 files", "حذف %1 من الملفات"),
                    draft("Open file", "فتح ملف"),
                ],
            )
            .unwrap();
            m.delete_unit("ui", 3).unwrap();
            write_version_1_index(&store, "ui");
            // The old tokens really miss: the premise of the test.
            let tree = store.tree("tm:ui").unwrap();
            assert_eq!(recorded_version(&tree).unwrap(), 1);
            let old = super::super::load_index(&tree).unwrap();
            let ord = old.by_id[&1];
            let stored: Vec<&str> = old
                .side_ids(ord, 0)
                .iter()
                .map(|&t| old.dict.text(t))
                .collect();
            let current: Vec<String> = score::tokens("Show _Toolbar")
                .into_iter()
                .map(|t| t.norm)
                .collect();
            assert_ne!(stored, current, "the stored tokens are the old ones");
        }
        let store = reopen(dir.path());
        let m = Memories::open(&store).unwrap();
        let tree = store.tree("tm:ui").unwrap();
        assert_eq!(recorded_version(&tree).unwrap(), ANALYSIS_VERSION);
        let q = query("Show Toolbar");
        let r = m.search("ui", &q).unwrap();
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].source, "Show _Toolbar");
        assert_eq!(r[0].score, 99, "the accelerator penalty only: {r:?}");
        assert_eq!(r, m.search_exhaustive("ui", &q).unwrap());
        let q = query("Deleting %2 files");
        let r = m.search("ui", &q).unwrap();
        assert_eq!(r, m.search_exhaustive("ui", &q).unwrap());
        assert_eq!(r.first().map(|f| f.id), Some(2), "{r:?}");

        // What the rebuild wrote is what a plain load reads back, and the
        // next open does not rebuild again.
        let mem = m.memory("ui").unwrap();
        let live = crate::memory::tests::live_view(&mem.index.read().unwrap());
        let reread = super::super::load_index_from(&tree, false).unwrap();
        assert_eq!(live, crate::memory::tests::live_view(&reread));
        let snap = super::super::load_index(&tree).unwrap();
        assert_eq!(live, crate::memory::tests::live_view(&snap));
        assert!(rebuild_if_stale(&store, &tree, "ui", 4).unwrap().is_none());
    }

    #[test]
    fn interrupted_rebuild_is_redone() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let m = Memories::open(&store).unwrap();
            m.create("ui", "en", "ar", None).unwrap();
            m.add_units("ui", vec![draft("Save _All", "حفظ _الكل")])
                .unwrap();
            write_version_1_index(&store, "ui");
            // A crash after step 1: snapshot and dictionary gone, old blobs
            // left, no version.
            let tree = store.tree("tm:ui").unwrap();
            let mut b = Batch::new();
            b.remove(index::SNAP_KEY);
            tree.apply(b).unwrap();
            remove_prefix(&tree, b"d/").unwrap();
            store.flush_blocking().unwrap();
        }
        let store = reopen(dir.path());
        let m = Memories::open(&store).unwrap();
        let q = query("Save All");
        let r = m.search("ui", &q).unwrap();
        assert_eq!(r.first().map(|f| f.score), Some(99), "{r:?}");
        assert_eq!(r, m.search_exhaustive("ui", &q).unwrap());
    }
}
