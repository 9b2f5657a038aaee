//! A deleted comment kept for its replies: the one list of what a placeholder erases of its
//! author and its text, shared by deletion, erasure on request and imports.
use entity::comment;
use sea_orm::ActiveValue::Set;

/// Marks the comment deleted and erases its author, text and client details.
pub(super) fn erase(am: &mut comment::ActiveModel) {
    am.deleted = Set(true);
    am.author_name = Set(String::new());
    am.author_email = Set(String::new());
    am.email_norm = Set(String::new());
    am.author_url = Set(None);
    am.text = Set(String::new());
    am.html = Set(String::new());
    am.ip_hash = Set(None);
    am.ip_prefix = Set(None);
    am.user_agent = Set(None);
}
