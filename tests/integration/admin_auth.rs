//! Dashboard sign-in: login, logout, session expiry, CSRF, the login rate limit, cookie
//! flags and the security headers of the admin area.
use std::time::Duration;

use serde_json::json;

use crate::backends;
use crate::support::TestApp;
use crate::support::dashboard::PASSWORD;
use entity::enums::Role;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

backends! {
    async fn login_logout_and_sessions_expire_when_idle_or_old(b) {
        let app = TestApp::spawn(b).await;
        app.add_moderator("mo@example.org", "Mo", Role::Moderator).await;
        let d = app.dashboard();
        let anon = d.get("/admin/").await;
        assert_eq!(anon.status, 303);
        assert!(anon.location().starts_with("/admin/login?next="), "{}", anon.location());

        let res = d.login("MO@example.org", PASSWORD).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location(), "/admin/");
        let cookie = res.set_cookies().into_iter().find(|c| c.starts_with("replyd_session=")).unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain http public_url: {cookie}");
        let queue = d.get("/admin/").await;
        assert_eq!(queue.status, 200);
        assert!(queue.body.contains("Pending comments") && queue.body.contains("Log out"));

        let out = d.post("/admin/logout", &[]).await;
        assert_eq!(out.status, 303);
        assert_eq!(out.location(), "/admin/login");
        assert_eq!(d.get("/admin/").await.status, 303, "logged out");

        // Idle expiry: two hours without a request.
        assert_eq!(d.login("mo@example.org", PASSWORD).await.status, 303);
        app.clock.advance(Duration::from_secs(2 * 3600 + 1));
        assert_eq!(d.get("/admin/").await.status, 303, "idle session expired");

        // Absolute expiry: active every 90 minutes, still out after 12 hours.
        assert_eq!(d.login("mo@example.org", PASSWORD).await.status, 303);
        for _ in 0..7 {
            app.clock.advance(Duration::from_secs(90 * 60));
            assert_eq!(d.get("/admin/").await.status, 200, "active session lives on");
        }
        app.clock.advance(Duration::from_secs(90 * 60));
        assert_eq!(d.get("/admin/").await.status, 303, "12 hours is the limit");
    }

    async fn a_post_without_the_right_csrf_token_is_refused_with_403(b) {
        let app = TestApp::spawn(b).await;
        let id = app.submit(json!({})).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let path = format!("/admin/comments/{id}/act");
        let wrong = d.post_raw(&path, &[("csrf", "forged"), ("action", "approve")]).await;
        assert_eq!(wrong.status, 403);
        assert!(wrong.body.contains("security token"), "{}", wrong.body);
        assert_eq!(d.post_raw(&path, &[("action", "approve")]).await.status, 403);
        // A token from another session does not work either.
        let other = app.logged_in("other@example.org", Role::Moderator).await;
        let theirs = other.get("/admin/").await.csrf();
        assert_eq!(d.post_raw(&path, &[("csrf", &theirs), ("action", "approve")]).await.status, 403);
        let token = app.token().await;
        let (_, c) = app.admin(&token, reqwest::Method::GET, &format!("/api/v1/admin/comments/{id}")).await;
        assert_eq!(c["status"], "pending", "nothing changed");
        // The login form needs its own token and cookie.
        let fresh = app.dashboard();
        let res = fresh.post_raw("/admin/login", &[("email", "mo@example.org"), ("password", PASSWORD)]).await;
        assert_eq!(res.status, 403);
        assert_eq!(d.post(&path, &[("action", "approve")]).await.status, 303, "the real token passes");
    }

    async fn an_unknown_email_and_a_wrong_password_get_the_same_answer(b) {
        let app = TestApp::spawn(b).await;
        app.add_moderator("mo@example.org", "Mo", Role::Moderator).await;
        let d = app.dashboard();
        let csrf = d.get("/admin/login").await.csrf();
        let attempt = |email: &'static str| {
            let (d, csrf) = (&d, csrf.clone());
            async move {
                let t = std::time::Instant::now();
                let page = d.post_raw("/admin/login", &[("csrf", &csrf), ("email", email), ("password", "not the password")]).await;
                (page, t.elapsed())
            }
        };
        // Alternate and keep the fastest of each, so a cold start or a busy CPU does not count.
        let (wrong, w1) = attempt("mo@example.org").await;
        let (unknown, u1) = attempt("nobody@example.org").await;
        let (_, w2) = attempt("mo@example.org").await;
        let (_, u2) = attempt("nobody@example.org").await;
        let (wrong_time, unknown_time) = (w1.min(w2), u1.min(u2));
        assert_eq!(wrong.status, 401);
        assert_eq!(unknown.status, wrong.status);
        assert_eq!(
            unknown.body.replace("nobody@example.org", "EMAIL"),
            wrong.body.replace("mo@example.org", "EMAIL"),
        );
        assert!(wrong.body.contains("do not match"));
        // Both paths run the password hash; without the dummy hash an unknown email would be
        // answered more than ten times faster.
        assert!(unknown_time * 8 >= wrong_time, "unknown {unknown_time:?} vs wrong {wrong_time:?}");
    }

    async fn logins_are_limited_to_five_a_minute_per_address(b) {
        let app = TestApp::spawn_with(b, |c| {
            c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
            c.rate_limit.login_per_minute = 5;
        }).await;
        app.add_moderator("mo@example.org", "Mo", Role::Moderator).await;
        let mut d = app.dashboard();
        d.forwarded_for = Some("198.51.100.7".into());
        for _ in 0..5 {
            assert_eq!(d.login("mo@example.org", "wrong password").await.status, 401);
        }
        let limited = d.login("mo@example.org", PASSWORD).await;
        assert_eq!(limited.status, 429, "even the right password waits");
        assert!(limited.headers.get("retry-after").is_some());
        d.forwarded_for = Some("198.51.100.8".into());
        assert_eq!(d.login("mo@example.org", PASSWORD).await.status, 303, "another address is not limited");
    }

    async fn the_session_cookie_is_secure_when_the_public_url_is_https(b) {
        let app = TestApp::spawn_with(b, |c| c.server.public_url = "https://comments.example".parse().unwrap()).await;
        app.add_moderator("mo@example.org", "Mo", Role::Moderator).await;
        let res = app.dashboard().login("mo@example.org", PASSWORD).await;
        let cookie = res.set_cookies().into_iter().find(|c| c.starts_with("replyd_session=")).unwrap();
        assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
    }

    async fn admin_pages_carry_a_strict_csp_and_are_never_cached(b) {
        let app = TestApp::spawn(b).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        for path in ["/admin/login", "/admin/", "/admin/audit", "/admin/nothing-here", "/admin/act/garbage"] {
            let p = d.get(path).await;
            let h = |n: &str| p.headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            assert_eq!(h("content-security-policy"), CSP, "{path}");
            assert_eq!(h("referrer-policy"), "same-origin", "{path}");
            assert_eq!(h("cache-control"), "no-store, private", "{path}");
            assert!(!p.body.contains("<script>"), "no inline script on {path}");
        }
        let js = d.get("/admin/assets/admin.js").await;
        assert_eq!(js.status, 200);
        let cc = js.headers.get("cache-control").unwrap().to_str().unwrap();
        assert!(cc.starts_with("private, max-age="), "{cc}");
        assert!(js.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/javascript"));
        assert_eq!(d.get("/admin/nothing-here").await.status, 404);
    }

    async fn a_deactivated_moderator_is_signed_out_and_cannot_log_in(b) {
        let app = TestApp::spawn(b).await;
        let admin = app.logged_in("boss@example.org", Role::Admin).await;
        let mo = app.logged_in("mo@example.org", Role::Moderator).await;
        assert_eq!(mo.get("/admin/").await.status, 200);
        let mo_id = app.moderators().await.into_iter().find(|m| m.email == "mo@example.org").unwrap().id;
        let res = admin.submit("/admin/moderators", &format!("/admin/moderators/{mo_id}/active"), &[("active", "0")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(mo.get("/admin/").await.status, 303, "session ended");
        assert_eq!(mo.login("mo@example.org", PASSWORD).await.status, 401);
        let page = admin.get("/admin/moderators").await;
        assert!(page.body.contains("deactivated"));
    }

    async fn an_admin_cannot_deactivate_themself(b) {
        let app = TestApp::spawn(b).await;
        let admin = app.logged_in("boss@example.org", Role::Admin).await;
        let me = app.moderators().await[0].id;
        let res = admin.submit("/admin/moderators", &format!("/admin/moderators/{me}/active"), &[("active", "0")]).await;
        assert_eq!(res.status, 422);
        assert!(res.body.contains("You cannot deactivate yourself."), "{}", res.body);
        assert_eq!(admin.get("/admin/moderators").await.status, 200, "still signed in");
        assert!(app.moderators().await[0].disabled_at.is_none());
    }
}
