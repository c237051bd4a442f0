//! Legacy encodings: honoured when declared (XML declaration, `charset` of
//! the Content-Type), refused with the byte seen when not.

use crate::helpers::spawn_app_with;
use serde_json::{json, Value};

fn windows_1256(s: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1256.encode(s).0.into_owned()
}

#[tokio::test]
async fn declared_encodings_import_and_undeclared_ones_are_refused() {
    let app = spawn_app_with(&["--no-seed"]).await;
    let c = &app.client;
    let r = c
        .put(app.url("/v1/memories/old"))
        .json(&json!({"source_lang": "ar", "target_lang": "en"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let import = |body: Vec<u8>, ct: &'static str, format: &'static str| {
        c.post(app.url(&format!("/v1/memories/old/import?format={format}")))
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let tmx = windows_1256(
        "<?xml version=\"1.0\" encoding=\"windows-1256\"?><tmx version=\"1.4\"><header srclang=\"ar\"/><body>\
         <tu tuid=\"w1\"><tuv xml:lang=\"ar\"><seg>احفظ الملف</seg></tuv><tuv xml:lang=\"en\"><seg>Save the file</seg></tuv></tu>\
         </body></tmx>",
    );
    let r = import(tmx, "application/x-tmx+xml", "tmx").await.unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let csv = windows_1256("ar,en\nافتح الملف,Open the file\n");
    let r = import(csv.clone(), "text/csv; charset=windows-1256", "csv")
        .await
        .unwrap();
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["units_added"], 1, "{report}");
    let r: Value = c
        .post(app.url("/v1/memories/old/search"))
        .json(&json!({"text": "افتح الملف", "min_score": 100}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["matches"][0]["target"], "Open the file", "{r}");
    let r: Value = c
        .get(app.url("/v1/memories/old/units/1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (r["source"].as_str(), r["tuid"].as_str()),
        (Some("احفظ الملف"), Some("w1"))
    );
    // Undeclared: refused, naming the byte.
    let r = import(csv, "text/csv", "csv").await.unwrap();
    assert_eq!(r.status(), 400);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["code"], "invalid_encoding", "{p}");
    assert!(p["detail"].as_str().unwrap_or("").contains("saw 0x"), "{p}");
    // An unknown charset label is a clear 400 too.
    let r = import(b"ar,en\n".to_vec(), "text/csv; charset=klingon", "csv")
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}
