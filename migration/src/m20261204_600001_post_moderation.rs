//! Moderation after publication: a page's publication date and its moderator override
//! (kept open despite `close_after_days`), a comment's pin and whether its reader reports
//! were dismissed, and the reader reports themselves (one row per reporter and comment).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Pages {
    Table,
    PublishedAt,
    KeptOpen,
}

#[derive(DeriveIden, Clone, Copy)]
enum Comments {
    Table,
    Id,
    PinnedAt,
    ReportsDismissed,
}

#[derive(DeriveIden, Clone, Copy)]
enum CommentReports {
    Table,
    Id,
    CommentId,
    AddressKey,
    BrowserKey,
    Reason,
    Note,
    Counted,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            ColumnDef::new(Pages::PublishedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            boolean(Pages::KeptOpen).default(false).to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Pages::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for col in [
            ColumnDef::new(Comments::PinnedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            boolean(Comments::ReportsDismissed)
                .default(false)
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Comments::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        reports(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CommentReports::Table).to_owned())
            .await?;
        for col in [Comments::PinnedAt, Comments::ReportsDismissed] {
            m.alter_table(
                Table::alter()
                    .table(Comments::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for col in [Pages::PublishedAt, Pages::KeptOpen] {
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

async fn reports(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(CommentReports::Table)
            .col(big_pk_auto(CommentReports::Id))
            .col(big_integer(CommentReports::CommentId))
            // Keyed hashes: of the reporter's address, and of the token their browser keeps.
            .col(string_len(CommentReports::AddressKey, 64))
            .col(string_len(CommentReports::BrowserKey, 64))
            // spam | abusive | off_topic | other
            .col(string_len(CommentReports::Reason, 16))
            .col(text_null(CommentReports::Note))
            // Whether it counted toward holding the comment (false once reports were dismissed).
            .col(boolean(CommentReports::Counted))
            .col(timestamp_with_time_zone(CommentReports::CreatedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(CommentReports::Table, CommentReports::CommentId)
                    .to(Comments::Table, Comments::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("idx_comment_reports_comment_address")
            .table(CommentReports::Table)
            .col(CommentReports::CommentId)
            .col(CommentReports::AddressKey)
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("idx_comment_reports_comment_browser")
            .table(CommentReports::Table)
            .col(CommentReports::CommentId)
            .col(CommentReports::BrowserKey)
            .to_owned(),
    )
    .await
}
