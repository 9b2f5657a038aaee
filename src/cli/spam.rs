//! `replyd spam eval`: reads a labelled JSONL corpus (plain or gzip'd) and prints the
//! filter's learning curve and figures, with the configured thresholds.
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use serde::Deserialize;

use crate::config::Config;
use crate::spam::eval::{self, Order, Record, Setup};
use crate::spam::{Label, Thresholds};

/// The development corpus shipped with replyd (SpamAssassin's public corpus, CC0/PDDL).
pub const DEFAULT_CORPUS: &str = "data/spam/dev.jsonl.gz";

/// The decision counts the learning curve is drawn at.
const POINTS: [usize; 7] = [10, 50, 100, 200, 500, 1000, 2000];

#[derive(Debug, Subcommand)]
pub enum SpamCommand {
    /// Replay a labelled corpus as moderator decisions, in file order, and print the
    /// learning curve with k-fold cross-validation, against the alternatives.
    Eval {
        /// JSONL with `text`, `label` (ham/spam) and optional `author_name`,
        /// `author_email`, `author_url`; `.gz` is read compressed.
        #[arg(long, value_name = "FILE", default_value = DEFAULT_CORPUS)]
        corpus: PathBuf,
        /// Folds of the cross-validation.
        #[arg(long, default_value_t = 5)]
        folds: usize,
        /// Also print the figures over a grid of thresholds (to choose the defaults).
        #[arg(long)]
        sweep: bool,
        /// The order decisions are replayed in: as the file lists them, or spam and
        /// legitimate in turn (a site where half of what arrives is spam).
        #[arg(long, value_enum, default_value_t = Order::File)]
        order: Order,
    },
}

pub fn run(config: &Config, action: SpamCommand) -> anyhow::Result<()> {
    let SpamCommand::Eval {
        corpus,
        folds,
        sweep,
        order,
    } = action;
    anyhow::ensure!(folds >= 2, "--folds must be at least 2");
    let records = read_corpus(&corpus)?;
    anyhow::ensure!(records.len() >= folds, "the corpus has too few messages");
    let f = &config.spam.filter;
    let t = Thresholds {
        spam: f.spam_threshold,
        hold: f.hold_threshold,
        min_decisions: f.min_decisions,
    };
    let setup = Setup { folds, order };
    print!("{}", eval::report(&records, &t, setup, &POINTS));
    if sweep {
        print!("{}", eval::sweep(&records, f.min_decisions, setup, &POINTS));
    }
    Ok(())
}

#[derive(Deserialize)]
struct Line {
    id: Option<String>,
    label: String,
    text: Option<String>,
    subject: Option<String>,
    body: Option<String>,
    author_name: Option<String>,
    author_email: Option<String>,
    author_url: Option<String>,
}

/// Reads every record of a corpus; a line that does not parse names its number.
pub fn read_corpus(path: &Path) -> anyhow::Result<Vec<Record>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut records = Vec::new();
    for (i, line) in BufReader::new(reader).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(&line).with_context(|| format!("line {}", i + 1))?;
        let label = match l.label.as_str() {
            "spam" => Label::Spam,
            "ham" => Label::Ham,
            other => anyhow::bail!("line {}: label {other:?} is neither ham nor spam", i + 1),
        };
        let text = l.text.unwrap_or_else(|| {
            let subject = l.subject.unwrap_or_default();
            format!("{subject}\n\n{}", l.body.unwrap_or_default())
        });
        records.push(Record {
            label,
            name: l.author_name.unwrap_or_default(),
            email: l.author_email.unwrap_or_default(),
            url: l.author_url,
            text,
            group: l
                .id
                .and_then(|id| id.split_once('/').map(|(g, _)| g.to_owned())),
        });
    }
    Ok(records)
}
