//! Bans made from a comment: a label saying which comment an address-hash ban came from
//! (the raw address is never stored, so the hash alone would mean nothing to a person).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Bans {
    Table,
    Label,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Bans::Table)
                .add_column(string_len_null(Bans::Label, 200))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Bans::Table)
                .drop_column(Bans::Label)
                .to_owned(),
        )
        .await
    }
}
