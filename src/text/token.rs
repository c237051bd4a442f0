//! Tokenizer with exact spans into the original string.
//!
//! Rules, in the order they are tried at each position:
//!
//! 1. Whitespace and stray invisible controls separate tokens.
//! 2. Inline markup and placeholders are ONE [`TokenKind::Tag`]: XML/HTML
//!    tags (`<b>`, `</b>`, `<br/>`, `<x id="1"/>`), entities (`&amp;`,
//!    `&#13;`, `&#x1F;`), printf conversions (`%s`, `%d`, `%1$s`, `%-5.2f`,
//!    `%lld`, `%%`, `%@`), Python named ones (`%(name)s`), brace
//!    placeholders (`{0}`, `{name}`, `{0:.2f}`) and shell-style variables
//!    (`$VAR`, `${VAR}`), Qt/KDE numbered arguments (`%1`, `%12`). A `%`
//!    followed by a space is a percent sign, not a conversion (`50% of`).
//! 3. URLs (`http://`, `https://`, `ftp://`, `www.`) up to whitespace, minus
//!    trailing sentence punctuation and unbalanced closing brackets;
//!    e-mail addresses (`local@domain.tld`).
//! 4. Word/number runs: letters, marks, digits, tatweel and joiners. A run
//!    with a letter is a [`TokenKind::Word`] (`H800`, `R1`, `4K`, `5G`),
//!    otherwise a [`TokenKind::Number`]. Inside a run:
//!    * `.`/`٫` between digits, and `,`/`٬` followed by exactly three digits,
//!      stay in the number (`3.5`, `١٫٥`, `2,000`, `1.2.3`); a Number's norm
//!      is ASCII with group separators removed (`2,000` → `2000`).
//!    * an apostrophe (`'` or `’`) between two Latin letters stays
//!      (`don't`, `Nvidia’s`).
//!    * a hyphen between two word chars stays when at least one side is a
//!      letter: `data-center`, `state-of-the-art`, `COVID-19` are one Word
//!      whose norm keeps the hyphen; `26-28` is three tokens. Compound
//!      variants are compared at the term level
//!      ([`compound_key`](super::english::compound_key)).
//!    * Arabic letters directly followed by Latin letters (or the reverse)
//!      split: `بـNvidia` gives two words.
//!    * Diacritics and tatweel stay inside the word whose span they are in.
//! 5. Punctuation ([`TokenKind::Punct`], runs of `.` are one token) and
//!    other symbols ([`TokenKind::Symbol`], one char plus any emoji
//!    modifiers).

use super::normalize::{is_arabic_letter, normalize_into, push_folded};

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
    /// The normalized form (see [`normalize`](super::normalize())); for
    /// numbers, ASCII digits without group separators.
    pub norm: String,
}

impl Token {
    /// The token's text in the original string `s` it was produced from
    /// (empty if `s` is another string whose boundaries don't match).
    pub fn text<'a>(&self, s: &'a str) -> &'a str {
        s.get(self.start..self.end).unwrap_or("")
    }
}

/// Splits `s` into tokens; whitespace separates tokens and is not a token.
pub fn tokenize(s: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(s.len() / 6 + 1);
    tokenize_into(s, &mut out);
    out
}

/// Appends the tokens of `s` to `out` (see [`tokenize`]).
pub fn tokenize_into(s: &str, out: &mut Vec<Token>) {
    for_each_span(s, |sp| {
        let mut norm = String::with_capacity(sp.end - sp.start);
        push_norm(sp.kind, s.get(sp.start..sp.end).unwrap_or(""), &mut norm);
        out.push(Token {
            kind: sp.kind,
            start: sp.start,
            end: sp.end,
            char_start: sp.char_start,
            char_end: sp.char_end,
            norm,
        });
    });
}

/// A token's position and kind, without its normalized form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
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
}

/// Appends the normalized form of a token of `kind` whose text is `text`
/// (what [`Token::norm`] holds).
pub fn push_norm(kind: TokenKind, text: &str, out: &mut String) {
    if kind == TokenKind::Number {
        for ch in text.chars() {
            if ch != ',' && ch != '٬' {
                push_folded(ch, out);
            }
        }
    } else {
        normalize_into(text, out);
    }
}

/// Calls `f` with the span of every token of `s`, in order (the tokens of
/// [`tokenize`]). Normalizing is left to the caller: term recognition
/// normalizes each distinct word once, not every occurrence.
pub fn for_each_span(s: &str, mut f: impl FnMut(Span)) {
    let b = s.as_bytes();
    // E-mail scanning re-reads an ASCII word; it can only succeed when an
    // `@` follows within a local part's 64 bytes, so track the next `@`.
    let mut next_at = b.iter().position(|&x| x == b'@');
    let mut i = 0usize;
    let mut ci = 0usize;
    while i < s.len() {
        let c = match s.get(i..).and_then(|r| r.chars().next()) {
            Some(c) => c,
            None => break,
        };
        if c.is_whitespace() || (super::normalize::is_ignorable(c) && !is_mark(c)) {
            i += c.len_utf8();
            ci += 1;
            continue;
        }
        if next_at.is_some_and(|a| a < i) {
            next_at = b
                .get(i..)
                .and_then(|r| r.iter().position(|&x| x == b'@'))
                .map(|p| p + i);
        }
        let has_at = next_at.is_some_and(|a| a - i <= 64);
        let (kind, end) = scan(s, b, i, c, has_at);
        // `scan` always advances by at least one char and ends on a char
        // boundary; guard anyway so a bug can never loop or panic.
        let end = if end > i && s.is_char_boundary(end) {
            end.min(s.len())
        } else {
            i + c.len_utf8()
        };
        let text = s.get(i..end).unwrap_or("");
        let nchars = if text.is_ascii() {
            text.len()
        } else {
            text.chars().count()
        };
        f(Span {
            kind,
            start: i,
            end,
            char_start: ci,
            char_end: ci + nchars,
        });
        i = end;
        ci += nchars;
    }
}

/// Combining marks and tatweel: word-internal, never separators.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' | '\u{06D6}'..='\u{06DC}' | '\u{06DF}'..='\u{06E4}' | '\u{06E7}' | '\u{06E8}' | '\u{06EA}'..='\u{06ED}' | '\u{FE70}'..='\u{FE7F}')
}

/// Zero-width joiners: kept inside a word when a word char follows.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '٠'..='٩' | '۰'..='۹')
}

/// Word chars of the Arabic block (U+0600–U+06FF): letters, marks, digits,
/// tatweel. Checked by range because `char::is_alphanumeric` takes a slow
/// table lookup for every Arabic char, which dominated tokenizing time.
fn arabic_block_class(c: char) -> Option<bool> {
    let letter = match c {
        '\u{0620}'..='\u{063F}' | '\u{0641}'..='\u{064A}' => true,
        '\u{066E}' | '\u{066F}' | '\u{0671}'..='\u{06D3}' | '\u{06D5}' => true,
        '\u{06E5}' | '\u{06E6}' | '\u{06EE}' | '\u{06EF}' | '\u{06FA}'..='\u{06FC}' => true,
        '\u{06FF}' => true,
        '\u{0600}'..='\u{06FF}' => false,
        _ => return None,
    };
    Some(letter)
}

/// A char that can be part of a word/number run.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if let Some(letter) = arabic_block_class(c) {
        return letter || is_mark(c) || is_digit(c) || matches!(c, '\u{0610}'..='\u{061A}');
    }
    c.is_alphanumeric() || is_mark(c)
}

/// A letter (not a digit, not a mark).
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    if let Some(letter) = arabic_block_class(c) {
        return letter;
    }
    !is_mark(c) && c.is_alphabetic()
}

fn char_at(s: &str, i: usize) -> Option<char> {
    s.get(i..).and_then(|r| r.chars().next())
}

/// Scans one token starting at byte `i` (char `c`); returns its kind and
/// end byte offset.
fn scan(s: &str, b: &[u8], i: usize, c: char, has_at: bool) -> (TokenKind, usize) {
    match c {
        '<' => {
            if let Some(e) = scan_xml_tag(b, i) {
                return (TokenKind::Tag, e);
            }
        }
        '&' => {
            if let Some(e) = scan_entity(b, i) {
                return (TokenKind::Tag, e);
            }
        }
        '%' => {
            if let Some(e) = scan_printf(b, i).or_else(|| scan_qt_arg(b, i)) {
                return (TokenKind::Tag, e);
            }
        }
        '{' => {
            if let Some(e) = scan_brace(b, i) {
                return (TokenKind::Tag, e);
            }
        }
        '$' => {
            if let Some(e) = scan_dollar(b, i) {
                return (TokenKind::Tag, e);
            }
        }
        _ => {}
    }
    if c.is_ascii_alphabetic() {
        if let Some(e) = scan_url(s, b, i) {
            return (TokenKind::Url, e);
        }
    }
    if has_at && c.is_ascii_alphanumeric() {
        if let Some(e) = scan_email(b, i) {
            return (TokenKind::Email, e);
        }
    }
    if is_word_char(c) {
        return scan_run(s, i);
    }
    if is_punct(c) {
        let mut e = i + c.len_utf8();
        if c == '.' {
            while b.get(e) == Some(&b'.') {
                e += 1;
            }
        }
        return (TokenKind::Punct, e);
    }
    // Symbol: one char plus emoji modifiers (variation selectors, skin
    // tones, ZWJ sequences) so an emoji is one token.
    let mut e = i + c.len_utf8();
    while let Some(n) = char_at(s, e) {
        if matches!(n, '\u{FE00}'..='\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}') {
            e += n.len_utf8();
        } else if n == '\u{200D}' {
            match char_at(s, e + n.len_utf8()) {
                Some(m) if !m.is_whitespace() && !is_word_char(m) => {
                    e += n.len_utf8() + m.len_utf8();
                }
                _ => break,
            }
        } else {
            break;
        }
    }
    (TokenKind::Symbol, e)
}

/// Unicode punctuation (general category P*), approximated for the blocks
/// that occur in Arabic/English text. `%` and `$` are symbols by contract.
fn is_punct(c: char) -> bool {
    matches!(
        c,
        '!' | '"' | '#' | '&' | '\'' | '(' | ')' | '*' | ',' | '-' | '.' | '/' | ':' | ';'
            | '?' | '@' | '[' | '\\' | ']' | '_' | '{' | '}'
            | '\u{060C}' | '\u{061B}' | '\u{061E}' | '\u{061F}' | '\u{066A}'..='\u{066D}'
            | '\u{06D4}'
            | '\u{00A1}' | '\u{00A7}' | '\u{00AB}' | '\u{00B6}' | '\u{00B7}' | '\u{00BB}'
            | '\u{00BF}'
            | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}' | '\u{2212}'
            | '\u{3001}'..='\u{3003}' | '\u{3008}'..='\u{3011}'
            | '\u{FD3E}' | '\u{FD3F}'
    )
}

/// `<name …>`, `</name>`, `<name/>`; at most 256 bytes, no `<` or newline
/// inside, quoted attribute values may contain `>`.
fn scan_xml_tag(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    if b.get(j) == Some(&b'/') {
        j += 1;
    }
    if !b.get(j)?.is_ascii_alphabetic() {
        return None;
    }
    let limit = (i + 256).min(b.len());
    let mut quote: Option<u8> = None;
    while j < limit {
        let x = b[j];
        match quote {
            Some(q) if x == q => quote = None,
            Some(_) => {}
            None => match x {
                b'"' | b'\'' => quote = Some(x),
                b'>' => return Some(j + 1),
                b'<' | b'\n' => return None,
                _ => {}
            },
        }
        j += 1;
    }
    None
}

/// `&name;`, `&#123;`, `&#x1F;`.
fn scan_entity(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let (hex, numeric) = match (b.get(j), b.get(j + 1)) {
        (Some(b'#'), Some(b'x' | b'X')) => {
            j += 2;
            (true, true)
        }
        (Some(b'#'), _) => {
            j += 1;
            (false, true)
        }
        _ => (false, false),
    };
    let start = j;
    while j < b.len() && j - start < 32 {
        let x = b[j];
        let ok = if hex {
            x.is_ascii_hexdigit()
        } else if numeric {
            x.is_ascii_digit()
        } else {
            x.is_ascii_alphanumeric()
        };
        if !ok {
            break;
        }
        j += 1;
    }
    if j == start || b.get(j) != Some(&b';') {
        return None;
    }
    if !numeric && !b[start].is_ascii_alphabetic() {
        return None;
    }
    Some(j + 1)
}

/// printf conversions: `%[pos$][flags][width][.prec][len]conv`, `%%`,
/// Python `%(name)s`.
fn scan_printf(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    match b.get(j)? {
        b'%' => return Some(j + 1),
        b'(' => {
            j += 1;
            let st = j;
            while j < b.len() && j - st < 64 && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j == st || b.get(j) != Some(&b')') {
                return None;
            }
            j += 1;
        }
        _ => {
            // Positional argument `1$`.
            let st = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j > st && b.get(j) == Some(&b'$') {
                j += 1;
            } else {
                j = st;
            }
        }
    }
    // Flags: no space flag, so `50% of` stays a percent sign.
    while matches!(b.get(j), Some(b'-' | b'+' | b'#' | b'0' | b'\'')) {
        j += 1;
    }
    while b.get(j).is_some_and(u8::is_ascii_digit) || b.get(j) == Some(&b'*') {
        j += 1;
    }
    if b.get(j) == Some(&b'.') {
        j += 1;
        while b.get(j).is_some_and(u8::is_ascii_digit) || b.get(j) == Some(&b'*') {
            j += 1;
        }
    }
    while matches!(
        b.get(j),
        Some(b'h' | b'l' | b'L' | b'q' | b'j' | b'z' | b't')
    ) {
        j += 1;
    }
    match b.get(j)? {
        b'd' | b'i' | b'o' | b'u' | b'x' | b'X' | b'e' | b'E' | b'f' | b'F' | b'g' | b'G'
        | b'a' | b'A' | b'c' | b's' | b'p' | b'n' | b'@' => {}
        _ => return None,
    }
    j += 1;
    // `%site` or `%dogs` is not a conversion: the conversion letter must not
    // run on into an ASCII letter, except the common `%ss`-free cases.
    if b.get(j).is_some_and(u8::is_ascii_alphabetic) && j == i + 2 {
        return None;
    }
    Some(j)
}

/// Qt and KDE numbered arguments `%1`–`%99` (not followed by a letter or
/// digit: `%1$s` is printf, `%100` a percent sign and a number).
fn scan_qt_arg(b: &[u8], i: usize) -> Option<usize> {
    let first = *b.get(i + 1)?;
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut j = i + 2;
    if b.get(j).is_some_and(u8::is_ascii_digit) {
        j += 1;
    }
    if b.get(j).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    Some(j)
}

/// `{0}`, `{name}`, `{0:.2f}`, `{user.name}`; at most 64 bytes.
fn scan_brace(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let st = j;
    while j < b.len() && j - st <= 64 {
        let x = b[j];
        if x == b'}' {
            return if j > st { Some(j + 1) } else { None };
        }
        if !(x.is_ascii_alphanumeric() || matches!(x, b'_' | b'.' | b':' | b'!' | b'-' | b',')) {
            return None;
        }
        j += 1;
    }
    None
}

/// `$VAR`, `$name`, `${VAR}`; `$5` is a currency sign and a number.
fn scan_dollar(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let braced = b.get(j) == Some(&b'{');
    if braced {
        j += 1;
    }
    let st = j;
    if !b
        .get(j)
        .is_some_and(|x| x.is_ascii_alphabetic() || *x == b'_')
    {
        return None;
    }
    while b
        .get(j)
        .is_some_and(|x| x.is_ascii_alphanumeric() || *x == b'_')
    {
        j += 1;
    }
    if braced {
        if b.get(j) != Some(&b'}') || j == st {
            return None;
        }
        j += 1;
    }
    Some(j)
}

fn starts_with_ci(b: &[u8], i: usize, pat: &[u8]) -> bool {
    b.get(i..i + pat.len())
        .is_some_and(|x| x.eq_ignore_ascii_case(pat))
}

/// URLs from a scheme or `www.` to whitespace, trimmed.
fn scan_url(s: &str, b: &[u8], i: usize) -> Option<usize> {
    let body = if starts_with_ci(b, i, b"https://") {
        i + 8
    } else if starts_with_ci(b, i, b"http://") {
        i + 7
    } else if starts_with_ci(b, i, b"ftp://") {
        i + 6
    } else if starts_with_ci(b, i, b"www.") {
        i + 4
    } else {
        return None;
    };
    let mut e = body;
    let mut parens = 0i32;
    for (k, ch) in s.get(body..)?.char_indices() {
        let stop = ch.is_whitespace()
            || matches!(
                ch,
                '<' | '>' | '"' | '«' | '»' | '“' | '”' | '،' | '؛' | '؟'
            )
            || (ch == ')' && parens == 0);
        if stop {
            break;
        }
        if ch == '(' {
            parens += 1;
        } else if ch == ')' {
            parens -= 1;
        }
        e = body + k + ch.len_utf8();
    }
    // Trailing sentence punctuation belongs to the sentence, not the URL.
    while e > body {
        match b.get(e - 1) {
            Some(b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b']' | b'}') => e -= 1,
            _ => break,
        }
    }
    if e == body {
        return None;
    }
    Some(e)
}

/// `local@domain.tld` (ASCII), trailing dots excluded.
fn scan_email(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    while b
        .get(j)
        .is_some_and(|x| x.is_ascii_alphanumeric() || matches!(x, b'.' | b'_' | b'%' | b'+' | b'-'))
    {
        j += 1;
    }
    if j == i || b.get(j) != Some(&b'@') {
        return None;
    }
    j += 1;
    let dom = j;
    while b
        .get(j)
        .is_some_and(|x| x.is_ascii_alphanumeric() || matches!(x, b'.' | b'-'))
    {
        j += 1;
    }
    while j > dom && matches!(b[j - 1], b'.' | b'-') {
        j -= 1;
    }
    let last_dot = b
        .get(dom..j)?
        .iter()
        .rposition(|&x| x == b'.')
        .map(|p| dom + p);
    match last_dot {
        Some(d) if d > dom && d + 1 < j => Some(j),
        _ => None,
    }
}

/// Script class of a letter for split decisions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Arabic,
    Other,
}

fn script(c: char) -> Script {
    if is_arabic_letter(c) {
        Script::Arabic
    } else {
        Script::Other
    }
}

/// A word/number run starting at `i`.
fn scan_run(s: &str, i: usize) -> (TokenKind, usize) {
    let rest = match s.get(i..) {
        Some(r) => r,
        None => return (TokenKind::Symbol, s.len()),
    };
    let mut it = rest.char_indices().peekable();
    let mut end = i;
    let mut has_letter = false;
    let mut has_digit = false;
    let mut last_script: Option<Script> = None;
    let mut prev: Option<char> = None;
    // Whether the run so far is only digits (and number separators).
    let mut numeric = true;
    while let Some((k, c)) = it.next() {
        let at = i + k;
        if is_word_char(c) {
            if is_letter(c) {
                let sc = script(c);
                if last_script.is_some_and(|l| l != sc) {
                    break;
                }
                last_script = Some(sc);
                has_letter = true;
                numeric = false;
            } else if is_digit(c) {
                has_digit = true;
            } else if !is_mark(c) {
                // Other numerics (², Ⅻ) count as letters for kind purposes.
                has_letter = true;
                numeric = false;
            }
            prev = Some(c);
            end = at + c.len_utf8();
            continue;
        }
        let next = it.peek().map(|&(_, n)| n);
        let p = match prev {
            Some(p) => p,
            None => break,
        };
        let joined = match c {
            '.' | '٫' => is_digit(p) && next.is_some_and(is_digit),
            ',' | '٬' => numeric && is_digit(p) && three_digits_follow(s, at + c.len_utf8()),
            '\'' | '’' => {
                p.is_ascii_alphabetic()
                    && next.is_some_and(|n| n.is_ascii_alphabetic())
                    && last_script == Some(Script::Other)
            }
            '-' | '\u{2010}' | '\u{2011}' => {
                is_word_char(p)
                    && next.is_some_and(is_word_char)
                    && (is_letter(p) || next.is_some_and(is_letter))
            }
            _ if is_joiner(c) => next.is_some_and(is_word_char),
            _ if super::normalize::is_ignorable(c) => next.is_some_and(is_word_char),
            _ => false,
        };
        if !joined {
            break;
        }
        if matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\'' | '’') {
            numeric = false;
        }
        prev = Some(c);
        end = at + c.len_utf8();
    }
    let kind = if has_letter {
        TokenKind::Word
    } else if has_digit {
        TokenKind::Number
    } else {
        // Only marks/tatweel with no base letter: a stray symbol.
        TokenKind::Symbol
    };
    (
        kind,
        end.max(i + rest.chars().next().map_or(1, char::len_utf8)),
    )
}

/// Exactly three digits at byte `j`, not followed by a fourth.
fn three_digits_follow(s: &str, j: usize) -> bool {
    let mut it = match s.get(j..) {
        Some(r) => r.chars(),
        None => return false,
    };
    for _ in 0..3 {
        if !it.next().is_some_and(is_digit) {
            return false;
        }
    }
    !it.next().is_some_and(is_digit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kinds(s: &str) -> Vec<(TokenKind, &str, String)> {
        tokenize(s)
            .into_iter()
            .map(|t| (t.kind, &s[t.start..t.end], t.norm))
            .collect()
    }

    fn texts(s: &str) -> Vec<&str> {
        tokenize(s).iter().map(|t| &s[t.start..t.end]).collect()
    }

    #[test]
    fn placeholders_are_one_tag() {
        for tag in [
            "%s",
            "%d",
            "%1$s",
            "%(name)s",
            "{0}",
            "{name}",
            "$VAR",
            "${HOME}",
            "<b>",
            "</b>",
            "<br/>",
            "<x id=\"1\"/>",
            "&amp;",
            "&#13;",
            "&#x1F;",
            "%-5.2f",
            "%lld",
            "%%",
            "%@",
            "{0:.2f}",
            "%1",
            "%12",
        ] {
            let s = format!("قبل {tag} بعد");
            let k = kinds(&s);
            assert_eq!(k.len(), 3, "{tag}: {k:?}");
            assert_eq!(k[1].0, TokenKind::Tag, "{tag}");
            assert_eq!(k[1].1, tag);
        }
        // Glued to words.
        assert_eq!(texts("<b>مرحبا</b>"), vec!["<b>", "مرحبا", "</b>"]);
        assert_eq!(texts("Delete %s?"), vec!["Delete", "%s", "?"]);
        assert_eq!(texts("deleting %1..."), vec!["deleting", "%1", "..."]);
        assert_eq!(texts("50%100"), vec!["50", "%", "100"]);
    }

    #[test]
    fn percent_and_dollar_symbols() {
        let k = kinds("50% of $5");
        assert_eq!(k[0].0, TokenKind::Number);
        assert_eq!((k[1].0, k[1].1), (TokenKind::Symbol, "%"));
        assert_eq!(k[2].1, "of");
        assert_eq!((k[3].0, k[3].1), (TokenKind::Symbol, "$"));
        assert_eq!((k[4].0, k[4].1), (TokenKind::Number, "5"));
    }

    #[test]
    fn urls_and_emails() {
        let s = "زوروا https://example.com/a?b=1. أو www.yahoo.com، واكتبوا إلى info@deepseek.com.";
        let k = kinds(s);
        let urls: Vec<_> = k
            .iter()
            .filter(|t| t.0 == TokenKind::Url)
            .map(|t| t.1)
            .collect();
        assert_eq!(urls, vec!["https://example.com/a?b=1", "www.yahoo.com"]);
        let emails: Vec<_> = k
            .iter()
            .filter(|t| t.0 == TokenKind::Email)
            .map(|t| t.1)
            .collect();
        assert_eq!(emails, vec!["info@deepseek.com"]);
        assert_eq!(
            texts("(see https://en.wikipedia.org/wiki/Foo_(bar))")[2],
            "https://en.wikipedia.org/wiki/Foo_(bar)"
        );
    }

    #[test]
    fn mixed_script_words() {
        for w in ["H800", "R1", "GPU", "4K", "COVID-19", "5G", "v2"] {
            let k = kinds(w);
            assert_eq!(k.len(), 1, "{w}: {k:?}");
            assert_eq!(k[0].0, TokenKind::Word, "{w}");
        }
        assert_eq!(kinds("COVID-19")[0].2, "covid-19");
        // Arabic directly followed by Latin splits.
        let k = kinds("بـNvidia وH800");
        assert_eq!(
            k.iter().map(|t| t.1).collect::<Vec<_>>(),
            vec!["بـ", "Nvidia", "و", "H800"]
        );
    }

    #[test]
    fn numbers() {
        let cases = [
            ("2,000", "2000"),
            ("3.5", "3.5"),
            ("١٫٥", "1.5"),
            ("٢٠٢٥", "2025"),
            ("1,000,000", "1000000"),
            ("١٬٠٠٠", "1000"),
            ("1.2.3", "1.2.3"),
        ];
        for (n, norm) in cases {
            let k = kinds(n);
            assert_eq!(k.len(), 1, "{n}: {k:?}");
            assert_eq!(k[0].0, TokenKind::Number, "{n}");
            assert_eq!(k[0].2, norm);
        }
        // A sentence-final dot and a list comma are not part of the number.
        assert_eq!(texts("عام 2025."), vec!["عام", "2025", "."]);
        assert_eq!(texts("1,2,3"), vec!["1", ",", "2", ",", "3"]);
        assert_eq!(texts("26-28"), vec!["26", "-", "28"]);
    }

    #[test]
    fn hyphens_and_apostrophes() {
        assert_eq!(
            texts("state-of-the-art data-center"),
            vec!["state-of-the-art", "data-center"]
        );
        assert_eq!(
            texts("don't Nvidia's Nvidia’s"),
            vec!["don't", "Nvidia's", "Nvidia’s"]
        );
        assert_eq!(kinds("Nvidia’s")[0].2, "nvidia's");
        // Quotes around words are punctuation.
        assert_eq!(texts("'word'"), vec!["'", "word", "'"]);
        assert_eq!(texts("- item"), vec!["-", "item"]);
    }

    #[test]
    fn arabic_marks_stay_inside_word() {
        let s = "الذَّكَاءُ الاصطنـــاعي، ذكاءً";
        let k = kinds(s);
        assert_eq!(k[0].1, "الذَّكَاءُ");
        assert_eq!(k[0].2, "الذكاء");
        assert_eq!(k[1].1, "الاصطنـــاعي");
        assert_eq!(k[1].2, "الاصطناعي");
        assert_eq!((k[2].0, k[2].2.as_str()), (TokenKind::Punct, ","));
        assert_eq!(k[3].1, "ذكاءً");
        assert_eq!(k[3].2, "ذكاء");
    }

    #[test]
    fn spans_and_chars() {
        let s = "قمة WAIC في ٢٠٢٥؟";
        let t = tokenize(s);
        assert_eq!(t.len(), 5);
        assert_eq!((t[1].char_start, t[1].char_end), (4, 8));
        assert_eq!(t[4].kind, TokenKind::Punct);
        assert_eq!(t[4].norm, "?");
        assert_eq!(t[4].char_end, s.chars().count());
    }

    #[test]
    fn punct_and_symbols() {
        let k = kinds("رائع... «نعم» + 👍🏽!");
        let got: Vec<_> = k.iter().map(|t| (t.0, t.1)).collect();
        assert_eq!(
            got,
            vec![
                (TokenKind::Word, "رائع"),
                (TokenKind::Punct, "..."),
                (TokenKind::Punct, "«"),
                (TokenKind::Word, "نعم"),
                (TokenKind::Punct, "»"),
                (TokenKind::Symbol, "+"),
                (TokenKind::Symbol, "👍🏽"),
                (TokenKind::Punct, "!"),
            ]
        );
    }

    #[test]
    fn not_tags() {
        assert_eq!(texts("a < b"), vec!["a", "<", "b"]);
        assert_eq!(texts("R&D"), vec!["R", "&", "D"]);
        assert_eq!(texts("{}"), vec!["{", "}"]);
    }

    proptest! {
        #[test]
        fn spans_slice_back(s in "[\u{0600}-\u{06FF} a-zA-Z0-9.,'%${}<>/&;@:\u{200F}\u{0640}\u{064B}-\u{0652}«»“”-]{0,60}") {
            check_spans(&s)?;
        }

        #[test]
        fn spans_slice_back_any(s in "\\PC{0,40}") {
            check_spans(&s)?;
        }
    }

    fn check_spans(s: &str) -> Result<(), TestCaseError> {
        let toks = tokenize(s);
        let mut last = 0;
        for t in &toks {
            prop_assert!(t.start < t.end);
            prop_assert!(t.start >= last);
            prop_assert!(s.is_char_boundary(t.start) && s.is_char_boundary(t.end));
            prop_assert_eq!(t.char_start, s[..t.start].chars().count());
            prop_assert_eq!(t.char_end, s[..t.end].chars().count());
            last = t.end;
        }
        // Everything between tokens is whitespace or invisible.
        let mut prev = 0;
        for t in &toks {
            for c in s[prev..t.start].chars() {
                prop_assert!(
                    c.is_whitespace() || super::super::normalize::is_ignorable(c),
                    "lost {:?}",
                    c
                );
            }
            prev = t.end;
        }
        Ok(())
    }
}
