//! The CAT-tool protocols over HTTP (issue 13): tmserver/amaGama, MyMemory,
//! LanguageTool-style term QA and the polled exports, as their clients
//! send the requests. The real third-party clients run in `compat_clients`.

use crate::helpers::{spawn_app_with, TestApp};
use reqwest::header;
use serde_json::{json, Value};

const WRITE: &str = "w-compat-51e2";

/// Memories `ui` (en→ar) and `news` (ar→en), term base `tech` with a
/// forbidden and a deprecated Arabic term.
pub async fn fixture(app: &TestApp, token: Option<&str>) {
    let send = |rb: reqwest::RequestBuilder| async move {
        let rb = match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        };
        let r = rb.send().await.unwrap();
        assert!(r.status().is_success(), "fixture: {}", r.status());
    };
    send(
        app.client
            .put(app.url("/v1/memories/ui"))
            .json(&json!({"source_lang": "en-US", "target_lang": "ar"})),
    )
    .await;
    send(
        app.client
            .post(app.url("/v1/memories/ui/units"))
            .json(&json!({"units": [
                {"source": "Save the file", "target": "احفظ الملف"},
                {"source": "Save the files", "target": "احفظ الملفات"},
                {"source": "Open the file", "target": "افتح الملف"},
                {"source": "Delete 3 files now", "target": "احذف 3 ملفات الآن"}
            ]})),
    )
    .await;
    send(
        app.client
            .put(app.url("/v1/memories/news"))
            .json(&json!({"source_lang": "ar", "target_lang": "en"})),
    )
    .await;
    send(
        app.client
            .post(app.url("/v1/memories/news/units"))
            .json(&json!({
                "source": "وخسرت شركة إنفيديا وحدها 600 مليار دولار في يوم واحد.",
                "target": "Nvidia alone lost $600 billion in a single day."
            })),
    )
    .await;
    send(
        app.client
            .put(app.url("/v1/termbases/tech"))
            .json(&json!({})),
    )
    .await;
    for entry in [
        json!({"id": "file", "terms": {
            "en": [{"text": "file", "status": "preferred"}],
            "ar": [{"text": "ملف", "status": "preferred"}, {"text": "فايل", "status": "forbidden"}]}}),
        json!({"id": "server", "terms": {
            "en": [{"text": "server", "status": "preferred"}],
            "ar": [{"text": "خادم", "status": "preferred"}, {"text": "سيرفر", "status": "deprecated"}]}}),
        json!({"id": "ai", "terms": {
            "en": [{"text": "artificial intelligence", "status": "preferred"}],
            "ar": [{"text": "ذكاء اصطناعي", "status": "preferred"}]}}),
    ] {
        send(
            app.client
                .post(app.url("/v1/termbases/tech/entries"))
                .json(&entry),
        )
        .await;
    }
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).send().await.unwrap()
}

async fn json_of(r: reqwest::Response) -> Value {
    let text = r.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test]
async fn tmserver_lookups_in_every_spelling() {
    let app = spawn_app_with(&["--no-seed"]).await;
    fixture(&app, None).await;

    let r = get(&app, "/tmserver/en/ar/unit/Save%20the%20file").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let raw = r.text().await.unwrap();
    // Okapi casts quality to Double: an integer would break it.
    assert!(raw.contains("\"quality\":100.0"), "{raw}");
    let body: Value = serde_json::from_str(&raw).unwrap();
    let items = body.as_array().unwrap();
    assert_eq!(items[0]["target"], "احفظ الملف");
    assert_eq!(items[0]["source"], "Save the file");
    assert_eq!(items[0]["rank"], 1.0);
    let q: Vec<f64> = items
        .iter()
        .map(|i| i["quality"].as_f64().unwrap())
        .collect();
    assert!(q.windows(2).all(|w| w[0] >= w[1]), "sorted: {q:?}");
    assert!(q.iter().all(|&x| x >= 70.0), "{q:?}");

    // Region codes, case, POSIX locales, doubled slashes, amaGama's base,
    // the ?source= form: all the same answer.
    for path in [
        "/api/v1/en/ar/unit/Save%20the%20file",
        "/tmserver//en_US//AR_sa/unit/Save%20the%20file",
        "/api/v1/EN-us/ar-SA/unit/?source=Save+the+file",
        "/tmserver/eng/ara/unit/Save%20the%20file",
    ] {
        let r = get(&app, path).await;
        assert_eq!(r.status(), 200, "{path}");
        let got = json_of(r).await;
        assert_eq!(got[0]["target"], "احفظ الملف", "{path}: {got}");
    }
    // The other direction of the same memory.
    let got = json_of(
        get(
            &app,
            "/tmserver/ar/en/unit/%D8%A7%D8%AD%D9%81%D8%B8%20%D8%A7%D9%84%D9%85%D9%84%D9%81",
        )
        .await,
    )
    .await;
    assert_eq!(got[0]["target"], "Save the file", "{got}");
    // Options.
    let got = json_of(
        get(
            &app,
            "/tmserver/en/ar/unit/Save%20the%20file?min_similarity=100",
        )
        .await,
    )
    .await;
    assert_eq!(got.as_array().unwrap().len(), 1, "{got}");
    let got = json_of(
        get(
            &app,
            "/tmserver/en/ar/unit/Save%20the%20file?max_candidates=1&min_similarity=30",
        )
        .await,
    )
    .await;
    assert_eq!(got.as_array().unwrap().len(), 1, "{got}");
    // Same language, an unserved language, an empty text: no suggestions.
    for path in [
        "/tmserver/en/en_GB/unit/Save%20the%20file",
        "/tmserver/de/ar/unit/Save%20the%20file",
        "/tmserver/en/ar/unit/",
    ] {
        let r = get(&app, path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(json_of(r).await, json!([]), "{path}");
    }
    // JSONP, both parameter names.
    for (param, name) in [("callback", "cb"), ("jsoncallback", "jQuery123_4")] {
        let r = get(
            &app,
            &format!("/tmserver/en/ar/unit/Save%20the%20file?{param}={name}"),
        )
        .await;
        assert!(r.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/javascript"));
        let text = r.text().await.unwrap();
        let inner = text
            .strip_prefix(&format!("{name}("))
            .and_then(|t| t.strip_suffix(");"))
            .unwrap_or_else(|| panic!("{text}"));
        let v: Value = serde_json::from_str(inner).unwrap();
        assert_eq!(v[0]["target"], "احفظ الملف");
    }
    // Languages.
    let langs = json_of(get(&app, "/tmserver/languages/").await).await;
    // Base languages, and the memories' own tags in Weblate's spelling.
    assert_eq!(
        langs["sourceLanguages"],
        json!(["ar", "en", "en_us"]),
        "{langs}"
    );
    assert_eq!(
        langs["targetLanguages"],
        json!(["ar", "en", "en_us"]),
        "{langs}"
    );
    let langs = json_of(get(&app, "/api/v1//languages/").await).await;
    assert_eq!(
        langs["sourceLanguages"],
        json!(["ar", "en", "en_us"]),
        "{langs}"
    );

    // Bad input: 4xx problem JSON, never 5xx.
    for (path, status, code) in [
        ("/tmserver/e%20n/ar/unit/x", 400, "invalid_language"),
        ("/tmserver/en/a%7Cr/unit/x", 400, "invalid_language"),
        (
            "/tmserver/en/ar/unit/x?callback=alert(1)",
            400,
            "invalid_callback",
        ),
        (
            "/tmserver/en/ar/unit/x?max_candidates=lots",
            400,
            "invalid_query",
        ),
        ("/tmserver/en/ar/units/x", 404, "route_not_found"),
        ("/tmserverx/en/ar/unit/x", 404, "route_not_found"),
        ("/tmserver/en/ar/unit/%FF%FE", 400, "invalid_path"),
    ] {
        let r = get(&app, path).await;
        assert_eq!(r.status().as_u16(), status, "{path}");
        assert_eq!(
            r.headers()[header::CONTENT_TYPE].to_str().unwrap(),
            "application/problem+json",
            "{path}"
        );
        assert_eq!(json_of(r).await["code"], code, "{path}");
    }
    let r = app
        .client
        .delete(app.url("/tmserver/en/ar/unit/x"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
}

#[tokio::test]
async fn tmserver_writes_need_the_write_token() {
    let app = spawn_app_with(&["--no-seed", "--write-token", WRITE]).await;
    fixture(&app, Some(WRITE)).await;
    let unit = json!({"source": "Close the window", "target": "أغلق النافذة"});
    let url = app.url("/tmserver/en/ar/unit/Close%20the%20window");
    let r = app.client.post(&url).json(&unit).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = app
        .client
        .post(&url)
        .bearer_auth(WRITE)
        .json(&unit)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let got = json_of(get(&app, "/tmserver/en/ar/unit/Close%20the%20window").await).await;
    assert_eq!(got[0]["target"], "أغلق النافذة", "{got}");

    // A store in the memory's reverse direction lands in `news` or `ui`
    // swapped correctly: looked up both ways afterwards.
    let r = app
        .client
        .post(app.url("/api/v1/ar/en/store/po-1"))
        .bearer_auth(WRITE)
        .json(&json!([
            {"source": "اطبع الصفحة", "target": "Print the page"},
            {"source": "انسخ النص", "target": "Copy the text"}
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "added 2 units from po-1");
    let got = json_of(get(&app, "/tmserver/en/ar/unit/Print%20the%20page").await).await;
    assert_eq!(got[0]["target"], "اطبع الصفحة", "{got}");
    // Malformed bodies: 4xx.
    for body in ["{", "[1]", "{\"source\": 3}"] {
        let r = app
            .client
            .post(&url)
            .bearer_auth(WRITE)
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{body}: {}", r.status());
    }
}

#[tokio::test]
async fn mymemory_answers_in_its_own_shape() {
    let app = spawn_app_with(&["--no-seed", "--compat-key", "news-only=news"]).await;
    fixture(&app, None).await;
    for base in ["/get", "/api/get"] {
        let r = get(
            &app,
            &format!("{base}?q=Save%20the%20file&langpair=EN-US%7CAR-SA&of=json&mt=0&onlyprivate=1&numres=2"),
        )
        .await;
        assert_eq!(r.status(), 200);
        let body = json_of(r).await;
        assert_eq!(body["responseStatus"], 200, "{body}");
        assert_eq!(body["responseData"]["translatedText"], "احفظ الملف");
        assert_eq!(body["responseData"]["match"], 1.0);
        for key in [
            "quotaFinished",
            "mtLangSupported",
            "responseDetails",
            "responderId",
            "exception_code",
        ] {
            assert!(body.get(key).is_some(), "{key}: {body}");
        }
        let matches = body["matches"].as_array().unwrap();
        assert_eq!(matches.len(), 2, "{body}");
        let m = &matches[0];
        for key in [
            "id",
            "segment",
            "translation",
            "source",
            "target",
            "quality",
            "reference",
            "usage-count",
            "subject",
            "created-by",
            "last-updated-by",
            "create-date",
            "last-update-date",
            "match",
        ] {
            assert!(m.get(key).is_some(), "{key}: {m}");
        }
        assert_eq!(m["segment"], "Save the file");
        assert_ne!(m["created-by"], "MT!");
        assert!(matches[1]["match"].as_f64().unwrap() < 1.0);
    }
    // A key selects memories: `news-only` sees only `news`.
    let body = json_of(
        get(
            &app,
            "/get?q=Save%20the%20file&langpair=en|ar&key=news-only",
        )
        .await,
    )
    .await;
    assert_eq!(body["matches"], json!([]), "{body}");
    let body = json_of(
        get(
            &app,
            "/get?q=Nvidia%20alone%20lost%20%24600%20billion%20in%20a%20single%20day.&langpair=en|ar&key=other,news-only",
        )
        .await,
    )
    .await;
    assert_eq!(
        body["responseData"]["translatedText"],
        "وخسرت شركة إنفيديا وحدها 600 مليار دولار في يوم واحد."
    );

    // Errors: HTTP 200, responseStatus 403, the message in responseDetails.
    let long = "x".repeat(501);
    for (query, says) in [
        (
            format!("q={long}&langpair=en|ar"),
            "QUERY LENGTH LIMIT EXCEEDED",
        ),
        ("q=hello".to_string(), "INVALID LANGUAGE PAIR"),
        (
            "q=hello&langpair=en-ar".to_string(),
            "INVALID LANGUAGE PAIR",
        ),
        (
            "q=hello&langpair=en|xx".to_string(),
            "'XX' IS AN INVALID TARGET LANGUAGE",
        ),
        (
            "q=hello&langpair=e%20n|ar".to_string(),
            "INVALID SOURCE LANGUAGE",
        ),
        (
            "q=hello&langpair=en|en-GB".to_string(),
            "TWO DISTINCT LANGUAGES",
        ),
        ("langpair=en|ar".to_string(), "NO QUERY SPECIFIED"),
        ("q=hello&langpair=en|ar&of=tmx".to_string(), "OUTPUT FORMAT"),
        ("q=hello&langpair=en|ar&numres=x".to_string(), "NUMRES"),
    ] {
        let r = get(&app, &format!("/get?{query}")).await;
        assert_eq!(r.status(), 200, "{query}");
        let body = json_of(r).await;
        assert_eq!(body["responseStatus"], 403, "{query}: {body}");
        assert!(
            body["responseDetails"].as_str().unwrap().contains(says),
            "{query}: {body}"
        );
        assert_eq!(body["matches"], json!([]));
    }
    // 500 bytes of Arabic (250 letters) is within the limit.
    let ok = "ا".repeat(250);
    let body = json_of(get(&app, &format!("/get?q={ok}&langpair=ar|en")).await).await;
    assert_eq!(body["responseStatus"], 200, "{body}");
}

#[tokio::test]
async fn mymemory_set_adds_a_unit_with_the_write_token() {
    let app = spawn_app_with(&["--no-seed", "--write-token", WRITE]).await;
    fixture(&app, Some(WRITE)).await;
    let set = "/set?seg=Close%20the%20window&tra=%D8%A3%D8%BA%D9%84%D9%82%20%D8%A7%D9%84%D9%86%D8%A7%D9%81%D8%B0%D8%A9&langpair=en|ar";
    let r = get(&app, set).await;
    assert_eq!(r.status(), 401);
    // MyMemory clients pass their credential as `key`.
    let r = get(&app, &format!("{set}&key={WRITE}")).await;
    let body = json_of(r).await;
    assert_eq!(body["responseStatus"], 200, "{body}");
    assert!(
        body["responseDetails"][0].as_str().unwrap().contains(':'),
        "{body}"
    );
    let body = json_of(get(&app, "/get?q=Close%20the%20window&langpair=en|ar").await).await;
    assert_eq!(body["responseData"]["translatedText"], "أغلق النافذة");
    let r = app
        .client
        .get(app.url("/api/set?seg=x&langpair=en|ar"))
        .bearer_auth(WRITE)
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(r).await["responseStatus"], 403);
}

/// The form body OmegaT's LanguageTool bridge posts.
fn lt_form<'a>(
    text: &'a str,
    language: &'a str,
    src: Option<(&'a str, &'a str)>,
) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("text", text), ("language", language)];
    if let Some((srctext, mother)) = src {
        form.push(("srctext", srctext));
        form.push(("motherTongue", mother));
    }
    form
}

#[tokio::test]
async fn languagetool_term_qa_with_utf16_offsets() {
    let app = spawn_app_with(&["--no-seed"]).await;
    fixture(&app, None).await;
    let check = |form: Vec<(&'static str, String)>| {
        let c = app.client.clone();
        let url = app.url("/v2/check");
        async move { c.post(url).form(&form).send().await.unwrap() }
    };
    let owned = |f: Vec<(&'static str, &str)>| -> Vec<(&'static str, String)> {
        f.into_iter().map(|(k, v)| (k, v.to_string())).collect()
    };

    // OmegaT's probe, byte for byte as LanguageToolNetworkBridge.testServer
    // posts it (URLConnection's default form content type): 200 and no XML.
    let r = app
        .client
        .post(app.url("/v2/check"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("text=Test&language=en-US&disabledCategories=FOO")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let raw = r.text().await.unwrap();
    assert!(!raw.contains("<?xml"));
    let body: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(body["software"]["apiVersion"], "1");
    assert_eq!(body["matches"], json!([]));
    // A check as buildPostData writes it (java.net.URLEncoder: `+` for spaces).
    let r = app
        .client
        .post(app.url("/v2/check"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            "text=%D9%8A%D8%B9%D9%85%D9%84+%D8%A7%D9%84%D8%B3%D9%8A%D8%B1%D9%81%D8%B1&language=ar\
             &srctext=The+server+works&motherTongue=en-US&disabledCategories=FOO",
        )
        .send()
        .await
        .unwrap();
    let body = json_of(r).await;
    assert_eq!(
        body["matches"][0]["rule"]["id"], "MUSTALAH_DEPRECATED_TERM",
        "{body}"
    );
    assert_eq!(body["matches"][0]["offset"], 5, "{body}");
    assert_eq!(body["matches"][0]["length"], 7, "{body}");

    // An emoji (two UTF-16 units) before the forbidden term behind clitics.
    let target = "😀 افتح وبالفايل";
    let body = json_of(check(owned(lt_form(target, "ar", None))).await).await;
    let m = &body["matches"];
    assert_eq!(m.as_array().unwrap().len(), 1, "{body}");
    assert_eq!(m[0]["rule"]["id"], "MUSTALAH_FORBIDDEN_TERM");
    assert_eq!(m[0]["rule"]["category"]["id"], "TERMINOLOGY");
    assert_eq!(m[0]["replacements"][0]["value"], "ملف");
    let units: Vec<u16> = target.encode_utf16().collect();
    let (off, len) = (
        m[0]["offset"].as_u64().unwrap() as usize,
        m[0]["length"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        String::from_utf16(&units[off..off + len]).unwrap(),
        "وبالفايل"
    );
    assert_eq!(off, 8, "2 units for the emoji, 6 for « افتح »");

    // With the source: missing term, deprecated term, number.
    let body = json_of(
        check(owned(lt_form(
            "يعمل السيرفر بالتعلم 4",
            "ar",
            Some(("The server runs artificial intelligence 5", "en")),
        )))
        .await,
    )
    .await;
    let rules: Vec<&str> = body["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["rule"]["id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"MUSTALAH_DEPRECATED_TERM"), "{body}");
    assert!(rules.contains(&"MUSTALAH_MISSING_TERM"), "{body}");
    assert!(rules.contains(&"MUSTALAH_NUMBER_MISMATCH"), "{body}");
    // Correct terms and numbers: clean.
    let body = json_of(
        check(owned(lt_form(
            "يعمل الخادم بالذكاء الاصطناعي 5",
            "ar",
            Some(("The server runs artificial intelligence 5", "en")),
        )))
        .await,
    )
    .await;
    assert_eq!(body["matches"], json!([]), "{body}");
    // Parameters in the query string work too (GET).
    let r = get(&app, "/v2/check?language=ar&text=%D9%81%D8%A7%D9%8A%D9%84").await;
    assert_eq!(json_of(r).await["matches"][0]["offset"], 0);

    // Languages, by GET and POST.
    for r in [
        get(&app, "/v2/languages").await,
        app.client
            .post(app.url("/v2/languages"))
            .send()
            .await
            .unwrap(),
    ] {
        let langs = json_of(r).await;
        let codes: Vec<&str> = langs
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["longCode"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"ar") && codes.contains(&"en-US"), "{langs}");
    }

    // LanguageTool's errors: 400, plain text.
    for form in [
        vec![("text", "x".to_string())],
        vec![("language", "ar".to_string())],
        vec![("text", "x".to_string()), ("language", "a r".to_string())],
        vec![
            ("text", "x".to_string()),
            ("language", "ar".to_string()),
            ("motherTongue", "??".to_string()),
        ],
        vec![("text", "x".repeat(20_001)), ("language", "ar".to_string())],
    ] {
        let r = check(form.clone()).await;
        assert_eq!(r.status(), 400, "{form:?}");
        assert!(r.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        assert!(r.text().await.unwrap().starts_with("Error: "));
    }
}

/// One poll as OmegaT's `HTTPRemoteRepository.retrieve` makes it: send the
/// stored ETag as `If-None-Match`, keep the file on 304, else store body
/// and the new ETag.
async fn omegat_poll(app: &TestApp, url: &str, etag: &mut Option<String>) -> (u16, Option<String>) {
    let mut rb = app.client.get(url);
    if let Some(e) = etag.as_deref() {
        rb = rb.header("If-None-Match", e);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    match status {
        200 => {
            *etag = r
                .headers()
                .get(header::ETAG)
                .map(|v| v.to_str().unwrap().to_string());
            (200, Some(r.text().await.unwrap()))
        }
        304 => {
            assert!(r.bytes().await.unwrap().is_empty());
            (304, None)
        }
        other => panic!("OmegaT fails on HTTP {other}"),
    }
}

#[tokio::test]
async fn polled_exports_answer_304_until_something_changes() {
    let app = spawn_app_with(&["--no-seed"]).await;
    fixture(&app, None).await;
    let tmx = app.url("/v1/memories/ui.tmx");
    let mut etag = None;
    let (s, body) = omegat_poll(&app, &tmx, &mut etag).await;
    assert_eq!(s, 200);
    let body = body.unwrap();
    assert!(
        body.contains("<tmx") && body.contains("احفظ الملف"),
        "{body}"
    );
    let tag = etag.clone().unwrap();
    assert!(tag.starts_with('"') && tag.ends_with('"'), "strong: {tag}");
    assert_eq!(omegat_poll(&app, &tmx, &mut etag).await.0, 304);
    assert_eq!(omegat_poll(&app, &tmx, &mut etag).await.0, 304);
    // The same bytes as the export route.
    let export = get(&app, "/v1/memories/ui/export?format=tmx")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(export, body);

    // A change in another memory leaves this one's tag alone.
    app.client
        .post(app.url("/v1/memories/news/units"))
        .json(&json!({"source": "مرحبا", "target": "Hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(omegat_poll(&app, &tmx, &mut etag).await.0, 304);
    // A change in this one: 200 with a new tag, then 304 again.
    app.client
        .post(app.url("/v1/memories/ui/units"))
        .json(&json!({"source": "Close the window", "target": "أغلق النافذة"}))
        .send()
        .await
        .unwrap();
    let (s, body) = omegat_poll(&app, &tmx, &mut etag).await;
    assert_eq!(s, 200);
    assert!(body.unwrap().contains("أغلق النافذة"));
    assert_ne!(etag.as_deref(), Some(tag.as_str()));
    assert_eq!(omegat_poll(&app, &tmx, &mut etag).await.0, 304);
    // The same unit again changes nothing (its date stays), so the copy
    // stays current; a delete shows.
    let again = app
        .client
        .post(app.url("/v1/memories/ui/units"))
        .json(&json!({"source": "Close the window", "target": "أغلق النافذة"}));
    assert!(again.send().await.unwrap().status().is_success());
    assert_eq!(omegat_poll(&app, &tmx, &mut etag).await.0, 304);
    let delete = app.client.delete(app.url("/v1/memories/ui/units/1"));
    assert!(delete.send().await.unwrap().status().is_success());
    assert_eq!(omegat_poll(&app, &tmx, &mut etag).await.0, 200);
    // `*`, weak comparison, a list.
    let current = etag.clone().unwrap();
    for inm in [
        "*".to_string(),
        format!("W/{current}"),
        format!("\"nope\", {current}"),
    ] {
        let r = app
            .client
            .get(&tmx)
            .header("If-None-Match", &inm)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304, "{inm}");
        assert_eq!(r.headers()[header::ETAG].to_str().unwrap(), current);
    }
    let r = app
        .client
        .get(&tmx)
        .header("If-None-Match", "\"nope\"")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Term base: TBX and OmegaT's glossary layout.
    let tbx = app.url("/v1/termbases/tech.tbx");
    let utf8 = app.url("/v1/termbases/tech.utf8");
    let (mut e1, mut e2) = (None, None);
    let (s, body) = omegat_poll(&app, &tbx, &mut e1).await;
    assert_eq!(s, 200);
    assert!(body.unwrap().contains("<martif"));
    let (s, body) = omegat_poll(&app, &utf8, &mut e2).await;
    assert_eq!(s, 200);
    let body = body.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines,
        [
            "ذكاء اصطناعي\tartificial intelligence\tpreferred",
            "ملف\tfile\tpreferred",
            "خادم\tserver\tpreferred",
            "سيرفر\tserver\tpreferred"
        ],
        "no header, forbidden sources left out: {body}"
    );
    assert_ne!(e1, e2, "each format has its own tag");
    let en_ar = get(&app, "/v1/termbases/tech.tsv?source_lang=en&target_lang=ar")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        en_ar.lines().any(|l| l == "file\tفايل\tforbidden, use ملف"),
        "{en_ar}"
    );
    assert_eq!(omegat_poll(&app, &tbx, &mut e1).await.0, 304);
    assert_eq!(omegat_poll(&app, &utf8, &mut e2).await.0, 304);
    app.client
        .put(app.url("/v1/termbases/tech/entries/file"))
        .json(&json!({"terms": {"en": [{"text": "file"}], "ar": [{"text": "ملف"}]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(omegat_poll(&app, &tbx, &mut e1).await.0, 200);
    assert_eq!(omegat_poll(&app, &utf8, &mut e2).await.0, 200);

    // If-Modified-Since: a date after the change is 304 once its second is
    // over (Last-Modified is only sent then).
    let r = get(&app, "/v1/memories/news.tmx").await;
    if let Some(lm) = r.headers().get(header::LAST_MODIFIED) {
        let r = app
            .client
            .get(app.url("/v1/memories/news.tmx"))
            .header("If-Modified-Since", lm)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304);
    }
    let r = app
        .client
        .get(app.url("/v1/memories/news.tmx"))
        .header("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Missing collections and bad names: problem JSON 4xx.
    for (path, status) in [
        ("/v1/memories/nope.tmx", 404),
        ("/v1/termbases/nope.tbx", 404),
        ("/v1/termbases/tech.utf8?source_lang=a%20b", 422),
    ] {
        let r = get(&app, path).await;
        assert_eq!(r.status().as_u16(), status, "{path}");
    }
}
