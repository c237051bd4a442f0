//! TMX reader: any bytes must give drafts or `FormatError`s, never a panic,
//! and the iterator must end after its first fatal error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mustalah::formats::tmx::TmxReader;

fuzz_target!(|data: &[u8]| {
    let Ok(reader) = TmxReader::new(data, "ar", "en") else {
        return;
    };
    let mut after_fatal = false;
    for item in reader {
        assert!(
            !after_fatal,
            "TMX reader yielded an item after a fatal error"
        );
        if let Err(e) = item {
            after_fatal = e.fatal;
        }
    }
});
