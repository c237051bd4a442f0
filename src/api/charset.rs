//! The `charset` parameter of an import's `Content-Type`
//! (`text/csv; charset=windows-1256`): a CSV/TSV file has no place to
//! declare its encoding, so older exports in windows-1256 or ISO-8859-6 are
//! read as declared there (an XML file's own declaration is honoured by the
//! readers themselves).

use super::ApiError;
use actix_web::HttpRequest;
use std::path::{Path, PathBuf};

/// The legacy encoding the request's `Content-Type` declares; `None`
/// without a `charset` or for UTF-8/UTF-16 (read natively). An unknown
/// label is a 400 `invalid_encoding`.
pub fn declared(req: &HttpRequest) -> Result<Option<&'static encoding_rs::Encoding>, ApiError> {
    let Some(ct) = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let Some(label) = ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"'))
    }) else {
        return Ok(None);
    };
    let enc = crate::formats::decode::charset(label).map_err(ApiError::from)?;
    let native = [
        encoding_rs::UTF_8,
        encoding_rs::UTF_16LE,
        encoding_rs::UTF_16BE,
    ];
    Ok((!native.contains(&enc)).then_some(enc))
}

/// Whether a `charset` applies to the spooled body: not to XML (its first
/// non-blank byte is `<`; its own declaration says its encoding, and
/// transcoding first would decode it twice) nor to gzip (unpacked by the
/// readers, which then see the declaration); so to CSV/TSV.
pub fn applies_to(path: &Path) -> bool {
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    let head = &head[..n];
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let xml = head
        .trim_ascii_start()
        .strip_prefix(&[0xEF, 0xBB, 0xBF])
        .unwrap_or(head.trim_ascii_start())
        .starts_with(b"<");
    !gzip && !xml
}

/// A UTF-8 copy of a spooled body, removed when dropped.
pub struct Utf8Copy(PathBuf);

impl Utf8Copy {
    /// Transcodes the file at `path` from `enc` into `path.utf8`.
    pub fn of(path: &Path, enc: &'static encoding_rs::Encoding) -> std::io::Result<Utf8Copy> {
        Self::into(path, enc, path)
    }

    /// Transcodes the file at `path` from `enc` into `near.utf8`.
    pub fn into(
        path: &Path,
        enc: &'static encoding_rs::Encoding,
        near: &Path,
    ) -> std::io::Result<Utf8Copy> {
        let copy = Utf8Copy(near.with_extension("utf8"));
        let mut src = crate::formats::decode::transcoding_reader(std::fs::File::open(path)?, enc);
        let mut dst = std::io::BufWriter::new(std::fs::File::create(&copy.0)?);
        std::io::copy(&mut src, &mut dst)?;
        std::io::Write::flush(&mut dst)?;
        Ok(copy)
    }

    /// The copy's path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Utf8Copy {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
