//! Each mail subscriber's canonical mailbox (lower case, no `+tag`, no dots before the `@`),
//! indexed, so that the one-confirmation-mail-a-day limit counts every spelling of one
//! mailbox as one. Rows from before have no mailbox (''); they only ever matched their own
//! exact address, as before.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MailSubscribers {
    Table,
    Mailbox,
}

const INDEX: &str = "idx_mail_subscribers_mailbox";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(MailSubscribers::Table)
                .add_column(string_len(MailSubscribers::Mailbox, 320).default(""))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(MailSubscribers::Table)
                .col(MailSubscribers::Mailbox)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(INDEX)
                .table(MailSubscribers::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(MailSubscribers::Table)
                .drop_column(MailSubscribers::Mailbox)
                .to_owned(),
        )
        .await
    }
}
