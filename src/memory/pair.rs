//! Memories chosen by language pair, for clients that name only a pair
//! (`en` → `ar`) and never a memory: the tmserver/amaGama and MyMemory
//! protocols.
//!
//! A memory serves a pair in both directions (a memory ar→en answers en→ar
//! queries from its target side, see [`super::search`]). Languages compare
//! by [`crate::text::lang::base_language`], so `ar_SA`, `ar-SA`, `AR` and
//! `ara` all select the memories of `ar`; a pair of one language with itself
//! is served by no memory.

use super::model::{FuzzyMatch, SearchQuery};
use super::{Memories, Result};
use crate::text::lang::base_language;
use std::cmp::Reverse;
use std::collections::BTreeSet;

/// A match and the memory it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct PairMatch {
    /// Memory name.
    pub memory: String,
    /// The match, oriented as asked.
    pub found: FuzzyMatch,
}

/// Languages a set of memories can answer, as base subtags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairLanguages {
    /// Languages a query may be written in.
    pub sources: BTreeSet<String>,
    /// Languages an answer may come in.
    pub targets: BTreeSet<String>,
    /// The language tags as the memories spell them (`en-US`), for
    /// clients that compare full tags.
    pub tags: BTreeSet<String>,
}

impl Memories {
    /// Names of the memories among `allowed` (every memory when `None`)
    /// that serve `source` → `target`, in name order; names in `allowed`
    /// that do not exist are ignored.
    pub fn serving_pair(
        &self,
        allowed: Option<&[String]>,
        source: &str,
        target: &str,
    ) -> Result<Vec<String>> {
        let (s, t) = (base_language(source), base_language(target));
        if s.is_empty() || t.is_empty() || s == t {
            return Ok(Vec::new());
        }
        Ok(self
            .list()?
            .into_iter()
            .filter(|m| allowed.is_none_or(|a| a.contains(&m.meta.name)))
            .filter(|m| {
                let (ms, mt) = (
                    base_language(&m.meta.source_lang),
                    base_language(&m.meta.target_lang),
                );
                (ms == s && mt == t) || (ms == t && mt == s)
            })
            .map(|m| m.meta.name)
            .collect())
    }

    /// The languages the memories among `allowed` (all when `None`) answer:
    /// both languages of every pair, on both sides.
    pub fn pair_languages(&self, allowed: Option<&[String]>) -> Result<PairLanguages> {
        let mut out = PairLanguages::default();
        for m in self.list()? {
            if allowed.is_some_and(|a| !a.contains(&m.meta.name)) {
                continue;
            }
            let (s, t) = (
                base_language(&m.meta.source_lang),
                base_language(&m.meta.target_lang),
            );
            if s == t {
                continue;
            }
            out.tags.insert(m.meta.source_lang.clone());
            out.tags.insert(m.meta.target_lang.clone());
            for l in [s, t] {
                out.sources.insert(l.clone());
                out.targets.insert(l);
            }
        }
        Ok(out)
    }

    /// Searches every memory of `names` with `q` (whose languages must be
    /// those of the memories, either direction) and merges the answers:
    /// score first, then the newer unit, then memory name and unit id;
    /// at most `q.limit`.
    pub fn search_memories(&self, names: &[String], q: &SearchQuery) -> Result<Vec<PairMatch>> {
        let mut all = Vec::new();
        for name in names {
            let source_lang = q.source_lang.as_deref().map(|l| self.spelled_as(name, l));
            let target_lang = q.target_lang.as_deref().map(|l| self.spelled_as(name, l));
            let q = SearchQuery {
                source_lang,
                target_lang,
                ..q.clone()
            };
            all.extend(self.search(name, &q)?.into_iter().map(|found| PairMatch {
                memory: name.clone(),
                found,
            }));
        }
        all.sort_by(|a, b| {
            (
                Reverse(a.found.score),
                Reverse(a.found.modified),
                &a.memory,
                a.found.id,
            )
                .cmp(&(
                    Reverse(b.found.score),
                    Reverse(b.found.modified),
                    &b.memory,
                    b.found.id,
                ))
        });
        all.truncate(q.limit);
        Ok(all)
    }

    /// `lang` as memory `name` spells the language with the same base
    /// (`ara` → `ar` for a memory of `ar`), so the search's own language
    /// check, which compares primary subtags, accepts it.
    fn spelled_as(&self, name: &str, lang: &str) -> String {
        let base = base_language(lang);
        self.get_meta(name)
            .ok()
            .and_then(|m| {
                [m.meta.source_lang, m.meta.target_lang]
                    .into_iter()
                    .find(|l| base_language(l) == base)
            })
            .unwrap_or_else(|| lang.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{draft, mems};
    use super::*;

    fn query(text: &str, source: &str, target: &str) -> SearchQuery {
        SearchQuery {
            text: text.into(),
            source_lang: Some(source.into()),
            target_lang: Some(target.into()),
            min_score: 50,
            limit: 5,
            context: None,
        }
    }

    #[test]
    fn pairs_are_served_both_ways_and_spellings_meet() {
        let (_s, m) = mems();
        m.create("ui", "en-US", "ar", None).unwrap();
        m.create("news", "ar", "en", None).unwrap();
        m.create("fr", "fr", "en", None).unwrap();
        let names = |s: &str, t: &str| m.serving_pair(None, s, t).unwrap();
        assert_eq!(names("en", "ar"), ["news", "ui"]);
        assert_eq!(names("AR_sa", "EN-gb"), ["news", "ui"]);
        assert_eq!(names("ara", "eng"), ["news", "ui"]);
        assert_eq!(names("en", "en"), Vec::<String>::new());
        assert_eq!(names("de", "en"), Vec::<String>::new());
        let only = ["ui".to_string(), "missing".to_string()];
        assert_eq!(m.serving_pair(Some(&only), "ar", "en").unwrap(), ["ui"]);
        let langs = m.pair_languages(None).unwrap();
        assert_eq!(langs.sources.iter().collect::<Vec<_>>(), ["ar", "en", "fr"]);
    }

    #[test]
    fn merged_search_ranks_across_memories_and_directions() {
        let (_s, m) = mems();
        m.create("ui", "en", "ar", None).unwrap();
        m.create("news", "ar", "en", None).unwrap();
        m.add_units("ui", vec![draft("Save the file", "احفظ الملف")])
            .unwrap();
        m.add_units("news", vec![draft("افتح الملف", "Open the file")])
            .unwrap();
        let names = m.serving_pair(None, "en", "ar").unwrap();
        let found = m
            .search_memories(&names, &query("Save the file", "eng", "ara"))
            .unwrap();
        let got: Vec<(&str, &str, u32)> = found
            .iter()
            .map(|p| (p.memory.as_str(), p.found.target.as_str(), p.found.score))
            .collect();
        assert_eq!(got[0], ("ui", "احفظ الملف", 100));
        assert_eq!(got[1].0, "news");
        assert_eq!(got[1].1, "افتح الملف");
        assert!(got[1].2 < 100);
    }
}
