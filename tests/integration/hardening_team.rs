//! Findings 5 and 15: password checks are bounded in number at once and per account, and
//! deactivating a moderator deletes their sessions, so reactivation revives no cookie.
use crate::backends;
use crate::support::TestApp;
use crate::support::dashboard::PASSWORD;
use entity::enums::Role;

backends! {
    async fn a_login_storm_is_answered_429_past_the_concurrent_check_bound(b) {
        let app = TestApp::spawn_with(b, |c| {
            c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
            c.admin.max_concurrent_logins = 1;
        }).await;
        app.add_moderator("mo@example.org", "Mo", Role::Moderator).await;
        let mut set = tokio::task::JoinSet::new();
        for i in 0..24 {
            let mut d = app.dashboard();
            d.forwarded_for = Some(format!("198.51.100.{i}"));
            let email = format!("guess{i}@example.org");
            set.spawn(async move { d.login(&email, "wrong password").await });
        }
        let pages = set.join_all().await;
        let busy: Vec<_> = pages.iter().filter(|p| p.status == 429).collect();
        assert!(!busy.is_empty(), "{:?}", pages.iter().map(|p| p.status).collect::<Vec<_>>());
        assert!(busy.iter().all(|p| p.headers.get("retry-after").is_some()));
        assert!(pages.iter().all(|p| p.status == 401 || p.status == 429), "never a 5xx");
        assert_eq!(app.dashboard().login("mo@example.org", PASSWORD).await.status, 303, "a calm login works");
    }

    async fn logins_are_limited_per_account_from_any_address(b) {
        let app = TestApp::spawn_with(b, |c| {
            c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
            c.rate_limit.login_per_account_per_minute = 3;
        }).await;
        app.add_moderator("mo@example.org", "Mo", Role::Moderator).await;
        let mut statuses = Vec::new();
        for i in 0..4 {
            let mut d = app.dashboard();
            d.forwarded_for = Some(format!("203.0.113.{i}"));
            statuses.push(d.login("Mo+x@example.org", "wrong password").await.status);
        }
        assert_eq!(statuses, [401, 401, 401, 429], "one account, many addresses");
        let mut other = app.dashboard();
        other.forwarded_for = Some("203.0.113.200".into());
        app.add_moderator("ann@example.org", "Ann", Role::Moderator).await;
        assert_eq!(other.login("ann@example.org", PASSWORD).await.status, 303, "other accounts are not held");
    }

    async fn reactivating_a_moderator_does_not_revive_their_old_session(b) {
        let app = TestApp::spawn(b).await;
        let admin = app.logged_in("boss@example.org", Role::Admin).await;
        let mo = app.logged_in("mo@example.org", Role::Moderator).await;
        assert_eq!(mo.get("/admin/").await.status, 200);
        let id = app.moderators().await.into_iter().find(|m| m.email == "mo@example.org").unwrap().id;
        let path = format!("/admin/moderators/{id}/active");
        assert_eq!(admin.submit("/admin/moderators", &path, &[("active", "0")]).await.status, 303);
        assert_eq!(admin.submit("/admin/moderators", &path, &[("active", "1")]).await.status, 303);
        assert_eq!(mo.get("/admin/").await.status, 303, "the old cookie stays dead");
        assert_eq!(mo.login("mo@example.org", PASSWORD).await.status, 303, "a new login works");
    }
}
