//! Normalization for matching (never for storage or display).
//!
//! [`normalize`] maps text to its *match form* in one pass over the chars:
//!
//! * Arabic presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFF) get NFKC
//!   compatibility decomposition, and only they: NFKC elsewhere would fold
//!   things we want to keep apart (`²` vs `2`, `ℌ` vs `h`) and costs a
//!   table lookup per char.
//!   The isolated/medial harakat forms U+FE70–U+FE7F are dropped outright
//!   (NFKC would turn them into a space plus a mark).
//! * Tashkeel (U+064B–U+065F, U+0670), tatweel (U+0640) and invisible
//!   bidi/format controls are removed.
//! * Letters, digits and punctuation are folded by the single table in
//!   [`fold`] (hamza seats, alif maqsura, ta marbuta, Persian letters,
//!   Arabic-Indic and Persian digits, Arabic punctuation, curly quotes,
//!   dashes).
//! * Everything else is lowercased (`char::to_lowercase`).
//! * Text is matched in NFC: a string that NFC would change (decomposed
//!   `cafe\u{301}`, `ە\u{654}`) is composed before folding, so canonically
//!   equivalent spellings get one match form. Only strings with a char
//!   that can compose or reorder pay for it ([`needs_composition`]).
//!
//! The result is idempotent: every output char is a fixed point of the
//! mapping. ASCII input takes a fast path (a copy plus ASCII lowercasing).

use unicode_normalization::UnicodeNormalization;

/// What one input char becomes in the match form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// The char is removed (marks, tatweel, invisible controls).
    Drop,
    /// The char is replaced by this one (possibly itself).
    Char(char),
    /// An Arabic presentation form: expands through NFKC decomposition.
    Compat,
    /// Any other char: lowercased.
    Lower,
}

/// THE folding table: the one place that decides what a non-ASCII char
/// becomes in the match form. ASCII is only lowercased and never reaches it.
///
/// | input | output | why |
/// |---|---|---|
/// | U+064B–U+065F, U+0670 (tashkeel, superscript alif) | dropped | vocalisation is optional in Arabic |
/// | U+0640 tatweel | dropped | typographic stretching |
/// | U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+2066–U+2069, U+FEFF, U+061C, U+00AD, U+180E | dropped | invisible bidi/format controls ([`is_invisible_control`]) |
/// | U+FE70–U+FE7F harakat presentation forms | dropped | they are tashkeel |
/// | U+FB50–U+FDFF, U+FE80–U+FEFC | NFKC, then this table | presentation forms are the same letters |
/// | أ إ آ ٱ ٲ ٳ | ا | hamza/madda/wasla seats are spelled inconsistently |
/// | ى | ي | alif maqsura vs ya is spelled inconsistently (Egypt) |
/// | ة | ه | ta marbuta is often written as ha |
/// | ؤ | و | hamza seat |
/// | ئ | ي | hamza seat |
/// | ی (Persian ye) | ي | keyboard layouts |
/// | ک (keheh) | ك | keyboard layouts |
/// | ٠–٩, ۰–۹ | 0–9 | digits compare by value |
/// | ٫ (U+066B) | . | Arabic decimal separator |
/// | ٬ (U+066C) | , | Arabic thousands separator |
/// | ، ؛ ؟ | , ; ? | Arabic punctuation |
/// | ‘ ’ ‚ ‹ › | ' | curly single quotes |
/// | “ ” „ « » | " | curly double quotes and guillemets |
/// | ‐ ‑ ‒ – — ― − | - | dash variants |
pub fn fold(c: char) -> Fold {
    match c {
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => Fold::Drop,
        c if is_invisible_control(c) => Fold::Drop,
        '\u{FE70}'..='\u{FE7F}' => Fold::Drop,
        '\u{FB50}'..='\u{FDFF}' | '\u{FE80}'..='\u{FEFC}' => Fold::Compat,
        'أ' | 'إ' | 'آ' | 'ٱ' | '\u{0672}' | '\u{0673}' => Fold::Char('ا'),
        'ى' => Fold::Char('ي'),
        'ة' => Fold::Char('ه'),
        'ؤ' => Fold::Char('و'),
        'ئ' => Fold::Char('ي'),
        'ی' => Fold::Char('ي'),
        'ک' => Fold::Char('ك'),
        '٠'..='٩' => Fold::Char(digit(c as u32 - 0x0660)),
        '۰'..='۹' => Fold::Char(digit(c as u32 - 0x06F0)),
        '٫' => Fold::Char('.'),
        '٬' => Fold::Char(','),
        '،' => Fold::Char(','),
        '؛' => Fold::Char(';'),
        '؟' => Fold::Char('?'),
        '‘' | '’' | '‚' | '‹' | '›' => Fold::Char('\''),
        '“' | '”' | '„' | '«' | '»' => Fold::Char('"'),
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => Fold::Char('-'),
        // Arabic letters and other Arabic-block chars have no case: skip the
        // Unicode lowercase lookup for them.
        '\u{0600}'..='\u{06FF}' => Fold::Char(c),
        _ => Fold::Lower,
    }
}

/// ASCII digit for a value 0..=9 (callers guarantee the range).
fn digit(v: u32) -> char {
    char::from_digit(v, 10).unwrap_or('0')
}

/// The match form of `s`: idempotent, `normalize(normalize(s)) == normalize(s)`.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    normalize_into(s, &mut out);
    out
}

/// Appends the match form of `s` to `out` (lets hot loops reuse a buffer).
pub fn normalize_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        let from = out.len();
        out.push_str(s);
        // Only ASCII was pushed, so the tail is on char boundaries.
        if let Some(tail) = out.get_mut(from..) {
            tail.make_ascii_lowercase();
        }
        return;
    }
    if needs_composition(s) {
        let from = out.len();
        for c in s.nfc() {
            push_folded(c, out);
        }
        // Dropping a char (a control between a letter and its mark) can
        // leave a sequence NFC composes: compose again, so the result is
        // a fixed point.
        if let Some(tail) = out.get(from..).filter(|t| needs_composition(t)) {
            let composed: String = tail.nfc().collect();
            out.truncate(from);
            out.push_str(&composed);
        }
        return;
    }
    for c in s.chars() {
        push_folded(c, out);
    }
}

/// Whether NFC could change `s`: it holds a char that composes with or
/// reorders around its neighbours. Arabic letters and the tashkeel that
/// folding drops anyway skip the table lookup; U+0653–U+0655 (madda and
/// hamza above/below) do not, as they compose with a letter.
pub fn needs_composition(s: &str) -> bool {
    let candidate = |c: char| {
        c >= '\u{0300}' && !matches!(c, '\u{0600}'..='\u{0652}' | '\u{0656}'..='\u{06FF}')
    };
    s.chars().any(candidate)
        && unicode_normalization::is_nfc_quick(s.chars())
            != unicode_normalization::IsNormalized::Yes
}

/// Whether `a` and `b` are the same text up to Unicode canonical
/// equivalence (NFC and NFD spellings of `café` are).
pub fn canonically_equal(a: &str, b: &str) -> bool {
    a == b || ((needs_composition(a) || needs_composition(b)) && a.nfc().eq(b.nfc()))
}

/// Pushes the match form of one char.
#[inline]
pub fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    match fold(c) {
        Fold::Drop => {}
        Fold::Char(f) => out.push(f),
        Fold::Lower => out.extend(c.to_lowercase()),
        Fold::Compat => unicode_normalization::char::decompose_compatible(c, |d| {
            // Decomposed chars are base-block letters and marks, never
            // presentation forms again, so one level of folding suffices.
            match fold(d) {
                Fold::Drop => {}
                Fold::Char(f) => out.push(f),
                Fold::Compat | Fold::Lower => out.extend(d.to_lowercase()),
            }
        }),
    }
}

/// Invisible bidi and format controls: zero-width space and joiners,
/// LRM/RLM, the bidi embeddings, overrides and isolates, the Arabic letter
/// mark, word joiner and invisible operators, the BOM, soft hyphen. They
/// change how text looks or runs without being visible themselves.
pub fn is_invisible_control(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{061C}'
            | '\u{00AD}'
            | '\u{180E}'
    )
}

/// Whether `c` is an Arabic letter (U+0621–U+064A, U+0671–U+06D3 and
/// presentation forms), i.e. a word character of Arabic script.
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0621}'..='\u{064A}' | '\u{0671}'..='\u{06D3}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFC}')
}

/// Whether most letters of `text` are Arabic letters (`Some(true)`), most
/// are other letters (`Some(false)`, Latin in practice), or it has no
/// letters (`None`): tells which side of an Arabic–English pair a segment
/// is written in. Digits, punctuation, tags and marks do not count.
pub fn mostly_arabic(text: &str) -> Option<bool> {
    let (mut arabic, mut other) = (0usize, 0usize);
    for c in text.chars() {
        if is_arabic_letter(c) {
            arabic += 1;
        } else if c.is_alphabetic() && !is_ignorable(c) {
            other += 1;
        }
    }
    (arabic + other > 0).then_some(arabic >= other)
}

/// Whether `c` is removed by normalization without leaving anything: a mark,
/// tatweel or invisible control. Such chars stay inside the token they
/// touch.
pub fn is_ignorable(c: char) -> bool {
    !c.is_ascii() && fold(c) == Fold::Drop
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn script_of_a_segment() {
        assert_eq!(mostly_arabic("احفظ الملف"), Some(true));
        assert_eq!(mostly_arabic("شغّل H800 على خوادم إنفيديا"), Some(true));
        assert_eq!(mostly_arabic("Close the menu"), Some(false));
        assert_eq!(mostly_arabic("Open «ملف»"), Some(false));
        assert_eq!(mostly_arabic("42 — %s {0}"), Some(false));
        assert_eq!(mostly_arabic("42 — 17"), None);
    }

    #[test]
    fn table_cases() {
        let cases: &[(&str, &str)] = &[
            ("الذَّكَاءُ الاصْطِنَاعِيُّ", "الذكاء الاصطناعي"),
            ("ذكاءً", "ذكاء"),
            ("الذكـــاء", "الذكاء"),
            ("أجهزة", "اجهزه"),
            ("إنفيديا", "انفيديا"),
            ("آلية", "اليه"),
            ("ٱلله", "الله"),
            ("مستشفى", "مستشفي"),
            ("مؤتمر", "موتمر"),
            ("رقائق", "رقايق"),
            ("کامپیوتر", "كامپيوتر"),
            ("٢٠٢٥", "2025"),
            ("۱۲۳", "123"),
            ("١٫٥", "1.5"),
            ("١٬٠٠٠", "1,000"),
            ("لماذا؟ نعم، لا؛", "لماذا? نعم, لا;"),
            ("“Hello” ‘x’ «نص»", "\"hello\" 'x' \"نص\""),
            ("state‐of–the—art − x", "state-of-the-art - x"),
            ("GPU H800", "gpu h800"),
            ("\u{200F}نص\u{200E}\u{061C}\u{FEFF}", "نص"),
            // Presentation forms: lam-alef ligature and isolated letters.
            ("\u{FEFB}", "لا"),
            ("\u{FEF7}", "لا"),
            ("\u{FE8D}\u{FEDF}\u{FEE0}\u{FE94}", "الله"),
            ("\u{FE70}", ""),
            ("ÉCOLE Straße", "école straße"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn canonically_equivalent_spellings_normalize_alike() {
        let nfd = "cafe\u{301} Cre\u{300}me";
        assert_eq!(normalize(nfd), normalize("café Crème"));
        assert_eq!(normalize(nfd), "café crème");
        // Hamza above as a mark composes with its letter first.
        assert_eq!(normalize("\u{6D5}\u{654}"), normalize("\u{6C0}"));
        // A dropped control between a letter and its mark.
        assert_eq!(normalize("e\u{200B}\u{301}"), "é");
        assert!(canonically_equal("café", "cafe\u{301}"));
        assert!(!canonically_equal("café", "cafe"));
        assert!(!needs_composition("الذكاء الاصطناعي café"));
    }

    #[test]
    fn into_appends() {
        let mut buf = String::from("x");
        normalize_into("AB", &mut buf);
        normalize_into("أب", &mut buf);
        assert_eq!(buf, "xabاب");
    }

    #[test]
    fn ignorable_chars() {
        assert!(is_ignorable('\u{064E}'));
        assert!(is_ignorable('\u{0640}'));
        assert!(is_ignorable('\u{200F}'));
        assert!(!is_ignorable('ا'));
        assert!(!is_ignorable(' '));
    }

    proptest! {
        #[test]
        fn idempotent(s in "\\PC{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }

        #[test]
        fn idempotent_arabic(s in "[\u{0600}-\u{06FF}\u{FB50}-\u{FDFF}\u{FE70}-\u{FEFF} a-zA-Z0-9]{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }
    }
}
