//! The spam filter's models: one row of totals per model (messages trained as spam and as
//! ham, and the training step), one row per feature with its counts, and one row per
//! trained comment saying which model it trained and as what, so that undoing a decision
//! untrains exactly that; and the score each comment got when it arrived. Trainings and scores
//! go with their comment when it is deleted.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The comments a training or a score belongs to: both go when the comment is deleted.
#[derive(DeriveIden, Clone, Copy)]
enum Comments {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum SpamModels {
    Table,
    Model,
    Spam,
    Ham,
    Step,
}

#[derive(DeriveIden, Clone, Copy)]
enum SpamTokens {
    Table,
    Model,
    Token,
    Spam,
    Ham,
    Seen,
}

#[derive(DeriveIden, Clone, Copy)]
enum SpamTrainings {
    Table,
    CommentId,
    Model,
    Label,
}

#[derive(DeriveIden, Clone, Copy)]
enum SpamScores {
    Table,
    CommentId,
    Score,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SpamModels::Table)
                .col(string_len(SpamModels::Model, 64).primary_key())
                .col(big_integer(SpamModels::Spam))
                .col(big_integer(SpamModels::Ham))
                .col(big_integer(SpamModels::Step))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SpamTokens::Table)
                .col(string_len(SpamTokens::Model, 64))
                .col(string_len(SpamTokens::Token, 200))
                .col(big_integer(SpamTokens::Spam))
                .col(big_integer(SpamTokens::Ham))
                .col(big_integer(SpamTokens::Seen))
                .primary_key(
                    Index::create()
                        .col(SpamTokens::Model)
                        .col(SpamTokens::Token),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SpamTrainings::Table)
                .col(big_integer(SpamTrainings::CommentId).primary_key())
                .col(string_len(SpamTrainings::Model, 64))
                // `ham` or `spam`.
                .col(string_len(SpamTrainings::Label, 8))
                .foreign_key(
                    ForeignKey::create()
                        .from(SpamTrainings::Table, SpamTrainings::CommentId)
                        .to(Comments::Table, Comments::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The filter's score of a comment when it arrived, so the queue can sort by it.
        m.create_table(
            Table::create()
                .table(SpamScores::Table)
                .col(big_integer(SpamScores::CommentId).primary_key())
                .col(double(SpamScores::Score))
                .foreign_key(
                    ForeignKey::create()
                        .from(SpamScores::Table, SpamScores::CommentId)
                        .to(Comments::Table, Comments::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_spam_scores_score")
                .table(SpamScores::Table)
                .col(SpamScores::Score)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            SpamScores::Table.into_iden(),
            SpamTrainings::Table.into_iden(),
            SpamTokens::Table.into_iden(),
            SpamModels::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
