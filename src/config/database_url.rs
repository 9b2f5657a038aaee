//! Normalisation of the configured database URL, applied once by `Config::load`. Pure text
//! work: it opens no connection and knows nothing of the pools (`db` does).

/// A PostgreSQL URL on a loopback host that names no `sslmode` gets `sslmode=disable`: TLS
/// protects nothing there, and its handshake costs tens of milliseconds per connection (the
/// driver's default, `prefer`, would try it and accept any certificate). Any other URL is
/// left as it is.
pub(super) fn loopback_without_tls(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return raw.to_owned();
    };
    let postgres = matches!(url.scheme(), "postgres" | "postgresql");
    // For a scheme the URL standard does not know, an IPv4 host reads as a domain.
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => {
            d == "localhost"
                || d.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if !postgres || !loopback || url.query_pairs().any(|(k, _)| k == "sslmode") {
        return raw.to_owned();
    }
    url.query_pairs_mut().append_pair("sslmode", "disable");
    url.into()
}

#[cfg(test)]
mod tests {
    use super::loopback_without_tls;

    #[test]
    fn a_loopback_postgres_url_skips_tls_unless_it_names_an_sslmode() {
        assert_eq!(
            loopback_without_tls("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
        );
        assert_eq!(
            loopback_without_tls("postgresql://u@localhost/db?application_name=x"),
            "postgresql://u@localhost/db?application_name=x&sslmode=disable"
        );
        assert_eq!(
            loopback_without_tls("postgres://u@[::1]/db"),
            "postgres://u@[::1]/db?sslmode=disable"
        );
        for kept in [
            "postgres://u@127.0.0.1/db?sslmode=require",
            "postgres://u@db.example.org/db",
            "postgres://u@10.0.0.5/db",
            "sqlite://data/replyd.db?mode=rwc",
        ] {
            assert_eq!(loopback_without_tls(kept), kept);
        }
    }
}
