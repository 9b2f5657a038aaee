//! The client's address. The TCP peer, unless the peer is a trusted proxy: then the one
//! configured header (`server.client_ip_header`) is walked right to left, skipping trusted
//! hops. No other header is consulted, ever: a client cannot choose its address by sending
//! the header the proxy does not write. A header from an untrusted peer is ignored.
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use super::AppState;

/// The address a request came from, if the server knows it.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S> FromRequestParts<S> for ClientIp
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| canonical(a.ip()));
        let server = &state.config.server;
        Ok(ClientIp(peer.map(|p| {
            resolve(
                p,
                &parts.headers,
                &server.client_ip_header,
                &server.trusted_proxies,
            )
        })))
    }
}

/// Picks the client address given the peer, the headers, the one header to believe and the
/// trusted proxies.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, header: &str, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = hops(headers, header);
    let mut client = peer;
    for hop in hops.iter().rev() {
        client = *hop;
        if !is_trusted(hop) {
            break;
        }
    }
    client
}

/// The addresses named by the configured header, in order: `Forwarded: for=` when the
/// header is `forwarded`, else a comma-separated list. Unparsable entries are skipped.
fn hops(headers: &HeaderMap, header: &str) -> Vec<IpAddr> {
    let values = headers
        .get_all(header)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','));
    if header == "forwarded" {
        return values
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (k, v) = pair.trim().split_once('=')?;
                    k.eq_ignore_ascii_case("for").then(|| parse_node(v))?
                })
            })
            .collect();
    }
    values.filter_map(parse_node).collect()
}

/// Parses `1.2.3.4`, `1.2.3.4:80`, `"[2001:db8::1]:443"` or `2001:db8::1`.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let s = raw.trim().trim_matches('"');
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some(canonical(sa.ip()));
    }
    let inner = s.strip_prefix('[')?.split(']').next()?;
    inner.parse::<IpAddr>().ok().map(canonical)
}

/// Treats IPv4-mapped IPv6 addresses as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap_or_else(|_| unreachable!()));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|_| unreachable!())
    }

    fn ten() -> Vec<IpNet> {
        vec!["10.0.0.0/8".parse().unwrap_or_else(|_| unreachable!())]
    }

    #[test]
    fn untrusted_peers_headers_are_ignored() {
        let h = headers(&[("x-forwarded-for", "1.1.1.1")]);
        assert_eq!(
            resolve(ip("9.9.9.9"), &h, "x-forwarded-for", &[]),
            ip("9.9.9.9")
        );
    }

    #[test]
    fn trusted_hops_are_skipped_right_to_left() {
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 5.5.5.5, 10.0.0.2")]);
        assert_eq!(
            resolve(ip("10.0.0.1"), &h, "x-forwarded-for", &ten()),
            ip("5.5.5.5")
        );
        let f = headers(&[(
            "forwarded",
            "for=\"[2001:db8::7]:443\";proto=https, for=10.0.0.3",
        )]);
        assert_eq!(
            resolve(ip("10.0.0.1"), &f, "forwarded", &ten()),
            ip("2001:db8::7")
        );
    }

    #[test]
    fn only_the_configured_header_is_read_and_never_another() {
        let both = headers(&[("forwarded", "for=6.6.6.6"), ("x-forwarded-for", "5.5.5.5")]);
        let xff = resolve(ip("10.0.0.1"), &both, "x-forwarded-for", &ten());
        assert_eq!(
            xff,
            ip("5.5.5.5"),
            "a client-sent Forwarded is not preferred"
        );
        let fwd = resolve(ip("10.0.0.1"), &both, "forwarded", &ten());
        assert_eq!(fwd, ip("6.6.6.6"));
        let only_forwarded = headers(&[("forwarded", "for=6.6.6.6")]);
        let none = resolve(ip("10.0.0.1"), &only_forwarded, "x-forwarded-for", &ten());
        assert_eq!(none, ip("10.0.0.1"), "no fallback to another header");
    }
}
