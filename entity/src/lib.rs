//! Database rows for replyd, one module per table. Rows only: no behaviour lives here.
pub mod abuse_rule;
pub mod api_token;
pub mod audit_log;
pub mod ban;
pub mod comment;
pub mod comment_report;
pub mod enums;
pub mod mail_subscriber;
pub mod moderator;
pub mod outbox;
pub mod page;
pub mod privacy_request;
pub mod session;
pub mod setting;
pub mod spent_link;
pub mod wordpress_id;
