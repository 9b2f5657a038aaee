//! Idempotency keys of comment submissions: one row per site and hashed key, written in the
//! same transaction as the comment it created, holding the answer the first request got so a
//! retry gets it again. The row goes with its comment when the comment is deleted or purged,
//! and the retention job removes it once it expires.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Comments {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum IdempotencyKeys {
    Table,
    Site,
    KeyHash,
    Fingerprint,
    CommentId,
    Answer,
    CreatedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(string_len(IdempotencyKeys::Site, 64))
                // SHA-256 of the key, hex: the key itself is never stored.
                .col(string_len(IdempotencyKeys::KeyHash, 64))
                // SHA-256 of the request's fields, hex: a reuse with another body is refused.
                .col(string_len(IdempotencyKeys::Fingerprint, 64))
                .col(big_integer(IdempotencyKeys::CommentId))
                // The first answer, as JSON.
                .col(text(IdempotencyKeys::Answer))
                .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                .col(timestamp_with_time_zone(IdempotencyKeys::ExpiresAt))
                .primary_key(
                    Index::create()
                        .col(IdempotencyKeys::Site)
                        .col(IdempotencyKeys::KeyHash),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(IdempotencyKeys::Table, IdempotencyKeys::CommentId)
                        .to(Comments::Table, Comments::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_idempotency_keys_expires_at")
                .table(IdempotencyKeys::Table)
                .col(IdempotencyKeys::ExpiresAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_idempotency_keys_comment_id")
                .table(IdempotencyKeys::Table)
                .col(IdempotencyKeys::CommentId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await
    }
}
