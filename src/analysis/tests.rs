//! Band counts on a job with known matches, repetitions and fuzzies.

use super::report::{to_csv, to_xml};
use super::*;
use crate::suggest::testkit::{at, unit, FakeMemory};

fn memory() -> FakeMemory {
    let d = at(2026, 11, 1);
    let u = |id, score, s: &'static str| unit("default", id, score, s, "x", d);
    FakeMemory(vec![
        ("default", "افتح الملف", u(1, 100, "افتح الملف")),
        (
            "default",
            "أعد تشغيل الحاسوب؟",
            u(2, 101, "أعد تشغيل الحاسوب؟"),
        ),
        (
            "default",
            "حمّل الإصدار 5 من البرنامج",
            u(3, 92, "حمّل الإصدار 4 من البرنامج"),
        ),
        ("default", "نص بنسبة سبعين", u(4, 70, "نص بنسبة")),
        ("default", "نص ضعيف", u(5, 40, "نص")),
    ])
}

const A: &str = r#"<?xml version="1.0"?>
<xliff version="1.2"><file source-language="ar" target-language="en" original="a"><body>
<trans-unit id="1"><source>افتح الملف</source></trans-unit>
<trans-unit id="2"><source><g id="1">أعد تشغيل الحاسوب؟</g></source></trans-unit>
<trans-unit id="3"><source>حمّل الإصدار 5 من البرنامج</source></trans-unit>
<trans-unit id="4"><source>جملة جديدة تماما</source></trans-unit>
<trans-unit id="5"><source>جملة   جديدة تماما</source></trans-unit>
<trans-unit id="6"><source>افتح الملف</source></trans-unit>
<trans-unit id="7"><source>نص بنسبة سبعين</source></trans-unit>
<trans-unit id="8" translate="no"><source>لا يحسب</source></trans-unit>
<trans-unit id="9"><source>وبالملفات <x id="2"/>الجديدة</source></trans-unit>
</body></file></xliff>"#;

const B: &str = "جملة جديدة تماما\nنص ضعيف\nجملة جديدة تماما اليوم\n";

fn files() -> Vec<FileInput> {
    vec![
        FileInput {
            name: "a.xlf".into(),
            bytes: A.as_bytes().to_vec(),
        },
        FileInput {
            name: "b.txt".into(),
            bytes: B.as_bytes().to_vec(),
        },
    ]
}

#[test]
fn bands_follow_trados_repetition_rules() {
    let a = analyze(&files(), &AnalysisOptions::default(), &memory()).expect("analyses");
    let fa = &a.files[0].bands;
    assert_eq!(fa.context.segments, 1);
    assert_eq!(fa.context.tags, 1);
    // The second 100 % is exact again, never a repetition.
    assert_eq!((fa.exact.segments, fa.exact.words), (2, 4));
    // Whitespace does not make a repetition new.
    assert_eq!((fa.repetitions.segments, fa.repetitions.words), (1, 3));
    assert_eq!(fa.fuzzy[1].counts.segments, 1, "92 → 85-94");
    assert_eq!((fa.fuzzy[1].min, fa.fuzzy[1].max), (85, 94));
    assert_eq!(fa.fuzzy[1].counts.placeables, 1);
    assert_eq!(fa.fuzzy[3].counts.segments, 1, "70 → 50-74");
    // New: the first occurrence, and the clitic-glued unit (2 words, 1 tag).
    assert_eq!((fa.new.segments, fa.new.words, fa.new.tags), (2, 5, 1));
    assert_eq!(a.files[0].total.segments, 8);
    let fb = &a.files[1].bands;
    assert_eq!(fb.cross_file_repetitions.segments, 1);
    assert_eq!(fb.cross_file_repetitions.words, 3);
    // 40 is below the minimum score: new.
    assert_eq!(fb.new.segments, 2);
    assert_eq!(
        fb.internal_fuzzy
            .iter()
            .map(|b| b.counts.segments)
            .sum::<u64>(),
        0
    );
    assert_eq!(a.total.total.segments, 11);
    assert_eq!(a.total.bands.new.segments, 4);
    assert_eq!(
        (a.source_lang.as_str(), a.target_lang.as_str()),
        ("ar", "en")
    );
}

#[test]
fn internal_fuzzy_uses_earlier_segments() {
    let opts = AnalysisOptions {
        internal_fuzzy: true,
        ..AnalysisOptions::default()
    };
    let a = analyze(&files(), &opts, &memory()).expect("analyses");
    let fb = &a.files[1].bands;
    // "جملة جديدة تماما اليوم" against "جملة جديدة تماما": 6 of 8 weighted.
    assert_eq!(fb.internal_fuzzy[2].counts.segments, 1, "{fb:?}");
    assert_eq!(
        (fb.internal_fuzzy[2].min, fb.internal_fuzzy[2].max),
        (75, 84)
    );
    assert_eq!(fb.new.segments, 1);
}

#[test]
fn weights_and_formats() {
    let mut rates = std::collections::BTreeMap::new();
    rates.insert("exact".to_string(), 30.0);
    rates.insert("repetitions".to_string(), 30.0);
    rates.insert("cross_file_repetitions".to_string(), 30.0);
    rates.insert("context".to_string(), 10.0);
    let opts = AnalysisOptions {
        weights: Some(rates),
        ..AnalysisOptions::default()
    };
    let a = analyze(&files(), &opts, &memory()).expect("analyses");
    // a.xlf: context 3 words ×0.1, exact 4 ×0.3, repetition 3 ×0.3, the
    // rest (5 fuzzy + 3 fuzzy + 5 new) ×1.
    let t = &a.files[0];
    let expected = 3.0 * 0.1 + 4.0 * 0.3 + 3.0 * 0.3 + (5.0 + 3.0 + 5.0);
    assert_eq!(t.weighted_words, Some((expected * 10.0_f64).round() / 10.0));
    let csv = to_csv(&a);
    assert!(csv.starts_with("file,band,min,max,segments,words,characters,placeables,tags\n"));
    assert!(csv.contains("\na.xlf,repetitions,,,1,3,"), "{csv}");
    assert!(
        csv.contains("\nb.txt,cross_file_repetitions,,,1,3,"),
        "{csv}"
    );
    assert!(csv.contains("\nTOTAL,fuzzy,85,94,1,5,"), "{csv}");
    assert!(csv.contains("a.xlf,weighted_words,,,,"));
    let xml = to_xml(&a);
    let doc = crate::formats::xliff::decode(xml.as_bytes())
        .expect("text")
        .0;
    assert!(doc.contains("<task name=\"analyse\">"));
    assert!(doc.contains("<repeated segments=\"1\" words=\"3\""));
    assert!(doc.contains("<crossFileRepeated segments=\"0\""));
    assert!(doc.contains("<inContextExact segments=\"1\" words=\"3\""));
    assert!(doc.contains("<fuzzy min=\"85\" max=\"94\" segments=\"1\" words=\"5\""));
    assert!(doc.contains("<batchTotal>"));
    // Well-formed: every start has its end.
    let mut r = quick_xml::Reader::from_str(&doc);
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("XML report not well-formed: {e}"),
        }
    }
}

#[test]
fn broken_files_name_the_file() {
    let mut f = files();
    f.push(FileInput {
        name: "bad.xlf".into(),
        bytes: b"<xliff version=\"1.2\"><file>".to_vec(),
    });
    match analyze(&f, &AnalysisOptions::default(), &memory()) {
        Err(crate::pretranslate::Error::Format(e)) => {
            assert_eq!(e.code, "malformed_xml");
            assert!(e.message.starts_with("bad.xlf: "), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn inner_codes_lower_an_exact_match_as_in_pretranslation() {
    let xlf = r#"<xliff version="1.2"><file source-language="ar" target-language="en"><body>
<trans-unit id="1"><source>افتح <x id="1"/>الملف</source></trans-unit>
<trans-unit id="2"><source><g id="2">افتح الملف</g></source></trans-unit>
</body></file></xliff>"#;
    let files = vec![FileInput {
        name: "codes.xlf".into(),
        bytes: xlf.as_bytes().to_vec(),
    }];
    let a = analyze(&files, &AnalysisOptions::default(), &memory()).expect("analyses");
    let b = &a.files[0].bands;
    // Between the words: 100 − 1 → 95-99; wrapping the segment: exact.
    assert_eq!(b.fuzzy[0].counts.segments, 1);
    assert_eq!(b.exact.segments, 1);
}
