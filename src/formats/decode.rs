//! Byte-level decoding shared by all readers: gzip, byte-order marks,
//! UTF-16 → UTF-8 transcoding, UTF-8 validation. Streaming, bounded memory.

use super::FormatError;
use std::io::{self, BufRead, BufReader, Read};

/// What [`decoded_reader`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded {
    /// UTF-8 (BOM stripped if present).
    Utf8,
    /// UTF-16 little endian, transcoded.
    Utf16Le,
    /// UTF-16 big endian, transcoded.
    Utf16Be,
    /// A legacy encoding named by the XML declaration (`windows-1256`,
    /// `ISO-8859-6`, `windows-1252`, …), transcoded.
    Declared(&'static encoding_rs::Encoding),
}

/// Wraps `input` into a UTF-8 [`BufRead`]: gunzips when the stream starts
/// with the gzip magic, strips a UTF-8 BOM, transcodes UTF-16 (with a BOM, or
/// without one when the first bytes show the NUL pattern of ASCII in UTF-16),
/// and transcodes the legacy encoding an XML declaration names
/// (`<?xml version="1.0" encoding="windows-1256"?>`; labels as the WHATWG
/// Encoding Standard knows them). Invalid UTF-8/UTF-16 surfaces later as an
/// `io::Error` of kind `InvalidData` whose message starts with
/// `invalid_encoding:`.
pub fn decoded_reader<'a, R: Read + 'a>(
    input: R,
) -> Result<(Box<dyn BufRead + 'a>, Decoded), FormatError> {
    decode_boxed(Box::new(input), 0, None)
}

/// [`decoded_reader`] for text whose encoding was declared out of band (an
/// HTTP `charset`, a `--encoding` flag): `charset` `None` detects as
/// [`decoded_reader`] does; a BOM still wins over the declaration.
pub fn decoded_reader_as<'a, R: Read + 'a>(
    input: R,
    charset: Option<&'static encoding_rs::Encoding>,
) -> Result<(Box<dyn BufRead + 'a>, Decoded), FormatError> {
    decode_boxed(Box::new(input), 0, charset)
}

/// `input` read as `enc` and handed out as UTF-8 (text whose charset was
/// declared out of band, transcoded before a reader sees it).
pub fn transcoding_reader<R: Read + Send>(
    input: R,
    enc: &'static encoding_rs::Encoding,
) -> impl Read + Send {
    LegacyToUtf8::new(BufReader::new(input), enc)
}

/// The encoding a charset label names (`windows-1256`, `iso-8859-6`,
/// `cp1252`, `utf-8`, …); `invalid_encoding` for a label no encoding has.
pub fn charset(label: &str) -> Result<&'static encoding_rs::Encoding, FormatError> {
    encoding_rs::Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        FormatError::fatal(
            "invalid_encoding",
            format!(
                "unknown charset {label:?} (try utf-8, windows-1256, iso-8859-6, windows-1252)"
            ),
        )
    })
}

/// The `encoding` of an XML declaration at the start of `head`, if any.
fn declared_xml_encoding(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &head[..head.len().min(1024)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = memchr::memmem::find(head, b"?>")?;
    let decl = &head[..end];
    let at = memchr::memmem::find(decl, b"encoding")? + b"encoding".len();
    let rest = decl[at..]
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let value = &rest[1..];
    let close = memchr::memchr(quote, value)?;
    encoding_rs::Encoding::for_label(&value[..close])
}

fn decode_boxed<'a>(
    input: Box<dyn Read + 'a>,
    depth: u8,
    charset: Option<&'static encoding_rs::Encoding>,
) -> Result<(Box<dyn BufRead + 'a>, Decoded), FormatError> {
    let mut buf = BufReader::with_capacity(64 * 1024, input);
    let head = buf
        .fill_buf()
        .map_err(|e| FormatError::fatal("read_error", e.to_string()))?;
    if head.starts_with(&[0x1f, 0x8b]) && depth == 0 {
        let gz = flate2::bufread::MultiGzDecoder::new(buf);
        return decode_boxed(Box::new(gz), depth + 1, charset);
    }
    let head = head.to_vec();
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        buf.consume(3);
        return Ok((Box::new(Utf8Check::new(buf)), Decoded::Utf8));
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        buf.consume(2);
        return Ok((
            Box::new(BufReader::new(Utf16ToUtf8::new(buf, false))),
            Decoded::Utf16Le,
        ));
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        buf.consume(2);
        return Ok((
            Box::new(BufReader::new(Utf16ToUtf8::new(buf, true))),
            Decoded::Utf16Be,
        ));
    }
    // No BOM: XML starts with `<` (`<\0` / `\0<` in UTF-16), and other
    // UTF-16 text shows its high bytes (0x00 for ASCII, 0x06 for Arabic) in
    // every other position, while UTF-8 text never contains NUL.
    if head.len() >= 4 {
        let n = head.len().min(512) & !1;
        let high = |b: &u8| *b == 0 || *b == 0x06;
        let even_high = head[..n].iter().step_by(2).filter(|b| high(b)).count();
        let odd_high = head[1..n].iter().step_by(2).filter(|b| high(b)).count();
        let even_nul = head[..n].iter().step_by(2).filter(|b| **b == 0).count();
        let odd_nul = head[1..n].iter().step_by(2).filter(|b| **b == 0).count();
        let pairs = n / 2;
        let le = head.starts_with(b"<\0")
            || (odd_high * 10 >= pairs * 6 && even_nul == 0 && odd_nul > 0);
        let be = head.starts_with(b"\0<")
            || (even_high * 10 >= pairs * 6 && odd_nul == 0 && even_nul > 0);
        if le {
            return Ok((
                Box::new(BufReader::new(Utf16ToUtf8::new(buf, false))),
                Decoded::Utf16Le,
            ));
        }
        if be {
            return Ok((
                Box::new(BufReader::new(Utf16ToUtf8::new(buf, true))),
                Decoded::Utf16Be,
            ));
        }
    }
    // A declared single- or multi-byte legacy encoding (UTF-8 and UTF-16
    // labels are handled above: a declaration cannot turn UTF-8 bytes into
    // something else).
    let declared = charset.or_else(|| declared_xml_encoding(&head));
    if let Some(enc) = declared.filter(|e| {
        *e != encoding_rs::UTF_8 && *e != encoding_rs::UTF_16LE && *e != encoding_rs::UTF_16BE
    }) {
        return Ok((
            Box::new(BufReader::new(LegacyToUtf8::new(buf, enc))),
            Decoded::Declared(enc),
        ));
    }
    Ok((Box::new(Utf8Check::new(buf)), Decoded::Utf8))
}

/// Transcodes a legacy encoding to UTF-8, chunk by chunk (bytes the
/// encoding does not define become U+FFFD, as every browser does).
struct LegacyToUtf8<R: BufRead> {
    inner: R,
    decoder: encoding_rs::Decoder,
    out: Vec<u8>,
    pos: usize,
    finished: bool,
}

impl<R: BufRead> LegacyToUtf8<R> {
    fn new(inner: R, enc: &'static encoding_rs::Encoding) -> Self {
        LegacyToUtf8 {
            inner,
            decoder: enc.new_decoder_without_bom_handling(),
            out: Vec::new(),
            pos: 0,
            finished: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.pos = 0;
        self.out.clear();
        while self.out.is_empty() && !self.finished {
            let chunk = self.inner.fill_buf()?;
            let last = chunk.is_empty();
            let take = chunk.len().min(16 * 1024);
            let need = self
                .decoder
                .max_utf8_buffer_length(take)
                .unwrap_or(take * 3 + 16);
            self.out.resize(need, 0);
            let (result, read, written, _) =
                self.decoder
                    .decode_to_utf8(&chunk[..take], &mut self.out, last);
            self.inner.consume(read);
            self.out.truncate(written);
            if last && result == encoding_rs::CoderResult::InputEmpty {
                self.finished = true;
            }
        }
        Ok(())
    }
}

impl<R: BufRead> Read for LegacyToUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.out.len() {
            self.refill()?;
        }
        let avail = &self.out[self.pos..];
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.pos += n;
        Ok(n)
    }
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("invalid_encoding: {msg}"),
    )
}

/// Passes bytes through while checking they are valid UTF-8 (sequences may
/// straddle buffer boundaries).
struct Utf8Check<R: BufRead> {
    inner: R,
    /// Bytes of an incomplete sequence carried over from the last chunk.
    pending: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    offset: u64,
}

impl<R: BufRead> Utf8Check<R> {
    fn new(inner: R) -> Self {
        Utf8Check {
            inner,
            pending: Vec::new(),
            out: Vec::new(),
            pos: 0,
            offset: 0,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.pos = 0;
        if let Err(e) = std::str::from_utf8(&self.pending) {
            if e.error_len().is_some() {
                let at = e.valid_up_to();
                return Err(invalid(&format!(
                    "not UTF-8 at byte {} (saw 0x{:02X}; declare the encoding: <?xml version=\"1.0\" encoding=\"windows-1256\"?> in XML, a Content-Type charset or --encoding for CSV/TSV; or send UTF-8/UTF-16)",
                    self.offset + at as u64,
                    self.pending.get(at).copied().unwrap_or(0)
                )));
            }
        }
        let chunk = self.inner.fill_buf()?;
        if chunk.is_empty() {
            if !self.pending.is_empty() {
                return Err(invalid(&format!(
                    "input ends inside a UTF-8 sequence at byte {}",
                    self.offset
                )));
            }
            return Ok(());
        }
        let mut data = std::mem::take(&mut self.pending);
        data.extend_from_slice(chunk);
        let n = chunk.len();
        self.inner.consume(n);
        match std::str::from_utf8(&data) {
            Ok(_) => {
                self.offset += data.len() as u64;
                self.out = data;
            }
            Err(e) => {
                let valid = e.valid_up_to();
                if e.error_len().is_some() && valid > 0 {
                    // Hand out the valid prefix first: the reader then
                    // meets the bad byte on its own line (next refill).
                    self.pending = data[valid..].to_vec();
                    data.truncate(valid);
                    self.offset += valid as u64;
                    self.out = data;
                    return Ok(());
                }
                if e.error_len().is_some() {
                    return Err(invalid(&format!(
                        "not UTF-8 at byte {} (saw 0x{:02X}; declare the encoding: <?xml version=\"1.0\" encoding=\"windows-1256\"?> in XML, a Content-Type charset or --encoding for CSV/TSV; or send UTF-8/UTF-16)",
                        self.offset + valid as u64,
                        data.get(valid).copied().unwrap_or(0)
                    )));
                }
                self.pending = data[valid..].to_vec();
                data.truncate(valid);
                self.offset += valid as u64;
                self.out = data;
            }
        }
        Ok(())
    }
}

impl<R: BufRead> Read for Utf8Check<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Utf8Check<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos >= self.out.len() {
            self.refill()?;
            if self.out.is_empty() && self.pending.is_empty() {
                // Either end of input or a chunk that was all pending bytes.
                if self.inner.fill_buf()?.is_empty() {
                    break;
                }
            }
        }
        Ok(&self.out[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.out.len());
    }
}

/// Streams UTF-16 code units into UTF-8 bytes.
struct Utf16ToUtf8<R: Read> {
    inner: R,
    big_endian: bool,
    out: Vec<u8>,
    pos: usize,
    carry: Option<u8>,
    high: Option<u16>,
    done: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    fn new(inner: R, big_endian: bool) -> Self {
        Utf16ToUtf8 {
            inner,
            big_endian,
            out: Vec::new(),
            pos: 0,
            carry: None,
            high: None,
            done: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.pos = 0;
        let mut raw = [0u8; 16 * 1024];
        while self.out.is_empty() && !self.done {
            let n = self.inner.read(&mut raw)?;
            if n == 0 {
                self.done = true;
                if self.carry.is_some() || self.high.is_some() {
                    return Err(invalid("UTF-16 input ends inside a character"));
                }
                break;
            }
            let mut bytes: Vec<u8> = Vec::with_capacity(n + 1);
            if let Some(c) = self.carry.take() {
                bytes.push(c);
            }
            bytes.extend_from_slice(&raw[..n]);
            if bytes.len() % 2 == 1 {
                self.carry = bytes.pop();
            }
            for pair in bytes.chunks_exact(2) {
                let unit = if self.big_endian {
                    u16::from_be_bytes([pair[0], pair[1]])
                } else {
                    u16::from_le_bytes([pair[0], pair[1]])
                };
                let ch = match (self.high.take(), unit) {
                    (None, 0xD800..=0xDBFF) => {
                        self.high = Some(unit);
                        continue;
                    }
                    (None, 0xDC00..=0xDFFF) => {
                        return Err(invalid("unpaired UTF-16 low surrogate"))
                    }
                    (None, u) => char::from_u32(u as u32),
                    (Some(h), 0xDC00..=0xDFFF) => char::from_u32(
                        0x10000 + (((h as u32) - 0xD800) << 10) + (unit as u32 - 0xDC00),
                    ),
                    (Some(_), _) => return Err(invalid("unpaired UTF-16 high surrogate")),
                };
                let ch = ch.ok_or_else(|| invalid("bad UTF-16 code unit"))?;
                let mut tmp = [0u8; 4];
                self.out
                    .extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.out.len() {
            self.refill()?;
        }
        let avail = &self.out[self.pos..];
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.pos += n;
        Ok(n)
    }
}

/// Whether an `io::Error` came from the decoders' encoding checks.
pub fn is_encoding_error(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::InvalidData && e.to_string().starts_with("invalid_encoding:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> io::Result<(String, Decoded)> {
        let (mut r, d) = decoded_reader(bytes).map_err(|e| invalid(&e.message))?;
        let mut s = String::new();
        r.read_to_string(&mut s)?;
        Ok((s, d))
    }

    fn utf16(s: &str, be: bool, bom: bool) -> Vec<u8> {
        let mut v = Vec::new();
        if bom {
            v.extend_from_slice(if be { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
        }
        for u in s.encode_utf16() {
            v.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        v
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let text = "<tmx>الذكاء الاصطناعي 😀</tmx>";
        for (be, bom) in [(false, true), (true, true), (false, false), (true, false)] {
            let (s, _) = read_all(&utf16(text, be, bom)).unwrap();
            assert_eq!(s, text, "be={be} bom={bom}");
        }
    }

    #[test]
    fn utf8_bom_is_stripped_and_invalid_utf8_is_reported() {
        let (s, d) = read_all("\u{feff}ar,en".as_bytes()).unwrap();
        assert_eq!((s.as_str(), d), ("ar,en", Decoded::Utf8));
        let err = read_all(b"ar,en\n\xff\xfe\xfd,x").unwrap_err();
        assert!(is_encoding_error(&err), "{err}");
    }

    #[test]
    fn declared_legacy_encodings_are_transcoded() {
        let text = "<?xml version='1.0' encoding=\"windows-1256\" ?><seg>الذكاء الاصطناعي</seg>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(text);
        let (s, d) = read_all(&bytes).unwrap();
        assert_eq!(
            (s.as_str(), d),
            (text, Decoded::Declared(encoding_rs::WINDOWS_1256))
        );
        let iso = text.replace("windows-1256", "ISO-8859-6");
        let (bytes, _, _) = encoding_rs::ISO_8859_6.encode(&iso);
        assert_eq!(read_all(&bytes).unwrap().0, iso);
        // Long input: chunk boundaries and small read buffers.
        let long = format!(
            "<?xml version=\"1.0\" encoding=\"windows-1254\"?>{}",
            "İı çğ ".repeat(40_000)
        );
        let (bytes, _, _) = encoding_rs::WINDOWS_1254.encode(&long);
        assert_eq!(read_all(&bytes).unwrap().0, long);
        // Out of band (an HTTP charset) for text without a declaration.
        let csv = "ar,en\nملف,file\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(csv);
        let (mut r, _) = decoded_reader_as(&bytes[..], Some(charset("cp1256").unwrap())).unwrap();
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, csv);
        assert_eq!(charset("no-such").unwrap_err().code, "invalid_encoding");
        // Undeclared, the same bytes are refused, naming the byte seen.
        let err = read_all(&bytes).unwrap_err();
        assert!(err.to_string().contains("saw 0x"), "{err}");
    }

    #[test]
    fn gzip_is_unpacked() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all("source\ttarget\nfile\tملف\n".as_bytes())
            .unwrap();
        let (s, _) = read_all(&gz.finish().unwrap()).unwrap();
        assert!(s.ends_with("ملف\n"));
    }

    #[test]
    fn multibyte_sequences_across_chunks_survive() {
        let text = "ملف".repeat(50_000);
        let (s, _) = read_all(text.as_bytes()).unwrap();
        assert_eq!(s, text);
    }
}
