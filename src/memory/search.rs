//! Fuzzy search (indexed and exhaustive) and concordance.
//!
//! A search runs over one side of the units: the source side when the
//! query's `source_lang` is the memory's source language, the target side
//! when it is the memory's target language (without `source_lang`: the
//! side the text is written in, by script, when one side of the pair is
//! Arabic and the other not; else the source side) — then each match is
//! returned swapped (`source` = the unit's target text, `target` = the
//! unit's source text, languages likewise), so a memory ar→en also answers
//! en→ar queries.
//!
//! The indexed search finds every unit whose base score reaches the
//! threshold it runs at (see the proofs in [`super::score`]: the prefix
//! filter, and the rising thresholds that stop once `limit` results are
//! certain) and both searches finish through the same ranking code, so
//! their results are identical.

use super::index::{self, Index};
use super::model::{ConcordanceHit, FuzzyMatch, SearchQuery, Span, TranslationUnit};
use super::score::{self, NearMisses, Side, Tok};
use super::{lang_base, poisoned, Error, Memories, Memory, Result};
use crate::store::key_u64;
use crate::text::Token;
use std::cmp::Reverse;
use std::collections::HashMap;

/// Highest `limit`.
pub const MAX_LIMIT: usize = 100;
/// Lowest `min_score` a search accepts. Under 30% a "match" shares too
/// little with the segment to help a translator (Trados accepts 30–100,
/// OmegaT's floor is 30), and every unit of the memory would qualify at 0,
/// so one request could make the server score a million units per segment.
pub const MIN_SCORE_FLOOR: u32 = 30;

/// Thresholds tried, highest first, before a query's own `min_score`.
const LEVELS: [u32; 3] = [95, 85, 70];
/// Candidates read, once `limit` results are in, only because they could
/// tie the last one (see [`rank`]).
const TIE_CANDIDATES: usize = 32;

/// A unit scored against the query (final score, tie-break similarity,
/// match): `None` when it is gone.
type Scored = Option<(u32, u32, FuzzyMatch)>;

/// The side (0 source, 1 target) `text` is written in, when one side of
/// the pair is Arabic and the other is not and the text's letters say
/// which: a query without `source_lang` against an en→ar memory in Arabic
/// searches the Arabic side. Else the source side.
fn side_by_script(meta: &super::model::MemoryMeta, text: &str) -> usize {
    let arabic = |l: &str| lang_base(l) == "ar";
    let (src_ar, tgt_ar) = (arabic(&meta.source_lang), arabic(&meta.target_lang));
    match crate::text::mostly_arabic(text) {
        Some(true) if tgt_ar && !src_ar => 1,
        Some(false) if src_ar && !tgt_ar => 1,
        _ => 0,
    }
}

/// Which side (0 source, 1 target) a query in `source_lang` searches
/// (without one: the side `text` is written in, see [`side_by_script`]).
fn resolve_side(
    meta: &super::model::MemoryMeta,
    text: &str,
    source_lang: Option<&str>,
    target_lang: Option<&str>,
) -> Result<usize> {
    let side = match source_lang {
        None => match target_lang {
            // The target language names the other side.
            Some(t) if lang_base(t) == lang_base(&meta.source_lang) => 1,
            Some(t) if lang_base(t) == lang_base(&meta.target_lang) => 0,
            _ => side_by_script(meta, text),
        },
        Some(l) if lang_base(l) == lang_base(&meta.source_lang) => 0,
        Some(l) if lang_base(l) == lang_base(&meta.target_lang) => 1,
        Some(l) => {
            return Err(Error::invalid(
                "source_lang",
                format!(
                    "{l} is neither language of this memory ({}→{})",
                    meta.source_lang, meta.target_lang
                ),
            ))
        }
    };
    if let Some(t) = target_lang {
        let other = if side == 0 {
            &meta.target_lang
        } else {
            &meta.source_lang
        };
        if lang_base(t) != lang_base(other) {
            return Err(Error::invalid(
                "target_lang",
                format!("{t} is not the other language of this memory ({other})"),
            ));
        }
    }
    Ok(side)
}

fn check_query(q: &SearchQuery) -> Result<()> {
    if !(MIN_SCORE_FLOOR..=101).contains(&q.min_score) {
        return Err(Error::invalid(
            "min_score",
            format!("must be between {MIN_SCORE_FLOOR} and 101"),
        ));
    }
    if q.limit == 0 || q.limit > MAX_LIMIT {
        return Err(Error::invalid("limit", "must be between 1 and 100"));
    }
    if q.text.trim().is_empty() {
        return Err(Error::invalid("text", "must not be empty"));
    }
    Ok(())
}

/// Query ckey group: (ckey, count in query, heaviest weight).
type Group = (u32, u32, u32);

fn groups(qv: &[Tok]) -> Vec<Group> {
    let mut g: Vec<Group> = Vec::new();
    for t in qv {
        match g.iter_mut().find(|x| x.0 == t.ckey) {
            Some(x) => {
                x.1 += 1;
                x.2 = x.2.max(t.weight());
            }
            None => g.push((t.ckey, 1, t.weight())),
        }
    }
    g
}

/// What the filter needs of a query, computed once for all levels: its
/// key groups, and for each group the stem keys of its near misses with
/// their largest credit (`weight − cost`, see `score`).
struct Plan {
    lq: u32,
    groups: Vec<Group>,
    near_keys: Vec<Vec<(u32, u32)>>,
}

impl Plan {
    fn new(idx: &Index, qv: &[Tok], near: &NearMisses) -> Plan {
        let groups = groups(qv);
        let mut near_keys: Vec<Vec<(u32, u32)>> = vec![Vec::new(); groups.len()];
        // Query tokens of each query word.
        let mut of_word: HashMap<u32, Vec<&Tok>> = HashMap::new();
        for (i, t) in qv.iter().enumerate() {
            of_word.entry(near.word_of(i)).or_default().push(t);
        }
        for (id, word, cost) in near.iter() {
            let ckey = idx.dict.tok(id).ckey;
            for q in of_word.get(&word).map_or(&[][..], Vec::as_slice) {
                let Some(gi) = groups.iter().position(|g| g.0 == q.ckey) else {
                    continue;
                };
                if ckey == q.ckey {
                    continue; // the group's own key gives the full weight
                }
                let credit = q.weight().saturating_sub(cost);
                let list = &mut near_keys[gi];
                match list.iter_mut().find(|x| x.0 == ckey) {
                    Some(x) => x.1 = x.1.max(credit),
                    None => list.push((ckey, credit)),
                }
            }
        }
        Plan {
            lq: score::weighted_len(qv),
            groups,
            near_keys,
        }
    }
}

/// The near misses of the query's tokens in the memory's dictionary
/// (`exhaustive`: by trying every word, the reference).
fn near_misses(idx: &Index, qtokens: &[Token], qv: &[Tok], exhaustive: bool) -> NearMisses {
    let mut near = NearMisses::for_query(qtokens);
    let mut done = vec![false; near.words().len()];
    for (i, (t, v)) in qtokens.iter().zip(qv).enumerate() {
        let word = near.word_of(i);
        let Some(slot) = done.get_mut(word as usize) else {
            continue;
        };
        if *slot || !score::near_eligible(v, &t.norm) {
            continue;
        }
        *slot = true;
        let found = if exhaustive {
            idx.dict.near_words_exhaustive(&t.norm)
        } else {
            idx.dict.near_words(&t.norm).as_ref().clone()
        };
        for (id, cost) in found {
            near.insert(word, id, cost);
        }
    }
    near
}

/// Units (ordinal, base score) whose base score reaches `s`, from the index.
fn indexed_candidates(
    idx: &Index,
    side: usize,
    qv: &[Tok],
    near: &NearMisses,
    plan: &Plan,
    s: u32,
) -> Vec<(u32, u32)> {
    let lq = plan.lq;
    // Lower length bound and credit threshold coincide: T = ceil(s·lq/100).
    let t = (u64::from(s) * u64::from(lq)).div_ceil(100) as u32;
    let hi = if s == 0 {
        u32::MAX
    } else {
        (100 * u64::from(lq) / u64::from(s)).min(u64::from(u32::MAX)) as u32
    };
    let sidx = &idx.sides[side];
    let mut cands: Vec<u32> = Vec::new();
    let g = &plan.groups;
    if t == 0 {
        for ords in sidx.by_len.range(..=hi).map(|(_, v)| v) {
            cands.extend_from_slice(ords);
        }
        cands.sort_unstable();
    } else {
        let df = |ck: u32| sidx.postings.get(ck as usize).map_or(0, Vec::len);
        let reads =
            |gi: usize| df(g[gi].0) + plan.near_keys[gi].iter().map(|x| df(x.0)).sum::<usize>();
        let mut seen = vec![0u64; idx.units.len() / 64 + 1];
        let mut order: Vec<usize> = (0..g.len()).collect();
        order.sort_by_key(|&gi| reads(gi));
        let mut rest: u32 = g.iter().map(|x| x.1 * x.2).sum();
        for gi in order {
            if rest < t {
                break;
            }
            rest -= g[gi].1 * g[gi].2;
            let keys = std::iter::once(g[gi].0).chain(plan.near_keys[gi].iter().map(|x| x.0));
            for key in keys {
                if let Some(p) = sidx.postings.get(key as usize) {
                    // A bitmap instead of sort + dedup: long postings lists
                    // of frequent keys would otherwise dominate the query.
                    for &ord in p {
                        if let Some(word) = seen.get_mut((ord / 64) as usize) {
                            *word |= 1 << (ord % 64);
                        }
                    }
                }
            }
        }
        // Read back in ordinal order: the checks below then walk the unit
        // arrays forwards instead of jumping around them.
        for (w, &word) in seen.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                cands.push(w as u32 * 64 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
    }
    cands.dedup();
    // Stem key → its group (exact), and (key, group, credit) sorted by key
    // for the groups a key is a near miss of.
    let exact: Option<HashMap<u32, usize>> =
        (g.len() > 16).then(|| g.iter().enumerate().map(|(i, x)| (x.0, i)).collect());
    let find = |ck: u32| match &exact {
        Some(map) => map.get(&ck).copied(),
        None => g.iter().position(|x| x.0 == ck),
    };
    let mut nearby: Vec<(u32, usize, u32)> = plan
        .near_keys
        .iter()
        .enumerate()
        .flat_map(|(gi, list)| list.iter().map(move |&(k, c)| (k, gi, c)))
        .collect();
    nearby.sort_unstable();
    // Most unit tokens are in no query group: a 4096-bit filter of the
    // query's keys rejects them before the lookups.
    let mut qmask = [0u64; 64];
    let mut near_mask = [0u64; 64];
    for x in g {
        qmask[(x.0 as usize >> 6) & 63] |= 1 << (x.0 & 63);
    }
    for &(k, ..) in &nearby {
        near_mask[(k as usize >> 6) & 63] |= 1 << (k & 63);
    }
    let mut counts = vec![0u32; g.len()];
    let mut best_near = vec![0u32; g.len()];
    let mut sc = score::Scratch::default();
    let mut ut: Vec<Tok> = Vec::new();
    let mut out = Vec::new();
    for ord in cands {
        // Weighted lengths are at most 10·MAX_TOKENS, so the short copy is
        // exact; dead units read as 0 and are also caught below.
        let lu = match idx.short_lens.get(ord as usize) {
            Some(l) => u32::from(l[side]),
            None => continue,
        };
        if lu < t || lu > hi || !idx.units.get(ord as usize).is_some_and(|r| r.alive) {
            continue;
        }
        if t > 0 {
            counts.iter_mut().for_each(|c| *c = 0);
            best_near.iter_mut().for_each(|c| *c = 0);
            for &k in idx.side_keys(ord, side) {
                let ck = index::key_ckey(k);
                let (slot, bit) = ((ck as usize >> 6) & 63, 1 << (ck & 63));
                if qmask[slot] & bit != 0 {
                    if let Some(gi) = find(ck) {
                        counts[gi] += 1;
                    }
                }
                if near_mask[slot] & bit != 0 {
                    let from = nearby.partition_point(|x| x.0 < ck);
                    for &(_, gi, credit) in nearby[from..].iter().take_while(|x| x.0 == ck) {
                        best_near[gi] = best_near[gi].max(credit);
                    }
                }
            }
            // Credit bound: full weight for the group tokens the unit has
            // the key of, the best near-miss credit for the others.
            let credit: u32 = g
                .iter()
                .enumerate()
                .map(|(gi, x)| {
                    let e = counts[gi].min(x.1);
                    e * x.2 + (x.1 - e) * best_near[gi]
                })
                .sum();
            // The bound holds with the longer of the two lengths:
            // 100·C ≥ s·max(lq, lu) (see `score`), tighter than T for long units.
            if credit < t || 100 * u64::from(credit) < u64::from(s) * u64::from(lq.max(lu)) {
                continue;
            }
        }
        idx.side_toks(ord, side, &mut ut);
        let dmax = score::max_distance(s, lq, lu);
        if let Some(d) = score::distance_in(qv, &ut, near, Some(dmax), &mut sc) {
            let base = score::base_score(d, lq, lu);
            if base >= s {
                out.push((ord, base));
            }
        }
    }
    out
}

/// Every live unit with its base score (no index, no cutoff): the reference.
fn exhaustive_candidates(
    idx: &Index,
    side: usize,
    qv: &[Tok],
    near: &NearMisses,
    s: u32,
) -> Vec<(u32, u32)> {
    let lq = score::weighted_len(qv);
    let mut ut = Vec::new();
    let mut out = Vec::new();
    for (ord, rec) in idx.units.iter().enumerate() {
        if !rec.alive {
            continue;
        }
        idx.side_toks(ord as u32, side, &mut ut);
        if let Some(d) = score::distance(qv, &ut, near, None) {
            let base = score::base_score(d, lq, score::weighted_len(&ut));
            if base >= s {
                out.push((ord as u32, base));
            }
        }
    }
    out
}

impl Memories {
    /// Fuzzy search through the index.
    pub fn search(&self, name: &str, q: &SearchQuery) -> Result<Vec<FuzzyMatch>> {
        self.search_with(name, q, false)
    }

    /// The same search by scoring every unit (reference for tests and
    /// benchmarks).
    pub fn search_exhaustive(&self, name: &str, q: &SearchQuery) -> Result<Vec<FuzzyMatch>> {
        self.search_with(name, q, true)
    }

    fn search_with(
        &self,
        name: &str,
        q: &SearchQuery,
        exhaustive: bool,
    ) -> Result<Vec<FuzzyMatch>> {
        check_query(q)?;
        let m = self.memory(name)?;
        let meta = m.meta.read().map_err(|_| poisoned())?.clone();
        let side = resolve_side(
            &meta,
            &q.text,
            q.source_lang.as_deref(),
            q.target_lang.as_deref(),
        )?;
        let idx = m.index.read().map_err(|_| poisoned())?;
        let qtokens = score::tokens(&q.text);
        if qtokens.is_empty() {
            return Err(Error::invalid("text", "contains no tokens"));
        }
        let mut local = HashMap::new();
        let qv: Vec<Tok> = qtokens
            .iter()
            .map(|t| idx.dict.resolve(t, &mut local))
            .collect();
        let s = q.min_score.min(100);
        let mut scored = HashMap::new();
        let near = near_misses(&idx, &qtokens, &qv, exhaustive);
        let cx = Query {
            q,
            tokens: &qtokens,
            toks: &qv,
            near: &near,
        };
        if exhaustive {
            let cands = exhaustive_candidates(&idx, side, &qv, &near, s);
            return rank(&m, &idx, side, &cx, q, cands, &mut scored);
        }
        let plan = Plan::new(&idx, &qv, &near);
        // Top-k by rising thresholds: when at least `limit` units score
        // ≥ L, every unit below L ranks after them, so the answer is the
        // one at `min_score` — and a high L needs only the rarest keys'
        // postings (see `score`), never the long lists of frequent ones.
        // Units scored at one level are not loaded again at the next.
        for level in LEVELS.iter().copied().filter(|&l| l > s) {
            let cands = indexed_candidates(&idx, side, &qv, &near, &plan, level);
            let mut at = q.clone();
            at.min_score = level;
            let r = rank(&m, &idx, side, &cx, &at, cands, &mut scored)?;
            if r.len() >= q.limit {
                return Ok(r);
            }
        }
        let cands = indexed_candidates(&idx, side, &qv, &near, &plan, s);
        rank(&m, &idx, side, &cx, q, cands, &mut scored)
    }

    /// Units whose source or target contains `phrase` (normalized, clitic
    /// and inflection variants of each word accepted, words in order and
    /// adjacent), with the spans in code points of the stored text. `lang`
    /// restricts the search to the side in that language.
    pub fn concordance(
        &self,
        name: &str,
        phrase: &str,
        lang: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ConcordanceHit>> {
        if phrase.trim().is_empty() {
            return Err(Error::invalid("q", "must not be empty"));
        }
        if limit == 0 || limit > MAX_LIMIT {
            return Err(Error::invalid("limit", "must be between 1 and 100"));
        }
        let m = self.memory(name)?;
        let meta = m.meta.read().map_err(|_| poisoned())?.clone();
        let sides: Vec<usize> = match lang {
            None => vec![0, 1],
            Some(l) => vec![resolve_side(&meta, phrase, Some(l), None).map_err(|_| {
                Error::invalid(
                    "lang",
                    format!(
                        "{l} is neither language of this memory ({}→{})",
                        meta.source_lang, meta.target_lang
                    ),
                )
            })?],
        };
        let idx = m.index.read().map_err(|_| poisoned())?;
        let qtokens = score::tokens(phrase);
        let mut local = HashMap::new();
        let qv: Vec<Tok> = qtokens
            .iter()
            .map(|t| idx.dict.resolve(t, &mut local))
            .collect();
        let qk: Vec<u32> = qv.iter().map(|t| t.ckey).collect();
        // Placeables share their kind's key: a phrase's number or
        // placeholder must be that one (`Page 5` does not find `Page 7`).
        let qid: Vec<Option<u32>> = qv.iter().map(|t| t.place.then_some(t.id)).collect();
        if qk.is_empty() || qv.iter().any(|t| t.ckey as usize >= idx.dict.len()) {
            return Ok(Vec::new());
        }
        // ordinal → token positions per side
        let mut found: std::collections::BTreeMap<u32, Vec<(usize, usize)>> = Default::default();
        for &side in &sides {
            let sidx = &idx.sides[side];
            let rare = qk
                .iter()
                .copied()
                .min_by_key(|k| sidx.postings.get(*k as usize).map_or(0, Vec::len))
                .unwrap_or(0);
            let Some(post) = sidx.postings.get(rare as usize) else {
                continue;
            };
            let mut last = None;
            for &ord in post {
                if last == Some(ord) {
                    continue;
                }
                last = Some(ord);
                if !idx.units.get(ord as usize).is_some_and(|u| u.alive) {
                    continue;
                }
                let keys: Vec<u32> = idx
                    .side_keys(ord, side)
                    .iter()
                    .map(|&k| index::key_ckey(k))
                    .collect();
                let ids = idx.side_ids(ord, side);
                let same_placeables = |start: usize| {
                    qid.iter()
                        .enumerate()
                        .all(|(k, want)| want.is_none_or(|id| ids.get(start + k) == Some(&id)))
                };
                for start in 0..keys.len().saturating_sub(qk.len() - 1) {
                    if keys[start..start + qk.len()] == qk[..] && same_placeables(start) {
                        found.entry(ord).or_default().push((side, start));
                    }
                }
            }
        }
        let mut hits = Vec::new();
        for (ord, positions) in found.into_iter().take(limit) {
            let Some(rec) = idx.units.get(ord as usize) else {
                continue;
            };
            let Some(unit) = m
                .tree
                .get_json::<TranslationUnit>(&key_u64(b"u/", rec.id))?
            else {
                continue;
            };
            let toks = [score::tokens(&unit.source), score::tokens(&unit.target)];
            let spans = positions
                .into_iter()
                .filter_map(|(side, start)| {
                    let t = &toks[side];
                    Some(Span {
                        source_side: side == 0,
                        start: t.get(start)?.char_start,
                        end: t.get(start + qk.len() - 1)?.char_end,
                    })
                })
                .collect();
            hits.push(ConcordanceHit { unit, spans });
        }
        Ok(hits)
    }
}

/// The query as every candidate is scored against it.
struct Query<'a> {
    q: &'a SearchQuery,
    tokens: &'a [Token],
    toks: &'a [Tok],
    near: &'a NearMisses,
}

/// Loads, penalizes and orders candidates; stops as soon as no remaining
/// candidate can enter the top `limit` (its base score bounds its final
/// score; 101 is only possible from base 100). A candidate whose bound
/// equals the `limit`-th score is still loaded: the tie-break
/// ([`score::tie_similarity`]) needs its text.
/// `scored` keeps every unit scored (by ordinal), for the next call with
/// the same query.
fn rank(
    m: &Memory,
    idx: &Index,
    side: usize,
    cx: &Query<'_>,
    q: &SearchQuery,
    mut cands: Vec<(u32, u32)>,
    scored: &mut HashMap<u32, Scored>,
) -> Result<Vec<FuzzyMatch>> {
    let upper = |base: u32| if base == 100 { 101 } else { base };
    let order = |ord: u32| {
        let rec = idx.units.get(ord as usize);
        (
            Reverse(rec.map_or(i64::MIN, |r| r.modified)),
            rec.map_or(u64::MAX, |r| r.id),
        )
    };
    cands.sort_by_key(|&(ord, base)| (Reverse(upper(base)), order(ord)));
    type RankKey = (Reverse<u32>, Reverse<u32>, Reverse<i64>, u64);
    let mut results: Vec<(RankKey, FuzzyMatch)> = Vec::new();
    let qside = Side {
        text: &cx.q.text,
        tokens: cx.tokens,
        toks: cx.toks,
    };
    let mut local = HashMap::new();
    let mut tie_loads = 0;
    for (ord, base) in cands {
        if results.len() >= q.limit {
            if let Some(((Reverse(kth), ..), _)) = results.get(q.limit - 1) {
                if *kth > upper(base) {
                    break;
                }
                // This candidate can at best tie the last result. Near
                // duplicates can tie by the thousand; only the first
                // TIE_CANDIDATES of them (newest first) are read for the
                // tie-break, so a search stays bounded.
                tie_loads += 1;
                if tie_loads > TIE_CANDIDATES {
                    break;
                }
            }
        }
        let entry = match scored.entry(ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(score_unit(m, idx, side, cx, &qside, ord, base, &mut local)?)
            }
        };
        let Some((sc, tie, fm)) = entry else {
            continue;
        };
        if *sc < q.min_score {
            continue;
        }
        let (modified, id) = order(ord);
        let k = (Reverse(*sc), Reverse(*tie), modified, id);
        let pos = results.partition_point(|(x, _)| *x < k);
        if pos < q.limit {
            results.insert(pos, (k, fm.clone()));
            results.truncate(q.limit);
        }
    }
    Ok(results.into_iter().map(|(_, f)| f).collect())
}

/// Loads one candidate and computes its final score and match.
#[allow(clippy::too_many_arguments)]
fn score_unit(
    m: &Memory,
    idx: &Index,
    side: usize,
    cx: &Query<'_>,
    qside: &Side<'_>,
    ord: u32,
    base: u32,
    local: &mut HashMap<String, u32>,
) -> Result<Scored> {
    let Some(rec) = idx.units.get(ord as usize) else {
        return Ok(None);
    };
    let Some(unit) = m
        .tree
        .get_json::<TranslationUnit>(&key_u64(b"u/", rec.id))?
    else {
        return Ok(None);
    };
    let (text, other, lang, other_lang) = if side == 0 {
        (unit.source, unit.target, unit.source_lang, unit.target_lang)
    } else {
        (unit.target, unit.source, unit.target_lang, unit.source_lang)
    };
    let ut = score::tokens(&text);
    let uv: Vec<Tok> = ut.iter().map(|t| idx.dict.resolve(t, local)).collect();
    let uside = Side {
        text: &text,
        tokens: &ut,
        toks: &uv,
    };
    let q = cx.q;
    let steps = score::align(cx.toks, &uv, cx.near);
    let mut penalties = score::penalties(qside, &uside, &steps);
    let identical = crate::text::normalize::canonically_equal(&q.text, &text);
    if !identical {
        penalties.extend(super::aligned::penalty(&unit.props));
    }
    let context_equal = q.context.is_some() && q.context == unit.context;
    let sc = score::final_score(base, &penalties, identical, context_equal);
    let diff = score::diff(qside, &uside, &steps);
    let fm = FuzzyMatch {
        id: unit.id,
        score: sc,
        source: text,
        target: other,
        source_lang: lang,
        target_lang: other_lang,
        diff,
        penalties,
        origin: unit.origin,
        modified: unit.modified,
        context: unit.context,
    };
    let tie = score::tie_similarity(&q.text, &fm.source);
    Ok(Some((sc, tie, fm)))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{draft, mems};
    use super::*;

    fn query(text: &str, min: u32) -> SearchQuery {
        SearchQuery {
            text: text.into(),
            source_lang: None,
            target_lang: None,
            min_score: min,
            limit: 5,
            context: None,
        }
    }

    #[test]
    fn searches_either_side_and_swaps() {
        let (_s, m) = mems();
        m.create("tm", "en", "ar", None).unwrap();
        m.add_units(
            "tm",
            vec![
                draft("Save the file", "احفظ الملف"),
                draft("Open the file", "افتح الملف"),
                draft("Close all windows", "أغلق كل النوافذ"),
            ],
        )
        .unwrap();
        let r = m.search("tm", &query("Save the file now", 50)).unwrap();
        assert_eq!(r[0].source, "Save the file");
        assert_eq!(r[0].target, "احفظ الملف");
        assert_eq!(r[0].score, 75);
        let mut q = query("احفظ الملف", 70);
        // Without source_lang the script says the Arabic side.
        let inferred = m.search("tm", &q).unwrap();
        q.source_lang = Some("ar".into());
        let r = m.search("tm", &q).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].score, r[0].source.as_str()), (100, "احفظ الملف"));
        assert_eq!(inferred, r);
        q.source_lang = None;
        q.target_lang = Some("en".into());
        assert_eq!(m.search("tm", &q).unwrap(), r);
        assert_eq!(
            (r[0].source_lang.as_str(), r[0].target_lang.as_str()),
            ("ar", "en")
        );
        assert_eq!(r[0].target, "Save the file");
        q.source_lang = Some("fr".into());
        assert!(matches!(
            m.search("tm", &q),
            Err(Error::Invalid {
                field: "source_lang",
                ..
            })
        ));
    }

    #[test]
    fn equal_scores_prefer_fewer_character_edits() {
        let (_s, m) = mems();
        m.create("tm", "en", "ar", None).unwrap();
        // The farther unit is added last, so it is newest and lowest in
        // id order: without the tie-break it would rank first.
        m.add_units("tm", vec![draft("Stop audio", "أوقف الصوت")])
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        m.add_units("tm", vec![draft("Stop recording", "أوقف التسجيل")])
            .unwrap();
        let mut q = query("Stop video", 50);
        q.limit = 1;
        let r = m.search("tm", &q).unwrap();
        assert_eq!((r[0].score, r[0].source.as_str()), (50, "Stop audio"));
        assert_eq!(r, m.search_exhaustive("tm", &q).unwrap());
        // Arabic, searched from the target side: the near miss (المجلد is
        // two letters from الملف) outranks a different word.
        m.add_units("tm", vec![draft("Delete the folder", "احذف المجلد")])
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        m.add_units(
            "tm",
            vec![draft("Delete the applications", "احذف التطبيقات")],
        )
        .unwrap();
        let mut q = query("احذف الملف", 50);
        q.source_lang = Some("ar".into());
        q.limit = 1;
        let r = m.search("tm", &q).unwrap();
        assert_eq!((r[0].score, r[0].source.as_str()), (80, "احذف المجلد"));
        assert_eq!(r, m.search_exhaustive("tm", &q).unwrap());
    }

    #[test]
    fn thousands_of_ties_read_a_bounded_number_and_match_the_scan() {
        let (_s, m) = mems();
        m.create("tm", "en", "ar", None).unwrap();
        // 300 units tie at the same score (each adds one number).
        let drafts: Vec<_> = (0..300)
            .map(|i| {
                draft(
                    &format!("Export the report {i}"),
                    &format!("صدّر التقرير {i}"),
                )
            })
            .collect();
        m.add_units("tm", drafts).unwrap();
        let mut q = query("Export the report", 50);
        q.limit = 3;
        let r = m.search("tm", &q).unwrap();
        assert_eq!(r.len(), 3);
        assert!(r.iter().all(|u| u.score == r[0].score), "{r:?}");
        assert_eq!(r, m.search_exhaustive("tm", &q).unwrap());
    }

    #[test]
    fn context_gives_101_and_validation() {
        let (_s, m) = mems();
        m.create("tm", "ar", "en", None).unwrap();
        let mut d = draft("احفظ الملف", "Save the file");
        d.context = Some("menu.file".into());
        m.add_units("tm", vec![d, draft("احفظ الملف", "Save file")])
            .unwrap();
        let mut q = query("احفظ الملف", 70);
        q.context = Some("menu.file".into());
        let r = m.search("tm", &q).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].score, r[0].target.as_str()), (101, "Save the file"));
        assert_eq!(r[1].score, 100);
        for below_or_above in [0, MIN_SCORE_FLOOR - 1, 102] {
            q.min_score = below_or_above;
            assert!(matches!(
                m.search("tm", &q),
                Err(Error::Invalid {
                    field: "min_score",
                    ..
                })
            ));
        }
        q.min_score = 70;
        q.limit = 0;
        assert!(matches!(
            m.search("tm", &q),
            Err(Error::Invalid { field: "limit", .. })
        ));
        q.limit = 5;
        q.text = "  ".into();
        assert!(matches!(
            m.search("tm", &q),
            Err(Error::Invalid { field: "text", .. })
        ));
    }

    #[test]
    fn concordance_spans_in_code_points() {
        let (_s, m) = mems();
        m.create("tm", "ar", "en", None).unwrap();
        m.add_units(
            "tm",
            vec![
                draft(
                    "مقدمة في الذكاء الاصطناعي",
                    "Introduction to artificial intelligence",
                ),
                draft("الذكاء البشري", "human intelligence"),
            ],
        )
        .unwrap();
        let hits = m.concordance("tm", "الذكاء الاصطناعي", None, 10).unwrap();
        assert_eq!(hits.len(), 1);
        let s = hits[0].spans[0];
        assert!(s.source_side);
        let chars: String = hits[0]
            .unit
            .source
            .chars()
            .skip(s.start)
            .take(s.end - s.start)
            .collect();
        assert_eq!(chars, "الذكاء الاصطناعي");
        let hits = m.concordance("tm", "Intelligence", Some("en"), 10).unwrap();
        assert_eq!(hits.len(), 2);
        assert!(!hits[0].spans[0].source_side);
        // Clitic-aware: the phrase in citation form finds للذكاء / والذكاء.
        m.add_units(
            "tm",
            vec![
                draft("مدخل للذكاء الاصطناعي", "An introduction to AI"),
                draft("الروبوتات والذكاء الاصطناعي", "Robots and AI"),
            ],
        )
        .unwrap();
        let hits = m
            .concordance("tm", "الذكاء الاصطناعي", Some("ar"), 10)
            .unwrap();
        let found: Vec<String> = hits
            .iter()
            .map(|h| {
                let s = h.spans[0];
                h.unit
                    .source
                    .chars()
                    .skip(s.start)
                    .take(s.end - s.start)
                    .collect()
            })
            .collect();
        assert_eq!(
            found,
            vec!["الذكاء الاصطناعي", "للذكاء الاصطناعي", "والذكاء الاصطناعي"]
        );
        assert!(matches!(
            m.concordance("tm", "x", Some("fr"), 10),
            Err(Error::Invalid { field: "lang", .. })
        ));
    }
}

#[cfg(test)]
mod recall_tests {
    use super::super::tests::{draft, mems};
    use super::*;

    /// Tiny deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const VOCAB: &[&str] = &[
        "الملف",
        "والملف",
        "ملف",
        "بالملف",
        "احفظ",
        "افتح",
        "أغلق",
        "اغلق",
        "النافذة",
        "file",
        "File",
        "save",
        "open",
        "the",
        ".",
        ",",
        "؟",
        "3",
        "42",
        "%s",
        "<b>",
        "{0}",
        "إعدادات",
        "الإعدادات",
        // Accelerators, placeables and near misses.
        "_File",
        "Fi&le",
        "ا_فتح",
        "~Save",
        "%1",
        "{name}",
        "</b>",
        "7",
        "files",
        "filed",
        "recording",
        "recordings",
        "recorded",
        "configuration",
        "configurations",
        "المجلد",
        "الملفات",
        "...",
        ":",
    ];

    fn sentence(r: &mut Rng, max: usize) -> String {
        let n = 1 + r.below(max);
        (0..n)
            .map(|_| VOCAB[r.below(VOCAB.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn compare(m: &Memories, q: &SearchQuery) {
        let a = m.search("tm", q).unwrap();
        let b = m.search_exhaustive("tm", q).unwrap();
        let ka: Vec<(u64, u32)> = a.iter().map(|x| (x.id, x.score)).collect();
        let kb: Vec<(u64, u32)> = b.iter().map(|x| (x.id, x.score)).collect();
        assert_eq!(
            ka, kb,
            "query {:?} min {} limit {}",
            q.text, q.min_score, q.limit
        );
    }

    #[test]
    fn indexed_equals_exhaustive_on_random_data() {
        let (_s, m) = mems();
        m.create("tm", "ar", "en", None).unwrap();
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        let drafts: Vec<_> = (0..600)
            .map(|_| draft(&sentence(&mut r, 8), &sentence(&mut r, 8)))
            .collect();
        let rep = m.add_units("tm", drafts).unwrap();
        // Deletions and replacements leave dead postings behind.
        for id in rep.ids.iter().step_by(7) {
            let _ = m.delete_unit("tm", *id);
        }
        for id in rep.ids.iter().skip(3).step_by(11) {
            let _ = m.put_unit("tm", *id, draft(&sentence(&mut r, 6), "x"));
        }
        let mut nonempty = 0;
        for i in 0..400 {
            let text = sentence(&mut r, 9);
            let q = SearchQuery {
                text,
                source_lang: Some(if i % 2 == 0 { "ar" } else { "en" }.into()),
                target_lang: None,
                min_score: [30, 31, 35, 50, 60, 70, 75, 80, 90, 99, 100, 101][i % 12],
                limit: [1, 3, 100][i % 3],
                context: None,
            };
            compare(&m, &q);
            nonempty += usize::from(!m.search("tm", &q).unwrap().is_empty());
        }
        assert!(nonempty > 100, "queries must find something: {nonempty}");
    }

    /// Near-duplicates (so the rising thresholds stop early), exact ties
    /// (same text in other contexts) and case or number variants (base
    /// above a threshold, final score below it) against the full scan.
    #[test]
    fn top_k_by_levels_equals_exhaustive() {
        let (_s, m) = mems();
        m.create("tm", "en", "ar", None).unwrap();
        let mut r = Rng(0x2545_f491_4f6c_dd1d);
        let words = [
            "open", "the", "file", "save", "folder", "window", "print", "close", "new", "all",
            "settings", "now", "please", "3", "7", "<b>", ".",
        ];
        let bases: Vec<Vec<&str>> = (0..40)
            .map(|_| {
                (0..4 + r.below(6))
                    .map(|_| words[r.below(words.len())])
                    .collect()
            })
            .collect();
        let mut drafts = Vec::new();
        for (i, b) in bases.iter().enumerate() {
            for v in 0..12 {
                let mut w = b.clone();
                for _ in 0..v % 4 {
                    let at = r.below(w.len());
                    w[at] = words[r.below(words.len())];
                }
                let mut text = w.join(" ");
                if v % 5 == 1 {
                    text = text.to_uppercase();
                }
                let mut d = draft(&text, &format!("ت {i} {v}"));
                if v % 3 == 0 {
                    d.context = Some(format!("ctx{v}"));
                }
                drafts.push(d);
            }
        }
        m.add_units("tm", drafts).unwrap();
        let mut full = 0;
        for (i, b) in bases.iter().enumerate() {
            for (min_score, limit) in [(30, 1), (30, 2), (50, 5), (60, 3), (80, 5), (90, 10)] {
                let mut w = b.clone();
                if i % 2 == 0 {
                    let at = r.below(w.len());
                    w[at] = words[r.below(words.len())];
                }
                let q = SearchQuery {
                    text: w.join(" "),
                    source_lang: Some("en".into()),
                    target_lang: None,
                    min_score,
                    limit,
                    context: (i % 3 == 0).then(|| "ctx3".to_string()),
                };
                compare(&m, &q);
                full += usize::from(m.search("tm", &q).unwrap().len() == limit);
            }
        }
        assert!(full > 100, "most queries fill their limit: {full}");
    }

    /// Decodes one field of the data set's TSV (`\\`, `\t`, `\n`, `\r`).
    fn unescape(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut it = s.chars();
        while let Some(c) = it.next() {
            if c == '\\' {
                match it.next() {
                    Some('t') => out.push('\t'),
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some(o) => out.push(o),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn indexed_equals_exhaustive_on_real_memory() {
        use std::io::BufRead;
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/tm/software-ui.en-ar.tsv.gz"
        );
        let Ok(f) = std::fs::File::open(path) else {
            println!("skipped: {path} is absent");
            return;
        };
        let rows: Vec<(String, String)> = std::io::BufReader::new(flate2::read::GzDecoder::new(f))
            .lines()
            .skip(1)
            .take(20_400)
            .map_while(|l| l.ok())
            .filter_map(|l| {
                let mut p = l.split('\t');
                Some((unescape(p.next()?), unescape(p.next()?)))
            })
            .collect();
        let (_s, m) = mems();
        m.create("tm", "en", "ar", None).unwrap();
        let (units, held) = rows.split_at(20_000.min(rows.len()));
        for chunk in units.chunks(5000) {
            m.add_units("tm", chunk.iter().map(|(s, t)| draft(s, t)).collect())
                .unwrap();
        }
        let mut found = 0;
        for (i, (en, ar)) in held.iter().take(200).enumerate() {
            let (text, lang) = if i % 2 == 0 { (en, "en") } else { (ar, "ar") };
            if text.trim().is_empty() {
                continue;
            }
            let q = SearchQuery {
                text: text.clone(),
                source_lang: Some(lang.into()),
                target_lang: None,
                min_score: [50, 70, 85][i % 3],
                limit: 10,
                context: None,
            };
            compare(&m, &q);
            found += usize::from(!m.search("tm", &q).unwrap().is_empty());
        }
        assert!(
            found > 20,
            "held-back rows must find fuzzy matches: {found}"
        );
    }
}
