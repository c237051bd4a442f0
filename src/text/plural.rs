//! Broken-plural lexicon (singular ↔ plural) and the guarded pattern
//! fallback.
//!
//! Arabic broken plurals change the word's inside (نموذج → نماذج), so no
//! suffix rule finds their singular. Three layers handle them:
//!
//! 1. term-base variants: a term entry may list its plural (the term base's
//!    business, not this module's);
//! 2. this lexicon: `plurals.ar.tsv`, a hand-written list of true broken
//!    plurals of technical and news vocabulary (`singular<TAB>plural`),
//!    compiled in with `include_str!` and indexed on first use. Keys are
//!    normalized ([`normalize`]), so hamza spellings don't matter;
//! 3. [`pattern_singulars`]: a consonant-skeleton fallback for the common
//!    plural patterns. It is NOT used by
//!    [`word_keys_ar`](super::arabic::word_keys_ar): measured on real
//!    dictionary words its precision is too low (see the function docs).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::arabic::light_stem;
use super::normalize::normalize;

/// The lexicon file (`singular<TAB>plural` per line, `#` comments).
pub const LEXICON_TSV: &str = include_str!("plurals.ar.tsv");

/// A small multiplicative (Fx-style) hasher: word keys are looked up
/// several times per running-text word, and SipHash's DoS resistance buys
/// nothing for a fixed, compiled-in key set.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Both directions of the lexicon, normalized.
struct Lexicon {
    to_singular: FxMap<&'static str, Vec<&'static str>>,
    to_plural: FxMap<&'static str, Vec<&'static str>>,
    /// Byte-length range of the plurals: most lookups end here.
    plural_len: (usize, usize),
}

/// Normalized strings live as long as the program: the lexicon is built
/// once, and `&'static` slices let callers keep keys without copying.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Parses the lexicon text into normalized `(singular, plural)` pairs;
/// malformed lines (not exactly two non-empty fields) are skipped.
pub fn parse_pairs(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (s, p) = (f.next()?.trim(), f.next()?.trim());
            if s.is_empty() || p.is_empty() || f.next().is_some() {
                return None;
            }
            Some((normalize(s), normalize(p)))
        })
        .collect()
}

fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| {
        let mut to_singular: FxMap<&'static str, Vec<&'static str>> = FxMap::default();
        let mut to_plural: FxMap<&'static str, Vec<&'static str>> = FxMap::default();
        let mut interned: HashMap<String, &'static str> = HashMap::new();
        let mut intern = |s: String| -> &'static str {
            if let Some(v) = interned.get(&s) {
                return v;
            }
            let v = leak(s.clone());
            interned.insert(s, v);
            v
        };
        for (s, p) in parse_pairs(LEXICON_TSV) {
            let (s, p) = (intern(s), intern(p));
            let sing = to_singular.entry(p).or_default();
            if !sing.contains(&s) {
                sing.push(s);
            }
            let plur = to_plural.entry(s).or_default();
            if !plur.contains(&p) {
                plur.push(p);
            }
        }
        let lens = to_singular.keys().map(|k| k.len());
        let plural_len = (lens.clone().min().unwrap_or(0), lens.max().unwrap_or(0));
        Lexicon {
            to_singular,
            to_plural,
            plural_len,
        }
    })
}

/// The singular(s) of a normalized broken plural, if the lexicon knows it.
pub fn singulars_of(plural_norm: &str) -> &'static [&'static str] {
    let lex = lexicon();
    let (lo, hi) = lex.plural_len;
    if plural_norm.len() < lo || plural_norm.len() > hi {
        return &[];
    }
    lex.to_singular.get(plural_norm).map_or(&[], Vec::as_slice)
}

/// The broken plural(s) of a normalized singular, if the lexicon knows it.
pub fn plurals_of(singular_norm: &str) -> &'static [&'static str] {
    lexicon()
        .to_plural
        .get(singular_norm)
        .map_or(&[], Vec::as_slice)
}

/// The singular as the lexicon writes it (hamza seats, ة kept) for a
/// normalized singular: for display, where [`singulars_of`] gives match
/// forms (شريحه).
pub fn written_singular(singular_norm: &str) -> Option<&'static str> {
    static WRITTEN: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    WRITTEN
        .get_or_init(|| {
            let mut m = HashMap::new();
            for l in LEXICON_TSV.lines().map(str::trim) {
                if l.is_empty() || l.starts_with('#') {
                    continue;
                }
                if let Some(s) = l
                    .split('\t')
                    .next()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    m.entry(normalize(s)).or_insert(s);
                }
            }
            m
        })
        .get(singular_norm)
        .copied()
}

/// Number of distinct (singular, plural) pairs in the lexicon.
pub fn lexicon_len() -> usize {
    lexicon().to_plural.values().map(Vec::len).sum()
}

/// Candidate singular KEYS (light-stemmed like
/// [`term_key_ar`](super::arabic::term_key_ar)) of a normalized word that has
/// the shape of a common broken-plural pattern, from its consonant skeleton:
///
/// | pattern | shape (normalized) | singular candidates |
/// |---|---|---|
/// | أفعال | `اCCاC` | `CCC` |
/// | فعائل | `CCايC` | `CCيCه`, `CCاCه`, `CCيC` |
/// | مفاعل | `مCاCC` | `مCCC`, `مCCCه` |
/// | مفاعيل | `مCاCيC` | `مCCوC`, `مCCاC` |
/// | فواعل | `CواCC` | `CاCC`, `CاCCه` |
/// | فعول | `CCوC` | `CCC` |
///
/// Not used by `word_keys_ar` by default. Measured with
/// `cargo test --lib text::plural::tests::pattern_precision -- --nocapture`
/// on the 25,605 single-word Arabic headwords of FreeDict ara-eng
/// (`/work/shared/data/glossary/freedict-ara-eng.csv.gz`): it fires on 1,385;
/// only 42.7 % of those have all-plural English glosses (61.1 % at least one),
/// and for 38.6 % a candidate is verified as the key of a headword glossed
/// with the English singular. So about every second firing is a singular
/// (مقابل, حوار, اعلان, صاروخ…) and would add a false key. On the lexicon's
/// own plurals it fires on 535 of 1,201 and finds the right singular for 461
/// (86 %). Callers that want the recall can add these keys themselves, at
/// [`KeyKind::Plural`](super::KeyKind::Plural).
pub fn pattern_singulars(norm: &str) -> Vec<String> {
    let c: Vec<char> = norm.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: String| {
        let k = light_stem(&s).to_string();
        if !out.contains(&k) {
            out.push(k);
        }
    };
    let cons = |x: char| x != 'ا' && x != 'و' && x != 'ي' && super::normalize::is_arabic_letter(x);
    match c.as_slice() {
        // أفعال: ا C C ا C
        ['ا', c1, c2, 'ا', c3] if cons(*c1) && cons(*c2) && cons(*c3) => {
            add([*c1, *c2, *c3].iter().collect());
        }
        // مفاعيل: م C ا C ي C
        ['م', c1, 'ا', c2, 'ي', c3] if cons(*c1) && cons(*c2) && cons(*c3) => {
            add(['م', *c1, *c2, 'و', *c3].iter().collect());
            add(['م', *c1, *c2, 'ا', *c3].iter().collect());
        }
        // مفاعل: م C ا C C
        ['م', c1, 'ا', c2, c3] if cons(*c1) && cons(*c2) && cons(*c3) => {
            add(['م', *c1, *c2, *c3].iter().collect());
            add(['م', *c1, *c2, *c3, 'ه'].iter().collect());
        }
        // فواعل: C و ا C C
        [c1, 'و', 'ا', c2, c3] if cons(*c1) && cons(*c2) && cons(*c3) => {
            add([*c1, 'ا', *c2, *c3].iter().collect());
            add([*c1, 'ا', *c2, *c3, 'ه'].iter().collect());
        }
        // فعائل: C C ا ي C
        [c1, c2, 'ا', 'ي', c3] if cons(*c1) && cons(*c2) && cons(*c3) => {
            add([*c1, *c2, 'ي', *c3, 'ه'].iter().collect());
            add([*c1, *c2, 'ا', *c3, 'ه'].iter().collect());
            add([*c1, *c2, 'ي', *c3].iter().collect());
        }
        // فعول: C C و C
        [c1, c2, 'و', c3] if cons(*c1) && cons(*c2) && cons(*c3) => {
            add([*c1, *c2, *c3].iter().collect());
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn lexicon_parses_and_is_large() {
        let pairs = parse_pairs(LEXICON_TSV);
        let raw_lines = LEXICON_TSV
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(pairs.len(), raw_lines, "a data line failed to parse");
        assert!(pairs.len() >= 1000, "only {} pairs", pairs.len());
        assert_eq!(lexicon_len(), pairs.len());
    }

    #[test]
    fn lexicon_has_no_duplicates() {
        let mut seen = HashSet::new();
        for p in parse_pairs(LEXICON_TSV) {
            assert!(seen.insert(p.clone()), "duplicate pair {p:?}");
        }
    }

    #[test]
    fn both_sides_normalize() {
        for (s, p) in parse_pairs(LEXICON_TSV) {
            for w in [&s, &p] {
                assert!(
                    w.chars().all(super::super::normalize::is_arabic_letter),
                    "{w:?}"
                );
                assert_eq!(&normalize(w), w);
            }
            assert_ne!(s, p, "singular equals plural");
        }
    }

    /// Every data line is `singular<TAB>plural` in Arabic letters, and no
    /// line is repeated as written (normalized duplicates are caught by
    /// `lexicon_has_no_duplicates`).
    #[test]
    fn data_lines_are_two_arabic_fields() {
        let mut seen = HashSet::new();
        for l in LEXICON_TSV.lines() {
            if l.trim().is_empty() || l.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 2, "{l:?}");
            for w in &f {
                assert!(
                    !w.is_empty() && w.chars().all(super::super::normalize::is_arabic_letter),
                    "{l:?}"
                );
            }
            assert!(seen.insert(l), "line repeated: {l:?}");
        }
    }

    /// The lexicon only holds what suffix stripping cannot find: a pair is
    /// useless (and usually a sound plural listed by mistake) when the
    /// plural is the singular plus ات/ون/ين, or when both already share a
    /// light stem, the key `word_keys_ar` gives without the lexicon.
    #[test]
    fn no_pair_is_reached_by_suffix_stripping() {
        let mut bad = Vec::new();
        for (s, p) in parse_pairs(LEXICON_TSV) {
            let base = s.strip_suffix('ه').unwrap_or(&s);
            let sound = ["ات", "ون", "ين"]
                .iter()
                .any(|suf| p == format!("{base}{suf}"));
            if sound || light_stem(&s) == light_stem(&p) {
                bad.push(format!("{s}/{p}"));
            }
        }
        assert!(bad.is_empty(), "suffix stripping already finds: {bad:?}");
    }

    /// Normalization drops hamza seats, so a plural أفعال spells the
    /// verbal noun إفعال (أعداد = إعداد "preparation", أعلام = إعلام
    /// "media"), a plural starting ال reads as the article plus a word
    /// (ألغاز = الغاز "the gas"), and the analyser strips ة/ات before the
    /// lookup (صناعة → صناع, معاملات → معامل). The header lists such pairs
    /// as left out; this keeps the notable ones out.
    #[test]
    fn false_friends_stay_out() {
        let pairs: HashSet<(String, String)> = parse_pairs(LEXICON_TSV).into_iter().collect();
        for (s, p) in [
            ("عدد", "أعداد"),
            ("علم", "أعلام"),
            ("درج", "أدراج"),
            ("قفل", "أقفال"),
            ("نفق", "أنفاق"),
            ("لغز", "ألغاز"),
            ("ألم", "آلام"),
            ("خطر", "أخطار"),
            ("لسان", "ألسنة"),
            ("شعر", "أشعار"),
            ("عقدة", "عقد"),
            ("محفظة", "محافظ"),
            ("صانع", "صناع"),
            ("مرجع", "مراجع"),
            ("معمل", "معامل"),
            ("كتاب", "كتب"),
        ] {
            let key = (normalize(s), normalize(p));
            assert!(!pairs.contains(&key), "{s}/{p} is a false friend");
        }
    }

    #[test]
    fn round_trips() {
        for (s, p) in parse_pairs(LEXICON_TSV) {
            assert!(singulars_of(&p).contains(&s.as_str()), "{p} -> {s}");
            assert!(plurals_of(&s).contains(&p.as_str()), "{s} -> {p}");
        }
    }

    #[test]
    fn known_pairs() {
        let cases = [
            ("نماذج", "نموذج"),
            ("رقائق", "رقاقه"),
            ("خوادم", "خادم"),
            ("أجهزة", "جهاز"),
            ("شرائح", "شريحه"),
            ("مراكز", "مركز"),
            ("حواسيب", "حاسوب"),
            ("مواقع", "موقع"),
        ];
        for (pl, sing) in cases {
            assert!(singulars_of(&normalize(pl)).contains(&sing), "{pl}");
        }
        let mut two = singulars_of("طرق").to_vec();
        two.sort_unstable();
        assert_eq!(two, vec!["طريق", "طريقه"]);
        assert!(singulars_of("شركات").is_empty());
        assert!(singulars_of("نموذج").is_empty());
    }

    #[test]
    fn pattern_shapes() {
        let cases = [
            ("اقلام", "قلم"),
            ("مصانع", "مصنع"),
            ("مفاتيح", "مفتاح"),
            ("مشاريع", "مشروع"),
            ("خوادم", "خادم"),
            ("شرايح", "شريح"),
            ("رقايق", "رقاق"),
            ("بنوك", "بنك"),
        ];
        for (pl, want) in cases {
            let got = pattern_singulars(pl);
            assert!(got.iter().any(|k| k == want), "{pl}: {got:?}");
        }
        assert!(pattern_singulars("ذكاء").is_empty());
        assert!(pattern_singulars("نموذج").is_empty());
    }

    /// Precision of the pattern fallback on real words: the Arabic
    /// single-word headwords of the FreeDict Arabic-English dictionary,
    /// with "plural" judged from the English gloss (a regular English plural
    /// `-s`, not `-ss`/`-us`/`-is`). Also the recall on the lexicon.
    #[test]
    fn pattern_precision() {
        let mut lex_hit = 0usize;
        let mut lex_total = 0usize;
        for (s, p) in parse_pairs(LEXICON_TSV) {
            let cands = pattern_singulars(&p);
            if !cands.is_empty() {
                lex_total += 1;
                if cands.iter().any(|k| k == light_stem(&s)) {
                    lex_hit += 1;
                }
            }
        }
        println!(
            "pattern fallback on lexicon plurals: fires on {lex_total}/{}, right singular in {lex_hit}",
            lexicon_len()
        );
        assert!(lex_hit * 10 >= lex_total * 8, "{lex_hit}/{lex_total}");

        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/glossary/freedict-ara-eng.csv.gz"
        );
        let Ok(file) = std::fs::File::open(path) else {
            println!("skipped: {path} absent");
            return;
        };
        let mut text = String::new();
        if std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(file), &mut text)
            .is_err()
        {
            println!("skipped: {path} unreadable");
            return;
        }
        // Arabic single-word headword (article stripped) → its English glosses.
        let mut glosses: std::collections::HashMap<String, Vec<String>> = Default::default();
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        for rec in rdr.records().flatten() {
            let (Some(ar), Some(en)) = (rec.get(0), rec.get(1)) else {
                continue;
            };
            let ar = normalize(ar);
            let en = en.trim().to_ascii_lowercase();
            if ar.contains(' ') || en.contains(' ') || en.is_empty() {
                continue;
            }
            let ar = ar.strip_prefix("ال").unwrap_or(&ar).to_string();
            glosses.entry(ar).or_default().push(en);
        }
        let looks_plural = |en: &str| {
            en.ends_with('s') && !en.ends_with("ss") && !en.ends_with("us") && !en.ends_with("is")
        };
        // English singular gloss → light-stem keys of Arabic words glossed so.
        let mut by_gloss: std::collections::HashMap<&str, HashSet<&str>> = Default::default();
        for (ar, ens) in &glosses {
            for en in ens {
                by_gloss
                    .entry(en.as_str())
                    .or_default()
                    .insert(light_stem(ar));
            }
        }
        let (mut fired, mut any_plural, mut all_plural, mut verified) = (0, 0, 0, 0);
        for (ar, ens) in &glosses {
            let cands = pattern_singulars(ar);
            if cands.is_empty() {
                continue;
            }
            fired += 1;
            if ens.iter().any(|e| looks_plural(e)) {
                any_plural += 1;
            }
            if ens.iter().all(|e| looks_plural(e)) {
                all_plural += 1;
            }
            // Verified: a candidate is the key of an Arabic headword glossed
            // with the English singular of one of this word's glosses.
            let ok = ens.iter().filter(|e| looks_plural(e)).any(|e| {
                let sing = super::super::english::term_key_en(e);
                by_gloss
                    .get(sing.as_str())
                    .is_some_and(|keys| cands.iter().any(|c| keys.contains(c.as_str())))
            });
            if ok {
                verified += 1;
            }
        }
        let pct = |x: usize| 100.0 * x as f64 / fired.max(1) as f64;
        println!(
            "pattern fallback on {} FreeDict single-word headwords: fires on {fired}; \
             some gloss plural {any_plural} ({:.1}%), all glosses plural {all_plural} ({:.1}%), \
             singular verified through the glosses {verified} ({:.1}%)",
            glosses.len(),
            pct(any_plural),
            pct(all_plural),
            pct(verified)
        );
        assert!(fired > 0);
    }
}
