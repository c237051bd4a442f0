//! Third-party clients of the CAT-tool protocols against a spawned server:
//! Weblate's tmserver machinery, deep-translator's MyMemoryTranslator and
//! language-tool-python, driven by the scripts in `tests/compat/`. They are
//! installed by `.ci/setup.d/20-python-clients.sh` (venv `target/clients-venv`,
//! `MUSTALAH_CLIENTS_VENV` overrides) and `.ci/setup.d/21-weblate-source.sh`
//! (`target/weblate-src`, `MUSTALAH_WEBLATE_SRC` overrides); without them
//! each test prints `skipped: …` and passes.

use crate::compat::fixture;
use crate::helpers::{spawn_app_with, TestApp};
use serde_json::Value;
use std::path::PathBuf;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn venv_python() -> Option<PathBuf> {
    let venv = std::env::var_os("MUSTALAH_CLIENTS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest().join("target/clients-venv"));
    let py = venv.join("bin/python");
    py.exists().then_some(py)
}

/// The venv's python when it can import `module`, else `None` (and a
/// `skipped:` line).
fn python_with(module: &str) -> Option<PathBuf> {
    let Some(py) = venv_python() else {
        println!("skipped: {module} (no client venv; run .ci/setup.d/20-python-clients.sh)");
        return None;
    };
    let ok = std::process::Command::new(&py)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("skipped: {module} is not installed in the client venv");
        return None;
    }
    Some(py)
}

/// Runs a `tests/compat/` script (at most 120 s) without blocking the
/// runtime that serves the app; its stdout as JSON.
async fn run(py: PathBuf, script: &str, args: Vec<String>) -> Value {
    let script = manifest().join("tests/compat").join(script);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("timeout")
            .arg("120")
            .arg(py)
            .arg(script)
            .args(args)
            .output()
    })
    .await
    .expect("joined")
    .expect("script runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "script failed: {stderr}\n{stdout}");
    println!("{stdout}");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout} {stderr}"))
}

async fn app() -> TestApp {
    let app = spawn_app_with(&["--no-seed"]).await;
    fixture(&app, None).await;
    app
}

#[tokio::test]
async fn weblate_tmserver_machinery_gets_the_suggestions() {
    let Some(py) = python_with("requests") else {
        return;
    };
    let src = std::env::var_os("MUSTALAH_WEBLATE_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest().join("target/weblate-src"));
    if !src.join("weblate/machinery/tmserver.py").exists() {
        println!("skipped: Weblate machinery source (run .ci/setup.d/21-weblate-source.sh)");
        return;
    }
    let app = app().await;
    // Weblate's settings form takes the URL with a trailing slash; its
    // get_api_url strips it. Both bases, and Weblate's `pt_BR`-style codes.
    for base in ["/tmserver/", "/api/v1/"] {
        let out = run(
            py.clone(),
            "weblate_tmserver.py",
            vec![
                src.display().to_string(),
                app.url(base),
                "en_US".into(),
                "ar".into(),
                "Save the file".into(),
                "Open the files".into(),
                "احفظ الملف".into(),
            ],
        )
        .await;
        assert_eq!(out["codes"], serde_json::json!(["en_us", "ar"]));
        assert!(
            out["languages"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!(["en", "ar"])),
            "{out}"
        );
        let results = &out["results"];
        assert_eq!(results[0][0]["text"], "احفظ الملف", "{out}");
        assert_eq!(results[0][0]["quality"], 100);
        assert_eq!(results[0][0]["service"], "tmserver");
        assert_eq!(results[0][0]["source"], "Save the file");
        assert!(out["is_supported"].as_bool().unwrap(), "{out}");
        // Fuzzy (the plural costs a clitic-level edit), above Weblate's
        // threshold of 75, best first.
        assert_eq!(results[1][0]["text"], "افتح الملف", "{out}");
        let q = results[1][0]["quality"].as_u64().unwrap();
        assert!((75..100).contains(&q), "{out}");
        let qs: Vec<u64> = results[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["quality"].as_u64().unwrap())
            .collect();
        assert!(qs.windows(2).all(|w| w[0] >= w[1]), "{out}");
        // Arabic text asked as en→ar finds nothing: the memory's English
        // side is searched.
        assert_eq!(results[2], serde_json::json!([]), "{out}");
    }
}

#[tokio::test]
async fn deep_translator_mymemory_gets_the_translation() {
    let Some(py) = python_with("deep_translator") else {
        return;
    };
    let app = app().await;
    // deep-translator's own language names → its codes (en-GB, ar-SA).
    let out = run(
        py.clone(),
        "mymemory_deep_translator.py",
        vec![
            app.url("/get"),
            "english".into(),
            "arabic".into(),
            "Save the file".into(),
        ],
    )
    .await;
    assert_eq!(out["codes"], serde_json::json!(["en-GB", "ar-SA"]), "{out}");
    assert_eq!(out["translation"], "احفظ الملف", "{out}");
    assert_eq!(out["all"][0], "احفظ الملف");
    assert_eq!(out["all"][1]["segment"], "Save the file");
    // The other direction of the same memory, through /api/get.
    let out = run(
        py,
        "mymemory_deep_translator.py",
        vec![
            app.url("/api/get"),
            "arabic".into(),
            "english".into(),
            "افتح الملف".into(),
        ],
    )
    .await;
    assert_eq!(out["translation"], "Open the file", "{out}");
}

#[tokio::test]
async fn language_tool_python_gets_the_term_matches() {
    let Some(py) = python_with("language_tool_python") else {
        return;
    };
    let app = app().await;
    // Characters outside the BMP before the forbidden and the deprecated
    // term: the client converts our UTF-16 offsets back to code points.
    let text = "😀 افتح وبالفايل 𝐀 على السيرفر";
    let out = run(
        py,
        "languagetool_python.py",
        vec![app.address.clone(), "ar".into(), text.into()],
    )
    .await;
    let m = out.as_array().unwrap();
    assert_eq!(m.len(), 2, "{out}");
    assert_eq!(m[0]["rule"], "MUSTALAH_FORBIDDEN_TERM");
    assert_eq!(m[0]["matched"], "وبالفايل", "{out}");
    assert_eq!(m[0]["replacements"], serde_json::json!(["ملف"]));
    assert_eq!(m[0]["category"], "TERMINOLOGY");
    assert_eq!(m[1]["rule"], "MUSTALAH_DEPRECATED_TERM");
    assert_eq!(m[1]["matched"], "السيرفر", "{out}");
    assert_eq!(m[1]["replacements"], serde_json::json!(["خادم"]));
}
