//! A spam filter model's totals: messages trained as spam and as ham, and its training step.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spam_models")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub model: String,
    pub spam: i64,
    pub ham: i64,
    pub step: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
