//! Word rules, bans, and the duplicate fingerprint on comments.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum AbuseRules {
    Table,
    Id,
    Kind,
    Word,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Bans {
    Table,
    Id,
    Kind,
    Value,
    Reason,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Comments {
    Table,
    DupKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AbuseRules::Table)
                .col(big_pk_auto(AbuseRules::Id))
                .col(string_len(AbuseRules::Kind, 32))
                .col(string_len(AbuseRules::Word, 400))
                .col(timestamp_with_time_zone(AbuseRules::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Bans::Table)
                .col(big_pk_auto(Bans::Id))
                .col(string_len(Bans::Kind, 32))
                .col(string_len(Bans::Value, 1016))
                .col(text(Bans::Reason))
                .col(timestamp_with_time_zone_null(Bans::ExpiresAt))
                .col(timestamp_with_time_zone(Bans::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Comments::Table)
                .add_column(string_len_null(Comments::DupKey, 64))
                .to_owned(),
        )
        .await?;
        // One live comment per fingerprint and page: the submit transaction checks first,
        // and this catches two identical submissions racing on PostgreSQL. A deleted
        // comment kept as a placeholder does not count.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX comments_page_dup_key ON comments (page_id, dup_key) \
                 WHERE deleted = false",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX comments_page_dup_key")
            .await?;
        m.alter_table(
            Table::alter()
                .table(Comments::Table)
                .drop_column(Comments::DupKey)
                .to_owned(),
        )
        .await?;
        for t in [Bans::Table.into_iden(), AbuseRules::Table.into_iden()] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
