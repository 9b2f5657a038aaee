//! What imports remember: whether the source had comments closed on a page (WordPress's
//! `comment_status`), and the source id of each imported comment, so that a second run of
//! the same import adds nothing and an interrupted one resumes. (WordPress's post and
//! comment ids are kept in `wordpress_ids`, for the WordPress form.)
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Pages {
    Table,
    CommentsClosed,
}

#[derive(DeriveIden, Clone, Copy)]
enum Comments {
    Table,
    PageId,
    SourceId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Pages::Table)
                .add_column(boolean(Pages::CommentsClosed).default(false))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Comments::Table)
                .add_column(string_len_null(Comments::SourceId, 128))
                .to_owned(),
        )
        .await?;
        // A source's comment is imported once per page, whatever happens to the run.
        m.create_index(
            Index::create()
                .name("comments_page_source_id")
                .table(Comments::Table)
                .col(Comments::PageId)
                .col(Comments::SourceId)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("comments_page_source_id")
                .table(Comments::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Comments::Table)
                .drop_column(Comments::SourceId)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Pages::Table)
                .drop_column(Pages::CommentsClosed)
                .to_owned(),
        )
        .await
    }
}
