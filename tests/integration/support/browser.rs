//! Real headless Chromium for browser tests, driven over WebDriver (chromedriver on a free
//! loopback port, one fresh profile per browser). Without Chromium the tests print a notice
//! and pass, except under CI (env `CI` set), where a missing browser fails the run.
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::TempDir;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Upper bound for chromedriver to start and for pages to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(20);

/// The browser window: a desktop size, or a phone with touch-free mobile emulation.
#[derive(Debug, Clone, Copy)]
pub enum Window {
    Desktop { width: u32, height: u32 },
    Phone { width: u32, height: u32 },
}

/// How to start the browser: window, JavaScript on or off, light or dark colour scheme.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub window: Window,
    pub javascript: bool,
    pub dark: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            window: Window::Desktop {
                width: 1280,
                height: 900,
            },
            javascript: true,
            dark: false,
        }
    }
}

pub struct Browser {
    pub client: Client,
    _driver: Child,
    _profile: TempDir,
}

fn binary(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local addr").port()
}

impl Browser {
    /// A 1280×900 desktop browser, or `None` (with a notice) when Chromium is missing.
    pub async fn start() -> Option<Browser> {
        Browser::start_with(Window::Desktop {
            width: 1280,
            height: 900,
        })
        .await
    }

    pub async fn start_with(window: Window) -> Option<Browser> {
        Browser::start_opts(Options {
            window,
            ..Options::default()
        })
        .await
    }

    pub async fn start_opts(opts: Options) -> Option<Browser> {
        let chromium = binary("REPLYD_CHROMIUM", CHROMIUM);
        let driver = binary("REPLYD_CHROMEDRIVER", CHROMEDRIVER);
        if !chromium.exists() || !driver.exists() {
            let msg = format!(
                "browser test needs {} and {} (Debian: apt-get install chromium chromium-driver)",
                chromium.display(),
                driver.display()
            );
            if std::env::var_os("CI").is_some() {
                panic!("{msg}");
            }
            eprintln!("SKIPPED: {msg}");
            return None;
        }
        let port = free_port();
        let mut child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let stdout = child.stdout.take().expect("chromedriver stdout");
        // chromedriver says when it listens: wait for that line instead of sleeping.
        let ready = tokio::time::timeout(PATIENCE, async {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("started successfully") {
                    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(ready, Ok(true), "chromedriver did not start");

        let profile = TempDir::new();
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--hide-scrollbars".into(),
            format!("--user-data-dir={}", profile.path.display()),
        ];
        if opts.dark {
            // prefers-color-scheme: dark (0 is dark in Blink's PreferredColorScheme).
            args.push("--force-dark-mode".into());
            args.push("--blink-settings=preferredColorScheme=0".into());
        }
        let mut options = json!({ "binary": chromium.display().to_string() });
        if !opts.javascript {
            options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        match opts.window {
            Window::Desktop { width, height } => {
                args.push(format!("--window-size={width},{height}"))
            }
            Window::Phone { width, height } => {
                options["mobileEmulation"] = json!({
                    "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2.0, "touch": false }
                });
            }
        }
        options["args"] = json!(args);
        let caps = json!({ "browserName": "chrome", "goog:chromeOptions": options });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");
        Some(Browser {
            client,
            _driver: child,
            _profile: profile,
        })
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// The element matching `css`, waiting for it to appear (after a navigation, say).
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map_or(0, |v| v.len())
    }

    /// Types into the element matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.expect("type");
    }

    /// Presses each character of `keys` on the keyboard, wherever the focus is.
    pub async fn press(&self, keys: &str) {
        for c in keys.chars() {
            let seq = KeyActions::new("keyboard".into())
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
            self.client.perform_actions(seq).await.expect("key press");
        }
    }

    /// Waits until the page's text contains `text` (for example after a form submission).
    pub async fn wait_for_text(&self, css: &str, text: &str) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && e.text().await.is_ok_and(|t| t.contains(text))
            {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{css} never showed {text:?}"
            );
            tokio::task::yield_now().await;
        }
    }

    /// The id attribute of the focused element.
    pub async fn focused_id(&self) -> String {
        let e = self.client.active_element().await.expect("active element");
        e.attr("id").await.ok().flatten().unwrap_or_default()
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) and returns its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits until `script` returns a truthy value, and returns that value.
    pub async fn wait_js(&self, script: &str, args: Vec<Value>) -> Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let v = self.js(script, args.clone()).await;
            if !matches!(v, Value::Null | Value::Bool(false)) && v != json!("") && v != json!(0) {
                return v;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "never true: {script}"
            );
            tokio::task::yield_now().await;
        }
    }

    /// Turns a WebDriver element reference returned by [`Browser::js`] into an element.
    pub fn element(&self, v: &Value) -> Element {
        let id = v
            .get("element-6066-11e4-a52e-4f735466cecf")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("not an element: {v}"));
        Element::from_element_id(
            self.client.clone(),
            fantoccini::elements::ElementRef::from(id.to_owned()),
        )
    }

    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.expect("screenshot");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot dir");
        }
        std::fs::write(path, png).expect("write screenshot");
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
