//! What imports remember: the WordPress post a page came from and whether WordPress had its
//! comments closed, and the source id of each imported comment, so that a second run of
//! the same import adds nothing and an interrupted one resumes.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Pages {
    Table,
    SiteId,
    WpPostId,
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
                .add_column(big_integer_null(Pages::WpPostId))
                .to_owned(),
        )
        .await?;
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
        // The WordPress form finds its page by post id; one page per post and site. NULLs
        // (pages that came from anywhere else) never collide.
        m.create_index(
            Index::create()
                .name("pages_site_wp_post_id")
                .table(Pages::Table)
                .col(Pages::SiteId)
                .col(Pages::WpPostId)
                .unique()
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
        for (name, table) in [
            ("comments_page_source_id", Comments::Table.into_iden()),
            ("pages_site_wp_post_id", Pages::Table.into_iden()),
        ] {
            m.drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Comments::Table)
                .drop_column(Comments::SourceId)
                .to_owned(),
        )
        .await?;
        for col in [Pages::CommentsClosed, Pages::WpPostId] {
            m.alter_table(
                Table::alter()
                    .table(Pages::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
