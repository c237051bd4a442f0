//! Translation memories: units, fuzzy search, concordance.

pub mod model;

use crate::store::Store;

/// All translation memories of the store.
pub struct Memories {
    #[allow(dead_code)]
    store: Store,
}

impl Memories {
    /// Opens the memories kept in `store` (loads their indexes).
    pub fn open(store: &Store) -> crate::store::Result<Memories> {
        Ok(Memories {
            store: store.clone(),
        })
    }
}
