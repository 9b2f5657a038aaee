//! Working the queue from the dashboard: what it shows, each action, bulk actions, edits,
//! moderator replies, the audit log and what each role may do.
use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::TestApp;
use entity::enums::Role;

async fn status_of(app: &TestApp, token: &str, id: i64) -> Value {
    let (code, c) = app
        .admin(token, Method::GET, &format!("/api/v1/admin/comments/{id}"))
        .await;
    if code == 404 {
        return json!("gone");
    }
    c["status"].clone()
}

async fn audit(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let (_, body) = app
        .admin(
            token,
            Method::GET,
            &format!("/api/v1/admin/audit?comment_id={id}"),
        )
        .await;
    body["entries"].as_array().cloned().unwrap_or_default()
}

backends! {
    async fn the_queue_shows_pending_comments_with_their_context(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let parent = app.submit(json!({"author_name": "Parent Person", "text": "The parent text"})).await;
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{parent}/approve")).await;
        let res = app.http.post(app.url("/api/v1/comments")).header("x-forwarded-for", "1.2.3.4")
            .json(&crate::support::comment(json!({"parent_id": parent, "author_url": "https://ada.example/", "text": "A **bold** reply"})))
            .send().await.unwrap();
        assert_eq!(res.status(), 201);
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let page = d.get("/admin/").await;
        assert_eq!(page.status, 200);
        let b = &page.body;
        assert!(b.contains("Ada Lovelace") && b.contains("ada@example.org") && b.contains("https://ada.example/"));
        assert!(b.contains("127.0.0.0/24"), "address prefix hint");
        assert!(b.contains(r#"href="http://blog.example:8000/post""#), "page link");
        assert!(b.contains("<strong>bold</strong>"), "rendered html");
        assert!(b.contains("In reply to") && b.contains("The parent text"), "parent context");
        assert!(b.contains("Held because"), "reasons");
        assert!(!b.contains("Parent Person</h2>"), "approved parent is not in the pending tab");
        let approved = d.get("/admin/?status=approved").await;
        assert!(approved.body.contains("Parent Person"));
    }

    async fn filters_search_order_and_pages(b) {
        let app = TestApp::spawn(b).await;
        for i in 0..23 {
            app.submit(json!({"text": format!("comment number {i:02}"), "uri": if i % 2 == 0 { "/even" } else { "/odd" }})).await;
        }
        app.submit(json!({"site": "first", "author_name": "Zed Zebra", "author_email": "zed@zoo.example"})).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let first = d.get("/admin/").await;
        assert!(first.body.contains("Showing 1–20 of 24."), "{}", first.body);
        let second = d.get("/admin/?status=pending&page=2").await;
        assert!(second.body.contains("Showing 21–24 of 24."));
        let oldest = d.get("/admin/?order=oldest").await;
        let p0 = oldest.body.find("comment number 00").unwrap();
        let p1 = oldest.body.find("comment number 01").unwrap();
        assert!(p0 < p1, "oldest first");
        let newest = d.get("/admin/").await;
        assert!(newest.body.find("comment number 22").unwrap() < newest.body.find("comment number 21").unwrap());
        assert!(d.get("/admin/?site=first").await.body.contains("Showing 1–1 of 1."));
        assert!(d.get("/admin/?q=ZOO.example").await.body.contains("Zed Zebra"), "search by email");
        assert!(d.get("/admin/?q=zebra").await.body.contains("Showing 1–1 of 1."), "search by author");
        assert!(d.get("/admin/?q=number%2007").await.body.contains("Showing 1–1 of 1."), "search by text");
        assert!(d.get("/admin/?uri=/odd").await.body.contains("Showing 1–11 of 11."));
        assert!(d.get("/admin/?status=spam").await.body.contains("No spam comments match."));
    }

    async fn each_action_changes_the_comment_and_writes_an_audit_row(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let ids = [app.submit(json!({})).await, app.submit(json!({})).await, app.submit(json!({})).await, app.submit(json!({})).await];
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let me = app.moderators().await[0].id;
        for (id, action) in ids.iter().zip(["approve", "reject", "spam", "delete"]) {
            let res = d.post(&format!("/admin/comments/{id}/act"), &[("action", action), ("back", "/admin/?status=pending")]).await;
            assert_eq!(res.status, 303, "{action}: {}", res.body);
            assert_eq!(res.location(), format!("/admin/?status=pending&done={action}&n=1"));
        }
        assert_eq!(status_of(&app, &token, ids[0]).await, "approved");
        assert_eq!(status_of(&app, &token, ids[1]).await, "rejected");
        assert_eq!(status_of(&app, &token, ids[2]).await, "spam");
        assert_eq!(status_of(&app, &token, ids[3]).await, "gone");
        for (id, action) in ids.iter().zip(["approve", "reject", "spam", "delete"]) {
            let rows = audit(&app, &token, *id).await;
            let row = rows.iter().find(|r| r["action"] == action).unwrap_or_else(|| panic!("{action}: {rows:?}"));
            assert_eq!(row["actor"], format!("moderator:{me}"));
        }
        let page = d.get("/admin/?done=approve&n=1").await;
        assert!(page.body.contains("Approved 1 comment."));
        assert!(app.public_thread("blog", "/post").await["comments"][0]["id"] == ids[0]);
        let log = d.get("/admin/audit").await;
        assert!(log.body.contains("Mo Derator") && log.body.contains("pending → approved"), "names the moderator");
    }

    async fn bulk_actions_change_every_selected_comment_with_one_audit_row_each(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        for action in ["approve", "reject", "spam", "delete"] {
            let a = app.submit(json!({})).await.to_string();
            let b2 = app.submit(json!({})).await.to_string();
            let untouched = app.submit(json!({})).await;
            let res = d.post("/admin/bulk", &[("action", action), ("ids", &a), ("ids", &b2), ("back", "/admin/")]).await;
            assert_eq!(res.status, 303, "{}", res.body);
            assert_eq!(res.location(), format!("/admin/?done={action}&n=2"));
            let want = match action { "approve" => "approved", "reject" => "rejected", "spam" => "spam", _ => "gone" };
            for id in [&a, &b2] {
                let id: i64 = id.parse().unwrap();
                assert_eq!(status_of(&app, &token, id).await, want, "{action}");
                assert_eq!(audit(&app, &token, id).await.iter().filter(|r| r["action"] == action).count(), 1);
            }
            assert_eq!(status_of(&app, &token, untouched).await, "pending");
        }
        let none = d.post("/admin/bulk", &[("action", "spam"), ("back", "/admin/")]).await;
        assert_eq!(none.location(), "/admin/?done=none&n=0");
        assert!(d.get(none.location()).await.body.contains("No comments were selected."));
    }

    async fn a_moderator_can_edit_and_reply_as_a_moderator(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({"text": "Teh original"})).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let res = d.post(&format!("/admin/comments/{id}/edit"), &[("text", "The *corrected* text"), ("back", "/admin/")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let (_, c) = app.admin(&token, Method::GET, &format!("/api/v1/admin/comments/{id}")).await;
        assert_eq!(c["html"], "<p>The <em>corrected</em> text</p>\n");
        assert_eq!(d.post(&format!("/admin/comments/{id}/edit"), &[("text", "")]).await.status, 422);
        let res = d.post(&format!("/admin/comments/{id}/reply"), &[("text", "Thanks for writing!"), ("back", "/admin/")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let thread = app.public_thread("blog", "/post").await;
        assert_eq!(thread["total"], 2, "the pending parent was approved with the reply: {thread}");
        let reply = &thread["comments"][1];
        assert_eq!(reply["parent_id"], id);
        assert_eq!(reply["by_moderator"], true);
        assert_eq!(reply["author_name"], "Mo Derator");
        let rid = reply["id"].as_i64().unwrap();
        assert_eq!(audit(&app, &token, rid).await[0]["action"], "reply");
        assert!(audit(&app, &token, id).await.iter().any(|r| r["action"] == "edit"));
    }

    async fn moderators_cannot_manage_moderators_but_admins_can(b) {
        let app = TestApp::spawn(b).await;
        let mo = app.logged_in("mo@example.org", Role::Moderator).await;
        assert_eq!(mo.get("/admin/moderators").await.status, 403);
        let add = [("name", "Sneaky"), ("email", "sneaky@example.org"), ("password", "long enough password")];
        assert_eq!(mo.post("/admin/moderators", &add).await.status, 403);
        assert_eq!(mo.post("/admin/moderators/1/active", &[("active", "0")]).await.status, 403);
        assert!(!mo.get("/admin/").await.body.contains("/admin/moderators"), "no link for moderators");
        assert_eq!(app.moderator_count().await, 1);

        let admin = app.logged_in("boss@example.org", Role::Admin).await;
        let res = admin.submit("/admin/moderators", "/admin/moderators", &[("name", "New Mod"), ("email", "new@example.org"), ("password", "long enough password"), ("role", "moderator")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let page = admin.get("/admin/moderators?done=added").await;
        assert!(page.body.contains("New Mod") && page.body.contains("Moderator added."));
        let dup = admin.submit("/admin/moderators", "/admin/moderators", &[("name", "Again"), ("email", "new@example.org"), ("password", "long enough password")]).await;
        assert_eq!(dup.status, 422);
        assert!(dup.body.contains("already exists"));
        let fresh = app.dashboard();
        assert_eq!(fresh.login("new@example.org", "long enough password").await.status, 303);
        let log = admin.get("/admin/audit").await;
        assert!(log.body.contains("moderator add"), "{}", log.body);
    }
}
