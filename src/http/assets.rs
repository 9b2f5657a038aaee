//! The dashboard's one stylesheet and one script, served with a long private lifetime.
//! Links carry a content hash (`?v=`), so a new build is fetched at once.
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("assets/admin.css");
const JS: &str = include_str!("assets/admin.js");

/// FNV-1a, computed at compile time: a cache-busting version, not a security hash.
const fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

const fn hex16(v: u64) -> [u8; 16] {
    let digits = b"0123456789abcdef";
    let mut out = [0u8; 16];
    let mut i = 0;
    while i < 16 {
        out[i] = digits[((v >> ((15 - i) * 4)) & 0xf) as usize];
        i += 1;
    }
    out
}

const CSS_HEX: [u8; 16] = hex16(fnv(CSS.as_bytes()));
const JS_HEX: [u8; 16] = hex16(fnv(JS.as_bytes()));

pub const CSS_VERSION: &str = match std::str::from_utf8(&CSS_HEX) {
    Ok(s) => s,
    Err(_) => "0",
};
pub const JS_VERSION: &str = match std::str::from_utf8(&JS_HEX) {
    Ok(s) => s,
    Err(_) => "0",
};

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    res
}

pub async fn css() -> Response {
    asset(CSS, "text/css; charset=utf-8")
}

pub async fn js() -> Response {
    asset(JS, "text/javascript; charset=utf-8")
}
