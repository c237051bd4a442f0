//! The in-memory index of one term base.
//!
//! Built once when the term base is opened (from its stored concepts) and
//! then updated incrementally by every write, so no request ever pays for a
//! rebuild. It serves:
//! - recognition: every term (and listed variant, and English closed
//!   compound) as a sequence of per-word match keys, reachable from its FIRST
//!   key ([`Index::by_first_key`]);
//! - exact and prefix lookup: a sorted map from normalized term text;
//! - fuzzy lookup: a character-trigram posting list over the term keys, used
//!   as a candidate filter so a fuzzy query never scans all terms;
//! - duplicate detection on import: the normalized preferred (else first)
//!   term of each language.

use super::model::Concept;
use crate::text::{self, Lang, TokenKind};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;

/// Hash maps of the index: keys are hashed on every insert of an import
/// (trigrams, first keys) and on every lookup, so a fast hasher pays; it is
/// seeded per process, so crafted terms cannot force collisions.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Points at one indexed form: (slot of the concept, position in the slot's
/// indexed forms).
pub(crate) type TermRef = (u32, u32);

/// One indexed form of a term: the term itself, one of its listed variants,
/// or an alternative word split of it (English hyphen/closed compounds).
#[derive(Debug, Clone)]
pub(crate) struct IndexedTerm {
    /// Language tag as stored in the concept (`ar`, `en-US`).
    pub lang: String,
    /// Its lower-case base subtag (`ar`, `en`).
    pub base: String,
    /// Position of the term in `concept.terms[lang]`.
    pub term_idx: usize,
    /// Position of the variant in the term's `variants`, when this form is one.
    pub variant: Option<usize>,
    /// The form as written in the term base.
    pub text: String,
    /// Normalized form, whitespace collapsed.
    pub norm: String,
    /// Per-word match keys (what recognition compares).
    pub keys: Vec<String>,
    /// Whether this is a secondary word split (not used for lookups).
    pub alternative: bool,
    /// Whether a word after the first carries the article in the term
    /// itself (مفتوح المصدر, ذاتية القيادة): then the words before it may
    /// legitimately lack the article in running text.
    pub idafa: bool,
}

/// One concept and its indexed forms.
#[derive(Debug)]
pub(crate) struct Slot {
    /// The concept as stored.
    pub concept: Arc<Concept>,
    /// Its indexed forms.
    pub terms: Vec<IndexedTerm>,
    /// Normalized context words (disambiguation evidence), as match keys.
    pub context_keys: Vec<String>,
    /// Negative context words (another sense), as match keys.
    pub negative_keys: Vec<String>,
    /// The concept's note mentions another sense (recognition treats its
    /// single-word terms as ambiguous).
    pub ambiguous_note: bool,
}

/// The index of one term base.
#[derive(Debug, Default)]
pub(crate) struct Index {
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
    ids: BTreeMap<String, u32>,
    first: FastMap<String, Vec<TermRef>>,
    norm: BTreeMap<String, Vec<TermRef>>,
    grams: FastMap<u64, Vec<TermRef>>,
    dup: FastMap<String, Vec<u32>>,
}

/// The lower-case base subtag of a language tag (`en-US` → `en`).
pub(crate) fn base_tag(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Whether `tag`'s base subtag equals `base`'s, case-insensitively,
/// without allocating (hot paths compare many tags).
pub(crate) fn base_is(tag: &str, base: &str) -> bool {
    let a = tag.split(['-', '_']).next().unwrap_or("");
    let b = base.split(['-', '_']).next().unwrap_or("");
    a.eq_ignore_ascii_case(b)
}

/// Whitespace-collapsed normalized form (the exact/prefix lookup key).
pub(crate) fn norm_text(s: &str) -> String {
    let n = text::normalize(s);
    let mut out = String::with_capacity(n.len());
    for w in n.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// The analysis language of one word of a term written in language `lang`:
/// the script decides (Latin words inside Arabic terms get English keys),
/// except that non-Arabic, non-English languages keep plain normalization.
pub(crate) fn word_lang(word: &str, lang: Lang) -> Lang {
    match text::script_lang(word) {
        Lang::Ar => Lang::Ar,
        _ if lang == Lang::Other => Lang::Other,
        _ => Lang::En,
    }
}

/// Whether `s` has no Arabic letter (a Latin-script or digits-only word).
pub(crate) fn is_latin(s: &str) -> bool {
    !s.chars().any(text::normalize::is_arabic_letter)
}

/// Per-word keys of a term in citation form; `None` when it has no word.
fn term_keys(form: &str, lang: Lang) -> Vec<String> {
    text::tokenize(form)
        .into_iter()
        .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Number))
        .filter_map(|t| {
            let w = form.get(t.start..t.end)?;
            let k = if t.kind == TokenKind::Number {
                t.norm.clone()
            } else {
                text::term_key(w, word_lang(w, lang))
            };
            (!k.is_empty()).then_some(k)
        })
        .collect()
}

/// Keys of a listed variant: variants are already inflected forms, so they
/// are keyed literally (normalized, article removed) rather than stemmed;
/// recognition then reports them as `variant` only when the running text
/// shows that very form (possibly with proclitics).
fn variant_keys(form: &str, lang: Lang) -> Vec<String> {
    text::tokenize(form)
        .into_iter()
        .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Number))
        .filter_map(|t| {
            let w = form.get(t.start..t.end)?;
            if t.kind == TokenKind::Number {
                return Some(t.norm.clone());
            }
            let keys = text::word_keys(w, word_lang(w, lang));
            let surface = text::normalize(w);
            // Prefer the key with only the article removed (a variant may be
            // listed as النماذج), else the surface key.
            let article = keys.iter().find(|k| {
                k.kind == text::KeyKind::Clitic
                    && k.prefix_chars == 2
                    && surface.starts_with("ال")
                    && surface.chars().skip(2).collect::<String>() == k.key
            });
            let k = article
                .or_else(|| keys.iter().find(|k| k.kind == text::KeyKind::Surface))
                .map(|k| k.key.clone())
                .unwrap_or(surface);
            (!k.is_empty()).then_some(k)
        })
        .collect()
}

/// The closed-compound key of an English multi-word term (`data center` →
/// the key `datacenter` also reaches `datacenter`, `datacenters`).
fn closed_compound(keys: &[String]) -> String {
    keys.concat()
}

/// English hyphenated words split into their parts (`open-source` →
/// `open`, `source`) so the spaced spelling matches too.
fn hyphen_split_keys(form: &str, lang: Lang) -> Option<Vec<String>> {
    if !form.contains(['-', '\u{2010}', '\u{2011}']) {
        return None;
    }
    let spaced: String = form
        .chars()
        .map(|c| {
            if matches!(c, '-' | '\u{2010}' | '\u{2011}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    Some(term_keys(&spaced, lang))
}

/// Whether a word after the first of `form` starts with the article.
fn inner_article(form: &str) -> bool {
    text::normalize(form)
        .split_whitespace()
        .skip(1)
        .any(|w| w.starts_with("ال") && w.chars().count() > 3)
}

/// Packs a character trigram into one integer key.
fn gram_key(a: char, b: char, c: char) -> u64 {
    ((a as u64) << 42) | ((b as u64) << 21) | (c as u64)
}

/// Distinct trigrams of `s` padded with a space on both sides.
pub(crate) fn trigrams(s: &str) -> Vec<u64> {
    let mut chars: Vec<char> = Vec::with_capacity(s.len() + 2);
    chars.push(' ');
    chars.extend(s.chars());
    chars.push(' ');
    let mut out: Vec<u64> = chars
        .windows(3)
        .map(|w| gram_key(w[0], w[1], w[2]))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The duplicate-detection keys of a concept: `base-lang U+001F normalized
/// preferred-or-first term` for each language.
pub(crate) fn dup_keys(terms: &BTreeMap<String, Vec<super::model::Term>>) -> Vec<String> {
    let mut out = Vec::new();
    for (tag, list) in terms {
        let key_term = list
            .iter()
            .find(|t| t.status == super::model::TermStatus::Preferred)
            .or_else(|| list.first());
        if let Some(t) = key_term {
            let n = norm_text(&t.text);
            if !n.is_empty() {
                let base = tag
                    .split(['-', '_'])
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                out.push(format!("{base}\u{1f}{n}"));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Indexed forms of a concept.
fn analyze(concept: &Concept) -> Vec<IndexedTerm> {
    let mut out: Vec<IndexedTerm> = Vec::new();
    for (tag, list) in &concept.terms {
        let lang = Lang::from_tag(tag);
        for (ti, term) in list.iter().enumerate() {
            let mut push = |text: &str, variant: Option<usize>, keys: Vec<String>, alt: bool| {
                if keys.is_empty() && norm_text(text).is_empty() {
                    return;
                }
                if alt && out.iter().any(|o| o.lang == *tag && o.keys == keys) {
                    return;
                }
                out.push(IndexedTerm {
                    lang: tag.clone(),
                    base: base_tag(tag),
                    term_idx: ti,
                    variant,
                    text: text.to_string(),
                    norm: norm_text(text),
                    keys,
                    alternative: alt,
                    idafa: inner_article(text),
                });
            };
            let keys = term_keys(&term.text, lang);
            let english = lang == Lang::En || (lang != Lang::Other && is_latin(&term.text));
            if english {
                if let Some(split) = hyphen_split_keys(&term.text, lang) {
                    if split != keys && !split.is_empty() {
                        if split.len() > 1 {
                            push(&term.text, None, vec![closed_compound(&split)], true);
                        }
                        push(&term.text, None, split, true);
                    }
                }
                if keys.len() > 1 {
                    push(&term.text, None, vec![closed_compound(&keys)], true);
                }
            }
            push(&term.text, None, keys, false);
            for (vi, v) in term.variants.iter().enumerate() {
                let vk = variant_keys(v, lang);
                push(v, Some(vi), vk, false);
            }
        }
    }
    out
}

/// A concept with its index entries computed (pure work, parallelizable).
pub(crate) struct Prepared {
    concept: Concept,
    terms: Vec<IndexedTerm>,
    /// Trigrams per form (empty for variants and alternatives).
    grams: Vec<Vec<u64>>,
    context_keys: Vec<String>,
    negative_keys: Vec<String>,
    dup: Vec<String>,
    ambiguous_note: bool,
}

impl Prepared {
    /// Analyses `concept`.
    pub fn new(concept: Concept) -> Prepared {
        let terms = analyze(&concept);
        let grams = terms
            .iter()
            .map(|t| {
                if t.alternative || t.variant.is_some() {
                    Vec::new()
                } else {
                    trigrams(&t.keys.join(" "))
                }
            })
            .collect();
        let keys_of = |words: &[String]| -> Vec<String> {
            words
                .iter()
                .flat_map(|w| term_keys(w, text::script_lang(w)))
                .collect()
        };
        let context_keys = keys_of(&concept.context_words);
        let negative_keys = keys_of(&concept.negative_context_words);
        Prepared {
            dup: dup_keys(&concept.terms),
            ambiguous_note: super::recognize::note_says_ambiguous(&concept),
            concept,
            terms,
            grams,
            context_keys,
            negative_keys,
        }
    }

    /// Analyses many concepts on all cores.
    pub fn many(concepts: Vec<Concept>) -> Vec<Prepared> {
        use rayon::prelude::*;
        concepts.into_par_iter().map(Prepared::new).collect()
    }
}

impl Index {
    /// An empty index.
    pub fn new() -> Index {
        Index::default()
    }

    /// Number of concepts.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// The concept with this id.
    pub fn get(&self, id: &str) -> Option<Arc<Concept>> {
        let slot = *self.ids.get(id)?;
        self.slot(slot).map(|s| s.concept.clone())
    }

    /// Whether an entry with this id exists.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    /// The slot (concept + forms) at `slot`.
    pub fn slot(&self, slot: u32) -> Option<&Slot> {
        self.slots.get(slot as usize).and_then(Option::as_ref)
    }

    /// The indexed form behind a reference.
    pub fn form(&self, r: TermRef) -> Option<(&Slot, &IndexedTerm)> {
        let s = self.slot(r.0)?;
        let t = s.terms.get(r.1 as usize)?;
        Some((s, t))
    }

    /// Forms whose first word key is `key`.
    pub fn by_first_key(&self, key: &str) -> &[TermRef] {
        self.first.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Forms whose normalized text is exactly `norm`.
    pub fn by_norm(&self, norm: &str) -> &[TermRef] {
        self.norm.get(norm).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Forms whose normalized text starts with `prefix`, in text order, at
    /// most `max` of them.
    pub fn by_prefix(&self, prefix: &str, max: usize) -> Vec<TermRef> {
        let mut out = Vec::new();
        for (k, refs) in self
            .norm
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
        {
            if !k.starts_with(prefix) || out.len() >= max {
                break;
            }
            out.extend_from_slice(refs);
        }
        out.truncate(max);
        out
    }

    /// Candidate forms for a fuzzy match of the key string `s`: the forms
    /// sharing the most trigrams with it, best first, at most `max`.
    pub fn fuzzy_candidates(&self, s: &str, max: usize) -> Vec<TermRef> {
        let grams = trigrams(s);
        let mut counts: FastMap<TermRef, u32> = FastMap::default();
        for g in &grams {
            if let Some(list) = self.grams.get(g) {
                for r in list {
                    *counts.entry(*r).or_insert(0) += 1;
                }
            }
        }
        // At least a third of the query's trigrams must be shared: a string
        // within 60 % Levenshtein similarity keeps far more than that.
        let need = (grams.len() as u32 / 3).max(1);
        let mut v: Vec<(TermRef, u32)> = counts.into_iter().filter(|(_, c)| *c >= need).collect();
        v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(max);
        v.into_iter().map(|(r, _)| r).collect()
    }

    /// Slots of concepts whose duplicate key equals one of `keys`.
    pub fn duplicates_of(&self, keys: &[String]) -> Vec<u32> {
        let mut out: Vec<u32> = keys
            .iter()
            .filter_map(|k| self.dup.get(k))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Ids in key order strictly after `cursor`, at most `limit`, and whether
    /// more follow.
    pub fn ids_after(&self, cursor: Option<&str>, limit: usize) -> (Vec<Arc<Concept>>, bool) {
        let lower = match cursor {
            Some(c) => Bound::Excluded(c),
            None => Bound::Unbounded,
        };
        let mut out = Vec::with_capacity(limit.min(1024));
        let mut more = false;
        for (_, slot) in self.ids.range::<str, _>((lower, Bound::Unbounded)) {
            if out.len() == limit {
                more = true;
                break;
            }
            if let Some(s) = self.slot(*slot) {
                out.push(s.concept.clone());
            }
        }
        (out, more)
    }

    /// Inserts or replaces the concept with `concept.id`.
    #[cfg(test)]
    pub fn upsert(&mut self, concept: Concept) {
        self.insert_prepared(Prepared::new(concept));
    }

    /// Inserts or replaces a concept analysed beforehand (possibly on
    /// another thread, outside the index lock).
    pub fn insert_prepared(&mut self, p: Prepared) {
        let Prepared {
            concept,
            terms,
            grams,
            context_keys,
            negative_keys,
            dup,
            ambiguous_note,
        } = p;
        self.remove(&concept.id);
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        for (i, (t, gs)) in terms.iter().zip(&grams).enumerate() {
            let r = (slot, i as u32);
            if let Some(k) = t.keys.first() {
                // Most first keys are already there: no key copy then.
                match self.first.get_mut(k.as_str()) {
                    Some(list) => list.push(r),
                    None => {
                        self.first.insert(k.clone(), vec![r]);
                    }
                }
            }
            if t.alternative {
                continue;
            }
            if !t.norm.is_empty() {
                self.norm.entry(t.norm.clone()).or_default().push(r);
            }
            for g in gs {
                self.grams.entry(*g).or_default().push(r);
            }
        }
        for k in dup {
            self.dup.entry(k).or_default().push(slot);
        }
        self.ids.insert(concept.id.clone(), slot);
        if let Some(place) = self.slots.get_mut(slot as usize) {
            *place = Some(Slot {
                ambiguous_note,
                concept: Arc::new(concept),
                terms,
                context_keys,
                negative_keys,
            });
        }
    }

    /// Removes the concept with `id`, returning it.
    pub fn remove(&mut self, id: &str) -> Option<Arc<Concept>> {
        let slot = self.ids.remove(id)?;
        let old = self.slots.get_mut(slot as usize)?.take()?;
        for t in &old.terms {
            if let Some(k) = t.keys.first() {
                remove_refs(&mut self.first, k, slot);
            }
            if t.alternative {
                continue;
            }
            if let Some(list) = self.norm.get_mut(&t.norm) {
                list.retain(|r| r.0 != slot);
                if list.is_empty() {
                    self.norm.remove(&t.norm);
                }
            }
            if t.variant.is_none() {
                for g in trigrams(&t.keys.join(" ")) {
                    remove_refs(&mut self.grams, &g, slot);
                }
            }
        }
        for k in dup_keys(&old.concept.terms) {
            if let Some(list) = self.dup.get_mut(&k) {
                list.retain(|s| *s != slot);
                if list.is_empty() {
                    self.dup.remove(&k);
                }
            }
        }
        self.free.push(slot);
        Some(old.concept)
    }
}

fn remove_refs<K: std::hash::Hash + Eq>(map: &mut FastMap<K, Vec<TermRef>>, k: &K, slot: u32) {
    if let Some(list) = map.get_mut(k) {
        list.retain(|r| r.0 != slot);
        if list.is_empty() {
            map.remove(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::termbase::model::{Term, TermStatus};
    use chrono::Utc;

    pub(crate) fn concept(id: &str, ar: &[&str], en: &[&str]) -> Concept {
        let mut terms = BTreeMap::new();
        let mk = |xs: &[&str]| {
            xs.iter()
                .map(|t| Term {
                    text: t.to_string(),
                    ..Term::default()
                })
                .collect::<Vec<_>>()
        };
        if !ar.is_empty() {
            terms.insert("ar".to_string(), mk(ar));
        }
        if !en.is_empty() {
            terms.insert("en".to_string(), mk(en));
        }
        Concept {
            id: id.into(),
            domain: None,
            definition: None,
            note: None,
            context_words: vec![],
            negative_context_words: vec![],
            general: false,
            terms,
            created: Utc::now(),
            modified: Utc::now(),
        }
    }

    #[test]
    fn upsert_and_remove_keep_every_map_consistent() {
        let mut ix = Index::new();
        ix.upsert(concept(
            "ai",
            &["ذكاء اصطناعي"],
            &["artificial intelligence"],
        ));
        ix.upsert(concept("dc", &["مركز بيانات"], &["data center"]));
        assert_eq!(ix.len(), 2);
        assert_eq!(ix.by_norm(&norm_text("مركز بيانات")).len(), 1);
        assert!(
            !ix.by_first_key("datacenter").is_empty(),
            "closed compound indexed"
        );
        // Replacing keeps one entry and drops the old forms.
        ix.upsert(concept("dc", &["مركز البيانات"], &["data centre"]));
        assert_eq!(ix.len(), 2);
        assert!(ix.by_norm(&norm_text("مركز بيانات")).is_empty());
        assert!(ix.by_first_key("datacenter").is_empty());
        assert!(ix.remove("dc").is_some());
        assert!(ix.remove("dc").is_none());
        assert_eq!(ix.len(), 1);
        assert!(ix
            .first
            .values()
            .all(|v| v.iter().all(|r| ix.form(*r).is_some())));
        assert!(ix
            .grams
            .values()
            .all(|v| v.iter().all(|r| ix.form(*r).is_some())));
        // The freed slot is reused without resurrecting old references.
        ix.upsert(concept("gpu", &["وحدة معالجة رسومات"], &["GPU"]));
        let r = ix.by_norm(&norm_text("GPU"))[0];
        assert_eq!(ix.form(r).map(|(s, _)| s.concept.id.as_str()), Some("gpu"));
    }

    #[test]
    fn duplicate_keys_use_preferred_term_per_language() {
        let mut c = concept("m", &["نموذج", "طراز"], &["model"]);
        if let Some(list) = c.terms.get_mut("ar") {
            list[1].status = TermStatus::Preferred;
        }
        let keys = dup_keys(&c.terms);
        assert!(keys.contains(&format!("ar\u{1f}{}", norm_text("طراز"))));
        assert!(keys.contains(&"en\u{1f}model".to_string()));
    }

    #[test]
    fn pagination_is_in_id_order() {
        let mut ix = Index::new();
        for id in ["c3", "c1", "c2", "a"] {
            ix.upsert(concept(id, &["ملف"], &[]));
        }
        let (page, more) = ix.ids_after(None, 2);
        let ids: Vec<&str> = page.iter().map(|c| c.id.as_str()).collect();
        assert_eq!((ids, more), (vec!["a", "c1"], true));
        let (page, more) = ix.ids_after(Some("c1"), 5);
        let ids: Vec<&str> = page.iter().map(|c| c.id.as_str()).collect();
        assert_eq!((ids, more), (vec!["c2", "c3"], false));
    }

    #[test]
    fn fuzzy_candidates_find_typos() {
        let mut ix = Index::new();
        ix.upsert(concept("ai", &[], &["intelligence"]));
        ix.upsert(concept("x", &[], &["spreadsheet"]));
        let c = ix.fuzzy_candidates("inteligence", 10);
        assert_eq!(
            ix.form(c[0]).map(|(s, _)| s.concept.id.as_str()),
            Some("ai")
        );
    }
}
