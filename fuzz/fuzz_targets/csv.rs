//! CSV/TSV readers (term bases and memories): any bytes give drafts or
//! `FormatError`s, never a panic; nothing is yielded after a fatal error.
//! The first byte picks the delimiter so one corpus covers both dialects.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mustalah::formats::{term_delimited::TermDelimitedReader, unit_delimited::UnitDelimitedReader};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let delimiter = if sel & 1 == 0 { b',' } else { b'\t' };
    if let Ok(reader) = TermDelimitedReader::new(body, delimiter) {
        let mut after_fatal = false;
        for item in reader {
            assert!(
                !after_fatal,
                "term reader yielded an item after a fatal error"
            );
            if let Err(e) = item {
                after_fatal = e.fatal;
            }
        }
    }
    if let Ok(reader) = UnitDelimitedReader::new(body, delimiter, "ar", "en") {
        let mut after_fatal = false;
        for item in reader {
            assert!(
                !after_fatal,
                "unit reader yielded an item after a fatal error"
            );
            if let Err(e) = item {
                after_fatal = e.fatal;
            }
        }
    }
});
