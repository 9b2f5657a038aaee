//! Offline evaluation over a labelled corpus: the learning curve (the quality after N
//! moderator decisions replayed in the corpus's order) measured with k-fold
//! cross-validation, the classic figures (precision, recall, F1, false-positive rate), and
//! the same for the alternatives the product's choice is compared with. Pure: the records
//! come in, the report goes out as text.
use std::fmt::Write;

use super::classify::{Combining, score};
use super::features::{FeatureSet, Message, features};
use super::model::{Label, Model};
use super::{Thresholds, Verdict};

/// One labelled message.
#[derive(Debug, Clone)]
pub struct Record {
    pub label: Label,
    pub name: String,
    pub email: String,
    pub url: Option<String>,
    pub text: String,
    /// The corpus's own grouping, if it has one (`easy-ham-1/00001` is in `easy-ham-1`).
    pub group: Option<String>,
}

/// The order the other folds' decisions are replayed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Order {
    /// As the file lists them.
    File,
    /// Spam and legitimate in turn, each kind in file order, until one runs out.
    Interleaved,
}

impl Order {
    fn name(self) -> &'static str {
        match self {
            Order::File => "file",
            Order::Interleaved => "interleaved",
        }
    }
}

/// A feature set and a way of combining, under a name for the report.
#[derive(Debug, Clone, Copy)]
pub struct Variant {
    pub name: &'static str,
    pub set: FeatureSet,
    pub how: Combining,
}

/// The product's choice first, then the alternatives.
pub const VARIANTS: [Variant; 5] = [
    Variant {
        name: "chi-square, balanced evidence, all features (replyd)",
        set: FeatureSet::Full,
        how: Combining::ChiSquare,
    },
    Variant {
        name: "chi-square, SpamBayes's estimate (raw counts), all features",
        set: FeatureSet::Full,
        how: Combining::SpamBayes,
    },
    Variant {
        name: "chi-square, features seen twice, strength 1.0",
        set: FeatureSet::Full,
        how: Combining::SeenTwice,
    },
    Variant {
        name: "chi-square, words only",
        set: FeatureSet::WordsOnly,
        how: Combining::ChiSquare,
    },
    Variant {
        name: "Graham naive Bayes, all features",
        set: FeatureSet::Full,
        how: Combining::Graham,
    },
];

/// What happened to the test messages: (spam, ham) counts per verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub spam: [usize; 3],
    pub ham: [usize; 3],
}

const SPAM: usize = 0;
const HOLD: usize = 1;
const PASS: usize = 2;

impl Tally {
    fn add(&mut self, label: Label, v: Verdict) {
        let i = match v {
            Verdict::Spam => SPAM,
            Verdict::Hold => HOLD,
            Verdict::Pass => PASS,
        };
        match label {
            Label::Spam => self.spam[i] += 1,
            Label::Ham => self.ham[i] += 1,
        }
    }

    fn merge(&mut self, o: &Tally) {
        for i in 0..3 {
            self.spam[i] += o.spam[i];
            self.ham[i] += o.ham[i];
        }
    }

    fn pct(n: usize, of: usize) -> f64 {
        if of == 0 {
            0.0
        } else {
            n as f64 * 100.0 / of as f64
        }
    }

    pub fn spam_total(&self) -> usize {
        self.spam.iter().sum()
    }

    pub fn ham_total(&self) -> usize {
        self.ham.iter().sum()
    }

    /// % of spam stored as spam.
    pub fn spam_caught(&self) -> f64 {
        Self::pct(self.spam[SPAM], self.spam_total())
    }

    /// % of spam published.
    pub fn spam_published(&self) -> f64 {
        Self::pct(self.spam[PASS], self.spam_total())
    }

    /// % of ham stored as spam.
    pub fn ham_lost(&self) -> f64 {
        Self::pct(self.ham[SPAM], self.ham_total())
    }

    /// % of all messages held.
    pub fn held(&self) -> f64 {
        let all = self.spam_total() + self.ham_total();
        Self::pct(self.spam[HOLD] + self.ham[HOLD], all)
    }

    /// Precision, recall, F1 and false-positive rate of "stored as spam".
    pub fn classic(&self) -> (f64, f64, f64, f64) {
        let tp = self.spam[SPAM] as f64;
        let fp = self.ham[SPAM] as f64;
        let precision = if tp + fp == 0.0 { 1.0 } else { tp / (tp + fp) };
        let recall = self.spam_caught() / 100.0;
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        (precision, recall, f1, self.ham_lost() / 100.0)
    }
}

/// Test scores from one training run: each test message's label and score.
pub type Scores = Vec<(Label, Option<f64>)>;

/// The indices of the decisions replayed, in `order`, from those outside `lo..hi`.
fn replayed(labels: &[Label], lo: usize, hi: usize, order: Order) -> Vec<usize> {
    let others = (0..labels.len()).filter(|i| *i < lo || *i >= hi);
    match order {
        Order::File => others.collect(),
        Order::Interleaved => {
            let (spam, ham): (Vec<usize>, Vec<usize>) =
                others.partition(|i| labels[*i] == Label::Spam);
            let turns = spam.len().min(ham.len());
            let mut out: Vec<usize> = spam[..turns]
                .iter()
                .zip(&ham[..turns])
                .flat_map(|(s, h)| [*s, *h])
                .collect();
            out.extend(&spam[turns..]);
            out.extend(&ham[turns..]);
            out
        }
    }
}

/// The k folds' test scores after training on the first `n` decisions of the other folds,
/// replayed in `order`, with the model's totals (spam, ham) for the thresholds' minimum.
pub fn fold_scores(
    labels: &[Label],
    feats: &[Vec<String>],
    how: Combining,
    setup: Setup,
    n: usize,
) -> Vec<(Scores, u32, u32)> {
    let (len, k) = (labels.len(), setup.folds);
    (0..k)
        .map(|fold| {
            let (lo, hi) = (fold * len / k, (fold + 1) * len / k);
            let mut model = Model::default();
            for i in replayed(labels, lo, hi, setup.order).into_iter().take(n) {
                model.train(&feats[i], labels[i]);
            }
            let scores = (lo..hi)
                .map(|i| (labels[i], score(&model, &feats[i], how, 0).map(|s| s.score)))
                .collect();
            (scores, model.spam, model.ham)
        })
        .collect()
}

/// The verdicts of every fold's scores, summed.
pub fn tally(folds: &[(Scores, u32, u32)], t: &Thresholds) -> Tally {
    let mut all = Tally::default();
    for (scores, spam, ham) in folds {
        let mut one = Tally::default();
        for (label, s) in scores {
            let v = s.map_or(Verdict::Pass, |s| t.verdict(s, *spam, *ham));
            one.add(*label, v);
        }
        all.merge(&one);
    }
    all
}

/// Every record's features under a feature set.
pub fn all_features(records: &[Record], set: FeatureSet) -> Vec<Vec<String>> {
    records
        .iter()
        .map(|r| {
            let m = Message {
                name: &r.name,
                email: &r.email,
                website: r.url.as_deref(),
                text: &r.text,
            };
            features(&m, set)
        })
        .collect()
}

/// How the folds are drawn and replayed.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    pub folds: usize,
    pub order: Order,
}

/// The report `replyd spam eval` prints.
pub fn report(records: &[Record], t: &Thresholds, setup: Setup, points: &[usize]) -> String {
    let labels: Vec<Label> = records.iter().map(|r| r.label).collect();
    let spam = labels.iter().filter(|l| **l == Label::Spam).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} messages ({spam} spam, {} ham), {}-fold cross-validation, decisions replayed in \
         {} order; thresholds: spam >= {}, hold >= {}, min_decisions = {}\n",
        records.len(),
        records.len() - spam,
        setup.folds,
        setup.order.name(),
        t.spam,
        t.hold,
        t.min_decisions
    );
    let full = all_features(records, FeatureSet::Full);
    let words = all_features(records, FeatureSet::WordsOnly);
    for (i, v) in VARIANTS.iter().enumerate() {
        let feats = if v.set == FeatureSet::Full {
            &full
        } else {
            &words
        };
        let _ = writeln!(out, "## {}", v.name);
        let runs: Vec<_> = points
            .iter()
            .map(|&n| (n, fold_scores(&labels, feats, v.how, setup, n)))
            .collect();
        curve(&mut out, &runs, t);
        if i == 0 {
            by_group(&mut out, records, &runs, t);
        }
    }
    out
}

type Runs = [(usize, Vec<(Scores, u32, u32)>)];

fn curve(out: &mut String, runs: &Runs, t: &Thresholds) {
    let _ = writeln!(
        out,
        "{:>9} {:>10} {:>10} {:>10} {:>8} {:>9} {:>7} {:>7} {:>7}",
        "decisions",
        "spam→spam",
        "spam→pub",
        "ham→spam",
        "held",
        "precision",
        "recall",
        "F1",
        "FPR"
    );
    for (n, folds) in runs {
        let tl = tally(folds, t);
        let (p, r, f1, fpr) = tl.classic();
        let _ = writeln!(
            out,
            "{n:>9} {:>9.2}% {:>9.2}% {:>9.2}% {:>7.2}% {p:>9.4} {r:>7.4} {f1:>7.4} {fpr:>7.4}",
            tl.spam_caught(),
            tl.spam_published(),
            tl.ham_lost(),
            tl.held(),
        );
    }
    let _ = writeln!(out);
}

/// Legitimate messages stored as spam, per group of the corpus, at each decision count.
fn by_group(out: &mut String, records: &[Record], runs: &Runs, t: &Thresholds) {
    let mut groups: Vec<&str> = records
        .iter()
        .filter(|r| r.label == Label::Ham)
        .filter_map(|r| r.group.as_deref())
        .collect();
    groups.sort_unstable();
    groups.dedup();
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(out, "legitimate messages stored as spam, by group:");
    for (n, folds) in runs {
        let _ = write!(out, "{n:>9}");
        // The folds are contiguous and in order, so their scores line up with the records.
        let scored = folds
            .iter()
            .flat_map(|(scores, spam, ham)| scores.iter().map(move |s| (s, *spam, *ham)));
        let mut lost = vec![(0usize, 0usize); groups.len()];
        for (r, ((_, s), spam, ham)) in records.iter().zip(scored) {
            let Some(g) = r.group.as_deref().filter(|_| r.label == Label::Ham) else {
                continue;
            };
            let Ok(at) = groups.binary_search(&g) else {
                continue;
            };
            lost[at].1 += 1;
            if s.is_some_and(|s| t.verdict(s, spam, ham) == Verdict::Spam) {
                lost[at].0 += 1;
            }
        }
        for (g, (l, of)) in groups.iter().zip(lost) {
            let _ = write!(out, "  {g} {l} of {of} ({:.2}%)", Tally::pct(l, of));
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out);
}

/// For choosing thresholds: the figures at each decision count for a grid of thresholds.
pub fn sweep(records: &[Record], min_decisions: u32, setup: Setup, points: &[usize]) -> String {
    let labels: Vec<Label> = records.iter().map(|r| r.label).collect();
    let feats = all_features(records, FeatureSet::Full);
    let how = Combining::ChiSquare;
    let runs: Vec<_> = points
        .iter()
        .map(|&n| (n, fold_scores(&labels, &feats, how, setup, n)))
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "hold  spam  decisions spam→spam spam→pub ham→spam held"
    );
    for hold in [0.1, 0.2, 0.3, 0.5] {
        for spam in [0.9, 0.95, 0.99, 0.995, 0.999, 0.9999] {
            let t = Thresholds {
                spam,
                hold,
                min_decisions,
            };
            for (n, folds) in &runs {
                let tl = tally(folds, &t);
                let _ = writeln!(
                    out,
                    "{hold:<5} {spam:<6} {n:>9} {:>8.2}% {:>7.2}% {:>7.2}% {:>5.2}%",
                    tl.spam_caught(),
                    tl.spam_published(),
                    tl.ham_lost(),
                    tl.held()
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(label: Label, text: &str) -> Record {
        Record {
            label,
            name: "n".into(),
            email: "a@b.example".into(),
            url: None,
            text: text.into(),
            group: None,
        }
    }

    #[test]
    fn folds_train_on_the_other_folds_only_and_tally_adds_up() {
        let mut records = Vec::new();
        for i in 0..40 {
            records.push(rec(Label::Ham, &format!("lovely article number {i}")));
            records.push(rec(Label::Spam, &format!("cheap pills offer {i}")));
        }
        let labels: Vec<Label> = records.iter().map(|r| r.label).collect();
        let feats = all_features(&records, FeatureSet::Full);
        let folds = fold_scores(
            &labels,
            &feats,
            Combining::ChiSquare,
            Setup {
                folds: 4,
                order: Order::File,
            },
            1000,
        );
        assert!(
            folds
                .iter()
                .all(|(s, spam, ham)| s.len() == 20 && spam + ham == 60)
        );
        let t = Thresholds {
            spam: 0.9,
            hold: 0.5,
            min_decisions: 5,
        };
        let tl = tally(&folds, &t);
        assert_eq!(tl.spam_total() + tl.ham_total(), 80);
        assert_eq!(tl.spam_caught(), 100.0);
        assert_eq!(tl.ham_lost(), 0.0);
        let (p, r, f1, fpr) = tl.classic();
        assert_eq!((p, r, f1, fpr), (1.0, 1.0, 1.0, 0.0));
    }

    #[test]
    fn interleaved_replays_spam_and_legitimate_in_turn_then_the_rest() {
        use Label::{Ham as H, Spam as S};
        let labels = [H, H, H, S, H, S, H, H];
        // Fold 2..4 (S, H) is the test fold; the others are replayed.
        assert_eq!(replayed(&labels, 2, 4, Order::File), [0, 1, 4, 5, 6, 7]);
        assert_eq!(
            replayed(&labels, 2, 4, Order::Interleaved),
            [5, 0, 1, 4, 6, 7]
        );
        assert_eq!(
            replayed(&labels, 0, 2, Order::Interleaved),
            [3, 2, 5, 4, 6, 7]
        );
    }

    #[test]
    fn legitimate_losses_are_counted_per_group() {
        let mut records = Vec::new();
        for group in ["easy", "easy", "hard", "hard"] {
            let mut r = rec(Label::Ham, "text");
            r.group = Some(group.into());
            records.push(r);
        }
        records.push(rec(Label::Spam, "text"));
        // Two folds: the first two records, then the other three.
        let scores = |s: &[(Label, f64)]| s.iter().map(|(l, x)| (*l, Some(*x))).collect();
        let folds = vec![
            (scores(&[(Label::Ham, 0.1), (Label::Ham, 0.95)]), 10, 10),
            (
                scores(&[(Label::Ham, 0.99), (Label::Ham, 0.2), (Label::Spam, 1.0)]),
                10,
                10,
            ),
        ];
        let t = Thresholds {
            spam: 0.9,
            hold: 0.5,
            min_decisions: 5,
        };
        let mut out = String::new();
        by_group(&mut out, &records, &[(200, folds)], &t);
        assert!(
            out.contains("200  easy 1 of 2 (50.00%)  hard 1 of 2 (50.00%)"),
            "{out}"
        );
    }
}
