//! Security review checks: no open redirect after sign-in, no session fixation, CSRF on
//! dashboard actions, one message for every failed sign-in (no user enumeration), and no
//! mail header injection through what a commenter types.
use crate::backends;
use crate::support::TestApp;
use crate::support::dashboard::PASSWORD;
use entity::enums::Role;

backends! {
    async fn sign_in_never_redirects_off_the_dashboard(b) {
        let app = TestApp::spawn(b).await;
        app.add_moderator("mo@example.org", "Mo", Role::Moderator).await;
        for next in ["https://evil.example/", "//evil.example/", "/\\evil.example", "/admin/\\evil", "javascript:alert(1)", "/admin//evil.example"] {
            let d = app.dashboard();
            let res = d.submit("/admin/login", "/admin/login", &[("email", "mo@example.org"), ("password", PASSWORD), ("next", next)]).await;
            assert_eq!(res.status, 303, "{next}");
            let to = res.location();
            assert!(to.starts_with("/admin/") && !to.starts_with("//") && !to.contains('\\'), "{next} -> {to}");
        }
    }

    async fn a_session_id_chosen_before_sign_in_is_never_adopted(b) {
        let app = TestApp::spawn(b).await;
        app.add_moderator("mo@example.org", "Mo", Role::Moderator).await;
        let fixed = "attacker-chosen-session-id-0123456789abcdef";
        let page = app.http.get(app.url("/admin/login")).header("cookie", format!("replyd_session={fixed}")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let d = app.dashboard();
        let res = d.login("mo@example.org", PASSWORD).await;
        let cookie = res.set_cookies().into_iter().find(|c| c.starts_with("replyd_session=")).unwrap();
        assert!(!cookie.contains(fixed), "{cookie}");
        let planted = app.http.get(app.url("/admin/")).header("cookie", format!("replyd_session={fixed}")).send().await.unwrap();
        assert_eq!(planted.status(), 303, "the planted id is no session");
    }

    async fn dashboard_actions_need_the_csrf_token(b) {
        let app = TestApp::spawn(b).await;
        let id = app.submit(serde_json::json!({"text": "Waiting"})).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let path = format!("/admin/comments/{id}/act");
        let forged = d.post_raw(&path, &[("action", "approve"), ("back", "/admin/")]).await;
        assert_eq!(forged.status, 403, "{}", forged.body);
        let wrong = d.post_raw(&path, &[("csrf", "not-the-token"), ("action", "approve"), ("back", "/admin/")]).await;
        assert_eq!(wrong.status, 403);
        let token = app.token().await;
        let (_, c) = app.admin(&token, reqwest::Method::GET, &format!("/api/v1/admin/comments/{id}")).await;
        assert_eq!(c["status"], "pending");
        let ok = d.post(&path, &[("action", "approve"), ("back", "/admin/")]).await;
        assert_eq!(ok.status, 303, "with the token it works: {}", ok.body);
    }

    async fn failed_sign_ins_say_the_same_thing_whoever_tried(b) {
        let app = TestApp::spawn(b).await;
        app.add_moderator("mo@example.org", "Mo", Role::Moderator).await;
        app.add_moderator("gone@example.org", "Gone", Role::Moderator).await;
        app.state.team.set_active_by_email(&replyd::team::Acting::Cli, "gone@example.org", false).await.unwrap();
        let mut bodies = Vec::new();
        for (email, password) in [("nobody@example.org", "whatever pass"), ("mo@example.org", "wrong password"), ("gone@example.org", PASSWORD)] {
            let res = app.dashboard().login(email, password).await;
            assert_eq!(res.status, 401, "{email}");
            let start = res.body.find("That email and password").unwrap();
            bodies.push(res.body[start..start + 80].to_owned());
        }
        assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
    }

    async fn header_injection_through_the_author_fields_is_refused(b) {
        let app = TestApp::spawn(b).await;
        for (field, value) in [("author_name", "Ada\r\nBcc: evil@example.org"), ("author_email", "ada@example.org\r\nBcc: evil@example.org"), ("title", "Post\r\nBcc: evil@example.org")] {
            let (status, body) = app.post_comment(&crate::support::comment(serde_json::json!({field: value}))).await;
            assert_eq!(status, 422, "{field}: {body}");
            assert!(body["error"]["fields"][field].is_array(), "{field}: {body}");
        }
    }
}
