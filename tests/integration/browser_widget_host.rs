//! The widget as site owners embed it, in real headless Chromium: on a page of another
//! origin (CORS) with hostile global CSS, comment counts, German, the axe-core scan, and
//! (with `REPLYD_SCREENSHOTS=1`) the screenshots in `docs/`.
use std::path::Path;

use entity::enums::Role;
use serde_json::{Value, json};

use crate::support::browser::{Browser, Options, Window};
use crate::support::widget::{
    add_site, approve, assert_accessible, host_listener, in_widget, loaded, post, serve_host,
    shadow, shadow_text, spawn_app, wait_shadow_text, wait_widget,
};
use crate::support::{Backend, TestApp};

/// A host page holding one widget for `site`/`uri`, with `head` added to its `<head>`.
fn host_page(app: &TestApp, site: &str, uri: &str, attrs: &str, head: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A host page</title>{head}</head>
<body><h1 id="host-title">A post on another site</h1><p id="host-text">Some <a href="/x">host</a> text.</p>
<ol id="host-list"><li>one</li><li>two</li></ol><button id="host-button">Host button</button>
<div data-replyd data-site="{site}" data-uri="{uri}" {attrs}></div>
<script src="{}/embed.js" defer></script></body></html>"#,
        app.base
    )
}

async fn approved(app: &TestApp, site: &str, uri: &str, name: &str, text: &str) -> i64 {
    let id = app
        .submit(json!({"site": site, "uri": uri, "author_name": name, "text": text}))
        .await;
    approve(app, id).await;
    id
}

const HOSTILE: &str = "<style>* { all: unset !important; } input, textarea { display: none !important; } li { float: right !important; font-size: 40px !important; } label { display: inline !important; }</style>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_keeps_its_layout_under_hostile_host_css_on_another_origin() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let (listener, origin) = host_listener().await;
    let app = spawn_app(|cfg| add_site(cfg, "host", &origin)).await;
    let parent = approved(&app, "host", "/hostile", "Grace Hopper", "First!").await;
    app.submit(json!({"site": "host", "uri": "/hostile", "parent_id": parent, "text": "A reply"}))
        .await;
    serve_host(
        listener,
        vec![("/hostile", host_page(&app, "host", "/hostile", "", HOSTILE))],
    );
    b.goto(&format!("{origin}/hostile")).await;
    // Cross-origin: the thread came through CORS.
    wait_shadow_text(&b, &format!("#comment-{parent}"), "First!").await;

    let layout = in_widget(
        &b,
        "var out = {};
         ['author_name', 'author_email', 'author_url', 'text'].forEach(function (n) {
           var f = root.getElementById('replyd-' + n), l = root.querySelector('label[for=replyd-' + n + ']');
           var fr = f.getBoundingClientRect(), lr = l.getBoundingClientRect();
           out[n] = { display: getComputedStyle(f).display, width: fr.width, height: fr.height,
                      labelAbove: lr.bottom <= fr.top + 1 && lr.left <= fr.left + 1 };
         });
         var li = root.querySelector('li.comment'), ol = li.parentElement;
         out.li = { float: getComputedStyle(li).float, fontSize: getComputedStyle(li).fontSize,
                    fullWidth: li.getBoundingClientRect().width >= ol.getBoundingClientRect().width - 1 };
         out.hostWidth = host.getBoundingClientRect().width;
         return out;",
        vec![],
    )
    .await;
    for n in ["author_name", "author_email", "author_url", "text"] {
        let f = &layout[n];
        assert_ne!(f["display"], "none", "{n} is shown: {layout}");
        assert!(
            f["width"].as_f64().unwrap() > 600.0,
            "{n} is wide: {layout}"
        );
        assert!(
            f["height"].as_f64().unwrap() > 20.0,
            "{n} has height: {layout}"
        );
        assert_eq!(f["labelAbove"], true, "{n}'s label is above it: {layout}");
    }
    assert_eq!(layout["li"]["float"], "none", "{layout}");
    assert_eq!(layout["li"]["fullWidth"], true, "{layout}");
    assert_ne!(layout["li"]["fontSize"], "40px", "{layout}");

    // And posting works cross-origin too.
    post(&b, "Ada Lovelace", "", "Posted from another origin").await;
    wait_shadow_text(&b, ".comment.pending", "Posted from another origin").await;
    b.close().await;
}

/// The computed styles of the host page's own elements, to compare before and after.
const HOST_STYLES: &str = "return ['#host-title', '#host-text', '#host-text a', '#host-list', '#host-list li', '#host-button'].map(function (s) {
  var c = getComputedStyle(document.querySelector(s));
  return [s, c.color, c.font, c.margin, c.padding, c.border, c.display, c.boxSizing, c.listStyleType, c.background];
});";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_styles_do_not_leak_into_the_host_page() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let (listener, origin) = host_listener().await;
    let app = spawn_app(|cfg| add_site(cfg, "host", &origin)).await;
    approved(&app, "host", "/plain", "Grace Hopper", "First!").await;
    let page = host_page(&app, "host", "/plain", "", "").replace(
        &format!(r#"<script src="{}/embed.js" defer></script>"#, app.base),
        "",
    );
    serve_host(listener, vec![("/plain", page)]);
    b.goto(&format!("{origin}/plain")).await;
    let before = b.js(HOST_STYLES, vec![]).await;
    b.js(
        "var s = document.createElement('script'); s.src = arguments[0]; document.body.appendChild(s);",
        vec![json!(app.url("/embed.js"))],
    )
    .await;
    loaded(&b).await;
    wait_widget(&b, "return root.styleSheets.length > 0;", vec![]).await;
    let after = b.js(HOST_STYLES, vec![]).await;
    assert_eq!(before, after, "the host's own elements look the same");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn count_links_show_numbers_with_one_request_per_site() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let (listener, origin) = host_listener().await;
    let app = spawn_app(|cfg| {
        add_site(cfg, "host", &origin);
        add_site(cfg, "other", &origin);
    })
    .await;
    approved(&app, "host", "/post-a", "Grace", "One").await;
    approved(&app, "host", "/post-a", "Alan", "Two").await;
    approved(&app, "host", "/post-b", "Ada", "Three").await;
    app.submit(json!({"site": "host", "uri": "/post-b", "text": "Still pending"}))
        .await;
    approved(&app, "other", "/post-a", "Mo", "Elsewhere").await;
    let page = format!(
        r#"<!doctype html><html lang="en"><head><title>Index</title></head><body>
<a id="a" href="/post-a" data-replyd-count data-site="host">Comments</a>
<a id="b" href="/post-b#comments" data-replyd-count data-site="host">Comments</a>
<a id="c" href="/post-c" data-replyd-count data-site="host">Comments</a>
<a id="d" href="/x" data-replyd-count="/post-a" data-site="other">Comments</a>
<script src="{}/count.js" defer></script></body></html>"#,
        app.base
    );
    serve_host(listener, vec![("/", page)]);
    b.goto(&format!("{origin}/")).await;
    let shown = b
        .wait_js(
            "var t = ['a', 'b', 'c', 'd'].map(function (id) { return document.getElementById(id).textContent; });
             return t.indexOf('Comments') < 0 ? t : null;",
            vec![],
        )
        .await;
    assert_eq!(
        shown,
        json!(["2 Comments", "1 Comment", "0 Comments", "1 Comment"])
    );
    let requests = b
        .js(
            "return performance.getEntriesByType('resource').map(function (e) { return e.name; }).filter(function (n) { return n.indexOf('/api/v1/counts') >= 0; });",
            vec![],
        )
        .await;
    let requests = requests.as_array().unwrap();
    assert_eq!(requests.len(), 2, "one request per site: {requests:?}");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_lang_de_shows_the_widget_in_german() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let (listener, origin) = host_listener().await;
    let app = spawn_app(|cfg| add_site(cfg, "host", &origin)).await;
    approved(&app, "host", "/de", "Grace", "Hallo").await;
    let page = host_page(&app, "host", "/de", r#"data-lang="de""#, "");
    serve_host(listener, vec![("/de", page)]);
    b.goto(&format!("{origin}/de")).await;
    wait_shadow_text(&b, "#replyd-count", "1 Kommentar").await;
    assert_eq!(
        shadow_text(&b, "#replyd-form-title").await,
        "Schreibe einen Kommentar"
    );
    assert_eq!(shadow_text(&b, ".submit").await, "Kommentar abschicken");
    assert_eq!(shadow_text(&b, "li .reply").await, "Antworten");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_and_embed_page_have_no_serious_accessibility_violations() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app(|_| {}).await;
    let parent = approved(
        &app,
        "blog",
        "/",
        "Grace Hopper",
        "Compilers write programs.",
    )
    .await;
    let reply = app
        .submit(
            json!({"uri": "/", "parent_id": parent, "author_name": "Ada", "text": "Looms too."}),
        )
        .await;
    approve(&app, reply).await;
    b.goto(&app.url("/")).await;
    loaded(&b).await;
    assert_accessible(&b, "the demo page with the widget").await;

    shadow(&b, &format!("#comment-{parent} .reply"))
        .await
        .click()
        .await
        .unwrap();
    assert_accessible(&b, "an open reply form").await;

    post(&b, "Ada Lovelace", "http://[bad", "A bad website").await;
    wait_widget(
        &b,
        "return root.querySelector('#replyd-author_url[aria-invalid=true]');",
        vec![],
    )
    .await;
    assert_accessible(&b, "field errors shown").await;

    b.goto(&app.url("/embed/thread?site=blog&uri=%2F")).await;
    b.find("#respond").await;
    assert_accessible(&b, "/embed/thread").await;
    b.close().await;
}

/// Seeds a thread with a reply and a moderator reply and writes
/// `docs/screenshots/widget-{light,dark,phone}.png`. Runs only with `REPLYD_SCREENSHOTS=1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_of_the_widget() {
    if std::env::var("REPLYD_SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    // The default public URL, so the demo's text shows no random test port.
    let app = TestApp::spawn(Backend::Sqlite).await;
    let grace = approved(&app, "blog", "/", "Grace Hopper", "Compilers are just programs that write programs. The *hard* part is deciding what they should write.").await;
    let ada = app.submit(json!({"uri": "/", "parent_id": grace, "author_name": "Ada Lovelace", "author_url": "https://ada.example/", "text": "Indeed, and the Analytical Engine weaves algebraic patterns just as the Jacquard loom weaves flowers and leaves."})).await;
    approve(&app, ada).await;
    approved(
        &app,
        "blog",
        "/",
        "Alan Turing",
        "Can machines think? I would rather ask whether they can `moderate`.",
    )
    .await;
    let d = app.logged_in("mo@example.org", Role::Moderator).await;
    let res = d
        .post(
            &format!("/admin/comments/{ada}/reply"),
            &[(
                "text",
                "Thanks both! We fixed the typo in the second example.",
            )],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    let desktop = Window::Desktop {
        width: 1280,
        height: 1520,
    };
    let phone = Window::Phone {
        width: 390,
        height: 1560,
    };
    for (window, dark, name) in [
        (desktop, false, "widget-light.png"),
        (desktop, true, "widget-dark.png"),
        (phone, false, "widget-phone.png"),
    ] {
        let b = Browser::start_opts(Options {
            window,
            dark,
            ..Options::default()
        })
        .await
        .expect("screenshots need Chromium");
        b.goto(&app.url("/")).await;
        loaded(&b).await;
        wait_widget(
            &b,
            "return root.styleSheets.length > 0 && root.querySelectorAll('.comment').length === 4;",
            vec![],
        )
        .await;
        let scheme: Value = b
            .js(
                "return matchMedia('(prefers-color-scheme: dark)').matches;",
                vec![],
            )
            .await;
        assert_eq!(scheme, json!(dark), "{name}: colour scheme");
        // The widget with a little of the post above it.
        b.js(
            "var r = document.querySelector('[data-replyd]').getBoundingClientRect(); window.scrollTo(0, r.top + window.scrollY - 140);",
            vec![],
        )
        .await;
        b.screenshot(&docs.join(name)).await;
        b.close().await;
    }
}
