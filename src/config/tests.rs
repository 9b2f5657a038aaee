//! Loading and layering the configuration: the built-in file, a user file, the environment.
use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn the_documented_example_file_is_accepted_and_replaces_the_demo_site() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/example.toml");
    let cfg = Config::load(Some(&path), env(&[])).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = cfg.sites.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["blog"]);
    assert_eq!(cfg.mail.transport, MailTransport::Smtp);
    assert_eq!(cfg.server.trusted_proxies.len(), 1);
    assert_eq!(cfg.sites[0].home_origin(), "http://127.0.0.1:8000");
}

#[test]
fn a_loopback_database_url_is_loaded_without_tls() {
    let cfg = Config::load(
        None,
        env(&[("REPLYD__DATABASE__URL", "postgres://x@127.0.0.1/y")]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg.database.url, "postgres://x@127.0.0.1/y?sslmode=disable");
}

#[test]
fn environment_variables_override_files() {
    let cfg = Config::load(
        None,
        env(&[
            ("REPLYD__DATABASE__URL", "postgres://x@db.internal/y"),
            ("REPLYD__SERVER__TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1/32"),
        ]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg.database.url, "postgres://x@db.internal/y");
    assert_eq!(cfg.server.trusted_proxies.len(), 2);
}

#[test]
fn rate_limits_and_spam_settings_default_and_can_be_overridden() {
    let cfg = Config::load(None, env(&[])).unwrap_or_else(|e| panic!("{e}"));
    assert!(cfg.rate_limit.enabled);
    assert_eq!(cfg.rate_limit.address_burst, 3);
    assert_eq!(cfg.spam.max_links, 2);
    let cfg = Config::load(
        None,
        env(&[
            ("REPLYD__RATE_LIMIT__ENABLED", "false"),
            ("REPLYD__SPAM__MIN_FILL_SECS", "5"),
        ]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!cfg.rate_limit.enabled);
    assert_eq!(cfg.spam.min_fill_secs, 5);
    let zero = Config::load(None, env(&[("REPLYD__RATE_LIMIT__ADDRESS_BURST", "0")]));
    assert!(zero.is_err());
}

#[test]
fn shared_limits_are_off_and_metrics_on_by_default() {
    let cfg = Config::load(None, env(&[])).unwrap_or_else(|e| panic!("{e}"));
    assert!(cfg.rate_limit.redis_url.is_empty());
    assert_eq!(cfg.rate_limit.redis_prefix, "replyd:");
    assert!(cfg.server.metrics);
    let cfg = Config::load(
        None,
        env(&[
            ("REPLYD__RATE_LIMIT__REDIS_URL", "redis://127.0.0.1:6379/0"),
            ("REPLYD__SERVER__METRICS", "false"),
        ]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg.rate_limit.redis_url, "redis://127.0.0.1:6379/0");
    assert!(!cfg.server.metrics);
}

#[test]
fn unknown_keys_are_rejected() {
    let dir = std::env::temp_dir().join(format!("replyd-cfg-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("typo.toml");
    let _ = std::fs::write(&path, "[server]\nbindd = \"127.0.0.1:1\"\n");
    let err = Config::load(Some(&path), env(&[]))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("bindd"), "{err}");
}

/// Writes `text` to a file of its own under the temporary directory.
fn file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("replyd-cfg-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    let _ = std::fs::write(&path, text);
    path
}

/// The dotted path of every key of `table`, descending into tables; an array is one key.
fn key_paths(prefix: &str, table: &config::Map<String, config::Value>, out: &mut Vec<String>) {
    for (key, value) in table {
        let path = format!("{prefix}{key}");
        if let config::ValueKind::Table(inner) = &value.kind {
            key_paths(&format!("{path}."), inner, out);
        } else {
            out.push(path);
        }
    }
}

fn without(mut table: config::Map<String, config::Value>, path: &str) -> config::Value {
    match path.split_once('.') {
        None => {
            table.remove(path);
        }
        Some((head, rest)) => {
            if let Some(inner) = table.remove(head) {
                let inner = inner.into_table().unwrap_or_else(|e| panic!("{e}"));
                table.insert(head.to_owned(), without(inner, rest));
            }
        }
    }
    config::Value::new(None, config::ValueKind::Table(table))
}

#[test]
fn every_key_of_the_built_in_file_is_read_and_none_has_a_second_default() {
    let tree = layers(None, env(&[]))
        .and_then(|c| config::Source::collect(&c))
        .unwrap_or_else(|e| panic!("{e}"));
    // Unknown keys are refused everywhere, so a key that loads is a key that is read.
    let whole = config::Value::new(None, config::ValueKind::Table(tree.clone()));
    whole
        .try_deserialize::<Layered>()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut paths = Vec::new();
    key_paths("", &tree, &mut paths);
    for expected in ["mail.smtp.pool_size", "site_defaults.notify", "sites"] {
        assert!(
            paths.iter().any(|p| p == expected),
            "{expected} in {paths:?}"
        );
    }
    // And every key is required: the file's value is the only default there is.
    for path in &paths {
        let leaf = path.rsplit('.').next().unwrap_or_default();
        match without(tree.clone(), path).try_deserialize::<Layered>() {
            Ok(_) => panic!("{path} can be left out: something else supplies its default"),
            Err(e) => assert!(e.to_string().contains(leaf), "{path}: {e}"),
        }
    }
}

#[test]
fn a_site_with_only_id_name_and_origins_gets_the_documented_defaults() {
    let path = file(
        "bare-site.toml",
        "[[sites]]\nid = \"bare\"\nname = \"Bare\"\norigins = [\"https://bare.example\"]\n",
    );
    let cfg = Config::load(Some(&path), env(&[])).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg.sites.len(), 1);
    let site = &cfg.sites[0];
    assert_eq!(site.id, "bare");
    assert_eq!(site.moderation, ModerationMode::All);
    assert!(site.notify.is_empty(), "{:?}", site.notify);
    assert_eq!(site.alerts, AlertMode::Held);
    assert!(site.approval_notice);
}

#[test]
fn site_defaults_from_a_file_fill_only_the_keys_a_site_leaves_out() {
    let path = file(
        "site-defaults.toml",
        "[site_defaults]\nmoderation = \"none\"\nalerts = \"off\"\n\
         [[sites]]\nid = \"a\"\nname = \"A\"\norigins = [\"https://a.example\"]\n\
         [[sites]]\nid = \"b\"\nname = \"B\"\norigins = [\"https://b.example\"]\n\
         moderation = \"first-time\"\nnotify = [\"mods@b.example\"]\napproval_notice = false\n",
    );
    let cfg = Config::load(Some(&path), env(&[])).unwrap_or_else(|e| panic!("{e}"));
    let (a, b) = (&cfg.sites[0], &cfg.sites[1]);
    assert_eq!(
        (a.moderation, a.alerts, a.approval_notice),
        (ModerationMode::None, AlertMode::Off, true)
    );
    assert!(a.notify.is_empty());
    assert_eq!(
        (b.moderation, b.alerts, b.approval_notice),
        (ModerationMode::FirstTime, AlertMode::Off, false)
    );
    assert_eq!(b.notify, ["mods@b.example"]);
}

#[test]
fn unknown_keys_in_a_site_entry_and_in_site_defaults_are_rejected() {
    for (name, text, key) in [
        (
            "site-typo.toml",
            "[[sites]]\nid = \"x\"\nname = \"X\"\norigins = [\"https://x.example\"]\nalert = \"off\"\n",
            "alert",
        ),
        (
            "defaults-typo.toml",
            "[site_defaults]\nmoderaton = \"none\"\n",
            "moderaton",
        ),
    ] {
        let err = Config::load(Some(&file(name, text)), env(&[]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains(key), "{err}");
    }
}

#[test]
fn an_empty_secret_is_none_and_a_short_one_is_refused() {
    let cfg = Config::load(None, env(&[])).unwrap_or_else(|e| panic!("{e}"));
    assert!(cfg.security.secret.is_none());
    let short = Config::load(None, env(&[("REPLYD__SECURITY__SECRET", "too short")]));
    assert!(short.is_err());
    let long = "0123456789abcdef0123456789abcdef";
    let cfg = Config::load(None, env(&[("REPLYD__SECURITY__SECRET", long)]))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(cfg.security.secret.is_some());
}
