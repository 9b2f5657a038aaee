//! A WordPress id of an imported post or comment on one site, and replyd's own id for it.
use sea_orm::entity::prelude::*;

use crate::enums::WordpressKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wordpress_ids")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub site_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: WordpressKind,
    #[sea_orm(primary_key, auto_increment = false)]
    pub wp_id: i64,
    /// The page's id for a post, the comment's id for a comment.
    pub local_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
