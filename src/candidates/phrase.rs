//! Candidate phrases of running text: which words may form a term, where
//! phrases break, and the citation form of each word.
//!
//! # Words
//! Every `Word` token is classified once ([`classify`]):
//! * **stop** — on the stop list of recognition ([`text::stopword`]), also
//!   after its clitics are removed (وبين, إليه, لأن);
//! * **verb** (Arabic, no article) — shapes that nouns rarely have: the future
//!   prefix سـ before an imperfect prefix (ستكون), an imperfect prefix يـ on
//!   four letters or more (يركزون), تتـ / تستـ (تتحدى, تستعرض), تـ + three
//!   letters (تجمع), a past ending ـت / ـوا (أطلقت, قالوا) — with a short list
//!   of nouns of those shapes kept ([`NOT_VERBS`]);
//! * **content** — everything else; a Latin word inside Arabic text
//!   (`Nvidia`, `H800`) is content of its own script.
//!
//! # Phrases
//! A *run* is a maximal sequence of content words of one script inside one
//! sentence with nothing between them but spaces. A run breaks at any other
//! token (punctuation, numbers, symbols), at a stop word or verb, and, in
//! Arabic:
//! * before a word carrying a conjunction or preposition (و ف ب ك ل, alone
//!   or before the article): it starts a new phrase (مقارنة | بتكلفة);
//! * after a word with the article, before a word without it: a definite
//!   noun phrase continues only with definite adjectives (الذكاء الاصطناعي
//!   | عالي الجودة), while a construct chain (وحدة معالجة الرسومات) has its
//!   article only at the end.
//!
//! Every contiguous part of a run of up to [`MAX_WORDS`] words is a phrase;
//! termhood ([`super::termhood`]) decides between nested ones.
//!
//! # Citation form
//! Each word's *key* is recognition's term key ([`text::term_key`]: article,
//! clitics and inflection removed, broken plurals through the lexicon), so
//! الشركات الناشئة and شركة ناشئة are one candidate. A bare proclitic (وادي
//! could be و + ادي) is removed only when the remaining word also occurs on
//! its own in the same texts (attestation), so root letters stay.
//! The *citation* of a word is its written form without diacritics,
//! proclitics and article; the head of a construct chain or a single word
//! in a broken plural is replaced by the lexicon's singular (مراكز بيانات →
//! مركز بيانات).

use crate::text::{self, stopword, Lang, TokenKind};
use std::collections::HashSet;

/// Longest phrase, in words.
pub const MAX_WORDS: usize = 4;

/// Proclitic sequences that contain the article, longest first, as written
/// in light form (hamza seats kept): the part before `ال` (or `ل` of لل) is
/// a conjunction/preposition.
const ARTICLE_PROCLITICS: &[(&str, &str)] = &[
    ("وبال", "وب"),
    ("فبال", "فب"),
    ("وكال", "وك"),
    ("فكال", "فك"),
    ("ولل", "ول"),
    ("فلل", "فل"),
    ("وال", "و"),
    ("فال", "ف"),
    ("بال", "ب"),
    ("كال", "ك"),
    ("لل", "ل"),
    ("ال", ""),
];

/// Bare proclitic sequences (no article), longest first.
const BARE_PROCLITICS: &[&str] = &["وب", "فب", "وك", "فك", "ول", "فل", "و", "ف", "ب", "ك", "ل"];

/// Nouns and adjectives whose shape the verb rules would misread.
pub const NOT_VERBS: &[&str] = &[
    "تقني",
    "تقنية",
    "يوم",
    "يوليو",
    "يونيو",
    "يناير",
    "يد",
    "يمين",
    "يسار",
    "وقت",
    "بيت",
    "صوت",
    "زيت",
    "نت",
    "إنترنت",
    "انترنت",
    "بت",
    "ثابت",
    "تابت",
    "سكيت",
    "ميت",
    "تويت",
    "بنت",
    "أخت",
];

/// The role of a word in phrase building.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// May be part of a term.
    Content,
    /// A function word, numeral or time word.
    Stop,
    /// An Arabic verb form.
    Verb,
}

/// One analysed word of a text.
#[derive(Debug, Clone)]
pub struct Word {
    /// Byte span in the text.
    pub start: usize,
    /// Byte end.
    pub end: usize,
    /// Code point span in the text.
    pub char_start: usize,
    /// Code point end.
    pub char_end: usize,
    /// Script of the word (Arabic letters → `Ar`, else `En`).
    pub script: Lang,
    /// Role in phrase building.
    pub class: Class,
    /// Whether the word carries the Arabic article.
    pub article: bool,
    /// Whether it carries a conjunction or preposition (و ف ب ك ل).
    pub particle: bool,
    /// Match key (recognition's term key of the word without clitics).
    pub key: String,
    /// Citation spelling (no diacritics, clitics, article).
    pub citation: String,
    /// Whether `citation` is a broken plural whose lexicon singular is
    /// `singular`.
    pub singular: Option<String>,
    /// Index of the sentence it belongs to (within its text).
    pub sentence: usize,
    /// The multi-word known term occurrence the word lies in (set by the
    /// engine from recognition): such an occurrence is a phrase of its own.
    pub known: Option<usize>,
    /// Index of the token before it that is not a word (a break) or the
    /// previous word's index + 1 when adjacent: words `i` and `i+1` are
    /// adjacent when `adjacent_to_previous` of `i+1` is true.
    pub adjacent_to_previous: bool,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Splits an Arabic word in light form into (particle part, has article,
/// rest). Only the article sequences are removed here; bare proclitics wait
/// for attestation.
fn split_article(light: &str) -> (&str, bool, &str) {
    for &(seq, particle) in ARTICLE_PROCLITICS {
        if let Some(rest) = light.strip_prefix(seq) {
            if chars(rest) >= 3 || (seq == "ال" && chars(rest) >= 2) {
                return (particle, true, rest);
            }
        }
    }
    ("", false, light)
}

/// Whether an Arabic word without the article looks like a verb form.
fn looks_like_verb(w: &str) -> bool {
    if NOT_VERBS.contains(&w) {
        return false;
    }
    let n = chars(w);
    let mut it = w.chars();
    let (c1, c2) = (it.next(), it.next());
    let imperfect = |c: Option<char>| matches!(c, Some('ي' | 'ت' | 'ن' | 'أ'));
    (c1 == Some('س') && imperfect(c2) && n >= 4)
        || (c1 == Some('ي') && n >= 4)
        || w.starts_with("تت")
        || w.starts_with("تست")
        || (c1 == Some('ت') && n == 4)
        // تفعّل/افتعل imperfects (تعتمد): five letters, no long vowel or ة
        // where the masdars تفعيل, تفاعل, تفعلة have one (تطوير, تقارب).
        || (c1 == Some('ت')
            && n == 5
            && !w.ends_with('ة')
            && !w.chars().skip(2).take(2).any(|c| matches!(c, 'ا' | 'ي' | 'و')))
        || (w.ends_with('ت') && !w.ends_with("ات") && (3..=6).contains(&n))
        || (w.ends_with("وا") && n >= 4)
        // Past tense of derived forms: افتعل (افتتح, اجتمع), استفعل (استخدم).
        || (c1 == Some('ا') && n == 5 && w.chars().nth(2) == Some('ت'))
        || (w.starts_with("است") && n == 6)
}

/// A bare conjunction or preposition before a derived noun: و, ب, ل before
/// ت or م (وتطبيقات, بتكلفة, لمراكز) or و before a hamza/alif (وأنظمة),
/// with four letters or more left — shapes where the first letter is
/// rarely a root letter.
fn likely_particle(p: &str, rest: &str) -> bool {
    let next = rest.chars().next();
    chars(rest) >= 4
        && ((matches!(p, "و" | "ب" | "ل") && matches!(next, Some('ت' | 'م')))
            || (p == "و" && matches!(next, Some('أ' | 'إ'))))
}

/// Whether a light-form word is on `breaks.ar.txt`.
fn is_break(w: &str) -> bool {
    static SET: std::sync::OnceLock<HashSet<&'static str>> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        include_str!("breaks.ar.txt")
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .collect()
    })
    .contains(w)
}

/// Whether a proclitic-free Arabic word (light form) is known to be a word
/// by itself: attested alone in the texts, on the everyday list, or in the
/// broken-plural lexicon (as a plural or a singular).
fn is_known_word(w: &str, attested: &HashSet<String>) -> bool {
    let key = text::term_key(&without_pronoun(w), Lang::Ar);
    let norm = text::normalize(w);
    attested.contains(&key)
        || super::is_everyday_key(&key)
        || !text::singulars_of(&norm).is_empty()
        || !text::plurals_of(&norm).is_empty()
}

/// The analysed words of `text`, in order. `attested` holds the keys of
/// words seen without any proclitic in the texts of the request (see
/// [`attested_keys`]); a bare proclitic is stripped only when the rest's
/// key is among them.
pub fn words(text: &str, attested: &HashSet<String>) -> Vec<Word> {
    let toks = text::tokenize(text);
    let sentences = text::segment(text);
    let mut out = Vec::new();
    let mut sentence = 0;
    let mut prev_was_word = false;
    for t in &toks {
        while sentence + 1 < sentences.len() && t.start >= sentences[sentence].end {
            sentence += 1;
        }
        if t.kind != TokenKind::Word {
            prev_was_word = false;
            continue;
        }
        let surface = t.text(text);
        let w = analyse(surface, attested);
        out.push(Word {
            start: t.start,
            end: t.end,
            char_start: t.char_start,
            char_end: t.char_end,
            sentence,
            adjacent_to_previous: prev_was_word,
            ..w
        });
        prev_was_word = true;
    }
    out
}

/// Keys of words that carry no bare proclitic (article allowed), for
/// [`words`]' attestation rule.
pub fn attested_keys<'a>(texts: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
    let none = HashSet::new();
    let mut out = HashSet::new();
    for t in texts {
        for tok in text::tokenize(t) {
            if tok.kind == TokenKind::Word {
                let w = analyse(tok.text(t), &none);
                out.insert(w.key);
            }
        }
    }
    out
}

/// Classifies one word (spans left empty).
fn analyse(surface: &str, attested: &HashSet<String>) -> Word {
    let script = text::script_lang(surface);
    let blank = |class, article, particle, key: String, citation: String, singular| Word {
        start: 0,
        end: 0,
        char_start: 0,
        char_end: 0,
        script,
        class,
        article,
        particle,
        key,
        citation,
        singular,
        sentence: 0,
        known: None,
        adjacent_to_previous: false,
    };
    if script == Lang::En {
        let class = if stopword::is_stopword(surface) {
            Class::Stop
        } else {
            Class::Content
        };
        let key = text::term_key(surface, Lang::En);
        return blank(class, false, false, key, surface.to_string(), None);
    }
    let light = stopword::light(surface);
    let (particle, article, mut rest) = split_article(&light);
    let mut particle = !particle.is_empty();
    let mut stop = stopword::is_stopword(surface) || stopword::is_stopword(rest) || is_break(rest);
    if !article {
        for p in BARE_PROCLITICS {
            if let Some(r) = light.strip_prefix(p) {
                if stopword::is_stopword(r) || is_break(r) {
                    stop = true;
                }
                if (chars(r) >= 3 && is_known_word(r, attested)) || likely_particle(p, r) {
                    rest = r;
                    particle = true;
                    break;
                }
            }
        }
    }
    let key = text::term_key(&without_pronoun(rest), Lang::Ar);
    // A number glued to a clitic (و16) is a number.
    let stop = stop || rest.chars().any(|c| c.is_numeric());
    let class = if stop {
        Class::Stop
    } else if !article
        && (looks_like_verb(rest)
            || ["و", "ف"].iter().any(|p| {
                light
                    .strip_prefix(p)
                    .is_some_and(|r| chars(r) >= 4 && looks_like_verb(r))
            }))
    {
        Class::Verb
    } else {
        Class::Content
    };
    let singular = text::singulars_of(&text::normalize(rest))
        .first()
        .map(|s| text::plural::written_singular(s).unwrap_or(s).to_string());
    blank(class, article, particle, key, rest.to_string(), singular)
}

/// A phrase: the word indices `first..first + len` of one text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phrase {
    /// Index of the first word.
    pub first: usize,
    /// Number of words.
    pub len: usize,
}

/// The runs of `words` (see the module doc), as phrases of any length.
pub fn runs(words: &[Word]) -> Vec<Phrase> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let flush = |start: &mut Option<usize>, end: usize, out: &mut Vec<Phrase>| {
        if let Some(s) = start.take() {
            if end > s {
                out.push(Phrase {
                    first: s,
                    len: end - s,
                });
            }
        }
    };
    for (i, w) in words.iter().enumerate() {
        if w.class != Class::Content {
            flush(&mut start, i, &mut out);
            continue;
        }
        if let Some(s) = start {
            let prev = &words[i - 1];
            let breaks = !w.adjacent_to_previous
                || w.sentence != prev.sentence
                || w.script != prev.script
                || w.known != prev.known
                || (w.script == Lang::Ar && (w.particle || (prev.article && !w.article)))
                || i - s >= 2 * MAX_WORDS;
            if breaks {
                flush(&mut start, i, &mut out);
            }
        }
        if start.is_none() {
            start = Some(i);
        }
    }
    flush(&mut start, words.len(), &mut out);
    out
}

/// Every part of `run` of 1..=[`MAX_WORDS`] words.
pub fn parts(run: Phrase) -> impl Iterator<Item = Phrase> {
    (0..run.len).flat_map(move |i| {
        (1..=MAX_WORDS.min(run.len - i)).map(move |n| Phrase {
            first: run.first + i,
            len: n,
        })
    })
}

/// Pronoun suffixes removed from a citation: only those that are rarely the
/// end of a stem (ه ي ك نا often are).
const CITATION_PRONOUNS: &[&str] = &["هما", "كما", "ها", "هم", "هن", "كم", "كن"];

/// A word's citation without a pronoun suffix (نموذجها → نموذج, شركتها →
/// شركة), when at least three letters remain.
fn without_pronoun(w: &str) -> String {
    for p in CITATION_PRONOUNS {
        if let Some(base) = w.strip_suffix(p) {
            if chars(base) >= 3 {
                return match base.strip_suffix('ت') {
                    Some(b) if chars(b) >= 2 && !base.ends_with("ات") => format!("{b}ة"),
                    _ => base.to_string(),
                };
            }
        }
    }
    w.to_string()
}

/// The citation form of a phrase: the words' citations without pronoun
/// suffixes, with the head of an Arabic construct chain or a lone broken
/// plural singularized.
pub fn citation(words: &[Word]) -> String {
    let construct = words.len() == 1 || !words[0].article;
    words
        .iter()
        .enumerate()
        .map(|(i, w)| match (&w.singular, i == 0 && construct) {
            (Some(s), true) => s.clone(),
            _ if w.script == Lang::Ar => without_pronoun(&w.citation),
            _ => w.citation.clone(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrases(text: &str) -> Vec<String> {
        let att = attested_keys([text]);
        let ws = words(text, &att);
        runs(&ws)
            .into_iter()
            .flat_map(parts)
            .map(|p| text[ws[p.first].start..ws[p.first + p.len - 1].end].to_string())
            .collect()
    }

    #[test]
    fn arabic_runs_break_at_particles_verbs_and_definiteness() {
        let r = phrases("يتوافد آلاف التنفيذيين إلى شنغهاي لحضور الذكاء الاصطناعي عالي الجودة");
        assert!(
            !r.iter().any(|p| p.contains("يتوافد") || p.contains("آلاف")),
            "{r:?}"
        );
        assert!(r.contains(&"شنغهاي".to_string()), "{r:?}");
        assert!(r.contains(&"الذكاء الاصطناعي".to_string()), "{r:?}");
        assert!(r.contains(&"عالي الجودة".to_string()), "{r:?}");
        assert!(!r.contains(&"الاصطناعي عالي".to_string()), "{r:?}");
        assert!(!r.iter().any(|p| p.contains("شنغهاي ")), "{r:?}");
        let r = phrases("مستخدمة 2000 وحدة معالجة رسومات من نوع Nvidia H800، مقارنة بتكلفة");
        assert!(r.contains(&"وحدة معالجة رسومات".to_string()), "{r:?}");
        assert!(r.contains(&"Nvidia H800".to_string()), "{r:?}");
        assert!(
            !r.iter()
                .any(|p| p.contains("بتكلفة") && p.contains("مقارنة")),
            "{r:?}"
        );
    }

    #[test]
    fn verbs_and_their_noun_lookalikes() {
        for v in [
            "تستعرض",
            "تتحدى",
            "يركزون",
            "ستكون",
            "أطلقت",
            "تجمع",
            "قالوا",
            "افتتح",
            "استخدم",
        ] {
            assert!(looks_like_verb(v), "{v}");
        }
        for n in [
            "تقنية",
            "تطوير",
            "نموذج",
            "شريحة",
            "وقت",
            "استثمارات",
            "بيانات",
            "استخدام",
            "اقتصاد",
            "اتحاد",
        ] {
            assert!(!looks_like_verb(n), "{n}");
        }
    }

    #[test]
    fn bare_proclitics_need_attestation() {
        let att = attested_keys(["وادي السيليكون", "شركات وشركة"]);
        let ws = words("وادي وشركة", &att);
        assert_eq!(ws[0].citation, "وادي");
        assert!(!ws[0].particle);
        assert_eq!(ws[1].citation, "شركة");
        assert!(ws[1].particle);
    }

    #[test]
    fn citation_singularizes_a_construct_head() {
        let text = "مراكز بيانات";
        let ws = words(text, &attested_keys([text]));
        assert_eq!(citation(&ws), "مركز بيانات");
        let text = "نموذجها وشركتها";
        let ws = words(text, &attested_keys([text]));
        assert_eq!(citation(&ws[..1]), "نموذج");
        assert_eq!(citation(&ws[1..]), "شركة");
        let text = "الشركات الناشئة";
        let ws = words(text, &attested_keys([text]));
        assert_eq!(citation(&ws), "شركات ناشئة");
        assert_eq!(ws[0].key, text::term_key("شركة", Lang::Ar));
    }

    #[test]
    fn parts_cover_every_subphrase_up_to_the_limit() {
        let ps: Vec<_> = parts(Phrase { first: 3, len: 5 }).collect();
        assert_eq!(ps.len(), 5 + 4 + 3 + 2);
        assert!(ps
            .iter()
            .all(|p| p.len <= MAX_WORDS && p.first + p.len <= 8));
    }
}
