//! SIGTERM during a long import: the import answers 503 `shutting_down`
//! (no connection reset), the process exits cleanly, and the next start
//! rolls the half import back.

use crate::durability::start;
use std::time::Duration;

#[test]
fn sigterm_stops_a_long_import_with_503_and_the_next_start_rolls_it_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let mut server = start(&data);
    let c = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client");
    let r = c
        .put(format!("{}/v1/memories/long", server.base))
        .json(&serde_json::json!({"source_lang": "en", "target_lang": "ar"}))
        .send()
        .expect("create");
    assert!(r.status().is_success(), "{}", r.status());
    let mut tsv = String::from("en\tar\n");
    for i in 0..300_000 {
        tsv.push_str(&format!(
            "Line {i} of the long import {}\tالسطر {i} من الاستيراد الطويل\n",
            i % 977
        ));
    }
    let importer = {
        let (c, base) = (c.clone(), server.base.clone());
        std::thread::spawn(move || {
            c.post(format!("{base}/v1/memories/long/import?format=tsv"))
                .header("content-type", "text/tab-separated-values")
                .body(tsv)
                .send()
                .map(|r| (r.status().as_u16(), r.text().unwrap_or_default()))
        })
    };
    // Wait (bounded) until the import is writing: its batches are visible.
    let mut writing = false;
    for _ in 0..1200 {
        let units = c
            .get(format!("{}/v1/memories/long", server.base))
            .send()
            .and_then(|r| r.json::<serde_json::Value>())
            .map(|v| v["units"].as_u64().unwrap_or(0))
            .unwrap_or(0);
        if units > 0 {
            writing = true;
            break;
        }
        if importer.is_finished() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(writing, "the import never reached its write pass");
    let pid = i32::try_from(server.child.id()).expect("pid");
    // SAFETY: sends SIGTERM to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let answer = importer.join().expect("importer thread");
    let (status, body) = answer.expect("the import answered instead of a reset");
    assert_eq!(status, 503, "{body}");
    let problem: serde_json::Value = serde_json::from_str(&body).expect("problem json");
    assert_eq!(problem["code"], "shutting_down", "{body}");
    // The process exits by itself (bounded wait), successfully.
    let mut exited = None;
    for _ in 0..600 {
        if let Some(st) = server.child.try_wait().expect("wait") {
            exited = Some(st);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let Some(status) = exited else {
        let _ = server.child.kill();
        panic!("the server did not exit within 60 s of SIGTERM");
    };
    assert!(status.success(), "exit status {status}");
    let mut again = start(&data);
    let v: serde_json::Value = c
        .get(format!("{}/v1/memories/long", again.base))
        .send()
        .and_then(|r| r.json())
        .expect("meta");
    assert_eq!(v["units"], 0, "the half import was not rolled back: {v}");
    let _ = again.child.kill();
    let _ = again.child.wait();
}
