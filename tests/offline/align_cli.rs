//! `mustalah tm align`: one pair with a review file, then a folder of pairs;
//! re-running a folder updates instead of duplicating.

use std::path::Path;
use std::process::Command;

fn mustalah(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mustalah"))
        .args(args)
        .output()
        .expect("run mustalah");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.display().to_string()
}

/// Units of a memory, from its TSV export (header row dropped).
fn exported(data: &str, memory: &str) -> Vec<String> {
    let (ok, out, err) = mustalah(&[
        "tm",
        "export",
        "--memory",
        memory,
        "--format",
        "tsv",
        "--data-dir",
        data,
    ]);
    assert!(ok, "{err}");
    out.lines().skip(1).map(str::to_string).collect()
}

#[test]
fn aligning_files_and_folders_stores_units_and_writes_a_review_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data").display().to_string();
    let ar = write(
        dir.path(),
        "launch.ar.txt",
        "أطلقت ديب سيك نموذج R1 في يناير 2025.\n\nوخسرت إنفيديا 600 مليار دولار في يوم واحد. وهذه جملة لم تترجم أبدا إلى الإنجليزية وهي طويلة بما يكفي لتبقى وحدها.",
    );
    let en = write(
        dir.path(),
        "launch.en.txt",
        "DeepSeek released its R1 model in January 2025.\n\nNvidia lost $600 billion in a single day.",
    );
    let review = dir.path().join("review.tsv");
    let (ok, _, err) = mustalah(&[
        "tm",
        "align",
        &ar,
        &en,
        "--memory",
        "news",
        "--review",
        &review.display().to_string(),
        "--data-dir",
        &data,
    ]);
    assert!(ok, "{err}");
    let rows = std::fs::read_to_string(&review).expect("review written");
    let mut lines = rows.lines();
    assert_eq!(lines.next(), Some("quality\tkind\tsource\ttarget"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    // Weakest first: the untranslated sentence.
    assert_eq!((rows[0][0], rows[0][1], rows[0][3]), ("0.000", "1-0", ""));
    assert!(rows
        .iter()
        .any(|r| r[1] == "1-1" && r[3] == "Nvidia lost $600 billion in a single day."));
    let units = exported(&data, "news");
    assert_eq!(units.len(), 2, "{units:?}");
    assert!(
        units.iter().all(|u| u.contains("launch")),
        "origin is the file name: {units:?}"
    );

    // A folder of pairs, twice: the second run adds nothing.
    let pairs = dir.path().join("pairs");
    std::fs::create_dir(&pairs).expect("mkdir");
    std::fs::copy(&ar, pairs.join("a.ar.txt")).expect("copy");
    std::fs::copy(&en, pairs.join("a.en.txt")).expect("copy");
    write(&pairs, "b.ar.txt", "افتح الملف الآن.");
    write(&pairs, "b.en.txt", "Open the file now.");
    write(&pairs, "c.ar.txt", "لا ترجمة لهذا الملف.");
    for round in 0..2 {
        let (ok, _, err) = mustalah(&[
            "tm",
            "align",
            "--pairs",
            &pairs.display().to_string(),
            "--memory",
            "news",
            "--data-dir",
            &data,
        ]);
        assert!(ok, "{err}");
        assert!(err.contains("c.ar.txt has no en.txt translation"), "{err}");
        // `a` holds the same texts as `launch` (stored above under that
        // origin): identical units are refreshed, not duplicated.
        let expect = if round == 0 {
            "1 added, 2 updated"
        } else {
            "0 added, 3 updated"
        };
        assert!(err.contains(expect), "round {round}: {err}");
    }
    assert_eq!(exported(&data, "news").len(), 3);
    let (ok, _, err) = mustalah(&["tm", "align", "--data-dir", &data]);
    assert!(!ok && err.contains("required"), "{err}");
}
