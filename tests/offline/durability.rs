//! Crash durability: the real binary is killed with SIGKILL at random
//! moments while concurrent writers (units, entries, imports) run; after each
//! restart every acknowledged write must be there and searchable, and an
//! unacknowledged import must be all-or-nothing.
//!
//! `MUSTALAH_KILL_CYCLES` sets the number of cycles (default 20; the soak in
//! README uses 200).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
}

pub(crate) fn start(data: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mustalah"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--log",
            "info",
        ])
        .arg("--data-dir")
        .arg(data)
        .arg("--seed-dir")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/glossary"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn server");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut port = None;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
            if let Some(p) = v["fields"]["port"].as_u64() {
                port = Some(p);
                break;
            }
        }
        seen.push(line);
    }
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    let port = port.unwrap_or_else(|| {
        panic!(
            "server did not report its port; it said:\n{}",
            seen.join("\n")
        )
    });
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

#[derive(Default)]
struct Acked {
    units: Vec<(u64, String)>,
    entries: Vec<String>,
    imports: Vec<String>,
    unacked_imports: Vec<String>,
    tb_imports: Vec<String>,
    unacked_tb_imports: Vec<String>,
}

/// Entries of one term-base import: more than one write batch (5,000).
const TB_IMPORT_ENTRIES: usize = 6_000;

fn writers(
    base: &str,
    cycle: usize,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Acked>>,
) -> Vec<std::thread::JoinHandle<()>> {
    let mut handles = Vec::new();
    for w in 0..4 {
        let (base, stop, acked) = (base.to_string(), stop.clone(), acked.clone());
        handles.push(std::thread::spawn(move || {
            let c = client();
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let tag = format!("c{cycle}w{w}n{n}");
                match w {
                    0 => {
                        let body = serde_json::json!({
                            "source": format!("وحدة معالجة الرسومات رقم {tag}"),
                            "target": format!("graphics processing unit number {tag}")
                        });
                        let Ok(r) = c.post(format!("{base}/v1/memories/default/units")).json(&body).send() else { return };
                        if r.status().is_success() {
                            if let Ok(v) = r.json::<serde_json::Value>() {
                                if let Some(id) = v["ids"][0].as_u64() {
                                    acked.lock().unwrap().units.push((id, tag));
                                }
                            }
                        }
                    }
                    1 => {
                        let body = serde_json::json!({
                            "id": format!("dur-{tag}"),
                            "terms": {"ar": [{"text": format!("مصطلح {tag}")}], "en": [{"text": format!("term {tag}")}]}
                        });
                        let Ok(r) = c.post(format!("{base}/v1/termbases/tech/entries")).json(&body).send() else { return };
                        if r.status().is_success() {
                            acked.lock().unwrap().entries.push(format!("dur-{tag}"));
                        }
                    }
                    3 => {
                        let mut tsv = String::from("ar\ten\n");
                        for i in 0..TB_IMPORT_ENTRIES {
                            tsv.push_str(&format!("مصطلح مستورد {tag} رقم {i}\timported {tag} term {i}\n"));
                        }
                        acked.lock().unwrap().unacked_tb_imports.push(tag.clone());
                        let Ok(r) = c
                            .post(format!("{base}/v1/termbases/tech/import?format=tsv"))
                            .header("content-type", "text/tab-separated-values")
                            .body(tsv)
                            .send()
                        else {
                            return;
                        };
                        if r.status().is_success() {
                            let mut a = acked.lock().unwrap();
                            a.unacked_tb_imports.retain(|t| t != &tag);
                            a.tb_imports.push(tag);
                        }
                    }
                    _ => {
                        let mut tsv = String::from("source\ttarget\n");
                        for i in 0..300 {
                            tsv.push_str(&format!("استيراد {tag} سطر {i}\timport {tag} line {i}\n"));
                        }
                        acked.lock().unwrap().unacked_imports.push(tag.clone());
                        let Ok(r) = c
                            .post(format!("{base}/v1/memories/default/import?format=tsv"))
                            .header("content-type", "text/tab-separated-values")
                            .body(tsv)
                            .send()
                        else {
                            return;
                        };
                        if r.status().is_success() {
                            let mut a = acked.lock().unwrap();
                            a.unacked_imports.retain(|t| t != &tag);
                            a.imports.push(tag);
                        }
                    }
                }
            }
        }));
    }
    handles
}

/// Units per import tag, from one export of the memory.
fn import_counts(
    c: &reqwest::blocking::Client,
    base: &str,
) -> std::collections::HashMap<String, usize> {
    let tsv = c
        .get(format!("{base}/v1/memories/default/export?format=tsv"))
        .send()
        .and_then(|r| r.text())
        .expect("export");
    let mut counts = std::collections::HashMap::new();
    for line in tsv.lines() {
        if let Some(rest) = line
            .split('\t')
            .nth(1)
            .and_then(|t| t.strip_prefix("import "))
        {
            if let Some((tag, _)) = rest.split_once(" line ") {
                *counts.entry(tag.to_string()).or_insert(0) += 1;
            }
        }
    }
    counts
}

/// Entries per term-base import tag, from one export of `tech`.
fn tb_import_counts(
    c: &reqwest::blocking::Client,
    base: &str,
) -> std::collections::HashMap<String, usize> {
    let tsv = c
        .get(format!("{base}/v1/termbases/tech/export?format=tsv"))
        .send()
        .and_then(|r| r.text())
        .expect("export");
    let mut counts = std::collections::HashMap::new();
    for line in tsv.lines() {
        if let Some((_, rest)) = line.split_once("imported ") {
            if let Some((tag, _)) = rest.split_once(" term ") {
                *counts.entry(tag.to_string()).or_insert(0) += 1;
            }
        }
    }
    counts
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let cycles: usize = std::env::var("MUSTALAH_KILL_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let acked = Arc::new(Mutex::new(Acked::default()));
    let mut rng_state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        rng_state
    };
    for cycle in 0..cycles {
        let mut server = start(&data);
        let c = client();
        // Uploads cut off by the kill are gone from the spool.
        let spooled = std::fs::read_dir(data.join("spool"))
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(spooled, 0, "cycle {cycle}: spool files left after restart");
        // Every acknowledged write of earlier cycles must be present.
        {
            let a = acked.lock().unwrap();
            for (id, tag) in &a.units {
                let r = c
                    .get(format!("{}/v1/memories/default/units/{id}", server.base))
                    .send()
                    .expect("get unit");
                assert_eq!(
                    r.status(),
                    200,
                    "cycle {cycle}: acknowledged unit {id} ({tag}) lost"
                );
            }
            for id in &a.entries {
                let r = c
                    .get(format!("{}/v1/termbases/tech/entries/{id}", server.base))
                    .send()
                    .expect("get entry");
                assert_eq!(
                    r.status(),
                    200,
                    "cycle {cycle}: acknowledged entry {id} lost"
                );
            }
            let counts = import_counts(&c, &server.base);
            for tag in &a.imports {
                assert_eq!(
                    counts.get(tag).copied().unwrap_or(0),
                    300,
                    "cycle {cycle}: acknowledged import {tag} incomplete"
                );
            }
            for tag in &a.unacked_imports {
                let n = counts.get(tag).copied().unwrap_or(0);
                assert!(
                    n == 0 || n == 300,
                    "cycle {cycle}: unacknowledged import {tag} is half there ({n}/300)"
                );
            }
            let tb_counts = tb_import_counts(&c, &server.base);
            for tag in &a.tb_imports {
                assert_eq!(
                    tb_counts.get(tag).copied().unwrap_or(0),
                    TB_IMPORT_ENTRIES,
                    "cycle {cycle}: acknowledged term-base import {tag} incomplete"
                );
            }
            for tag in &a.unacked_tb_imports {
                let n = tb_counts.get(tag).copied().unwrap_or(0);
                assert!(
                    n == 0 || n == TB_IMPORT_ENTRIES,
                    "cycle {cycle}: unacknowledged term-base import {tag} is half there ({n}/{TB_IMPORT_ENTRIES})"
                );
            }
            // The last acknowledged unit is searchable.
            if let Some((_, tag)) = a.units.last() {
                let v: serde_json::Value = c
                    .post(format!("{}/v1/memories/default/search", server.base))
                    .json(&serde_json::json!({"text": format!("وحدة معالجة الرسومات رقم {tag}"), "min_score": 100}))
                    .send()
                    .and_then(|r| r.json())
                    .expect("search");
                assert!(
                    v["matches"].as_array().is_some_and(|m| !m.is_empty()),
                    "cycle {cycle}: unit {tag} not searchable: {v}"
                );
            }
        }
        acked.lock().unwrap().unacked_imports.clear();
        acked.lock().unwrap().unacked_tb_imports.clear();
        let stop = Arc::new(AtomicBool::new(false));
        let handles = writers(&server.base, cycle, stop.clone(), acked.clone());
        // Every fourth cycle runs long enough for term-base imports (more
        // than one write batch) to finish, the others cut them short.
        let run_ms = if cycle % 4 == 3 { 3000 } else { 100 } + next() % 400;
        std::thread::sleep(Duration::from_millis(run_ms));
        server.child.kill().expect("kill -9");
        let _ = server.child.wait();
        stop.store(true, Ordering::SeqCst);
        for h in handles {
            let _ = h.join();
        }
    }
    let a = acked.lock().unwrap();
    eprintln!(
        "durability: {cycles} kill -9 cycles, {} units, {} entries, {} imports, {} term-base imports acknowledged, none lost",
        a.units.len(),
        a.entries.len(),
        a.imports.len(),
        a.tb_imports.len()
    );
    assert!(
        !a.units.is_empty(),
        "no write was ever acknowledged: the test did not exercise anything"
    );
}
