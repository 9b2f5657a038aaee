//! Password hashes: argon2id with default parameters, computed off the async threads, and
//! a dummy hash so that an unknown email costs what a wrong password costs. Every check
//! of a password passes through `verify`, the one place a bound on concurrent checks fits.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use super::TeamError;

/// An argon2id hash (default parameters) of a password nobody knows. Checking a login for an
/// unknown email against it costs the same time as a real check, so timing reveals nothing.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$+BV0j9BxOxjZbCR65mwzaA$52XNbx1GpJmv/DhTho0y2vlYu+3JhUQY7kSKEaZWKY0";

/// Hashes a new password on the blocking pool.
pub async fn hash(password: &str) -> Result<String, TeamError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|_| TeamError::Hash)?
}

/// Whether `password` matches `hash` (a PHC string), checked on the blocking pool while
/// holding `permit`, one of the bounded slots. A hash that does not parse matches nothing.
/// `checks` counts the argon2 runs, so tests can see that every sign-in pays for one.
pub async fn verify(
    password: &str,
    hash: String,
    permit: tokio::sync::OwnedSemaphorePermit,
    checks: &Arc<AtomicU64>,
) -> bool {
    let password = password.to_owned();
    let checks = checks.clone();
    tokio::task::spawn_blocking(move || {
        let ok = verify_now(&password, &hash);
        checks.fetch_add(1, Ordering::Relaxed);
        drop(permit);
        ok
    })
    .await
    .unwrap_or(false)
}

fn hash_now(password: &str) -> Result<String, TeamError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| TeamError::Hash)
}

fn verify_now(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::phc::PasswordHash;

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_costs() {
        let fresh = hash_now("some password").unwrap();
        let fresh = PasswordHash::new(&fresh).unwrap();
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(dummy.algorithm, fresh.algorithm);
        assert_eq!(dummy.version, fresh.version);
        assert_eq!(dummy.params, fresh.params);
        assert!(!verify_now("", DUMMY_HASH));
    }

    #[tokio::test]
    async fn a_hashed_password_verifies_and_another_does_not() {
        let h = hash("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(1));
        let permit = || slots.clone().try_acquire_owned().unwrap();
        let checks = Arc::new(AtomicU64::new(0));
        assert!(verify("correct horse battery", h.clone(), permit(), &checks).await);
        assert!(!verify("wrong horse battery", h, permit(), &checks).await);
        assert_eq!(checks.load(Ordering::Relaxed), 2);
        assert_eq!(
            slots.available_permits(),
            1,
            "each check gives its slot back"
        );
    }
}
