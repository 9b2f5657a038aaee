//! `replyd seed`: many approved comments with varied, realistic text, for demos and
//! benchmarks, written through the domain's history writer (rendered and sanitised like
//! every comment).
use crate::moderation::input::PageUri;
use crate::moderation::{Moderation, ModerationError, PastComment};
use entity::enums::CommentStatus;

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

/// Writes `count` approved comments on one page, in batches; about one in five replies to an
/// earlier comment. Returns how many were written.
pub async fn seed_page(
    moderation: &Moderation,
    site: &str,
    uri: &PageUri,
    count: u64,
) -> Result<u64, ModerationError> {
    let mut rng = Lcg(uri
        .as_str()
        .bytes()
        .fold(17, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
    let mut written = 0;
    let mut ids: Vec<i64> = Vec::new();
    let now = chrono::Utc::now();
    while written < count {
        // A small first batch gives later ones earlier comments to reply to.
        let n = if ids.is_empty() { 20 } else { BATCH }.min(count - written);
        let batch = (0..n)
            .map(|i| {
                let age = i64::try_from(count - written - i).unwrap_or(0);
                rng.comment(&ids, now - chrono::Duration::seconds(age))
            })
            .collect();
        let fresh = moderation.write_history(site, uri, batch, "seed").await?;
        if ids.len() < 1000 {
            ids.extend(fresh.into_iter().take(1000 - ids.len()));
        }
        written += n;
    }
    Ok(written)
}

impl Lcg {
    /// One approved comment with varied text, perhaps replying to one of `earlier`.
    fn comment(&mut self, earlier: &[i64], at: chrono::DateTime<chrono::Utc>) -> PastComment {
        let name = self.pick(&NAMES);
        let text = format!(
            "{} {}\n\n{}",
            self.pick(&OPENERS),
            self.pick(&MIDDLES),
            self.pick(&CLOSERS)
        );
        let email = format!("reader{}@example.org", self.next() % 5000);
        let parent_id = (!earlier.is_empty() && self.next().is_multiple_of(5))
            .then(|| earlier[self.next() % earlier.len()]);
        PastComment {
            parent_id,
            author_name: name.to_owned(),
            author_email: email,
            author_url: self
                .next()
                .is_multiple_of(3)
                .then(|| "https://example.org/".to_owned()),
            text: text.trim().to_owned(),
            status: CommentStatus::Approved,
            created_at: at,
        }
    }
}
