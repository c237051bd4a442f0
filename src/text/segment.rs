//! Sentence segmentation of article text.
//!
//! STUB: the text-analysis work replaces the body; the type is the contract.

/// One sentence: byte and code point spans into the original text, with
/// leading/trailing whitespace excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// Code point offset of the first character.
    pub char_start: usize,
    /// Code point offset one past the last character.
    pub char_end: usize,
}

/// Splits article text into sentences (paragraph breaks always split).
pub fn segment(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut byte = 0usize;
    let mut chars = 0usize;
    for line in text.split_inclusive('\n') {
        let trimmed_start = line.len() - line.trim_start().len();
        let body = line.trim();
        if !body.is_empty() {
            let s = byte + trimmed_start;
            let cs = chars + line[..trimmed_start].chars().count();
            out.push(Segment {
                start: s,
                end: s + body.len(),
                char_start: cs,
                char_end: cs + body.chars().count(),
            });
        }
        byte += line.len();
        chars += line.chars().count();
    }
    out
}
