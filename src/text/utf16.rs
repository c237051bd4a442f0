//! Code-point offsets (what this crate reports) as UTF-16 code-unit
//! offsets (what Java and JavaScript clients index strings by: LanguageTool,
//! OmegaT). A character outside the Basic Multilingual Plane (an emoji, a
//! rare CJK ideograph) is one code point but two UTF-16 units.
//!
//! ```
//! use mustalah::text::utf16::utf16_range;
//! // "😀 ملف": the emoji is 2 units, so «ملف» starts at unit 3.
//! assert_eq!(utf16_range("😀 ملف", 2, 5), (3, 3));
//! ```

/// `(offset, length)` in UTF-16 code units of the code points
/// `char_start..char_end` of `s` (clamped to the text).
pub fn utf16_range(s: &str, char_start: usize, char_end: usize) -> (usize, usize) {
    let mut offset = 0;
    let mut length = 0;
    for (i, c) in s.chars().enumerate() {
        if i < char_start {
            offset += c.len_utf16();
        } else if i < char_end {
            length += c.len_utf16();
        } else {
            break;
        }
    }
    (offset, length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn astral_characters_count_twice() {
        let s = "a𝐀b😀c";
        assert_eq!(utf16_range(s, 0, 1), (0, 1));
        assert_eq!(utf16_range(s, 1, 2), (1, 2));
        assert_eq!(utf16_range(s, 2, 3), (3, 1));
        assert_eq!(utf16_range(s, 4, 5), (6, 1));
        assert_eq!(utf16_range(s, 0, 99), (0, s.encode_utf16().count()));
        assert_eq!(utf16_range(s, 9, 12), (7, 0));
    }
}
