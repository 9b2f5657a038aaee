//! Pages and comments as an import from WordPress leaves them: written as history, with the
//! WordPress post and comment ids remembered, so the site's own comment form finds them.
use std::collections::HashMap;

use chrono::{Duration, Utc};
use entity::enums::CommentStatus;
use replyd::moderation::PastComment;
use replyd::moderation::input::PageUri;
use replyd::moderation::wordpress::WordpressIds;

use super::TestApp;

/// One comment of a WordPress post: its WordPress id, the WordPress id it replies to (0 for
/// none), its author and text.
pub struct WpComment<'a> {
    pub id: i64,
    pub parent: i64,
    pub author: &'a str,
    pub text: &'a str,
}

impl TestApp {
    /// Imports WordPress post `post_id` at `uri` on `site` with its approved `comments`, in
    /// order (parents first). Returns each WordPress comment id's replyd id.
    pub async fn import_wordpress_post(
        &self,
        site: &str,
        post_id: i64,
        uri: &str,
        comments: &[WpComment<'_>],
    ) -> HashMap<i64, i64> {
        let page = PageUri::parse(uri).expect("a page path");
        let mut ids: HashMap<i64, i64> = HashMap::new();
        let start = Utc::now() - Duration::days(400);
        for (n, c) in comments.iter().enumerate() {
            let past = PastComment {
                parent_id: (c.parent != 0).then(|| ids[&c.parent]),
                author_name: c.author.to_owned(),
                author_email: format!("{}@example.net", c.author.to_lowercase().replace(' ', ".")),
                author_url: None,
                text: c.text.to_owned(),
                status: CommentStatus::Approved,
                created_at: start + Duration::hours(i64::try_from(n).unwrap()),
            };
            let written = self
                .state
                .moderation
                .write_history(site, &page, vec![past], "import")
                .await
                .expect("history written");
            ids.insert(c.id, written[0]);
        }
        let page_id = self.page_id(site, uri).await;
        let wp = WordpressIds {
            posts: vec![(post_id, page_id)],
            comments: ids.iter().map(|(wp, local)| (*wp, *local)).collect(),
        };
        self.state
            .moderation
            .remember_wordpress_ids(site, &wp)
            .await
            .expect("ids remembered");
        ids
    }

    /// The id of the page `uri` of `site`.
    pub async fn page_id(&self, site: &str, uri: &str) -> i64 {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::page::Entity::find()
            .filter(entity::page::Column::SiteId.eq(site))
            .filter(entity::page::Column::Uri.eq(uri))
            .one(&self.state.db.reader)
            .await
            .expect("page query")
            .expect("the page exists")
            .id
    }

    /// One stored comment, private fields and all.
    pub async fn stored(&self, id: i64) -> Option<entity::comment::Model> {
        use sea_orm::EntityTrait;
        entity::comment::Entity::find_by_id(id)
            .one(&self.state.db.reader)
            .await
            .expect("comment query")
    }
}
