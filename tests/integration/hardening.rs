//! Hardening: body limits, CORS, security headers, and no 5xx for malformed input.
use serde_json::{Value, json};

use crate::backends;
use crate::support::{TestApp, comment};

backends! {
    async fn an_oversized_body_is_413_in_the_error_shape(b) {
        let app = TestApp::spawn(b).await;
        let big = comment(json!({"text": "x".repeat(70 * 1024)}));
        let (status, body) = app.post_comment(&big).await;
        assert_eq!(status, 413);
        assert_eq!(body["error"]["code"], "payload_too_large");
        let text = "y".repeat(70 * 1024);
        let res = app.http.post(app.url("/api/v1/comments")).form(&[("site", "blog"), ("text", text.as_str())]).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 413);
        assert!(res.text().await.unwrap().contains("<html"));
    }

    async fn cors_allows_only_configured_origins_and_never_the_admin_api(b) {
        let app = TestApp::spawn(b).await;
        let preflight = |path: &str, origin: &str| {
            app.http.request(reqwest::Method::OPTIONS, app.url(path))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type")
                .send()
        };
        let ok = preflight("/api/v1/comments", "http://blog.example:8000").await.unwrap();
        assert_eq!(ok.headers()["access-control-allow-origin"], "http://blog.example:8000");
        let other = preflight("/api/v1/comments", "http://evil.example").await.unwrap();
        assert!(other.headers().get("access-control-allow-origin").is_none());
        let admin = preflight("/api/v1/admin/comments", "http://blog.example:8000").await.unwrap();
        assert!(admin.headers().get("access-control-allow-origin").is_none());
        let get = app.http.get(app.url("/api/v1/comments?site=blog&uri=/")).header("origin", "http://open.example:8000").send().await.unwrap();
        assert_eq!(get.headers()["access-control-allow-origin"], "http://open.example:8000");
    }

    async fn malformed_requests_get_4xx_never_5xx(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let gets = [
            "/api/v1/comments", "/api/v1/comments?site=blog", "/api/v1/comments?site=blog&uri=/&limit=0",
            "/api/v1/comments?site=blog&uri=/&limit=abc", "/api/v1/comments?site=blog&uri=/&offset=-1",
            "/api/v1/comments?site=%ZZ&uri=/", "/api/v1/counts", "/api/v1/counts?site=blog",
            "/api/v1/counts?uri=/a", "/nope", "/api/v1/admin/comments/99999999999999999999999",
        ];
        for path in gets {
            let res = app.http.get(app.url(path)).bearer_auth(&token).send().await.unwrap();
            let status = res.status().as_u16();
            assert!((400..500).contains(&status), "{path}: {status}");
            let body: Value = res.json().await.unwrap_or(Value::Null);
            assert!(body["error"]["code"].is_string(), "{path}: {body}");
        }
        let many: String = (0..101).map(|i| format!("&uri=/p{i}")).collect();
        let (status, _) = app.get_json(&format!("/api/v1/counts?site=blog{many}")).await;
        assert_eq!(status, 422);
        let res = app.http.post(app.url("/api/v1/comments")).header("content-type", "text/plain").body("hi").send().await.unwrap();
        assert_eq!(res.status().as_u16(), 415);
        let res = app.http.put(app.url("/api/v1/comments")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 405);
        let res = app.http.post(app.url("/api/v1/comments")).header("content-type", "application/x-www-form-urlencoded").body("%%%&&==&site=%FF").send().await.unwrap();
        assert!((400..500).contains(&res.status().as_u16()));
    }

    async fn health_readiness_and_security_headers(b) {
        let app = TestApp::spawn(b).await;
        assert_eq!(app.http.get(app.url("/healthz")).send().await.unwrap().status().as_u16(), 200);
        assert_eq!(app.http.get(app.url("/readyz")).send().await.unwrap().status().as_u16(), 200);
        let res = app.http.get(app.url("/")).send().await.unwrap();
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert!(res.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert_eq!(res.headers()["referrer-policy"], "same-origin");
        assert!(res.headers().get("x-request-id").is_some());
    }
}
