//! Imported history, one page per transaction: the page found (by WordPress post id, then
//! by path) or made, the comments the source kept written with their own status, time and
//! source id, and one audit row. No screening and no mail: nothing here is new.
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::json;

use super::lookup::wordpress_comment;
use super::plan::{self, Parent, Plan, Planned};
use super::rows::{INSERT_CHUNK, TITLE_CHARS, clip, rendered, tombstone};
use crate::moderation::audit::{self, Actor, Entry};
use crate::moderation::input::PageUri;
use crate::moderation::wordpress::{self, WordpressIds};
use crate::moderation::{Moderation, ModerationError, html_text, markdown};
use entity::{comment, enums::CommentStatus, page};

/// One page of a source, with every comment it holds for that page.
#[derive(Debug)]
pub struct ImportedPage {
    pub uri: PageUri,
    pub title: Option<String>,
    pub wp_post_id: Option<i64>,
    /// The source had comments closed here.
    pub comments_closed: bool,
    pub comments: Vec<ImportedComment>,
}

/// A comment body as the source stored it; rendered and sanitised on import like any
/// other comment's.
#[derive(Debug, Clone)]
pub enum ImportedBody {
    /// The Markdown subset replyd writes.
    Markdown(String),
    /// Markdown that may hold inline HTML (Isso).
    MarkdownWithHtml(String),
    /// HTML (WordPress after its paragraphs are made, Disqus).
    Html(String),
    /// Already ours: replyd's own export, its text and HTML. The HTML is cleaned again.
    Replyd { text: String, html: String },
}

impl ImportedBody {
    pub fn markdown(s: &str) -> ImportedBody {
        ImportedBody::Markdown(s.to_owned())
    }

    /// The editable text and the published HTML.
    pub(super) fn render(&self) -> (String, String) {
        match self {
            ImportedBody::Markdown(md) => (md.clone(), markdown::render(md)),
            ImportedBody::MarkdownWithHtml(md) => (md.clone(), markdown::render_with_html(md)),
            ImportedBody::Html(html) => {
                let html = markdown::clean_html(html);
                (html_text::markdown_of(&html), html)
            }
            ImportedBody::Replyd { text, html } => (text.clone(), markdown::clean_html(html)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ImportedComment {
    /// `SYSTEM:ID`, unique within the source (`wordpress:123`).
    pub source_id: String,
    /// The parent's source id.
    pub parent: Option<String>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: ImportedBody,
    pub status: CommentStatus,
    /// Deleted or trashed at the source: kept only as a tombstone for its replies.
    pub deleted: bool,
    /// Written by a moderator of the site (replyd's own export says so).
    pub by_moderator: bool,
    pub created_at: DateTime<Utc>,
    /// The client address, kept only as its keyed hash and prefix, and only when the
    /// comment is younger than `retention.address_days`.
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

/// What importing one page did (or, in a dry run, would do).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PageOutcome {
    pub page_created: bool,
    /// Comments written, by status; tombstones are counted apart.
    pub written: BTreeMap<&'static str, usize>,
    pub tombstones: usize,
    pub already: usize,
    pub repeated: usize,
    pub deleted: usize,
    pub orphans: usize,
    /// Values longer than their column, shortened.
    pub shortened: usize,
}

impl PageOutcome {
    fn of(plan: &Plan) -> PageOutcome {
        let mut out = PageOutcome {
            already: plan.already,
            repeated: plan.repeated,
            deleted: plan.deleted,
            orphans: plan.orphans,
            ..PageOutcome::default()
        };
        for p in plan.generations.iter().flatten() {
            if p.tombstone {
                out.tombstones += 1;
            } else {
                *out.written.entry(p.comment.status.as_str()).or_default() += 1;
            }
        }
        out
    }
}

/// How an import runs: who it is from, and whether it writes.
#[derive(Debug, Clone)]
pub struct ImportRun {
    /// The source's name for the audit row: `wordpress`, `disqus`, `isso`, `json`.
    pub source: &'static str,
    pub dry_run: bool,
}

impl Moderation {
    /// Renders and sanitises a page's comments and hashes their addresses: the CPU work of
    /// an import, done on the reader's thread so the writer only writes. A dry run renders
    /// nothing.
    pub fn prepare_import(&self, page: ImportedPage, run: &ImportRun) -> PreparedPage {
        if run.dry_run {
            return PreparedPage(Prepared::Raw(page));
        }
        let meta = PageMeta::of(&page);
        let rows = rendered(page.comments, &self.keys, self.address_cutoff());
        PreparedPage(Prepared::Rendered { meta, rows })
    }

    /// Imports one page in one transaction with one audit row. Comments whose source id is
    /// already on the page are left alone, so running the same import again adds nothing.
    pub async fn import_page(
        &self,
        site: &str,
        page: PreparedPage,
        run: &ImportRun,
    ) -> Result<PageOutcome, ModerationError> {
        self.config.site(site).ok_or(ModerationError::UnknownSite)?;
        match page.0 {
            Prepared::Rendered { meta, rows } => self.write_imported(site, meta, rows, run).await,
            Prepared::Raw(page) => {
                let found = find(&self.db.reader, site, &page).await?;
                let stored = match &found {
                    Some(p) => stored_ids(&self.db.reader, p.id).await?,
                    None => HashMap::new(),
                };
                let mut outcome = PageOutcome::of(&plan::plan(page.comments, &stored));
                outcome.page_created = found.is_none();
                Ok(outcome)
            }
        }
    }

    async fn write_imported(
        &self,
        site: &str,
        meta: PageMeta,
        rows: Vec<(ImportedComment, comment::ActiveModel, bool)>,
        run: &ImportRun,
    ) -> Result<PageOutcome, ModerationError> {
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let (page, created, mapped) = page_in(&tx, site, &meta, now).await?;
        let changed = mapped.changed || meta.wp_post_id.is_some() && !mapped.post;
        let stored = stored_ids(&tx, page.id).await?;
        let mut models: HashMap<String, (comment::ActiveModel, bool)> = HashMap::new();
        let comments = rows
            .into_iter()
            .map(|(c, am, short)| {
                models.entry(c.source_id.clone()).or_insert((am, short));
                c
            })
            .collect();
        let plan = plan::plan(comments, &stored);
        let mut outcome = PageOutcome::of(&plan);
        outcome.page_created = created;
        if plan.len() == 0 && !created && !changed {
            return Ok(outcome);
        }
        let (shortened, ids) = insert_plan(&tx, page.id, plan, &mut models).await?;
        outcome.shortened = shortened;
        let wp = WordpressIds {
            posts: meta
                .wp_post_id
                .filter(|_| !mapped.post)
                .map(|id| (id, page.id))
                .into_iter()
                .collect(),
            comments: ids
                .iter()
                .filter_map(|(s, id)| wordpress_comment(s).map(|wp| (wp, *id)))
                .collect(),
        };
        wordpress::remember(&tx, site, &wp).await?;
        let detail = json!({
            "source": run.source, "site": site, "uri": page.uri,
            "comments": outcome.written, "tombstones": outcome.tombstones,
        });
        audit::record(&tx, Entry::general(&Actor::Cli, "import", detail, now)).await?;
        self.commit(tx, &[page.id]).await?;
        Ok(outcome)
    }

    /// Comments older than this keep no trace of their client address.
    fn address_cutoff(&self) -> Option<DateTime<Utc>> {
        let days = self.config.retention.address_days;
        (days > 0).then(|| self.clock.now() - chrono::Duration::days(i64::from(days)))
    }
}

/// A page an import has made ready for [`Moderation::import_page`].
#[derive(Debug)]
pub struct PreparedPage(Prepared);

#[derive(Debug)]
enum Prepared {
    /// For a dry run, which only plans.
    Raw(ImportedPage),
    Rendered {
        meta: PageMeta,
        rows: Vec<(ImportedComment, comment::ActiveModel, bool)>,
    },
}

/// What an import says about the page itself.
#[derive(Debug, Clone)]
struct PageMeta {
    uri: String,
    title: Option<String>,
    wp_post_id: Option<i64>,
    closed: bool,
}

impl PageMeta {
    fn of(p: &ImportedPage) -> PageMeta {
        PageMeta {
            uri: p.uri.as_str().to_owned(),
            title: p
                .title
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| clip(t, TITLE_CHARS).0),
            wp_post_id: p.wp_post_id,
            closed: p.comments_closed,
        }
    }
}

/// Whether a found page needed changing, and whether its WordPress post is on record.
#[derive(Debug, Clone, Copy)]
struct Found {
    changed: bool,
    post: bool,
}

/// The page an import writes to: the one its WordPress post id names, else the one at its
/// path. Returns the page, whether it was made, and what `Found` says.
async fn page_in<C: ConnectionTrait>(
    tx: &C,
    site: &str,
    meta: &PageMeta,
    now: DateTime<Utc>,
) -> Result<(page::Model, bool, Found), DbErr> {
    let by_post = match meta.wp_post_id {
        Some(id) => super::lookup::page_with_wp_post_id(tx, site, id).await?,
        None => None,
    };
    let post = by_post.is_some();
    let found = match by_post {
        Some(p) => Some(p),
        None => crate::moderation::store::find_page(tx, site, &meta.uri).await?,
    };
    let Some(p) = found else {
        let made = page::Entity::insert(page::ActiveModel {
            site_id: Set(site.to_owned()),
            uri: Set(meta.uri.clone()),
            title: Set(meta.title.clone()),
            created_at: Set(now),
            comments_closed: Set(meta.closed),
            ..page::ActiveModel::default()
        })
        .exec_with_returning(tx)
        .await?;
        return Ok((
            made,
            true,
            Found {
                changed: true,
                post,
            },
        ));
    };
    let title = p.title.clone().or_else(|| meta.title.clone());
    let closed = p.comments_closed || meta.closed;
    if title == p.title && closed == p.comments_closed {
        return Ok((
            p,
            false,
            Found {
                changed: false,
                post,
            },
        ));
    }
    let mut am: page::ActiveModel = p.into();
    am.title = Set(title);
    am.comments_closed = Set(closed);
    let p = page::Entity::update(am).exec(tx).await?;
    Ok((
        p,
        false,
        Found {
            changed: true,
            post,
        },
    ))
}

async fn find<C: ConnectionTrait>(
    db: &C,
    site: &str,
    page: &ImportedPage,
) -> Result<Option<page::Model>, DbErr> {
    find_meta(db, site, page.wp_post_id, page.uri.as_str()).await
}

async fn find_meta<C: ConnectionTrait>(
    db: &C,
    site: &str,
    wp_post_id: Option<i64>,
    uri: &str,
) -> Result<Option<page::Model>, DbErr> {
    if let Some(id) = wp_post_id
        && let Some(p) = super::lookup::page_with_wp_post_id(db, site, id).await?
    {
        return Ok(Some(p));
    }
    crate::moderation::store::find_page(db, site, uri).await
}

/// The source ids already on a page, with their comment ids.
async fn stored_ids<C: ConnectionTrait>(
    db: &C,
    page_id: i64,
) -> Result<HashMap<String, i64>, DbErr> {
    let rows: Vec<(i64, Option<String>)> = comment::Entity::find()
        .select_only()
        .column(comment::Column::Id)
        .column(comment::Column::SourceId)
        .filter(comment::Column::PageId.eq(page_id))
        .filter(comment::Column::SourceId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, s)| s.map(|s| (s, id)))
        .collect())
}

/// Inserts the plan generation by generation, so every reply knows its parent's id.
/// Returns how many rows had a value shortened, and the new comments' ids by source id.
async fn insert_plan<C: ConnectionTrait>(
    tx: &C,
    page_id: i64,
    plan: Plan,
    models: &mut HashMap<String, (comment::ActiveModel, bool)>,
) -> Result<(usize, HashMap<String, i64>), DbErr> {
    let mut ids: HashMap<String, i64> = HashMap::new();
    let mut shortened = 0;
    for generation in plan.generations {
        for chunk in generation.chunks(INSERT_CHUNK) {
            let mut rows = Vec::with_capacity(chunk.len());
            for p in chunk {
                let Some((mut am, short)) = models.remove(&p.comment.source_id) else {
                    continue;
                };
                shortened += usize::from(short);
                am.page_id = Set(page_id);
                am.parent_id = Set(parent_id(p, &ids));
                if p.tombstone {
                    tombstone(&mut am);
                }
                rows.push(am);
            }
            if rows.is_empty() {
                continue;
            }
            let written = comment::Entity::insert_many(rows)
                .exec_with_returning(tx)
                .await?;
            ids.extend(
                written
                    .into_iter()
                    .filter_map(|m| m.source_id.map(|s| (s, m.id))),
            );
        }
    }
    Ok((shortened, ids))
}

fn parent_id(p: &Planned, ids: &HashMap<String, i64>) -> Option<i64> {
    match &p.parent {
        Parent::None => None,
        Parent::Stored(id) => Some(*id),
        Parent::Planned(s) => ids.get(s).copied(),
    }
}
