//! WordPress's own ids of imported posts and comments, so that a theme's unchanged comment
//! form (`comment_post_ID`, `comment_parent`) finds the page and the comment it names.
//! One row maps one WordPress id on one site to replyd's page or comment.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum WordpressIds {
    Table,
    SiteId,
    Kind,
    WpId,
    LocalId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WordpressIds::Table)
                .col(string_len(WordpressIds::SiteId, 64))
                // `post` (local id: a page) or `comment` (local id: a comment).
                .col(string_len(WordpressIds::Kind, 16))
                .col(big_integer(WordpressIds::WpId))
                .col(big_integer(WordpressIds::LocalId))
                .primary_key(
                    Index::create()
                        .col(WordpressIds::SiteId)
                        .col(WordpressIds::Kind)
                        .col(WordpressIds::WpId),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WordpressIds::Table).to_owned())
            .await
    }
}
