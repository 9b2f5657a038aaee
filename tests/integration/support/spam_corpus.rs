//! The development spam corpus shipped in `data/spam` (SpamAssassin's public corpus,
//! CC0/PDDL), read as comments to post, and the tally of what the product stored.
use std::io::{BufRead, BufReader};

use serde_json::{Value, json};

pub struct Record {
    pub spam: bool,
    name: String,
    email: String,
    text: String,
}

impl Record {
    /// The comment body to post: the mail's sender as the author, subject and body as text.
    pub fn body(&self) -> Value {
        let name: String = self.name.chars().take(100).collect();
        let name = if name.trim().is_empty() {
            "Anonymous".to_owned()
        } else {
            name
        };
        let email = if self.email.contains('@') {
            self.email.clone()
        } else {
            "anonymous@example.invalid".to_owned()
        };
        let text: String = self.text.chars().take(10_000).collect();
        json!({"author_name": name, "author_email": email, "text": text})
    }
}

/// The first `n` records, in the file's (shuffled) order.
pub fn records(n: usize) -> Vec<Record> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/spam/dev.jsonl.gz");
    let file = std::fs::File::open(path).expect("the corpus is in data/spam");
    BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .take(n)
        .map(|line| {
            let v: Value = serde_json::from_str(&line.expect("readable")).expect("JSON");
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            Record {
                spam: s("label") == "spam",
                name: s("author_name"),
                email: s("author_email"),
                text: s("text"),
            }
        })
        .collect()
}

/// What was stored, per kind: (spam, pending, approved).
#[derive(Debug, Default)]
pub struct Stored {
    spam: [usize; 3],
    ham: [usize; 3],
}

impl Stored {
    pub fn add(&mut self, is_spam: bool, status: &str) {
        let i = match status {
            "spam" => 0,
            "pending" => 1,
            "approved" => 2,
            other => panic!("stored as {other}"),
        };
        if is_spam {
            self.spam[i] += 1
        } else {
            self.ham[i] += 1
        }
    }

    fn pct(n: usize, of: &[usize; 3]) -> f64 {
        n as f64 * 100.0 / of.iter().sum::<usize>().max(1) as f64
    }

    /// % spam stored as spam, % spam published, % ham stored as spam, % of all held.
    pub fn rates(&self) -> (f64, f64, f64, f64) {
        let all = [
            self.spam[1] + self.ham[1],
            0,
            self.spam.iter().chain(&self.ham).sum::<usize>() - self.spam[1] - self.ham[1],
        ];
        (
            Self::pct(self.spam[0], &self.spam),
            Self::pct(self.spam[2], &self.spam),
            Self::pct(self.ham[0], &self.ham),
            Self::pct(all[0], &all),
        )
    }

    pub fn assert_at_least_as_good_as(&self, caught: f64, published: f64, lost: f64, held: f64) {
        let (c, p, l, h) = self.rates();
        assert!(
            c >= caught && p <= published && l <= lost && h <= held,
            "{self}"
        );
    }
}

impl std::fmt::Display for Stored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (c, p, l, h) = self.rates();
        write!(
            f,
            "spam {:?} ham {:?} (spam/held/published): {c:.1} % of spam stored as spam, {p:.1} % published, {l:.2} % of ham stored as spam, {h:.1} % held",
            self.spam, self.ham
        )
    }
}
