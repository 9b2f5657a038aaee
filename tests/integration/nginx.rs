//! replyd behind a real nginx started with the README's configuration: the real client
//! address is recorded and the client's own forwarding headers change nothing; limits, the
//! no-JS redirect and the dashboard's cookies work through it; its proxy_cache serves a
//! second read, shows an approval within max-age, and never stores admin or cookie answers.
use std::time::Duration;

use entity::enums::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::dashboard::PASSWORD;
use crate::support::nginx::Nginx;
use crate::support::{Backend, TestApp, comment};

async fn app_behind_nginx(
    tweak: impl FnOnce(&mut replyd::config::Config),
) -> Option<(TestApp, Nginx)> {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        tweak(c);
    })
    .await;
    let nginx = Nginx::start(app.addr).await?;
    Some((app, nginx))
}

fn cache_status(res: &reqwest::Response) -> String {
    res.headers()
        .get("x-cache-status")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_client_address_is_recorded_and_forged_headers_change_nothing() {
    let Some((app, nginx)) = app_behind_nginx(|_| {}).await else {
        return;
    };
    let visitor = nginx.client("127.1.2.3");
    let body = comment(json!({"form_token": app.form_token("blog", "/post")}));
    let res = visitor
        .post(nginx.url("/api/v1/comments"))
        .header("x-forwarded-for", "203.0.113.7")
        .header("forwarded", "for=198.51.100.1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let token = app.token().await;
    let (_, c) = app
        .admin(&token, Method::GET, &format!("/api/v1/admin/comments/{id}"))
        .await;
    assert_eq!(
        c["ip_prefix"], "127.1.2.0/24",
        "the visitor's own network, not nginx's or a forged one"
    );
    let metrics = visitor.get(nginx.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 404, "the public never sees /metrics");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_the_no_js_redirect_and_dashboard_cookies_work_through_nginx() {
    let Some((app, nginx)) = app_behind_nginx(|c| {
        c.rate_limit.enabled = true;
        c.rate_limit.address_burst = 2;
        c.rate_limit.email_burst = 100;
        c.rate_limit.email_per_hour = 100;
    })
    .await
    else {
        return;
    };
    let post = |client: reqwest::Client, i: usize| {
        let body = comment(
            json!({"author_email": format!("v{i}@example.org"), "text": format!("Visitor comment {i}"), "form_token": app.form_token("blog", "/post")}),
        );
        let url = nginx.url("/api/v1/comments");
        async move {
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let one = nginx.client("127.1.1.1");
    let statuses = [
        post(one.clone(), 1).await,
        post(one.clone(), 2).await,
        post(one.clone(), 3).await,
    ];
    assert_eq!(statuses, [201, 201, 429], "one visitor's burst is its own");
    assert_eq!(
        post(nginx.client("127.2.2.2"), 4).await,
        201,
        "another visitor is not limited by the first"
    );

    let form = [
        ("site", "blog"),
        ("uri", "/post"),
        ("author_name", "Ada"),
        ("author_email", "nojs@example.org"),
        ("text", "From the plain form through nginx"),
    ];
    let token = app.form_token("blog", "/post");
    let mut fields = form.to_vec();
    fields.push(("form_token", &token));
    let res = nginx
        .client("127.3.3.3")
        .post(nginx.url("/api/v1/comments"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("http://blog.example:8000/post?replyd=pending"),
        "{location}"
    );

    app.add_moderator("mo@example.org", "Mo", Role::Moderator)
        .await;
    let browser = nginx.client("127.4.4.4");
    let login = browser.get(nginx.url("/admin/login")).send().await.unwrap();
    let html = login.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let res = browser
        .post(nginx.url("/admin/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "mo@example.org"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert!(
        res.headers().contains_key("set-cookie"),
        "the session cookie passes through"
    );
    let queue = browser.get(nginx.url("/admin/")).send().await.unwrap();
    assert_eq!(queue.status(), 200);
    assert!(
        queue
            .text()
            .await
            .unwrap()
            .contains("From the plain form through nginx")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_caches_public_reads_shows_approvals_within_max_age_and_never_admin_pages() {
    let max_age = 1;
    let Some((app, nginx)) = app_behind_nginx(|c| {
        c.cache.public_max_age_secs = max_age;
        c.cache.stale_while_revalidate_secs = 1;
    })
    .await
    else {
        return;
    };
    let token = app.token().await;
    let id = app.submit(json!({"text": "Waiting for a moderator"})).await;
    let reader = nginx.client("127.5.5.5");
    let thread = nginx.url("/api/v1/comments?site=blog&uri=/post");
    let first = reader.get(&thread).send().await.unwrap();
    assert_eq!(cache_status(&first), "MISS");
    let second = reader.get(&thread).send().await.unwrap();
    assert_eq!(cache_status(&second), "HIT", "the second read is nginx's");
    assert_eq!(second.json::<Value>().await.unwrap()["total"], 0);
    let counts = nginx.url("/api/v1/counts?site=blog&uri=/post");
    reader.get(&counts).send().await.unwrap();
    assert_eq!(
        cache_status(&reader.get(&counts).send().await.unwrap()),
        "HIT"
    );

    app.admin(
        &token,
        Method::POST,
        &format!("/api/v1/admin/comments/{id}/approve"),
    )
    .await;
    let approved_at = std::time::Instant::now();
    let deadline = approved_at + Duration::from_secs(max_age + 3);
    loop {
        let total = reader
            .get(&thread)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["total"]
            .clone();
        if total == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the approval never showed through nginx"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        approved_at.elapsed() <= Duration::from_secs(max_age + 2),
        "shown within max-age"
    );

    app.add_moderator("mo@example.org", "Mo", Role::Moderator)
        .await;
    let browser = nginx.client("127.6.6.6");
    for _ in 0..2 {
        let page = browser.get(nginx.url("/admin/login")).send().await.unwrap();
        assert!(page.headers().contains_key("set-cookie") || page.status() == 200);
        assert_ne!(cache_status(&page), "HIT", "admin pages are never stored");
    }
    let anonymous = nginx.client("127.7.7.7");
    let other = anonymous
        .get(nginx.url("/admin/login"))
        .send()
        .await
        .unwrap();
    assert_ne!(cache_status(&other), "HIT");
    for _ in 0..2 {
        let token_res = anonymous
            .get(nginx.url("/api/v1/form-token?site=blog&uri=/post"))
            .send()
            .await
            .unwrap();
        assert_ne!(
            cache_status(&token_res),
            "HIT",
            "form tokens are never shared"
        );
    }
}
