//! Privacy self-service: a commenter's request to export or erase what is stored under an
//! address, waiting for the confirmation link mailed to that address. The address is held
//! only until the request is carried out or expires.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum PrivacyRequests {
    Table,
    Id,
    SiteId,
    EmailNorm,
    Kind,
    CreatedAt,
    ExpiresAt,
    CompletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PrivacyRequests::Table)
                .col(big_pk_auto(PrivacyRequests::Id))
                .col(string_len(PrivacyRequests::SiteId, 64))
                .col(string_len(PrivacyRequests::EmailNorm, 1016))
                .col(string_len(PrivacyRequests::Kind, 16))
                .col(timestamp_with_time_zone(PrivacyRequests::CreatedAt))
                .col(timestamp_with_time_zone(PrivacyRequests::ExpiresAt))
                .col(timestamp_with_time_zone_null(PrivacyRequests::CompletedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("privacy_requests_expires")
                .table(PrivacyRequests::Table)
                .col(PrivacyRequests::ExpiresAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PrivacyRequests::Table).to_owned())
            .await
    }
}
