//! The one similarity function of the translation memory. The indexed search
//! and the exhaustive scan both call it, so they cannot disagree.
//!
//! # Formula
//! Both segments are tokenized for matching by [`tokens`]: accelerator
//! markers are ignored ([`crate::text::accel`]: `Show _Toolbar`, `Lo&ad`,
//! `~Save` tokenize like `Show Toolbar`, `Load`, `Save`), a trailing colon
//! or ellipsis (`:`, `...`, `…`) is set aside, and at most [`MAX_TOKENS`]
//! tokens are kept (found in the first 256 KiB). The stored and returned
//! texts are never changed. Each token has a *weight*: 5 for punctuation,
//! 10 for everything else (words, numbers, tags/placeholders such as `<b>`,
//! `%s`, `%1`, `{0}`, URLs, symbols). `n = Σ weight` of each side.
//!
//! `d` is the weighted token Levenshtein distance over *normalized* tokens;
//! an insertion or deletion costs the token's weight, a substitution of
//! `a` by `b` costs:
//! * 0 when the normalized tokens are equal;
//! * 0 when both are **placeables of one kind**: number for number,
//!   placeholder for placeholder (`%s`, `%1`, `{0}`, `%(name)s`, `$VAR`),
//!   opening tag for opening tag, closing for closing, empty for empty,
//!   entity for entity — the difference is charged by the `numbers_differ`
//!   / `tags_differ` penalty instead, as CAT tools auto-substitute them;
//! * for two other tokens of weight 10, the least of
//!   - 5 when they share a clitic/inflection stem ([`crate::text::word_keys`],
//!     `والملف` / `الملف`, `file` / `files`),
//!   - `ceil(10 × e / max(|a|, |b|))` for a **near miss**: `e` the character
//!     Levenshtein distance of the normalized words, `|·|` their lengths
//!     in characters, when both have at least 5 characters, `e ≤ 2`
//!     ([`MAX_NEAR_EDITS`]) and `2e ≤ min(|a|, |b|)` (so it is 1–5:
//!     `europe` / `eurapa` 4, `configuration` / `configurations` 1;
//!     shorter words have too many neighbours to be worth a search),
//!   - 10;
//! * otherwise the larger weight (a punctuation mark for a word: 10).
//!
//! `base = floor(100 × (max(n, m) − d) / max(n, m))`: 100 when the token
//! sequences are equal after normalization up to placeables.
//!
//! Penalties (each reported as `{"reason","points"}`, in this order; more
//! reasons may be added, each a small separate deduction) are then
//! subtracted (floor 0):
//! * `numbers_differ`: 2 points per number not found on the other side;
//! * `tags_differ`: 2 points per tag/placeholder not found on the other side;
//! * `punctuation_differs`: 1 point when all differences are punctuation
//!   (the trailing colon or ellipsis set aside above included);
//! * `case_differs`: 1 point when aligned equal tokens differ only in case;
//! * `orthography_differs`: 1 point when aligned equal tokens differ in
//!   spelling variants that normalization folds (hamza/alef forms, ة/ه,
//!   ى/ي, diacritics, tatweel);
//! * `accelerator_differs`: 1 point when aligned equal tokens carry
//!   different accelerator markers (`_Save` / `Save`, `_Save` / `&Save`,
//!   `Sa_ve` / `_Save`);
//! * `whitespace_differs`: 1 point when the texts differ only in whitespace.
//!
//! A segment identical to the unit's text (byte for byte) scores 100 and no
//! penalty applies; it scores **101** when the request's `context` equals
//! the unit's context. Scores are integers 0–101. Equal scores are ordered
//! by [`tie_similarity`] (character similarity of the texts as written;
//! among units tying at the last place of the answer, the 32 newest are
//! compared, so thousands of near duplicates cost no more than 32), then
//! newer `modified`, then lower id.
//!
//! # Worked examples (checked by the unit tests of this file)
//! * `احفظ الملف` vs `احفظ الملف` → 100 (101 with the same context);
//! * `أنشئ ملفا جديدا` vs `انشئ ملفا جديدا` (hamza only) → 99;
//! * `Save the file` vs `save the file` (case only) → 99;
//! * `Show Toolbar` vs `Show _Toolbar`, `Load file` vs `Lo&ad file` → 99;
//! * `Custom` vs `Custom...`, `Name` vs `Name:` → 99;
//! * 10 words, one replaced by an unrelated word → 90;
//! * `Delete 3 files now please` vs `Delete 5 files now please` → 100 − 2
//!   = 98 (the diff marks `3`/`5` as `placeable`);
//! * `Stop recording now` vs `Stop recordings now` (near miss 1) → 96,
//!   vs `Stop playback now` → 66;
//! * `save the file` vs `save the files` (stem 5) → 83;
//! * `احفظ الملف` vs `احفظ والملف` (near miss 2) → 90, vs `احفظ ملف` (stem 5)
//!   → 75, vs `احفظ الصورة` (a different word) → 50.
//!
//! # Why the index filter is lossless
//! Penalties only lower a score, so candidates are filtered on `base`.
//! Every edit changes the weighted length by at most its cost, hence
//! `d ≥ |n − m|` and `base ≥ s` implies `100·min(n,m) ≥ s·max(n,m)` (length
//! window).
//!
//! Call the *credit* of an aligned pair `max(w_a, w_b) − cost(a, b)`. Every
//! query token costs its weight unless it is aligned, and then at least its
//! weight minus the pair's credit (likewise on the unit side), so
//! `d ≥ max(n, m) − C` where `C` is the total credit of the alignment, and
//! `base ≥ s` implies `100·C ≥ s·max(n, m)`. A pair has credit only when
//! the tokens share a stem key (placeables of one kind share a key too),
//! credit ≤ the weight, or when they are near misses, credit `10 − cost`.
//! The query's near misses are found in the memory's dictionary
//! ([`super::index::Dict::near_words`], an exact search, checked against
//! [`near_cost`] over the whole dictionary by the tests); each adds the
//! stem key of the dictionary word, with its credit, to the query token's
//! keys. For a unit, the search bounds `C` by giving each query token of a
//! key group the full weight for as many unit tokens as share that key and,
//! for the rest of the group, the largest near-miss credit of any unit
//! token. With `T = ceil(s·n/100)`, a unit can only qualify if it holds a
//! key (exact or near) of the rarest query groups whose complement weighs
//! less than `T` (prefix filtering); groups are ordered by the postings
//! they would read. When `T = 0` the search falls back to a scan of the
//! length window.
//!
//! # Why stopping at a higher threshold is lossless
//! Only the top `limit` results are returned. The search first runs the
//! filter above with a higher threshold `L` (95, 85, 70) in place of `s`;
//! its candidates include every unit with `base ≥ L`, hence every unit
//! whose final score is `≥ L` (final ≤ base, and 101 needs base 100). If
//! at least `limit` of them score `≥ L`, they outrank every unit not found
//! (those score `< L`), so the top `limit` is the same as at `s`; otherwise
//! the next level runs, and finally `s` itself. A high `L` needs only the
//! rarest keys, so a query with good matches never reads the long postings
//! of frequent words.

use super::model::{DiffOp, Penalty};
use crate::text::{self, KeyKind, Token, TokenKind};
use std::collections::HashMap;

/// Tokens of a segment that are indexed and scored.
pub const MAX_TOKENS: usize = 2000;

/// Weight of a punctuation token.
pub const PUNCT_WEIGHT: u32 = 5;
/// Weight of every other token.
pub const WORD_WEIGHT: u32 = 10;
/// Cost of substituting words that share a stem key (half a word).
pub const STEM_COST: u32 = 5;
/// Most character edits between two near-miss words.
pub const MAX_NEAR_EDITS: usize = 2;
/// Fewest characters of a word that can be a near miss.
pub const MIN_NEAR_CHARS: usize = 5;

/// A token as the scorer sees it: interned normalized form, interned stem
/// key, weight class, placeable flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    /// Id of the normalized token text.
    pub id: u32,
    /// Id of the stem key (equal ids for clitic/inflection variants, and
    /// for placeables of one kind).
    pub ckey: u32,
    /// 1 for punctuation, 2 otherwise (the stored weight class).
    pub w: u8,
    /// A number, tag or placeholder.
    pub place: bool,
}

impl Tok {
    /// The token's weight in the distance ([`PUNCT_WEIGHT`] or
    /// [`WORD_WEIGHT`]).
    pub fn weight(self) -> u32 {
        weight_of(self.w)
    }
}

/// Weight of a stored weight class (1 punctuation, 2 other).
pub fn weight_of(w: u8) -> u32 {
    if w == 1 {
        PUNCT_WEIGHT
    } else {
        WORD_WEIGHT
    }
}

/// Weight class of a token kind (1 punctuation, 2 other).
pub fn token_weight(kind: TokenKind) -> u8 {
    if kind == TokenKind::Punct {
        1
    } else {
        2
    }
}

/// The placeable kind of a token (its shared stem key), if it is one:
/// numbers, placeholders (`%s`, `%1`, `{0}`, `$VAR`), opening, closing and
/// empty tags, entities. The keys start with U+0001, which no token holds.
pub fn placeable_key(kind: TokenKind, norm: &str) -> Option<&'static str> {
    match kind {
        TokenKind::Number => Some("\u{1}number"),
        TokenKind::Tag => Some(if norm.starts_with("</") {
            "\u{1}</tag>"
        } else if norm.starts_with('<') && norm.ends_with("/>") {
            "\u{1}<tag/>"
        } else if norm.starts_with('<') {
            "\u{1}<tag>"
        } else if norm.starts_with('&') {
            "\u{1}&entity;"
        } else {
            "\u{1}placeholder"
        }),
        _ => None,
    }
}

/// The stem key string of a token: the placeable kind for placeables; for
/// words the shortest clitic or inflection key of [`text::word_keys_auto`]
/// (never the lexicon plural); for every other token its normalized text.
pub fn ckey_string(norm: &str, kind: TokenKind) -> String {
    if let Some(k) = placeable_key(kind, norm) {
        return k.to_string();
    }
    if kind != TokenKind::Word {
        return norm.to_string();
    }
    // The shortest clitic/inflection key is the most reduced analysis, the
    // one variants of a word share (وبالمكتبة, المكتبة, مكتبة → مكتب);
    // keys under 2 letters are too ambiguous to equate words.
    text::word_keys_auto(norm)
        .into_iter()
        .filter(|k| k.kind <= KeyKind::Inflected && k.key.chars().count() >= 2)
        .min_by_key(|k| k.key.chars().count())
        .map(|k| k.key)
        .unwrap_or_else(|| norm.to_string())
}

/// Bytes of a segment that are tokenized at most (far more than
/// [`MAX_TOKENS`] tokens of real text; bounds the work for a 10 MB segment).
pub const MAX_SCAN_BYTES: usize = 256 * 1024;

/// A trailing mark set aside for matching: `:`, `…` or a run of 3+ dots.
fn is_trailing_mark(t: &Token) -> bool {
    t.kind == TokenKind::Punct
        && (t.norm == ":"
            || t.norm == "…"
            || (t.norm.len() >= 3 && t.norm.bytes().all(|b| b == b'.')))
}

/// Tokenizes `s` for matching (its first [`MAX_SCAN_BYTES`] bytes):
/// accelerator markers ignored, trailing colons and ellipses set aside
/// (unless nothing else is left), at most [`MAX_TOKENS`] tokens.
pub fn tokens(s: &str) -> Vec<Token> {
    let mut cut = s.len().min(MAX_SCAN_BYTES);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut t = text::tokenize_ignoring_accelerators(s.get(..cut).unwrap_or(""));
    while t.len() > 1 && t.last().is_some_and(is_trailing_mark) {
        t.pop();
    }
    t.truncate(MAX_TOKENS);
    t
}

/// Cost of a near miss between two normalized words (see the module doc),
/// `None` when they are not near misses. The reference the dictionary
/// search is checked against.
pub fn near_cost(a: &str, b: &str) -> Option<u32> {
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.min(lb) < MIN_NEAR_CHARS || la.abs_diff(lb) > MAX_NEAR_EDITS || a == b {
        return None;
    }
    near_cost_of(strsim::levenshtein(a, b), la, lb)
}

/// [`near_cost`] from the edit distance and the two lengths in characters.
pub fn near_cost_of(e: usize, la: usize, lb: usize) -> Option<u32> {
    let ok =
        la.min(lb) >= MIN_NEAR_CHARS && (1..=MAX_NEAR_EDITS).contains(&e) && 2 * e <= la.min(lb);
    ok.then(|| (WORD_WEIGHT as usize * e).div_ceil(la.max(lb)) as u32)
}

/// Near misses of the query: unit token id → `(query word, cost)`, where
/// a query word is one distinct normalized text of the query (a segment
/// repeating a word 400 times has one list entry per near miss, not 400).
#[derive(Debug, Default, Clone)]
pub struct NearMisses {
    by_unit: HashMap<u32, Vec<(u32, u32)>>,
    /// Query word of each query token.
    word_of: Vec<u32>,
    /// Normalized text of each query word.
    words: Vec<String>,
}

impl NearMisses {
    /// An empty table for a query with these tokens.
    pub fn for_query(tokens: &[Token]) -> NearMisses {
        let mut seen: HashMap<&str, u32> = HashMap::new();
        let mut words = Vec::new();
        let word_of = tokens
            .iter()
            .map(|t| {
                *seen.entry(t.norm.as_str()).or_insert_with(|| {
                    words.push(t.norm.clone());
                    words.len() as u32 - 1
                })
            })
            .collect();
        NearMisses {
            by_unit: HashMap::new(),
            word_of,
            words,
        }
    }

    /// The distinct query words, by index.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The query word of query token `qi`.
    pub fn word_of(&self, qi: usize) -> u32 {
        self.word_of.get(qi).copied().unwrap_or(u32::MAX)
    }

    /// Records that unit token `id` is a near miss of query word `word`.
    pub fn insert(&mut self, word: u32, id: u32, cost: u32) {
        self.by_unit.entry(id).or_default().push((word, cost));
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_unit.is_empty()
    }

    /// The query words unit token `id` is a near miss of, with costs.
    pub fn of(&self, id: u32) -> Option<&[(u32, u32)]> {
        self.by_unit.get(&id).map(Vec::as_slice)
    }

    /// Every `(unit token id, query word, cost)`.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32, u32)> + '_ {
        self.by_unit
            .iter()
            .flat_map(|(&id, v)| v.iter().map(move |&(w, c)| (id, w, c)))
    }
}

/// Whether a query token can have near misses (a word-weight token that
/// is not a placeable, long enough).
pub fn near_eligible(t: &Tok, norm: &str) -> bool {
    t.w == 2 && !t.place && norm.chars().nth(MIN_NEAR_CHARS - 1).is_some()
}

fn sub_cost(a: Tok, b: Tok) -> u32 {
    if a.id == b.id {
        0
    } else if a.ckey == b.ckey && a.w == 2 && b.w == 2 {
        if a.place && b.place {
            0
        } else {
            STEM_COST
        }
    } else {
        a.weight().max(b.weight())
    }
}

/// Substitution cost of query token `a` (query word `word`) by unit token
/// `b`, whose near-miss list is `near`.
#[inline]
fn cell_cost(word: u32, a: Tok, b: Tok, near: Option<&[(u32, u32)]>) -> u32 {
    let c = sub_cost(a, b);
    match near {
        Some(list) if c > 0 => list
            .iter()
            .filter(|x| x.0 == word)
            .fold(c, |c, x| c.min(x.1)),
        _ => c,
    }
}

/// Weighted length.
pub fn weighted_len(t: &[Tok]) -> u32 {
    t.iter().map(|t| t.weight()).sum()
}

/// Row buffers of [`distance_in`], reused across the candidates of one
/// search (allocating them per candidate dominated the profile).
#[derive(Debug, Default)]
pub struct Scratch<'n> {
    prev: Vec<u32>,
    cur: Vec<u32>,
    near: Vec<Option<&'n [(u32, u32)]>>,
}

/// Weighted token Levenshtein distance; `None` when it exceeds `dmax`
/// (checked after every row, so hopeless candidates stop early).
pub fn distance(q: &[Tok], u: &[Tok], near: &NearMisses, dmax: Option<u32>) -> Option<u32> {
    distance_in(q, u, near, dmax, &mut Scratch::default())
}

/// [`distance`] with caller-owned buffers.
pub fn distance_in<'n>(
    q: &[Tok],
    u: &[Tok],
    near: &'n NearMisses,
    dmax: Option<u32>,
    sc: &mut Scratch<'n>,
) -> Option<u32> {
    let Scratch {
        prev,
        cur,
        near: cols,
    } = sc;
    cols.clear();
    if !near.is_empty() {
        cols.extend(u.iter().map(|t| near.of(t.id)));
    }
    prev.clear();
    let mut acc = 0;
    prev.push(0);
    for t in u {
        acc += t.weight();
        prev.push(acc);
    }
    cur.clear();
    cur.resize(u.len() + 1, 0);
    let mut first = 0u32;
    for (i, a) in q.iter().enumerate() {
        first += a.weight();
        cur[0] = first;
        let mut row_min = first;
        let word = near.word_of(i);
        for (j, b) in u.iter().enumerate() {
            let c = cell_cost(word, *a, *b, cols.get(j).copied().flatten());
            let v = (prev[j] + c)
                .min(prev[j + 1] + a.weight())
                .min(cur[j] + b.weight());
            cur[j + 1] = v;
            row_min = row_min.min(v);
        }
        if let Some(m) = dmax {
            if row_min > m {
                return None;
            }
        }
        std::mem::swap(prev, cur);
    }
    let d = prev.get(u.len()).copied().unwrap_or(0);
    match dmax {
        Some(m) if d > m => None,
        _ => Some(d),
    }
}

/// `floor(100 × (L − d) / L)` with `L = max(lq, lu)`; 100 for two empty
/// segments.
pub fn base_score(d: u32, lq: u32, lu: u32) -> u32 {
    let l = lq.max(lu);
    if l == 0 {
        return 100;
    }
    (100 * u64::from(l.saturating_sub(d)) / u64::from(l)) as u32
}

/// Largest distance that still reaches `s` (≤ 100) with lengths `lq`, `lu`.
pub fn max_distance(s: u32, lq: u32, lu: u32) -> u32 {
    let l = u64::from(lq.max(lu));
    // 100·(L − d) ≥ s·L  ⇔  d ≤ L·(100 − s)/100
    (l * u64::from(100 - s.min(100)) / 100) as u32
}

/// One aligned step (indices into the query / unit token arrays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Same normalized token.
    Equal(usize, usize),
    /// Different tokens aligned.
    Replace(usize, usize),
    /// Unit token absent from the query.
    Insert(usize),
    /// Query token absent from the unit.
    Delete(usize),
}

/// Optimal alignment (full matrix with backtrace; only run on results).
pub fn align(q: &[Tok], u: &[Tok], near: &NearMisses) -> Vec<Step> {
    let (n, m) = (q.len(), u.len());
    let w = m + 1;
    let cols: Vec<Option<&[(u32, u32)]>> = u.iter().map(|t| near.of(t.id)).collect();
    let cost = |i: usize, j: usize| cell_cost(near.word_of(i), q[i], u[j], cols[j]);
    let mut dp = vec![0u32; (n + 1) * w];
    for j in 1..=m {
        dp[j] = dp[j - 1] + u[j - 1].weight();
    }
    for i in 1..=n {
        dp[i * w] = dp[(i - 1) * w] + q[i - 1].weight();
        for j in 1..=m {
            dp[i * w + j] = (dp[(i - 1) * w + j - 1] + cost(i - 1, j - 1))
                .min(dp[(i - 1) * w + j] + q[i - 1].weight())
                .min(dp[i * w + j - 1] + u[j - 1].weight());
        }
    }
    let mut steps = Vec::with_capacity(n.max(m));
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let here = dp[i * w + j];
        if i > 0 && j > 0 && here == dp[(i - 1) * w + j - 1] + cost(i - 1, j - 1) {
            if q[i - 1].id == u[j - 1].id {
                steps.push(Step::Equal(i - 1, j - 1));
            } else {
                steps.push(Step::Replace(i - 1, j - 1));
            }
            i -= 1;
            j -= 1;
        } else if i > 0 && here == dp[(i - 1) * w + j] + q[i - 1].weight() {
            steps.push(Step::Delete(i - 1));
            i -= 1;
        } else {
            steps.push(Step::Insert(j - 1));
            j = j.saturating_sub(1);
        }
    }
    steps.reverse();
    steps
}

/// A segment with its tokens and their scorer view.
#[derive(Debug, Clone)]
pub struct Side<'a> {
    /// Original text.
    pub text: &'a str,
    /// Tokens (spans into `text`).
    pub tokens: &'a [Token],
    /// Scorer view of `tokens`.
    pub toks: &'a [Tok],
}

fn kind_multiset_diff(q: &Side<'_>, u: &Side<'_>, kind: TokenKind) -> u32 {
    let mut qa: Vec<&str> = q
        .tokens
        .iter()
        .filter(|t| t.kind == kind)
        .map(|t| t.norm.as_str())
        .collect();
    let mut ua: Vec<&str> = u
        .tokens
        .iter()
        .filter(|t| t.kind == kind)
        .map(|t| t.norm.as_str())
        .collect();
    qa.sort_unstable();
    ua.sort_unstable();
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < qa.len() && j < ua.len() {
        match qa[i].cmp(ua[j]) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    (qa.len().max(ua.len()) - common) as u32
}

/// The accelerator markers of one token: `(byte offset of the marked char
/// in the token without markers, marker)`. A marker belongs to the token
/// holding the char after it.
fn token_marks(text: &str, t: &Token, marks: &[usize]) -> Vec<(usize, u8)> {
    let inside = |m: usize| m + 1 >= t.start && m + 1 < t.end;
    let mine: Vec<usize> = marks.iter().copied().filter(|&m| inside(m)).collect();
    mine.iter()
        .enumerate()
        .map(|(k, &m)| {
            let before = mine[..k].iter().filter(|&&p| p >= t.start).count();
            let off = (m + 1).saturating_sub(t.start).saturating_sub(before);
            (off, text.as_bytes().get(m).copied().unwrap_or(0))
        })
        .collect()
}

/// A token's text as written, without accelerator markers.
fn clean_raw(text: &str, t: &Token, marks: &[usize]) -> String {
    let raw = raw(text, t);
    if !marks.iter().any(|&m| m >= t.start && m < t.end) {
        return raw.to_string();
    }
    raw.char_indices()
        .filter(|(k, _)| !marks.contains(&(t.start + k)))
        .map(|(_, c)| c)
        .collect()
}

/// What [`tokens`] set aside at the end of the text (trailing colon or
/// ellipsis), without whitespace.
fn trailing_marks<'a>(side: &Side<'a>) -> String {
    if side.tokens.len() >= MAX_TOKENS {
        return String::new();
    }
    let from = side.tokens.last().map_or(0, |t| t.end);
    side.text
        .get(from..)
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Penalties of `u` against the query `q` given their alignment.
pub fn penalties(q: &Side<'_>, u: &Side<'_>, steps: &[Step]) -> Vec<Penalty> {
    let mut out = Vec::new();
    if q.text == u.text {
        return out;
    }
    let numbers = kind_multiset_diff(q, u, TokenKind::Number);
    if numbers > 0 {
        out.push(Penalty {
            reason: "numbers_differ",
            points: 2 * numbers,
        });
    }
    let tags = kind_multiset_diff(q, u, TokenKind::Tag);
    if tags > 0 {
        out.push(Penalty {
            reason: "tags_differ",
            points: 2 * tags,
        });
    }
    let (qm, um) = (text::accelerators(q.text), text::accelerators(u.text));
    let is_punct = |t: Option<&Token>| t.is_some_and(|t| t.kind == TokenKind::Punct);
    let mut differing = 0usize;
    let mut only_punct = true;
    let (mut case, mut ortho, mut accel) = (false, false, false);
    for s in steps {
        match *s {
            Step::Equal(i, j) => {
                if let (Some(a), Some(b)) = (q.tokens.get(i), u.tokens.get(j)) {
                    if (!qm.is_empty() || !um.is_empty())
                        && token_marks(q.text, a, &qm) != token_marks(u.text, b, &um)
                    {
                        accel = true;
                    }
                    let (ra, rb) = (clean_raw(q.text, a, &qm), clean_raw(u.text, b, &um));
                    if ra != rb {
                        if ra.to_lowercase() == rb.to_lowercase() {
                            case = true;
                        } else {
                            ortho = true;
                        }
                    }
                }
            }
            Step::Replace(i, j) => {
                differing += 1;
                only_punct &= is_punct(q.tokens.get(i)) && is_punct(u.tokens.get(j));
            }
            Step::Insert(j) => {
                differing += 1;
                only_punct &= is_punct(u.tokens.get(j));
            }
            Step::Delete(i) => {
                differing += 1;
                only_punct &= is_punct(q.tokens.get(i));
            }
        }
    }
    let trailing_differs = trailing_marks(q) != trailing_marks(u);
    if only_punct && (differing > 0 || trailing_differs) {
        out.push(Penalty {
            reason: "punctuation_differs",
            points: 1,
        });
    }
    if case {
        out.push(Penalty {
            reason: "case_differs",
            points: 1,
        });
    }
    if ortho {
        out.push(Penalty {
            reason: "orthography_differs",
            points: 1,
        });
    }
    if accel {
        out.push(Penalty {
            reason: "accelerator_differs",
            points: 1,
        });
    }
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if squeeze(q.text) == squeeze(u.text) {
        out.push(Penalty {
            reason: "whitespace_differs",
            points: 1,
        });
    }
    out
}

fn raw<'a>(text: &'a str, t: &Token) -> &'a str {
    text.get(t.start..t.end).unwrap_or("")
}

/// Characters of each text compared by [`tie_similarity`]: bounds its cost
/// (a quadratic edit distance) on long segments, where equal token scores
/// are rare anyway.
pub const TIE_CHARS: usize = 512;

/// Tie-break between equal scores: character Levenshtein similarity of the
/// two texts as written (first [`TIE_CHARS`] characters of each), in
/// millionths (1,000,000 = identical).
pub fn tie_similarity(query: &str, unit: &str) -> u32 {
    let cut = |s: &str| -> usize { s.char_indices().nth(TIE_CHARS).map_or(s.len(), |(i, _)| i) };
    let (q, u) = (&query[..cut(query)], &unit[..cut(unit)]);
    (strsim::normalized_levenshtein(q, u) * 1_000_000.0).round() as u32
}

/// Final score from the base score, penalties and the 101 rule.
pub fn final_score(base: u32, penalties: &[Penalty], identical: bool, context_equal: bool) -> u32 {
    if identical {
        return if context_equal { 101 } else { 100 };
    }
    let p: u32 = penalties.iter().map(|p| p.points).sum();
    base.saturating_sub(p)
}

/// Runs of equal/insert/delete/replace/placeable steps with the original
/// text slices; `placeable` is a number, tag or placeholder aligned to one
/// of its kind (what a repair can substitute).
pub fn diff(q: &Side<'_>, u: &Side<'_>, steps: &[Step]) -> Vec<DiffOp> {
    // (op, query token range, unit token range)
    type Range = Option<(usize, usize)>;
    let mut runs: Vec<(&'static str, Range, Range)> = Vec::new();
    let ext = |r: Option<(usize, usize)>, i: Option<usize>| match (r, i) {
        (Some((a, _)), Some(i)) => Some((a, i)),
        (None, Some(i)) => Some((i, i)),
        (r, None) => r,
    };
    let placeable = |i: usize, j: usize| match (q.toks.get(i), u.toks.get(j)) {
        (Some(a), Some(b)) => a.place && b.place && a.ckey == b.ckey,
        _ => false,
    };
    for s in steps {
        let (op, qi, ui) = match *s {
            Step::Equal(i, j) => ("equal", Some(i), Some(j)),
            Step::Replace(i, j) if placeable(i, j) => ("placeable", Some(i), Some(j)),
            Step::Replace(i, j) => ("replace", Some(i), Some(j)),
            Step::Insert(j) => ("insert", None, Some(j)),
            Step::Delete(i) => ("delete", Some(i), None),
        };
        match runs.last_mut() {
            Some(last) if last.0 == op => {
                last.1 = ext(last.1, qi);
                last.2 = ext(last.2, ui);
            }
            _ => runs.push((op, qi.map(|i| (i, i)), ui.map(|j| (j, j)))),
        }
    }
    let slice = |side: &Side<'_>, r: Option<(usize, usize)>| -> String {
        r.and_then(|(a, b)| {
            let s = side.tokens.get(a)?.start;
            let e = side.tokens.get(b)?.end;
            side.text.get(s..e).map(str::to_string)
        })
        .unwrap_or_default()
    };
    runs.into_iter()
        .map(|(op, qr, ur)| DiffOp {
            op,
            query: slice(q, qr),
            source: slice(u, ur),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Scores two strings with a private dictionary, like the memory does
    /// (near misses found by [`near_cost`] over the unit's tokens).
    fn score(q: &str, u: &str) -> (u32, Vec<Penalty>, Vec<DiffOp>) {
        let mut dict: HashMap<String, u32> = HashMap::new();
        let intern = |s: String, dict: &mut HashMap<String, u32>| {
            let n = dict.len() as u32;
            *dict.entry(s).or_insert(n)
        };
        let view = |toks: &[Token], dict: &mut HashMap<String, u32>| -> Vec<Tok> {
            toks.iter()
                .map(|t| Tok {
                    id: intern(t.norm.clone(), dict),
                    ckey: intern(ckey_string(&t.norm, t.kind), dict),
                    w: token_weight(t.kind),
                    place: placeable_key(t.kind, &t.norm).is_some(),
                })
                .collect()
        };
        let (qt, ut) = (tokens(q), tokens(u));
        let (qv, uv) = (view(&qt, &mut dict), view(&ut, &mut dict));
        let mut near = NearMisses::for_query(&qt);
        for (i, (a, av)) in qt.iter().zip(&qv).enumerate() {
            for (b, bv) in ut.iter().zip(&uv) {
                if near_eligible(av, &a.norm) && near_eligible(bv, &b.norm) {
                    if let Some(c) = near_cost(&a.norm, &b.norm) {
                        near.insert(near.word_of(i), bv.id, c);
                    }
                }
            }
        }
        let d = distance(&qv, &uv, &near, None).unwrap();
        let base = base_score(d, weighted_len(&qv), weighted_len(&uv));
        let qs = Side {
            text: q,
            tokens: &qt,
            toks: &qv,
        };
        let us = Side {
            text: u,
            tokens: &ut,
            toks: &uv,
        };
        let steps = align(&qv, &uv, &near);
        let p = penalties(&qs, &us, &steps);
        let f = final_score(base, &p, q == u, false);
        (f, p, diff(&qs, &us, &steps))
    }

    fn reasons(p: &[Penalty]) -> Vec<&'static str> {
        p.iter().map(|p| p.reason).collect()
    }

    #[test]
    fn huge_segment_is_capped() {
        let big = "احفظ الملف ".repeat(1_000_000);
        let t = tokens(&big);
        assert_eq!(t.len(), MAX_TOKENS);
        assert_eq!(&big[t[1].start..t[1].end], "الملف");
    }

    #[test]
    fn identical_is_100() {
        assert_eq!(score("احفظ الملف", "احفظ الملف").0, 100);
        assert_eq!(final_score(100, &[], true, true), 101);
    }

    #[test]
    fn case_only_is_99() {
        let (s, p, _) = score("Save the file", "save the file");
        assert_eq!(s, 99, "{p:?}");
        assert_eq!(reasons(&p), ["case_differs"]);
    }

    #[test]
    fn orthography_only_is_99() {
        let (s, p, _) = score("أنشئ ملفا جديدا", "انشئ ملفا جديدا");
        assert_eq!(s, 99, "{p:?}");
        assert_eq!(reasons(&p), ["orthography_differs"]);
        let (s, _, _) = score("المكتبة العامة", "المكتبه العامّة");
        assert_eq!(s, 99);
    }

    #[test]
    fn accelerators_cost_one_point() {
        for (q, u) in [
            ("Show Toolbar", "Show _Toolbar"),
            ("Load file", "Lo&ad file"),
            ("Save", "~Save"),
            ("افتح الملف", "ا_فتح الملف"),
            ("Show _Toolbar", "Show &Toolbar"),
            ("_Save all", "Sa_ve all"),
        ] {
            let (s, p, d) = score(q, u);
            assert_eq!(
                (s, reasons(&p)),
                (99, vec!["accelerator_differs"]),
                "{q} / {u}"
            );
            // One equal run (a marker before the first word is outside it).
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(d[0].op, "equal");
            assert!(
                q.ends_with(&d[0].query) && u.ends_with(&d[0].source),
                "{d:?}"
            );
        }
        // Case and accelerator differences add up.
        let (s, p, _) = score("show toolbar", "Show _Toolbar");
        assert_eq!(
            (s, reasons(&p)),
            (98, vec!["case_differs", "accelerator_differs"])
        );
        // `&amp;` and ` & ` are text, not markers.
        assert_eq!(score("Fish &amp; Chips", "Fish Chips").0, 64);
        assert!(score("Tom & Jerry", "Tom Jerry").0 < 90);
    }

    #[test]
    fn trailing_colon_or_ellipsis_is_punctuation() {
        for (q, u) in [
            ("Custom", "Custom..."),
            ("Name", "Name:"),
            ("Open File…", "Open File"),
            ("Save As...", "Save As…"),
        ] {
            let (s, p, _) = score(q, u);
            assert_eq!(
                (s, reasons(&p)),
                (99, vec!["punctuation_differs"]),
                "{q} / {u}"
            );
        }
        // Set aside only at the end, and never the whole segment.
        assert!(score("a: b", "a b").0 < 90);
        assert_eq!(score("...", "...").0, 100);
        assert!(!tokens(":").is_empty());
    }

    #[test]
    fn one_of_ten_words_replaced_is_90() {
        let (s, p, d) = score(
            "open the new file in the editor and save it",
            "open the old file in the editor and save it",
        );
        assert_eq!(s, 90, "{p:?}");
        assert!(p.is_empty());
        assert_eq!(d[1].op, "replace");
        assert_eq!((d[1].query.as_str(), d[1].source.as_str()), ("new", "old"));
    }

    #[test]
    fn placeables_substitute_at_the_penalty() {
        let (s, p, d) = score("Delete 3 files now please", "Delete 5 files now please");
        assert_eq!(s, 98, "{p:?}");
        assert_eq!(
            p,
            [Penalty {
                reason: "numbers_differ",
                points: 2
            }]
        );
        assert_eq!(
            (d[1].op, d[1].query.as_str(), d[1].source.as_str()),
            ("placeable", "3", "5")
        );
        assert_eq!(score("Page 1", "Page 10").0, 98);
        let (s, p, d) = score("Open %s now", "Open {0} now");
        assert_eq!((s, reasons(&p)), (98, vec!["tags_differ"]));
        assert_eq!(d[1].op, "placeable");
        let (s, _, _) = score("Open <b>file</b>", "Open <i>file</i>");
        assert_eq!(s, 96);
        // Different kinds do not substitute: a tag for a number is a word.
        let (s, _, d) = score("Open <b> now", "Open 5 now");
        assert!(s < 70, "{s}");
        assert_eq!(d[1].op, "replace");
        let (s, _, d) = score("Open <b>file", "Open </b>file");
        assert!(s < 70, "{s}");
        assert_eq!(d[1].op, "replace");
    }

    #[test]
    fn near_misses_cost_by_characters() {
        assert_eq!(near_cost("europe", "eurapa"), Some(4));
        assert_eq!(near_cost("kiev", "kyiv"), None);
        assert_eq!(near_cost("configuration", "configurations"), Some(1));
        assert_eq!(near_cost("deleted", "removed"), None);
        assert_eq!(near_cost("to", "do"), None);
        assert_eq!(near_cost("file", "file"), None);
        let (s, p, d) = score("Stop recording now", "Stop recordings now");
        assert_eq!((s, p.len()), (96, 0));
        assert_eq!(d[1].op, "replace");
        assert_eq!(score("save the file", "save the files").0, 83);
        // A near miss outranks an unrelated word of the same shape.
        let near = score("Stop recording now", "Stop recordings now").0;
        let other = score("Stop recording now", "Stop playback now").0;
        assert!(near > other, "{near} {other}");
        assert_eq!(other, 66);
    }

    #[test]
    fn clitic_variant_costs_less_than_a_word() {
        let (stem, _, d) = score("احفظ الملف", "احفظ ملف");
        let (full, _, _) = score("احفظ الملف", "احفظ الصورة");
        assert_eq!(stem, 75);
        assert_eq!(score("احفظ الملف", "احفظ والملف").0, 90);
        assert_eq!(full, 50);
        assert_eq!(d[0].op, "equal");
        assert_eq!(d[0].query, "احفظ");
    }

    #[test]
    fn tags_and_whitespace_are_penalized() {
        let (s, p, _) = score("Open <b>%s</b> now", "Open <b>%d</b> now");
        assert!(p.iter().any(|p| p.reason == "tags_differ"), "{p:?} {s}");
        let (s, p, _) = score("احفظ  الملف", "احفظ الملف");
        assert!(p.iter().any(|p| p.reason == "whitespace_differs"), "{p:?}");
        assert_eq!(s, 99);
    }

    #[test]
    fn diff_reports_inserts_and_deletes_with_original_text() {
        let (_, _, d) = score("افتح الملف الجديد", "افتح الملف");
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].op, "equal");
        assert_eq!(d[0].query, "افتح الملف");
        assert_eq!(d[1].op, "delete");
        assert_eq!(d[1].query, "الجديد");
        let (_, _, d) = score("افتح", "افتح الملف");
        assert_eq!(d[1].op, "insert");
        assert_eq!(d[1].source, "الملف");
    }

    #[test]
    fn cutoff_agrees_with_full_distance() {
        let t = |ids: &[u32]| -> Vec<Tok> {
            ids.iter()
                .map(|&id| Tok {
                    id,
                    ckey: id,
                    w: 2,
                    place: false,
                })
                .collect()
        };
        let (a, b) = (t(&[1, 2, 3, 4]), t(&[1, 9, 3, 4, 5]));
        let none = NearMisses::default();
        let d = distance(&a, &b, &none, None).unwrap();
        assert_eq!(d, 20);
        assert_eq!(distance(&a, &b, &none, Some(20)), Some(20));
        assert_eq!(distance(&a, &b, &none, Some(19)), None);
        let words: Vec<Token> = ["a", "b", "c", "d"]
            .iter()
            .flat_map(|w| text::tokenize(w))
            .collect();
        let mut near = NearMisses::for_query(&words);
        near.insert(near.word_of(1), 9, 3);
        assert_eq!(distance(&a, &b, &near, None), Some(13));
    }

    proptest! {
        /// The cost formula's bounds: near misses cost 1–5, symmetric,
        /// and only for words within the edit and length limits.
        #[test]
        fn near_cost_is_bounded_and_symmetric(a in "[a-e]{1,9}", b in "[a-e]{1,9}") {
            let c = near_cost(&a, &b);
            prop_assert_eq!(c, near_cost(&b, &a));
            if let Some(c) = c {
                prop_assert!((1..=STEM_COST).contains(&c));
                prop_assert!(a.len().min(b.len()) >= MIN_NEAR_CHARS);
                let e = strsim::levenshtein(&a, &b);
                prop_assert!(e <= MAX_NEAR_EDITS && 2 * e <= a.len().min(b.len()));
            }
        }
    }
}
