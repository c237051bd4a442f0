//! Term candidates over HTTP: extraction against the seed term base,
//! adoption, rejection that persists.

use crate::helpers::spawn_app;
use serde_json::{json, Value};

const ARTICLE: &str = "تعتمد مراكز البيانات الجديدة على التعلم الاتحادي. \
وقالت الشركة إن التعلم الاتحادي سيغير الصناعة، وإن رقائق الفوتونيات أسرع.";

async fn candidates(app: &crate::helpers::TestApp, body: Value) -> Value {
    let r = app
        .client
        .post(app.url("/v1/termbases/tech/candidates"))
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

fn terms(v: &Value) -> Vec<String> {
    v["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| c["term"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn candidates_adopt_and_reject() {
    let app = spawn_app().await;
    let v = candidates(&app, json!({"texts": [ARTICLE], "lang": "ar"})).await;
    let ts = terms(&v);
    // مركز بيانات is in the seed (data-center): known, not a candidate.
    assert!(!ts.iter().any(|t| t.contains("بيانات")), "{ts:?}");
    let top = &v["candidates"][0];
    assert_eq!(top["term"], "تعلم اتحادي", "{ts:?}");
    assert_eq!(top["frequency"], 2);
    // Offsets are code points into the text as sent.
    let ctx = &top["contexts"][0];
    let (s, e) = (
        ctx["start"].as_u64().unwrap() as usize,
        ctx["end"].as_u64().unwrap() as usize,
    );
    let got: String = ARTICLE.chars().skip(s).take(e - s).collect();
    assert_eq!(got, ctx["surface"].as_str().unwrap());

    // Reject the runner-up: it does not come back, across requests.
    let second = v["candidates"][1].clone();
    let r = app
        .client
        .post(app.url("/v1/termbases/tech/candidates/reject"))
        .json(&json!({"key": second["key"], "term": second["term"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let again = candidates(&app, json!({"texts": [ARTICLE]})).await;
    assert!(!terms(&again).contains(&second["term"].as_str().unwrap().to_string()));
    let list: Value = app
        .client
        .get(app.url("/v1/termbases/tech/candidates/rejected"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["rejected"][0]["key"], second["key"]);

    // Adopt the top one with a translation; it is found by an inflected form
    // and no longer a candidate.
    let r = app
        .client
        .post(app.url("/v1/termbases/tech/candidates/adopt"))
        .json(
            &json!({"term": top["term"], "translation": "federated learning",
                       "examples": [ctx["sentence"]]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let entry: Value = r.json().await.unwrap();
    assert_eq!(entry["terms"]["ar"][0]["status"], "admitted");
    let hits: Value = app
        .client
        .post(app.url("/v1/termbases/tech/recognize"))
        .json(&json!({"text": "وبالتعلم الاتحادي"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(hits["hits"][0]["entry_id"], entry["id"], "{hits}");
    let after = candidates(&app, json!({"texts": [ARTICLE]})).await;
    assert!(!terms(&after).contains(&"تعلم اتحادي".to_string()));

    // Forget the rejection.
    let r = app
        .client
        .delete(app.url("/v1/termbases/tech/candidates/rejected"))
        .query(&[("key", second["key"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn proposals_from_parallel_pairs_and_bad_input() {
    let app = spawn_app().await;
    let v = candidates(
        &app,
        json!({"texts": ["التعلم الاتحادي قادم. التعلم الاتحادي صعب."],
               "parallel": [
                 {"source": "التعلم الاتحادي قادم.", "target": "Federated learning is coming."},
                 {"source": "التعلم الاتحادي صعب.", "target": "Federated learning is hard."}]}),
    )
    .await;
    assert_eq!(
        v["candidates"][0]["translation"]["text"], "Federated learning",
        "{v}"
    );
    assert_eq!(v["candidates"][0]["translation"]["evidence"], 2);
    for (body, field) in [
        (json!({"texts": []}), "texts"),
        (json!({"texts": ["x"], "limit": 0}), "limit"),
        (json!({"texts": ["x"], "lang": "fr"}), "lang"),
        (
            json!({"texts": ["x"], "memory": "default", "parallel": []}),
            "memory",
        ),
    ] {
        let r = app
            .client
            .post(app.url("/v1/termbases/tech/candidates"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{body}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["field"], field, "{p}");
    }
    let r = app
        .client
        .post(app.url("/v1/termbases/nope/candidates"))
        .json(&json!({"texts": ["x"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = app
        .client
        .post(app.url("/v1/termbases/tech/candidates"))
        .json(&json!({"texts": ["x"], "memory": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}
