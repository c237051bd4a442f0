//! Alignment over HTTP (issue 15): `/v1/align`, storing links into a memory,
//! the round trip through `/v1/suggest`, the alignment penalty until a unit
//! is confirmed, and bad input.

use crate::helpers::{spawn_app, TestApp};
use crate::hostile::{alive, problem};
use serde_json::{json, Value};

fn shared_article() -> Option<String> {
    let here = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/articles/waic-2025-deepseek.ar.txt"
    );
    [here, "/work/shared/data/articles/waic-2025-deepseek.ar.txt"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
}

const ENGLISH_PART: &str = include_str!("../fixtures/align/waic-2025-deepseek.part.en.txt");

async fn post(app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    let r = app.client.get(app.url(path)).send().await.expect("request");
    r.json().await.expect("JSON body")
}

async fn create_memory(app: &TestApp, name: &str, source: &str, target: &str) {
    let r = app
        .client
        .put(app.url(&format!("/v1/memories/{name}")))
        .json(&json!({"source_lang": source, "target_lang": target}))
        .send()
        .await
        .expect("create");
    assert!(r.status().is_success(), "{}", r.status());
}

/// Arabic sentence (its start) and the English the fixture gives it, as a
/// person reads the two texts: the links the aligner must find.
const EXPECTED: &[(&str, &str)] = &[
    (
        "يتوافد آلاف التنفيذيين",
        "Thousands of technology executives",
    ),
    (
        "تأتي القمة في لحظة حاسمة",
        "The summit comes at a critical moment",
    ),
    (
        "ورغم أن شركة ديب سيك",
        "Although DeepSeek is not on the official agenda",
    ),
    ("فقد أذهلت الشركة الناشئة", "The Hangzhou-based startup"),
    ("أظهرت طريقة ديب سيك", "DeepSeek's approach showed"),
    ("وقال أحد المراقبين", "\"Ever since DeepSeek"),
    ("وقد أدى إطلاق نموذج R1", "The release of R1"),
    ("وتقول الشركة إنها دربت", "The firm says"),
];

#[tokio::test]
async fn the_article_aligns_with_its_partial_translation_and_comes_back_as_exact_matches() {
    let Some(article) = shared_article() else {
        println!("skipped: ../shared/data/articles/waic-2025-deepseek.ar.txt not found");
        return;
    };
    let app = spawn_app().await;
    let r = post(
        &app,
        "/v1/align",
        &json!({"source_text": article, "target_text": ENGLISH_PART}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let out: Value = r.json().await.unwrap();
    let pairs = out["pairs"].as_array().unwrap();
    let chars: Vec<char> = article.chars().collect();
    let en_chars: Vec<char> = ENGLISH_PART.chars().collect();
    for p in pairs {
        // Offsets are code points into the texts as sent.
        if let (Some(s), Some(e)) = (p["source_start"].as_u64(), p["source_end"].as_u64()) {
            let slice: String = chars[s as usize..e as usize].iter().collect();
            assert_eq!(slice, p["source"].as_str().unwrap());
        } else {
            assert_eq!(p["kind"], "0-1");
        }
        if let (Some(s), Some(e)) = (p["target_start"].as_u64(), p["target_end"].as_u64()) {
            let slice: String = en_chars[s as usize..e as usize].iter().collect();
            assert_eq!(slice, p["target"].as_str().unwrap());
        } else {
            assert_eq!(p["kind"], "1-0");
            assert!(p["target_start"].is_null() && p["target_end"].is_null());
        }
    }
    let linked = |ar: &str| {
        pairs
            .iter()
            .find(|p| p["source"].as_str().unwrap_or("").starts_with(ar))
            .unwrap_or_else(|| panic!("no link for {ar}: {out}"))
    };
    for (ar, en) in EXPECTED {
        let p = linked(ar);
        assert_eq!(p["kind"], "1-1", "{ar}: {p}");
        assert!(p["target"].as_str().unwrap().starts_with(en), "{ar}: {p}");
    }
    // The Arabic sentence the fixture splits in two is a 1-2 link.
    let split = linked("ويعود هذا الإنجاز");
    assert_eq!(split["kind"], "1-2", "{split}");
    // The untranslated rest stays unlinked.
    for ar in ["تُقام فعاليات المؤتمر", "وسيضم مؤتمر WAIC", "Source: Yahoo"]
    {
        assert_eq!(linked(ar)["kind"], "1-0", "{ar}");
    }
    // A number and a Latin name are anchors of their links.
    let r1 = linked("وقد أدى إطلاق نموذج R1");
    let keys: Vec<&str> = r1["anchors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"r1") && keys.contains(&"600"), "{r1}");

    // Into a memory, then suggestions on the article.
    create_memory(&app, "news", "ar", "en").await;
    let r = post(
        &app,
        "/v1/memories/news/align",
        &json!({"source_text": article, "target_text": ENGLISH_PART,
                "origin": "waic-2025-deepseek", "min_quality": 0.3}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let stored: Value = r.json().await.unwrap();
    let added = stored["added"].as_u64().unwrap();
    assert!(added >= EXPECTED.len() as u64, "{stored}");
    assert_eq!(stored["removed"], 0);
    let r = post(
        &app,
        "/v1/suggest",
        &json!({"text": article, "memories": ["news"], "termbases": [], "min_score": 70}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let sugg: Value = r.json().await.unwrap();
    let segments = sugg["segments"].as_array().unwrap();
    for (ar, en) in EXPECTED {
        let seg = segments
            .iter()
            .find(|s| s["text"].as_str().unwrap_or("").starts_with(ar))
            .unwrap_or_else(|| panic!("segment {ar} missing"));
        let best = &seg["matches"][0];
        let score = best["score"].as_u64().unwrap_or(0);
        assert!(score == 100 || score == 101, "{ar}: {seg}");
        assert!(
            best["target"].as_str().unwrap().starts_with(en),
            "{ar}: {best}"
        );
    }

    // Re-aligning the same pair updates, never duplicates.
    let r = post(
        &app,
        "/v1/memories/news/align",
        &json!({"source_text": article, "target_text": ENGLISH_PART,
                "origin": "waic-2025-deepseek", "min_quality": 0.3}),
    )
    .await;
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["added"], 0, "{again}");
    // Identical links are unchanged (or updated when their quality moved).
    let kept = again["updated"].as_u64().unwrap_or(0) + again["unchanged"].as_u64().unwrap_or(0);
    assert_eq!(kept, added, "{again}");
    assert_eq!(again["ids"], stored["ids"]);
    let info: Value = get_json(&app, "/v1/memories/news").await;
    assert_eq!(info["units"].as_u64(), Some(added), "{info}");

    // The TMX export carries the alignment metadata as props.
    let tmx = app
        .client
        .get(app.url("/v1/memories/news/export?format=tmx"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        tmx.contains("<prop type=\"x-alignment-confirmed\">false</prop>"),
        "{tmx}"
    );
    assert!(tmx.contains("<prop type=\"x-alignment-quality\">"));
}

#[tokio::test]
async fn unconfirmed_aligned_units_carry_the_alignment_penalty_until_confirmed() {
    let app = spawn_app().await;
    create_memory(&app, "news", "ar", "en").await;
    let r = post(
        &app,
        "/v1/memories/news/align",
        &json!({"source_text": "خسرت إنفيديا 600 مليار دولار في يوم واحد فقط.",
                "target_text": "Nvidia lost $600 billion in a single day.",
                "origin": "one"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let stored: Value = r.json().await.unwrap();
    let id = stored["ids"][0].as_u64().unwrap();
    let search = |text: &'static str| {
        let app = &app;
        async move {
            let r = post(
                app,
                "/v1/memories/news/search",
                &json!({"text": text, "min_score": 50}),
            )
            .await;
            let v: Value = r.json().await.unwrap();
            v["matches"][0].clone()
        }
    };
    let fuzzy = "خسرت إنفيديا 600 مليار دولار في يوم واحد.";
    let before = search(fuzzy).await;
    assert!(
        before["penalties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["reason"] == "alignment" && p["points"] == 1),
        "{before}"
    );
    let exact = search("خسرت إنفيديا 600 مليار دولار في يوم واحد فقط.").await;
    assert_eq!(exact["score"], 100);
    let r = app
        .client
        .put(app.url(&format!("/v1/memories/news/units/{id}")))
        .json(
            &json!({"source": "خسرت إنفيديا 600 مليار دولار في يوم واحد فقط.",
                      "target": "Nvidia lost $600 billion in a single day.", "confirmed": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let unit: Value = r.json().await.unwrap();
    let props = unit["props"].as_array().unwrap();
    assert!(
        props
            .iter()
            .any(|p| p["type"] == "x-alignment-confirmed" && p["value"] == "true"),
        "{unit}"
    );
    assert!(
        props.iter().any(|p| p["type"] == "x-alignment-quality"),
        "quality kept: {unit}"
    );
    let after = search(fuzzy).await;
    assert_eq!(
        after["score"].as_u64().unwrap(),
        before["score"].as_u64().unwrap() + 1,
        "{before} {after}"
    );
}

#[tokio::test]
async fn dry_run_stores_nothing_and_languages_must_be_the_memorys() {
    let app = spawn_app().await;
    create_memory(&app, "news", "en", "ar").await;
    // An Arabic→English pair into an English→Arabic memory: stored swapped.
    let body = json!({"source_text": "أطلقت ديب سيك نموذج R1 في يناير.", "target_text": "DeepSeek released R1 in January.",
                      "source_lang": "ar", "target_lang": "en", "origin": "p", "dry_run": true});
    let r = post(&app, "/v1/memories/news/align", &body).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["dry_run"].as_bool(), v["added"].as_u64()),
        (Some(true), Some(1)),
        "{v}"
    );
    let units: Value = get_json(&app, "/v1/memories/news").await;
    assert_eq!(units["units"], 0);
    let mut real = body.clone();
    real["dry_run"] = json!(false);
    let v: Value = post(&app, "/v1/memories/news/align", &real)
        .await
        .json()
        .await
        .unwrap();
    let id = v["ids"][0].as_u64().unwrap();
    let unit: Value = get_json(&app, &format!("/v1/memories/news/units/{id}")).await;
    assert_eq!(unit["source"], "DeepSeek released R1 in January.");
    assert_eq!(unit["origin"], "p");
    let mut wrong = body.clone();
    wrong["source_lang"] = json!("fr");
    problem(
        post(&app, "/v1/memories/news/align", &wrong).await,
        422,
        "invalid_field",
    )
    .await;
    problem(
        post(&app, "/v1/memories/nope/align", &body).await,
        404,
        "memory_not_found",
    )
    .await;
}

#[tokio::test]
async fn bad_input_is_a_4xx_problem() {
    let app = spawn_app().await;
    let ok_ar = "أطلقت ديب سيك نموذج R1 في يناير.";
    let ok_en = "DeepSeek released R1 in January.";
    let cases = [
        (
            json!({"source_text": "  \n ", "target_text": ok_en}),
            422,
            "invalid_field",
            "source_text",
        ),
        (
            json!({"source_text": ok_ar, "target_text": ""}),
            422,
            "invalid_field",
            "target_text",
        ),
        (
            json!({"source_text": "PK\u{3}\u{4}\u{0}\u{0}\u{8}binary", "target_text": ok_en}),
            422,
            "invalid_field",
            "source_text",
        ),
        (
            json!({"source_text": ok_en, "target_text": ok_en}),
            422,
            "language_mismatch",
            "source_text",
        ),
        (
            json!({"source_text": ok_ar, "target_text": ok_ar}),
            422,
            "language_mismatch",
            "target_text",
        ),
        (
            json!({"source_text": ok_ar, "target_text": ok_en, "target_lang": "ar"}),
            422,
            "invalid_field",
            "target_lang",
        ),
        (
            json!({"source_text": ok_ar, "target_text": ok_en, "min_quality": 2}),
            422,
            "invalid_field",
            "min_quality",
        ),
        (
            json!({"source_text": ok_ar, "target_text": ok_en, "termbases": ["nope"]}),
            404,
            "termbase_not_found",
            "",
        ),
        (json!({"source_text": ok_ar}), 422, "invalid_json_body", ""),
    ];
    for (body, status, code, field) in cases {
        let v = problem(post(&app, "/v1/align", &body).await, status, code).await;
        if !field.is_empty() {
            assert_eq!(v["field"], field, "{v}");
        }
    }
    // Not JSON at all.
    let r = app
        .client
        .post(app.url("/v1/align"))
        .header("content-type", "application/json")
        .body(vec![0u8, 159, 146, 150, 255, 1, 2])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    // 100 MB: refused by size, never buffered whole.
    let chunk = bytes::Bytes::from(vec![b'a'; 1 << 20]);
    let stream = futures_util::stream::iter(
        std::iter::once(bytes::Bytes::from_static(b"{\"source_text\": \""))
            .chain(std::iter::repeat_n(chunk, 100))
            .map(Ok::<_, std::io::Error>),
    );
    let r = app
        .client
        .post(app.url("/v1/align"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await;
    match r {
        Ok(r) => {
            problem(r, 413, "payload_too_large").await;
        }
        Err(e) => assert!(e.is_request() || e.is_body() || e.is_connect(), "{e}"),
    }
    alive(&app).await;
}
