//! A ban: comments from a matching email, address or email domain go to spam.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `email`, `address` or `email_domain`.
    pub kind: String,
    /// The normalised email, network (CIDR) or domain.
    pub value: String,
    pub reason: String,
    /// The ban stops applying at this time; never when null.
    pub expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
