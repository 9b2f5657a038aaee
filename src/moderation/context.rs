//! Reads that give moderators context: the comments a queued comment replies to.
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{Moderation, ModerationError};
use entity::comment;

impl Moderation {
    /// The comments with these ids (unknown ids are skipped), for showing parents.
    pub async fn comments_by_ids(
        &self,
        ids: &[i64],
    ) -> Result<Vec<comment::Model>, ModerationError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(comment::Entity::find()
            .filter(comment::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db.reader)
            .await?)
    }
}
