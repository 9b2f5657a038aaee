//! replyd: a self-hosted comment moderation service.
pub mod accounts; // moderator accounts and API tokens
pub mod app; // start-up: config in, running server out
pub mod cli; // the command line
pub mod clock; // injected time
pub mod config; // the typed configuration tree
pub mod db; // database connections
pub mod http; // everything that speaks HTTP
pub mod keys; // the install secret and keys derived from it
pub mod limits; // request rate limits: one policy table, local and shared backends
pub mod metrics; // the Prometheus registry: requests, queue depth, mail, rate limits, cache
pub mod moderation; // the comment domain
pub mod moderators; // the moderator team: accounts as the dashboard manages them
pub mod notify; // email: outbox, worker, mailer, subscriptions
pub mod sessions; // dashboard login sessions
pub mod state; // shared application state
