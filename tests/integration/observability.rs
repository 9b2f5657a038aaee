//! Finding a failure again: every request's span carries its request id, and a 5xx is logged
//! once, with its cause chain, under the id the client was given.
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

use crate::backends;
use crate::support::{TestApp, comment};

/// Everything the test binary logs, from here on.
fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        let _ = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || Sink(sink.clone()))
            .try_init();
        buf
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

backends! {
    async fn a_5xx_is_logged_once_with_its_cause_under_the_request_id(b) {
        let logs = logs();
        let app = TestApp::spawn(b).await;
        app.state.db.clone().close().await;
        let id = format!("test-{}", uuid::Uuid::new_v4().simple());
        let res = app.http.post(app.url("/api/v1/comments")).header("x-request-id", &id)
            .json(&comment(json!({}))).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 500);
        assert_eq!(res.headers()["x-request-id"], id.as_str(), "the client is told the id");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "internal_error");
        assert_eq!(body["error"]["message"], "Something went wrong on our side.");

        let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
        let ours: Vec<&str> = text.lines().filter(|l| l.contains(&id)).collect();
        let errors: Vec<&&str> = ours.iter().filter(|l| l.contains("ERROR")).collect();
        assert_eq!(errors.len(), 1, "one error line for the request: {ours:#?}");
        assert!(errors[0].contains("internal error") && errors[0].contains("error="), "{}", errors[0]);
        assert!(errors[0].contains("closed"), "the cause chain is in the line: {}", errors[0]);
    }
}
