//! The dashboard's controls for moderation after publication: the Reported tab (counts and
//! notes, never reporters), dismissing reports, pinning, and closing and reopening a page.
use reqwest::Method;
use serde_json::json;

use crate::backends;
use crate::support::TestApp;
use entity::enums::Role;

backends! {
    async fn the_reported_tab_lists_reports_and_its_buttons_act(b) {
        let app = TestApp::spawn_with(b, |c| c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
        let token = app.token().await;
        let id = app.submit(json!({"site": "open", "author_name": "Reported Person", "text": "A reported comment"})).await;
        for i in 1..=3 {
            let res = app.http.post(app.url(&format!("/api/v1/comments/{id}/report")))
                .header("x-forwarded-for", format!("192.0.2.{i}"))
                .json(&json!({"reason": "abusive", "note": format!("note {i}"), "token": format!("t{i}")}))
                .send().await.unwrap();
            assert_eq!(res.status().as_u16(), 202);
        }
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let page = d.get("/admin/reports").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Reported Person") && page.body.contains("Readers reported: 3 (abusive 3)"), "{}", page.body);
        assert!(page.body.contains("note 2") && !page.body.contains("192.0.2"));
        let res = d.submit("/admin/reports", &format!("/admin/comments/{id}/thread"), &[("action", "dismiss"), ("back", "/admin/reports")]).await;
        assert_eq!((res.status, res.location()), (303, "/admin/reports?done=dismiss&n=1"));
        let page = d.get(res.location()).await;
        assert!(page.body.contains("Dismissed the reports") && page.body.contains("No reported comments."));
        let (_, c) = app.admin(&token, Method::GET, &format!("/api/v1/admin/comments/{id}")).await;
        assert_eq!(c["status"], "approved");

        let path = format!("/admin/comments/{id}/thread");
        let res = d.submit(&format!("/admin/comments/{id}"), &path, &[("action", "pin"), ("back", "/admin/?status=approved")]).await;
        assert_eq!(res.status, 303);
        assert_eq!(app.public_thread("open", "/post").await["comments"][0]["pinned"], true);
        let page = d.get("/admin/?status=approved").await;
        assert!(page.body.contains("value=\"unpin\""), "the card offers Unpin once pinned");
        d.submit("/admin/", &path, &[("action", "close_page"), ("back", "/admin/")]).await;
        assert_eq!(app.public_thread("open", "/post").await["closed"], true);
        assert!(d.get("/admin/?status=approved").await.body.contains("value=\"open_page\""));
        d.submit("/admin/", &path, &[("action", "open_page"), ("back", "/admin/")]).await;
        assert_eq!(app.public_thread("open", "/post").await["closed"], false);
        let res = d.submit("/admin/", &path, &[("action", "explode")]).await;
        assert_eq!(res.status, 422);
    }
}
