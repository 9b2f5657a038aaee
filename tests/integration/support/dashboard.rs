//! A browser-like HTTP client for the dashboard: a cookie jar, no automatic redirects,
//! and CSRF tokens read out of the HTML forms, as a person's browser would.
use reqwest::header::HeaderMap;

use super::TestApp;
use entity::enums::Role;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The first CSRF token in the page's forms.
    pub fn csrf(&self) -> String {
        let marker = r#"name="csrf" value=""#;
        let start = self.body.find(marker).expect("page has a CSRF field") + marker.len();
        let end = self.body[start..].find('"').expect("closing quote") + start;
        self.body[start..end].to_owned()
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }
}

pub struct Dashboard {
    pub base: String,
    pub http: reqwest::Client,
    /// Sent as X-Forwarded-For (only believed when the app trusts 127.0.0.1).
    pub forwarded_for: Option<String>,
}

impl TestApp {
    /// Creates a moderator with [`PASSWORD`] and returns its id, as `replyd moderator add`
    /// would.
    pub async fn add_moderator(&self, email: &str, name: &str, role: Role) -> i64 {
        let new = replyd::team::NewModerator {
            email,
            name,
            password: PASSWORD,
            role,
        };
        self.state
            .team
            .add(&replyd::team::Acting::Cli, new)
            .await
            .expect("moderator")
            .id
    }

    /// Every moderator account, oldest first.
    pub async fn moderators(&self) -> Vec<entity::moderator::Model> {
        self.state
            .team
            .list(&replyd::team::Acting::Cli)
            .await
            .expect("moderators")
    }

    /// How many moderator accounts exist.
    pub async fn moderator_count(&self) -> u64 {
        self.state.team.count().await.expect("count")
    }

    pub fn dashboard(&self) -> Dashboard {
        Dashboard {
            base: self.base.clone(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            forwarded_for: None,
        }
    }

    /// A dashboard client already logged in as a new moderator with this role.
    pub async fn logged_in(&self, email: &str, role: Role) -> Dashboard {
        self.add_moderator(email, "Mo Derator", role).await;
        let d = self.dashboard();
        let res = d.login(email, PASSWORD).await;
        assert_eq!(res.status, 303, "{}", res.body);
        d
    }
}

impl Dashboard {
    async fn page(&self, req: reqwest::RequestBuilder) -> Page {
        let req = match &self.forwarded_for {
            Some(ip) => req.header("x-forwarded-for", ip),
            None => req,
        };
        let res = req.send().await.expect("request");
        Page {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: res.text().await.unwrap_or_default(),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.page(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub async fn head(&self, path: &str) -> Page {
        self.page(self.http.head(format!("{}{path}", self.base)))
            .await
    }

    /// POSTs a form as is (the caller supplies any CSRF token).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.page(self.http.post(format!("{}{path}", self.base)).form(fields))
            .await
    }

    /// Loads `form_page`, takes its CSRF token, and POSTs `fields` to `path` with it.
    pub async fn submit(&self, form_page: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.get(form_page).await.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Page {
        self.submit(
            "/admin/login",
            "/admin/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// POSTs from the queue page (session CSRF token).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.submit("/admin/", path, fields).await
    }
}
