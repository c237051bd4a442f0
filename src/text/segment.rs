//! Sentence segmentation of article text.
//!
//! Rules:
//! * every line break (`\n`, `\r`, U+2028, U+2029, U+0085) ends a segment:
//!   in news text a single newline ends a paragraph;
//! * `.` `!` `?` `؟` `۔` and the Arabic semicolon `؛` (which in Arabic
//!   prose separates what English writes as sentences) end a sentence when
//!   followed by whitespace or the
//!   end of the text; a run of them (`?!`, `!!`) and the closing quotes and
//!   brackets right after them (`"` `'` `»` `”` `’` `)` `]` `}`) stay with
//!   the sentence (also `«` `“`, which right after a terminal can only be
//!   reversed closing quotes);
//! * a `.` does not end a sentence inside numbers and versions (`3.5`,
//!   `1.2.3`, `v1.2`; `١٫٥` uses its own separator), URLs and e-mails (no
//!   whitespace follows), after an abbreviation of [`ABBREVIATIONS`]
//!   (`Dr.`, `Inc.`, `etc.`, `Jan.`…), after dotted abbreviations (`U.S.`,
//!   `e.g.`, `i.e.`, `a.m.`), after a single-letter initial (`J. R. R.`,
//!   Arabic `د.`), after `No.` before a number, or when the next word starts
//!   with a lowercase Latin letter;
//! * an ellipsis (`...`, `…`) ends a sentence only when whitespace and then
//!   an uppercase Latin letter or an Arabic letter follow (Arabic has no
//!   case, so an Arabic mid-sentence ellipsis also splits: a known trade-off);
//! * segments exclude surrounding whitespace, never overlap and together
//!   cover every non-whitespace char exactly once.
//!
//! Not handled: sentence ends after an abbreviation (`… in the U.S. The`
//! stays one segment), quotations spanning sentences.

use super::normalize::is_arabic_letter;

/// Abbreviations (lowercase, without the final dot) after which a `.` does
/// not end a sentence.
pub const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "gov", "sen", "rep",
    "pres", "col", "lt", "sgt", "capt", "inc", "ltd", "co", "corp", "llc", "plc", "bros", "dept",
    "univ", "assn", "etc", "vs", "al", "cf", "ca", "approx", "est", "fig", "figs", "vol", "vols",
    "ed", "eds", "p", "pp", "ch", "sec", "art", "no", "nos", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat",
    "sun",
];

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

impl Segment {
    /// The segment's text in the original string (empty if `s` is another
    /// string whose boundaries don't match).
    pub fn text<'a>(&self, s: &'a str) -> &'a str {
        s.get(self.start..self.end).unwrap_or("")
    }
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{0085}')
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '؟' | '۔' | '؛' | '…')
}

/// Quotes and brackets that close a sentence when they directly follow its
/// terminal. `«` and `“` are included: right after a terminal, with no
/// space, they can only be closing quotes of reversed (RTL) typography.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '»' | '«' | '”' | '“' | '’' | ')' | ']' | '}' | '›'
    )
}

/// Splits article text into sentences (paragraph breaks always split).
pub fn segment(text: &str) -> Vec<Segment> {
    let cut = boundaries(text);
    let mut out = Vec::with_capacity(cut.len());
    // Byte/char cursor: positions only move forward, so counting chars
    // between consecutive positions is linear overall.
    let mut cur_b = 0usize;
    let mut cur_c = 0usize;
    let mut to_char = |b: usize| -> usize {
        cur_c += text.get(cur_b..b).map_or(0, |s| s.chars().count());
        cur_b = b;
        cur_c
    };
    let mut from = 0usize;
    for &to in &cut {
        let piece = text.get(from..to).unwrap_or("");
        let lead = piece.len() - piece.trim_start().len();
        let body = piece.trim();
        if !body.is_empty() {
            let start = from + lead;
            let end = start + body.len();
            let char_start = to_char(start);
            let char_end = to_char(end);
            out.push(Segment {
                start,
                end,
                char_start,
                char_end,
            });
        }
        from = to;
    }
    out
}

/// Byte offsets where segments end (always ending with `text.len()`).
fn boundaries(text: &str) -> Vec<usize> {
    let mut cuts = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let mut i = 0usize;
    while i < n {
        let (b, c) = chars[i];
        if is_line_break(c) {
            cuts.push(b);
            i += 1;
            continue;
        }
        if !is_terminal(c) {
            i += 1;
            continue;
        }
        // The run of terminals, then closers.
        let mut j = i;
        while j < n && is_terminal(chars[j].1) {
            j += 1;
        }
        while j < n && is_closer(chars[j].1) {
            j += 1;
        }
        let end_b = chars.get(j).map_or(text.len(), |&(b, _)| b);
        let followed_by_space = j >= n || chars[j].1.is_whitespace();
        if followed_by_space && is_boundary(text, &chars, i, j) {
            cuts.push(end_b);
        }
        i = j.max(i + 1);
    }
    cuts.push(text.len());
    cuts
}

/// The first non-whitespace char at or after index `j` (not crossing a line
/// break, which splits anyway).
fn next_visible(chars: &[(usize, char)], j: usize) -> Option<char> {
    chars[j.min(chars.len())..]
        .iter()
        .map(|&(_, c)| c)
        .find(|c| !c.is_whitespace() || is_line_break(*c))
        .filter(|c| !is_line_break(*c))
}

/// Whether the terminal run `chars[i..j]` (with closers) ends a sentence;
/// whitespace (or the end) follows it.
fn is_boundary(text: &str, chars: &[(usize, char)], i: usize, j: usize) -> bool {
    let run: String = chars[i..j]
        .iter()
        .map(|&(_, c)| c)
        .filter(|c| is_terminal(*c))
        .collect();
    let next = next_visible(chars, j);
    let Some(next) = next else {
        return true;
    };
    let ellipsis = run.contains('…') || run.contains("..");
    if ellipsis {
        return next.is_uppercase() || is_arabic_letter(next);
    }
    if run != "." {
        // ! ? ؟ and mixes always end a sentence.
        return true;
    }
    // A lone dot: look at the word before it.
    if next.is_lowercase() {
        return false;
    }
    let before = word_before(text, chars[i].0);
    let lower = before.to_lowercase();
    let letters = before.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 1 && before.chars().count() == 1 {
        // Initial (J. R. R.) or a one-letter Arabic abbreviation (د.).
        return false;
    }
    if before.contains('.') && before.split('.').all(|p| p.chars().count() <= 2) {
        // Dotted abbreviation: U.S., e.g., i.e., a.m.
        return false;
    }
    if lower == "no" || lower == "nos" {
        return !next.is_ascii_digit();
    }
    if lower == "etc" {
        // `etc.` often ends a sentence; split when a capital follows.
        return next.is_uppercase() || is_arabic_letter(next);
    }
    !ABBREVIATIONS.contains(&lower.as_str())
}

/// The word right before byte `pos`: back to whitespace, without opening
/// quotes or brackets.
fn word_before(text: &str, pos: usize) -> &str {
    let head = text.get(..pos).unwrap_or("");
    let start = head
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace())
        .map_or(0, |(k, c)| k + c.len_utf8());
    head.get(start..)
        .unwrap_or("")
        .trim_start_matches(['(', '[', '"', '\'', '«', '“', '‘'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(s: &str) -> Vec<&str> {
        segment(s).iter().map(|g| &s[g.start..g.end]).collect()
    }

    #[test]
    fn arabic_article() {
        let s = "تجمع قمة الذكاء الاصطناعي العالمية في شنغهاي هذا الأسبوع آلاف القادة. ستكون شركة ديب سيك محور النقاش في القمة.\nقمة الذكاء الاصطناعي في الصين\n\nهل ينجح النموذج؟ نعم!";
        assert_eq!(
            texts(s),
            vec![
                "تجمع قمة الذكاء الاصطناعي العالمية في شنغهاي هذا الأسبوع آلاف القادة.",
                "ستكون شركة ديب سيك محور النقاش في القمة.",
                "قمة الذكاء الاصطناعي في الصين",
                "هل ينجح النموذج؟",
                "نعم!",
            ]
        );
    }

    #[test]
    fn arabic_semicolon_and_question_mark_split() {
        assert_eq!(
            texts("افتح الملف؛ ثم احفظه. هل حفظته؟ نعم"),
            vec!["افتح الملف؛", "ثم احفظه.", "هل حفظته؟", "نعم"]
        );
        // Glued to the next word it is not a boundary.
        assert_eq!(texts("الملف؛الثاني"), vec!["الملف؛الثاني"]);
    }

    #[test]
    fn quotes_stay_with_sentence() {
        let s = "وقال أحد المراقبين: \"منذ أن قدمت ديب سيك نموذجها يراقب القطاع الصين.\" وقد أدى إطلاق نموذج R1 إلى موجة بيع.";
        assert_eq!(
            texts(s),
            vec![
                "وقال أحد المراقبين: \"منذ أن قدمت ديب سيك نموذجها يراقب القطاع الصين.\"",
                "وقد أدى إطلاق نموذج R1 إلى موجة بيع.",
            ]
        );
        assert_eq!(
            texts("قال «انتهى.» ثم غادر."),
            vec!["قال «انتهى.»", "ثم غادر."]
        );
        assert_eq!(texts("(Really?) Yes."), vec!["(Really?)", "Yes."]);
    }

    #[test]
    fn no_split_inside() {
        for s in [
            "The chip runs at 3.5 GHz and costs 1.2.3 units.",
            "DeepSeek R1 beat v1.2 of the model.",
            "Dr. Smith met Mr. Jones at Acme Inc. yesterday.",
            "The U.S. and China compete, e.g. on chips.",
            "J. R. R. Tolkien wrote it.",
            "See https://example.com/a.b and mail info@deepseek.com now.",
            "It was... well, fine.",
            "He won… barely.",
            "بلغت النسبة ١٫٥ بالمئة.",
            "Trained on No. 5 and vs. others.",
        ] {
            assert_eq!(texts(s), vec![s], "{s}");
        }
    }

    #[test]
    fn splits() {
        assert_eq!(texts("It works. It ships."), vec!["It works.", "It ships."]);
        assert_eq!(texts("Wait... Then go."), vec!["Wait...", "Then go."]);
        assert_eq!(texts("Really?! Yes."), vec!["Really?!", "Yes."]);
        assert_eq!(
            texts("Apples, pears, etc. The end."),
            vec!["Apples, pears, etc.", "The end."]
        );
        assert_eq!(texts("line one\nline two"), vec!["line one", "line two"]);
        assert_eq!(texts("  \n\n  "), Vec::<&str>::new());
        assert_eq!(texts("انتهى... ثم بدأ"), vec!["انتهى...", "ثم بدأ"]);
    }

    #[test]
    fn spans_are_exact() {
        let s = "  أولاً.  ثانياً؟\r\nثالثاً";
        let segs = segment(s);
        assert_eq!(segs.len(), 3);
        for g in &segs {
            assert_eq!(g.char_start, s[..g.start].chars().count());
            assert_eq!(g.char_end, s[..g.end].chars().count());
        }
        assert_eq!(&s[segs[2].start..segs[2].end], "ثالثاً");
    }

    proptest! {
        #[test]
        fn covers_non_whitespace_once(s in "[a-zA-Z\u{0621}-\u{064A} .!?؟؛…\"'»«()\n\r0-9]{0,80}") {
            check_cover(&s)?;
        }

        #[test]
        fn covers_any(s in "\\PC{0,60}") {
            check_cover(&s)?;
        }
    }

    fn check_cover(s: &str) -> Result<(), TestCaseError> {
        let segs = segment(s);
        let mut covered = vec![false; s.len()];
        let mut last = 0;
        for g in &segs {
            prop_assert!(g.start < g.end && g.start >= last);
            prop_assert!(s.is_char_boundary(g.start) && s.is_char_boundary(g.end));
            let body = &s[g.start..g.end];
            prop_assert_eq!(body.trim(), body);
            prop_assert_eq!(g.char_start, s[..g.start].chars().count());
            prop_assert_eq!(g.char_end, s[..g.end].chars().count());
            for flag in covered.iter_mut().take(g.end).skip(g.start) {
                *flag = true;
            }
            last = g.end;
        }
        for (b, c) in s.char_indices() {
            if !c.is_whitespace() {
                prop_assert!(covered[b], "char {:?} at {} not covered", c, b);
            }
        }
        Ok(())
    }
}
