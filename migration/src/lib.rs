//! Schema migrations: append-only, timestamp-named. Never imports the `entity` crate.
pub use sea_orm_migration::prelude::*;

mod m20261129_000001_foundation;
mod m20261129_000002_abuse;
mod m20261129_000003_outbox;
mod m20261129_000004_dashboard;
mod m20261130_000005_address_bans;
mod m20261202_000006_audit_actor;
mod m20261203_200001_imports;
mod m20261203_300001_wordpress_ids;
mod m20261203_300002_privacy_requests;
mod m20261204_100001_spam_filter;
mod m20261204_400001_subscriber_mailbox;
mod m20261204_400002_token_expiry;
mod m20261204_600001_post_moderation;
mod m20261205_100001_idempotency_keys;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_foundation::Migration),
            Box::new(m20261129_000002_abuse::Migration),
            Box::new(m20261129_000003_outbox::Migration),
            Box::new(m20261129_000004_dashboard::Migration),
            Box::new(m20261130_000005_address_bans::Migration),
            Box::new(m20261202_000006_audit_actor::Migration),
            Box::new(m20261203_300001_wordpress_ids::Migration),
            Box::new(m20261203_300002_privacy_requests::Migration),
            Box::new(m20261203_200001_imports::Migration),
            Box::new(m20261204_600001_post_moderation::Migration),
            Box::new(m20261204_400001_subscriber_mailbox::Migration),
            Box::new(m20261204_400002_token_expiry::Migration),
            Box::new(m20261204_100001_spam_filter::Migration),
            Box::new(m20261205_100001_idempotency_keys::Migration),
        ]
    }
}
