//! Security review checks not covered elsewhere: user enumeration by timing (every sign-in
//! pays for one password check, known email or not), open redirects (no form, link or page
//! sends a visitor off the site), and SSRF (what a commenter writes never makes the server
//! connect anywhere). CSRF, session fixation, sign-in redirects, failed sign-in messages and
//! mail header injection are in `hardening_review`; the constant-time compare of tokens is a
//! unit test of `keys::compare`.
use reqwest::header;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::backends;
use crate::support::TestApp;
use crate::support::dashboard::PASSWORD;
use entity::enums::Role;
use replyd::moderation::Action;
use replyd::notify::links;

const EVIL: [&str; 6] = [
    "https://evil.example/",
    "//evil.example/x",
    "http://open.example:8000@evil.example/",
    "http://open.example:8000.evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
];

/// Whether a `Location` stays on this server or on one of the site's own origins.
fn stays_home(app: &TestApp, to: &str) -> bool {
    let local = to.starts_with('/') && !to.starts_with("//") && !to.contains('\\');
    let ours = |origin: &str| {
        to.strip_prefix(origin)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
    };
    local
        || ours(app.base.trim_end_matches('/'))
        || app.config.sites.iter().any(|s| ours(&s.home_origin()))
}

fn location(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap_or("<not text>").to_owned())
}

async fn open_app(b: crate::support::Backend) -> TestApp {
    TestApp::spawn_with(b, |c| c.rate_limit.enabled = false).await
}

backends! {
    async fn every_sign_in_runs_one_password_check_whether_the_email_is_known_or_not(b) {
        let app = TestApp::spawn(b).await;
        app.add_moderator("mo@example.org", "Mo", Role::Moderator).await;
        for (email, password, ok) in [("nobody@example.org", "whatever pass", false), ("mo@example.org", "wrong password", false), ("mo@example.org", PASSWORD, true)] {
            let before = app.state.team.password_checks();
            let res = app.dashboard().login(email, password).await;
            assert_eq!(res.status == 303, ok, "{email}: {}", res.status);
            assert_eq!(app.state.team.password_checks() - before, 1, "{email}: one argon2 check, like any other");
        }
    }

    async fn no_form_link_or_page_redirects_off_the_site(b) {
        let app = open_app(b).await;
        let mut seen = Vec::new();
        for (i, evil) in EVIL.iter().enumerate() {
            // The no-JS form: `return_to` names a page of ours or nothing.
            let text = format!("No-JS form, try {i}");
            let fields = [("site", "open"), ("uri", "/post"), ("author_name", "Ada"), ("author_email", "ada@example.org"), ("text", text.as_str()), ("return_to", evil)];
            let res = app.http.post(app.url("/api/v1/comments")).form(&fields).send().await.unwrap();
            seen.push(("no-JS return_to", *evil, res.status().as_u16(), location(&res)));
            // WordPress's form: `redirect_to` only on the site's own origin.
            let text = format!("WordPress form, try {i}");
            let fields = [("comment", text.as_str()), ("author", "Grace"), ("email", "grace@example.org"), ("comment_post_ID", "0"), ("comment_parent", "0"), ("redirect_to", evil)];
            let res = app.http.post(app.url("/wp/open/wp-comments-post.php")).header(header::REFERER, "http://open.example:8000/notes/x/").form(&fields).send().await.unwrap();
            seen.push(("WordPress redirect_to", *evil, res.status().as_u16(), location(&res)));
        }
        let published = app.submit(json!({"site": "open", "text": "Report me"})).await;
        for (i, evil) in EVIL.iter().chain(["/?x\r\nSet-Cookie: a=b", "/?\u{7}"].iter()).enumerate() {
            let ip = format!("203.0.113.{}", i + 1);
            let res = app.http.post(app.url(&format!("/api/v1/comments/{published}/report"))).header("x-forwarded-for", ip).form(&[("reason", "spam"), ("back", evil)]).send().await.unwrap();
            let status = res.status().as_u16();
            assert!((400..500).contains(&status), "report back={evil:?}: {status}");
            seen.push(("report back", *evil, status, location(&res)));
        }
        for evil in EVIL {
            let q = crate::support::urlencode(evil);
            for path in [format!("/mail/unsubscribe/garbage?next={q}"), format!("/mail/confirm/garbage?next={q}"), format!("/admin/act/garbage?next={q}&back={q}"), format!("/admin/login?next={q}")] {
                let res = app.http.get(app.url(&path)).send().await.unwrap();
                seen.push(("page", evil, res.status().as_u16(), location(&res)));
            }
        }
        // A one-click link acted on, with a `back` field that points elsewhere.
        let held = app.submit(json!({"site": "blog", "text": "Approve me by link"})).await;
        let link = links::one_click_link(app.config.server.public_url.as_str(), &app.state.keys, held, Action::Approve, app.clock.now());
        let path = &link[link.find("/admin/act/").unwrap()..];
        let res = app.dashboard().submit(path, path, &[("back", "https://evil.example/"), ("next", "https://evil.example/")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        seen.push(("one-click", "back", res.status, Some(res.location().to_owned())));
        for (what, evil, status, to) in &seen {
            assert!(*status < 500, "{what} {evil:?}: {status}");
            if let Some(to) = to {
                assert!(stays_home(&app, to), "{what} {evil:?} -> {to}");
            }
        }
    }

    async fn what_a_commenter_writes_never_makes_the_server_connect_anywhere(b) {
        let app = open_app(b).await;
        let site = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let at = format!("http://{}", site.local_addr().unwrap());
        let text = format!("See {at}/bare and [a link]({at}/md) and <{at}/auto> and ![img]({at}/img.png) and www.{}.example", "x");
        let id = app.submit(json!({"site": "open", "text": text, "author_url": format!("{at}/me")})).await;
        let held = app.submit(json!({"site": "blog", "text": format!("Held, with {at}/held"), "author_url": format!("{at}/held-me")})).await;
        let token = app.token().await;
        app.admin(&token, reqwest::Method::POST, &format!("/api/v1/admin/comments/{held}/approve")).await;
        let fields = [("comment", "A WordPress comment"), ("author", "Grace"), ("email", "grace@example.org"), ("url", at.as_str()), ("comment_post_ID", "0"), ("comment_parent", "0")];
        let res = app.http.post(app.url("/wp/open/wp-comments-post.php")).header(header::REFERER, format!("{at}/referer")).form(&fields).send().await.unwrap();
        assert!(res.status().as_u16() < 500);
        app.public_thread("open", "/post").await;
        let (s, _) = app.admin(&token, reqwest::Method::GET, &format!("/api/v1/admin/comments/{id}")).await;
        assert_eq!(s, 200);
        app.deliver().await;
        // Everything the server might fetch has run; the first connection must be ours.
        let mut probe = tokio::net::TcpStream::connect(site.local_addr().unwrap()).await.unwrap();
        probe.write_all(b"probe").await.unwrap();
        let (_, peer) = site.accept().await.unwrap();
        assert_eq!(peer, probe.local_addr().unwrap(), "the server connected to the commenter's URL first");
    }

    async fn the_reports_list_bounds_its_offset_like_every_list(b) {
        // Found by schemathesis: an offset of 2^63 reached the database and dropped the
        // connection.
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        for offset in ["9223372036854775808", "18446744073709551615", "1000001"] {
            let (status, body) = app.admin(&token, reqwest::Method::GET, &format!("/api/v1/admin/reports?offset={offset}")).await;
            assert_eq!(status, 422, "{offset}: {body}");
            assert!(body["error"]["fields"]["offset"].is_array(), "{body}");
        }
        let (status, _) = app.admin(&token, reqwest::Method::GET, "/api/v1/admin/reports?offset=1000000").await;
        assert_eq!(status, 200);
    }
}
