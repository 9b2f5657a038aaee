//! Findings 2 and 3: anonymous reads and made-up methods cannot grow the server's memory.
//! The thread cache stores only successful reads of a known site and a valid page, within
//! its entry and byte budgets; request metrics fold unknown methods into one label.
use crate::backends;
use crate::support::TestApp;

async fn gauge(app: &TestApp, name: &str) -> u64 {
    let text = app.get_text("/metrics").await;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

backends! {
    async fn reads_that_fail_validation_never_enter_the_thread_cache(b) {
        let app = TestApp::spawn(b).await;
        let long = format!("/{}", "a".repeat(3000));
        let bad = [
            ("/api/v1/comments?site=nosuch&uri=/x".to_owned(), 404),
            ("/api/v1/comments?site=open&uri=no-slash".to_owned(), 422),
            (format!("/api/v1/comments?site=open&uri={long}"), 422),
            ("/api/v1/comments?site=open&uri=/x&limit=501".to_owned(), 422),
        ];
        for (path, want) in &bad {
            for _ in 0..3 {
                let (status, body) = app.get_json(path).await;
                assert_eq!(status, *want, "{path}: {body}");
            }
        }
        assert_eq!(gauge(&app, "replyd_thread_cache_entries").await, 0);
        assert_eq!(gauge(&app, "replyd_thread_cache_bytes").await, 0);
        let (status, _) = app.get_json("/api/v1/comments?site=open&uri=/real").await;
        assert_eq!(status, 200);
        assert_eq!(gauge(&app, "replyd_thread_cache_entries").await, 1, "a good read is cached");
    }

    async fn the_thread_cache_is_bounded_by_entries_bytes_and_variants(b) {
        let app = TestApp::spawn_with(b, |c| {
            c.cache.max_entries = 20;
            c.cache.max_bytes = 8_000;
        }).await;
        for i in 0..60 {
            let (status, _) = app.get_json(&format!("/api/v1/comments?site=open&uri=/p/{i}")).await;
            assert_eq!(status, 200);
            assert!(gauge(&app, "replyd_thread_cache_entries").await <= 20);
            assert!(gauge(&app, "replyd_thread_cache_bytes").await <= 8_000);
        }
        let (status, _) = app.get_json("/api/v1/comments?site=open&uri=/p/59").await;
        assert_eq!(status, 200);
        let big = TestApp::spawn(crate::support::Backend::Sqlite).await;
        for offset in 0..40 {
            let (status, _) = big.get_json(&format!("/api/v1/comments?site=open&uri=/one&offset={offset}")).await;
            assert_eq!(status, 200);
        }
        assert_eq!(gauge(&big, "replyd_thread_cache_entries").await, 8, "at most 8 variants of one page");
    }

    async fn made_up_methods_do_not_add_metric_series(b) {
        let app = TestApp::spawn(b).await;
        let before = app.get_text("/metrics").await.len();
        for i in 0..200 {
            let method = reqwest::Method::from_bytes(format!("BREW{i}").as_bytes()).unwrap();
            let res = app.http.request(method, app.url("/api/v1/comments")).send().await.unwrap();
            assert!(res.status().is_client_error(), "{}", res.status());
        }
        let text = app.get_text("/metrics").await;
        assert!(!text.contains("BREW"), "no series per made-up method");
        assert!(text.contains("method=\"OTHER\""), "{text}");
        assert!(text.len() < before + 4_000, "grew from {before} to {} bytes", text.len());
    }
}
