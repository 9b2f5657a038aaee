//! The OpenAPI document matches the routes: every documented operation is served, and the
//! request limits and 4xx answers are declared.
use serde_json::Value;

use crate::backends;
use crate::support::TestApp;

backends! {
    async fn every_documented_operation_is_routed(b) {
        let app = TestApp::spawn(b).await;
        let (status, spec) = app.get_json("/api/v1/openapi.json").await;
        assert_eq!(status, 200);
        assert_eq!(spec["openapi"], "3.1.0");
        let paths = spec["paths"].as_object().unwrap();
        assert!(paths.len() >= 7, "{:?}", paths.keys());
        let mut checked = 0;
        for (path, ops) in paths {
            for method in ops.as_object().unwrap().keys() {
                let Ok(m) = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()) else { continue };
                let url = app.url(&path.replace("{id}", "1"));
                let res = app.http.request(m, url).send().await.unwrap();
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap_or(Value::Null);
                assert_ne!(status, 405, "{method} {path} is documented but not routed");
                assert_ne!(body["error"]["code"], "no_route", "{method} {path} is documented but not routed");
                checked += 1;
            }
        }
        assert!(checked >= 10);
    }

    async fn limits_and_errors_are_declared(b) {
        let app = TestApp::spawn(b).await;
        let (_, spec) = app.get_json("/api/v1/openapi.json").await;
        let post = &spec["paths"]["/api/v1/comments"]["post"];
        for code in ["201", "400", "404", "413", "422"] {
            assert!(post["responses"][code].is_object(), "POST /api/v1/comments declares {code}");
        }
        let req = &spec["components"]["schemas"]["CommentRequest"]["properties"];
        assert_eq!(req["author_name"]["maxLength"], 100);
        assert_eq!(req["author_email"]["maxLength"], 254);
        assert_eq!(req["author_url"]["maxLength"], 500);
        assert_eq!(req["text"]["minLength"], 2);
        assert_eq!(req["text"]["maxLength"], 10000);
        assert_eq!(req["uri"]["maxLength"], 2000);
        let admin = &spec["paths"]["/api/v1/admin/comments"]["get"];
        assert!(admin["responses"]["401"].is_object());
        assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    }
}
