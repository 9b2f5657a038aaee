//! Which of a page's imported comments to write, and in what order: pure, so that the rules
//! of what an import keeps are tested without a database.
//!
//! - a comment whose source id is already on the page is not written again (idempotence);
//! - a deleted or trashed comment is kept only as a tombstone, and only when a comment that
//!   is kept replies to it; without replies it is dropped;
//! - a reply whose parent is neither in the import nor on the page (or that sits in a loop
//!   of parents) becomes a top-level comment;
//! - parents are written before their replies: the comments come out in generations.
use std::collections::{HashMap, HashSet};

use super::import::ImportedComment;

/// Where a planned comment's parent is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parent {
    None,
    /// Already stored, with this id.
    Stored(i64),
    /// Written earlier in this plan, under this source id.
    Planned(String),
}

#[derive(Debug)]
pub struct Planned {
    pub comment: ImportedComment,
    pub parent: Parent,
    /// Deleted at the source and kept only for its replies.
    pub tombstone: bool,
}

#[derive(Debug, Default)]
pub struct Plan {
    /// Each generation's parents are stored or in an earlier generation.
    pub generations: Vec<Vec<Planned>>,
    /// Source ids already on the page.
    pub already: usize,
    /// The same source id twice in the import: the first one counts.
    pub repeated: usize,
    /// Deleted at the source without replies: not imported.
    pub deleted: usize,
    /// Replies whose parent was missing, made top-level.
    pub orphans: usize,
}

impl Plan {
    pub fn len(&self) -> usize {
        self.generations.iter().map(Vec::len).sum()
    }
}

/// Plans `comments` onto a page that already holds `stored` (source id to comment id).
pub fn plan(comments: Vec<ImportedComment>, stored: &HashMap<String, i64>) -> Plan {
    let mut plan = Plan::default();
    let mut by_id: HashMap<String, ImportedComment> = HashMap::with_capacity(comments.len());
    let mut order = Vec::with_capacity(comments.len());
    for c in comments {
        if stored.contains_key(&c.source_id) {
            plan.already += 1;
        } else if by_id.contains_key(&c.source_id) {
            plan.repeated += 1;
        } else {
            order.push(c.source_id.clone());
            by_id.insert(c.source_id.clone(), c);
        }
    }
    let parents = resolve_parents(&by_id, stored, &mut plan.orphans);
    let kept = kept(&order, &by_id, &parents);
    plan.deleted = order.len() - kept.len();
    plan.generations = generations(order, by_id, &parents, &kept);
    plan
}

/// Each new comment's parent; missing parents and loops of parents become `None`.
fn resolve_parents(
    by_id: &HashMap<String, ImportedComment>,
    stored: &HashMap<String, i64>,
    orphans: &mut usize,
) -> HashMap<String, Parent> {
    let mut out = HashMap::with_capacity(by_id.len());
    for (id, c) in by_id {
        let parent = match c.parent.as_deref() {
            None => Parent::None,
            Some(p) if p == id => Parent::None,
            Some(p) if stored.contains_key(p) => Parent::Stored(stored[p]),
            Some(p) if by_id.contains_key(p) && !in_loop(by_id, id) => Parent::Planned(p.into()),
            Some(_) => Parent::None,
        };
        if parent == Parent::None && c.parent.is_some() {
            *orphans += 1;
        }
        out.insert(id.clone(), parent);
    }
    out
}

/// Following parents up from `id` comes back to `id` (within the import).
fn in_loop(by_id: &HashMap<String, ImportedComment>, id: &str) -> bool {
    let mut seen = HashSet::new();
    let mut at = id;
    while let Some(p) = by_id.get(at).and_then(|c| c.parent.as_deref()) {
        if p == id {
            return true;
        }
        if !seen.insert(p) {
            return false;
        }
        at = p;
    }
    false
}

/// The comments that are written: all live ones, and deleted ones that a kept comment
/// replies to (a chain of deleted comments above one live reply is kept whole).
fn kept(
    order: &[String],
    by_id: &HashMap<String, ImportedComment>,
    parents: &HashMap<String, Parent>,
) -> HashSet<String> {
    let mut kept: HashSet<String> = HashSet::with_capacity(order.len());
    for id in order {
        if by_id[id].deleted {
            continue;
        }
        let mut at = id.clone();
        while kept.insert(at.clone()) {
            match &parents[&at] {
                Parent::Planned(p) => at = p.clone(),
                _ => break,
            }
        }
    }
    kept
}

fn generations(
    order: Vec<String>,
    mut by_id: HashMap<String, ImportedComment>,
    parents: &HashMap<String, Parent>,
    kept: &HashSet<String>,
) -> Vec<Vec<Planned>> {
    let mut depth: HashMap<&str, usize> = HashMap::with_capacity(kept.len());
    let mut out: Vec<Vec<Planned>> = Vec::new();
    for id in &order {
        if !kept.contains(id) {
            continue;
        }
        let d = depth_of(id, parents, &mut depth);
        let Some(comment) = by_id.remove(id) else {
            continue;
        };
        if out.len() <= d {
            out.resize_with(d + 1, Vec::new);
        }
        out[d].push(Planned {
            tombstone: comment.deleted,
            parent: parents[id].clone(),
            comment,
        });
    }
    out
}

/// How many planned parents `id` has above it; loops were already cut.
fn depth_of<'a>(
    id: &'a str,
    parents: &'a HashMap<String, Parent>,
    memo: &mut HashMap<&'a str, usize>,
) -> usize {
    let mut chain = Vec::new();
    let mut at = id;
    let base = loop {
        if let Some(d) = memo.get(at) {
            break *d + 1;
        }
        chain.push(at);
        match &parents[at] {
            Parent::Planned(p) => at = p.as_str(),
            _ => break 0,
        }
    };
    for (i, link) in chain.iter().rev().enumerate() {
        memo.insert(link, base + i);
    }
    memo[id]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::moderation::history::import::{ImportedBody, ImportedComment};
    use entity::enums::CommentStatus;

    fn c(id: &str, parent: Option<&str>, deleted: bool) -> ImportedComment {
        ImportedComment {
            source_id: id.into(),
            parent: parent.map(Into::into),
            author_name: "A".into(),
            author_email: String::new(),
            author_url: None,
            body: ImportedBody::markdown("text"),
            status: CommentStatus::Approved,
            deleted,
            by_moderator: false,
            created_at: chrono::Utc::now(),
            ip: None,
            user_agent: None,
        }
    }

    fn ids(plan: &Plan) -> Vec<Vec<(&str, bool)>> {
        plan.generations
            .iter()
            .map(|g| {
                g.iter()
                    .map(|p| (p.comment.source_id.as_str(), p.tombstone))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn replies_come_after_their_parents_whatever_the_order_in_the_file() {
        let p = plan(
            vec![
                c("3", Some("2"), false),
                c("1", None, false),
                c("2", Some("1"), false),
                c("4", Some("1"), false),
            ],
            &HashMap::new(),
        );
        assert_eq!(
            ids(&p),
            [
                vec![("1", false)],
                vec![("2", false), ("4", false)],
                vec![("3", false)]
            ]
        );
    }

    #[test]
    fn deleted_comments_stay_only_as_tombstones_for_their_replies() {
        let p = plan(
            vec![
                c("1", None, true),
                c("2", Some("1"), true),
                c("3", Some("2"), false),
                c("4", None, true),
                c("5", Some("4"), true),
            ],
            &HashMap::new(),
        );
        assert_eq!(
            ids(&p),
            [vec![("1", true)], vec![("2", true)], vec![("3", false)]]
        );
        assert_eq!(p.deleted, 2);
    }

    #[test]
    fn stored_comments_are_skipped_and_found_as_parents() {
        let stored = HashMap::from([("1".to_owned(), 77)]);
        let p = plan(vec![c("1", None, false), c("2", Some("1"), false)], &stored);
        assert_eq!(p.already, 1);
        assert_eq!(p.generations[0][0].parent, Parent::Stored(77));
    }

    #[test]
    fn missing_parents_and_loops_make_top_level_comments() {
        let p = plan(
            vec![
                c("1", Some("9"), false),
                c("2", Some("3"), false),
                c("3", Some("2"), false),
                c("4", Some("4"), false),
                c("1", None, false),
            ],
            &HashMap::new(),
        );
        assert_eq!(p.orphans, 4);
        assert_eq!(p.repeated, 1);
        assert_eq!(p.generations.len(), 1);
        assert_eq!(p.len(), 4);
    }
}
