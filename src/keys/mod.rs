//! The install secret and the keys derived from it: address hashing, the raw MAC that CSRF
//! tokens and limiter key tags use, and (in `token`) the one signed-token envelope.
//! The secret is generated on first run and kept in the database unless config sets it.
//! Knows nothing of comments, mail or HTTP: callers name their purpose.
pub mod compare;
pub mod token;

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngExt;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use entity::setting;

const SECRET_KEY: &str = "install_secret";

/// Keys derived from the install secret, one per purpose, so that one use can never be
/// replayed as another.
#[derive(Clone)]
pub struct Keys {
    /// Each key is kept as a MAC already keyed with it: cloning one is cheaper than keying
    /// a fresh MAC, which costs two hash blocks every time.
    address: Hmac<Sha256>,
    signing: Hmac<Sha256>,
    /// For `token::SignedToken` only, so no raw tag can ever pass as a token or back.
    token: Hmac<Sha256>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

impl Keys {
    /// Uses the configured secret, or the one stored in the database, creating it if needed.
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        configured: Option<&SecretString>,
    ) -> Result<Keys, DbErr> {
        if let Some(s) = configured.filter(|s| !s.expose_secret().is_empty()) {
            return Ok(Keys::from_secret(s.expose_secret().as_bytes()));
        }
        let fresh: [u8; 32] = rand::rng().random();
        // Insert-if-absent, then read back: two instances starting together agree on one secret.
        setting::Entity::insert(setting::ActiveModel {
            key: Set(SECRET_KEY.into()),
            value: Set(hex::encode(fresh)),
        })
        .on_conflict_do_nothing_on([setting::Column::Key])
        .exec(db)
        .await?;
        let row = setting::Entity::find_by_id(SECRET_KEY.to_owned())
            .one(db)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("install secret".into()))?;
        Ok(Keys::from_secret(row.value.as_bytes()))
    }

    pub fn from_secret(secret: &[u8]) -> Keys {
        Keys {
            address: mac(&derive(secret, b"replyd/address-hash/v1")),
            signing: mac(&derive(secret, b"replyd/signed-token/v1")),
            token: mac(&derive(secret, b"replyd/token-envelope/v1")),
        }
    }

    /// A keyed, non-reversible identifier for a client address: an IPv4 address, or the
    /// /64 of an IPv6 address (one client picks any interface id inside its /64 at will, so
    /// a ban on "this address" must cover them all).
    pub fn address_hash(&self, ip: IpAddr) -> String {
        let ip = match ip {
            IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
            v4 => v4,
        };
        let mut mac = self.address.clone();
        mac.update(ip.to_string().as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// Signs `message` for `purpose` and returns a URL-safe tag.
    pub fn sign(&self, purpose: &str, message: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.tag(purpose, message))
    }

    /// Checks a tag made by [`Keys::sign`] in constant time.
    pub fn verify(&self, purpose: &str, message: &str, tag: &str) -> bool {
        let Ok(tag) = URL_SAFE_NO_PAD.decode(tag) else {
            return false;
        };
        compare::same_bytes(&self.tag(purpose, message), &tag)
    }

    fn tag(&self, purpose: &str, message: &str) -> Vec<u8> {
        self.signer(purpose, message)
            .finalize()
            .into_bytes()
            .to_vec()
    }

    /// The signing MAC fed with `purpose`, a separator and `message`.
    fn signer(&self, purpose: &str, message: &str) -> Hmac<Sha256> {
        let mut m = self.signing.clone();
        m.update(purpose.as_bytes());
        m.update(b"\0");
        m.update(message.as_bytes());
        m
    }
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    }
}

fn derive(secret: &[u8], label: &[u8]) -> Vec<u8> {
    let mut m = mac(secret);
    m.update(label);
    m.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_verifies_only_for_its_purpose_and_message() {
        let k = Keys::from_secret(b"0123456789abcdef0123456789abcdef");
        let t = k.sign("act", "1:approve");
        assert!(k.verify("act", "1:approve", &t));
        assert!(!k.verify("act", "2:approve", &t));
        assert!(!k.verify("form", "1:approve", &t));
        assert!(!k.verify("act", "1:approve", "AAAA"));
    }

    #[test]
    fn address_hashes_depend_on_the_secret() {
        let ip: IpAddr = [203, 0, 113, 9].into();
        let a = Keys::from_secret(b"a").address_hash(ip);
        assert_eq!(a, Keys::from_secret(b"a").address_hash(ip));
        assert_ne!(a, Keys::from_secret(b"b").address_hash(ip));
        let k = Keys::from_secret(b"a");
        let v6 = |s: &str| s.parse::<IpAddr>().unwrap_or_else(|_| unreachable!());
        assert_eq!(
            k.address_hash(v6("2001:db8:1:2::1")),
            k.address_hash(v6("2001:db8:1:2:dead:beef:0:7")),
            "one IPv6 /64 is one address"
        );
        assert_ne!(
            k.address_hash(v6("2001:db8:1:2::1")),
            k.address_hash(v6("2001:db8:1:3::1"))
        );
        assert!(!a.contains("203"));
    }
}
