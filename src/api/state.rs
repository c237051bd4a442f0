//! Shared application state handed to every handler.

use crate::store::Store;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Default of `--max-concurrent-imports`.
pub const DEFAULT_CONCURRENT_IMPORTS: usize = 4;

/// Limits applied to requests.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest JSON body accepted, in bytes.
    pub json_body_bytes: usize,
    /// Largest import body accepted (streamed, never buffered whole), in bytes.
    pub import_body_bytes: u64,
    /// Imports that may stream or run at once; one more is answered 429
    /// `too_many_imports` (each holds a connection, a spool file and CPU).
    pub import_slots: Arc<tokio::sync::Semaphore>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            json_body_bytes: 16 * 1024 * 1024,
            import_body_bytes: 2 * 1024 * 1024 * 1024,
            import_slots: Arc::new(tokio::sync::Semaphore::new(DEFAULT_CONCURRENT_IMPORTS)),
        }
    }
}

/// Everything handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The store (for flushing before acknowledging writes).
    pub store: Store,
    /// Term bases.
    pub termbases: Arc<crate::termbase::TermBases>,
    /// Translation memories.
    pub memories: Arc<crate::memory::Memories>,
    /// Request limits.
    pub limits: Limits,
    /// Directory for temporary files (import spools), inside the data dir.
    pub spool_dir: std::path::PathBuf,
    ready: Arc<AtomicBool>,
    seed: Arc<std::sync::OnceLock<Option<crate::seed::SeedRecord>>>,
}

impl AppState {
    /// State over an opened store and domain services; not ready yet.
    pub fn new(
        store: Store,
        termbases: Arc<crate::termbase::TermBases>,
        memories: Arc<crate::memory::Memories>,
        limits: Limits,
        spool_dir: std::path::PathBuf,
    ) -> AppState {
        AppState {
            store,
            termbases,
            memories,
            limits,
            spool_dir,
            ready: Arc::new(AtomicBool::new(false)),
            seed: Arc::default(),
        }
    }

    /// Marks the server ready (store open, seed loaded) and records what
    /// the data dir was seeded with (`None`: never seeded, `--no-seed`).
    pub fn set_ready(&self, seed: Option<crate::seed::SeedRecord>) {
        let _ = self.seed.set(seed);
        self.ready.store(true, Ordering::SeqCst);
    }

    /// What the data dir was seeded with, once ready.
    pub fn seed(&self) -> Option<&crate::seed::SeedRecord> {
        self.seed.get().and_then(Option::as_ref)
    }

    /// Whether `/readyz` answers 200.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }
}
