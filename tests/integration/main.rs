//! Integration tests: the real app on a random port, one fresh database per test, on SQLite
//! and (with `TEST_DATABASE_URL`) on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod admin_auth;
mod admin_queue;
mod admin_setup;
mod browser_dashboard;
mod cli;
mod hardening;
mod moderation_api;
mod no_js_form;
mod one_click;
mod openapi;
mod privacy;
mod submit;
mod validation;
