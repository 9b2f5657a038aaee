//! Every validation limit, on both sides of the bound, and the error shapes.
use serde_json::{Value, json};

use crate::backends;
use crate::support::{TestApp, comment};

/// Posts a comment with one field overridden and returns the status and that field's errors.
async fn field_result(app: &TestApp, field: &str, value: Value) -> (u16, Value) {
    let (status, body) = app.post_comment(&comment(json!({ field: value }))).await;
    (status, body["error"]["fields"][field].clone())
}

async fn assert_ok(app: &TestApp, field: &str, value: Value) {
    let (status, errs) = field_result(app, field, value.clone()).await;
    assert_eq!(status, 201, "{field}={value} should pass, got {errs}");
}

async fn assert_rejected(app: &TestApp, field: &str, value: Value) {
    let (status, errs) = field_result(app, field, value.clone()).await;
    assert_eq!(status, 422, "{field}={value} should fail");
    assert!(
        errs.as_array().is_some_and(|a| !a.is_empty()),
        "{field} names its error: {errs}"
    );
}

fn email_of_len(n: usize) -> String {
    // local part 64, then labels of at most 63; pad the last label.
    let head = format!(
        "{}@{}.{}.{}.",
        "a".repeat(64),
        "b".repeat(60),
        "c".repeat(60),
        "d".repeat(60)
    );
    format!("{head}{}", "e".repeat(n - head.len()))
}

backends! {
    async fn author_name_is_1_to_100_characters_after_trimming(b) {
        let app = TestApp::spawn(b).await;
        assert_ok(&app, "author_name", json!("A")).await;
        assert_ok(&app, "author_name", json!(format!("  {}  ", "ñ".repeat(100)))).await;
        assert_rejected(&app, "author_name", json!("ñ".repeat(101))).await;
        assert_rejected(&app, "author_name", json!("   ")).await;
        assert_rejected(&app, "author_name", Value::Null).await;
        assert_rejected(&app, "author_name", json!("Bad\u{7}Name")).await;
    }

    async fn author_email_must_be_valid_and_at_most_254(b) {
        let app = TestApp::spawn(b).await;
        assert_ok(&app, "author_email", json!(email_of_len(254))).await;
        assert_rejected(&app, "author_email", json!(email_of_len(255))).await;
        assert_rejected(&app, "author_email", json!("not-an-address")).await;
        assert_rejected(&app, "author_email", json!("a@example.org\r\nBcc: victim@example.org")).await;
        assert_rejected(&app, "author_email", json!("a@exa\u{0}mple.org")).await;
        assert_rejected(&app, "author_email", json!("")).await;
    }

    async fn author_url_is_optional_http_and_at_most_500(b) {
        let app = TestApp::spawn(b).await;
        let url = |n: usize| format!("https://example.org/{}", "p".repeat(n - "https://example.org/".len()));
        assert_ok(&app, "author_url", json!(url(500))).await;
        assert_ok(&app, "author_url", json!("")).await;
        assert_rejected(&app, "author_url", json!(url(501))).await;
        assert_rejected(&app, "author_url", json!("javascript:alert(1)")).await;
        assert_rejected(&app, "author_url", json!("ftp://example.org/")).await;
    }

    async fn text_is_2_to_10000_characters(b) {
        let app = TestApp::spawn(b).await;
        assert_ok(&app, "text", json!("ok")).await;
        assert_ok(&app, "text", json!("🙂".repeat(10_000))).await;
        assert_rejected(&app, "text", json!("🙂".repeat(10_001))).await;
        assert_rejected(&app, "text", json!(" x ")).await;
    }

    async fn uri_is_a_path_of_at_most_2000(b) {
        let app = TestApp::spawn(b).await;
        assert_ok(&app, "uri", json!(format!("/{}", "u".repeat(1999)))).await;
        assert_rejected(&app, "uri", json!(format!("/{}", "u".repeat(2000)))).await;
        for bad in ["relative", "https://evil.example/", "//evil.example/x", "/a b"] {
            assert_rejected(&app, "uri", json!(bad)).await;
        }
    }

    async fn the_422_names_every_bad_field_at_once(b) {
        let app = TestApp::spawn(b).await;
        let (status, body) = app.post_comment(&json!({"site": "blog", "uri": "/p", "author_email": "x", "text": "y"})).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["code"], "validation_failed");
        assert!(body["error"]["message"].is_string());
        let fields = body["error"]["fields"].as_object().unwrap();
        let mut names: Vec<&str> = fields.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["author_email", "author_name", "text"]);
        assert!(fields["text"][0].as_str().unwrap().contains("at least 2"));
    }

    async fn malformed_json_is_400_in_the_same_shape(b) {
        let app = TestApp::spawn(b).await;
        for raw in ["{", "[]", "{\"author_name\": 5}", "\u{0}"] {
            let res = app.http.post(app.url("/api/v1/comments")).header("content-type", "application/json").body(raw).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 400, "{raw:?}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"]["code"], "malformed_request");
        }
    }

    async fn an_unknown_site_is_404(b) {
        let app = TestApp::spawn(b).await;
        let (status, body) = app.post_comment(&comment(json!({"site": "nope"}))).await;
        assert_eq!(status, 404);
        assert_eq!(body["error"]["code"], "unknown_site");
        let (status, _) = app.get_json("/api/v1/comments?site=nope&uri=/").await;
        assert_eq!(status, 404);
    }

    async fn over_long_input_is_rejected_never_truncated(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let (status, _) = app.post_comment(&comment(json!({"text": "x".repeat(10_001)}))).await;
        assert_eq!(status, 422);
        let (_, list) = app.admin(&token, reqwest::Method::GET, "/api/v1/admin/comments").await;
        assert_eq!(list["total"], 0, "nothing stored");
    }
}
