//! The dashboard chrome of a signed-in moderator; rendering itself is `http::render`'s.
use super::auth::SignedIn;
pub use crate::http::render::{Chrome, render};

impl Chrome {
    pub fn signed_in(user: &SignedIn, nav: &'static str) -> Chrome {
        Chrome {
            me: Some(user.moderator().name.clone()),
            is_admin: user.acting().is_admin(),
            csrf: user.csrf.clone(),
            nav,
            ..Chrome::bare()
        }
    }
}
