//! First run: the signed, expiring setup link creates the first admin, once.
use std::time::Duration;

use crate::backends;
use crate::support::TestApp;
use crate::support::dashboard::PASSWORD;
use entity::enums::Role;

fn setup_path(app: &TestApp) -> String {
    let token =
        replyd::team::setup_token(&app.state.keys, app.clock.now(), chrono::Duration::hours(1));
    format!("/admin/setup/{token}")
}

backends! {
    async fn the_setup_link_creates_the_first_admin_once(b) {
        let app = TestApp::spawn(b).await;
        let path = setup_path(&app);
        let d = app.dashboard();
        assert_eq!(d.head(&path).await.status, 200);
        let fields = [("name", "First Admin"), ("email", "first@example.org"), ("password", PASSWORD)];
        let res = d.submit(&path, &path, &fields).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location(), "/admin/");
        let page = d.get("/admin/moderators").await;
        assert_eq!(page.status, 200, "signed in as an admin");
        assert!(page.body.contains("First Admin"));
        // Once a moderator exists the link is dead, for anyone.
        let again = app.dashboard();
        assert_eq!(again.get(&path).await.status, 422);
        let other = [("name", "Intruder"), ("email", "evil@example.org"), ("password", PASSWORD)];
        let csrf = again.get("/admin/login").await.csrf();
        let res = again.post_raw(&path, &[("csrf", &csrf), other[0], other[1], other[2]]).await;
        assert_eq!(res.status, 422);
        assert_eq!(app.moderator_count().await, 1);
    }

    async fn the_setup_link_expires_and_is_refused_when_forged(b) {
        let app = TestApp::spawn(b).await;
        let path = setup_path(&app);
        let d = app.dashboard();
        assert_eq!(d.get(&format!("{path}x")).await.status, 422, "forged");
        app.clock.advance(Duration::from_secs(3601));
        assert_eq!(d.get(&path).await.status, 422, "expired");
    }

    async fn the_setup_link_never_works_once_a_moderator_exists(b) {
        let app = TestApp::spawn(b).await;
        app.add_moderator("mo@example.org", "Mo", Role::Moderator).await;
        assert_eq!(app.dashboard().get(&setup_path(&app)).await.status, 422);
    }
}
