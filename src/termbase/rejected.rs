//! Rejected term candidates of a term base: the keys a terminologist turned
//! down, so term extraction does not propose them again. Stored in the term
//! base's own tree under `rc/` (deleted with the term base); the value is
//! the term as shown when it was rejected and the time.

use super::{Result, TermBases};
use crate::store::key_str;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Key prefix of rejected candidates inside a term base's tree.
const REJECTED_PREFIX: &[u8] = b"rc/";

/// One rejected candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejected {
    /// The candidate key (its words' match keys).
    pub key: String,
    /// The term as shown when it was rejected.
    pub term: String,
    /// When.
    pub rejected: DateTime<Utc>,
}

impl TermBases {
    /// Records a rejected candidate (idempotent: the first record is kept).
    pub fn reject_candidate(&self, name: &str, key: &str, term: &str) -> Result<Rejected> {
        let tb = self.base(name)?;
        let k = key_str(REJECTED_PREFIX, key);
        if let Some(old) = tb.tree.get_json::<Rejected>(&k)? {
            return Ok(old);
        }
        let r = Rejected {
            key: key.to_string(),
            term: term.to_string(),
            rejected: Utc::now(),
        };
        tb.tree.insert_json(&k, &r)?;
        Ok(r)
    }

    /// Forgets a rejection; whether there was one.
    pub fn unreject_candidate(&self, name: &str, key: &str) -> Result<bool> {
        let tb = self.base(name)?;
        Ok(tb.tree.remove(&key_str(REJECTED_PREFIX, key))?.is_some())
    }

    /// All rejected candidates, in key order.
    pub fn rejected_candidates(&self, name: &str) -> Result<Vec<Rejected>> {
        let tb = self.base(name)?;
        let mut out = Vec::new();
        for e in tb.tree.scan_prefix(REJECTED_PREFIX) {
            let (k, v) = e?;
            out.push(crate::store::decode_json(&k, &v)?);
        }
        Ok(out)
    }

    /// The rejected keys, for extraction.
    pub fn rejected_keys(&self, name: &str) -> Result<HashSet<String>> {
        Ok(self
            .rejected_candidates(name)?
            .into_iter()
            .map(|r| r.key)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;
    use crate::termbase::TermBases;

    #[test]
    fn rejections_persist_and_go_with_the_term_base() {
        let store = Store::temporary().expect("store");
        let tbs = TermBases::open(&store).expect("open");
        tbs.create("tech", None).expect("create");
        let first = tbs
            .reject_candidate("tech", "حوسب كموم", "حوسبة كمومية")
            .expect("reject");
        let again = tbs
            .reject_candidate("tech", "حوسب كموم", "other")
            .expect("reject");
        assert_eq!(first, again);
        let reopened = TermBases::open(&store).expect("reopen");
        assert!(reopened
            .rejected_keys("tech")
            .expect("keys")
            .contains("حوسب كموم"));
        assert!(reopened
            .unreject_candidate("tech", "حوسب كموم")
            .expect("unreject"));
        assert!(reopened
            .rejected_candidates("tech")
            .expect("list")
            .is_empty());
        assert!(tbs.reject_candidate("nope", "x", "x").is_err());
    }
}
