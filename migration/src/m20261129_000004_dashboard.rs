//! The moderation dashboard: login sessions, spent one-click links, and deactivating
//! moderators without losing their name in the audit log.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    IdHash,
    ModeratorId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SpentLinks {
    Table,
    TokenHash,
    CommentId,
    Action,
    SpentAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Moderators {
    Table,
    DisabledAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Only the SHA-256 of a session id is stored: a database leak opens no session.
        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string_len(Sessions::IdHash, 64).primary_key())
                .col(big_integer(Sessions::ModeratorId))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("sessions_moderator")
                .table(Sessions::Table)
                .col(Sessions::ModeratorId)
                .to_owned(),
        )
        .await?;
        // A one-click link works once: its hash is the key, inserted with the action.
        m.create_table(
            Table::create()
                .table(SpentLinks::Table)
                .col(string_len(SpentLinks::TokenHash, 64).primary_key())
                .col(big_integer(SpentLinks::CommentId))
                .col(string_len(SpentLinks::Action, 16))
                .col(timestamp_with_time_zone(SpentLinks::SpentAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Moderators::Table)
                .add_column(timestamp_with_time_zone_null(Moderators::DisabledAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Moderators::Table)
                .drop_column(Moderators::DisabledAt)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(SpentLinks::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Sessions::Table).to_owned())
            .await
    }
}
