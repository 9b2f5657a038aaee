//! The comment widget in real headless Chromium on the demo page: posting, moderation,
//! replies, server-side field errors and the keyboard alone (JavaScript off:
//! `browser_widget_nojs`).
use reqwest::Method;
use serde_json::json;

use crate::support::TestApp;
use crate::support::browser::Browser;
use crate::support::widget::{
    ENTER, TAB, approve, focused_in_widget, in_widget, loaded, pending_id, post, shadow,
    shadow_text, spawn_app, wait_shadow_text, wait_widget,
};

pub const AWAITING: &str = "Your comment is awaiting moderation.";

/// An approved comment on the demo page's thread (site `blog`, uri `/`).
async fn approved(app: &TestApp, name: &str, text: &str) -> i64 {
    let id = app
        .submit(json!({"uri": "/", "author_name": name, "text": text}))
        .await;
    approve(app, id).await;
    id
}

/// Where the widget's form sits: the id of the comment it is under, or "home".
async fn form_place(b: &Browser) -> String {
    let v = in_widget(
        b,
        "var li = root.querySelector('form').closest('li'); return li ? li.id : (root.querySelector('.form-home > form') ? 'home' : 'lost');",
        vec![],
    )
    .await;
    v.as_str().unwrap_or_default().to_owned()
}

async fn status_of(app: &TestApp, id: i64) -> String {
    let token = app.token().await;
    let (_, c) = app
        .admin(&token, Method::GET, &format!("/api/v1/admin/comments/{id}"))
        .await;
    c["status"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_post_shows_awaiting_moderation_also_after_reload() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app(|_| {}).await;
    b.goto(&app.url("/")).await;
    loaded(&b).await;
    post(&b, "Ada Lovelace", "", "Hello from the widget").await;
    let id = pending_id(&b, "Hello from the widget").await;
    let li = format!("#comment-{id}");
    wait_shadow_text(&b, &format!("{li} .awaiting"), AWAITING).await;
    assert_eq!(status_of(&app, id).await, "pending");
    assert!(
        shadow_text(&b, "#replyd-text").await.is_empty(),
        "the text field is cleared"
    );

    b.client.refresh().await.expect("reload");
    loaded(&b).await;
    wait_shadow_text(&b, &format!("{li} .awaiting"), AWAITING).await;
    assert_eq!(shadow_text(&b, "#replyd-count").await, "0 Comments");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approved_reply_is_published_nested_under_its_parent_after_reload() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app(|_| {}).await;
    let parent = approved(&app, "Grace Hopper", "Compilers write programs.").await;
    b.goto(&app.url("/")).await;
    loaded(&b).await;
    shadow(&b, &format!("#comment-{parent} .reply"))
        .await
        .click()
        .await
        .unwrap();
    post(&b, "Ada Lovelace", "", "So does the loom").await;
    let reply = pending_id(&b, "So does the loom").await;
    approve(&app, reply).await;

    b.client.refresh().await.expect("reload");
    wait_shadow_text(&b, "#replyd-count", "2 Comments").await;
    let nested = in_widget(
        &b,
        "var li = root.querySelector('#comment-' + arguments[1]); return li.parentElement.matches('ol.replies') && li.parentElement.parentElement.id === 'comment-' + arguments[0];",
        vec![json!(parent), json!(reply)],
    )
    .await;
    assert_eq!(
        nested,
        json!(true),
        "the reply sits in its parent's replies"
    );
    let li = format!("#comment-{reply}");
    assert!(shadow_text(&b, &li).await.contains("So does the loom"));
    assert!(
        !shadow_text(&b, &li).await.contains(AWAITING),
        "no awaiting notice once published"
    );
    let pending = in_widget(
        &b,
        "return root.querySelectorAll('.pending').length;",
        vec![],
    )
    .await;
    assert_eq!(pending, json!(0));
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_form_moves_under_its_parent_and_back_on_cancel() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app(|_| {}).await;
    let parent = approved(&app, "Grace Hopper", "Compilers write programs.").await;
    let other = approved(&app, "Alan Turing", "Can machines think?").await;
    b.goto(&app.url("/")).await;
    loaded(&b).await;
    assert_eq!(form_place(&b).await, "home");

    shadow(&b, &format!("#comment-{other} .reply"))
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(form_place(&b).await, format!("comment-{other}"));
    assert_eq!(
        shadow_text(&b, "#replyd-form-title").await,
        "Reply to Alan Turing"
    );
    assert_eq!(
        focused_in_widget(&b).await,
        "replyd-text",
        "focus goes to the text field"
    );
    shadow(&b, ".form-head button").await.click().await.unwrap();
    assert_eq!(
        form_place(&b).await,
        "home",
        "Cancel reply puts the form back"
    );
    assert_eq!(shadow_text(&b, "#replyd-form-title").await, "Leave a Reply");
    assert_eq!(
        focused_in_widget(&b).await,
        "link reply",
        "focus returns to Reply"
    );

    shadow(&b, &format!("#comment-{parent} .reply"))
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(form_place(&b).await, format!("comment-{parent}"));
    post(&b, "Ada Lovelace", "", "A pending reply").await;
    let reply = pending_id(&b, "A pending reply").await;
    let placed = in_widget(
        &b,
        "return root.querySelector('#comment-' + arguments[0] + ' > ol.replies > #comment-' + arguments[1]) !== null;",
        vec![json!(parent), json!(reply)],
    )
    .await;
    assert_eq!(
        placed,
        json!(true),
        "the pending reply sits in its parent's replies"
    );
    wait_shadow_text(&b, &format!("#comment-{reply} .awaiting"), AWAITING).await;
    assert_eq!(
        form_place(&b).await,
        "home",
        "the form goes back after posting"
    );
    b.client.refresh().await.expect("reload");
    loaded(&b).await;
    let still = in_widget(
        &b,
        "return root.querySelector('#comment-' + arguments[0] + ' > ol.replies > #comment-' + arguments[1] + '.pending') !== null;",
        vec![json!(parent), json!(reply)],
    )
    .await;
    assert_eq!(still, json!(true), "after a reload too");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_reply_form_survives_editing_another_comment() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app(|_| {}).await;
    let parent = approved(&app, "Grace Hopper", "Compilers write programs.").await;
    b.goto(&app.url("/")).await;
    loaded(&b).await;
    post(&b, "Ada Lovelace", "", "My own comment").await;
    let own = pending_id(&b, "My own comment").await;
    shadow(&b, &format!("#comment-{parent} .reply"))
        .await
        .click()
        .await
        .unwrap();
    // Edit and save one's own comment while the reply form is open: the list re-renders.
    shadow(&b, &format!("#comment-{own} .actions button"))
        .await
        .click()
        .await
        .unwrap();
    let area = shadow(&b, ".editing textarea").await;
    area.send_keys(" (edited)").await.unwrap();
    shadow(&b, ".editing button").await.click().await.unwrap();
    wait_shadow_text(&b, &format!("#comment-{own} .body"), "(edited)").await;
    assert_eq!(
        form_place(&b).await,
        format!("comment-{parent}"),
        "the reply form stays under its comment"
    );
    assert_eq!(
        shadow_text(&b, "#replyd-form-title").await,
        "Reply to Grace Hopper"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_field_errors_show_beside_the_field_and_are_announced() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app(|_| {}).await;
    b.goto(&app.url("/")).await;
    loaded(&b).await;
    // Passes the widget's own check (http:// and no spaces), fails the server's URL parser.
    post(
        &b,
        "Ada Lovelace",
        "http://[bad",
        "A comment with a bad website",
    )
    .await;
    let described = wait_widget(
        &b,
        "var f = root.querySelector('#replyd-author_url'); return f.getAttribute('aria-invalid') === 'true' && f.getAttribute('aria-describedby');",
        vec![],
    )
    .await;
    let ids: Vec<&str> = described.as_str().unwrap().split_whitespace().collect();
    assert!(ids.contains(&"replyd-author_url-error"), "{ids:?}");
    let message = in_widget(
        &b,
        "var e = root.getElementById('replyd-author_url-error'); return [e.textContent, e.hidden, e.getBoundingClientRect().height > 0];",
        vec![],
    )
    .await;
    assert_eq!(
        message,
        json!(["Website must be a valid http or https URL", false, true])
    );
    let alert = in_widget(
        &b,
        "var a = root.querySelector('[role=alert]'); return [a.textContent, a.hidden];",
        vec![],
    )
    .await;
    assert_eq!(alert[1], json!(false), "the alert is shown");
    assert!(
        alert[0]
            .as_str()
            .unwrap()
            .contains("Please correct the highlighted fields.")
    );
    assert_eq!(focused_in_widget(&b).await, "replyd-author_url");
    for ok in [
        "#replyd-author_name",
        "#replyd-author_email",
        "#replyd-text",
    ] {
        let invalid = shadow(&b, ok).await.attr("aria-invalid").await.unwrap();
        assert_eq!(invalid, None, "{ok} is not marked");
    }
    assert_eq!(app.public_thread("blog", "/").await["total"], 0);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_alone_posts_and_replies() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app(|_| {}).await;
    let parent = approved(&app, "Grace Hopper", "Compilers write programs.").await;
    b.goto(&app.url("/")).await;
    loaded(&b).await;
    // From the top of the page, Tab until the widget's first field has the focus.
    let mut tabs = 0;
    while focused_in_widget(&b).await != "replyd-author_name" {
        b.press(TAB).await;
        tabs += 1;
        assert!(tabs < 40, "Tab never reached the name field");
    }
    b.press(&format!(
        "Ada Lovelace{TAB}reader@example.org{TAB}{TAB}Typed with keys only{TAB}"
    ))
    .await;
    // Tab past the two checkboxes to the submit button, then Enter.
    b.press(&format!("{TAB}{TAB}")).await;
    assert_eq!(focused_in_widget(&b).await, "submit");
    b.press(ENTER).await;
    let id = pending_id(&b, "Typed with keys only").await;
    wait_widget(
        &b,
        "return root.activeElement && root.activeElement.id === 'comment-' + arguments[0];",
        vec![json!(id)],
    )
    .await;

    // Reply by keyboard: Tab to the parent's Reply button, Space opens the form under it.
    // Forward from the new comment: its Edit and Delete, the form, out of the page, round.
    let mut tabs = 0;
    while focused_in_widget(&b).await != "link reply" {
        b.press(TAB).await;
        tabs += 1;
        assert!(tabs < 60, "Tab never reached Reply");
    }
    b.press(" ").await;
    assert_eq!(form_place(&b).await, format!("comment-{parent}"));
    assert_eq!(focused_in_widget(&b).await, "replyd-text");
    b.press(&format!("A keyboard reply{TAB}{TAB}{TAB}")).await;
    assert_eq!(focused_in_widget(&b).await, "submit");
    b.press(" ").await;
    let reply = pending_id(&b, "A keyboard reply").await;
    let placed = in_widget(
        &b,
        "return root.activeElement.id === 'comment-' + arguments[1] && root.activeElement.parentElement.parentElement.id === 'comment-' + arguments[0];",
        vec![json!(parent), json!(reply)],
    )
    .await;
    assert_eq!(
        placed,
        json!(true),
        "focus is on the new reply, under its parent"
    );
    b.close().await;
}
