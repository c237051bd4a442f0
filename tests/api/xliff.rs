//! `POST /v1/xliff/pretranslate` and `POST /v1/analysis` through a real
//! server: the fixtures of every flavour pre-translated from an imported
//! TMX, read back by translate-toolkit (when its venv is installed), hostile
//! files refused with the server alive, and the peer corpus of real
//! XLIFF/SDLXLIFF/MQXLIFF/XLIFF 2 files coming back byte-identical when
//! nothing matches.

use super::helpers::{spawn_app_with, TestApp};
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/xliff");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(name)).expect("fixture")
}

/// A server whose `default` memory holds the fixtures' memory.
async fn app_with_memory() -> TestApp {
    let app = spawn_app_with(&[]).await;
    let r = app
        .client
        .post(app.url("/v1/memories/default/import"))
        .body(fixture("memory.ar-en.tmx"))
        .send()
        .await
        .expect("import");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    app
}

async fn pretranslate(app: &TestApp, query: &str, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/v1/xliff/pretranslate?{query}")))
        .header("content-type", "application/xliff+xml")
        .body(body)
        .send()
        .await
        .expect("request")
}

fn header(r: &reqwest::Response, name: &str) -> usize {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX)
}

/// The clients venv's python, when installed.
fn venv_python() -> Option<PathBuf> {
    let venv = std::env::var("MUSTALAH_CLIENTS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/clients-venv"));
    let py = venv.join("bin/python");
    py.exists().then_some(py)
}

/// translate-toolkit's reading of `files` (one JSON value per file).
fn ttk_read(files: &[PathBuf]) -> Option<Vec<serde_json::Value>> {
    let Some(py) = venv_python() else {
        println!("skipped: translate-toolkit check (no clients venv; run .ci/setup.d/20-python-clients.sh)");
        return None;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/ttk_read_xliff.py");
    let out = std::process::Command::new("timeout")
        .arg("120")
        .arg(py)
        .arg(script)
        .args(files)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "translate-toolkit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect(),
    )
}

fn unit<'a>(file: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    file["units"]
        .as_array()
        .and_then(|us| us.iter().find(|u| u["id"] == id))
        .unwrap_or_else(|| panic!("unit {id} in {}", file["file"]))
}

#[tokio::test]
async fn every_flavour_is_pretranslated_and_translate_toolkit_reads_it() {
    let app = app_with_memory().await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut written = Vec::new();
    for (name, filled_at_least) in [
        ("help.ar-en.xlf", 3),
        ("help.ar-en.sdlxliff", 2),
        ("help.ar-en.mqxliff", 2),
        ("help.ar-en.v2.xlf", 1),
    ] {
        let input = fixture(name);
        let r = pretranslate(
            &app,
            "memories=default&termbases=tech&max_matches=2",
            input.clone(),
        )
        .await;
        assert_eq!(r.status(), 200, "{name}");
        assert_eq!(
            r.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/xliff+xml")
        );
        let filled = header(&r, "x-mustalah-filled");
        assert!(
            filled >= filled_at_least && filled != usize::MAX,
            "{name}: filled {filled}"
        );
        assert_eq!(header(&r, "x-mustalah-errors"), 0, "{name}");
        assert!(header(&r, "x-mustalah-skipped") >= 1, "{name}");
        let out = r.bytes().await.expect("body").to_vec();
        assert_ne!(out, input, "{name} changed");
        // Same encoding: the BOM of the memoQ and Trados files is kept.
        assert_eq!(
            out.starts_with(&[0xEF, 0xBB, 0xBF]),
            input.starts_with(&[0xEF, 0xBB, 0xBF])
        );
        let path = dir.path().join(name);
        std::fs::write(&path, &out).expect("write");
        written.push(path);
    }
    // A lower threshold fills the fuzzy match, for review.
    let r = pretranslate(&app, "fill_threshold=75", fixture("help.ar-en.xlf")).await;
    let path = dir.path().join("help.fuzzy.xlf");
    std::fs::write(&path, r.bytes().await.expect("body")).expect("write");
    written.push(path);
    // The dry run answers the report.
    let r = pretranslate(&app, "dry_run=true", fixture("help.ar-en.xlf")).await;
    let report: serde_json::Value = r.json().await.expect("json");
    assert_eq!(report["flavour"], "xliff12");
    assert_eq!(report["skipped"]["translate_no"], 1);

    let Some(read) = ttk_read(&written) else {
        return;
    };
    println!(
        "translate-toolkit read: {}",
        serde_json::to_string(&read).unwrap_or_default()
    );
    let plain = &read[0];
    assert_eq!(plain["reader"], "translate.storage.xliff");
    let u1 = unit(plain, "1");
    assert_eq!(u1["target"], "Open the file");
    assert_eq!(u1["state"], "translated");
    assert_eq!(u1["state_qualifier"], "exact-match");
    assert_eq!(u1["state_n"], "S_TRANSLATED");
    // translate-toolkit calls every target that is not approved="yes"
    // fuzzy; approved is the translator's call, never set by mustalah.
    assert_eq!(u1["isfuzzy"], true);
    assert_eq!(u1["istranslated"], false);
    assert_eq!(u1["alttrans"][0]["quality"], "100");
    assert_eq!(u1["alttrans"][0]["origin"], "mustalah:default");
    assert_eq!(u1["alttrans"][0]["target"], "Open the file");
    // Fuzzy offers only: an integer quality below 100, no target.
    let u9 = unit(plain, "9");
    assert_eq!(u9["target"], serde_json::Value::Null);
    assert_eq!(u9["state_n"], "S_EMPTY");
    let q: u32 = u9["alttrans"][0]["quality"]
        .as_str()
        .and_then(|q| q.parse().ok())
        .expect("integer quality");
    assert!((70..100).contains(&q), "{q}");
    assert_eq!(
        u9["alttrans"][0]["target"],
        "Download version 4 of the program"
    );
    // Untouched units read as before.
    assert_eq!(unit(plain, "5")["target"], "Open the file");
    assert_eq!(unit(plain, "6")["target"], "Remove the old files.");
    assert!(plain["poxliff_units"].as_u64().unwrap_or(0) >= 9);

    let sdl = &read[1];
    let seg = unit(sdl, "c4e7a9d2-6f1b-4e3c-9d8a-7b2c1e0f5a32");
    assert_eq!(seg["target"], "Restart the computer?");
    assert_eq!(seg["alttrans"][0]["mid"], "4");
    let locked = unit(sdl, "8a2d6c11-3e5f-4b9a-a0c7-5e1f2d3c4b21");
    assert_eq!(locked["alttrans"].as_array().map(Vec::len), Some(0));

    let mq = &read[2];
    assert_eq!(unit(mq, "1")["target"], "Open the file");
    assert_eq!(unit(mq, "1")["state"], "translated");
    assert_eq!(unit(mq, "2")["target"], "Remove the old files.");

    let fuzzy = unit(&read[4], "9");
    assert_eq!(fuzzy["state"], "needs-review-translation");
    assert_eq!(fuzzy["state_qualifier"], "leveraged-tm");
    assert_eq!(fuzzy["state_n"], "S_NEEDS_REVIEW");
    assert_eq!(fuzzy["target"], "Download version 5 of the program");

    let v2 = &read[3];
    assert_eq!(v2["reader"], "lxml");
    let s1 = v2["segments"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == "s1"))
        .expect("s1");
    assert_eq!(s1["target"], "Open the file");
    assert_eq!(s1["state"], "translated");
    let m = v2["matches"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["ref"] == "#s1"))
        .expect("match of s1");
    assert_eq!(
        (m["type"].as_str(), m["similarity"].as_str()),
        (Some("tm"), Some("100"))
    );
}

#[tokio::test]
async fn term_notes_from_the_seed_term_base() {
    let app = app_with_memory().await;
    let xlf = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="ar" target-language="en" datatype="plaintext" original="t"><body>
<trans-unit id="1"><source>يعمل الحاسوب بالذكاء الاصطناعي</source></trans-unit>
</body></file></xliff>"#;
    let r = pretranslate(&app, "termbases=tech", xlf.as_bytes().to_vec()).await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.expect("text");
    let note_start = text
        .find("<note from=\"mustalah\">Terms: ")
        .expect("term note");
    let note = &text[note_start..];
    assert!(note.contains("الذكاء الاصطناعي → "), "{note}");
    assert!(note.contains("[tech:"), "{note}");
}

#[tokio::test]
async fn hostile_xliff_is_refused_and_the_server_stays_up() {
    let app = app_with_memory().await;
    let plain = fixture("help.ar-en.xlf");
    let deep = format!(
        "<xliff version=\"1.2\"><file><body><trans-unit id=\"1\"><source>{}x{}</source></trans-unit></body></file></xliff>",
        "<g id=\"1\">".repeat(100_000),
        "</g>".repeat(100_000)
    );
    let utf16_no_bom: Vec<u8> = String::from_utf8_lossy(&plain)
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let mut odd_utf16 = vec![0xFF, 0xFE];
    odd_utf16.extend_from_slice(&utf16_no_bom);
    odd_utf16.pop();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "billion laughs",
            b"<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n<xliff version=\"1.2\"><file><body><trans-unit id=\"1\"><source>&b;</source></trans-unit></body></file></xliff>".to_vec(),
            "dtd_not_allowed",
        ),
        (
            "external entity",
            b"<!DOCTYPE xliff SYSTEM \"x.dtd\" [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xliff version=\"1.2\"/>".to_vec(),
            "dtd_not_allowed",
        ),
        ("truncated", plain[..plain.len() * 2 / 3].to_vec(), "malformed_xml"),
        ("100k nested g", deep.into_bytes(), "xml_too_deep"),
        ("utf-16 without BOM", utf16_no_bom, "invalid_encoding"),
        ("odd utf-16", odd_utf16, "invalid_encoding"),
        ("not xliff", fixture("memory.ar-en.tmx"), "not_xliff"),
    ];
    for (what, body, code) in cases {
        let r = pretranslate(&app, "", body).await;
        assert_eq!(r.status(), 400, "{what}");
        assert_eq!(
            r.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{what}"
        );
        let p: serde_json::Value = r.json().await.expect("problem");
        assert_eq!(p["code"], code, "{what}: {p}");
        if code == "malformed_xml" {
            assert!(
                p["line"].as_u64().is_some() && p["column"].as_u64().is_some(),
                "{p}"
            );
        }
    }
    let r = pretranslate(&app, "fill_threshold=150", plain.clone()).await;
    assert_eq!(r.status(), 422);
    let r = pretranslate(&app, "memories=nope", plain.clone()).await;
    assert_eq!(r.status(), 404);
    let r = pretranslate(&app, "memories=../x", plain).await;
    assert_eq!(r.status(), 422);
    let r = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("alive");
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn analysis_raw_multipart_and_formats() {
    let app = app_with_memory().await;
    let r = app
        .client
        .post(app.url("/v1/analysis?name=help.xlf"))
        .body(fixture("help.ar-en.xlf"))
        .send()
        .await
        .expect("analysis");
    assert_eq!(r.status(), 200);
    let a: serde_json::Value = r.json().await.expect("json");
    assert_eq!(a["files"][0]["name"], "help.xlf");
    let bands = &a["files"][0]["bands"];
    // Unit 1 and unit 5 are the same text: both 100 %, never a repetition.
    assert!(
        bands["exact"]["segments"].as_u64().unwrap_or(0) >= 2,
        "{bands}"
    );
    assert_eq!(bands["repetitions"]["segments"], 0);
    // 9 units, one translate="no", one split into two sentences.
    assert_eq!(a["total"]["total"]["segments"], 9);

    let boundary = "XyZ";
    let mut body = Vec::new();
    for (name, content) in [
        ("a.txt", "جملة جديدة تماما\nجملة جديدة تماما\n"),
        ("b.txt", "جملة جديدة تماما\nوبالملفات الجديدة\n"),
    ] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n{content}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let send = |format: &'static str| {
        app.client
            .post(app.url(&format!(
                "/v1/analysis?format={format}&weights=repetitions:30,cross_file_repetitions:30"
            )))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body.clone())
            .send()
    };
    let a: serde_json::Value = send("json")
        .await
        .expect("json")
        .json()
        .await
        .expect("json");
    assert_eq!(a["files"][0]["bands"]["new"]["segments"], 1);
    assert_eq!(a["files"][0]["bands"]["repetitions"]["words"], 3);
    assert_eq!(
        a["files"][1]["bands"]["cross_file_repetitions"]["segments"],
        1
    );
    // وبالملفات is one word.
    assert_eq!(a["files"][1]["bands"]["new"]["words"], 2);
    assert_eq!(
        a["total"]["weighted_words"],
        3.0 + 3.0 * 0.3 + 3.0 * 0.3 + 2.0
    );
    let csv = send("csv").await.expect("csv").text().await.expect("text");
    assert!(
        csv.contains("\nb.txt,cross_file_repetitions,,,1,3,"),
        "{csv}"
    );
    let xml = send("xml").await.expect("xml").text().await.expect("text");
    assert!(
        xml.contains("<repeated segments=\"1\" words=\"3\""),
        "{xml}"
    );
    let r = send("pdf").await.expect("pdf");
    assert_eq!(r.status(), 422);
    let r = app
        .client
        .post(app.url("/v1/analysis"))
        .body("<xliff version=\"1.2\"><file>".to_string())
        .send()
        .await
        .expect("bad");
    assert_eq!(r.status(), 400);
}

/// Where the shared real data lives, if anywhere.
fn shared_data() -> Option<PathBuf> {
    [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"),
        PathBuf::from("/work/shared/data"),
    ]
    .into_iter()
    .find(|p| p.join("peer").is_dir())
}

#[tokio::test]
async fn peer_xliff_without_matches_comes_back_identical() {
    let Some(data) = shared_data() else {
        println!("skipped: peer XLIFF conformance (shared/data/peer not found)");
        return;
    };
    let app = spawn_app_with(&["--no-seed"]).await;
    let r = app
        .client
        .put(app.url("/v1/memories/empty"))
        .json(&serde_json::json!({"source_lang": "en", "target_lang": "fr"}))
        .send()
        .await
        .expect("create");
    assert!(
        r.status().is_success(),
        "{}",
        r.text().await.unwrap_or_default()
    );
    let (mut identical, mut refused, mut total) = (0, Vec::new(), 0);
    for folder in ["xliff12", "sdlxliff", "mqxliff", "xliff2"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(data.join("peer").join(folder))
            .expect("peer folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for f in files {
            let input = std::fs::read(&f).expect("read");
            total += 1;
            // The languages are given: the files' own pairs vary.
            let r = pretranslate(
                &app,
                "memories=empty&source_lang=en&target_lang=fr",
                input.clone(),
            )
            .await;
            let status = r.status();
            let body = r.bytes().await.expect("body").to_vec();
            if status == 200 {
                assert_eq!(body, input, "{} changed with no match", f.display());
                identical += 1;
            } else {
                assert!(status.is_client_error(), "{}: {status}", f.display());
                let p: serde_json::Value = serde_json::from_slice(&body).expect("problem json");
                refused.push(format!(
                    "{}/{}: {}",
                    folder,
                    f.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    p["code"]
                ));
            }
        }
    }
    println!(
        "peer XLIFF: {total} files, {identical} byte-identical, {} refused (4xx): {refused:?}",
        refused.len()
    );
    assert!(
        identical * 10 >= total * 9,
        "{identical}/{total} identical; refused: {refused:?}"
    );
}
