//! One outgoing mail: what to send, to whom, and where its delivery stands.
use sea_orm::entity::prelude::*;

use crate::enums::{MailKind, OutboxState};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: MailKind,
    /// Unique: enqueueing the same key twice is a no-op.
    pub dedupe_key: String,
    pub recipient: String,
    /// JSON with the ids the worker re-reads at send time.
    pub payload: String,
    /// Generated at enqueue and reused on every attempt.
    pub message_id: String,
    pub state: OutboxState,
    pub attempts: i32,
    pub due_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    pub lease_token: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
