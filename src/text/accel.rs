//! Accelerator (mnemonic) markers of UI strings: `_` (gettext, GTK), `&`
//! (Qt, KDE, Windows) and `~` (LibreOffice) written before the letter a
//! menu underlines: `Show _Toolbar`, `Lo&ad file`, `~Save`, `ا_فتح الملف`.
//!
//! # Rule
//! A marker char at some position is an accelerator when all of these hold:
//! 1. the next char is a letter or a digit (for `~`, a letter): `~/.config`,
//!    ` & ` between words and `__` or `&&` (literal markers) are not;
//! 2. the previous char is not the same marker;
//! 3. `&` is not the start of an entity (`&amp;`, `&#13;`, `&#x1F;`) and
//!    does not stand between two capital letters (`R&D`, `AT&T`);
//! 4. `_` is not inside an identifier: its run of letters, digits and
//!    underscores has no other `_`, and when letters precede it in that run
//!    they are not all lowercase ASCII or digits (`file_name`, `snake_case`)
//!    and the letters after it are not two or more capital ASCII letters or
//!    digits (`MAX_SIZE`); `Sa_ve`, `E_xit`, `_OK` and `ا_فتح` are
//!    accelerators;
//! 5. it is the only candidate of its marker char in the text: a label has
//!    one accelerator, so two `_` candidates (`a _b _c`) mean neither is one.
//!
//! The original text is never changed; callers get the marker positions,
//! a copy without them, or tokens whose spans point into the original.

use super::token::{tokenize, Token};

const MARKERS: [char; 3] = ['_', '&', '~'];

/// Byte offsets of the accelerator markers of `s` (see the module rule),
/// ascending; each marker is one byte.
pub fn accelerators(s: &str) -> Vec<usize> {
    if !s.bytes().any(|b| matches!(b, b'_' | b'&' | b'~')) {
        return Vec::new();
    }
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut found: Vec<(char, usize)> = Vec::new();
    for (k, &(at, c)) in chars.iter().enumerate() {
        if !MARKERS.contains(&c) {
            continue;
        }
        let prev = k.checked_sub(1).and_then(|p| chars.get(p)).map(|x| x.1);
        let next = chars.get(k + 1).map(|x| x.1);
        let Some(next) = next else { continue };
        let next_ok = if c == '~' {
            next.is_alphabetic()
        } else {
            next.is_alphanumeric()
        };
        if !next_ok || prev == Some(c) {
            continue;
        }
        let is_candidate = match c {
            '&' => {
                let abbreviation = prev.is_some_and(char::is_uppercase) && next.is_uppercase();
                !(is_entity(&s[at..]) || abbreviation)
            }
            '_' => !in_identifier(&chars, k),
            _ => true,
        };
        if is_candidate {
            found.push((c, at));
        }
    }
    let mut out: Vec<usize> = found
        .iter()
        .filter(|(c, _)| found.iter().filter(|(d, _)| d == c).count() == 1)
        .map(|&(_, at)| at)
        .collect();
    out.sort_unstable();
    out
}

/// `&name;`, `&#123;` or `&#x1F;` at the start of `s`.
fn is_entity(s: &str) -> bool {
    let b = s.as_bytes();
    let (start, ok): (usize, fn(u8) -> bool) = match (b.get(1), b.get(2)) {
        (Some(b'#'), Some(b'x' | b'X')) => (3, |x| x.is_ascii_hexdigit()),
        (Some(b'#'), _) => (2, |x| x.is_ascii_digit()),
        _ => (1, |x| x.is_ascii_alphanumeric()),
    };
    let len = b
        .get(start..)
        .map_or(0, |r| r.iter().take(33).take_while(|&&x| ok(x)).count());
    len > 0 && len <= 32 && b.get(start + len) == Some(&b';')
}

/// Whether the `_` at char index `k` belongs to an identifier (rule 4).
fn in_identifier(chars: &[(usize, char)], k: usize) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut a = k;
    while a > 0 && word(chars[a - 1].1) {
        a -= 1;
    }
    let mut e = k + 1;
    while e < chars.len() && word(chars[e].1) {
        e += 1;
    }
    let before: Vec<char> = chars[a..k].iter().map(|x| x.1).collect();
    let after: Vec<char> = chars[k + 1..e].iter().map(|x| x.1).collect();
    if before.contains(&'_') || after.contains(&'_') {
        return true;
    }
    if before.is_empty() {
        return false;
    }
    let lower = before
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let upper = after.len() >= 2
        && after
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    lower || upper
}

/// `s` without its accelerator markers (borrowed when it has none).
pub fn strip_accelerators(s: &str) -> std::borrow::Cow<'_, str> {
    let marks = accelerators(s);
    if marks.is_empty() {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut from = 0;
    for m in marks {
        out.push_str(s.get(from..m).unwrap_or(""));
        from = m + 1;
    }
    out.push_str(s.get(from..).unwrap_or(""));
    std::borrow::Cow::Owned(out)
}

/// Tokens of `s` as if its accelerator markers were absent (`Lo&ad` is one
/// word `load`, `Show _Toolbar` two), with spans into `s` itself: a
/// marker inside a word stays inside that word's span, one before a word
/// lies outside it.
pub fn tokenize_ignoring_accelerators(s: &str) -> Vec<Token> {
    let marks = accelerators(s);
    if marks.is_empty() {
        return tokenize(s);
    }
    let stripped = strip_accelerators(s);
    // Original byte offset of each byte of `stripped`.
    let mut orig = Vec::with_capacity(stripped.len() + 1);
    let mut next_mark = marks.iter().peekable();
    for i in 0..s.len() {
        if next_mark.peek() == Some(&&i) {
            next_mark.next();
            continue;
        }
        orig.push(i);
    }
    orig.push(s.len());
    let marks_before = |byte: usize| marks.partition_point(|&m| m < byte);
    let mut toks = tokenize(&stripped);
    for t in &mut toks {
        let start = orig.get(t.start).copied().unwrap_or(s.len());
        let end = t
            .end
            .checked_sub(1)
            .and_then(|l| orig.get(l))
            .map_or(start, |&o| o + 1);
        t.char_start += marks_before(start);
        t.char_end += marks_before(end);
        t.start = start;
        t.end = end;
    }
    toks
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accelerator_rule_table() {
        // (text, text without its accelerators)
        let cases: &[(&str, &str)] = &[
            ("Show _Toolbar", "Show Toolbar"),
            ("Lo&ad file", "Load file"),
            ("~Save", "Save"),
            ("ا_فتح الملف", "افتح الملف"),
            ("Sa_ve As…", "Save As…"),
            ("E_xit", "Exit"),
            ("_OK", "OK"),
            ("&Open Recent", "Open Recent"),
            ("Page &1", "Page 1"),
            // Not accelerators.
            ("Tom & Jerry", "Tom & Jerry"),
            ("Fish &amp; Chips", "Fish &amp; Chips"),
            ("&#13; and &#x1F;", "&#13; and &#x1F;"),
            ("R&D and AT&T", "R&D and AT&T"),
            ("Rock && Roll", "Rock && Roll"),
            ("file_name", "file_name"),
            ("set snake_case names", "set snake_case names"),
            ("MAX_SIZE", "MAX_SIZE"),
            ("LD_LIBRARY_PATH", "LD_LIBRARY_PATH"),
            ("__init__", "__init__"),
            ("~/.config", "~/.config"),
            ("about ~5 minutes", "about ~5 minutes"),
            ("trailing _", "trailing _"),
            // Two candidates of one marker: neither is an accelerator.
            ("_Yes _No", "_Yes _No"),
            // One per marker char: `&` and `_` are judged apart.
            ("_Save & Close", "Save & Close"),
        ];
        for (text, want) in cases {
            assert_eq!(strip_accelerators(text), *want, "{text}");
        }
    }

    #[test]
    fn tokens_ignore_markers_and_keep_original_spans() {
        let s = "Lo&ad the ا_فتح ~Toolbar";
        let t = tokenize_ignoring_accelerators(s);
        let norms: Vec<&str> = t.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(norms, ["load", "the", "افتح", "toolbar"]);
        let raw: Vec<&str> = t.iter().map(|t| t.text(s)).collect();
        assert_eq!(raw, ["Lo&ad", "the", "ا_فتح", "Toolbar"]);
        for tok in &t {
            assert_eq!(tok.char_start, s[..tok.start].chars().count());
            assert_eq!(tok.char_end, s[..tok.end].chars().count());
        }
        assert_eq!(tokenize_ignoring_accelerators("R&D"), tokenize("R&D"));
    }

    proptest! {
        #[test]
        fn spans_point_into_the_original(s in "[a-zA-Z_&~ \u{0627}-\u{064A};#.]{0,30}") {
            let stripped = strip_accelerators(&s);
            let t = tokenize_ignoring_accelerators(&s);
            let plain = tokenize(&stripped);
            prop_assert_eq!(t.len(), plain.len());
            for (a, b) in t.iter().zip(&plain) {
                prop_assert_eq!(&a.norm, &b.norm);
                prop_assert!(s.is_char_boundary(a.start) && s.is_char_boundary(a.end));
                prop_assert_eq!(a.char_start, s[..a.start].chars().count());
                prop_assert_eq!(a.char_end, s[..a.end].chars().count());
                let raw: String = s[a.start..a.end].chars().filter(|c| !MARKERS.contains(c)).collect();
                let want: String = stripped[b.start..b.end].chars().filter(|c| !MARKERS.contains(c)).collect();
                prop_assert_eq!(raw, want);
            }
        }
    }
}
