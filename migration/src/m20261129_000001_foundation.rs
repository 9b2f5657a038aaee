//! Pages, comments, moderators, API tokens, the audit log and settings.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Pages {
    Table,
    Id,
    SiteId,
    Uri,
    Title,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Comments {
    Table,
    Id,
    PageId,
    ParentId,
    AuthorName,
    AuthorEmail,
    EmailNorm,
    AuthorUrl,
    Text,
    Html,
    Status,
    Reasons,
    IpHash,
    IpPrefix,
    UserAgent,
    NotifyReplies,
    ByModerator,
    Deleted,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Moderators {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    Role,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ApiTokens {
    Table,
    Id,
    Name,
    ModeratorId,
    TokenHash,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditLog {
    Table,
    Id,
    Actor,
    Action,
    CommentId,
    FromStatus,
    ToStatus,
    Detail,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Settings {
    Table,
    Key,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Pages::Table)
                .col(big_pk_auto(Pages::Id))
                .col(string_len(Pages::SiteId, 64))
                .col(string_len(Pages::Uri, 2000))
                .col(string_len_null(Pages::Title, 500))
                .col(timestamp_with_time_zone(Pages::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("pages_site_uri")
                .table(Pages::Table)
                .col(Pages::SiteId)
                .col(Pages::Uri)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Comments::Table)
                .col(big_pk_auto(Comments::Id))
                .col(big_integer(Comments::PageId))
                .col(big_integer_null(Comments::ParentId))
                .col(string_len(Comments::AuthorName, 400))
                .col(string_len(Comments::AuthorEmail, 1016))
                .col(string_len(Comments::EmailNorm, 1016))
                .col(string_len_null(Comments::AuthorUrl, 2000))
                .col(text(Comments::Text))
                .col(text(Comments::Html))
                .col(string_len(Comments::Status, 16))
                .col(text(Comments::Reasons))
                .col(string_len_null(Comments::IpHash, 64))
                .col(string_len_null(Comments::IpPrefix, 64))
                .col(text_null(Comments::UserAgent))
                .col(boolean(Comments::NotifyReplies))
                .col(boolean(Comments::ByModerator))
                .col(boolean(Comments::Deleted))
                .col(timestamp_with_time_zone(Comments::CreatedAt))
                .col(timestamp_with_time_zone(Comments::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Comments::Table, Comments::PageId)
                        .to(Pages::Table, Pages::Id),
                )
                .to_owned(),
        )
        .await?;
        // The public thread read: approved comments of one page, oldest first.
        index(
            m,
            "comments_page_status_created",
            Comments::Table,
            &[Comments::PageId, Comments::Status, Comments::CreatedAt],
        )
        .await?;
        // The moderation queue: by status, newest or oldest first.
        index(
            m,
            "comments_status_created",
            Comments::Table,
            &[Comments::Status, Comments::CreatedAt],
        )
        .await?;
        // First-time moderation: does this email already have an approved comment?
        index(
            m,
            "comments_email_status",
            Comments::Table,
            &[Comments::EmailNorm, Comments::Status],
        )
        .await?;
        index(m, "comments_parent", Comments::Table, &[Comments::ParentId]).await?;

        m.create_table(
            Table::create()
                .table(Moderators::Table)
                .col(big_pk_auto(Moderators::Id))
                .col(string_len_uniq(Moderators::Email, 1016))
                .col(string_len(Moderators::Name, 400))
                .col(string_len(Moderators::PasswordHash, 255))
                .col(string_len(Moderators::Role, 16))
                .col(timestamp_with_time_zone(Moderators::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(big_pk_auto(ApiTokens::Id))
                .col(string_len(ApiTokens::Name, 200))
                .col(big_integer_null(ApiTokens::ModeratorId))
                .col(string_len_uniq(ApiTokens::TokenHash, 64))
                .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_pk_auto(AuditLog::Id))
                .col(string_len(AuditLog::Actor, 200))
                .col(string_len(AuditLog::Action, 64))
                .col(big_integer_null(AuditLog::CommentId))
                .col(string_len_null(AuditLog::FromStatus, 16))
                .col(string_len_null(AuditLog::ToStatus, 16))
                .col(text(AuditLog::Detail))
                .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(m, "audit_comment", AuditLog::Table, &[AuditLog::CommentId]).await?;

        m.create_table(
            Table::create()
                .table(Settings::Table)
                .col(string_len(Settings::Key, 128).primary_key())
                .col(text(Settings::Value))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Settings::Table.into_iden(),
            AuditLog::Table.into_iden(),
            ApiTokens::Table.into_iden(),
            Moderators::Table.into_iden(),
            Comments::Table.into_iden(),
            Pages::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

async fn index<T: IntoIden + Copy + 'static, C: IntoIden + Copy + 'static>(
    m: &SchemaManager<'_>,
    name: &str,
    table: T,
    cols: &[C],
) -> Result<(), DbErr> {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(*c);
    }
    m.create_index(idx.to_owned()).await
}
