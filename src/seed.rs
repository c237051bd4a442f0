//! First-start seeding: the `tech` term base from `glossary/tech.ar-en.csv`
//! and an empty `default` memory (ar→en), so a newcomer can look terms up
//! right after `cargo run --release -- serve`.
//!
//! Seeding happens once per data dir: a `seeded` marker in the `meta` tree
//! records it, so deleting `tech` later does not bring it back.

use crate::api::AppState;
use crate::formats::Format;
use crate::termbase::import::{ImportOptions, OnDuplicate};
use std::path::Path;

const MARKER: &[u8] = b"seeded";
/// The seed term base's file inside the seed directory.
pub const SEED_FILE: &str = "tech.ar-en.csv";

/// Loads the seed when the store has never been seeded.
pub fn load_if_first_start(state: &AppState, seed_dir: &Path) -> anyhow::Result<()> {
    let meta = state.store.tree("meta")?;
    if meta.contains_key(MARKER)? {
        return Ok(());
    }
    let file = seed_dir.join(SEED_FILE);
    if file.is_file() {
        state.termbases.create(
            "tech",
            Some("Seed Arabic–English technology glossary (glossary/tech.ar-en.csv)".into()),
        )?;
        let report = state.termbases.import_file(
            "tech",
            &file,
            Some(Format::Csv),
            ImportOptions {
                on_duplicate: OnDuplicate::Merge,
                dry_run: false,
            },
            &mut |_| {},
        )?;
        tracing::info!(
            added = report.entries_added,
            errors = report.errors_total,
            "seed term base 'tech' loaded from {}",
            file.display()
        );
    } else {
        tracing::warn!(
            "seed glossary {} not found (run from the repository root or pass --seed-dir); term base 'tech' not created",
            file.display()
        );
    }
    state.memories.create(
        "default",
        "ar",
        "en",
        Some("Default Arabic→English memory".into()),
    )?;
    mark_seeded(&state.store)?;
    Ok(())
}

/// Records that this data dir needs no seeding (first start done, or data
/// restored from a backup), and flushes.
pub fn mark_seeded(store: &crate::store::Store) -> crate::store::Result<()> {
    store
        .tree("meta")?
        .insert(MARKER, chrono::Utc::now().to_rfc3339().as_bytes())?;
    store.flush_blocking()
}
