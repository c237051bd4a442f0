//! Term bases: concepts with Arabic and English terms, lookups and term
//! recognition in running text.

pub mod model;

use crate::store::Store;

/// All term bases of the store.
pub struct TermBases {
    #[allow(dead_code)]
    store: Store,
}

impl TermBases {
    /// Opens the term bases kept in `store` (loads their indexes).
    pub fn open(store: &Store) -> crate::store::Result<TermBases> {
        Ok(TermBases {
            store: store.clone(),
        })
    }
}
