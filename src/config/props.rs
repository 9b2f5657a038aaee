//! Property tests of the config loader: any unknown key, in any section or at the top, is
//! refused; valid values, from the environment or a file, come back as they were written.
use proptest::prelude::*;

use super::*;

/// Section names of the built-in file, where a made-up key must be refused too.
const SECTIONS: [&str; 10] = [
    "server",
    "database",
    "security",
    "mail",
    "rate_limit",
    "spam",
    "admin",
    "cache",
    "retention",
    "site_defaults",
];

fn load_env(pairs: Vec<(String, String)>) -> Result<Config, ConfigError> {
    Config::load(None, pairs)
}

/// A TOML basic string of `s`: JSON's escapes are all valid TOML (DEL is kept out).
fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// No key of replyd ends in a digit, so these are all unknown.
    #[test]
    fn an_unknown_key_in_any_section_is_refused(
        section in proptest::sample::select(&SECTIONS[..]),
        key in "[a-z]{1,12}[0-9]{1,3}",
        value in "[a-z0-9]{1,8}",
    ) {
        let var = format!("REPLYD__{}__{}", section.to_ascii_uppercase(), key.to_ascii_uppercase());
        prop_assert!(load_env(vec![(var.clone(), value.clone())]).is_err(), "{var}={value}");
        let top = format!("REPLYD__{}", key.to_ascii_uppercase());
        prop_assert!(load_env(vec![(top.clone(), value)]).is_err(), "{top}");
    }

    #[test]
    fn an_unknown_key_in_a_file_is_refused(
        section in proptest::sample::select(&SECTIONS[..]),
        key in "[a-z][a-z_]{0,12}[0-9]",
    ) {
        let file = TempToml::new(&format!("[{section}]\n{key} = 1\n"));
        prop_assert!(Config::load(Some(file.path()), Vec::new()).is_err());
    }

    #[test]
    fn valid_numbers_from_the_environment_round_trip(
        body in 1usize..(1 << 26),
        burst in 1u32..100_000,
        links in 1usize..1000,
        metrics in any::<bool>(),
    ) {
        let cfg = load_env(vec![
            ("REPLYD__SERVER__BODY_LIMIT_BYTES".into(), body.to_string()),
            ("REPLYD__RATE_LIMIT__ADDRESS_BURST".into(), burst.to_string()),
            ("REPLYD__SPAM__MAX_LINKS".into(), links.to_string()),
            ("REPLYD__SERVER__METRICS".into(), metrics.to_string()),
        ])
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(cfg.server.body_limit_bytes, body);
        prop_assert_eq!(cfg.rate_limit.address_burst, burst);
        prop_assert_eq!(cfg.spam.max_links, links);
        prop_assert_eq!(cfg.server.metrics, metrics);
    }

    #[test]
    fn a_site_from_a_file_round_trips(
        id in "[a-z][a-z0-9-]{0,20}",
        name in "[^\u{0}-\u{1f}\u{7f}]{1,40}",
        port in 1u16..,
        report_threshold in 1u32..1000,
    ) {
        let origin = format!("https://{id}.example:{port}");
        let file = TempToml::new(&format!(
            "[[sites]]\nid = {}\nname = {}\norigins = [{}]\nreport_threshold = {report_threshold}\n",
            toml_string(&id),
            toml_string(&name),
            toml_string(&origin),
        ));
        let cfg = Config::load(Some(file.path()), Vec::new())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(cfg.sites.len(), 1);
        let site = &cfg.sites[0];
        prop_assert_eq!(&site.id, &id);
        prop_assert_eq!(&site.name, &name);
        prop_assert_eq!(site.report_threshold, report_threshold);
        prop_assert_eq!(site.home_origin(), url::Url::parse(&origin).map_err(|e| TestCaseError::fail(e.to_string()))?.origin().ascii_serialization());
    }
}

/// A TOML file in the temporary directory, removed when dropped.
struct TempToml(std::path::PathBuf);

impl TempToml {
    fn new(text: &str) -> TempToml {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "replyd-config-props-{}-{n}.toml",
            std::process::id()
        ));
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        TempToml(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempToml {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
