//! A ban: comments from a matching email, address or email domain go to spam.
use sea_orm::entity::prelude::*;

use crate::enums::BanKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: BanKind,
    /// The normalised email, network (CIDR), domain, or keyed address hash.
    pub value: String,
    pub reason: String,
    /// What a person reads instead of the value, e.g. "address of comment #12 (prefix
    /// 203.0.113.0/24)" for an `address_hash` ban.
    pub label: Option<String>,
    /// The ban stops applying at this time; never when null.
    pub expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
