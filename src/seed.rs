//! First-start seeding: the `tech` term base from the seed glossary
//! `glossary/tech.ar-en.csv` and an empty `default` memory (ar→en), so a
//! newcomer can look terms up right after `cargo run --release -- serve`.
//!
//! The glossary is compiled into the binary, so an installed binary (or one
//! started from any directory, or in a container) seeds the same term base;
//! `--seed-dir DIR` loads `DIR/tech.ar-en.csv` instead and `--no-seed` skips
//! seeding.
//!
//! Seeding happens once per data dir: a `seeded` marker in the `meta` tree
//! records what was loaded (as JSON, see [`SeedRecord`]), so deleting `tech`
//! later does not bring it back, and `/readyz` can say what was seeded.

use crate::api::AppState;
use crate::formats::Format;
use crate::termbase::import::{ImportOptions, OnDuplicate};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::Path;

const MARKER: &[u8] = b"seeded";
/// The seed term base's file inside the seed directory.
pub const SEED_FILE: &str = "tech.ar-en.csv";
/// The seed glossary compiled into the binary.
pub const EMBEDDED_GLOSSARY: &str = include_str!("../glossary/tech.ar-en.csv");

/// What the first start of a data dir loaded (stored under the marker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SeedRecord {
    /// When seeding ran (RFC 3339).
    pub at: String,
    /// `embedded` (the glossary compiled into the binary), the seed file's
    /// path, `none` (a `--seed-dir` without the file) or `restored` (data
    /// restored from a backup, nothing seeded).
    pub source: String,
    /// Term base created, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termbase: Option<String>,
    /// Entries the seed import added.
    #[serde(default)]
    pub entries: u64,
    /// Memory created, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
}

/// Loads the seed when the store has never been seeded and returns what the
/// data dir was seeded with (now or at its first start). `seed_dir` `None`
/// uses the embedded glossary.
pub fn load_if_first_start(
    state: &AppState,
    seed_dir: Option<&Path>,
) -> anyhow::Result<SeedRecord> {
    if let Some(record) = recorded(&state.store)? {
        return Ok(record);
    }
    let mut record = SeedRecord {
        at: chrono::Utc::now().to_rfc3339(),
        ..SeedRecord::default()
    };
    let file = seed_dir.map(|d| d.join(SEED_FILE));
    match &file {
        Some(f) if !f.is_file() => {
            tracing::warn!(
                "seed glossary {} not found; term base 'tech' not created (omit --seed-dir to load the glossary built into the binary)",
                f.display()
            );
            record.source = "none".into();
        }
        _ => {
            let shown = file
                .as_ref()
                .map_or_else(|| "embedded".to_string(), |f| f.display().to_string());
            state.termbases.create(
                "tech",
                Some("Seed Arabic–English technology glossary (glossary/tech.ar-en.csv)".into()),
            )?;
            let mut open = || -> std::io::Result<Box<dyn Read + Send>> {
                Ok(match &file {
                    Some(f) => Box::new(std::fs::File::open(f)?),
                    None => Box::new(EMBEDDED_GLOSSARY.as_bytes()),
                })
            };
            let report = state.termbases.import_source(
                "tech",
                &mut open,
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
                "seed term base 'tech' loaded from {shown}"
            );
            record.source = shown;
            record.termbase = Some("tech".into());
            record.entries = report.entries_added;
        }
    }
    state.memories.create(
        "default",
        "ar",
        "en",
        Some("Default Arabic→English memory".into()),
    )?;
    record.memory = Some("default".into());
    write_record(&state.store, &record)?;
    Ok(record)
}

/// What the data dir was seeded with, if it was. A marker written before
/// the record existed (a plain timestamp) reads as an unknown source.
pub fn recorded(store: &crate::store::Store) -> crate::store::Result<Option<SeedRecord>> {
    let Some(v) = store.tree("meta")?.get(MARKER)? else {
        return Ok(None);
    };
    Ok(Some(serde_json::from_slice(&v).unwrap_or_else(|_| {
        SeedRecord {
            at: String::from_utf8_lossy(&v).into_owned(),
            source: "unknown".into(),
            ..SeedRecord::default()
        }
    })))
}

fn write_record(store: &crate::store::Store, record: &SeedRecord) -> crate::store::Result<()> {
    store.tree("meta")?.insert_json(MARKER, record)?;
    store.flush_blocking()
}

/// Records that this data dir needs no seeding (first start done, or data
/// restored from a backup), and flushes.
pub fn mark_seeded(store: &crate::store::Store) -> crate::store::Result<()> {
    write_record(
        store,
        &SeedRecord {
            at: chrono::Utc::now().to_rfc3339(),
            source: "restored".into(),
            ..SeedRecord::default()
        },
    )
}
