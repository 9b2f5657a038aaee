//! Integration tests: the real app on a random port, one fresh database per test, on SQLite
//! and (with `TEST_DATABASE_URL`) on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod abuse_admin;
mod admin_auth;
mod admin_bans;
mod admin_lists;
mod admin_queue;
mod admin_setup;
mod browser_compat;
mod browser_dashboard;
mod browser_widget;
mod browser_widget_host;
mod browser_widget_nojs;
mod cli;
mod email_abuse;
mod email_alerts;
mod email_delivery;
mod email_privacy;
mod email_replies;
mod email_subscriptions;
mod embed;
mod group_commit;
mod hardening;
mod instances;
mod isso_api;
mod metrics;
mod migrations;
mod moderation_api;
mod no_js_form;
mod observability;
mod one_click;
mod openapi;
mod privacy;
mod privacy_requests;
mod rate_limits;
mod shared_limits;
mod spam;
mod submit;
mod thread_cache;
mod tokens;
mod validation;
mod wordpress_form;
