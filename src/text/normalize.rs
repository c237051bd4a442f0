//! Normalization for matching (never for storage or display).
//!
//! STUB: the text-analysis work fills this in (folding table, NFKC for
//! presentation forms, tashkeel/tatweel/bidi removal, digits, punctuation,
//! case). The signatures are the contract.

/// The match form of `s`: idempotent, `normalize(normalize(s)) == normalize(s)`.
pub fn normalize(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// Whether `c` is an Arabic letter (U+0621–U+064A, U+0671–U+06D3 and
/// presentation forms), i.e. a word character of Arabic script.
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0621}'..='\u{064A}' | '\u{0671}'..='\u{06D3}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFC}')
}
