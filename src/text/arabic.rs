//! Arabic clitic analysis and match keys.
//!
//! A running-text Arabic word is `proclitics + stem + suffixes`. We don't
//! decide which analysis is right (that needs a lexicon of all Arabic):
//! every plausible analysis yields a *candidate key*, and term recognition
//! only cares about candidates that equal the key of a term in the term
//! base. Recognition is therefore dictionary-guarded: stripping ب from
//! بكين (Beijing) gives the candidate كين, which is harmless unless a term's
//! key is كين, and the surface key بكين is always kept, so the term بكين
//! still matches بكين and ببكين.
//!
//! Proclitics (normalized, see [`PROCLITICS`]): conjunctions و ف, prepositions
//! ب ك ل, the article ال, ل+ال written لل, and their combinations (وال فال
//! بال كال وبال فبال وكال فكال ولل فلل وب فب ول فل وك فك). The future prefix
//! س and verb prefixes are not stripped.
//!
//! Minimum stem lengths (letters left after stripping):
//! * [`MIN_STEM_ARTICLE`] = 2 after a proclitic sequence containing the
//!   article (الذكاء → ذكاء, الى → stays: ي is too short);
//! * [`MIN_STEM_BARE`] = 3 after bare و ف ب ك ل sequences, so short function
//!   words (لا في من على عن ما هو هي كل) stay whole;
//! * [`MIN_STEM_SUFFIX`] = 3 after suffix stripping (بنك keeps its ك).
//!
//! Suffixes ([`SUFFIXES`]), stripped repeatedly, longest first: pronouns
//! ه ها هم هما هن ك كم كما كن ي نا and noun endings ة (normalized ه), ات, ان,
//! ين, ون, ية (يه), nisba ي, tanween alif ا (اً after normalization). When a
//! pronoun follows ta marbuta the ة is written ت (شركتها), so after stripping
//! a pronoun a final ت is also tried as ة.
//!
//! Canonical key ([`term_key_ar`]): article removed, then the
//! [`light_stem`], or, for a broken plural in the lexicon, the light stem of
//! its singular. So ذكاء/الذكاء/بالذكاء/للذكاء/ذكاءً → ذكاء, اصطناعي/
//! الاصطناعية/اصطناعياً → اصطناع, نموذج/نموذجها/النماذج → نموذج, شركة/
//! الشركات → شرك. Light stems over-merge a little (تقني and تقنية share تقن),
//! which is what term matching wants.
//!
//! Not handled: hamza-seat changes under suffixes (ذكاؤه), weak-root
//! alternations, dual/plural ون→و before pronouns (مهندسوها), verb
//! morphology, broken plurals outside the lexicon (see
//! [`pattern_singulars`](super::plural::pattern_singulars)).

use super::normalize::normalize;
use super::plural::singulars_of;
use super::{KeyKind, WordKey};

/// Proclitic sequences (normalized), longest first, with whether they
/// contain the article (which lowers the minimum stem length).
pub const PROCLITICS: &[(&str, bool)] = &[
    ("وبال", true),
    ("فبال", true),
    ("وكال", true),
    ("فكال", true),
    ("وال", true),
    ("فال", true),
    ("بال", true),
    ("كال", true),
    ("ولل", true),
    ("فلل", true),
    ("لل", true),
    ("ال", true),
    ("وب", false),
    ("فب", false),
    ("وك", false),
    ("فك", false),
    ("ول", false),
    ("فل", false),
    ("و", false),
    ("ف", false),
    ("ب", false),
    ("ك", false),
    ("ل", false),
];

/// Suffixes (normalized), longest first, with whether each is a pronoun
/// (after which ت may be a ta marbuta).
pub const SUFFIXES: &[(&str, bool)] = &[
    ("هما", true),
    ("كما", true),
    ("ات", false),
    ("ان", false),
    ("ين", false),
    ("ون", false),
    ("يه", false),
    ("ها", true),
    ("هم", true),
    ("هن", true),
    ("كم", true),
    ("كن", true),
    ("نا", true),
    ("ه", true),
    ("ك", true),
    ("ي", true),
    ("ا", false),
];

/// Minimum letters left after a proclitic sequence containing the article.
pub const MIN_STEM_ARTICLE: usize = 2;
/// Minimum letters left after bare و ف ب ك ل proclitics.
pub const MIN_STEM_BARE: usize = 3;
/// Minimum letters left after stripping a suffix.
pub const MIN_STEM_SUFFIX: usize = 3;

/// One analysis of a word: `proclitics + stem + enclitic == normalize(word)`
/// (where the stem may end in ت restored to ه; then the sum differs by that
/// letter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// The proclitic letters (normalized), e.g. `وبال`; empty if none.
    pub proclitics: String,
    /// The light stem.
    pub stem: String,
    /// Everything stripped at the end (pronouns and endings), e.g. `اتها`.
    pub enclitic: String,
}

fn chars_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// The longest [`SUFFIXES`] entry `s` ends with, as (length in chars,
/// is pronoun). A hand-unrolled match on the last three chars: the generic
/// loop over the table cost a `memcmp` per entry per stage and dominated
/// key generation. `suffix_matcher_agrees_with_table` keeps it in sync.
fn match_suffix(s: &str) -> Option<(usize, bool)> {
    let mut rev = s.chars().rev();
    let (c1, c2, c3) = (rev.next()?, rev.next(), rev.next());
    Some(match (c1, c2, c3) {
        ('ا', Some('م'), Some('ه' | 'ك')) => (3, true),
        ('ا', Some('ه' | 'ن'), _) => (2, true),
        ('ا', _, _) => (1, false),
        ('ت', Some('ا'), _) => (2, false),
        ('ن', Some('ا' | 'ي' | 'و'), _) => (2, false),
        ('ن', Some('ه' | 'ك'), _) => (2, true),
        ('ه', Some('ي'), _) => (2, false),
        ('ه', _, _) => (1, true),
        ('م', Some('ه' | 'ك'), _) => (2, true),
        ('ك', _, _) | ('ي', _, _) => (1, true),
        _ => return None,
    })
}

/// Strips the longest suffix that leaves at least [`MIN_STEM_SUFFIX`]
/// letters from `s` (of `n` chars); returns the rest, its length in chars
/// and whether the suffix was a pronoun.
fn strip_suffix_n(s: &str, n: usize) -> Option<(&str, usize, bool)> {
    let (len, pronoun) = match_suffix(s)?;
    // The longest match may be too long while a shorter one fits (ها on a
    // 4-letter word leaves 2; ا alone leaves 3): retry the shorter ones.
    let mut len = len;
    let mut pronoun = pronoun;
    loop {
        if n >= len + MIN_STEM_SUFFIX {
            // Every suffix letter is a 2-byte Arabic letter.
            let rest = s.get(..s.len() - 2 * len)?;
            return Some((rest, n - len, pronoun));
        }
        // Shorter suffixes of the same word: the last 1 char (ا ه ك ي) or
        // none.
        if len == 1 {
            return None;
        }
        let last = s.get(s.len() - 2..)?;
        match SUFFIXES.iter().find(|(suf, _)| *suf == last) {
            Some(&(_, p)) => {
                len = 1;
                pronoun = p;
            }
            None => return None,
        }
    }
}

/// [`strip_suffix_n`] counting the chars itself (tests and one-off use).
#[cfg(test)]
fn strip_suffix(s: &str) -> Option<(&str, bool)> {
    strip_suffix_n(s, chars_len(s)).map(|(r, _, p)| (r, p))
}

/// The light stem of a normalized word without proclitics: suffixes
/// stripped repeatedly (longest first) while at least [`MIN_STEM_SUFFIX`]
/// letters remain. Deterministic; the canonical-key building block.
pub fn light_stem(norm: &str) -> &str {
    let mut s = norm;
    let mut n = chars_len(s);
    while let Some((rest, m, _)) = strip_suffix_n(s, n) {
        s = rest;
        n = m;
    }
    s
}

/// Every proclitic split of a normalized word allowed by the minimum stem
/// lengths, the unsplit word first: `(proclitics, rest)`.
fn proclitic_splits(norm: &str) -> impl Iterator<Item = (&'static str, &str)> {
    let n = chars_len(norm);
    // Most words start with no proclitic letter: skip the table then.
    let table = match norm.chars().next() {
        Some('و' | 'ف' | 'ب' | 'ك' | 'ل' | 'ا') => PROCLITICS,
        _ => &[],
    };
    std::iter::once(("", norm)).chain(table.iter().filter_map(move |&(p, article)| {
        let rest = norm.strip_prefix(p)?;
        let min = if article {
            MIN_STEM_ARTICLE
        } else {
            MIN_STEM_BARE
        };
        // Proclitic letters are 2-byte Arabic letters: chars = bytes / 2.
        (n - p.len() / 2 >= min).then_some((p, rest))
    }))
}

/// Whether a raw citation form starts with the article written with a plain
/// alif or alif wasla (ال/ٱل), not with a hamza or madda (آلية, ألم, إلكترون
/// start with a root letter).
fn starts_with_article(raw: &str) -> bool {
    let mut it = raw.chars().filter(|&c| !super::normalize::is_ignorable(c));
    matches!(
        (it.next(), it.next()),
        (
            Some('ا' | 'ٱ' | '\u{FE8D}'),
            Some('ل' | '\u{FEDD}' | '\u{FEDF}')
        )
    ) || raw.starts_with('\u{FEFB}')
}

/// Canonical key of an Arabic word in citation form (article removed, light
/// stem, plural mapped to singular).
pub fn term_key_ar(word: &str) -> String {
    let n = normalize(word);
    let r = match n.strip_prefix("ال") {
        Some(rest) if starts_with_article(word) && chars_len(rest) >= MIN_STEM_ARTICLE => rest,
        _ => n.as_str(),
    };
    if let Some(s) = singulars_of(r).first() {
        return light_stem(s).to_string();
    }
    light_stem(r).to_string()
}

/// Adds `key` unless present (keeps the first, most literal, kind).
fn push_key(out: &mut Vec<WordKey>, key: &str, kind: KeyKind, prefix_chars: usize) {
    if key.is_empty() || out.iter().any(|k| k.key == key) {
        return;
    }
    out.push(WordKey {
        key: key.to_string(),
        kind,
        prefix_chars,
    });
}

/// Light-stem variants of a proclitic-free rest: the deterministic
/// [`light_stem`], plus the ت→ة reading after a pronoun (شركتها → شركه →
/// شرك), plus every intermediate stage (for lexicon lookups). Calls `f` for
/// each stage with whether it is a final stem.
fn stages(rest: &str, f: &mut dyn FnMut(&str, bool)) {
    let mut s = rest;
    let mut n = chars_len(s);
    loop {
        match strip_suffix_n(s, n) {
            Some((next, m, pronoun)) => {
                if pronoun {
                    if let Some(base) = next.strip_suffix('ت') {
                        if chars_len(base) + 1 >= MIN_STEM_SUFFIX {
                            let alt = format!("{base}ه");
                            f(&alt, false);
                            f(light_stem(&alt), true);
                        }
                    }
                }
                f(s, false);
                s = next;
                n = m;
            }
            None => {
                f(s, true);
                return;
            }
        }
    }
}

/// Candidate keys of an Arabic running-text word: the normalized surface,
/// each proclitic-stripped form, their light stems, and the light stems of
/// lexicon singulars of any stage; most literal first, no duplicates.
pub fn word_keys_ar(word: &str) -> Vec<WordKey> {
    let n = normalize(word);
    let mut out: Vec<WordKey> = Vec::with_capacity(8);
    push_key(&mut out, &n, KeyKind::Surface, 0);
    // At most 5 splits apply to one word (e.g. "", و, وب, وبال); a fixed
    // array avoids an allocation per word.
    let mut splits: [(&str, &str); 8] = [("", ""); 8];
    let mut ns = 0;
    for sp in proclitic_splits(&n) {
        if let Some(slot) = splits.get_mut(ns) {
            *slot = sp;
            ns += 1;
        }
    }
    let splits = &splits[..ns];
    for &(p, rest) in splits {
        push_key(&mut out, rest, KeyKind::Clitic, p.len() / 2);
    }
    let mut plural: Vec<(&'static str, usize)> = Vec::new();
    for &(p, rest) in splits {
        let pc = p.len() / 2;
        stages(rest, &mut |stage, is_final| {
            if is_final {
                push_key(&mut out, stage, KeyKind::Inflected, pc);
            }
            for s in singulars_of(stage) {
                plural.push((s, pc));
            }
        });
    }
    for (s, pc) in plural {
        push_key(&mut out, light_stem(s), KeyKind::Plural, pc);
    }
    out
}

/// All analyses of a word (one per allowed proclitic split, the unsplit
/// word first), for introspection and tests.
pub fn analyses(word: &str) -> Vec<Analysis> {
    let n = normalize(word);
    proclitic_splits(&n)
        .map(|(p, rest)| {
            let stem = light_stem(rest);
            Analysis {
                proclitics: p.to_string(),
                stem: stem.to_string(),
                enclitic: rest.get(stem.len()..).unwrap_or("").to_string(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys(w: &str) -> Vec<String> {
        word_keys_ar(w).into_iter().map(|k| k.key).collect()
    }

    fn assert_family(citation: &str, forms: &[&str]) {
        let key = term_key_ar(citation);
        for f in forms {
            let ks = keys(f);
            assert!(
                ks.contains(&key),
                "{citation} ({key}) not in keys of {f}: {ks:?}"
            );
        }
    }

    #[test]
    fn families_share_a_key() {
        assert_family(
            "ذكاء",
            &[
                "ذكاء",
                "الذكاء",
                "بالذكاء",
                "للذكاء",
                "وللذكاء",
                "والذكاء",
                "ذكاءً",
                "الذَّكَاء",
            ],
        );
        assert_family(
            "اصطناعي",
            &[
                "اصطناعي",
                "الاصطناعي",
                "اصطناعية",
                "الاصطناعية",
                "اصطناعياً",
                "والاصطناعية",
            ],
        );
        assert_family(
            "نموذج",
            &[
                "نموذج",
                "النموذج",
                "نموذجها",
                "بنموذجها",
                "نموذجاً",
                "نماذج",
                "النماذج",
                "ونماذجها",
            ],
        );
        assert_family(
            "شريحة",
            &["شريحة", "الشريحة", "شرائح", "الشرائح", "شريحتها"],
        );
        assert_family("خادم", &["خادم", "الخوادم", "والخوادم"]);
        assert_family("جهاز", &["جهاز", "أجهزة", "الأجهزة", "اجهزة", "بالأجهزة"]);
        assert_family("رقاقة", &["رقاقة", "رقائق", "الرقائق"]);
        assert_family("مركز", &["مركز", "مراكز", "لمراكز", "المراكز"]);
        assert_family("لغوي", &["لغوي", "لغوية", "اللغوية", "للغوية"]);
        assert_family("ضخم", &["ضخم", "ضخمة", "الضخمة"]);
        assert_family(
            "تقنية",
            &["تقنية", "التقنيات", "تقني", "التقنية", "تقنيتها"],
        );
        assert_family(
            "شركة",
            &["شركة", "شركات", "الشركات", "شركتها", "وشركاتهم", "الشركة"],
        );
        assert_family(
            "ملف",
            &[
                "ملف",
                "الملف",
                "والملفات",
                "لملفك",
                "فالملف",
                "للملف",
                "بالملفات",
            ],
        );
        // Citation with the article.
        assert_family("الذكاء", &["ذكاء", "بالذكاء"]);
    }

    #[test]
    fn loanwords_keep_surface_keys() {
        for w in [
            "بايت",
            "باركود",
            "لينكس",
            "لابتوب",
            "كاش",
            "كابل",
            "فلاش",
            "فايروول",
            "ويندوز",
            "بكين",
        ] {
            assert_eq!(term_key_ar(w), normalize(w), "{w}");
            assert!(keys(w).contains(&normalize(w)), "{w}");
            assert_eq!(word_keys_ar(w)[0].kind, KeyKind::Surface);
        }
        assert_family("بكين", &["بكين", "ببكين", "وبكين"]);
        assert_family("بايت", &["البايت", "بالبايت"]);
        assert_family("كابل", &["الكابل", "بالكابلات"]);
    }

    #[test]
    fn function_words_stay_whole() {
        for w in [
            "لا", "في", "من", "الى", "إلى", "على", "عن", "ما", "هو", "هي", "كل",
        ] {
            let ks = word_keys_ar(w);
            assert_eq!(ks.len(), 1, "{w}: {ks:?}");
            assert_eq!(ks[0].key, normalize(w));
        }
    }

    #[test]
    fn key_kinds_and_prefixes() {
        let ks = word_keys_ar("وبالذكاء");
        assert_eq!(ks[0].key, "وبالذكاء");
        assert_eq!(ks[0].kind, KeyKind::Surface);
        let k = ks.iter().find(|k| k.key == "ذكاء").expect("stem key");
        assert_eq!((k.kind, k.prefix_chars), (KeyKind::Clitic, 4));
        let ks = word_keys_ar("النماذج");
        let k = ks.iter().find(|k| k.key == "نموذج").expect("plural key");
        assert_eq!((k.kind, k.prefix_chars), (KeyKind::Plural, 2));
        let ks = word_keys_ar("شركاتها");
        let k = ks.iter().find(|k| k.key == "شرك").expect("stem");
        assert_eq!(k.kind, KeyKind::Inflected);
        // Kinds are ordered most literal first.
        for w in ["وبالذكاء", "والنماذج", "شركاتها"] {
            let ks = word_keys_ar(w);
            assert!(ks.windows(2).all(|p| p[0].kind <= p[1].kind), "{ks:?}");
        }
    }

    #[test]
    fn no_duplicate_keys() {
        for w in ["الذكاء", "والملفات", "ونماذجها", "شركتها", "الاصطناعي"]
        {
            let ks = keys(w);
            let mut d = ks.clone();
            d.sort();
            d.dedup();
            assert_eq!(d.len(), ks.len(), "{w}: {ks:?}");
        }
    }

    #[test]
    fn citation_article_only_when_plain_alif() {
        assert_eq!(term_key_ar("آلية"), light_stem("اليه"));
        assert_family("آلية", &["الآلية", "آلية", "آليات"]);
        assert_eq!(term_key_ar("الذكاء"), "ذكاء");
    }

    #[test]
    fn analyses_split_words() {
        let a = analyses("وبالملفات");
        assert_eq!(a[0].proclitics, "");
        let full = a
            .iter()
            .find(|x| x.proclitics == "وبال")
            .expect("وبال split");
        assert_eq!((full.stem.as_str(), full.enclitic.as_str()), ("ملف", "ات"));
        let b = analyses("نموذجها");
        assert_eq!(
            (b[0].stem.as_str(), b[0].enclitic.as_str()),
            ("نموذج", "ها")
        );
        // في has no split: a single analysis.
        assert_eq!(analyses("في").len(), 1);
    }

    #[test]
    fn suffix_matcher_agrees_with_table() {
        let stems = ["ملف", "نموذج", "كتاب", "شرك"];
        for stem in stems {
            for &(suf, _) in SUFFIXES {
                let w = format!("{stem}{suf}");
                // The longest table entry that is a suffix of w.
                let want = SUFFIXES
                    .iter()
                    .filter(|(x, _)| w.ends_with(x))
                    .max_by_key(|(x, _)| x.chars().count())
                    .map(|&(x, p)| (x.chars().count(), p));
                assert_eq!(match_suffix(&w), want, "{w}");
                assert!(want.is_some_and(|(l, _)| l >= suf.chars().count()), "{w}");
            }
        }
        assert_eq!(match_suffix("ذكاء"), None);
        assert_eq!(strip_suffix("بنك"), None);
        assert_eq!(strip_suffix("ملفها"), Some(("ملف", true)));
        assert_eq!(light_stem("نموذجا"), "نموذج");
    }

    const LETTERS: &str = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي";

    proptest! {
        #[test]
        fn term_key_in_keys_of_wal_form(idx in proptest::collection::vec(0usize..36, 4..9)) {
            let letters: Vec<char> = LETTERS.chars().collect();
            let c: String = idx.iter().map(|&i| letters[i % letters.len()]).collect();
            // A word already starting with ال can't take another article.
            prop_assume!(!normalize(&c).starts_with("ال"));
            let key = term_key_ar(&c);
            let ks = keys(&format!("وال{c}"));
            prop_assert!(ks.contains(&key), "{} ({}) not in {:?}", c, key, ks);
            let ks = keys(&c);
            prop_assert!(ks.contains(&key), "{} ({}) not in {:?}", c, key, ks);
        }
    }
}
