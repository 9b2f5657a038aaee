//! The `[[sites]]` entries: as written (the per-site keys a file may leave out), the
//! `[site_defaults]` that fill them in at load, and the resolved `SiteConfig` the rest of
//! the service reads. Holds no default values: those live in `config/default.toml` alone.
use serde::Deserialize;
use url::Url;

use super::ConfigError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModerationMode {
    All,
    FirstTime,
    None,
}

/// When moderators hear about new comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertMode {
    /// One mail per comment, held or not.
    Every,
    /// One mail per comment that waits for moderation.
    Held,
    /// One mail per hour listing the comments held in that hour.
    DigestHourly,
    /// One mail per day (UTC) listing the comments held that day.
    DigestDaily,
    /// No alerts.
    Off,
}

/// One site, every key resolved.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub id: String,
    pub name: String,
    pub origins: Vec<Url>,
    pub moderation: ModerationMode,
    pub notify: Vec<String>,
    /// Which comments alert the `notify` list, and how.
    pub alerts: AlertMode,
    /// Tell an author (confirmed and opted in) when their held comment is approved.
    pub approval_notice: bool,
    /// Days after publication (or the first comment) when a page stops taking comments;
    /// 0 never closes.
    pub close_after_days: u32,
    /// Distinct readers whose reports send a published comment back to the queue.
    pub report_threshold: u32,
    /// Comments a moderator may pin on one page.
    pub max_pinned: u32,
    /// The spam filter model this site learns from and is judged by: its own id unless the
    /// entry names one, and sites naming the same model share it.
    pub spam_model: String,
}

/// `[site_defaults]`: the value of each per-site key a `[[sites]]` entry leaves out. A file
/// replaces the built-in `[[sites]]` list wholesale, so these cannot ride along in it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SiteDefaults {
    moderation: ModerationMode,
    notify: Vec<String>,
    alerts: AlertMode,
    approval_notice: bool,
    close_after_days: u32,
    report_threshold: u32,
    max_pinned: u32,
}

/// A `[[sites]]` entry as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SiteEntry {
    id: String,
    name: String,
    origins: Vec<Url>,
    moderation: Option<ModerationMode>,
    notify: Option<Vec<String>>,
    alerts: Option<AlertMode>,
    approval_notice: Option<bool>,
    close_after_days: Option<u32>,
    report_threshold: Option<u32>,
    max_pinned: Option<u32>,
    spam_model: Option<String>,
}

impl SiteEntry {
    /// The site, with each key the entry leaves out taken from `defaults`.
    pub(super) fn resolve(self, defaults: &SiteDefaults) -> SiteConfig {
        SiteConfig {
            spam_model: self.spam_model.unwrap_or_else(|| self.id.clone()),
            id: self.id,
            name: self.name,
            origins: self.origins,
            moderation: self.moderation.unwrap_or(defaults.moderation),
            notify: self.notify.unwrap_or_else(|| defaults.notify.clone()),
            alerts: self.alerts.unwrap_or(defaults.alerts),
            approval_notice: self.approval_notice.unwrap_or(defaults.approval_notice),
            close_after_days: self.close_after_days.unwrap_or(defaults.close_after_days),
            report_threshold: self.report_threshold.unwrap_or(defaults.report_threshold),
            max_pinned: self.max_pinned.unwrap_or(defaults.max_pinned),
        }
    }
}

impl SiteConfig {
    /// The origin the no-JS form returns to, as `scheme://host[:port]` with no trailing slash.
    pub fn home_origin(&self) -> String {
        self.origins
            .first()
            .map(|o| o.origin().ascii_serialization())
            .unwrap_or_default()
    }

    fn validate_id(&self) -> Result<(), ConfigError> {
        if self.id.is_empty() || self.id.len() > 64 {
            return Err(ConfigError::Invalid(format!(
                "site id {:?} must be 1-64 characters",
                self.id
            )));
        }
        Ok(())
    }

    fn validate_origins(&self) -> Result<(), ConfigError> {
        if self.origins.is_empty() {
            return Err(ConfigError::Invalid(format!(
                "site {:?} needs at least one origin",
                self.id
            )));
        }
        for o in &self.origins {
            if !matches!(o.scheme(), "http" | "https") || o.host_str().is_none() {
                return Err(ConfigError::Invalid(format!(
                    "site {:?}: origin {o} must be an http(s) URL",
                    self.id
                )));
            }
        }
        Ok(())
    }
}

/// At least one site, each usable, no id twice.
pub(super) fn validate(sites: &[SiteConfig]) -> Result<(), ConfigError> {
    if sites.is_empty() {
        return Err(ConfigError::Invalid(
            "at least one [[sites]] entry is needed".into(),
        ));
    }
    let mut ids = std::collections::HashSet::new();
    for site in sites {
        site.validate_id()?;
        if !ids.insert(site.id.as_str()) {
            return Err(ConfigError::Invalid(format!(
                "site id {:?} appears twice",
                site.id
            )));
        }
        site.validate_origins()?;
        if site.report_threshold == 0 {
            return Err(ConfigError::Invalid(format!(
                "site {:?}: report_threshold must be at least 1",
                site.id
            )));
        }
    }
    Ok(())
}
