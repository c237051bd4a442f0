//! OmegaT 3.6 (Debian's `omegat`, console mode) on the server's files: a
//! project whose source is a file pre-translated by the server, and a
//! project whose `tm/auto/` holds the server's TMX export. Skipped with a
//! `skipped:` line when `omegat` is not installed (`.ci/setup.d/30-omegat.sh`).

use super::helpers::{spawn_app_with, TestApp};
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/xliff");

const PROJECT: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<omegat>
  <project version="1.0">
    <source_dir>source</source_dir>
    <target_dir>target</target_dir>
    <tm_dir>tm</tm_dir>
    <glossary_dir>glossary</glossary_dir>
    <glossary_file>glossary/glossary.txt</glossary_file>
    <dictionary_dir>dictionary</dictionary_dir>
    <source_lang>AR</source_lang>
    <target_lang>EN</target_lang>
    <source_tok>org.omegat.tokenizer.LuceneArabicTokenizer</source_tok>
    <target_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</target_tok>
    <sentence_seg>false</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
"#;

fn omegat_installed() -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", "command -v omegat && command -v java"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        println!("skipped: OmegaT round trip (omegat or java not installed; run .ci/setup.d/30-omegat.sh)");
    }
    found
}

/// A project dir with `source_files` and `auto_tmx` in `tm/auto/`.
fn project(root: &Path, source_files: &[(&str, &[u8])], auto_tmx: &[u8]) {
    for d in [
        "source",
        "target",
        "tm/auto",
        "glossary",
        "omegat",
        "dictionary",
    ] {
        std::fs::create_dir_all(root.join(d)).expect("mkdir");
    }
    std::fs::write(root.join("omegat.project"), PROJECT).expect("project");
    for (name, bytes) in source_files {
        std::fs::write(root.join("source").join(name), bytes).expect("source");
    }
    std::fs::write(root.join("tm/auto/mustalah.tmx"), auto_tmx).expect("tmx");
}

/// Runs OmegaT's console translation (at most 5 minutes); its output.
fn console_translate(root: &Path, home: &Path) -> String {
    let out = std::process::Command::new("timeout")
        .arg("300")
        .arg("omegat")
        .arg("--mode=console-translate")
        .arg(root)
        .env("HOME", home)
        .output()
        .expect("omegat runs");
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "omegat failed: {log}");
    let shown: Vec<&str> = log
        .lines()
        .filter(|l| !l.contains("Plugin successfully loaded"))
        .filter(|l| {
            l.contains("Translated document")
                || l.contains("TMX")
                || l.contains("Loading")
                || l.contains("Finished")
        })
        .collect();
    println!("omegat printed:\n{}", shown.join("\n"));
    log
}

async fn server() -> TestApp {
    let app = spawn_app_with(&[]).await;
    let r = app
        .client
        .post(app.url("/v1/memories/default/import"))
        .body(std::fs::read(Path::new(FIXTURES).join("memory.ar-en.tmx")).expect("tmx"))
        .send()
        .await
        .expect("import");
    assert_eq!(r.status(), 200);
    app
}

async fn exported_tmx(app: &TestApp) -> Vec<u8> {
    let r = app
        .client
        .get(app.url("/v1/memories/default/export"))
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), 200);
    r.bytes().await.expect("tmx").to_vec()
}

#[tokio::test]
async fn omegat_fills_targets_from_the_exported_memory() {
    if !omegat_installed() {
        return;
    }
    let app = server().await;
    let tmx = exported_tmx(&app).await;
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("project");
    // OmegaT 3.6's XLIFF filter translates the text of <target> (the
    // Okapi convention: targets start as copies of the source).
    let kit = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\"><file original=\"k.txt\" source-language=\"ar\" target-language=\"en\" datatype=\"plaintext\"><body>\n<trans-unit id=\"1\"><source>أعد تشغيل الحاسوب؟</source><target>أعد تشغيل الحاسوب؟</target></trans-unit>\n</body></file></xliff>\n";
    project(
        &root,
        &[
            (
                "help.txt",
                "افتح الملف\n\nأعد تشغيل الحاسوب؟\n\nجملة بلا ترجمة\n".as_bytes(),
            ),
            ("kit.xlf", kit.as_bytes()),
        ],
        &tmx,
    );
    let log = console_translate(&root, dir.path());
    assert!(log.contains("mustalah.tmx"), "the auto TMX was read");
    let text = std::fs::read_to_string(root.join("target/help.txt")).expect("target written");
    assert_eq!(
        text,
        "Open the file\n\nRestart the computer?\n\nجملة بلا ترجمة\n"
    );
    let kit_out = std::fs::read_to_string(root.join("target/kit.xlf")).expect("target written");
    assert!(
        kit_out.contains("<target>Restart the computer?</target>"),
        "{kit_out}"
    );
}

#[tokio::test]
async fn omegat_translates_a_project_whose_source_is_a_pretranslated_xliff() {
    if !omegat_installed() {
        return;
    }
    let app = server().await;
    let r = app
        .client
        .post(app.url("/v1/xliff/pretranslate?termbases=tech"))
        .body(std::fs::read(Path::new(FIXTURES).join("help.ar-en.xlf")).expect("xlf"))
        .send()
        .await
        .expect("pretranslate");
    assert_eq!(r.status(), 200);
    let pretranslated = r.bytes().await.expect("body").to_vec();
    let tmx = exported_tmx(&app).await;
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("project");
    project(&root, &[("help.xlf", &pretranslated)], &tmx);
    console_translate(&root, dir.path());
    let out = std::fs::read(root.join("target/help.xlf")).expect("target document written");
    let doc = mustalah::formats::xliff::parse(&out).expect("OmegaT's output is XLIFF we read");
    let ours = mustalah::formats::xliff::parse(&pretranslated).expect("ours");
    assert_eq!(doc.units.len(), ours.units.len());
    let text = String::from_utf8_lossy(&out);
    // The targets the server filled are in the target document as written,
    // with their state, and the alt-trans and notes are kept.
    assert!(
        text.contains(
            "state=\"translated\" state-qualifier=\"exact-match\">Open the file</target>"
        ),
        "{text}"
    );
    assert!(
        text.contains("<mrk mtype=\"seg\" mid=\"2\">Restart the computer?</mrk>"),
        "{text}"
    );
    assert_eq!(
        text.matches("<alt-trans").count(),
        String::from_utf8_lossy(&pretranslated)
            .matches("<alt-trans")
            .count()
    );
    assert!(text.contains("origin=\"mustalah:default\""));
}
