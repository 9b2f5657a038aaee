//! Seeding: many approved comments with varied, realistic text, written through the same
//! rendering and storage as real submissions. For demos and benchmarks.
use sea_orm::{ActiveValue::Set, EntityTrait, NotSet};
use serde_json::json;

use super::audit::{self, Actor, Entry};
use super::input::PageUri;
use super::{Moderation, ModerationError, markdown, store};
use entity::{comment, enums::CommentStatus};

const BATCH: u64 = 500;

const NAMES: [&str; 12] = [
    "Ada Lovelace",
    "Grace Hopper",
    "Alan Turing",
    "Zoë Martín",
    "李雷",
    "Олена Коваль",
    "Kwame Mensah",
    "Sofía Ruiz",
    "Ravi Patel",
    "Emma Schmidt",
    "Noah Cohen",
    "Aiko Tanaka",
];
const OPENERS: [&str; 8] = [
    "Great post, thanks for writing it up.",
    "I ran into the same problem last week.",
    "Interesting take, but I am not sure I agree.",
    "This is exactly what I was looking for!",
    "Could you expand on the second part?",
    "We tried this approach in production.",
    "Small correction:",
    "Thanks — bookmarked for later.",
];
const MIDDLES: [&str; 10] = [
    "The part about *caching* was the most useful for me.",
    "In our case the **database** was the bottleneck, not the network.",
    "Have you measured it with `wrk` or a similar tool?",
    "See also [the documentation](https://example.org/docs) for the details.",
    "It took us a while to notice that the defaults were wrong.",
    "> Measure first, optimise later.\n\nStill the best advice.",
    "- fewer round trips\n- smaller payloads\n- one writer",
    "My experience on a two-core machine was quite different, though.",
    "Unicode works fine here: naïve café, emoji 🎉, and עברית.",
    "The trade-off between latency and throughput deserves its own post.",
];
const CLOSERS: [&str; 6] = [
    "Looking forward to the next one.",
    "Cheers!",
    "Keep it up.",
    "",
    "What do you think?",
    "Thanks again.",
];

/// A small deterministic generator, so seeded data is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(self.0 >> 33).unwrap_or(0)
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.next() % from.len()]
    }
}

impl Moderation {
    /// Inserts `count` approved comments on one page; about one in five replies to an
    /// earlier comment. Returns how many were written.
    pub async fn seed(
        &self,
        site: &str,
        uri: &PageUri,
        count: u64,
    ) -> Result<u64, ModerationError> {
        self.config.site(site).ok_or(ModerationError::UnknownSite)?;
        let mut rng = Lcg(uri
            .as_str()
            .bytes()
            .fold(17, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
        let mut written = 0;
        let mut ids: Vec<i64> = Vec::new();
        while written < count {
            // A small first batch gives later ones earlier comments to reply to.
            let n = if ids.is_empty() { 20 } else { BATCH }.min(count - written);
            let tx = self.db.begin_write().await?;
            let now = self.clock.now();
            let page = store::page_for(&tx, site, uri.as_str(), None, now).await?;
            let mut rows = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
            for i in 0..n {
                let name = rng.pick(&NAMES);
                let text = format!(
                    "{} {}\n\n{}",
                    rng.pick(&OPENERS),
                    rng.pick(&MIDDLES),
                    rng.pick(&CLOSERS)
                );
                let text = text.trim().to_owned();
                let email = format!("reader{}@example.org", rng.next() % 5000);
                let parent_id = (!ids.is_empty() && rng.next().is_multiple_of(5))
                    .then(|| ids[rng.next() % ids.len()]);
                let at = now
                    - chrono::Duration::seconds(i64::try_from(count - written - i).unwrap_or(0));
                rows.push(comment::ActiveModel {
                    id: NotSet,
                    page_id: Set(page.id),
                    parent_id: Set(parent_id),
                    author_name: Set(name.to_owned()),
                    email_norm: Set(email.clone()),
                    author_email: Set(email),
                    author_url: Set(
                        (rng.next().is_multiple_of(3)).then(|| "https://example.org/".to_owned())
                    ),
                    html: Set(markdown::render(&text)),
                    text: Set(text),
                    status: Set(CommentStatus::Approved),
                    reasons: Set("[]".into()),
                    ip_hash: Set(None),
                    ip_prefix: Set(None),
                    user_agent: Set(None),
                    notify_replies: Set(false),
                    by_moderator: Set(false),
                    deleted: Set(false),
                    dup_key: Set(None),
                    created_at: Set(at),
                    updated_at: Set(at),
                });
            }
            comment::Entity::insert_many(rows).exec(&tx).await?;
            let detail = json!({ "site": site, "uri": uri.as_str(), "comments": n });
            let mut entry = Entry::general(&Actor::System, "seed", detail, now);
            entry.to = Some(CommentStatus::Approved);
            audit::record(&tx, entry).await?;
            self.commit(tx, &[page.id]).await?;
            if ids.len() < 1000 {
                let fresh = self.thread(site, uri.as_str(), 0, 1000).await?;
                ids = fresh.comments.iter().map(|c| c.id).collect();
            }
            written += n;
        }
        Ok(written)
    }
}
