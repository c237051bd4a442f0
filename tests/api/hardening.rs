//! Request-level findings of the second hostile review (issue 10): cross-site
//! writes, Host checks, raw-body content types, body timeouts and the import
//! cap, XML attribute floods, metadata caps, Unicode equivalence, and the
//! places where behaviour disagreed with the docs. Each test fails on the
//! code before the fix.

use crate::helpers::{spawn_app_with, TestApp};
use crate::hostile::{alive, problem};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server without seed, memory `m` (ar→en) and term base `t`, both empty.
async fn app(extra: &[&str]) -> TestApp {
    let mut args = vec!["--no-seed"];
    args.extend_from_slice(extra);
    let app = spawn_app_with(&args).await;
    let r = send_json(
        &app,
        reqwest::Method::PUT,
        "/v1/memories/m",
        &json!({"source_lang": "ar", "target_lang": "en"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = send_json(&app, reqwest::Method::PUT, "/v1/termbases/t", &json!({})).await;
    assert_eq!(r.status(), 201);
    app
}

async fn count(app: &TestApp, path: &str, field: &str) -> u64 {
    let v: Value = app
        .client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v[field].as_u64().expect("count")
}

async fn units(app: &TestApp) -> u64 {
    count(app, "/v1/memories/m", "units").await
}

async fn entries(app: &TestApp) -> u64 {
    count(app, "/v1/termbases/t", "entries").await
}

async fn send_json(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: &Value,
) -> reqwest::Response {
    app.client
        .request(method, app.url(path))
        .json(body)
        .send()
        .await
        .unwrap()
}

fn host_port(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_string()
}

/// Sends `head` (request line and headers, without the blank line) and
/// `body` over a fresh HTTP/1.1 connection with `Connection: close`;
/// returns the status and the body as JSON (`Null` if it is not).
async fn raw(app: &TestApp, head: &str, body: &[u8]) -> (u16, String, Value) {
    let mut s = tokio::net::TcpStream::connect(host_port(app))
        .await
        .unwrap();
    let req = format!(
        "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut out))
        .await
        .expect("answer within 30 s")
        .unwrap();
    split_answer(&out)
}

fn split_answer(out: &[u8]) -> (u16, String, Value) {
    let text = String::from_utf8_lossy(out).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let body = body.trim();
    // A chunked answer: take the JSON object inside.
    let json = body
        .find('{')
        .and_then(|i| body.rfind('}').map(|j| &body[i..=j]))
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    (status, head.to_ascii_lowercase(), json)
}

fn assert_problem(status: u16, head: &str, body: &Value, want_status: u16, code: &str) {
    assert_eq!(status, want_status, "{head}\n{body}");
    assert!(
        head.contains("content-type: application/problem+json"),
        "{head}"
    );
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], want_status, "{body}");
}

const TSV: &str = "ar\ten\nطابعة\tprinter\n";
const CSV: &str = "id,ar,en\nprinter,طابعة,printer\n";

// --- 1. Cross-site writes, Host, content types ---------------------------------

#[tokio::test]
async fn writes_from_foreign_web_origins_are_refused() {
    let app = app(&["--cors-origin", "https://cat.example"]).await;
    let own = app.address.clone();
    let unit = json!({"source": "افتح الملف", "target": "Open the file"});
    for (origin, site) in [
        (Some("https://attacker.example"), None),
        (Some("null"), None),
        (Some("http://127.0.0.1:1"), None),
        (None, Some("cross-site")),
        (None, Some("same-site")),
    ] {
        let mut rb = app.client.post(app.url("/v1/memories/m/units")).json(&unit);
        if let Some(o) = origin {
            rb = rb.header("origin", o);
        }
        if let Some(s) = site {
            rb = rb.header("sec-fetch-site", s);
        }
        problem(rb.send().await.unwrap(), 403, "cross_origin_refused").await;
        // The import a web page would send as a "simple" request.
        let mut rb = app
            .client
            .post(app.url("/v1/termbases/t/import?format=csv&on_duplicate=replace"))
            .header("content-type", "text/csv")
            .body(CSV);
        if let Some(o) = origin {
            rb = rb.header("origin", o);
        }
        if let Some(s) = site {
            rb = rb.header("sec-fetch-site", s);
        }
        problem(rb.send().await.unwrap(), 403, "cross_origin_refused").await;
    }
    assert_eq!(units(&app).await, 0);
    assert_eq!(entries(&app).await, 0);
    // Reads stay open to any page (CORS hides their answers).
    let r = app
        .client
        .post(app.url("/v1/memories/m/search"))
        .header("origin", "https://attacker.example")
        .json(&json!({"text": "افتح الملف"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The server's own origin (Swagger UI at /docs), an allowed origin, a
    // same-origin fetch and a non-browser client may write.
    for (origin, site) in [
        (Some(own.as_str()), None),
        (Some("https://cat.example"), Some("cross-site")),
        (None, Some("same-origin")),
        (None, None),
    ] {
        let mut rb = app.client.post(app.url("/v1/memories/m/units")).json(&unit);
        if let Some(o) = origin {
            rb = rb.header("origin", o);
        }
        if let Some(s) = site {
            rb = rb.header("sec-fetch-site", s);
        }
        let r = rb.send().await.unwrap();
        assert_eq!(r.status(), 201, "{origin:?} {site:?}");
    }
}

#[tokio::test]
async fn a_loopback_server_answers_only_loopback_and_allowed_host_names() {
    let app = app(&["--allowed-host", "tm.example.org"]).await;
    let port = app.address.rsplit(':').next().unwrap().to_string();
    for host in [
        "attacker.example".to_string(),
        format!("attacker.example:{port}"),
        "localhost.attacker.example".into(),
    ] {
        for head in [
            format!("GET /v1/memories HTTP/1.1\r\nHost: {host}"),
            format!("POST /v1/memories/m/import?format=tsv HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/tab-separated-values"),
        ] {
            let (status, h, body) = raw(&app, &head, TSV.as_bytes()).await;
            assert_problem(status, &h, &body, 421, "host_not_allowed");
        }
    }
    assert_eq!(units(&app).await, 0);
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "tm.example.org".into(),
        "TM.example.org:443".into(),
    ] {
        let (status, _, body) = raw(
            &app,
            &format!("GET /v1/memories HTTP/1.1\r\nHost: {host}"),
            b"",
        )
        .await;
        assert_eq!(status, 200, "{host}: {body}");
    }
}

#[tokio::test]
async fn imports_need_a_declared_matching_content_type() {
    let app = app(&[]).await;
    let routes = [
        (
            "/v1/memories/m/import?format=tsv",
            TSV,
            "text/tab-separated-values",
        ),
        ("/v1/termbases/t/import?format=csv", CSV, "text/csv"),
    ];
    for (path, body, good) in routes {
        for ctype in [
            None,
            Some("text/plain"),
            Some("text/plain;charset=UTF-8"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/json"),
        ] {
            let mut rb = app.client.post(app.url(path)).body(body);
            if let Some(c) = ctype {
                rb = rb.header("content-type", c);
            }
            let p = problem(rb.send().await.unwrap(), 415, "unsupported_media_type").await;
            assert!(
                p["detail"].as_str().unwrap().contains(good),
                "the answer lists what is accepted: {p}"
            );
        }
        // A type that contradicts `format`.
        let r = app
            .client
            .post(
                app.url(
                    &path
                        .replace("format=tsv", "format=tmx")
                        .replace("format=csv", "format=tbx"),
                ),
            )
            .header("content-type", good)
            .body(body)
            .send()
            .await
            .unwrap();
        problem(r, 415, "content_type_mismatch").await;
    }
    assert_eq!(units(&app).await, 0);
    assert_eq!(entries(&app).await, 0);
    for (path, body, good) in routes {
        for ctype in [good, "application/octet-stream"] {
            let r = app
                .client
                .post(app.url(path))
                .header("content-type", format!("{ctype}; charset=utf-8"))
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path} {ctype}");
        }
    }
    assert_eq!(units(&app).await, 1);
    assert_eq!(entries(&app).await, 1);
    // The other raw-body route: a term base description as text/plain.
    let r = app
        .client
        .put(app.url("/v1/termbases/x"))
        .header("content-type", "text/plain")
        .body(r#"{"description": "x"}"#)
        .send()
        .await
        .unwrap();
    problem(r, 415, "unsupported_media_type").await;
    // The OpenAPI document lists the accepted types (schemathesis sends them).
    let doc = serde_json::to_value(mustalah::api::openapi()).unwrap();
    for (path, good) in [
        ("/v1/memories/{tm}/import", "text/tab-separated-values"),
        ("/v1/termbases/{tb}/import", "application/x-tbx+xml"),
    ] {
        let content = &doc["paths"][path]["post"]["requestBody"]["content"];
        assert!(content.get(good).is_some(), "{path}: {content}");
        assert!(content.get("text/plain").is_none(), "{path}: {content}");
    }
}

#[tokio::test]
async fn unknown_content_encodings_are_415() {
    let app = app(&[]).await;
    for enc in ["br", "zstd", "compress", "gzip, gzip", "x-unknown"] {
        let r = app
            .client
            .post(app.url("/v1/memories/m/import?format=tsv"))
            .header("content-type", "text/tab-separated-values")
            .header("content-encoding", enc)
            .body(TSV)
            .send()
            .await
            .unwrap();
        problem(r, 415, "unsupported_content_encoding").await;
    }
    assert_eq!(units(&app).await, 0);
}

// --- 8. Slow bodies and the import cap -----------------------------------------

/// Opens a request whose body (of `len` bytes) arrives one byte per 200 ms
/// until the server answers; returns the answer.
async fn trickle(app: &TestApp, head: &str, len: usize) -> (u16, String, Value) {
    let mut s = tokio::net::TcpStream::connect(host_port(app))
        .await
        .unwrap();
    let req = format!("{head}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    let writer = tokio::spawn(async move {
        for _ in 0..len {
            if wr.write_all(b"a").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), rd.read_to_end(&mut out))
        .await
        .expect("the server answers a trickling body within 30 s")
        .ok();
    writer.abort();
    split_answer(&out)
}

#[tokio::test]
async fn bodies_that_trickle_get_408_and_probes_still_answer() {
    let app = app(&["--body-timeout", "1", "--body-min-rate", "100"]).await;
    let (status, head, body) = trickle(
        &app,
        "POST /v1/memories/m/import?format=tsv HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/tab-separated-values",
        1000,
    )
    .await;
    assert_problem(status, &head, &body, 408, "body_timeout");
    let (status, head, body) = trickle(
        &app,
        "POST /v1/memories/m/units HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json",
        1000,
    )
    .await;
    assert_problem(status, &head, &body, 408, "body_timeout");
    alive(&app).await;
    // No spool file stays behind.
    let spool = app._dir.path().join("data/spool");
    assert_eq!(std::fs::read_dir(spool).unwrap().count(), 0);
    assert_eq!(units(&app).await, 0);
}

#[tokio::test]
async fn imports_beyond_the_cap_get_429_with_retry_after() {
    let app = app(&["--max-concurrent-imports", "1"]).await;
    // One import holds the only slot: its body never finishes.
    let mut holder = tokio::net::TcpStream::connect(host_port(&app))
        .await
        .unwrap();
    holder
        .write_all(b"POST /v1/memories/m/import?format=tsv HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/tab-separated-values\r\nContent-Length: 100000\r\n\r\nar\ten\n")
        .await
        .unwrap();
    // It holds the slot once its spool file exists.
    let spool = app._dir.path().join("data/spool");
    let mut waited = 0;
    while std::fs::read_dir(&spool).unwrap().count() == 0 {
        assert!(waited < 2000, "the first import never started spooling");
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
    }
    let r = app
        .client
        .post(app.url("/v1/termbases/t/import?format=csv"))
        .header("content-type", "text/csv")
        .body("id,ar\n")
        .send()
        .await
        .unwrap();
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0);
    problem(r, 429, "too_many_imports").await;
    // Probes and other routes are not affected.
    alive(&app).await;
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // Once the holder goes away, imports run again.
    drop(holder);
    let mut ok = false;
    for _ in 0..200 {
        let r = app
            .client
            .post(app.url("/v1/memories/m/import?format=tsv"))
            .header("content-type", "text/tab-separated-values")
            .body(TSV)
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            ok = true;
            break;
        }
        assert_eq!(r.status(), 429);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ok, "the slot was released");
    assert_eq!(units(&app).await, 1);
}

// --- 5. XML attribute floods -----------------------------------------------------

fn tmx_with_tu_attrs(attrs: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><tmx version="1.4"><header srclang="ar" datatype="plaintext" segtype="sentence" o-tmf="x" adminlang="en" creationtool="x" creationtoolversion="1"/><body><tu {attrs}><tuv xml:lang="ar"><seg>افتح</seg></tuv><tuv xml:lang="en"><seg>Open</seg></tuv></tu></body></tmx>"#
    )
}

fn tbx_with_attrs(attrs: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><martif type="TBX" xml:lang="en"><text><body><termEntry id="x" {attrs}><langSet xml:lang="en"><tig><term>printer</term></tig></langSet></termEntry></body></text></martif>"#
    )
}

#[tokio::test]
async fn attribute_floods_and_duplicates_are_refused_in_tmx_and_tbx() {
    let app = app(&[]).await;
    let flood: String = (0..200_000).map(|i| format!("a{i}=\"v\" ")).collect();
    let dup = r#"tuid="1" tuid="2""#;
    let cases = [
        (
            "/v1/memories/m/import?format=tmx",
            tmx_with_tu_attrs(&flood),
            400,
            "too_many_attributes",
        ),
        (
            "/v1/memories/m/import?format=tmx",
            tmx_with_tu_attrs(dup),
            400,
            "malformed_xml",
        ),
        // On an element whose attributes the reader never looks at.
        (
            "/v1/memories/m/import?format=tmx",
            tmx_with_tu_attrs("").replace("<body>", &format!("<body {flood}>")),
            400,
            "too_many_attributes",
        ),
        (
            "/v1/termbases/t/import?format=tbx",
            tbx_with_attrs(&flood),
            400,
            "too_many_attributes",
        ),
        (
            "/v1/termbases/t/import?format=tbx",
            tbx_with_attrs(r#"a="1" a="2""#),
            400,
            "malformed_xml",
        ),
    ];
    for (path, body, status, code) in cases {
        let r = app
            .client
            .post(app.url(path))
            .header("content-type", "application/xml")
            .body(body)
            .send()
            .await
            .unwrap();
        let p = problem(r, status, code).await;
        assert_eq!(p["line"], 1, "{p}");
    }
    assert_eq!(units(&app).await, 0);
    assert_eq!(entries(&app).await, 0);
    // 256 attributes (the cap) still import.
    let many: String = (0..255).map(|i| format!("x-{i}=\"v\" ")).collect();
    let r = app
        .client
        .post(app.url("/v1/memories/m/import?format=tmx"))
        .header("content-type", "application/xml")
        .body(tmx_with_tu_attrs(&format!("{many} tuid=\"7\"")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(units(&app).await, 1);
}

// --- 12. Metadata caps -------------------------------------------------------------

#[tokio::test]
async fn oversized_unit_metadata_is_422_naming_the_field() {
    let app = app(&[]).await;
    let base = json!({"source": "افتح الملف", "target": "Open the file"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let big = "x".repeat(5 * 1024);
    let huge = "x".repeat(20 * 1024);
    let props: Vec<Value> = (0..100)
        .map(|i| json!({"type": format!("p{i}"), "value": "v"}))
        .collect();
    let notes: Vec<Value> = (0..5).map(|_| json!("n".repeat(15 * 1024))).collect();
    for (body, field) in [
        (with("context", json!(big)), "context"),
        (with("origin", json!(big)), "origin"),
        (with("created_by", json!(big)), "created_by"),
        (with("notes", json!([huge])), "notes"),
        (with("notes", json!(notes)), "notes"),
        (with("props", json!(props)), "props"),
        (
            with("props", json!([{"type": "x", "value": huge}])),
            "props",
        ),
    ] {
        let r = send_json(&app, reqwest::Method::POST, "/v1/memories/m/units", &body).await;
        let p = problem(r, 422, "invalid_field").await;
        assert_eq!(p["field"], field, "{p}");
    }
    assert_eq!(units(&app).await, 0);
    // In an import the unit is skipped with its line, the others stored.
    let tmx = tmx_with_tu_attrs("").replace(
        "</body>",
        &format!(
            "<tu><prop type=\"x\">{huge}</prop><tuv xml:lang=\"ar\"><seg>احفظ</seg></tuv><tuv xml:lang=\"en\"><seg>Save</seg></tuv></tu></body>"
        ),
    );
    let r = app
        .client
        .post(app.url("/v1/memories/m/import?format=tmx"))
        .header("content-type", "application/x-tmx+xml")
        .body(tmx)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let rep: Value = r.json().await.unwrap();
    assert_eq!(rep["units_added"], 1, "{rep}");
    assert_eq!(rep["units_skipped"], 1, "{rep}");
}

// --- 13. Unicode ------------------------------------------------------------------

#[tokio::test]
async fn nfc_and_nfd_spellings_match_as_one() {
    let app = app(&[]).await;
    let r = send_json(
        &app,
        reqwest::Method::PUT,
        "/v1/memories/fr",
        &json!({"source_lang": "fr", "target_lang": "en"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = send_json(
        &app,
        reqwest::Method::POST,
        "/v1/memories/fr/units",
        &json!({"source": "Un café crème, s'il vous plaît", "target": "A white coffee, please"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = send_json(
        &app,
        reqwest::Method::POST,
        "/v1/memories/fr/search",
        &json!({"text": "Un cafe\u{301} cre\u{300}me, s'il vous plai\u{302}t"}),
    )
    .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["matches"][0]["score"], 100, "{body}");
    // Recognition finds the NFD spelling; offsets count the code points
    // as sent.
    let r = send_json(
        &app,
        reqwest::Method::POST,
        "/v1/termbases/t/entries",
        &json!({"id": "cafe", "terms": {"en": [{"text": "café"}], "ar": [{"text": "مقهى"}]}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let text = "Meet at the cafe\u{301} now";
    let r = send_json(
        &app,
        reqwest::Method::POST,
        "/v1/termbases/t/recognize",
        &json!({"text": text, "lang": "en", "target_lang": "ar", "min_confidence": 0}),
    )
    .await;
    let body: Value = r.json().await.unwrap();
    let hit = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["entry_id"] == "cafe")
        .unwrap_or_else(|| panic!("NFD café recognized: {body}"));
    let (start, end) = (hit["start"].as_u64().unwrap(), hit["end"].as_u64().unwrap());
    let surface: String = text
        .chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect();
    assert_eq!(surface, "cafe\u{301}", "{hit}");
}

#[tokio::test]
async fn entry_ids_are_nfc_and_invisible_or_dot_ids_are_refused() {
    let app = app(&[]).await;
    let entry = json!({"terms": {"en": [{"text": "printer"}]}});
    // NFD and NFC spellings name one entry.
    let r = send_json(
        &app,
        reqwest::Method::PUT,
        "/v1/termbases/t/entries/re%CC%81seau",
        &entry,
    )
    .await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["id"], "réseau");
    let r = app
        .client
        .get(app.url("/v1/termbases/t/entries/r%C3%A9seau"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = send_json(
        &app,
        reqwest::Method::POST,
        "/v1/termbases/t/entries",
        &json!({"id": "re\u{301}seau", "terms": {"en": [{"text": "network"}]}}),
    )
    .await;
    problem(r, 409, "entry_exists").await;
    for bad in [
        "evil\u{202E}txt",
        "zero\u{200B}width",
        "\u{FEFF}bom",
        "iso\u{2066}late",
        "rlm\u{200F}",
        ".",
        "..",
    ] {
        let r = send_json(
            &app,
            reqwest::Method::POST,
            "/v1/termbases/t/entries",
            &json!({"id": bad, "terms": {"en": [{"text": "x"}]}}),
        )
        .await;
        let p = problem(r, 422, "invalid_field").await;
        assert_eq!(p["field"], "id", "{bad:?}: {p}");
    }
    let r = send_json(
        &app,
        reqwest::Method::PUT,
        "/v1/termbases/t/entries/a%E2%80%AEb",
        &entry,
    )
    .await;
    problem(r, 422, "invalid_field").await;
    assert_eq!(entries(&app).await, 1);
    // Collection names: invisible controls are refused too.
    let r = send_json(
        &app,
        reqwest::Method::PUT,
        "/v1/memories/a%E2%80%8Bb",
        &json!({"source_lang": "ar", "target_lang": "en"}),
    )
    .await;
    problem(r, 422, "invalid_name").await;
}

// --- 15. Docs vs behaviour ------------------------------------------------------

#[tokio::test]
async fn termbase_limits_outside_the_range_are_422_not_clamped() {
    let app = app(&[]).await;
    for q in ["limit=1001", "limit=-1", "limit=0", "limit=5000"] {
        for path in [
            format!("/v1/termbases/t/lookup?q=printer&{q}"),
            format!("/v1/termbases/t/entries?{q}"),
        ] {
            let r = app.client.get(app.url(&path)).send().await.unwrap();
            let p = problem(r, 422, "invalid_field").await;
            assert_eq!(p["field"], "limit", "{path}: {p}");
        }
    }
    let r = app
        .client
        .get(app.url("/v1/termbases/t/lookup?q=printer&limit=1000"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn protocol_level_errors_have_problem_bodies() {
    let app = app(&[]).await;
    for path in ["/docs/no-such-file.js", "/docs/x/../../etc/passwd"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        let status = r.status().as_u16();
        assert!(status == 404 || status == 400, "{path}: {status}");
        let code = if status == 404 {
            "route_not_found"
        } else {
            "bad_request"
        };
        problem(r, status, code).await;
    }
    // A gzip body that is not gzip, on the route that reads raw bytes.
    let r = app
        .client
        .put(app.url("/v1/termbases/z"))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body("this is not gzip")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    assert!((400..500).contains(&status), "{status}");
    let ctype = r.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(ctype, "application/problem+json");
}

#[tokio::test]
async fn an_unterminated_csv_quote_stops_at_the_line_where_it_opened() {
    let app = app(&[]).await;
    // Term base and memory CSV: line 3 opens a quote that never closes.
    for (path, head) in [
        (
            "/v1/termbases/t/import?format=csv",
            "id,ar,en\nprinter,طابعة,printer\nbad,",
        ),
        ("/v1/memories/m/import?format=csv", "ar,en\nطابعة,printer\n"),
    ] {
        let mut csv = format!("{head}\"خادم,server\n");
        for i in 0..100_000 {
            csv.push_str(&format!("مصطلح{i},term{i}\n"));
        }
        let r = app
            .client
            .post(app.url(path))
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        let p = problem(r, 400, "unterminated_quote").await;
        assert_eq!(p["line"], 3, "{path}: {p}");
    }
    assert_eq!(entries(&app).await, 0);
    assert_eq!(units(&app).await, 0);
}

#[test]
fn a_data_dir_that_cannot_be_used_is_named_in_the_error() {
    use clap::Parser;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The spool dir cannot be created: a file is in the way.
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("spool"), b"in the way").unwrap();
    let argv = [
        "mustalah",
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--no-seed",
        "--data-dir",
        data.to_str().unwrap(),
    ];
    let mustalah::cli::Command::Serve(args) = mustalah::cli::Cli::parse_from(argv).command else {
        unreachable!("serve")
    };
    let err = match mustalah::app::Application::build(&args) {
        Ok(_) => panic!("the server must not start"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains(&*data.to_string_lossy()), "{err}");
    // The store cannot open: its database file is a directory.
    let data2 = dir.path().join("data2");
    std::fs::create_dir_all(data2.join("db")).unwrap();
    let err = match mustalah::store::Store::open(&data2) {
        Ok(_) => panic!("the store must not open"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(&*data2.to_string_lossy()), "{err}");
}
