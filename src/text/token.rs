//! Tokenizer with exact spans into the original string.
//!
//! STUB: the text-analysis work replaces the body; the types are the contract.

use super::normalize::normalize;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A word (letters, possibly with digits: `H800`, `R1`, `ذكاء`).
    Word,
    /// A number (`2025`, `3.5`, `١٫٥`, `1,000`).
    Number,
    /// Punctuation (`.`, `،`, `؟`, `"`, `«`).
    Punct,
    /// A placeholder or inline tag kept as one token: `%s`, `%1$d`, `{0}`,
    /// `{name}`, `<b>`, `</b>`, `<br/>`, `&amp;`, `$VAR`.
    Tag,
    /// A URL.
    Url,
    /// An e-mail address.
    Email,
    /// Any other symbol (`+`, `%`, `$`, emoji).
    Symbol,
}

/// One token. `start..end` are byte offsets and `char_start..char_end` code
/// point offsets into the original string; `&original[start..end]` is the
/// token text exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Kind of token.
    pub kind: TokenKind,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// Code point offset of the first character.
    pub char_start: usize,
    /// Code point offset one past the last character.
    pub char_end: usize,
    /// The normalized form (see [`normalize`]).
    pub norm: String,
}

/// Splits `s` into tokens; whitespace separates tokens and is not a token.
pub fn tokenize(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = 0usize;
    let mut cur: Option<(usize, usize)> = None;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if let Some((b, ch)) = cur.take() {
                out.push(word(s, b, i, ch, chars));
            }
        } else if cur.is_none() {
            cur = Some((i, chars));
        }
        chars += 1;
    }
    if let Some((b, ch)) = cur {
        out.push(word(s, b, s.len(), ch, chars));
    }
    out
}

fn word(s: &str, start: usize, end: usize, char_start: usize, char_end: usize) -> Token {
    Token {
        kind: TokenKind::Word,
        start,
        end,
        char_start,
        char_end,
        norm: normalize(&s[start..end]),
    }
}
