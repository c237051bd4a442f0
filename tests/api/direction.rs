//! Direction without ceremony: languages inferred from the script when a
//! request names none, stated languages checked against the memory's pair.

use crate::helpers::spawn_app_with;
use serde_json::{json, Value};

#[tokio::test]
async fn script_decides_the_side_and_stated_languages_must_match() {
    let app = spawn_app_with(&["--no-seed"]).await;
    let c = &app.client;
    let r = c
        .put(app.url("/v1/memories/ui"))
        .json(&json!({"source_lang": "en", "target_lang": "ar"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    // Matching languages are accepted on a unit…
    let r = c
        .post(app.url("/v1/memories/ui/units"))
        .json(
            &json!({"source": "Close the menu", "target": "أغلق القائمة",
            "source_lang": "en-US", "target_lang": "ar"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    // …a contradicting one is a 422 naming the field.
    let r = c
        .post(app.url("/v1/memories/ui/units"))
        .json(&json!({"source": "أغلق", "target": "Close", "source_lang": "ar"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(
        (p["code"].as_str(), p["field"].as_str()),
        (Some("language_mismatch"), Some("source_lang")),
        "{p}"
    );

    // Arabic text without source_lang searches the Arabic side.
    let r: Value = c
        .post(app.url("/v1/memories/ui/search"))
        .json(&json!({"text": "أغلق القائمة", "min_score": 70}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["matches"][0]["target"], "Close the menu", "{r}");

    // An article naming no language: each segment by its script.
    let r: Value = c
        .post(app.url("/v1/suggest"))
        .json(&json!({"segments": ["Close the menu", "أغلق القائمة"], "memories": ["ui"], "termbases": []}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let s = &r["segments"];
    assert_eq!(s[0]["suggestion"]["text"], "أغلق القائمة", "{r}");
    assert_eq!(s[1]["suggestion"]["text"], "Close the menu", "{r}");
}
