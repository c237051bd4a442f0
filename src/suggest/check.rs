//! Terminology checks on a suggestion.
//!
//! * `missing_term`: a recognized concept none of whose preferred or admitted
//!   translations occurs in the suggestion (see below for what counts);
//! * `forbidden_term` / `deprecated_term`: a forbidden or deprecated target
//!   term of such a concept occurs in the suggestion (`target_span` given);
//! * `number_mismatch`: a number of the source has no number of the same
//!   value in the suggestion (digits of any script, thousands separators and
//!   scale words tolerated: `6 ملايين` = `6 million` = `6,000,000`).
//!
//! All term checks act only on hits of at least the recognizer's check
//! confidence. `missing_term` is a warning a translator reads for every
//! segment, so it is held back where a legitimate rendering is likely:
//! * a single-word hit needs [`MISSING_SINGLE_WORD_CONFIDENCE`]: an
//!   ambiguous word with little evidence (حدث "event"/"incident",
//!   مستخدمة "user"/"using") is too often meant in its everyday sense;
//! * a single word of the lexicon's general vocabulary
//!   (`text::lexicon::general_words`: شركة "company", دولار "dollar", …)
//!   is everyday news vocabulary that translators fold into a name, a
//!   symbol or a paraphrase;
//! * a single word directly followed by a name that the suggestion renders
//!   (شركة إنفيديا → "Nvidia", مدينة شنغهاي → "Shanghai") is an apposition
//!   English leaves out;
//! * for English suggestions, a translation also counts as present through
//!   a symbol or code ([`SYMBOLS`]: `$` for "dollar", `%` for "percent") or
//!   a derived form of the same stem ("developed" for "development",
//!   "Chinese" for "China", "accelerate" for "acceleration"); inflected and
//!   cased forms ("companies", "GPUs") are found by the target-term search
//!   itself.

use super::align::Occurrences;
use super::model::{Check, CheckCode, TermHit, TermTranslation};
use super::number::numbers;
use crate::text::{self, Lang};

/// Lowest confidence a single-word hit needs for `missing_term`: the
/// recognizer gives unambiguous single words 0.85 (0.82 inflected) and
/// ambiguous ones 0.4 plus evidence, so this keeps ambiguous words backed by
/// at least two pieces of evidence.
pub(crate) const MISSING_SINGLE_WORD_CONFIDENCE: f32 = 0.7;

/// Symbols and codes that render an English term (keyed by its lower-case
/// singular words): news English writes `$6 million`, not "6 million
/// dollars". Symbols are found anywhere, letter codes as whole words.
pub(crate) const SYMBOLS: &[(&str, &[&str])] = &[
    ("dollar", &["$", "USD"]),
    ("us dollar", &["$", "USD"]),
    ("euro", &["€", "EUR"]),
    ("pound", &["£", "GBP"]),
    ("pound sterling", &["£", "GBP"]),
    ("yen", &["¥", "JPY"]),
    ("yuan", &["¥", "CNY", "RMB"]),
    ("renminbi", &["¥", "CNY", "RMB"]),
    ("riyal", &["SAR"]),
    ("saudi riyal", &["SAR"]),
    ("dirham", &["AED"]),
    ("percent", &["%"]),
    ("per cent", &["%"]),
    ("percentage", &["%"]),
    ("degree", &["°"]),
];

/// Suffixes removed to compare English words by stem (the longest that
/// fits wins); a stem keeps at least [`MIN_STEM`] letters. Agent nouns
/// (`-er`, `-or`) are left out on purpose: "developer" is not a rendering of
/// "development", nor "processor" of "processing".
const DERIVATION_SUFFIXES: &[&str] = &[
    "ations", "ation", "itions", "ition", "ating", "ated", "ates", "ate", "ments", "ment", "ances",
    "ance", "ences", "ence", "ings", "ing", "ions", "ion", "ities", "ity", "ives", "ive", "ed",
    "ese", "ean", "ians", "ian", "ans", "an", "als", "al", "es", "s", "e", "a", "y",
];

/// Shortest stem [`stem`] leaves (`using` is not `us` + `ing`).
const MIN_STEM: usize = 4;

/// Runs all checks of `suggestion` (translation of `source`).
/// `hits` must be sorted by start (the engine sorts them).
pub(crate) fn checks(
    source: &str,
    suggestion: &str,
    target_lang: &str,
    hits: &[TermHit],
    occ: &Occurrences,
    min_confidence: f32,
) -> Vec<Check> {
    let mut out = Vec::new();
    let source_chars: Vec<char> = source.chars().collect();
    let english = Lang::from_tag(target_lang) == Lang::En;
    let target_words = if english {
        english_words(suggestion)
    } else {
        Vec::new()
    };
    for (c, _) in occ.concepts.iter().enumerate() {
        let of_c: Vec<&TermHit> = hits
            .iter()
            .filter(|h| occ.concept_of(h) == Some(c))
            .collect();
        let Some(first) = of_c.first() else {
            continue;
        };
        if !of_c.iter().any(|h| h.confidence >= min_confidence) {
            continue;
        }
        let usable_found = occ.of(c).any(|o| is_usable(&o.status));
        let enforced = of_c.iter().find(|h| {
            h.confidence >= min_confidence
                && (!is_single_word(h)
                    || (h.confidence >= MISSING_SINGLE_WORD_CONFIDENCE
                        && !is_general_word(h)
                        && !precedes_rendered_name(h, hits, occ, &source_chars)))
                && !span_rendered_as_other_concept(h, hits, occ)
        });
        let rendered_otherwise = || {
            english
                && first
                    .translations
                    .iter()
                    .filter(|t| t.is_usable())
                    .any(|t| {
                        by_symbol(suggestion, &target_words, t) || by_stem(&target_words, &t.text)
                    })
        };
        if let (false, Some(hit), Some(pref)) =
            (usable_found, enforced, first.preferred_translation())
        {
            if !rendered_otherwise() {
                out.push(Check {
                    code: CheckCode::MissingTerm,
                    message: format!(
                        "«{}» ({}) is not translated; expected «{}»",
                        hit.surface, hit.term, pref.text
                    ),
                    entry_id: Some(hit.entry_id.clone()),
                    target_span: None,
                });
            }
        }
        for o in occ.of(c) {
            let code = match o.status.as_str() {
                "forbidden" => CheckCode::ForbiddenTerm,
                "deprecated" => CheckCode::DeprecatedTerm,
                _ => continue,
            };
            let instead = first
                .preferred_translation()
                .map(|p| format!("; use «{}»", p.text))
                .unwrap_or_default();
            out.push(Check {
                code,
                message: format!(
                    "«{}» is a {} translation of «{}»{instead}",
                    o.listed, o.status, first.term
                ),
                entry_id: Some(first.entry_id.clone()),
                target_span: Some([o.start, o.end]),
            });
        }
    }
    let target_numbers = numbers(suggestion);
    let mut reported: Vec<String> = Vec::new();
    for n in numbers(source) {
        let canon = n.canonical();
        if reported.contains(&canon) || target_numbers.iter().any(|t| t.same_value(&n)) {
            continue;
        }
        let written: String = source.chars().skip(n.start).take(n.end - n.start).collect();
        out.push(Check {
            code: CheckCode::NumberMismatch,
            message: format!("number {written} ({canon}) of the source is not in the suggestion"),
            entry_id: None,
            target_span: None,
        });
        reported.push(canon);
    }
    out
}

fn is_usable(status: &str) -> bool {
    matches!(status, "preferred" | "admitted")
}

/// Whether the matched source term is one word (clitics do not count).
fn is_single_word(h: &TermHit) -> bool {
    h.term.split_whitespace().nth(1).is_none()
}

fn is_general_word(h: &TermHit) -> bool {
    let key = text::term_key(&h.term, Lang::Ar);
    text::lexicon::general_words()
        .iter()
        .any(|w| text::term_key(w, Lang::Ar) == key)
}

/// Whether a usable translation of `h`'s concept occurs in the suggestion.
fn rendered(h: &TermHit, occ: &Occurrences) -> bool {
    occ.concept_of(h)
        .is_some_and(|c| occ.of(c).any(|o| is_usable(&o.status)))
}

/// Whether `h` is directly followed (only spaces between) by a hit whose
/// preferred translation is a name that the suggestion renders: the
/// classifier noun before a name (شركة إنفيديا, مدينة شنغهاي, نموذج R1) that
/// English drops. A name is capitalised in English and has no Arabic
/// article: a capitalised adjective agreeing with a defined noun
/// (المنافسون الغربيون, "Western rivals") is not one.
fn precedes_rendered_name(
    h: &TermHit,
    hits: &[TermHit],
    occ: &Occurrences,
    source: &[char],
) -> bool {
    let Some(next) = hits.iter().find(|n| n.start >= h.end) else {
        return false;
    };
    let adjacent = source
        .get(h.end..next.start)
        .is_some_and(|gap| gap.iter().all(|c| c.is_whitespace()));
    let capitalised = next
        .preferred_translation()
        .and_then(|t| t.text.chars().next())
        .is_some_and(char::is_uppercase);
    let defined = ["ال", "وال", "فال", "بال", "لل", "ولل"]
        .iter()
        .any(|p| next.surface.starts_with(p));
    adjacent && capitalised && !defined && rendered(next, occ)
}

/// Whether another concept recognized on exactly `h`'s span is rendered:
/// an ambiguous word (المنافسون: "competition" or "competitors") is
/// translated when one of its readings is.
fn span_rendered_as_other_concept(h: &TermHit, hits: &[TermHit], occ: &Occurrences) -> bool {
    hits.iter().any(|o| {
        (o.start, o.end) == (h.start, h.end) && o.concept() != h.concept() && rendered(o, occ)
    })
}

/// A word of an English text: as written (letters and digits) and its stem.
struct EnWord {
    text: String,
    stem: String,
}

/// Words of an English text, split at anything but letters and digits (so
/// `AI-powered` is two words and `$6` leaves `6`).
fn english_words(s: &str) -> Vec<EnWord> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| EnWord {
            text: w.to_string(),
            stem: stem(w),
        })
        .collect()
}

/// Lower-case stem of an English word: the longest suffix of
/// [`DERIVATION_SUFFIXES`] that leaves at least [`MIN_STEM`] letters is
/// removed, so `development`, `developed` and `developing` meet at
/// `develop`, `China` and `Chinese` at `chin`.
fn stem(word: &str) -> String {
    let lower = word.to_lowercase();
    if !lower.chars().all(|c| c.is_ascii_alphabetic()) {
        return lower;
    }
    DERIVATION_SUFFIXES
        .iter()
        .filter(|suf| lower.len() >= suf.len() + MIN_STEM && lower.ends_with(*suf))
        .max_by_key(|suf| suf.len())
        .map(|suf| lower[..lower.len() - suf.len()].to_string())
        .unwrap_or(lower)
}

/// Whether the words of `term` occur consecutively in `words` by stem.
/// Words shorter than five letters are compared as written, capitals of an
/// acronym included (`AI` is not `ai`; `IT` is not `it`), since a short
/// word's stem would be the word itself or an accident.
fn by_stem(words: &[EnWord], term: &str) -> bool {
    let tw = english_words(term);
    if tw.is_empty() || tw.len() > words.len() {
        return false;
    }
    let same = |t: &EnWord, w: &EnWord| {
        if t.text.chars().count() >= 5 {
            t.stem == w.stem
        } else if t
            .text
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
        {
            t.text == w.text
        } else {
            t.text.to_lowercase() == w.text.to_lowercase()
        }
    };
    words
        .windows(tw.len())
        .any(|win| win.iter().zip(&tw).all(|(w, t)| same(t, w)))
}

/// Whether the suggestion writes `t` as a symbol or code (see [`SYMBOLS`]).
fn by_symbol(suggestion: &str, words: &[EnWord], t: &TermTranslation) -> bool {
    let key: Vec<String> = t
        .text
        .split_whitespace()
        .map(|w| text::term_key(w, Lang::En))
        .collect();
    let key = key.join(" ");
    SYMBOLS
        .iter()
        .filter(|(k, _)| *k == key)
        .flat_map(|(_, syms)| syms.iter())
        .any(|sym| {
            if sym.chars().all(char::is_alphanumeric) {
                words.iter().any(|w| w.text == *sym)
            } else {
                suggestion.contains(sym)
            }
        })
}

#[cfg(test)]
mod tests {
    use super::super::align::occurrences;
    use super::super::engine::suggest;
    use super::super::model::{CheckCode, SuggestRequest};
    use super::super::testkit::{at, unit, Concept, FakeMemory, FakeTerms};
    use super::*;

    /// A concept of the fake term base with one confidence for all its forms.
    fn concept(
        id: &'static str,
        forms: &'static [&'static str],
        targets: &'static [(&'static str, &'static str)],
        confidence: f32,
    ) -> Concept {
        Concept {
            id,
            forms,
            targets,
            confidence,
        }
    }

    /// Confidences as the real recognizer gives them: multi-word terms 0.95,
    /// unambiguous single words 0.85 (0.82 inflected), names 0.9.
    fn news_terms() -> FakeTerms {
        FakeTerms(vec![
            concept(
                "co-deepseek",
                &["ديب سيك"],
                &[("DeepSeek", "preferred")],
                0.95,
            ),
            concept("co-nvidia", &["إنفيديا"], &[("Nvidia", "preferred")], 0.9),
            concept("shanghai", &["شنغهاي"], &[("Shanghai", "preferred")], 0.9),
            concept(
                "ai",
                &["الذكاء الاصطناعي"],
                &[("artificial intelligence", "preferred"), ("AI", "admitted")],
                0.95,
            ),
            concept(
                "company",
                &["شركة", "الشركة"],
                &[("company", "preferred"), ("firm", "admitted")],
                0.9,
            ),
            concept(
                "dollar",
                &["دولار"],
                &[("dollar", "preferred"), ("US dollar", "admitted")],
                0.85,
            ),
            concept("yuan", &["يوان"], &[("yuan", "preferred")], 0.85),
            concept("percent", &["بالمئة"], &[("percent", "preferred")], 0.85),
            concept("revenue", &["الإيرادات"], &[("revenue", "preferred")], 0.85),
            concept("city", &["مدينة"], &[("city", "preferred")], 0.85),
            concept(
                "development",
                &["تطويره"],
                &[("development", "preferred")],
                0.82,
            ),
            concept("china", &["الصينية"], &[("China", "preferred")], 0.82),
            concept("startup", &["الناشئة"], &[("startup", "preferred")], 0.85),
            concept(
                "acceleration",
                &["تسريع"],
                &[("acceleration", "preferred")],
                0.85,
            ),
            concept(
                "investment",
                &["استثمارات"],
                &[("investment", "preferred")],
                0.82,
            ),
            concept(
                "it",
                &["تقنية المعلومات"],
                &[("information technology", "preferred"), ("IT", "admitted")],
                0.95,
            ),
            // حدث is "event" and "incident"; one piece of evidence only.
            concept("event", &["للحدث"], &[("event", "preferred")], 0.57),
            // فعالية "event" with two other terms in the sentence.
            concept("event-2", &["فعاليات"], &[("event", "preferred")], 0.87),
        ])
    }

    /// The missing-term checks (entry ids) of each `(segment, suggestion)`,
    /// served as exact matches.
    fn missing(pairs: &[(&'static str, &'static str)]) -> Vec<Vec<String>> {
        let mem = FakeMemory(
            pairs
                .iter()
                .enumerate()
                .map(|(i, (src, tgt))| {
                    (
                        "news",
                        *src,
                        unit("news", i as u64, 100, src, tgt, at(2025, 7, 1)),
                    )
                })
                .collect(),
        );
        let req = SuggestRequest {
            segments: Some(pairs.iter().map(|(s, _)| s.to_string()).collect()),
            memories: vec!["news".into()],
            termbases: vec!["tech".into()],
            ..Default::default()
        };
        let resp = match suggest(&req, &news_terms(), &mem) {
            Ok(r) => r,
            Err(e) => panic!("suggest failed: {e}"),
        };
        resp.segments
            .iter()
            .map(|s| {
                s.checks
                    .iter()
                    .filter(|c| c.code == CheckCode::MissingTerm)
                    .filter_map(|c| c.entry_id.clone())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn symbols_and_codes_render_currency_and_percent_terms() {
        let got = missing(&[
            (
                "ارتفعت الإيرادات 20 بالمئة إلى 5 مليارات يوان",
                "Revenue rose 20% to RMB 5 billion.",
            ),
            (
                "وارتفعت الإيرادات 20 بالمئة إلى 5 مليارات يوان",
                "Revenue rose by a fifth to 5 billion.",
            ),
            // دولار is general vocabulary; `$` would render it anyway.
            (
                "وخسرت شركة إنفيديا وحدها 600 مليار دولار في يوم واحد.",
                "Nvidia alone lost $600 billion in a single day.",
            ),
        ]);
        assert_eq!(
            got,
            vec![
                vec![],
                vec!["percent".to_string(), "yuan".to_string()],
                vec![]
            ]
        );
    }

    #[test]
    fn derived_english_forms_count_but_agent_nouns_and_lower_case_acronyms_do_not() {
        let got = missing(&[
            (
                "أظهرت طريقة ديب سيك أن الذكاء الاصطناعي عالي الجودة يمكن تطويره دون الحاجة إلى استثمارات ضخمة",
                "DeepSeek's approach showed that high-quality AI can be developed without massive investments.",
            ),
            (
                "ستكون شركة ديب سيك، الناشئة الصينية، محور النقاش",
                "DeepSeek, the Chinese startup, will be the talk of the summit.",
            ),
            (
                "إصرار الصين على تسريع الابتكار",
                "China's determination to accelerate innovation",
            ),
            (
                "ويمكن تطويره بسرعة",
                "Developers can handle it quickly.",
            ),
            ("تقنية المعلومات في كل مكان", "it is everywhere"),
        ]);
        assert_eq!(
            got,
            vec![
                vec![],
                vec![],
                vec![],
                vec!["development".to_string()],
                vec!["it".to_string()]
            ]
        );
    }

    #[test]
    fn weak_single_words_general_words_and_classifiers_before_names_are_not_flagged() {
        let got = missing(&[
            // حدث at 0.57 and شركة (general) are left alone.
            (
                "ورغم أن شركة ديب سيك ليست ضمن العناوين الرسمية للحدث",
                "Although DeepSeek is not on the official agenda",
            ),
            // A confident single word is still enforced.
            (
                "تقام فعاليات المؤتمر في شنغهاي",
                "The conference takes place in Shanghai",
            ),
            // مدينة before a rendered name is an apposition English drops ...
            (
                "تقام القمة في مدينة شنغهاي",
                "The summit takes place in Shanghai",
            ),
            // ... but not when the name is not rendered either.
            (
                "وتقام القمة في مدينة شنغهاي",
                "The summit takes place in the host town",
            ),
        ]);
        assert_eq!(
            got,
            vec![
                vec![],
                vec!["event-2".to_string()],
                vec![],
                vec!["city".to_string(), "shanghai".to_string()]
            ]
        );
    }

    /// A hit on `surface` (its first occurrence in `text`) of a concept with
    /// one preferred translation.
    fn hit(text: &str, surface: &str, id: &str, term: &str, translation: &str) -> TermHit {
        let start = super::super::testkit::pos(text, surface);
        TermHit {
            start,
            end: start + surface.chars().count(),
            surface: surface.to_string(),
            entry_id: id.to_string(),
            term: term.to_string(),
            match_kind: "inflected".into(),
            confidence: 0.82,
            status: "preferred".into(),
            translations: vec![TermTranslation {
                text: translation.to_string(),
                lang: "en".into(),
                status: "preferred".into(),
                variants: Vec::new(),
            }],
            termbase: "tech".into(),
        }
    }

    #[test]
    fn a_rendered_reading_of_an_ambiguous_span_covers_the_other_but_an_adjective_is_no_name() {
        // The recognizer reads المنافسون as "competition" and as "competitor";
        // the suggestion renders the second. الغربيون is capitalised in
        // English ("Western") but, with its article, not a name.
        let source = "يحتاجها المنافسون الغربيون";
        let target = "its Western rivals need";
        let hits = vec![
            hit(source, "المنافسون", "competition", "منافسة", "competition"),
            hit(source, "المنافسون", "competitor", "منافس", "rival"),
            hit(source, "الغربيون", "pl-western", "غربي", "Western"),
        ];
        let occ = occurrences(&FakeTerms(vec![]), target, "en", &hits);
        let codes = |hits: &[TermHit]| -> Vec<String> {
            let occ = occurrences(&FakeTerms(vec![]), target, "en", hits);
            checks(source, target, "en", hits, &occ, 0.5)
                .into_iter()
                .filter_map(|c| c.entry_id)
                .collect()
        };
        assert!(checks(source, target, "en", &hits, &occ, 0.5).is_empty());
        // Without the rendered reading, "competition" is missing: the
        // adjective after it does not make it a classifier.
        assert_eq!(
            codes(&[hits[0].clone(), hits[2].clone()]),
            vec!["competition".to_string()]
        );
    }

    #[test]
    fn stems_meet_across_derivation_and_keep_short_words() {
        for (a, b) in [
            ("development", "developed"),
            ("acceleration", "accelerate"),
            ("China", "Chinese"),
            ("Europe", "European"),
            ("investment", "investments"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        for (a, b) in [
            ("user", "using"),
            ("development", "developer"),
            ("Japan", "Jap"),
        ] {
            assert_ne!(stem(a), stem(b), "{a} / {b}");
        }
    }
}
