//! Hostile input: deeply nested JSON is a quick 400, and invalid UTF-8 in any field of the
//! JSON body or the form is a 4xx and never stored.
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::backends;
use crate::support::TestApp;

const FIELDS: [&str; 6] = [
    "site",
    "uri",
    "author_name",
    "author_email",
    "text",
    "author_url",
];

async fn stored(app: &TestApp) -> u64 {
    let token = app.token().await;
    let (_, list) = app
        .admin(&token, reqwest::Method::GET, "/api/v1/admin/comments")
        .await;
    list["total"].as_u64().unwrap()
}

backends! {
    async fn deeply_nested_json_is_a_quick_400(b) {
        let app = TestApp::spawn(b).await;
        let depth = 20_000;
        let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let started = Instant::now();
        let res = app.http.post(app.url("/api/v1/comments")).header("content-type", "application/json")
            .body(body).send().await.unwrap();
        assert_eq!(res.status(), 400);
        let json: Value = res.json().await.unwrap();
        assert_eq!(json["error"]["code"], "malformed_request");
        assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    }

    async fn invalid_utf8_in_any_field_is_4xx_and_not_stored(b) {
        let app = TestApp::spawn(b).await;
        let token = app.form_token("open", "/post");
        for field in FIELDS {
            let mut json = format!(
                "{{\"site\":\"open\",\"uri\":\"/post\",\"author_name\":\"Ada\",\"author_email\":\"ada@example.org\",\"text\":\"Hello there\",\"author_url\":\"https://ada.example/\",\"form_token\":\"{token}\"}}"
            ).into_bytes();
            let at = json.windows(field.len() + 3).position(|w| w == format!("\"{field}\":").as_bytes()).unwrap() + field.len() + 4;
            json.insert(at, 0xFF);
            let res = app.http.post(app.url("/api/v1/comments")).header("content-type", "application/json")
                .body(json).send().await.unwrap();
            assert!(res.status().is_client_error(), "JSON {field}: {}", res.status());

            let mut form: Vec<(String, String)> = [("site", "open"), ("uri", "/post"), ("author_name", "Ada"), ("author_email", "ada@example.org"), ("text", "Hello there"), ("author_url", "https://ada.example/")]
                .iter().map(|(k, v)| (k.to_string(), url::form_urlencoded::byte_serialize(v.as_bytes()).collect())).collect();
            for (k, v) in &mut form {
                if k == field { v.push_str("%FF%FE"); }
            }
            let encoded: Vec<String> = form.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let body = format!("{}&form_token={token}", encoded.join("&"));
            let res = app.http.post(app.url("/api/v1/comments")).header("content-type", "application/x-www-form-urlencoded")
                .body(body).send().await.unwrap();
            assert!(res.status().is_client_error(), "form {field}: {}", res.status());
        }
        assert_eq!(stored(&app).await, 0, "nothing was stored");
    }
}
