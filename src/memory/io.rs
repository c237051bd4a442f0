//! Import and export of whole memories, with the import journal.
//!
//! # Import journal (atomicity under `kill -9`)
//! An import validates the whole spooled file first (pass 1: a fatal error
//! stores nothing) and then writes batches of 10,000 units (pass 2). Before
//! pass 2 it writes `import/<import id>` = `{"first_id": n}` and holds the
//! memory's writer lock until the end, so every unit it *creates* has an id
//! `≥ first_id`. The last batch removes the journal entry; then the store is
//! flushed and the import is acknowledged. When the memory is opened and a
//! journal entry is still there (the process died during pass 2), every unit
//! with id `≥ first_id` is deleted with its index entries, so a half import
//! is never visible. (Existing units whose `modified` an import refreshed
//! keep the new time.)

use crate::store::{key_u64, Batch, Tree};
use serde::{Deserialize, Serialize};

/// An in-progress import.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Journal {
    pub(crate) first_id: u64,
}

/// Deletes the units of imports that never finished.
pub(crate) fn roll_back_journals(tree: &Tree) -> crate::store::Result<()> {
    let journals: Vec<_> = tree.scan_prefix(b"import/").collect::<Result<_, _>>()?;
    for (k, v) in journals {
        let Ok(j) = crate::store::decode_json::<Journal>(&k, &v) else {
            tree.remove(&k)?;
            continue;
        };
        let mut batch = Batch::new();
        for r in tree.scan_prefix_from(b"u/", &key_u64(b"u/", j.first_id)) {
            let (uk, _) = r?;
            if let Some(id) = crate::store::u64_suffix(&uk) {
                batch.remove(&uk);
                batch.remove(&key_u64(b"t/", id));
            }
        }
        batch.remove(&k);
        tracing::warn!(first_id = j.first_id, "rolling back an unfinished import");
        tree.apply(batch)?;
    }
    Ok(())
}
