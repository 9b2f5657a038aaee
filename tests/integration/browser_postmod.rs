//! Moderation after publication in the widget, in real Chromium: a reader reports a comment
//! with the keyboard alone and hears it announced; a closed thread says "Comments are
//! closed." where the form was; a pinned comment carries its badge; axe stays clean.
use reqwest::Method;
use serde_json::json;

use crate::support::TestApp;
use crate::support::browser::Browser;
use crate::support::widget::{
    ENTER, TAB, approve, assert_accessible, focused_in_widget, in_widget, loaded, shadow_text,
    spawn_app, wait_shadow_text, wait_widget,
};

const REPORTED: &str = "Thank you. Your report was sent to the moderators.";

/// An approved comment on the demo page's thread (site `blog`, uri `/`).
async fn approved(app: &TestApp, name: &str, text: &str) -> i64 {
    let id = app
        .submit(json!({"uri": "/", "author_name": name, "text": text}))
        .await;
    approve(app, id).await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_reports_a_comment_with_the_keyboard_and_hears_it() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app(|_| {}).await;
    let id = approved(&app, "Grace Hopper", "A comment that slipped through.").await;
    b.goto(&app.url("/")).await;
    loaded(&b).await;
    let mut tabs = 0;
    while focused_in_widget(&b).await != "link report" {
        b.press(TAB).await;
        tabs += 1;
        assert!(tabs < 40, "Tab never reached Report");
    }
    b.press(" ").await;
    wait_widget(&b, "return root.querySelector('.report-form');", vec![]).await;
    assert_accessible(&b, "the report form is open").await;
    let picked = in_widget(
        &b,
        "return root.activeElement.name + ':' + root.activeElement.value;",
        vec![],
    )
    .await;
    assert_eq!(
        picked,
        json!("reason:spam"),
        "the first reason has the focus"
    );
    // Arrow keys move within the radio group and check; Tab leaves it for the note.
    b.press("\u{E015}").await;
    b.press(&format!("{TAB}Rude to others{TAB}")).await;
    b.press(ENTER).await;
    wait_shadow_text(&b, ".live", REPORTED).await;
    let live = in_widget(&b, "var l = root.querySelector('.live'); return l.getAttribute('role') + ' ' + l.getAttribute('aria-live');", vec![]).await;
    assert_eq!(live, json!("status polite"), "announced by a live region");
    let focus = in_widget(
        &b,
        "return root.activeElement && root.activeElement.id;",
        vec![],
    )
    .await;
    assert_eq!(
        focus,
        json!(format!("comment-{id}")),
        "the focus goes back to the comment"
    );
    assert_eq!(
        shadow_text(&b, &format!("#comment-{id} .report")).await,
        "Reported"
    );
    let token = app.token().await;
    let (_, list) = app
        .admin(&token, Method::GET, "/api/v1/admin/reports")
        .await;
    assert_eq!(
        list["comments"][0]["counts"],
        json!({"abusive": 1}),
        "{list}"
    );
    assert_eq!(list["comments"][0]["notes"], json!(["Rude to others"]));
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_thread_says_comments_are_closed_and_shows_pinned_first() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app(|_| {}).await;
    let first = approved(&app, "Ada Lovelace", "The first word.").await;
    let best = approved(&app, "Grace Hopper", "The best reply.").await;
    let token = app.token().await;
    let (status, _) = app
        .admin(
            &token,
            Method::POST,
            &format!("/api/v1/admin/comments/{best}/pin"),
        )
        .await;
    assert_eq!(status, 200);
    let res = app
        .http
        .post(app.url("/api/v1/admin/pages/close"))
        .bearer_auth(&token)
        .json(&json!({"site": "blog", "uri": "/"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    b.goto(&app.url("/")).await;
    loaded(&b).await;
    wait_shadow_text(&b, ".closed", "Comments are closed.").await;
    let state = in_widget(
        &b,
        "return [root.querySelector('.form-home').hidden, root.querySelectorAll('.reply').length, \
        Array.from(root.querySelectorAll('.comment')).map(function (li) { return li.id; })];",
        vec![],
    )
    .await;
    assert_eq!(
        state,
        json!([
            true,
            0,
            [format!("comment-{best}"), format!("comment-{first}")]
        ])
    );
    assert_eq!(
        shadow_text(&b, &format!("#comment-{best} .pinned")).await,
        "Pinned"
    );
    assert_accessible(&b, "a closed thread with a pinned comment").await;
    b.close().await;
}
