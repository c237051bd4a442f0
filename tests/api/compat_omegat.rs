//! OmegaT 3.6 (Debian's package, `.ci/setup.d/30-omegat.sh`) with files
//! polled from the export URLs: a TMX in `tm/auto/` fills the targets of a
//! console-mode translation, and OmegaT's own glossary reader reads the
//! `.utf8` glossary. Without OmegaT and Java the test prints `skipped: …`.

use crate::compat::fixture;
use crate::helpers::spawn_app_with;
use std::path::{Path, PathBuf};
use std::process::Command;

const OMEGAT_JAR: &str = "/usr/share/omegat/OmegaT.jar";

const PROJECT: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
    <project version="1.0">
        <source_dir>__DEFAULT__</source_dir>
        <target_dir>__DEFAULT__</target_dir>
        <tm_dir>__DEFAULT__</tm_dir>
        <glossary_dir>__DEFAULT__</glossary_dir>
        <glossary_file>__DEFAULT__</glossary_file>
        <dictionary_dir>__DEFAULT__</dictionary_dir>
        <source_lang>EN-US</source_lang>
        <target_lang>AR</target_lang>
        <source_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</source_tok>
        <target_tok>org.omegat.tokenizer.LuceneArabicTokenizer</target_tok>
        <sentence_seg>true</sentence_seg>
        <support_default_translations>true</support_default_translations>
        <remove_tags>false</remove_tags>
    </project>
</omegat>
"#;

fn available() -> bool {
    let found = |cmd: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {cmd}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    found("omegat") && found("java") && Path::new(OMEGAT_JAR).exists()
}

/// Runs `cmd` (at most 300 s) off the runtime that serves the app.
async fn run(mut cmd: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("joined")
        .expect("runs")
}

#[tokio::test]
async fn omegat_36_uses_the_polled_tmx_and_glossary() {
    if !available() {
        println!("skipped: OmegaT 3.6 and Java (run .ci/setup.d/30-omegat.sh)");
        return;
    }
    let app = spawn_app_with(&["--no-seed"]).await;
    fixture(&app, None).await;
    let dir = tempfile::tempdir().unwrap();
    let proj = dir.path().join("proj");
    for sub in ["source", "tm/auto", "glossary", "target", "omegat"] {
        std::fs::create_dir_all(proj.join(sub)).unwrap();
    }
    std::fs::write(proj.join("omegat.project"), PROJECT).unwrap();
    std::fs::write(
        proj.join("source/ui.txt"),
        "Save the file\n\nOpen the file\n\nClose the window\n",
    )
    .unwrap();
    for (url, file) in [
        ("/v1/memories/ui.tmx", "tm/auto/ui.tmx"),
        (
            "/v1/termbases/tech.utf8?source_lang=en&target_lang=ar",
            "glossary/tech.utf8",
        ),
    ] {
        let r = app.client.get(app.url(url)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
        std::fs::write(proj.join(file), r.bytes().await.unwrap()).unwrap();
    }

    let mut cmd = Command::new("timeout");
    cmd.arg("300")
        .arg("omegat")
        .arg(&proj)
        .arg("--mode=console-translate")
        .current_dir(&proj)
        // OmegaT keeps its preferences under $HOME.
        .env("HOME", dir.path());
    let out = run(cmd).await;
    let log =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "omegat failed: {log}");
    let translated = std::fs::read_to_string(proj.join("target/ui.txt"))
        .unwrap_or_else(|e| panic!("{e}: {log}"));
    println!("{translated}");
    let lines: Vec<&str> = translated.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines,
        ["احفظ الملف", "افتح الملف", "Close the window"],
        "{log}"
    );

    let reader = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/compat/ReadGlossary.java");
    let mut cmd = Command::new("timeout");
    cmd.arg("300")
        .arg("java")
        .arg("-cp")
        .arg(format!(
            "{OMEGAT_JAR}:/usr/share/omegat/lib/*:/usr/share/java/*"
        ))
        .arg(reader)
        .arg(proj.join("glossary/tech.utf8"))
        .env("HOME", dir.path());
    let out = run(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{stdout}");
    let entries: Vec<&str> = stdout.lines().collect();
    assert!(entries.contains(&"file\tملف\tpreferred"), "{stdout}");
    assert!(
        entries.contains(&"file\tفايل\tforbidden, use ملف"),
        "{stdout}"
    );
    assert!(
        entries.contains(&"server\tسيرفر\tdeprecated, use خادم"),
        "{stdout}"
    );
}
