//! A commenter's request to export or erase what is stored under their address, until the
//! link mailed to that address is used or expires.
use sea_orm::entity::prelude::*;

use crate::enums::PrivacyKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "privacy_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub site_id: String,
    /// The normalised address; emptied once an erasure is carried out.
    pub email_norm: String,
    pub kind: PrivacyKind,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
