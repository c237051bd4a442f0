//! Persistent storage: a thin, typed wrapper over the embedded sled database.
//!
//! Nothing outside this module names sled. The domain sees [`Store`] (the
//! database), [`Tree`] (one ordered key space; every term base and memory owns
//! one tree, with its own key prefixes, so a multi-key write to one collection
//! is a single atomic [`Batch`]) and big-endian key helpers so that keys sort
//! in numeric order.
//!
//! # Durability rule
//! sled keeps recent writes in memory and flushes them every 500 ms. A write
//! acknowledged over HTTP must survive `kill -9`, so every handler that
//! changes data calls [`Store::flush`] after its last write and before it
//! answers; a request that carries many writes groups them and flushes once.
//!
//! # Storage failures
//! sled stops writing for good after an I/O error (a full disk, a failing
//! device): every later write returns the same error until the database is
//! opened again. The store remembers the first such failure
//! ([`Store::failure`]): later writes are refused at once with it
//! ([`Error::NoSpace`] or [`Error::Failed`]) without touching sled, reads
//! go on from what is stored, `/readyz` reports it, and the server restarts
//! itself once the disk takes writes again (see `app`).
//!
//! # Schema version
//! The key `schema_version` in the default tree holds [`SCHEMA_VERSION`]; a
//! data dir written by another version is refused with a clear error, except
//! that a version listed in [`UPGRADABLE`] is accepted and marked current.
//!
//! * 1: the first layout.
//! * 2: translation memories add an index snapshot with a change log
//!   (`snap`, `s/`, `c/`, see `memory::index`). A version-1 dir is a valid
//!   version-2 dir without a snapshot; a version-1 build must not write to a
//!   version-2 dir, as it would not log its changes for the snapshot.

mod error;

pub use error::{Error, Result};

use serde::{de::DeserializeOwned, Serialize};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The on-disk layout version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 2;
/// Older versions this build reads as they are (and then marks current).
const UPGRADABLE: &[u32] = &[1];
const SCHEMA_KEY: &[u8] = b"schema_version";
/// Attempts (50 ms apart) to take the data dir's lock before giving up.
const LOCK_RETRIES: u32 = 40;

/// The opened database.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    health: Arc<Health>,
}

/// The first storage failure seen, shared by the store and its trees.
#[derive(Default)]
struct Health {
    failure: Mutex<Option<Error>>,
    /// Fault injection: writes still allowed, then the OS error number the
    /// next one fails with.
    injected: Mutex<Option<(u32, i32)>>,
}

impl Health {
    /// Refuses a write when the store has failed; fails it when a fault is
    /// injected.
    fn before_write(&self) -> Result<()> {
        if let Some(f) = lock(&self.failure).as_ref() {
            return Err(copy_failure(f));
        }
        let fail = {
            let mut injected = lock(&self.injected);
            match injected.as_mut() {
                Some((0, errno)) => {
                    let errno = *errno;
                    *injected = None;
                    Some(errno)
                }
                Some((left, _)) => {
                    *left -= 1;
                    None
                }
                None => None,
            }
        };
        match fail {
            Some(errno) => {
                Err(self.record(sled::Error::Io(std::io::Error::from_raw_os_error(errno))))
            }
            None => Ok(()),
        }
    }

    /// Converts a sled error, remembering it when it is an I/O failure.
    fn record(&self, e: sled::Error) -> Error {
        let e = Error::from(e);
        if e.is_storage_failure() {
            let mut f = lock(&self.failure);
            if f.is_none() {
                tracing::error!(error = %e, "storage failure: writes are refused until restart");
                *f = Some(copy_failure(&e));
            }
        }
        e
    }

    /// Runs a write, refusing it after a failure and recording a new one.
    fn write<T>(&self, op: impl FnOnce() -> sled::Result<T>) -> Result<T> {
        self.before_write()?;
        op().map_err(|e| self.record(e))
    }
}

fn copy_failure(e: &Error) -> Error {
    match e {
        Error::NoSpace(m) => Error::NoSpace(m.clone()),
        other => Error::Failed(other.to_string()),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) the store in `dir`. Fails with [`Error::Locked`] when
    /// another process has it open and [`Error::SchemaMismatch`] when it was
    /// written by an incompatible version.
    pub fn open(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Engine(format!("{}: {e}", dir.display())))?;
        let config = sled::Config::new()
            .path(dir)
            .cache_capacity(256 * 1024 * 1024)
            .flush_every_ms(Some(500));
        // sled releases its file lock when the last handle of a database
        // is gone, which its background flusher can delay by a moment after
        // a same-process close (restore, tests) or a process that is just
        // exiting; so a held lock is retried briefly before it is an error.
        let mut attempts = 0;
        let db = loop {
            match config.open() {
                Ok(db) => break db,
                Err(sled::Error::Io(e)) if is_lock_error(&e) => {
                    attempts += 1;
                    if attempts >= LOCK_RETRIES {
                        return Err(Error::Locked(dir.display().to_string()));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                // Name the directory: "Permission denied" or "Read-only
                // file system" alone does not say where.
                Err(e) => {
                    return Err(Error::Engine(format!(
                        "opening data dir {}: {e}",
                        dir.display()
                    )))
                }
            }
        };
        let store = Store {
            db,
            health: Arc::default(),
        };
        store.check_schema(dir).map_err(|e| match e {
            Error::Engine(msg) if !msg.contains(&*dir.to_string_lossy()) => {
                Error::Engine(format!("data dir {}: {msg}", dir.display()))
            }
            other => other,
        })?;
        Ok(store)
    }

    /// Opens a throw-away store in a temporary location (tests, dry runs).
    pub fn temporary() -> Result<Store> {
        let db = sled::Config::new().temporary(true).open()?;
        let store = Store {
            db,
            health: Arc::default(),
        };
        store.check_schema(Path::new("<temporary>"))?;
        Ok(store)
    }

    fn check_schema(&self, dir: &Path) -> Result<()> {
        match self.db.get(SCHEMA_KEY)? {
            None => {
                self.db.insert(SCHEMA_KEY, &SCHEMA_VERSION.to_be_bytes())?;
                self.db.flush()?;
                Ok(())
            }
            Some(v) => {
                let found = <[u8; 4]>::try_from(v.as_ref())
                    .map(u32::from_be_bytes)
                    .unwrap_or(0);
                if found == SCHEMA_VERSION {
                    Ok(())
                } else if UPGRADABLE.contains(&found) {
                    self.db.insert(SCHEMA_KEY, &SCHEMA_VERSION.to_be_bytes())?;
                    self.db.flush()?;
                    Ok(())
                } else {
                    Err(Error::SchemaMismatch {
                        path: dir.display().to_string(),
                        found,
                        expected: SCHEMA_VERSION,
                    })
                }
            }
        }
    }

    /// Opens (creating if needed) the tree called `name`.
    pub fn tree(&self, name: &str) -> Result<Tree> {
        Ok(Tree {
            inner: self.db.open_tree(name.as_bytes())?,
            health: self.health.clone(),
        })
    }

    /// Deletes the tree called `name` and everything in it.
    pub fn drop_tree(&self, name: &str) -> Result<bool> {
        self.health.write(|| self.db.drop_tree(name.as_bytes()))
    }

    /// The storage failure that stopped writes, if any (see the module
    /// doc): [`Error::NoSpace`] or [`Error::Failed`] with its cause.
    pub fn failure(&self) -> Option<Error> {
        lock(&self.health.failure).as_ref().map(copy_failure)
    }

    /// Lets `after` more writes through, then fails the next one with the
    /// OS error `errno` (28 is ENOSPC) as a real device error would: the
    /// store is failed from then on. For tests of the failure path;
    /// nothing in the server calls it.
    #[doc(hidden)]
    pub fn inject_write_error(&self, after: u32, errno: i32) {
        *lock(&self.health.injected) = Some((after, errno));
    }

    /// Names of all trees (the default tree excluded).
    pub fn tree_names(&self) -> Vec<String> {
        self.db
            .tree_names()
            .into_iter()
            .filter(|n| n.as_ref() != b"__sled__default")
            .map(|n| String::from_utf8_lossy(&n).into_owned())
            .collect()
    }

    /// A process-wide unique, increasing id (survives restarts).
    pub fn generate_id(&self) -> Result<u64> {
        self.health.write(|| self.db.generate_id())
    }

    /// Makes every write so far durable. Call before acknowledging a write.
    ///
    /// Runs sled's blocking `flush` on the blocking thread pool: under many
    /// concurrent writers sled's own `flush_async` was seen to stall
    /// requests for good (the load script in `tests/load/` found it).
    pub async fn flush(&self) -> Result<()> {
        let store = self.clone();
        match tokio::task::spawn_blocking(move || store.flush_blocking()).await {
            Ok(r) => r,
            Err(e) => Err(Error::Engine(format!("flush task failed: {e}"))),
        }
    }

    /// Blocking variant of [`Store::flush`] for non-async callers.
    pub fn flush_blocking(&self) -> Result<()> {
        self.health.write(|| self.db.flush())?;
        Ok(())
    }

    /// Bytes the database occupies on disk.
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }
}

fn is_lock_error(e: &std::io::Error) -> bool {
    // sled takes an exclusive advisory lock on `db`; a second opener gets
    // WouldBlock ("Resource temporarily unavailable") from the lock call.
    e.kind() == std::io::ErrorKind::WouldBlock
        || e.to_string().contains("lock")
        || e.raw_os_error() == Some(11)
}

/// One ordered key space.
#[derive(Clone)]
pub struct Tree {
    inner: sled::Tree,
    health: Arc<Health>,
}

/// A key-value pair read from a tree.
pub type Entry = (Vec<u8>, Vec<u8>);

impl Tree {
    /// Raw value under `key`.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.inner.get(key)?.map(|v| v.to_vec()))
    }

    /// Stores a raw value.
    pub fn insert(&self, key: &[u8], value: &[u8]) -> Result<Option<Vec<u8>>> {
        let old = self.health.write(|| self.inner.insert(key, value))?;
        Ok(old.map(|v| v.to_vec()))
    }

    /// Removes a key, returning the old value.
    pub fn remove(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let old = self.health.write(|| self.inner.remove(key))?;
        Ok(old.map(|v| v.to_vec()))
    }

    /// Fails with the store's failure (see [`Store::failure`]) when it can
    /// no longer write: a writer checks before it stages work it would
    /// have to undo.
    pub fn check_writable(&self) -> Result<()> {
        match lock(&self.health.failure).as_ref() {
            Some(f) => Err(copy_failure(f)),
            None => Ok(()),
        }
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &[u8]) -> Result<bool> {
        Ok(self.inner.contains_key(key)?)
    }

    /// Value under `key` decoded from JSON.
    pub fn get_json<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>> {
        match self.inner.get(key)? {
            None => Ok(None),
            Some(v) => decode_json(key, &v).map(Some),
        }
    }

    /// Stores `value` as JSON under `key`.
    pub fn insert_json<T: Serialize>(&self, key: &[u8], value: &T) -> Result<()> {
        self.insert(key, &encode_json(value)?)?;
        Ok(())
    }

    /// All pairs whose key starts with `prefix`, in key order.
    pub fn scan_prefix(&self, prefix: &[u8]) -> impl Iterator<Item = Result<Entry>> + '_ {
        self.inner.scan_prefix(prefix).map(|r| {
            r.map(|(k, v)| (k.to_vec(), v.to_vec()))
                .map_err(Error::from)
        })
    }

    /// Pairs with `from <= key` and key starting with `prefix`, in key order
    /// (cursor pagination).
    pub fn scan_prefix_from(
        &self,
        prefix: &[u8],
        from: &[u8],
    ) -> impl Iterator<Item = Result<Entry>> + '_ {
        let prefix = prefix.to_vec();
        self.inner
            .range(from.to_vec()..)
            .take_while(move |r| match r {
                Ok((k, _)) => k.starts_with(&prefix),
                Err(_) => true,
            })
            .map(|r| {
                r.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(Error::from)
            })
    }

    /// Number of keys starting with `prefix` (a scan; use sparingly).
    pub fn count_prefix(&self, prefix: &[u8]) -> Result<usize> {
        let mut n = 0;
        for r in self.inner.scan_prefix(prefix).keys() {
            r?;
            n += 1;
        }
        Ok(n)
    }

    /// Applies all operations of `batch` atomically.
    pub fn apply(&self, batch: Batch) -> Result<()> {
        self.health.write(|| self.inner.apply_batch(batch.inner))
    }

    /// Number of keys in the tree.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether the tree is empty.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

/// A set of writes applied atomically by [`Tree::apply`].
#[derive(Default)]
pub struct Batch {
    inner: sled::Batch,
    len: usize,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Queues an insert.
    pub fn insert(&mut self, key: &[u8], value: &[u8]) {
        self.inner.insert(key, value);
        self.len += 1;
    }

    /// Queues a JSON-encoded insert.
    pub fn insert_json<T: Serialize>(&mut self, key: &[u8], value: &T) -> Result<()> {
        self.insert(key, &encode_json(value)?);
        Ok(())
    }

    /// Queues a removal.
    pub fn remove(&mut self, key: &[u8]) {
        self.inner.remove(key);
        self.len += 1;
    }

    /// Number of queued operations.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Encodes a value as JSON bytes for storage.
pub fn encode_json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::Decode {
        key: "<encode>".into(),
        message: e.to_string(),
    })
}

/// Decodes JSON bytes read under `key`.
pub fn decode_json<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| Error::Decode {
        key: String::from_utf8_lossy(key).into_owned(),
        message: e.to_string(),
    })
}

/// `prefix` followed by the big-endian bytes of `id`, so ids sort numerically.
pub fn key_u64(prefix: &[u8], id: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + 8);
    k.extend_from_slice(prefix);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// Reads the big-endian u64 that ends `key`.
pub fn u64_suffix(key: &[u8]) -> Option<u64> {
    let start = key.len().checked_sub(8)?;
    <[u8; 8]>::try_from(&key[start..])
        .ok()
        .map(u64::from_be_bytes)
}

/// `prefix` followed by `s`.
pub fn key_str(prefix: &[u8], s: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + s.len());
    k.extend_from_slice(prefix);
    k.extend_from_slice(s.as_bytes());
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_numerically() {
        assert!(key_u64(b"u/", 2) < key_u64(b"u/", 256));
        assert_eq!(u64_suffix(&key_u64(b"u/", 777)), Some(777));
    }

    #[test]
    fn reopen_keeps_flushed_writes_and_second_open_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let t = store.tree("tm:default").unwrap();
            t.insert_json(b"k", &"الذكاء الاصطناعي").unwrap();
            store.flush_blocking().unwrap();
            let second = Store::open(dir.path());
            assert!(matches!(second, Err(Error::Locked(_))), "{second:?}");
        }
        let store = Store::open(dir.path()).unwrap();
        let v: Option<String> = store.tree("tm:default").unwrap().get_json(b"k").unwrap();
        assert_eq!(v.as_deref(), Some("الذكاء الاصطناعي"));
    }

    #[test]
    fn older_schema_is_upgraded_and_unknown_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store.db.insert(SCHEMA_KEY, &1u32.to_be_bytes()).unwrap();
            store.flush_blocking().unwrap();
        }
        let reopen = || {
            for _ in 0..100 {
                match Store::open(dir.path()) {
                    Err(Error::Locked(_)) => {
                        std::thread::sleep(std::time::Duration::from_millis(20))
                    }
                    other => return other,
                }
            }
            Store::open(dir.path())
        };
        {
            let store = reopen().unwrap();
            let v = store.db.get(SCHEMA_KEY).unwrap().unwrap();
            assert_eq!(v.as_ref(), SCHEMA_VERSION.to_be_bytes());
            store.db.insert(SCHEMA_KEY, &99u32.to_be_bytes()).unwrap();
            store.flush_blocking().unwrap();
        }
        let r = reopen();
        assert!(
            matches!(r, Err(Error::SchemaMismatch { found: 99, .. })),
            "{r:?}"
        );
    }

    #[test]
    fn batch_is_applied_atomically_and_scans_in_order() {
        let store = Store::temporary().unwrap();
        let t = store.tree("t").unwrap();
        let mut b = Batch::new();
        for id in [300u64, 2, 70] {
            b.insert(&key_u64(b"u/", id), b"x");
        }
        b.insert(b"v/1", b"y");
        t.apply(b).unwrap();
        let ids: Vec<u64> = t
            .scan_prefix(b"u/")
            .map(|r| u64_suffix(&r.unwrap().0).unwrap())
            .collect();
        assert_eq!(ids, vec![2, 70, 300]);
        assert_eq!(t.count_prefix(b"u/").unwrap(), 3);
        let from: Vec<u64> = t
            .scan_prefix_from(b"u/", &key_u64(b"u/", 3))
            .map(|r| u64_suffix(&r.unwrap().0).unwrap())
            .collect();
        assert_eq!(from, vec![70, 300]);
    }
}
