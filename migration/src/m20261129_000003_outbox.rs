//! The mail outbox and the mail subscribers (double opt-in, unsubscribe-from-everything).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
    Id,
    Kind,
    DedupeKey,
    Recipient,
    Payload,
    MessageId,
    State,
    Attempts,
    DueAt,
    LeaseUntil,
    LeaseToken,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum MailSubscribers {
    Table,
    Id,
    EmailNorm,
    ConfirmedAt,
    ConfirmSentAt,
    UnsubscribedAll,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(big_pk_auto(Outbox::Id))
                .col(string_len(Outbox::Kind, 32))
                .col(string_len(Outbox::DedupeKey, 1200))
                .col(string_len(Outbox::Recipient, 1016))
                .col(text(Outbox::Payload))
                .col(string_len(Outbox::MessageId, 255))
                .col(string_len(Outbox::State, 16))
                .col(integer(Outbox::Attempts))
                .col(timestamp_with_time_zone(Outbox::DueAt))
                .col(timestamp_with_time_zone_null(Outbox::LeaseUntil))
                .col(string_len_null(Outbox::LeaseToken, 64))
                .col(text_null(Outbox::LastError))
                .col(timestamp_with_time_zone(Outbox::CreatedAt))
                .col(timestamp_with_time_zone_null(Outbox::SentAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("outbox_dedupe_key")
                .table(Outbox::Table)
                .col(Outbox::DedupeKey)
                .unique()
                .to_owned(),
        )
        .await?;
        // The worker's claim: due pending rows, oldest first.
        m.create_index(
            Index::create()
                .name("outbox_state_due")
                .table(Outbox::Table)
                .col(Outbox::State)
                .col(Outbox::DueAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(MailSubscribers::Table)
                .col(big_pk_auto(MailSubscribers::Id))
                .col(string_len(MailSubscribers::EmailNorm, 1016))
                .col(timestamp_with_time_zone_null(MailSubscribers::ConfirmedAt))
                .col(timestamp_with_time_zone_null(
                    MailSubscribers::ConfirmSentAt,
                ))
                .col(boolean(MailSubscribers::UnsubscribedAll))
                .col(timestamp_with_time_zone(MailSubscribers::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("mail_subscribers_email")
                .table(MailSubscribers::Table)
                .col(MailSubscribers::EmailNorm)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(MailSubscribers::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await
    }
}
