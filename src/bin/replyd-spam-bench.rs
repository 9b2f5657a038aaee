//! The spam filter's cost: classifying one comment, training one decision, and the model's
//! memory for 100,000 trained comments. `cargo run --release --bin replyd-spam-bench
//! [CORPUS]`; the corpus defaults to the shipped development corpus.
use std::hint::black_box;
use std::time::Instant;

use replyd::spam::{self, FeatureSet, Label, Message, Model};

/// This thread's CPU time in seconds (Linux: user + system ticks of /proc/thread-self/stat),
/// so that other processes on a busy machine do not count; wall-clock time where unavailable.
fn cpu_secs(wall: Instant) -> f64 {
    let ticks = std::fs::read_to_string("/proc/thread-self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?)
        });
    ticks.map_or_else(|| wall.elapsed().as_secs_f64(), |t| t / 100.0)
}

type Comment = (Label, String, String, String);

fn message(c: &Comment) -> Message<'_> {
    Message {
        name: &c.1,
        email: &c.2,
        website: None,
        text: &c.3,
    }
}

/// A comment-sized window of a corpus message: `len` characters from `start`.
fn window(text: &str, start: usize, len: usize) -> String {
    text.chars().skip(start).take(len).collect()
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "data/spam/dev.jsonl.gz".into());
    let records = replyd::cli::spam_corpus(std::path::Path::new(&path))?;
    let comments: Vec<Comment> = records
        .iter()
        .map(|r| {
            (
                r.label,
                r.name.clone(),
                r.email.clone(),
                window(&r.text, 0, 600),
            )
        })
        .collect();
    let mut model = Model::default();
    let wall = Instant::now();
    let t0 = cpu_secs(wall);
    for c in &comments {
        model.train(&spam::features(&message(c), FeatureSet::Full), c.0);
    }
    let train_us = (cpu_secs(wall) - t0) * 1e6 / comments.len() as f64;
    // Five passes of 10,000: on a shared machine the CPU's speed drifts from one second to
    // the next, so the fastest and the median pass are both reported.
    let rounds = 10_000;
    let mut passes: Vec<f64> = (0..5)
        .map(|_| {
            let t0 = cpu_secs(wall);
            for i in 0..rounds {
                black_box(spam::classify(
                    &model,
                    &message(&comments[i % comments.len()]),
                ));
            }
            (cpu_secs(wall) - t0) * 1e6 / rounds as f64
        })
        .collect();
    passes.sort_by(f64::total_cmp);
    let (classify_best, classify_median) = (passes[0], passes[2]);
    let avg_chars = comments.iter().map(|c| c.3.chars().count()).sum::<usize>() / comments.len();
    println!(
        "{} comments of {avg_chars} characters on average (the first 600 of each message)",
        comments.len()
    );
    println!("train one decision (features + counts), CPU time: {train_us:.1} µs");
    println!(
        "classify one comment (features + score), model of {} features, CPU time: \
         {classify_best:.1} µs in the fastest of 5 passes, {classify_median:.1} µs in the median",
        model.tokens.len()
    );
    memory(&records);
    Ok(())
}

/// 100,000 trained comments: windows of the corpus at shifting offsets, so the vocabulary
/// keeps growing as a site's would, unpruned and under the default bound.
fn memory(records: &[replyd::spam::eval::Record]) {
    for bound in [usize::MAX, 200_000] {
        let mut model = Model::default();
        let started = Instant::now();
        for i in 0..100_000 {
            let r = &records[i % records.len()];
            let start = (i / records.len()) * 150;
            let text = window(&r.text, start % r.text.chars().count().max(1), 600);
            let email = format!(
                "user{}@{}",
                i % 997,
                r.email.rsplit('@').next().unwrap_or("")
            );
            let m = Message {
                name: &r.name,
                email: &email,
                website: None,
                text: &text,
            };
            model.train(&spam::features(&m, FeatureSet::Full), r.label);
            if bound != usize::MAX && model.tokens.len() > bound {
                model.prune(bound);
            }
        }
        let label = if bound == usize::MAX {
            "unbounded".to_owned()
        } else {
            format!("max_tokens = {bound}")
        };
        println!(
            "100,000 trained comments, {label}: {} features, {:.1} MB in memory (trained in {:.1} s)",
            model.tokens.len(),
            model.memory_bytes() as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }
}
