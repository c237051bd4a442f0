//! TBX reader: any bytes give concept drafts or `FormatError`s, never a
//! panic; nothing is yielded after a fatal error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mustalah::formats::tbx::TbxReader;

fuzz_target!(|data: &[u8]| {
    let Ok(reader) = TbxReader::new(data) else {
        return;
    };
    let mut after_fatal = false;
    for item in reader {
        assert!(
            !after_fatal,
            "TBX reader yielded an item after a fatal error"
        );
        if let Err(e) = item {
            after_fatal = e.fatal;
        }
    }
});
