//! Term recognition in running text, with a confidence per hit.
//!
//! # Matching
//! The text is tokenized; every word gets its candidate match keys
//! (`text::word_keys`, clitics/affixes/plurals), computed once per distinct
//! word. For each word and each of its keys the index yields the term forms
//! whose FIRST word key it is; a form matches when the following words' key
//! sets contain its remaining keys in order. Punctuation between two words is
//! transparent only when it is glued to both (`data-center`, `A.I.`); other
//! punctuation, tags, URLs and symbols end a term. Longest match wins,
//! leftmost first, without overlaps; with `include_nested` the shorter terms
//! inside a longer hit are reported too.
//!
//! Latin-script words inside Arabic text (and Arabic words inside English
//! text) are matched against terms of ANY language, so `GPU` in an Arabic
//! sentence finds the concept whose English term is `GPU`.
//!
//! # Confidence
//! Everyday words collide with terms (خادم servant/server, ذكاء a person's
//! intelligence, الشريحة a segment of society, "chip" of wood, fashion
//! "model"). Every hit gets a confidence from evidence in its sentence:
//! - multi-word terms start at 0.95; Latin acronyms and letter+digit names
//!   (`GPU`, `H800`) at 0.9; other unambiguous single words at 0.85;
//! - a single word is *ambiguous* when its concept's note mentions another
//!   sense (`also …`, `ambiguous`, `أيضا`) or it is in the built-in list
//!   the shipped lexicon's ambiguous words (`text::lexicon`); it starts at 0.4 and gains +0.2 per other
//!   unambiguous term in the same sentence (at most two count), +0.15 for a
//!   Latin tech token (acronym, letters+digits), +0.3 when one of the
//!   concept's `context_words` is present, +0.1 when another hit shares its
//!   domain, and loses 0.3 when an everyday-sense cue word of
//!   the lexicon's everyday cues is present; it is capped at 0.9;
//! - the match kind costs a little: normalized −0.01, inflected/variant
//!   −0.03; a single word matched only by dropping a feminine ending its
//!   term lacks (معالجة "processing" for معالج "processor") −0.15.
//!
//! Arabic multi-word matches must agree in definiteness: a first word with
//! the article needs it on every later content word (الذكاء الاصطناعي), so
//! `تنتج الشركة رقاقة` is not the term شركة رقائق — unless the term itself
//! has an inner article (improper annexation: السيارات ذاتية القيادة). On one span, only the
//! concepts with the best match kind are kept.
//!
//! Hits under `min_confidence` (default [`DEFAULT_MIN_CONFIDENCE`]) are
//! dropped; `0` returns everything.
//!
//! # Real, noisy glossaries (issue 19)
//! - a single word that is a stop word (`text::stopword`), or reached only
//!   through a stem that is one, is no hit unless the concept's context
//!   words are present; in a multi-word term such a word matches only
//!   itself (light forms: إلى is not آلي);
//! - a nisba ending on one side only (الصينية / الصين) or a broken plural of
//!   a shadda-vowelled participle (مراكز / مُرَكِّز) is another word; a
//!   feminine ending the term lacks costs [`GENDER_SHIFT_COST`];
//! - in a term base of [`LARGE_TERM_BASE`] entries or more, single words,
//!   and everywhere lower-case namesakes of capitalized names, start like
//!   ambiguous words (a Latin tech token does not vouch for the former);
//! - a word of the concept's `negative_context_words` costs
//!   [`NEGATIVE_CONTEXT_COST`]; entries flagged `general` and single words of
//!   the lexicon's general list are reported only with `include_general`;
//! - homographs on one span are ordered by how many other spans their
//!   subject field holds in the text; every hit lists its `evidence`.

use super::index::{is_latin, norm_text, Index, IndexedTerm, TermRef};
use super::model::{same_base_lang, Concept, TermStatus};
use crate::text::{self, KeyKind, Lang, TokenKind};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

/// Default minimum confidence of a reported hit: an ambiguous single word
/// alone (0.4) is dropped, one with a single piece of evidence is kept.
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.5;

/// What a single word matched only by dropping a feminine ending its term
/// lacks costs: with a large glossary such a hit is mostly another noun
/// (معالجة "processing" is not معالج "processor", تقنية "technology" not
/// تقني "technician"), so it needs evidence to be shown.
const GENDER_SHIFT_COST: f32 = 0.4;

/// What a word of the concept's negative context in the sentence costs: a
/// multi-word term (0.95) falls below the default threshold too.
const NEGATIVE_CONTEXT_COST: f32 = 0.5;

/// From this many entries on, a term base is taken for a large general
/// glossary whose single-word entries need evidence in the sentence (a
/// curated base of a few hundred or thousand entries is trusted).
pub const LARGE_TERM_BASE: usize = 10_000;

/// How a hit (or lookup result) matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    /// The original text equals the term.
    Exact,
    /// Equal after normalization (diacritics, hamza/alef, ى/ي, case, …).
    Normalized,
    /// A listed variant of the term.
    Variant,
    /// Needed clitic, affix or broken-plural analysis.
    Inflected,
    /// The normalized term starts with the query (lookup only).
    Prefix,
    /// Similar spelling (typo tolerance).
    Fuzzy,
}

impl MatchKind {
    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Normalized => "normalized",
            MatchKind::Variant => "variant",
            MatchKind::Inflected => "inflected",
            MatchKind::Prefix => "prefix",
            MatchKind::Fuzzy => "fuzzy",
        }
    }
}

/// A term of the target language offered as translation.
#[derive(Debug, Clone, PartialEq)]
pub struct Translation {
    /// The term.
    pub text: String,
    /// Its language tag.
    pub lang: String,
    /// Its status.
    pub status: TermStatus,
}

/// Options of a recognition request.
#[derive(Debug, Clone)]
pub struct RecognizeOptions {
    /// Language of the text; guessed from its script when `None`.
    pub lang: Option<String>,
    /// Language of the translations; the other of ar/en when `None`.
    pub target_lang: Option<String>,
    /// Also report the shorter terms inside a longer hit.
    pub include_nested: bool,
    /// Hits below this confidence (0–1) are dropped.
    pub min_confidence: f32,
    /// Also report general vocabulary: entries flagged `general` and single
    /// words of the lexicon's general list (شركة "company").
    pub include_general: bool,
}

impl Default for RecognizeOptions {
    fn default() -> Self {
        RecognizeOptions {
            lang: None,
            target_lang: None,
            include_nested: false,
            min_confidence: DEFAULT_MIN_CONFIDENCE,
            include_general: false,
        }
    }
}

/// One recognized term occurrence.
///
/// The entry's texts (id, term, language, translations) are shared by all
/// hits of the same form in one call: an article names the same terms again
/// and again, and copying them per hit was most of the recognition time.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Code point offset of the first character of the hit.
    pub char_start: usize,
    /// Code point offset one past the last character.
    pub char_end: usize,
    /// Byte offset of the first byte.
    pub byte_start: usize,
    /// Byte offset one past the last byte.
    pub byte_end: usize,
    /// The text as written (whole words, clitics included).
    pub surface: String,
    /// Id of the matched concept.
    pub concept_id: Arc<str>,
    /// The term (citation form) that matched.
    pub term: Arc<str>,
    /// The listed variant that matched, when `match_kind` is `Variant`.
    pub variant: Option<Arc<str>>,
    /// Language tag of the matched term.
    pub lang: Arc<str>,
    /// How it matched.
    pub match_kind: MatchKind,
    /// Confidence 0–1 that this is the term's technical sense.
    pub confidence: f32,
    /// Status of the matched term.
    pub status: TermStatus,
    /// Target-language terms of the concept.
    pub translations: Arc<[Translation]>,
    /// Whether this hit lies inside a longer hit (only with `include_nested`).
    pub nested: bool,
    /// Why it has its confidence, as stable codes: the match kind, then
    /// the starting point (`multi_word`, `tech_name`, `unambiguous_word`,
    /// `ambiguous_word`, `large_glossary_word`, `lowercase_namesake`), then
    /// what moved it (`other_terms`, `tech_token`, `context_word`,
    /// `same_domain`, `everyday_cue`, `gender_shift`, `negative_context`).
    pub evidence: Vec<&'static str>,
}

/// A hit's starting confidence, whether it needs evidence, and why.
type Base = (f32, bool, &'static str);

/// The everyday-sense and ambiguous word sets as match keys.
struct WordSets {
    ambiguous: HashSet<String>,
    general: HashSet<String>,
    cues: HashSet<String>,
}

fn word_sets() -> &'static WordSets {
    static SETS: OnceLock<WordSets> = OnceLock::new();
    SETS.get_or_init(|| {
        let key = |w: &&str| text::term_key_auto(w);
        WordSets {
            ambiguous: text::lexicon::ambiguous_words().iter().map(key).collect(),
            general: text::lexicon::general_words().iter().map(key).collect(),
            cues: text::lexicon::everyday_cues()
                .iter()
                .filter(|w| !w.contains(' '))
                .map(key)
                .collect(),
        }
    })
}

/// The language a text is in, from its script when not given.
pub(crate) fn guess_lang(s: &str) -> String {
    let (mut ar, mut latin) = (0usize, 0usize);
    for c in s.chars() {
        if text::normalize::is_arabic_letter(c) {
            ar += 1;
        } else if c.is_alphabetic() {
            latin += 1;
        }
    }
    if ar >= latin && ar > 0 { "ar" } else { "en" }.to_string()
}

/// The default translation language for a source language.
pub(crate) fn default_target(lang: &str) -> String {
    if same_base_lang(lang, "ar") {
        "en"
    } else {
        "ar"
    }
    .to_string()
}

/// Target-language terms of a concept: preferred, admitted, deprecated,
/// forbidden, each group in stored order.
pub(crate) fn translations(c: &Concept, target: &str) -> Vec<Translation> {
    let mut out: Vec<Translation> = c
        .terms
        .iter()
        .filter(|(tag, _)| super::index::base_is(tag, target))
        .flat_map(|(tag, list)| {
            list.iter().map(move |t| Translation {
                text: t.text.clone(),
                lang: tag.clone(),
                status: t.status,
            })
        })
        .collect();
    out.sort_by_key(|t| t.status);
    out
}

/// Whether a note says the term has another, non-technical sense.
pub(crate) fn note_says_ambiguous(c: &Concept) -> bool {
    let Some(note) = &c.note else { return false };
    let l = note.to_lowercase();
    [
        "also ",
        "ambiguous",
        "other sense",
        "everyday",
        "أيضا",
        "أيضاً",
        "كذلك",
    ]
    .iter()
    .any(|m| l.contains(m))
}

/// A Latin token that signals technical text: an acronym (`GPU`, `WAIC`) or
/// letters mixed with digits (`H800`, `R1`).
fn is_tech_token(w: &str) -> bool {
    let letters = w.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let upper = w.chars().filter(|c| c.is_ascii_uppercase()).count();
    let digits = w.chars().filter(|c| c.is_ascii_digit()).count();
    is_latin(w) && letters > 0 && ((upper >= 2 && upper == letters) || digits > 0)
}

/// A running word's key: (key, kind, whether its proclitics end in ال,
/// whether the part of the word it stands for is a stop word).
type UnitKey = (String, KeyKind, bool, bool);

/// A hash map with a fast hasher for per-call tables keyed by words of the
/// request (seeded per process, so crafted input cannot force collisions).
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// One distinct word of the text: its analysis and the index entries it can
/// start, computed once per call however often the word occurs (articles
/// repeat their words heavily; analysis and index probing are the
/// expensive part).
struct Word {
    /// Candidate keys: (key, kind, whether the consumed proclitics end in
    /// the article ال).
    keys: Vec<UnitKey>,
    /// Normalized word.
    norm: String,
    /// Single-word matches of this word: the best match kind per concept,
    /// ordered by (kind, form).
    singles: Vec<Single>,
    /// Multi-word forms whose first key is one of this word's keys, with
    /// that key's kind and article flag, in key order.
    starts: Vec<(TermRef, KeyKind, bool)>,
}

/// A single-word match of a distinct word.
#[derive(Debug, Clone, Copy)]
struct Single {
    r: TermRef,
    kind: MatchKind,
    /// See [`Cand::gender_shift`].
    gender_shift: bool,
    /// See [`Cand::stop`].
    stop: bool,
}

/// One word of the text.
struct Unit {
    start: usize,
    end: usize,
    char_start: usize,
    char_end: usize,
    /// Position of the word's analysis in the call's distinct words.
    word: usize,
    /// The word (any of its keys) is in the shipped lexicon's ambiguous words (`text::lexicon`).
    ambiguous: bool,
    /// Arabic script and not a preposition (subject to article agreement).
    arabic_content: bool,
    /// Whether a term may continue from the previous unit into this one.
    joined: bool,
    /// Whether the word is in the script foreign to the text language.
    foreign: bool,
    tech: bool,
    sentence: usize,
}

/// A verified match before selection.
#[derive(Debug, Clone, Copy)]
struct Cand {
    first: usize,
    last: usize,
    r: TermRef,
    kind: MatchKind,
    /// A single word matched only by dropping a feminine ending the term
    /// does not have (معالجة "processing" for معالج "processor").
    gender_shift: bool,
    /// A single word reached only through a key that is a stop word
    /// (`text::stopword`): kept only when the concept's context words
    /// confirm it.
    stop: bool,
}

/// Prepositions and particles inside multi-word Arabic terms (التعرف على
/// الوجوه): they never carry the article.
const FUNCTION_WORDS: &[&str] = &[
    "على", "في", "من", "عن", "الى", "إلى", "مع", "بين", "ذو", "ذات", "بدون", "غير",
];

fn function_words() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| FUNCTION_WORDS.iter().map(|w| text::normalize(w)).collect())
}

/// Whether the first `prefix_chars` characters of `norm` end in the article.
fn has_article(norm: &str, prefix_chars: usize) -> bool {
    if prefix_chars < 2 {
        return false;
    }
    let p: String = norm.chars().take(prefix_chars).collect();
    p.ends_with("ال") || p.ends_with("لل")
}

/// The matching key kind of `key` among a word's keys (the most literal)
/// and whether that reading has the article.
fn key_kind(keys: &[UnitKey], key: &str) -> Option<(KeyKind, bool)> {
    keys.iter()
        .find(|(k, _, _, _)| k == key)
        .map(|(_, kind, art, _)| (*kind, *art))
}

/// Whether the running word `w` may stand for word `idx` of the term
/// `form_text` through its key `key`: always, unless that key is a stop
/// word; then only when the term word is that very word (light forms, the
/// article aside): a function word never matches a term word it merely
/// folds to (إلى ~ آلي).
fn stop_key_allows(keys: &[UnitKey], key: &str, w: &str, form_text: &str, idx: usize) -> bool {
    let Some((_, kind, _, stop)) = keys.iter().find(|(k, _, _, _)| k == key) else {
        return false;
    };
    if !stop {
        return true;
    }
    let Some(prefix) = text::word_keys_auto(w)
        .into_iter()
        .find(|k| k.key == key && k.kind == *kind)
        .map(|k| k.prefix_chars)
    else {
        return false;
    };
    let part = text::stopword::key_part(w, prefix, key);
    let rest: String = text::stopword::light(w).chars().skip(prefix).collect();
    let term_word = text::tokenize(form_text)
        .into_iter()
        .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Number))
        .nth(idx)
        .and_then(|t| form_text.get(t.start..t.end))
        .map(text::stopword::light);
    // The stem (a function word inside the term: التعرف على الوجوه) or the
    // whole word without proclitics (التحتية for the term تحتية, whose
    // stem تحت is a preposition) spelled as in the term.
    term_word.is_some_and(|t| {
        let t = t
            .strip_prefix("ال")
            .filter(|r| r.chars().count() >= 2)
            .unwrap_or(&t)
            .to_string();
        [part, rest]
            .iter()
            .any(|p| p == &t || p.strip_prefix("ال").is_some_and(|r| r == t))
    })
}

/// Whether a nisba ending (ي, ية, يون, يين, يات) separates a running word
/// from a single-word term with the same stem: one has it and the other not
/// (الصينية is صيني "Chinese", not الصين "China"; التنفيذيين "executives"
/// are not تنفيذ "implementation"; حاسوبي is not حاسوب). `rest` is the
/// normalized word without its proclitics, `term` the normalized term.
fn nisba_shift(rest: &str, term: &str, key: &str) -> bool {
    let term = match term.strip_prefix("ال") {
        Some(t) if t.starts_with(key) && !term.starts_with(key) => t,
        _ => term,
    };
    let (Some(w_tail), Some(t_tail)) = (rest.strip_prefix(key), term.strip_prefix(key)) else {
        return false;
    };
    // A sound plural or dual ending (مهندسين, مهندسون) is not a nisba.
    let nisba = |t: &str| t.starts_with('ي') && t != "ين";
    nisba(w_tail) != nisba(t_tail)
}

/// The match kind of a verified form on the words `norms` whose text is
/// `surface`, given the weakest key kind needed; `None` when a listed
/// variant would only match through a further inflection.
fn match_kind<'a>(
    form: &IndexedTerm,
    surface: &str,
    mut norms: impl Iterator<Item = &'a str>,
    n: usize,
    weakest: KeyKind,
) -> Option<MatchKind> {
    let variant = form.variant.is_some();
    Some(if surface == form.text {
        if variant {
            MatchKind::Variant
        } else {
            MatchKind::Exact
        }
    } else if form.norm.split(' ').eq(&mut norms) || (n == 1 && norm_text(surface) == form.norm) {
        if variant {
            MatchKind::Variant
        } else {
            MatchKind::Normalized
        }
    } else if variant {
        // A variant is a listed inflected form: only the form itself (with
        // proclitics) counts, never a further inflection of it (the main
        // term covers those).
        if weakest > KeyKind::Clitic {
            return None;
        }
        MatchKind::Variant
    } else if weakest == KeyKind::Surface {
        MatchKind::Normalized
    } else {
        MatchKind::Inflected
    })
}

/// Analyses one distinct word `w` (a token of `kind`): keys, and the index
/// entries it starts. Single-word matches depend on nothing but the word,
/// so they are verified here once; `foreign` says whether the word is in
/// the script foreign to the text.
fn analyze_word(
    ix: &Index,
    w: &str,
    kind: TokenKind,
    lang: Lang,
    text_base: &str,
    foreign: bool,
) -> Word {
    let mut norm = String::with_capacity(w.len());
    text::push_norm(kind, w, &mut norm);
    let mut prefixes: Vec<usize> = Vec::new();
    // A stop word is one by every reading: none of its stems is a term.
    let stop_word = kind != TokenKind::Number && text::stopword::is_stopword(w);
    let keys: Vec<UnitKey> = if kind == TokenKind::Number {
        prefixes.push(0);
        vec![(norm.clone(), KeyKind::Surface, false, false)]
    } else {
        let wl = super::index::word_lang(w, lang);
        text::word_keys(w, wl)
            .into_iter()
            .map(|k| {
                let art = wl == Lang::Ar && has_article(&norm, k.prefix_chars);
                let stop = stop_word || text::stopword::is_stop_key(w, &k);
                prefixes.push(k.prefix_chars);
                (k.key, k.kind, art, stop)
            })
            .collect()
    };
    let mut singles: Vec<Single> = Vec::new();
    let mut starts = Vec::new();
    // A word's keys are distinct and a form has one first key, so every
    // form is reached at most once.
    for (ki, (key, key_kind_here, _, stop)) in keys.iter().enumerate() {
        for &r in ix.by_first_key(key) {
            let Some((_, form)) = ix.form(r) else {
                continue;
            };
            let Some((first_kind, first_art)) = form.keys.first().and_then(|k| key_kind(&keys, k))
            else {
                continue;
            };
            if form.keys.len() > 1 {
                if !*stop || stop_key_allows(&keys, key, w, &form.text, 0) {
                    starts.push((r, first_kind, first_art));
                }
                continue;
            }
            if form.base != text_base && !foreign {
                continue;
            }
            let fem = |c: char| c == 'ه' || c == 'ة';
            let gender_shift = !form.norm.ends_with(fem)
                && norm.ends_with(fem)
                && form
                    .keys
                    .first()
                    .is_some_and(|k| norm.trim_end_matches(fem).ends_with(k.as_str()));
            let Some(kind) = match_kind(form, w, std::iter::once(norm.as_str()), 1, first_kind)
            else {
                continue;
            };
            // A stem that stripping made a function word links to the term
            // only when the word is the term itself (never for a word that
            // is a stop word as written).
            let stop = *stop
                && (stop_word
                    || text::stopword::is_stopword(
                        &text::stopword::light(w)
                            .chars()
                            .skip(prefixes[ki])
                            .collect::<String>(),
                    )
                    || !stop_key_allows(&keys, key, w, &form.text, 0));
            // A broken plural belongs to an unvowelled or plainly vowelled
            // singular: مراكز is the plural of مَرْكَز "centre", never of the
            // participle مُرَكِّز "concentrator" (a shadda marks that
            // pattern, whose plural is sound).
            if *key_kind_here == KeyKind::Plural && form.text.contains('\u{0651}') {
                continue;
            }
            // A derivational relative reached by stripping is another word.
            if *key_kind_here > KeyKind::Clitic && text::script_lang(w) == Lang::Ar {
                let rest: String = norm.chars().skip(prefixes[ki]).collect();
                if nisba_shift(&rest, &form.norm, key) {
                    continue;
                }
            }
            singles.push(Single {
                r,
                kind,
                gender_shift,
                stop,
            });
        }
    }
    // One reading per concept: a link that is not a stop word first, then
    // the best match kind, the first found among equals; then in selection
    // order.
    let mut best: Vec<Single> = Vec::with_capacity(singles.len());
    for c in singles {
        match best.iter_mut().find(|b| b.r.0 == c.r.0) {
            Some(b) if (b.stop, b.kind) <= (c.stop, c.kind) => {}
            Some(b) => *b = c,
            None => best.push(c),
        }
    }
    best.sort_by(|a, b| a.kind.cmp(&b.kind).then(a.r.cmp(&b.r)));
    Word {
        keys,
        norm,
        singles: best,
        starts,
    }
}

/// The words of `s` with their distinct analyses.
fn units(ix: &Index, s: &str, lang: Lang, text_base: &str) -> (Vec<Unit>, Vec<Word>) {
    let sentences = text::segment(s);
    let sets = word_sets();
    /// Per-word facts that do not depend on the position.
    #[derive(Clone, Copy)]
    struct Facts {
        word: usize,
        ambiguous: bool,
        latin: bool,
        tech: bool,
        function: bool,
    }
    let mut cache: FastMap<&str, Facts> = FastMap::default();
    let mut words: Vec<Word> = Vec::new();
    let mut out: Vec<Unit> = Vec::with_capacity(s.len() / 8);
    let mut sentence = 0usize;
    text::for_each_span(s, |t| {
        if !matches!(t.kind, TokenKind::Word | TokenKind::Number) {
            return;
        }
        let Some(w) = s.get(t.start..t.end) else {
            return;
        };
        let facts = match cache.get(w) {
            Some(f) => *f,
            None => {
                let latin = is_latin(w);
                let foreign = if lang == Lang::Ar { latin } else { !latin };
                let word = analyze_word(ix, w, t.kind, lang, text_base, foreign);
                let f = Facts {
                    word: words.len(),
                    ambiguous: word
                        .keys
                        .iter()
                        .any(|(key, _, _, _)| sets.ambiguous.contains(key)),
                    latin,
                    tech: is_tech_token(w),
                    function: function_words().contains(&word.norm),
                };
                words.push(word);
                cache.insert(w, f);
                f
            }
        };
        // A term continues from the previous word over plain spaces (not a
        // paragraph break) or over punctuation glued to both words
        // (`data-center`, `A.I.`); commas, tags, URLs, symbols end it.
        let joined = out.last().is_some_and(|p: &Unit| {
            let gap = s.get(p.end..t.start).unwrap_or(",");
            if gap.chars().all(char::is_whitespace) {
                gap.matches('\n').count() < 2
            } else {
                gap.chars().all(|c| {
                    matches!(
                        c,
                        '-' | '\u{2010}' | '\u{2011}' | '.' | '/' | '\'' | '\u{2019}' | '_'
                    )
                })
            }
        });
        while sentences
            .get(sentence)
            .is_some_and(|seg| seg.end <= t.start)
        {
            sentence += 1;
        }
        out.push(Unit {
            start: t.start,
            end: t.end,
            char_start: t.char_start,
            char_end: t.char_end,
            word: facts.word,
            arabic_content: !facts.latin && !facts.function,
            ambiguous: facts.ambiguous,
            joined,
            foreign: if lang == Lang::Ar {
                facts.latin
            } else {
                !facts.latin
            },
            tech: facts.tech,
            sentence,
        });
    });
    (out, words)
}

/// Every verified match, ordered by start, then longest span first, then
/// match kind and form; one per (span, concept): the best match kind.
fn candidates(ix: &Index, s: &str, us: &[Unit], words: &[Word], text_base: &str) -> Vec<Cand> {
    let mut out = Vec::new();
    let mut multi: Vec<Cand> = Vec::new();
    for (i, u) in us.iter().enumerate() {
        let word = &words[u.word];
        multi.clear();
        for &(r, first_kind, first_art) in &word.starts {
            let Some((_, form)) = ix.form(r) else {
                continue;
            };
            let n = form.keys.len();
            let Some(span) = us.get(i..i + n) else {
                continue;
            };
            if span.iter().skip(1).any(|u| !u.joined) {
                continue;
            }
            // Arabic definiteness agreement: when the first word has the
            // article, every later content word must have it too
            // (الذكاء الاصطناعي, النماذج اللغوية); a definite noun followed
            // by an indefinite one is not one phrase (تنتج الشركة رقاقة ≠
            // شركة رقائق) — unless the term has an inner article itself.
            let need_article = !form.idafa && first_art && u.arabic_content;
            let mut weakest = first_kind;
            let mut ok = true;
            for (j, (v, k)) in span.iter().zip(&form.keys).enumerate().skip(1) {
                let vkeys = &words[v.word].keys;
                match key_kind(vkeys, k) {
                    Some((kind, art))
                        if (art || !need_article || !v.arabic_content)
                            && stop_key_allows(
                                vkeys,
                                k,
                                s.get(v.start..v.end).unwrap_or(""),
                                &form.text,
                                j,
                            ) =>
                    {
                        weakest = weakest.max(kind);
                    }
                    _ => {
                        ok = false;
                        break;
                    }
                }
            }
            // Same language as the text, or every word in the script
            // foreign to it (`GPU` in Arabic text).
            if !ok || (form.base != text_base && !span.iter().all(|u| u.foreign)) {
                continue;
            }
            let surface = s.get(u.start..span[n - 1].end).unwrap_or("");
            let norms = span.iter().map(|v| words[v.word].norm.as_str());
            let Some(kind) = match_kind(form, surface, norms, n, weakest) else {
                continue;
            };
            multi.push(Cand {
                first: i,
                last: i + n - 1,
                r,
                kind,
                gender_shift: false,
                stop: false,
            });
        }
        // One per (span, concept): the best kind, the first found among
        // equals (a stable sort keeps the order found).
        multi.sort_by(|a, b| {
            b.last
                .cmp(&a.last)
                .then(a.r.0.cmp(&b.r.0))
                .then(a.kind.cmp(&b.kind))
        });
        multi.dedup_by(|b, a| a.last == b.last && a.r.0 == b.r.0);
        multi.sort_unstable_by(|a, b| {
            b.last
                .cmp(&a.last)
                .then(a.kind.cmp(&b.kind))
                .then(a.r.cmp(&b.r))
        });
        out.extend_from_slice(&multi);
        out.extend(word.singles.iter().map(|x| Cand {
            first: i,
            last: i,
            r: x.r,
            kind: x.kind,
            gender_shift: x.gender_shift,
            stop: x.stop,
        }));
    }
    out
}

/// Leftmost-longest, non-overlapping selection; returns (top, nested),
/// nested only when `want_nested`.
fn select(cands: &[Cand], want_nested: bool) -> (Vec<Cand>, Vec<Cand>) {
    let mut top = Vec::new();
    let mut nested = Vec::new();
    let mut i = 0usize;
    while i < cands.len() {
        let first = cands[i].first;
        // Sorted: the longest span at this start, its best match kind first.
        let (last, best) = (cands[i].last, cands[i].kind);
        let mut j = i;
        while j < cands.len() && cands[j].first == first {
            if cands[j].last == last {
                // Other concepts on the same span only when they match as
                // well (homographs); a weaker reading (a pattern-guessed
                // plural) is dropped.
                if cands[j].kind == best {
                    top.push(cands[j]);
                }
            } else if want_nested {
                nested.push(cands[j]);
            }
            j += 1;
        }
        // Skip everything that starts inside the chosen span; only what
        // also ends inside it is nested (the rest overlaps and is dropped).
        while j < cands.len() && cands[j].first <= last {
            if want_nested && cands[j].last <= last {
                nested.push(cands[j]);
            }
            j += 1;
        }
        i = j;
    }
    (top, nested)
}

/// Recognizes the terms of `ix` in `s`.
pub(crate) fn recognize(ix: &Index, s: &str, opts: &RecognizeOptions) -> Vec<Hit> {
    let text_lang = opts.lang.clone().unwrap_or_else(|| guess_lang(s));
    let target = opts
        .target_lang
        .clone()
        .unwrap_or_else(|| default_target(&text_lang));
    let text_base = super::index::base_tag(&text_lang);
    let (us, words) = units(ix, s, Lang::from_tag(&text_lang), &text_base);
    let cands = candidates(ix, s, &us, &words, &text_base);
    let (top, nested) = select(&cands, opts.include_nested);
    drop(cands);
    // In a large glossary most single words are ordinary vocabulary (its
    // entries for يمكن "enable", وضع "posture", كشف "detection"): there a
    // single word needs evidence like an ambiguous one.
    let large = ix.len() >= LARGE_TERM_BASE;

    let sets = word_sets();
    // Evidence per sentence: unambiguous hits (by concept), Latin tech
    // tokens, all keys present (for context words and cues).
    // A form's own evidence (a Latin tech name, an ambiguous word) is the
    // same at each of its occurrences: worked out once per form.
    let mut form_facts: FastMap<TermRef, (bool, bool)> = FastMap::default();
    let mut base_of = |c: &Cand| -> Base {
        let Some((slot, form)) = ix.form(c.r) else {
            return (0.0, true, "unknown");
        };
        if form.keys.len() > 1 {
            return (0.95, false, "multi_word");
        }
        let (form_tech, form_ambiguous) = *form_facts.entry(c.r).or_insert_with(|| {
            (
                is_tech_token(&form.text),
                slot.ambiguous_note
                    || form
                        .keys
                        .first()
                        .is_some_and(|k| sets.ambiguous.contains(k)),
            )
        });
        let u = &us[c.first];
        if u.tech || form_tech {
            return (0.9, false, "tech_name");
        }
        // A capitalized name matched by a lower-case word (a python in the
        // zoo, a cup of java, windows and doors) is its everyday namesake
        // unless the sentence says otherwise.
        let case_shift = form.base == "en"
            && form.text.chars().next().is_some_and(char::is_uppercase)
            && s.get(u.start..u.end)
                .is_some_and(|w| w.chars().all(|c| !c.is_uppercase()));
        if case_shift {
            (0.4, true, "lowercase_namesake")
        } else if form_ambiguous || u.ambiguous {
            (0.4, true, "ambiguous_word")
        } else if large {
            (0.4, true, "large_glossary_word")
        } else {
            (0.85, false, "unambiguous_word")
        }
    };
    let top_base: Vec<Base> = top.iter().map(&mut base_of).collect();
    let nested_base: Vec<Base> = nested.iter().map(&mut base_of).collect();
    let n_sent = us.last().map(|u| u.sentence + 1).unwrap_or(0);
    let mut strong: Vec<Vec<(u32, Option<&str>, usize)>> = vec![Vec::new(); n_sent];
    let mut tech: Vec<Vec<usize>> = vec![Vec::new(); n_sent];
    // Key sets only for sentences holding an ambiguous hit (the evidence
    // is only needed there): every key for context words, literal keys
    // (surface, clitics) for everyday cues so that a stem like لحم from
    // لحماية does not count as "meat".
    let mut needs_sets = vec![false; n_sent];
    for (c, b) in top
        .iter()
        .zip(&top_base)
        .chain(nested.iter().zip(&nested_base))
    {
        let negative = ix
            .form(c.r)
            .is_some_and(|(slot, _)| !slot.negative_keys.is_empty());
        if b.1 || c.stop || negative {
            needs_sets[us[c.first].sentence] = true;
        }
    }
    let mut keys: Vec<HashSet<&str>> = vec![HashSet::new(); n_sent];
    let mut literal: Vec<HashSet<&str>> = vec![HashSet::new(); n_sent];
    for (i, u) in us.iter().enumerate() {
        if u.tech {
            tech[u.sentence].push(i);
        }
        if needs_sets[u.sentence] {
            for (k, kind, _, _) in words[u.word].keys.iter() {
                keys[u.sentence].insert(k.as_str());
                if *kind <= KeyKind::Clitic {
                    literal[u.sentence].insert(k.as_str());
                }
            }
        }
    }
    for (c, b) in top.iter().zip(&top_base) {
        if !b.1 {
            if let Some((slot, _)) = ix.form(c.r) {
                strong[us[c.first].sentence].push((c.r.0, slot.concept.domain.as_deref(), c.first));
            }
        }
    }
    let confidence = |c: &Cand, (base, ambiguous, why): Base| -> (f32, Vec<&'static str>) {
        let mut conf = base;
        let mut evidence = vec![c.kind.as_str(), why];
        if ambiguous {
            let sent = us[c.first].sentence;
            let slot = ix.form(c.r).map(|(s, _)| s);
            let others: Vec<&(u32, Option<&str>, usize)> = strong[sent]
                .iter()
                .filter(|(sl, _, pos)| *sl != c.r.0 && (*pos < c.first || *pos > c.last))
                .collect();
            let mut distinct: Vec<u32> = others.iter().map(|o| o.0).collect();
            distinct.sort_unstable();
            distinct.dedup();
            conf += 0.2 * distinct.len().min(2) as f32;
            if !distinct.is_empty() {
                evidence.push("other_terms");
            }
            // A Latin tech token says the text is technical, not that a
            // large glossary's single word is meant technically.
            if !large && tech[sent].iter().any(|&i| i < c.first || i > c.last) {
                conf += 0.15;
                evidence.push("tech_token");
            }
            if let Some(slot) = slot {
                if slot
                    .context_keys
                    .iter()
                    .any(|k| keys[sent].contains(k.as_str()))
                {
                    conf += 0.3;
                    evidence.push("context_word");
                }
                if let Some(d) = slot.concept.domain.as_deref() {
                    if others.iter().any(|o| o.1 == Some(d)) {
                        conf += 0.1;
                        evidence.push("same_domain");
                    }
                }
            }
            if sets.cues.iter().any(|k| literal[sent].contains(k.as_str())) {
                conf -= 0.3;
                evidence.push("everyday_cue");
            }
            conf = conf.min(0.9);
        }
        if c.gender_shift {
            conf -= GENDER_SHIFT_COST;
            evidence.push("gender_shift");
        }
        conf -= match c.kind {
            MatchKind::Exact => 0.0,
            MatchKind::Normalized => 0.01,
            MatchKind::Variant | MatchKind::Inflected => 0.03,
            MatchKind::Prefix | MatchKind::Fuzzy => 0.25,
        };
        ((conf.clamp(0.0, 1.0) * 100.0).round() / 100.0, evidence)
    };

    // The entry's texts, shared by all hits of a form (see [`Hit`]).
    struct Shared {
        concept_id: Arc<str>,
        term: Arc<str>,
        variant: Option<Arc<str>>,
        lang: Arc<str>,
        status: TermStatus,
        translations: Arc<[Translation]>,
    }
    let mut by_concept: FastMap<u32, (Arc<str>, Arc<[Translation]>)> = FastMap::default();
    let mut by_form: FastMap<TermRef, Option<Shared>> = FastMap::default();
    // The text's domains: how many spans a concept of each subject field
    // holds alone (no homograph beside it). Homographs on one span are
    // ranked by it, so the sense of the text's field comes first (خادم
    // "server" of a computing glossary before "slave" of another).
    let mut support: FastMap<&str, u32> = FastMap::default();
    for (i, c) in top.iter().enumerate() {
        let alone = top
            .get(i + 1)
            .is_none_or(|n| (n.first, n.last) != (c.first, c.last))
            && (i == 0 || (top[i - 1].first, top[i - 1].last) != (c.first, c.last));
        if let Some(d) = ix
            .form(c.r)
            .and_then(|(slot, _)| slot.concept.domain.as_deref())
            .filter(|_| alone)
        {
            *support.entry(d).or_insert(0) += 1;
        }
    }
    let mut hits: Vec<(u32, Hit)> = Vec::with_capacity(top.len() + nested.len());
    let mut emit = |c: &Cand, base: Base, is_nested: bool| {
        let Some((slot, form)) = ix.form(c.r) else {
            return;
        };
        // A single word linked to the entry only through a stop word is
        // not a hit at all unless the concept's own context words confirm it.
        if c.stop
            && !slot
                .context_keys
                .iter()
                .any(|k| keys[us[c.first].sentence].contains(k.as_str()))
        {
            return;
        }
        // General vocabulary only on request.
        if !opts.include_general
            && (slot.concept.general
                || (c.first == c.last
                    && form.keys.len() == 1
                    && form.keys.first().is_some_and(|k| sets.general.contains(k))))
        {
            return;
        }
        let (mut conf, mut evidence) = confidence(c, base);
        // A word of the concept's negative context in the sentence points
        // to another sense (خادم with مسجد): most of the confidence goes.
        if slot
            .negative_keys
            .iter()
            .any(|k| keys[us[c.first].sentence].contains(k.as_str()))
        {
            conf = ((conf - NEGATIVE_CONTEXT_COST).max(0.0) * 100.0).round() / 100.0;
            evidence.push("negative_context");
        }
        if conf < opts.min_confidence {
            return;
        }
        let shared = by_form.entry(c.r).or_insert_with(|| {
            let term = slot
                .concept
                .terms
                .get(&form.lang)
                .and_then(|l| l.get(form.term_idx))?;
            let (concept_id, translations) = by_concept
                .entry(c.r.0)
                .or_insert_with(|| {
                    (
                        Arc::from(slot.concept.id.as_str()),
                        Arc::from(translations(&slot.concept, &target)),
                    )
                })
                .clone();
            Some(Shared {
                concept_id,
                term: Arc::from(term.text.as_str()),
                variant: form.variant.map(|_| Arc::from(form.text.as_str())),
                lang: Arc::from(form.lang.as_str()),
                status: term.status,
                translations,
            })
        });
        let Some(shared) = shared else { return };
        let (a, b) = (&us[c.first], &us[c.last]);
        let domain_support = slot
            .concept
            .domain
            .as_deref()
            .and_then(|d| support.get(d))
            .copied()
            .unwrap_or(0);
        hits.push((
            domain_support,
            Hit {
                char_start: a.char_start,
                char_end: b.char_end,
                byte_start: a.start,
                byte_end: b.end,
                surface: s.get(a.start..b.end).unwrap_or("").to_string(),
                concept_id: shared.concept_id.clone(),
                term: shared.term.clone(),
                variant: shared.variant.clone(),
                lang: shared.lang.clone(),
                match_kind: c.kind,
                confidence: conf,
                status: shared.status,
                translations: shared.translations.clone(),
                nested: is_nested,
                evidence,
            },
        ));
    };
    for (c, b) in top.iter().zip(&top_base) {
        emit(c, *b, false);
    }
    for (c, b) in nested.iter().zip(&nested_base) {
        emit(c, *b, true);
    }
    let order = |(sa, a): &(u32, Hit), (sb, b): &(u32, Hit)| {
        a.char_start
            .cmp(&b.char_start)
            .then(b.char_end.cmp(&a.char_end))
            .then(b.confidence.total_cmp(&a.confidence))
            .then(sb.cmp(sa))
            // Homographs on one span: by concept id, so the answer does not
            // depend on the order entries were imported in.
            .then_with(|| a.concept_id.cmp(&b.concept_id))
    };
    // Top hits come out in text order; sorting (a copy of every hit) is
    // only needed when nested hits or confidences put them out of order.
    if !hits.is_sorted_by(|a, b| order(a, b).is_le()) {
        hits.sort_by(order);
    }
    hits.into_iter().map(|(_, h)| h).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::termbase::model::{ConceptDraft, Term};
    use crate::termbase::tests::draft;
    use crate::termbase::TermBases;

    fn tb(drafts: Vec<ConceptDraft>) -> TermBases {
        let store = Store::temporary().unwrap();
        let tbs = TermBases::open(&store).unwrap();
        tbs.create("t", None).unwrap();
        for d in drafts {
            tbs.create_concept("t", d).unwrap();
        }
        tbs
    }

    fn all() -> RecognizeOptions {
        RecognizeOptions {
            min_confidence: 0.0,
            ..RecognizeOptions::default()
        }
    }

    fn check_offsets(text: &str, hits: &[Hit]) {
        for h in hits {
            let by_chars: String = text
                .chars()
                .skip(h.char_start)
                .take(h.char_end - h.char_start)
                .collect();
            assert_eq!(h.surface, by_chars, "{h:?}");
            assert_eq!(&text[h.byte_start..h.byte_end], h.surface);
        }
    }

    #[test]
    fn exact_multiword_and_offsets_in_code_points() {
        let tbs = tb(vec![draft(
            Some("ai"),
            &["الذكاء الاصطناعي"],
            &["artificial intelligence"],
        )]);
        let text = "قمة الذكاء الاصطناعي في الصين";
        let hits = tbs
            .recognize("t", text, &RecognizeOptions::default())
            .unwrap();
        assert_eq!(hits.len(), 1, "{hits:?}");
        let h = &hits[0];
        assert_eq!((h.char_start, h.char_end), (4, 20));
        assert_eq!(h.match_kind, MatchKind::Exact);
        assert!(h.confidence >= 0.9);
        assert_eq!(h.translations[0].text, "artificial intelligence");
        check_offsets(text, &hits);
    }

    #[test]
    fn longest_match_wins_and_nested_on_request() {
        let tbs = tb(vec![
            draft(Some("model"), &["نموذج"], &["model"]),
            draft(Some("llm"), &["نموذج لغوي ضخم"], &["large language model"]),
        ]);
        let text = "أطلقت الشركة نموذج لغوي ضخم جديدا";
        let hits = tbs.recognize("t", text, &all()).unwrap();
        let ids: Vec<&str> = hits.iter().map(|h| &*h.concept_id).collect();
        assert_eq!(ids, vec!["llm"]);
        let nested = RecognizeOptions {
            include_nested: true,
            ..all()
        };
        let hits = tbs.recognize("t", text, &nested).unwrap();
        let ids: Vec<(&str, bool)> = hits.iter().map(|h| (&*h.concept_id, h.nested)).collect();
        assert_eq!(ids, vec![("llm", false), ("model", true)]);
        check_offsets(text, &hits);
    }

    #[test]
    fn latin_names_in_arabic_text_hit_english_terms() {
        let tbs = tb(vec![
            draft(Some("gpu"), &["وحدة معالجة رسومات"], &["GPU"]),
            draft(Some("h800"), &[], &["Nvidia H800"]),
        ]);
        let text = "استخدمت الشركة 2000 شريحة من نوع Nvidia H800 وكل GPU منها";
        let hits = tbs
            .recognize("t", text, &RecognizeOptions::default())
            .unwrap();
        let ids: Vec<&str> = hits.iter().map(|h| &*h.concept_id).collect();
        assert_eq!(ids, vec!["h800", "gpu"], "{hits:?}");
        assert_eq!(hits[0].surface, "Nvidia H800");
        check_offsets(text, &hits);
    }

    #[test]
    fn ambiguous_single_word_needs_evidence() {
        let mut server = draft(Some("server"), &["خادم"], &["server"]);
        server.context_words = vec!["بيانات".into()];
        let tbs = tb(vec![
            server,
            draft(Some("cloud"), &["حوسبة سحابية"], &["cloud computing"]),
        ]);
        // Servant in a household: no evidence, dropped at the default.
        let hits = tbs
            .recognize(
                "t",
                "كان الخادم يعمل في القصر منذ سنوات",
                &RecognizeOptions::default(),
            )
            .unwrap();
        assert!(hits.is_empty(), "{hits:?}");
        // Server next to a technical term: kept.
        let hits = tbs
            .recognize(
                "t",
                "نقلت الشركة الخادم إلى منصة الحوسبة السحابية",
                &RecognizeOptions::default(),
            )
            .unwrap();
        assert!(hits.iter().any(|h| &*h.concept_id == "server"), "{hits:?}");
    }

    #[test]
    fn forbidden_source_terms_are_reported_with_status() {
        let mut d = draft(Some("ai"), &["ذكاء اصطناعي"], &["AI"]);
        if let Some(l) = d.terms.get_mut("ar") {
            l.push(Term {
                text: "ذكاء صنعي".into(),
                status: TermStatus::Forbidden,
                ..Term::default()
            });
        }
        let tbs = tb(vec![d]);
        let hits = tbs
            .recognize("t", "تطور الذكاء الصنعي بسرعة", &all())
            .unwrap();
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].status, TermStatus::Forbidden);
        assert_eq!(&*hits[0].term, "ذكاء صنعي");
    }

    #[test]
    fn repeated_words_are_matched_by_their_own_context() {
        // A word's analysis is reused for every occurrence; what follows it
        // must still decide each time whether a multi-word term starts.
        let tbs = tb(vec![
            draft(Some("ai"), &["ذكاء اصطناعي"], &["AI"]),
            draft(Some("intel"), &["ذكاء"], &["intelligence"]),
        ]);
        let text = "الذكاء الاصطناعي مفيد، لكن الذكاء وحده لا يكفي، أما الذكاء الاصطناعي فيتطور";
        let hits = tbs.recognize("t", text, &all()).unwrap();
        check_offsets(text, &hits);
        let got: Vec<(&str, &str)> = hits
            .iter()
            .map(|h| (h.surface.as_str(), &*h.concept_id))
            .collect();
        assert_eq!(
            got,
            vec![
                ("الذكاء الاصطناعي", "ai"),
                ("الذكاء", "intel"),
                ("الذكاء الاصطناعي", "ai"),
            ]
        );
        // Both occurrences of the term report the same entry data.
        assert_eq!(
            (&hits[0].term, &hits[0].translations, hits[0].match_kind),
            (&hits[2].term, &hits[2].translations, hits[2].match_kind)
        );
    }

    /// Issue 19: function words never hit through folding or stripping;
    /// a nisba adjective is not its country; a broken plural does not
    /// belong to a shadda-vowelled participle.
    #[test]
    fn regression_19_function_words_nisba_and_vowelled_plurals() {
        let mut alpha = draft(Some("alpha"), &["ألف"], &["alpha"]);
        alpha.context_words = vec!["يوناني".into()];
        let tbs = tb(vec![
            draft(Some("auto"), &["آلي"], &["automatic"]),
            draft(Some("focus"), &["بين"], &["in focus"]),
            alpha,
            draft(Some("china"), &["الصين"], &["china"]),
            draft(Some("impl"), &["تنفيذ"], &["implementation"]),
            draft(Some("conc"), &["مُرَكِّز"], &["concentrator"]),
            draft(Some("ml"), &["تعلم آلي"], &["machine learning"]),
            draft(Some("infra"), &["بنية تحتية"], &["infrastructure"]),
            draft(Some("it"), &[], &["IT"]),
            draft(Some("face"), &["التعرف على الوجوه"], &["face recognition"]),
        ]);
        let text = "انتقلت الشركة إلى بكين وإليه وبين 16 ألف شريحة والتنفيذيين الصينية لمراكز";
        let hits = run(&tbs, text);
        assert!(hits.is_empty(), "{hits:?}");
        // The terms themselves still hit, with their function words.
        let hits = run(
            &tbs,
            "التعلم الآلي والبنية التحتية والتعرف على الوجوه وقسم IT",
        );
        for id in ["ml", "infra", "face", "it"] {
            assert!(hits.iter().any(|h| h.1 == id), "{id}: {hits:?}");
        }
        let en = RecognizeOptions {
            lang: Some("en".into()),
            ..all()
        };
        let hits = tbs.recognize("t", "give it to them", &en).unwrap();
        assert!(hits.is_empty(), "{hits:?}");
        // A stop word confirmed by the concept's own context words.
        let hits = run(&tbs, "الحرف اليوناني ألف");
        assert!(hits.iter().any(|h| h.1 == "alpha"), "{hits:?}");
    }

    /// Issue 19: the segments of one document vouch for each other's
    /// ambiguous hits, and every hit says why it has its confidence.
    #[test]
    fn regression_19_document_context_and_evidence() {
        let mut server = draft(Some("server"), &["خادم"], &["server"]);
        server.domain = Some("computing".into());
        server.negative_context_words = vec!["مسجد".into()];
        let mut cloud = draft(Some("cloud"), &["حوسبة سحابية"], &["cloud computing"]);
        cloud.domain = Some("computing".into());
        let tbs = tb(vec![server, cloud]);
        let segs: Vec<String> = [
            "نقلت الشركة الخادم إلى الحوسبة السحابية",
            "تعطل الخادم ليلا",
            "يعمل خادم المسجد كل صباح",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let opts = RecognizeOptions::default();
        // Alone, the second segment's server lacks evidence.
        assert!(tbs.recognize("t", &segs[1], &opts).unwrap().is_empty());
        let per = tbs.recognize_segments("t", &segs, &opts).unwrap();
        let server0 = per[0].iter().find(|h| &*h.concept_id == "server").unwrap();
        assert!(server0.evidence.contains(&"other_terms"), "{server0:?}");
        let server1 = per[1].iter().find(|h| &*h.concept_id == "server");
        let server1 = server1.unwrap_or_else(|| panic!("{:?}", per[1]));
        assert!(server1.evidence.contains(&"document_term"), "{server1:?}");
        // The mosque's servant: a negative context word; the document does
        // not rescue it.
        assert!(per[2].is_empty(), "{:?}", per[2]);
        let multi = per[0].iter().find(|h| &*h.concept_id == "cloud").unwrap();
        assert_eq!(multi.evidence, vec!["inflected", "multi_word"]);
    }

    #[test]
    fn punctuation_ends_terms_unless_glued() {
        let tbs = tb(vec![draft(Some("dc"), &[], &["data center"])]);
        let hits = tbs.recognize("t", "new data, center", &all()).unwrap();
        assert!(hits.is_empty(), "{hits:?}");
    }

    fn variants(mut d: ConceptDraft, lang: &str, vs: &[&str]) -> ConceptDraft {
        if let Some(t) = d.terms.get_mut(lang).and_then(|l| l.first_mut()) {
            t.variants = vs.iter().map(|v| v.to_string()).collect();
        }
        d
    }

    fn arabic_tb() -> TermBases {
        tb(vec![
            draft(
                Some("ai"),
                &["ذكاء اصطناعي"],
                &["artificial intelligence", "AI"],
            ),
            draft(Some("startup"), &["شركة ناشئة"], &["startup"]),
            variants(
                draft(
                    Some("llm"),
                    &["نموذج لغوي ضخم"],
                    &["large language model", "LLM"],
                ),
                "ar",
                &["نماذج لغوية ضخمة"],
            ),
            draft(Some("chip"), &["رقاقة"], &["chip"]),
            draft(Some("server"), &["خادم"], &["server"]),
            draft(Some("nvidia"), &["إنفيديا"], &["Nvidia"]),
            draft(Some("dc"), &["مركز بيانات"], &["data center"]),
            draft(Some("gpu"), &["وحدة معالجة رسومات"], &["GPU"]),
            draft(Some("deepseek"), &["ديب سيك"], &["DeepSeek"]),
            draft(Some("open-source"), &["مفتوح المصدر"], &["open-source"]),
        ])
    }

    /// (surface, concept, match) of every hit, offsets checked.
    fn run(tbs: &TermBases, text: &str) -> Vec<(String, String, &'static str)> {
        let hits = tbs.recognize("t", text, &all()).unwrap();
        check_offsets(text, &hits);
        hits.iter()
            .map(|h| {
                (
                    h.surface.clone(),
                    h.concept_id.to_string(),
                    h.match_kind.as_str(),
                )
            })
            .collect()
    }

    fn has(hits: &[(String, String, &str)], surface: &str, id: &str, kind: &str) -> bool {
        hits.iter()
            .any(|(s, i, k)| s == surface && i == id && *k == kind)
    }

    #[test]
    fn arabic_clitics_articles_and_construct_state() {
        let tbs = arabic_tb();
        for (text, surface, id) in [
            ("وبالذكاء الاصطناعي تتطور الصناعة", "وبالذكاء الاصطناعي", "ai"),
            ("استثمارات كبيرة للذكاء الاصطناعي", "للذكاء الاصطناعي", "ai"),
            ("فالشركة الناشئة تنمو بسرعة", "فالشركة الناشئة", "startup"),
            ("أسست شركة ناشئة في الرياض", "شركة ناشئة", "startup"),
            (
                "تطبيقات نماذج الذكاء الاصطناعي كثيرة",
                "الذكاء الاصطناعي",
                "ai",
            ),
        ] {
            let hits = run(&tbs, text);
            let kind = if surface.starts_with("شركة") {
                "exact"
            } else {
                "inflected"
            };
            assert!(has(&hits, surface, id, kind), "{text}: {hits:?}");
        }
        // The article is optional: the term base lists it without.
        let hits = run(&tbs, "قمة الذكاء الاصطناعي");
        assert!(has(&hits, "الذكاء الاصطناعي", "ai", "inflected"), "{hits:?}");
        // Definiteness must agree: a definite noun + an indefinite one is
        // not the phrase.
        let hits = run(&tbs, "اشترت الشركة ناشئة");
        assert!(hits.iter().all(|h| h.1 != "startup"), "{hits:?}");
    }

    #[test]
    fn arabic_agreement_broken_plurals_and_listed_variants() {
        let tbs = arabic_tb();
        let hits = run(&tbs, "أطلقت الشركة نماذج لغوية ضخمة جديدة");
        assert!(has(&hits, "نماذج لغوية ضخمة", "llm", "variant"), "{hits:?}");
        let hits = run(&tbs, "تتنافس النماذج اللغوية الضخمة");
        assert!(
            has(&hits, "النماذج اللغوية الضخمة", "llm", "variant"),
            "{hits:?}"
        );
        // Agreeing adjectives without a listed variant: per-word keys.
        let hits = run(&tbs, "النموذج اللغوي الضخم الجديد");
        assert!(
            has(&hits, "النموذج اللغوي الضخم", "llm", "inflected"),
            "{hits:?}"
        );
        // Broken plurals through the lexicon, no variant listed.
        let hits = run(&tbs, "تحتاج الخوادم إلى الرقائق المتقدمة");
        assert!(has(&hits, "الخوادم", "server", "inflected"), "{hits:?}");
        assert!(has(&hits, "الرقائق", "chip", "inflected"), "{hits:?}");
    }

    /// Broken plurals the term base does not list, under clitics, pronoun
    /// suffixes and in construct state, found through the lexicon alone.
    #[test]
    fn arabic_broken_plurals_with_clitics() {
        let tbs = tb(vec![
            draft(Some("menu"), &["قائمة"], &["menu"]),
            draft(Some("supply-chain"), &["سلسلة إمداد"], &["supply chain"]),
            draft(Some("semiconductor"), &["شبه موصل"], &["semiconductor"]),
            draft(Some("channel"), &["قناة"], &["channel"]),
            draft(Some("foundry"), &["مسبك"], &["foundry"]),
            draft(Some("pirate"), &["قرصان"], &["hacker", "pirate"]),
            draft(Some("fiber"), &["ليف بصري"], &["optical fiber"]),
        ]);
        for (text, surface, id) in [
            ("تظهر الخيارات الجديدة وبقوائم التشغيل", "وبقوائم", "menu"),
            (
                "تعطلت سلاسل الإمداد العالمية بسبب نقص الرقائق",
                "سلاسل الإمداد",
                "supply-chain",
            ),
            (
                "تستثمر الحكومة في صناعة أشباه الموصلات",
                "أشباه الموصلات",
                "semiconductor",
            ),
            (
                "أطلقت الشبكة قنواتها الإخبارية على الإنترنت",
                "قنواتها",
                "channel",
            ),
            (
                "تعمل مسابك تايوان بكامل طاقتها لتلبية الطلب",
                "مسابك",
                "foundry",
            ),
            (
                "اخترق القراصنة خوادم الشركة وسرقوا البيانات",
                "القراصنة",
                "pirate",
            ),
            (
                "تمتد الألياف البصرية تحت البحر إلى أوروبا",
                "الألياف البصرية",
                "fiber",
            ),
        ] {
            let hits = run(&tbs, text);
            assert!(has(&hits, surface, id, "inflected"), "{text}: {hits:?}");
        }
        // A plural that spells another word stays out of the lexicon: the
        // verbal noun إعداد (settings) is not a plural of عدد, and صناعة
        // (industry) minus its ة is not the plural of صانع (maker).
        let tbs = tb(vec![
            draft(Some("count"), &["عدد"], &["count"]),
            draft(Some("maker"), &["صانع"], &["maker"]),
        ]);
        let hits = run(&tbs, "افتح الإعدادات لتغيير اللغة");
        assert!(hits.is_empty(), "{hits:?}");
        let hits = run(&tbs, "تنمو صناعة الرقائق بسرعة");
        assert!(hits.is_empty(), "{hits:?}");
    }

    #[test]
    fn arabic_spelling_variants_and_latin_names() {
        let tbs = arabic_tb();
        let hits = run(&tbs, "انفيديا وإنفيديا");
        assert!(has(&hits, "انفيديا", "nvidia", "normalized"), "{hits:?}");
        assert!(has(&hits, "وإنفيديا", "nvidia", "inflected"), "{hits:?}");
        let hits = run(&tbs, "تطور الذكاء الاصطناعى بسرعة");
        assert!(has(&hits, "الذكاء الاصطناعى", "ai", "inflected"), "{hits:?}");
        let hits = run(&tbs, "ذَكاءٌ اصطناعيٌّ");
        assert!(has(&hits, "ذَكاءٌ اصطناعيٌّ", "ai", "normalized"), "{hits:?}");
        let hits = run(&tbs, "دربت ديب سيك نموذجها على GPU من Nvidia");
        assert!(has(&hits, "ديب سيك", "deepseek", "exact"), "{hits:?}");
        assert!(has(&hits, "GPU", "gpu", "exact"), "{hits:?}");
        assert!(has(&hits, "Nvidia", "nvidia", "exact"), "{hits:?}");
        let hits = run(&tbs, "أصدرت DeepSeek نموذجا");
        assert!(has(&hits, "DeepSeek", "deepseek", "exact"), "{hits:?}");
    }

    #[test]
    fn english_inflection_compounds_and_possessives() {
        let tbs = arabic_tb();
        let en = |text: &str| {
            let opts = RecognizeOptions {
                lang: Some("en".into()),
                ..all()
            };
            let hits = tbs.recognize("t", text, &opts).unwrap();
            check_offsets(text, &hits);
            hits.iter()
                .map(|h| {
                    (
                        h.surface.clone(),
                        h.concept_id.to_string(),
                        h.match_kind.as_str(),
                    )
                })
                .collect::<Vec<_>>()
        };
        for surface in [
            "data centers",
            "data-center",
            "datacenter",
            "Data Center",
            "datacenters",
        ] {
            let hits = en(&format!("They built {surface} in Texas"));
            assert!(
                hits.iter().any(|h| h.0 == surface && h.1 == "dc"),
                "{surface}: {hits:?}"
            );
        }
        let hits = en("Nvidia's GPUs power large language models");
        assert!(
            hits.iter()
                .any(|h| h.0 == "Nvidia's" && h.1 == "nvidia" && h.2 == "inflected"),
            "{hits:?}"
        );
        assert!(
            hits.iter().any(|h| h.0 == "GPUs" && h.1 == "gpu"),
            "{hits:?}"
        );
        assert!(
            hits.iter()
                .any(|h| h.0 == "large language models" && h.1 == "llm"),
            "{hits:?}"
        );
        for surface in ["open source", "open-source", "Open-Source"] {
            let hits = en(&format!("an {surface} model"));
            assert!(
                hits.iter().any(|h| h.0 == surface && h.1 == "open-source"),
                "{surface}: {hits:?}"
            );
        }
    }
}
