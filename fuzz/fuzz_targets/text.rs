//! Tokenizer, normalizer, segmenter and word keys: no panic on any UTF-8;
//! every token/segment byte range lies on char boundaries and agrees with
//! its code-point range; `normalize` is idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mustalah::text::{normalize, segment, tokenize, word_keys_auto, TokenKind};

/// Checks one `start..end` / `char_start..char_end` pair against `s`.
fn check_range(s: &str, what: &str, start: usize, end: usize, cs: usize, ce: usize) {
    assert!(
        start <= end && end <= s.len(),
        "{what} {start}..{end} outside 0..{}",
        s.len()
    );
    assert!(
        s.is_char_boundary(start) && s.is_char_boundary(end),
        "{what} {start}..{end} not on char boundaries of {s:?}"
    );
    assert_eq!(s[..start].chars().count(), cs, "{what} char_start of {s:?}");
    assert_eq!(
        s[start..end].chars().count(),
        ce - cs,
        "{what} char length of {s:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let n = normalize(s);
    assert_eq!(normalize(&n), n, "normalize is not idempotent on {s:?}");

    let mut last_end = 0;
    for t in tokenize(s) {
        check_range(s, "token", t.start, t.end, t.char_start, t.char_end);
        assert!(t.start >= last_end, "tokens overlap in {s:?}");
        assert!(t.end > t.start, "empty token in {s:?}");
        last_end = t.end;
        assert_eq!(t.text(s), &s[t.start..t.end]);
        if t.kind == TokenKind::Word {
            // Word analysis must not panic on any word the tokenizer makes.
            let _ = word_keys_auto(t.text(s));
        }
    }
    for seg in segment(s) {
        check_range(
            s,
            "segment",
            seg.start,
            seg.end,
            seg.char_start,
            seg.char_end,
        );
    }
});
