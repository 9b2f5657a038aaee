//! Rate limits shared through Redis by two instances: the quota holds across them, time moves
//! with the injected clock, a refusal by one limit spends nothing of the others, the login
//! limit is shared too, and an unreachable Redis leaves each instance its own limits.
use std::time::Duration;

use replyd::config::Config;
use serde_json::{Value, json};

use crate::backends;
use crate::support::{Backend, TestApp, comment, redis};

async fn pair(b: Backend, url: &str, tweak: impl Fn(&mut Config)) -> (TestApp, TestApp) {
    let prefix = redis::prefix();
    TestApp::spawn_pair(b, |c| {
        redis::share_limits(c, url, &prefix);
        c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        tweak(c);
    })
    .await
}

/// POSTs a comment as client `ip` with `email`; returns the status and the refusing policy.
async fn post_as(app: &TestApp, ip: &str, email: &str, n: usize) -> (u16, String) {
    let mut body: Value =
        comment(json!({"text": format!("Comment {n} from {ip}"), "author_email": email}));
    body["form_token"] = json!(app.form_token("blog", "/post"));
    let res = app
        .http
        .post(app.url("/api/v1/comments"))
        .header("x-forwarded-for", ip)
        .json(&body)
        .send()
        .await
        .unwrap();
    let policy = res
        .headers()
        .get("ratelimit-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (res.status().as_u16(), policy)
}

backends! {
    async fn a_shared_limit_holds_across_instances_and_refills_with_the_clock(b) {
        let Some(url) = redis::url() else { return };
        let (a, other) = pair(b, &url, |_| {}).await;
        for i in 0..3 {
            assert_eq!(post_as(&a, "198.51.100.1", &format!("r{i}@example.org"), i).await.0, 201);
        }
        let (status, policy) = post_as(&other, "198.51.100.1", "r3@example.org", 3).await;
        assert_eq!((status, policy.as_str()), (429, "\"address\";q=3;w=45"), "the other instance knows");
        for app in [&a, &other] {
            app.clock.advance(Duration::from_secs(15));
        }
        assert_eq!(post_as(&other, "198.51.100.1", "r4@example.org", 4).await.0, 201, "one cell back");
        assert_eq!(post_as(&a, "198.51.100.1", "r5@example.org", 5).await.0, 429);
        let metrics = a.http.get(a.url("/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("replyd_rate_limited_total{policy=\"address\",scope=\"shared\"} 1"), "{metrics}");
    }

    async fn a_refusal_by_the_email_limit_spends_nothing_of_the_address_limit(b) {
        let Some(url) = redis::url() else { return };
        let (a, other) = pair(b, &url, |_| {}).await;
        for i in 0..3 {
            assert_eq!(post_as(&a, &format!("198.51.100.{i}"), "ada@example.org", i).await.0, 201);
        }
        // From a new address, through the other instance (whose own limiters are fresh):
        // refused by the shared email limit.
        for i in 3..6 {
            let (status, policy) = post_as(&other, "203.0.113.7", "ada@example.org", i).await;
            assert_eq!(status, 429);
            assert!(policy.starts_with("\"email\""), "{policy}");
        }
        // Those refusals left the address's shared quota whole.
        for i in 6..9 {
            assert_eq!(post_as(&a, "203.0.113.7", &format!("r{i}@example.org"), i).await.0, 201);
        }
        let (status, policy) = post_as(&a, "203.0.113.7", "r9@example.org", 9).await;
        assert_eq!(status, 429);
        assert!(policy.starts_with("\"address\""), "{policy}");
    }

    async fn the_login_limit_is_shared_by_instances(b) {
        let Some(url) = redis::url() else { return };
        let (a, other) = pair(b, &url, |c| c.rate_limit.login_per_minute = 5).await;
        for i in 0..5 {
            let app = if i % 2 == 0 { &a } else { &other };
            let page = app.dashboard().login("nobody@example.org", "wrong password").await;
            assert_eq!(page.status, 401, "attempt {i}");
        }
        for app in [&a, &other] {
            let page = app.dashboard().login("nobody@example.org", "wrong password").await;
            assert_eq!(page.status, 429);
        }
    }

    async fn with_redis_unreachable_each_instance_keeps_its_own_limits(b) {
        // A port nothing listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let app = TestApp::spawn_with(b, |c| {
            c.rate_limit.enabled = true;
            c.rate_limit.redis_url = format!("redis://127.0.0.1:{port}/");
        }).await;
        for i in 0..3 {
            assert_eq!(post_as(&app, "127.0.0.1", &format!("r{i}@example.org"), i).await.0, 201, "comments keep flowing");
        }
        assert_eq!(post_as(&app, "127.0.0.1", "r3@example.org", 3).await.0, 429, "the local limit still holds");
        let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
        let line = metrics.lines().find(|l| l.starts_with("replyd_shared_rate_limit_unavailable_total ")).unwrap_or_default();
        let n: u64 = line.rsplit(' ').next().unwrap_or_default().parse().unwrap_or(0);
        assert!(n >= 3, "{metrics}");
    }
}
