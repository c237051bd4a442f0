//! The persistent search index of one memory and its in-memory form.
//!
//! Persistent part (in the memory's tree, written in the same batch as the
//! unit it describes):
//! * `d/<u32 be>` → dictionary entry: `ckey u32 be | class u8 | text` — the
//!   interned normalized token texts (and stem keys, which are interned in
//!   the same id space); class 1 is punctuation, 2 any other token, 3 a
//!   placeable (number, tag, placeholder: its stem key is its kind's);
//! * `t/<u64 be id>` → unit blob: `dedup hash u64 | modified µs i64 |
//!   n_source u16 | n_target u16 | token ids u32…` (both sides).
//!
//! In memory: the dictionary, a flat token arena, per-side postings (stem
//! key → sorted unit ordinals, one entry per occurrence), per-side length
//! buckets, and the dedup hash map. Deleted or replaced units keep their
//! ordinal, marked dead, and are skipped.
//!
//! # Snapshot (restart without reading a million keys)
//! Reading one `t/` key per unit back from sled costs microseconds each, so
//! a large memory also keeps a *snapshot*: the dictionary and the blobs of
//! all live units with ids below a bound, in a few large chunks:
//! * `snap` → header: `magic u32 | bound u64 | chunks u32 | bytes u64` (LE);
//! * `s/<u32 be>` → chunk `i` of the encoding (see [`Index::encode_snapshot`]);
//! * `c/<u64 be id>` → empty: unit `id < bound` changed (replaced, deleted,
//!   `modified` refreshed) after the snapshot was taken.
//!
//! `t/` and `d/` stay the source of truth and are always written; the
//! snapshot is a cache of them. At open the snapshot is decoded, then only
//! what changed since is read from the keys: `d/` entries past the
//! snapshot's dictionary, the `t/` blob (or its absence) of every id in
//! `c/`, and the `t/` blobs of ids `≥ bound` (ids are never reused, so new
//! units are exactly those). A snapshot that does not decode is ignored and
//! every `t/` key read, as before snapshots existed. A write refreshes the
//! snapshot once the changes since reach `SNAP_MIN_CHANGES` or an eighth
//! of the memory (so a large import's last batch writes one), never while an
//! import journal is open, so a journal roll-back never removes a unit a
//! snapshot holds.

use super::score::{self, ckey_string, placeable_key, token_weight, Tok, MAX_TOKENS};
use crate::text::Token;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Dictionary class of a placeable (weight class 2).
const PLACEABLE: u8 = 3;

/// Dictionary of interned strings.
#[derive(Debug, Default)]
pub struct Dict {
    map: HashMap<String, u32>,
    /// `(ckey, class)` per id (class 1 punctuation, 2 other, 3 placeable).
    entries: Vec<(u32, u8)>,
    /// Text per id (the map is keyed the other way).
    texts: Vec<Arc<str>>,
    /// Entries added since the last [`Dict::take_new`] (id, text).
    fresh: Vec<(u32, String)>,
    /// Words that can be near misses, for [`Dict::near_words`].
    near: NearIndex,
}

/// The scorer view of a dictionary entry.
fn tok_of(id: u32, ckey: u32, class: u8) -> Tok {
    Tok {
        id,
        ckey,
        w: if class == 1 { 1 } else { 2 },
        place: class == PLACEABLE,
    }
}

/// Words of the dictionary that can be near misses ([`score::near_cost`]),
/// sorted by text so that words sharing a prefix share the rows of the
/// edit-distance table (a trie walked as a list), plus the words added
/// since the last sort, scanned one by one until there are
/// [`NEAR_RECENT`] of them.
#[derive(Debug, Default)]
struct NearIndex {
    sorted: Vec<u32>,
    recent: Vec<u32>,
    /// Near misses in `sorted` of recently searched words (cleared when
    /// `sorted` changes).
    cache: Mutex<HashMap<String, NearList>>,
}

/// Near misses of one word: `(dictionary id, cost)`.
type NearList = Arc<Vec<(u32, u32)>>;

/// Words added before [`NearIndex::sorted`] is rebuilt.
const NEAR_RECENT: usize = 512;
/// Searched words whose near misses are kept.
const NEAR_CACHE: usize = 20_000;

fn near_candidate(text: &str, class: u8) -> bool {
    class == 2
        && text.chars().nth(score::MIN_NEAR_CHARS - 1).is_some()
        && !text.starts_with('\u{1}')
}

impl Dict {
    /// Number of ids.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Id of `s` if interned.
    pub fn get(&self, s: &str) -> Option<u32> {
        self.map.get(s).copied()
    }

    /// `(ckey, class)` of an id.
    pub fn entry(&self, id: u32) -> (u32, u8) {
        self.entries.get(id as usize).copied().unwrap_or((id, 2))
    }

    /// The scorer view of an id.
    pub fn tok(&self, id: u32) -> Tok {
        let (ckey, class) = self.entry(id);
        tok_of(id, ckey, class)
    }

    /// The text of an id.
    pub fn text(&self, id: u32) -> &str {
        self.texts.get(id as usize).map_or("", |t| t)
    }

    fn intern_raw(&mut self, s: &str, class: u8) -> u32 {
        if let Some(id) = self.map.get(s) {
            return *id;
        }
        let id = self.entries.len() as u32;
        self.map.insert(s.to_string(), id);
        self.entries.push((id, class));
        self.texts.push(Arc::from(s));
        self.fresh.push((id, s.to_string()));
        // Stem keys too: the text may later be a token of its own.
        if near_candidate(s, class) {
            self.near_add(id);
        }
        id
    }

    /// Interns a token, its stem key and returns the scorer view.
    pub fn intern(&mut self, t: &Token) -> Tok {
        if let Some(id) = self.map.get(&t.norm) {
            return self.tok(*id);
        }
        let place = placeable_key(t.kind, &t.norm).is_some();
        let class = if place {
            PLACEABLE
        } else {
            token_weight(t.kind)
        };
        let ck = ckey_string(&t.norm, t.kind);
        let ckey = if ck == t.norm {
            None
        } else {
            // A stem key is interned as an entry of its own (ckey = itself).
            Some(self.intern_raw(&ck, if place { PLACEABLE } else { 2 }))
        };
        let id = self.intern_raw(&t.norm, class);
        let ckey = ckey.unwrap_or(id);
        if let Some(e) = self.entries.get_mut(id as usize) {
            e.0 = ckey;
        }
        tok_of(id, ckey, class)
    }

    fn near_add(&mut self, id: u32) {
        self.near.recent.push(id);
        if self.near.recent.len() >= NEAR_RECENT {
            self.near_sort();
        }
    }

    /// Moves the recent words into the sorted list.
    fn near_sort(&mut self) {
        let texts = &self.texts;
        let key = |id: &u32| {
            texts
                .get(*id as usize)
                .cloned()
                .unwrap_or_else(|| Arc::from(""))
        };
        let mut all = std::mem::take(&mut self.near.sorted);
        all.append(&mut self.near.recent);
        all.sort_by_cached_key(key);
        all.dedup();
        self.near.sorted = all;
        if let Ok(mut c) = self.near.cache.lock() {
            c.clear();
        }
    }

    /// Every dictionary word that is a near miss of `word` (a normalized
    /// query token), with its cost: exactly the words `w` with
    /// `score::near_cost(word, w)` some, found by walking the sorted words
    /// with a shared edit-distance table and skipping every prefix already
    /// more than the allowed edits away.
    pub fn near_words(&self, word: &str) -> NearList {
        let cached = self
            .near
            .cache
            .lock()
            .ok()
            .and_then(|c| c.get(word).cloned());
        let sorted = match cached {
            Some(v) => v,
            None => {
                let v = Arc::new(self.near_walk(word));
                if let Ok(mut c) = self.near.cache.lock() {
                    if c.len() >= NEAR_CACHE {
                        c.clear();
                    }
                    c.insert(word.to_string(), v.clone());
                }
                v
            }
        };
        if self.near.recent.is_empty() {
            return sorted;
        }
        let mut all: Vec<(u32, u32)> = sorted.as_ref().clone();
        for &id in &self.near.recent {
            if let Some(c) = score::near_cost(word, self.text(id)) {
                all.push((id, c));
            }
        }
        Arc::new(all)
    }

    /// The reference for [`Dict::near_words`]: every dictionary word tried.
    pub fn near_words_exhaustive(&self, word: &str) -> Vec<(u32, u32)> {
        (0..self.entries.len() as u32)
            .filter(|&id| near_candidate(self.text(id), self.entry(id).1))
            .filter_map(|id| score::near_cost(word, self.text(id)).map(|c| (id, c)))
            .collect()
    }

    fn near_walk(&self, word: &str) -> Vec<(u32, u32)> {
        let a: Vec<char> = word.chars().collect();
        let la = a.len();
        let mut out = Vec::new();
        if la < score::MIN_NEAR_CHARS {
            return out;
        }
        let k = score::MAX_NEAR_EDITS.min(la / 2);
        let width = la + 1;
        // rows[t·width..] = edit distances of a's prefixes to the walked
        // word's first t chars; `path` = those chars.
        let mut rows: Vec<usize> = (0..=la).collect();
        let mut path: Vec<char> = Vec::new();
        let list = &self.near.sorted;
        let mut at = 0;
        while at < list.len() {
            let id = list[at];
            let w = self.text(id);
            let shared = path
                .iter()
                .zip(w.chars())
                .take_while(|(p, c)| *p == c)
                .count();
            path.truncate(shared);
            rows.truncate((shared + 1) * width);
            let mut dead_at = None;
            for c in w.chars().skip(shared) {
                let t = path.len();
                if t + 1 > la + k {
                    dead_at = Some(t + 1);
                    break;
                }
                let base = t * width;
                let mut row_min = t + 1;
                rows.push(t + 1);
                for i in 1..=la {
                    let sub = rows[base + i - 1] + usize::from(a[i - 1] != c);
                    let v = sub
                        .min(rows[base + i] + 1)
                        .min(rows[base + width + i - 1] + 1);
                    rows.push(v);
                    row_min = row_min.min(v);
                }
                path.push(c);
                if row_min > k {
                    dead_at = Some(t + 1);
                    break;
                }
            }
            match dead_at {
                Some(depth) => {
                    // Every word starting with these `depth` chars is as far.
                    let end = w.char_indices().nth(depth).map_or(w.len(), |(b, _)| b);
                    let prefix = &w[..end];
                    at += list[at..].partition_point(|&x| self.text(x).starts_with(prefix));
                }
                None => {
                    let lb = path.len();
                    let e = rows[lb * width + la];
                    if let Some(c) = score::near_cost_of(e, la, lb) {
                        out.push((id, c));
                    }
                    at += 1;
                }
            }
        }
        out
    }

    /// The scorer view of a token without interning: unknown texts get ids
    /// past the dictionary (`next_local`), so they equal nothing stored.
    pub fn resolve(&self, t: &Token, local: &mut HashMap<String, u32>) -> Tok {
        if let Some(id) = self.map.get(&t.norm) {
            return self.tok(*id);
        }
        let base = self.entries.len() as u32;
        let mut local_id = |s: &str| -> u32 {
            if let Some(id) = self.map.get(s) {
                return *id;
            }
            let n = base.saturating_add(local.len() as u32);
            *local.entry(s.to_string()).or_insert(n)
        };
        let id = local_id(&t.norm);
        let ck = ckey_string(&t.norm, t.kind);
        let ckey = if ck == t.norm { id } else { local_id(&ck) };
        Tok {
            id,
            ckey,
            w: token_weight(t.kind),
            place: placeable_key(t.kind, &t.norm).is_some(),
        }
    }

    /// Encoded `(key, value)` of the entries added since the last call.
    pub fn take_new(&mut self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let fresh = std::mem::take(&mut self.fresh);
        fresh
            .into_iter()
            .map(|(id, s)| {
                let (ckey, w) = self.entry(id);
                let mut v = Vec::with_capacity(5 + s.len());
                v.extend_from_slice(&ckey.to_be_bytes());
                v.push(w);
                v.extend_from_slice(s.as_bytes());
                let mut k = b"d/".to_vec();
                k.extend_from_slice(&id.to_be_bytes());
                (k, v)
            })
            .collect()
    }

    /// Forgets the fresh list (after a successful write).
    pub fn clear_fresh(&mut self) {
        self.fresh.clear();
    }

    /// Texts by id (for the snapshot).
    fn texts(&self) -> Vec<&str> {
        (0..self.entries.len() as u32)
            .map(|id| self.text(id))
            .collect()
    }

    /// Loads one `d/` entry.
    pub fn load_entry(&mut self, key: &[u8], value: &[u8]) -> bool {
        let id = match key.get(2..6).and_then(|b| <[u8; 4]>::try_from(b).ok()) {
            Some(b) => u32::from_be_bytes(b),
            None => return false,
        };
        let (ckey, w, text) = match (value.get(0..4), value.get(4), value.get(5..)) {
            (Some(c), Some(w), Some(t)) => match (<[u8; 4]>::try_from(c), std::str::from_utf8(t)) {
                (Ok(c), Ok(t)) => (u32::from_be_bytes(c), *w, t),
                _ => return false,
            },
            _ => return false,
        };
        let idx = id as usize;
        if self.entries.len() <= idx {
            self.entries.resize(idx + 1, (u32::MAX, 2));
            self.texts.resize(idx + 1, Arc::from(""));
        }
        self.entries[idx] = (ckey, w);
        self.texts[idx] = Arc::from(text);
        self.map.insert(text.to_string(), id);
        if near_candidate(text, w) {
            // Sorted as the list doubles, and once more by
            // [`Dict::finish_loading`]: a load costs O(n log n), not a sort
            // per NEAR_RECENT entries.
            self.near.recent.push(id);
            if self.near.recent.len() >= NEAR_RECENT.max(self.near.sorted.len()) {
                self.near_sort();
            }
        }
        true
    }

    /// After the last [`Dict::load_entry`]: every word in the sorted list.
    pub fn finish_loading(&mut self) {
        if !self.near.recent.is_empty() {
            self.near_sort();
        }
    }
}

/// Per-unit record of the in-memory index.
#[derive(Debug, Clone)]
pub struct UnitRec {
    /// Unit id.
    pub id: u64,
    /// `modified` in µs since the epoch (tie-break without loading the unit).
    pub modified: i64,
    /// Dedup hash.
    pub hash: u64,
    off: usize,
    ns: u16,
    nt: u16,
    /// Weighted lengths of source and target.
    pub lens: [u32; 2],
    /// False once deleted or replaced.
    pub alive: bool,
}

/// Postings and length buckets of one side.
#[derive(Debug, Default)]
pub struct SideIndex {
    /// Stem key id → unit ordinals (one per occurrence, ascending).
    pub postings: Vec<Vec<u32>>,
    /// Weighted length → unit ordinals.
    pub by_len: BTreeMap<u32, Vec<u32>>,
}

/// The in-memory index of one memory.
#[derive(Debug, Default)]
pub struct Index {
    /// Dictionary.
    pub dict: Dict,
    /// Units by ordinal.
    pub units: Vec<UnitRec>,
    arena: Vec<u32>,
    /// Parallel to `arena`: each token's stem key with its weight packed in
    /// (see [`pack_key`]). Candidate checks read a unit's keys for every
    /// candidate; looking each id up in the dictionary was a cache miss per
    /// token and most of a slow query's time at a million units.
    keys: Vec<u32>,
    /// Weighted lengths by ordinal, `[0, 0]` once dead: the candidate loop's
    /// first check reads 4 bytes per unit instead of a whole record.
    pub short_lens: Vec<[u16; 2]>,
    /// Source side (0) and target side (1).
    pub sides: [SideIndex; 2],
    /// Unit id → ordinal of the live record.
    pub by_id: HashMap<u64, u32>,
    /// Dedup hashes of the live units, built on first use: only writes
    /// need it, and its million random inserts were a third of a restart.
    hashes: std::sync::OnceLock<HashIndex>,
    /// Live units.
    pub alive: u64,
    /// Ids below this are covered by the stored snapshot (0: none).
    pub snap_bound: u64,
    /// Chunks of the stored snapshot.
    snap_chunks: u32,
    /// Ids `< snap_bound` changed since the snapshot (their `c/` keys).
    snap_log: HashSet<u64>,
    /// Units pushed since the snapshot (what a restart reads key by key).
    snap_tail: u64,
}

/// Dedup hash → live ordinals.
#[derive(Debug, Default)]
struct HashIndex {
    /// Dedup hash → ordinal of one live unit with that hash (one map entry
    /// per unit, no per-unit allocation).
    by_hash: HashMap<u64, u32>,
    /// Further live ordinals sharing a hash (identical content in other
    /// contexts is hashed apart, so this stays tiny).
    hash_more: HashMap<u64, Vec<u32>>,
}

impl HashIndex {
    fn add(&mut self, hash: u64, ord: u32) {
        match self.by_hash.entry(hash) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(ord);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.hash_more.entry(hash).or_default().push(ord);
            }
        }
    }

    fn remove(&mut self, h: u64, ord: u32) {
        if self.by_hash.get(&h) == Some(&ord) {
            // Promote another ordinal with this hash, if any.
            let next = self.hash_more.get_mut(&h).and_then(Vec::pop);
            match next {
                Some(o) => {
                    self.by_hash.insert(h, o);
                }
                None => {
                    self.by_hash.remove(&h);
                }
            }
        } else if let Some(v) = self.hash_more.get_mut(&h) {
            v.retain(|o| *o != ord);
        }
        if self.hash_more.get(&h).is_some_and(Vec::is_empty) {
            self.hash_more.remove(&h);
        }
    }
}

/// Key of the snapshot header.
pub const SNAP_KEY: &[u8] = b"snap";
/// Prefix of the snapshot chunks.
pub const SNAP_CHUNK_PREFIX: &[u8] = b"s/";
/// Prefix of the change log since the snapshot.
pub const SNAP_LOG_PREFIX: &[u8] = b"c/";
const SNAP_MAGIC: u32 = 0x4d53_4e31;
/// Chunk size: large values go to sled's blob files, so a restart reads a
/// few files instead of walking a million tree entries.
const SNAP_CHUNK: usize = 8 << 20;
/// Changes since the snapshot that make a write refresh it (at least this
/// many, and at least an eighth of the memory, so the refresh — linear in
/// the memory's size — stays a small share of the writes it follows).
const SNAP_MIN_CHANGES: u64 = 50_000;

/// Snapshot header: `(bound, chunks, bytes)`.
pub fn decode_snap_header(v: &[u8]) -> Option<(u64, u32, u64)> {
    let magic = u32::from_le_bytes(v.get(0..4)?.try_into().ok()?);
    if magic != SNAP_MAGIC {
        return None;
    }
    let bound = u64::from_le_bytes(v.get(4..12)?.try_into().ok()?);
    let chunks = u32::from_le_bytes(v.get(12..16)?.try_into().ok()?);
    let bytes = u64::from_le_bytes(v.get(16..24)?.try_into().ok()?);
    Some((bound, chunks, bytes))
}

/// Key of snapshot chunk `i`.
pub fn snap_chunk_key(i: u32) -> Vec<u8> {
    let mut k = SNAP_CHUNK_PREFIX.to_vec();
    k.extend_from_slice(&i.to_be_bytes());
    k
}

/// Sequential little-endian reader over a snapshot.
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

const PUNCT_BIT: u32 = 1 << 31;
const PLACE_BIT: u32 = 1 << 30;

/// A stem key with its token's class (the top bit set for punctuation,
/// the next one for placeables). Dictionary ids stay below 2³⁰: each takes
/// far more than 8 bytes of RAM.
pub fn pack_key(ckey: u32, class: u8) -> u32 {
    (ckey & !(PUNCT_BIT | PLACE_BIT))
        | match class {
            1 => PUNCT_BIT,
            PLACEABLE => PLACE_BIT,
            _ => 0,
        }
}

/// The stem key of a packed key.
pub fn key_ckey(k: u32) -> u32 {
    k & !(PUNCT_BIT | PLACE_BIT)
}

/// The weight class of a packed key (1 punctuation, 2 other).
pub fn key_weight(k: u32) -> u8 {
    if k & PUNCT_BIT == 0 {
        2
    } else {
        1
    }
}

/// Whether a packed key is a placeable's.
pub fn key_placeable(k: u32) -> bool {
    k & PLACE_BIT != 0
}

/// Encodes a unit blob.
pub fn encode_blob(hash: u64, modified: i64, src: &[u32], tgt: &[u32]) -> Vec<u8> {
    let mut v = Vec::with_capacity(20 + 4 * (src.len() + tgt.len()));
    v.extend_from_slice(&hash.to_be_bytes());
    v.extend_from_slice(&modified.to_be_bytes());
    v.extend_from_slice(&(src.len() as u16).to_be_bytes());
    v.extend_from_slice(&(tgt.len() as u16).to_be_bytes());
    for id in src.iter().chain(tgt) {
        v.extend_from_slice(&id.to_be_bytes());
    }
    v
}

/// Decodes a unit blob into reused buffers; returns `(hash, modified)`.
pub fn decode_blob_into(v: &[u8], src: &mut Vec<u32>, tgt: &mut Vec<u32>) -> Option<(u64, i64)> {
    let hash = u64::from_be_bytes(v.get(0..8)?.try_into().ok()?);
    let modified = i64::from_be_bytes(v.get(8..16)?.try_into().ok()?);
    let ns = u16::from_be_bytes(v.get(16..18)?.try_into().ok()?) as usize;
    let nt = u16::from_be_bytes(v.get(18..20)?.try_into().ok()?) as usize;
    let body = v.get(20..20 + 4 * (ns + nt))?;
    let (a, b) = body.split_at(4 * ns);
    let read = |bytes: &[u8], out: &mut Vec<u32>| {
        out.clear();
        out.extend(
            bytes
                .chunks_exact(4)
                .filter_map(|c| c.try_into().ok().map(u32::from_be_bytes)),
        );
    };
    read(a, src);
    read(b, tgt);
    Some((hash, modified))
}

/// Decodes a unit blob into `(hash, modified, source ids, target ids)`.
pub fn decode_blob(v: &[u8]) -> Option<(u64, i64, Vec<u32>, Vec<u32>)> {
    let hash = u64::from_be_bytes(v.get(0..8)?.try_into().ok()?);
    let modified = i64::from_be_bytes(v.get(8..16)?.try_into().ok()?);
    let ns = u16::from_be_bytes(v.get(16..18)?.try_into().ok()?) as usize;
    let nt = u16::from_be_bytes(v.get(18..20)?.try_into().ok()?) as usize;
    let body = v.get(20..20 + 4 * (ns + nt))?;
    let ids: Vec<u32> = body
        .chunks_exact(4)
        .filter_map(|c| c.try_into().ok().map(u32::from_be_bytes))
        .collect();
    let (s, t) = ids.split_at(ns.min(ids.len()));
    Some((hash, modified, s.to_vec(), t.to_vec()))
}

impl Index {
    /// Arena range of side `side` (0 source, 1 target) of ordinal `ord`;
    /// token ids and stem keys are stored at the same positions.
    fn side_range(&self, ord: u32, side: usize) -> std::ops::Range<usize> {
        let Some(u) = self.units.get(ord as usize) else {
            return 0..0;
        };
        let (ns, nt) = (u.ns as usize, u.nt as usize);
        if side == 0 {
            u.off..u.off + ns
        } else {
            u.off + ns..u.off + ns + nt
        }
    }

    /// Token ids of side `side` (0 source, 1 target) of ordinal `ord`.
    pub fn side_ids(&self, ord: u32, side: usize) -> &[u32] {
        self.arena.get(self.side_range(ord, side)).unwrap_or(&[])
    }

    /// Packed stem keys ([`pack_key`]) of side `side` of ordinal `ord`.
    pub fn side_keys(&self, ord: u32, side: usize) -> &[u32] {
        self.keys.get(self.side_range(ord, side)).unwrap_or(&[])
    }

    /// Scorer view of a stored side.
    pub fn side_toks(&self, ord: u32, side: usize, out: &mut Vec<Tok>) {
        out.clear();
        let ids = self.side_ids(ord, side);
        let keys = self.side_keys(ord, side);
        for (&id, &k) in ids.iter().zip(keys) {
            out.push(Tok {
                id,
                ckey: key_ckey(k),
                w: key_weight(k),
                place: key_placeable(k),
            });
        }
    }

    /// Adds a unit (its ids already interned); returns its ordinal.
    pub fn push(&mut self, id: u64, hash: u64, modified: i64, src: &[u32], tgt: &[u32]) -> u32 {
        self.push_inner(id, hash, modified, src, tgt, true)
    }

    /// [`Index::push`]; `postings` false (snapshot load: new ids only)
    /// leaves them to [`Index::build_postings`].
    fn push_inner(
        &mut self,
        id: u64,
        hash: u64,
        modified: i64,
        src: &[u32],
        tgt: &[u32],
        postings: bool,
    ) -> u32 {
        let src = &src[..src.len().min(MAX_TOKENS)];
        let tgt = &tgt[..tgt.len().min(MAX_TOKENS)];
        // A snapshot's ids are checked to be ascending: none is there yet.
        if postings {
            if let Some(old) = self.by_id.get(&id).copied() {
                self.kill(old);
            }
        }
        let ord = self.units.len() as u32;
        let off = self.arena.len();
        self.arena.extend_from_slice(src);
        self.arena.extend_from_slice(tgt);
        let mut lens = [0u32; 2];
        for (side, ids) in [src, tgt].into_iter().enumerate() {
            for &tid in ids {
                let (ckey, class) = self.dict.entry(tid);
                self.keys.push(pack_key(ckey, class));
                lens[side] += score::weight_of(class);
                if !postings {
                    continue;
                }
                let p = &mut self.sides[side].postings;
                let ck = ckey as usize;
                if p.len() <= ck {
                    p.resize_with(ck + 1, Vec::new);
                }
                p[ck].push(ord);
            }
            self.sides[side]
                .by_len
                .entry(lens[side])
                .or_default()
                .push(ord);
        }
        let short = |l: u32| u16::try_from(l).unwrap_or(u16::MAX);
        self.short_lens.push([short(lens[0]), short(lens[1])]);
        self.units.push(UnitRec {
            id,
            modified,
            hash,
            off,
            ns: src.len() as u16,
            nt: tgt.len() as u16,
            lens,
            alive: true,
        });
        self.by_id.insert(id, ord);
        // Not built yet: it will be, from the live units, this one included.
        if let Some(h) = self.hashes.get_mut() {
            h.add(hash, ord);
        }
        self.alive += 1;
        self.snap_tail += 1;
        ord
    }

    /// The postings of one side from the arena, as [`Index::push`] builds
    /// them one unit at a time (every ordinal, ascending, one entry per
    /// occurrence), but with each list allocated once at its final size.
    fn build_postings(&self, side: usize) -> Vec<Vec<u32>> {
        let mut df: Vec<u32> = Vec::new();
        for ord in 0..self.units.len() as u32 {
            for &k in self.side_keys(ord, side) {
                let ck = key_ckey(k) as usize;
                if df.len() <= ck {
                    df.resize(ck + 1, 0);
                }
                df[ck] += 1;
            }
        }
        let mut p: Vec<Vec<u32>> = df.iter().map(|&n| Vec::with_capacity(n as usize)).collect();
        for ord in 0..self.units.len() as u32 {
            for &k in self.side_keys(ord, side) {
                if let Some(list) = p.get_mut(key_ckey(k) as usize) {
                    list.push(ord);
                }
            }
        }
        p
    }

    /// Marks an ordinal dead (postings are left; readers skip dead units).
    pub fn kill(&mut self, ord: u32) {
        if let Some(u) = self.units.get_mut(ord as usize) {
            if u.alive {
                u.alive = false;
                if let Some(l) = self.short_lens.get_mut(ord as usize) {
                    *l = [0, 0];
                }
                self.alive = self.alive.saturating_sub(1);
                if self.by_id.get(&u.id) == Some(&ord) {
                    self.by_id.remove(&u.id);
                }
                let h = u.hash;
                if let Some(hi) = self.hashes.get_mut() {
                    hi.remove(h, ord);
                }
            }
        }
    }

    /// Records that unit `id` changed: an id the snapshot holds gets a `c/`
    /// key in the same batch, so a restart reads its current blob.
    pub fn log_change(&mut self, id: u64, batch: &mut crate::store::Batch) {
        if id < self.snap_bound && self.snap_log.insert(id) {
            batch.insert(&crate::store::key_u64(SNAP_LOG_PREFIX, id), b"");
        }
    }

    /// Whether enough changed since the snapshot to write a new one.
    pub fn snapshot_due(&self) -> bool {
        let changes = self.snap_tail + self.snap_log.len() as u64;
        changes >= SNAP_MIN_CHANGES.max(self.alive / 8)
    }

    /// Encodes the dictionary and the live units:
    /// `dict_len u32 | (ckey u32 | class u8 | len u32 | text)… | units u32 |
    /// (id u64 | modified i64 | hash u64 | ns u16 | nt u16 | ids u32…)…`,
    /// all little-endian.
    pub fn encode_snapshot(&self) -> Vec<u8> {
        let texts = self.dict.texts();
        let text_bytes: usize = texts.iter().map(|t| t.len() + 9).sum();
        let mut v =
            Vec::with_capacity(8 + text_bytes + 32 * self.units.len() + 4 * self.arena.len());
        v.extend_from_slice(&(texts.len() as u32).to_le_bytes());
        for (id, t) in texts.iter().enumerate() {
            let (ckey, w) = self.dict.entry(id as u32);
            v.extend_from_slice(&ckey.to_le_bytes());
            v.push(w);
            v.extend_from_slice(&(t.len() as u32).to_le_bytes());
            v.extend_from_slice(t.as_bytes());
        }
        v.extend_from_slice(&(self.alive as u32).to_le_bytes());
        // In id order, so a load can tell ids are unique by looking at
        // neighbours instead of probing a map per unit.
        let mut live: Vec<(u64, u32)> = self
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.alive)
            .map(|(ord, u)| (u.id, ord as u32))
            .collect();
        live.sort_unstable();
        for (_, ord) in live {
            let Some(u) = self.units.get(ord as usize) else {
                continue;
            };
            v.extend_from_slice(&u.id.to_le_bytes());
            v.extend_from_slice(&u.modified.to_le_bytes());
            v.extend_from_slice(&u.hash.to_le_bytes());
            v.extend_from_slice(&u.ns.to_le_bytes());
            v.extend_from_slice(&u.nt.to_le_bytes());
            for side in 0..2 {
                for id in self.side_ids(ord, side) {
                    v.extend_from_slice(&id.to_le_bytes());
                }
            }
        }
        v
    }

    /// Loads a snapshot into an empty index; `None` when it does not decode
    /// (the caller then starts over from the keys).
    pub fn load_snapshot(&mut self, bytes: &[u8], bound: u64) -> Option<()> {
        let mut r = Reader { b: bytes, at: 0 };
        let n = r.u32()? as usize;
        // Sizes come from the file: reserve no more than it can hold.
        self.dict.entries.reserve(n.min(bytes.len() / 9));
        self.dict.map.reserve(n.min(bytes.len() / 9));
        for id in 0..n {
            let ckey = r.u32()?;
            let w = r.u8()?;
            let len = r.u32()? as usize;
            let text = std::str::from_utf8(r.take(len)?).ok()?;
            self.dict.entries.push((ckey, w));
            self.dict.texts.push(Arc::from(text));
            self.dict.map.insert(text.to_string(), id as u32);
            if near_candidate(text, w) {
                self.dict.near.recent.push(id as u32);
            }
        }
        self.dict.near_sort();
        let units = r.u32()? as usize;
        let cap = units.min(bytes.len() / 28);
        self.units.reserve(cap);
        self.by_id.reserve(cap);
        // At most one token per 4 bytes left (untouched capacity costs no
        // RAM); growing these arrays by copying was a tenth of a load.
        let tokens = (bytes.len() - r.at) / 4;
        self.arena.reserve(tokens);
        self.keys.reserve(tokens);
        self.short_lens.reserve(cap);
        let (mut src, mut tgt) = (Vec::new(), Vec::new());
        let mut last = None;
        for _ in 0..units {
            let id = r.u64()?;
            if last.is_some_and(|l| l >= id) {
                return None;
            }
            last = Some(id);
            let modified = r.u64()? as i64;
            let hash = r.u64()?;
            let ns = r.u16()? as usize;
            let nt = r.u16()? as usize;
            let ids = r.take(4 * (ns + nt))?;
            src.clear();
            tgt.clear();
            for (i, c) in ids.chunks_exact(4).enumerate() {
                let t = u32::from_le_bytes(c.try_into().ok()?);
                if t as usize >= n {
                    return None;
                }
                if i < ns {
                    src.push(t);
                } else {
                    tgt.push(t);
                }
            }
            self.push_inner(id, hash, modified, &src, &tgt, false);
        }
        if r.at != bytes.len() {
            return None;
        }
        // Postings are most of a restart's work and the two sides are
        // independent: build them on two threads.
        let (p0, p1) = std::thread::scope(|scope| {
            let other = scope.spawn(|| self.build_postings(1));
            let p0 = self.build_postings(0);
            (p0, other.join().ok())
        });
        self.sides[0].postings = p0;
        self.sides[1].postings = match p1 {
            Some(p) => p,
            None => self.build_postings(1),
        };
        self.snap_bound = bound;
        self.snap_tail = 0;
        Some(())
    }

    /// Queues a fresh snapshot (ids below `bound`) in `batch`, replacing the
    /// stored one and clearing the change log.
    pub fn stage_snapshot(&mut self, bound: u64, batch: &mut crate::store::Batch) {
        let bytes = self.encode_snapshot();
        let mut chunks = 0u32;
        for c in bytes.chunks(SNAP_CHUNK) {
            batch.insert(&snap_chunk_key(chunks), c);
            chunks += 1;
        }
        for i in chunks..self.snap_chunks {
            batch.remove(&snap_chunk_key(i));
        }
        let mut h = Vec::with_capacity(24);
        h.extend_from_slice(&SNAP_MAGIC.to_le_bytes());
        h.extend_from_slice(&bound.to_le_bytes());
        h.extend_from_slice(&chunks.to_le_bytes());
        h.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        batch.insert(SNAP_KEY, &h);
        for id in self.snap_log.drain() {
            batch.remove(&crate::store::key_u64(SNAP_LOG_PREFIX, id));
        }
        self.snap_bound = bound;
        self.snap_chunks = chunks;
        self.snap_tail = 0;
    }

    /// After a snapshot load: the stored chunk count and a logged id.
    pub fn set_snapshot_state(&mut self, chunks: u32, log: impl IntoIterator<Item = u64>) {
        self.snap_chunks = chunks;
        self.snap_log.extend(log);
    }

    /// Live ordinals with this dedup hash.
    pub fn with_hash(&self, hash: u64) -> Vec<u32> {
        let hi = self.hashes.get_or_init(|| {
            let mut hi = HashIndex::default();
            hi.by_hash.reserve(self.alive as usize);
            for (ord, u) in self.units.iter().enumerate() {
                if u.alive {
                    hi.add(u.hash, ord as u32);
                }
            }
            hi
        });
        let mut v: Vec<u32> = hi.by_hash.get(&hash).copied().into_iter().collect();
        if let Some(more) = hi.hash_more.get(&hash) {
            v.extend_from_slice(more);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_map_tracks_live_units() {
        let mut idx = Index::default();
        let a = idx.push(1, 77, 0, &[], &[]);
        let b = idx.push(2, 77, 0, &[], &[]);
        let c = idx.push(3, 77, 0, &[], &[]);
        assert_eq!(idx.with_hash(77), vec![a, b, c]);
        idx.kill(a);
        let mut left = idx.with_hash(77);
        left.sort();
        assert_eq!(left, vec![b, c]);
        idx.kill(c);
        assert_eq!(idx.with_hash(77), vec![b]);
        idx.kill(b);
        assert!(idx.with_hash(77).is_empty());
        assert_eq!(idx.alive, 0);
    }

    #[test]
    fn blob_round_trips() {
        let b = encode_blob(7, -3, &[1, 2, 3], &[9]);
        assert_eq!(decode_blob(&b), Some((7, -3, vec![1, 2, 3], vec![9])));
        assert_eq!(decode_blob(&b[..10]), None);
        let (mut s, mut t) = (vec![5], Vec::new());
        assert_eq!(decode_blob_into(&b, &mut s, &mut t), Some((7, -3)));
        assert_eq!((s, t), (vec![1, 2, 3], vec![9]));
    }

    proptest::proptest! {
        /// The sorted walk finds exactly what trying every word finds, for
        /// words in the sorted list and in the recent one.
        #[test]
        fn near_words_are_exactly_the_near_misses(
            sorted in proptest::collection::vec("[a-dé]{1,8}", 0..80),
            recent in proptest::collection::vec("[a-dé]{1,8}", 0..20),
            q in "[a-dé]{1,9}",
        ) {
            let mut d = Dict::default();
            let add = |d: &mut Dict, words: &[String]| {
                for w in words {
                    for t in crate::text::tokenize(w) {
                        d.intern(&t);
                    }
                }
            };
            add(&mut d, &sorted);
            d.finish_loading();
            add(&mut d, &recent);
            let mut got = d.near_words(&q).as_ref().clone();
            got.sort_unstable();
            let mut want = d.near_words_exhaustive(&q);
            want.sort_unstable();
            proptest::prop_assert_eq!(&got, &want);
            // And again from the cache.
            let mut again = d.near_words(&q).as_ref().clone();
            again.sort_unstable();
            proptest::prop_assert_eq!(again, want);
        }
    }

    #[test]
    fn dictionary_round_trips_through_entries() {
        let mut d = Dict::default();
        let toks = crate::text::tokenize("الملف ملف .");
        let v: Vec<Tok> = toks.iter().map(|t| d.intern(t)).collect();
        let entries = d.take_new();
        let mut e = Dict::default();
        for (k, val) in &entries {
            assert!(e.load_entry(k, val));
        }
        let again: Vec<Tok> = toks
            .iter()
            .map(|t| e.resolve(t, &mut HashMap::new()))
            .collect();
        assert_eq!(v, again);
    }
}
