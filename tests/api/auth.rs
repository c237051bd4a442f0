//! Bearer-token authorization over every documented route (issue 2 and 7):
//! the routes come from the OpenAPI document itself, so a new route is
//! covered the day it is documented.

use crate::helpers::{spawn_app_with, TestApp};
use serde_json::{json, Value};

const WRITE: &str = "w-7f3a9c2e51";
const READ: &str = "r-1b8d4e6f09";

/// POSTs that only compute; everything else that is not a GET changes data.
const READ_POSTS: &[&str] = &[
    "search",
    "recognize",
    "suggest",
    "lookup",
    "concordance",
    "pretranslate",
    "analysis",
    // Term candidates of articles (adopt and reject are the changes).
    "candidates",
    // LanguageTool's term QA (`/v2/check`, `/v2/languages`).
    "check",
    "languages",
];

/// Probes and docs: open whatever the tokens.
const OPEN: &[&str] = &["/healthz", "/readyz", "/openapi.json", "/docs/"];

#[derive(Debug, Clone)]
struct Op {
    method: reqwest::Method,
    template: String,
    path: String,
}

impl Op {
    fn mutating(&self) -> bool {
        if self.method == reqwest::Method::GET {
            // MyMemory's `set` stores a unit by GET.
            return self.template.ends_with("/set");
        }
        // Aligning two texts without storing them only computes.
        if self.template == "/v1/align" {
            return false;
        }
        let last = self.template.rsplit('/').next().unwrap_or("");
        !(self.method == reqwest::Method::POST && READ_POSTS.contains(&last))
    }
}

/// Every documented operation with its path parameters filled in with
/// resources that exist (`m`, `t`, unit `unit_id`, entry `file`).
fn operations(unit_id: u64) -> Vec<Op> {
    let doc = mustalah::api::openapi();
    let mut ops = Vec::new();
    for (template, item) in doc.paths.paths.iter() {
        if OPEN.contains(&template.as_str()) {
            continue;
        }
        let path = template
            .replace("{tm}", "m")
            .replace("{tb}", "t")
            .replace("{source_lang}", "ar")
            .replace("{target_lang}", "en")
            .replace("{text}", "file")
            .replace("{sid}", "s1")
            .replace(
                "{id}",
                &if template.contains("/memories/") {
                    unit_id.to_string()
                } else {
                    "file".to_string()
                },
            );
        assert!(!path.contains('{'), "unknown path parameter in {template}");
        let pairs = [
            (&item.get, reqwest::Method::GET),
            (&item.put, reqwest::Method::PUT),
            (&item.post, reqwest::Method::POST),
            (&item.delete, reqwest::Method::DELETE),
            (&item.patch, reqwest::Method::PATCH),
        ];
        for (op, method) in pairs {
            if op.is_some() {
                ops.push(Op {
                    method,
                    template: template.clone(),
                    path: path.clone(),
                });
            }
        }
    }
    assert!(ops.len() >= 10, "the OpenAPI document lists the routes");
    ops
}

/// A request for `op` that a valid client would send (body, query).
fn request(app: &TestApp, op: &Op, token: Option<&str>) -> reqwest::RequestBuilder {
    let mut url = app.url(&op.path);
    let last = op.template.rsplit('/').next().unwrap_or("");
    if matches!(last, "concordance" | "lookup") {
        url.push_str("?q=%D8%A7%D9%84%D9%85%D9%84%D9%81");
    }
    if last == "export" {
        url.push_str("?format=tsv");
    }
    if matches!(last, "pretranslate" | "analysis") {
        url.push_str("?memories=m");
    }
    if last == "check" && op.method == reqwest::Method::GET {
        url.push_str("?language=ar&text=x");
    }
    let mut rb = app.client.request(op.method.clone(), url);
    rb = match (op.method.as_str(), last) {
        ("GET" | "DELETE", _) => rb,
        ("POST", "import") => rb
            .header("content-type", "text/tab-separated-values")
            .body("ar\ten\nطابعة\tprinter\n"),
        ("POST", "check") => rb.form(&[("text", "احفظ الملفات"), ("language", "ar")]),
        ("POST", "pretranslate" | "analysis") => rb.body(
            "<xliff version=\"1.2\"><file source-language=\"ar\" target-language=\"en\"><body><trans-unit id=\"1\"><source>احفظ الملف</source></trans-unit></body></file></xliff>",
        ),
        ("POST", "align") => rb.json(&json!({
            "source_text": "افتح الملف.", "target_text": "Open the file.",
            "source_lang": "ar", "target_lang": "en", "termbases": ["t"]
        })),
        ("POST", "candidates") => rb.json(&json!({"texts": ["الحوسبة الكمومية قادمة."]})),
        ("POST", "suggest") => rb.json(&json!({
            "text": "احفظ الملفات", "memories": ["m"], "termbases": ["t"]
        })),
        ("PUT", "m") => rb.json(&json!({"source_lang": "ar", "target_lang": "en"})),
        ("PUT", "t") => rb.json(&json!({"description": "مصطلحات"})),
        ("POST", "units") | ("PUT", _) if op.template.contains("/memories/") => {
            rb.json(&json!({"source": "افتح الملف", "target": "Open the file"}))
        }
        ("POST", "entries") | ("PUT", _) => {
            rb.json(&json!({"terms": {"ar": [{"text": "طابعة"}], "en": [{"text": "printer"}]}}))
        }
        _ => rb.json(&json!({"text": "احفظ الملفات"})),
    };
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    rb
}

async fn expect_problem(r: reqwest::Response, status: u16, code: &str, what: &str) {
    assert_eq!(r.status().as_u16(), status, "{what}");
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json",
        "{what}"
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], code, "{what}: {body}");
}

async fn setup(app: &TestApp) -> u64 {
    let send = |rb: reqwest::RequestBuilder| async move {
        let r = rb.bearer_auth(WRITE).send().await.unwrap();
        assert!(r.status().is_success(), "setup: {}", r.status());
        r.json::<Value>().await.unwrap()
    };
    send(
        app.client
            .put(app.url("/v1/memories/m"))
            .json(&json!({"source_lang": "ar", "target_lang": "en"})),
    )
    .await;
    let added = send(
        app.client
            .post(app.url("/v1/memories/m/units"))
            .json(&json!({"source": "احفظ الملف", "target": "Save the file"})),
    )
    .await;
    if mustalah::api::openapi()
        .paths
        .paths
        .contains_key("/v1/termbases/{tb}")
    {
        send(app.client.put(app.url("/v1/termbases/t")).json(&json!({}))).await;
        send(app.client.post(app.url("/v1/termbases/t/entries")).json(
            &json!({"id": "file", "terms": {"ar": [{"text": "ملف"}], "en": [{"text": "file"}]}}),
        ))
        .await;
    }
    added["ids"][0].as_u64().expect("unit id")
}

#[tokio::test]
async fn every_documented_route_enforces_the_tokens() {
    let app = spawn_app_with(&["--no-seed", "--write-token", WRITE, "--read-token", READ]).await;
    let unit_id = setup(&app).await;
    let ops = operations(unit_id);
    let doc = serde_json::to_value(mustalah::api::openapi()).unwrap();

    // Reads first (the write pass below deletes things).
    for op in ops.iter().filter(|o| !o.mutating()) {
        let what = format!("{} {}", op.method, op.template);
        let r = request(&app, op, None).send().await.unwrap();
        expect_problem(r, 401, "unauthorized", &format!("{what} without token")).await;
        let r = request(&app, op, Some("not-the-token"))
            .send()
            .await
            .unwrap();
        expect_problem(
            r,
            401,
            "unauthorized",
            &format!("{what} with a wrong token"),
        )
        .await;
        for t in [READ, WRITE] {
            let r = request(&app, op, Some(t)).send().await.unwrap();
            assert!(
                r.status().is_success(),
                "{what} with a valid token: {} {:?}",
                r.status(),
                r.text().await
            );
        }
    }

    // Writes: deletes last so every other write meets existing resources.
    let mut writes: Vec<&Op> = ops.iter().filter(|o| o.mutating()).collect();
    writes.sort_by_key(|o| (o.method == reqwest::Method::DELETE, o.path.len() < 20));
    assert!(writes.len() >= 5, "{writes:?}");
    for op in writes {
        let what = format!("{} {}", op.method, op.template);
        let r = request(&app, op, None).send().await.unwrap();
        expect_problem(r, 401, "unauthorized", &format!("{what} without token")).await;
        let r = request(&app, op, Some("not-the-token"))
            .send()
            .await
            .unwrap();
        expect_problem(
            r,
            401,
            "unauthorized",
            &format!("{what} with a wrong token"),
        )
        .await;
        let r = request(&app, op, Some(READ)).send().await.unwrap();
        expect_problem(r, 403, "forbidden", &format!("{what} with the read token")).await;
        let r = request(&app, op, Some(WRITE)).send().await.unwrap();
        let s = r.status().as_u16();
        assert!(
            s != 401 && s != 403 && s < 500,
            "{what} with the write token: {s} {:?}",
            r.text().await
        );
        // The document says so, too.
        let method = op.method.as_str().to_ascii_lowercase();
        let security = &doc["paths"][&op.template][&method]["security"];
        assert!(
            security.to_string().contains("bearer"),
            "{what} is documented without security(bearer)"
        );
    }

    // Probes and docs stay open.
    for path in OPEN {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path} must be open");
        let r = app
            .client
            .get(app.url(path))
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "{path} must be open even with a wrong token"
        );
    }
}

#[tokio::test]
async fn malformed_authorization_headers_are_401() {
    let app = spawn_app_with(&["--no-seed", "--write-token", WRITE]).await;
    for header in [
        format!("Basic {WRITE}"),
        WRITE.to_string(),
        "Bearer".to_string(),
        "Bearer ".to_string(),
        format!("Bearer {WRITE}x"),
        format!("Bearer {}", &WRITE[..WRITE.len() - 1]),
        format!("Bearer {}", WRITE.to_uppercase()),
    ] {
        let r = app
            .client
            .put(app.url("/v1/memories/x"))
            .header("authorization", &header)
            .json(&json!({"source_lang": "ar", "target_lang": "en"}))
            .send()
            .await
            .unwrap();
        expect_problem(r, 401, "unauthorized", &header).await;
    }
    // Only writes are protected without a read token.
    let r = app
        .client
        .get(app.url("/v1/memories"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.unwrap();
    assert_eq!(list["memories"].as_array().map(Vec::len), Some(0), "{list}");
}

/// Runs the real binary with debug JSON logs and both tokens, makes
/// authorized and unauthorized requests, and checks its stderr.
#[test]
fn tokens_never_appear_in_logs() {
    use std::io::{BufRead, BufReader};
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mustalah"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--no-seed",
            "--workers",
            "1",
        ])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["--write-token", WRITE, "--read-token", READ])
        .args(["--log", "debug", "--log-format", "json"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stderr = child.stderr.take().expect("stderr piped");
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let (port_tx, port_rx) = std::sync::mpsc::channel::<u16>();
    let sink = lines.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                if let Some(p) = v["fields"]["port"].as_u64() {
                    let _ = port_tx.send(p as u16);
                }
            }
            sink.lock().unwrap().push(line);
        }
    });
    let port = port_rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("no port logged: {:?}", lines.lock().unwrap())
        });
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::blocking::Client::new();
    let body = json!({"source_lang": "ar", "target_lang": "en"});
    let statuses: Vec<u16> = [
        client
            .put(format!("{base}/v1/memories/m"))
            .bearer_auth(WRITE)
            .json(&body),
        client
            .put(format!("{base}/v1/memories/n"))
            .bearer_auth(READ)
            .json(&body),
        client
            .put(format!("{base}/v1/memories/o"))
            .bearer_auth(format!("{WRITE}0"))
            .json(&body),
        client.put(format!("{base}/v1/memories/p")).json(&body),
        client.get(format!("{base}/v1/memories")).bearer_auth(READ),
        client
            .get(format!("{base}/v1/memories/m"))
            .bearer_auth(WRITE),
        client
            .get(format!("{base}/v1/memories"))
            .bearer_auth(format!("{READ}0")),
    ]
    .into_iter()
    .map(|rb| rb.send().map(|r| r.status().as_u16()).unwrap_or(0))
    .collect();
    let _ = child.kill();
    let _ = child.wait();
    let _ = reader.join();
    assert_eq!(statuses[..5], [201, 403, 401, 401, 200], "{statuses:?}");
    let log = lines.lock().unwrap().join("\n");
    assert!(
        log.contains("/v1/memories"),
        "requests were logged at debug: {log}"
    );
    assert!(!log.contains(READ), "the read token leaked into the log");
    assert!(!log.contains(WRITE), "the write token leaked into the log");
}
