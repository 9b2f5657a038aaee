//! An address that opted in to mail: whether it confirmed, and whether it opted out of all.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_subscribers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub email_norm: String,
    /// The canonical mailbox (`mailbox::canonical` in the service); '' on rows from before
    /// it was kept.
    pub mailbox: String,
    pub confirmed_at: Option<DateTimeUtc>,
    /// When the last confirmation mail was enqueued: at most one per day.
    pub confirm_sent_at: Option<DateTimeUtc>,
    pub unsubscribed_all: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
