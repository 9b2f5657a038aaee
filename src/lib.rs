//! replyd: a self-hosted comment moderation service.
pub mod app; // start-up: config in, running server out
pub mod backup; // consistent copies of a live SQLite database, and restoring them
pub mod cli; // the command line
pub mod clock; // injected time
pub mod config; // the typed configuration tree
pub mod db; // database connections
pub mod http; // everything that speaks HTTP
pub mod keys; // the install secret and keys derived from it
pub mod limits; // request rate limits: one policy table, local and shared backends
pub mod mailbox; // the canonical form of an email address
pub mod metrics; // the Prometheus registry: requests, queue depth, mail, rate limits, cache
pub mod moderation; // the comment domain
pub mod notify; // email: outbox, worker, mailer, subscriptions
pub mod retention; // forgetting what is no longer needed, on a schedule
pub mod spam; // the spam filter that learns from moderators: features, model, scoring
pub mod state; // shared application state
pub mod team; // the moderator team: accounts, moderators, sessions, API tokens
pub mod transfer; // imports (WordPress, Disqus, Isso, JSON) and exports (JSON, WXR)
