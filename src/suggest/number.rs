//! Numbers in running text: spans, values and formatting, for number repair
//! and the `number_mismatch` check.
//!
//! A number is a run of digits (ASCII `0-9`, Arabic-Indic `٠-٩` or extended
//! `۰-۹`) with optional thousands groups (`1,000`, `١٬٠٠٠`: a separator
//! followed by exactly three digits) and an optional decimal part (`3.5`,
//! `٣٫٥`). Digits glued to a Latin letter (`R1`, `H800`, `5G`) are part of a
//! name, not a number, and are skipped. A following scale word (`ملايين`,
//! `مليار`, `million`, `billion`, …) is remembered, so `6 ملايين` and
//! `6 million` (same digits) as well as `6 million` and `6,000,000` (same
//! value) compare equal.
//!
//! ```text
//! "بلغت ٢٬٥٠٠ وحدة"  →  one number: span 5..10, value 2500, grouped with '٬'
//! ```

/// One number found in a text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Number {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// Integer digits in ASCII, separators removed.
    pub int: String,
    /// Fraction digits in ASCII (empty when none).
    pub frac: String,
    /// Thousands separator used, if any.
    pub group_sep: Option<char>,
    /// Decimal separator used, if any.
    pub dec_sep: Option<char>,
    /// Code point of the digit zero of the script used.
    pub zero: char,
    /// Multiplier of a following scale word (1e6 for `ملايين`), if any.
    pub scale: Option<f64>,
}

impl Number {
    /// Canonical value text: no leading integer zeros, no trailing fraction
    /// zeros (`007.50` → `7.5`).
    pub fn canonical(&self) -> String {
        let int = self.int.trim_start_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        let frac = self.frac.trim_end_matches('0');
        if frac.is_empty() {
            int.to_string()
        } else {
            format!("{int}.{frac}")
        }
    }

    /// The plain value and, with a scale word, the scaled value.
    fn values(&self) -> Vec<f64> {
        let v: f64 = self.canonical().parse().unwrap_or(f64::NAN);
        match self.scale {
            Some(s) => vec![v, v * s],
            None => vec![v],
        }
    }

    /// Whether both denote the same quantity (see the module docs).
    pub fn same_value(&self, other: &Number) -> bool {
        if self.canonical() == other.canonical() {
            return true;
        }
        self.values().iter().any(|a| {
            other
                .values()
                .iter()
                .any(|b| a.is_finite() && (a - b).abs() <= 1e-9 * a.abs().max(b.abs()))
        })
    }

    /// This number's digits written the way `like` is written (digit script,
    /// thousands grouping, decimal separator): `٢٠٠٠` like `1,000` → `2,000`.
    pub fn format_like(&self, like: &Number) -> String {
        let int = self.int.trim_start_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        let mut out = String::new();
        let n = int.chars().count();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (n - i) % 3 == 0 {
                if let Some(sep) = like.group_sep {
                    out.push(sep);
                }
            }
            out.push(c);
        }
        if !self.frac.is_empty() {
            out.push(like.dec_sep.unwrap_or('.'));
            out.push_str(&self.frac);
        }
        out.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) if c.is_ascii_digit() => char::from_u32(like.zero as u32 + d).unwrap_or(c),
                _ => c,
            })
            .collect()
    }
}

/// The digit value and the zero of its script, for any digit we read.
fn digit(c: char) -> Option<(u32, char)> {
    match c {
        '0'..='9' => Some((c as u32 - '0' as u32, '0')),
        '\u{0660}'..='\u{0669}' => Some((c as u32 - 0x0660, '\u{0660}')),
        '\u{06F0}'..='\u{06F9}' => Some((c as u32 - 0x06F0, '\u{06F0}')),
        _ => None,
    }
}

fn ascii(d: u32) -> char {
    char::from_digit(d, 10).unwrap_or('0')
}

/// Multiplier of a scale word (Arabic or English, any common form).
fn scale_of(word: &str) -> Option<f64> {
    let w: String = word
        .chars()
        .filter(|c| !matches!(c, '\u{064B}'..='\u{0652}' | '\u{0640}'))
        .map(|c| match c {
            'أ' | 'إ' | 'آ' => 'ا',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    match w.as_str() {
        "الف" | "الاف" | "الفا" | "thousand" | "thousands" => Some(1e3),
        "مليون" | "ملايين" | "مليونا" | "million" | "millions" | "mln" => {
            Some(1e6)
        }
        "مليار" | "مليارات" | "بليون" | "billion" | "billions" | "bn" => Some(1e9),
        "تريليون" | "trillion" | "trillions" => Some(1e12),
        _ => None,
    }
}

/// All numbers of `s`, in order (see the module docs).
pub(crate) fn numbers(s: &str) -> Vec<Number> {
    let cs: Vec<char> = s.chars().collect();
    let at = |i: usize| cs.get(i).copied();
    let is_digit = |i: usize| at(i).and_then(digit).is_some();
    let mut out = Vec::new();
    let mut i = 0;
    while i < cs.len() {
        let Some((_, zero)) = at(i).and_then(digit) else {
            i += 1;
            continue;
        };
        let start = i;
        let glued_before = i > 0 && at(i - 1).is_some_and(|c| c.is_ascii_alphabetic());
        let mut num = Number {
            start,
            end: start,
            int: String::new(),
            frac: String::new(),
            group_sep: None,
            dec_sep: None,
            zero,
            scale: None,
        };
        while let Some((d, _)) = at(i).and_then(digit) {
            num.int.push(ascii(d));
            i += 1;
        }
        // Thousands groups: exactly three digits after the separator.
        while let Some(sep @ (',' | '٬')) = at(i) {
            let three = (1..=3).all(|k| is_digit(i + k)) && !is_digit(i + 4);
            if !three || num.group_sep.is_some_and(|g| g != sep) {
                break;
            }
            num.group_sep = Some(sep);
            for k in 1..=3 {
                if let Some((d, _)) = at(i + k).and_then(digit) {
                    num.int.push(ascii(d));
                }
            }
            i += 4;
        }
        if let Some(sep @ ('.' | '٫')) = at(i) {
            if is_digit(i + 1) {
                num.dec_sep = Some(sep);
                i += 1;
                while let Some((d, _)) = at(i).and_then(digit) {
                    num.frac.push(ascii(d));
                    i += 1;
                }
            }
        }
        num.end = i;
        let glued_after = at(i).is_some_and(|c| c.is_ascii_alphabetic());
        if glued_before || glued_after {
            continue;
        }
        let mut j = i;
        while at(j).is_some_and(char::is_whitespace) {
            j += 1;
        }
        let word: String = cs
            .get(j..)
            .unwrap_or(&[])
            .iter()
            .take_while(|c| c.is_alphabetic() || matches!(c, '\u{064B}'..='\u{0652}'))
            .collect();
        num.scale = scale_of(&word);
        out.push(num);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> Vec<String> {
        numbers(s).iter().map(Number::canonical).collect()
    }

    #[test]
    fn digits_of_every_script_with_separators_are_read() {
        assert_eq!(
            canon("بلغت ٢٬٥٠٠ وحدة و1,000 أخرى و۳٫۵ بالمئة"),
            vec!["2500", "1000", "3.5"]
        );
        let n = &numbers("بلغت ٢٬٥٠٠ وحدة")[0];
        assert_eq!(
            (n.start, n.end, n.group_sep, n.zero),
            (5, 10, Some('٬'), '٠')
        );
        assert_eq!(canon("from 26 to 28 July 2025."), vec!["26", "28", "2025"]);
        // A comma not followed by exactly three digits is a list separator.
        assert_eq!(canon("1,2 and 3,4567"), vec!["1", "2", "3", "4567"]);
    }

    #[test]
    fn digits_inside_names_are_not_numbers() {
        assert_eq!(
            canon("نموذج R1 ورقاقة H800 وشبكات 5G"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn scale_words_compare_by_digits_or_by_value() {
        let ar = &numbers("6 ملايين مستخدم")[0];
        let en = &numbers("6 million users")[0];
        let full = &numbers("6,000,000 users")[0];
        let seven = &numbers("7 million users")[0];
        assert_eq!(ar.scale, Some(1e6));
        assert!(ar.same_value(en));
        assert!(en.same_value(full));
        assert!(ar.same_value(full));
        assert!(!ar.same_value(seven));
    }

    #[test]
    fn a_number_is_written_like_another() {
        let new = &numbers("٢٠٠٠")[0];
        assert_eq!(new.format_like(&numbers("1,000")[0]), "2,000");
        assert_eq!(new.format_like(&numbers("1000")[0]), "2000");
        assert_eq!(new.format_like(&numbers("١٬٠٠٠")[0]), "٢٬٠٠٠");
        assert_eq!(
            numbers("1234567.25")[0].format_like(&numbers("1,000")[0]),
            "1,234,567.25"
        );
        assert_eq!(numbers("٣٫٥")[0].format_like(&numbers("2.5")[0]), "3.5");
    }
}
