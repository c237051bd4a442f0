//! Watches the bytes of a CSV stream for a quoted field that never closes.
//!
//! RFC 4180 lets a quoted field hold line breaks, so one stray `"` makes
//! the CSV parser read the rest of the file (or the next million bytes) as
//! a single field, and the import reports one bad row where thousands were
//! lost. [`QuoteScan`] follows the same quoting rules as the parser
//! (a `"` opens a quoted field only at the start of a field, `""` inside is
//! a quote) and reports the 1-based line where a quoted field opened when
//! it spans more than [`MAX_QUOTED_LINES`] line breaks or is still open at
//! the end of the input, so the reader can stop with the line where the
//! field started.

use super::FormatError;

/// Most line breaks one quoted field may hold (a multi-line note or
/// definition has a handful).
pub const MAX_QUOTED_LINES: u64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted field: the next byte decides (another `"` is
    /// an escaped quote, anything else closes the field).
    QuoteInQuoted,
}

/// The quoting state of a CSV byte stream (see the module doc).
#[derive(Debug, Clone)]
pub struct QuoteScan {
    delimiter: u8,
    state: State,
    /// Line breaks seen so far.
    newlines: u64,
    /// 1-based line of the `"` that opened the current quoted field.
    opened_at: u64,
    /// Line breaks inside the current quoted field.
    lines: u64,
}

/// What [`QuoteScan`] found wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unterminated {
    /// A quoted field opened on this line holds too many line breaks.
    TooManyLines(u64),
    /// A quoted field opened on this line is open at the end of input.
    AtEnd(u64),
}

impl Unterminated {
    /// 1-based line of the opening quote.
    pub fn line(self) -> u64 {
        match self {
            Unterminated::TooManyLines(l) | Unterminated::AtEnd(l) => l,
        }
    }

    /// What is wrong, for a person.
    pub fn message(self) -> String {
        let why = match self {
            Unterminated::TooManyLines(_) => format!("spans more than {MAX_QUOTED_LINES} lines"),
            Unterminated::AtEnd(_) => "is still open at the end of the file".to_string(),
        };
        format!(
            "the quoted field that starts on line {} {why}; is its closing quote missing?",
            self.line()
        )
    }

    /// The fatal `unterminated_quote` error, at the line of the quote.
    pub fn error(self) -> FormatError {
        FormatError::fatal("unterminated_quote", self.message()).at(Some(self.line()), None)
    }
}

impl QuoteScan {
    /// A scanner for fields separated by `delimiter`.
    pub fn new(delimiter: u8) -> QuoteScan {
        QuoteScan {
            delimiter,
            state: State::FieldStart,
            newlines: 0,
            opened_at: 0,
            lines: 0,
        }
    }

    /// Feeds the next `bytes` of the stream.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Unterminated> {
        for &b in bytes {
            if b == b'\n' {
                self.newlines += 1;
            }
            self.state = match (self.state, b) {
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, b'\n') => {
                    self.lines += 1;
                    if self.lines > MAX_QUOTED_LINES {
                        return Err(Unterminated::TooManyLines(self.opened_at));
                    }
                    State::Quoted
                }
                (State::Quoted, _) => State::Quoted,
                (State::QuoteInQuoted, b'"') => State::Quoted,
                (State::FieldStart, b'"') => {
                    self.opened_at = self.newlines + 1;
                    self.lines = 0;
                    State::Quoted
                }
                (_, b'\n' | b'\r') => State::FieldStart,
                (_, d) if d == self.delimiter => State::FieldStart,
                _ => State::Unquoted,
            };
        }
        Ok(())
    }

    /// Call at the end of input.
    pub fn finish(&self) -> Result<(), Unterminated> {
        match self.state {
            State::Quoted => Err(Unterminated::AtEnd(self.opened_at)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(s: &str) -> Result<(), Unterminated> {
        let mut q = QuoteScan::new(b',');
        q.feed(s.as_bytes())?;
        q.finish()
    }

    #[test]
    fn closed_quotes_pass_open_ones_report_where_they_opened() {
        assert_eq!(scan("a,b\n\"x, \"\"y\"\"\nz\",c\n"), Ok(()));
        assert_eq!(scan("a,5\" screen,c\n"), Ok(()));
        assert_eq!(scan("a,b\nx,\"open\nmore\n"), Err(Unterminated::AtEnd(2)));
        let many = format!("id,en\n1,\"x{}", "\nline".repeat(2000));
        assert_eq!(scan(&many), Err(Unterminated::TooManyLines(2)));
        // Fed in pieces, lines continue.
        let mut q = QuoteScan::new(b',');
        q.feed(b"a,\"b\n\"\n").unwrap();
        q.feed(b"c,\"d").unwrap();
        assert_eq!(q.finish(), Err(Unterminated::AtEnd(3)));
    }
}
