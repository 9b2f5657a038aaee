//! Scoring a message against a model. Each feature's spam probability is Robinson's
//! smoothed estimate with SpamBayes's strength (0.45), except that the evidence behind it is
//! counted as if both kinds had been trained equally often: a site decides far more
//! legitimate comments than spam, and counted raw, a word seen in three of 170 legitimate
//! comments and none of 30 spam weighed as much as one seen in three of 30 spam and none
//! of 170 legitimate ones, so a long spam of ordinary words scored as legitimate (the
//! compared SpamBayes estimate, `spam eval`). The alternative that ignores features seen in
//! only one message is compared too; the strongest features are
//! combined with Fisher's chi-square method as SpamBayes and bogofilter do, which gives a
//! score near 0 or 1 when the evidence agrees and near 0.5 when it is mixed or thin, so a
//! middle band can be held for a person. Graham's combining ("A plan for spam") is kept as
//! the alternative the evaluation compares against.
use super::model::{Counts, Model};

/// Robinson's strength of the prior: how many sightings weigh as much as the 0.5 guess
/// (SpamBayes's value).
const STRENGTH: f64 = 0.45;
/// The compared alternative's strength, and the fewest messages a feature it counts must
/// have been seen in.
const SEEN_TWICE_STRENGTH: f64 = 1.0;
const MIN_SEEN: u32 = 2;
/// The prior probability of an unseen feature.
const UNKNOWN: f64 = 0.5;
/// Features closer to 0.5 than this say nothing and are skipped.
const MIN_DEVIATION: f64 = 0.1;
/// At most this many of the strongest features are combined (SpamBayes uses 150; with
/// balanced evidence, 300 held fewer comments at the same losses on the development corpus).
const MAX_DISCRIMINATORS: usize = 300;

/// How feature probabilities are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combining {
    /// Robinson-Fisher chi-square over balanced evidence (the product's).
    ChiSquare,
    /// The same with SpamBayes's estimate: the evidence is the raw count of messages.
    SpamBayes,
    /// The same, counting only features seen in two messages or more, strength 1.0.
    SeenTwice,
    /// Graham's naive-Bayes product over the 15 most interesting features.
    Graham,
}

/// A score and the features that weighed most each way.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// 0 (ham) to 1 (spam).
    pub score: f64,
    /// The strongest spam-side features, strongest first, with their probabilities.
    pub spammy: Vec<(String, f64)>,
    /// The strongest ham-side features, strongest first.
    pub hammy: Vec<(String, f64)>,
}

/// A feature's spam probability, Robinson-smoothed. With `balanced`, the evidence `n` is
/// the count of messages it was seen in as if both kinds had as many decisions as the
/// rarer kind has: the sightings in the more often trained kind count for less, so that
/// not having been seen yet in the rarer kind is weak evidence.
fn probability(c: &Counts, spam_total: u32, ham_total: u32, strength: f64, balanced: bool) -> f64 {
    let (spam_total, ham_total) = (f64::from(spam_total.max(1)), f64::from(ham_total.max(1)));
    let (spam, ham) = (f64::from(c.spam), f64::from(c.ham));
    let (s, h) = (spam / spam_total, ham / ham_total);
    let p = if s + h == 0.0 { UNKNOWN } else { s / (s + h) };
    let n = if balanced {
        spam_total.min(ham_total) * (s + h)
    } else {
        spam + ham
    };
    (strength * UNKNOWN + n * p) / (strength + n)
}

/// Scores a message's features; `None` while the model has no spam or no ham yet.
pub fn score<S: AsRef<str>>(
    model: &Model,
    features: &[S],
    how: Combining,
    explain: usize,
) -> Option<Scored> {
    if model.spam == 0 || model.ham == 0 {
        return None;
    }
    let (strength, min_seen) = match how {
        Combining::SeenTwice => (SEEN_TWICE_STRENGTH, MIN_SEEN),
        Combining::ChiSquare | Combining::SpamBayes | Combining::Graham => (STRENGTH, 1),
    };
    let balanced = how == Combining::ChiSquare;
    let mut clues: Vec<(&str, f64)> = features
        .iter()
        .filter_map(|f| {
            let f = f.as_ref();
            let c = model.counts(f)?;
            if c.spam.saturating_add(c.ham) < min_seen {
                return None;
            }
            let p = probability(c, model.spam, model.ham, strength, balanced);
            ((p - 0.5).abs() >= MIN_DEVIATION).then_some((f, p))
        })
        .collect();
    let limit = match how {
        Combining::ChiSquare | Combining::SpamBayes | Combining::SeenTwice => MAX_DISCRIMINATORS,
        Combining::Graham => 15,
    };
    let strongest = |a: &(&str, f64), b: &(&str, f64)| {
        let (da, db) = ((a.1 - 0.5).abs(), (b.1 - 0.5).abs());
        db.total_cmp(&da).then_with(|| a.0.cmp(b.0))
    };
    if clues.len() > limit {
        clues.select_nth_unstable_by(limit, strongest);
        clues.truncate(limit);
    }
    clues.sort_by(strongest);
    let score = match how {
        Combining::ChiSquare | Combining::SpamBayes | Combining::SeenTwice => chi_combine(&clues),
        Combining::Graham => graham_combine(&clues),
    };
    let pick = |spam: bool| {
        clues
            .iter()
            .filter(|(_, p)| (*p > 0.5) == spam)
            .take(explain)
            .map(|(f, p)| ((*f).to_owned(), *p))
            .collect()
    };
    Some(Scored {
        score,
        spammy: pick(true),
        hammy: pick(false),
    })
}

fn chi_combine(clues: &[(&str, f64)]) -> f64 {
    if clues.is_empty() {
        return 0.5;
    }
    let (mut ln_ham, mut ln_spam) = (0.0, 0.0);
    for (_, p) in clues {
        let p = p.clamp(1e-6, 1.0 - 1e-6);
        ln_ham += p.ln();
        ln_spam += (1.0 - p).ln();
    }
    let n = clues.len();
    let spamminess = 1.0 - chi2q(-2.0 * ln_spam, 2 * n);
    let hamminess = 1.0 - chi2q(-2.0 * ln_ham, 2 * n);
    ((spamminess - hamminess + 1.0) / 2.0).clamp(0.0, 1.0)
}

/// The chi-square survival function for an even number of degrees of freedom.
fn chi2q(x2: f64, dof: usize) -> f64 {
    let m = x2 / 2.0;
    let mut term = (-m).exp();
    let mut sum = term;
    for i in 1..dof / 2 {
        term *= m / i as f64;
        sum += term;
    }
    sum.min(1.0)
}

fn graham_combine(clues: &[(&str, f64)]) -> f64 {
    if clues.is_empty() {
        return 0.5;
    }
    // In logarithms, so that 15 small probabilities do not underflow.
    let (mut ln_s, mut ln_h) = (0.0, 0.0);
    for (_, p) in clues {
        let p = p.clamp(0.01, 0.99);
        ln_s += p.ln();
        ln_h += (1.0 - p).ln();
    }
    1.0 / (1.0 + (ln_h - ln_s).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spam::model::Label;

    fn trained() -> Model {
        let mut m = Model::default();
        for _ in 0..20 {
            m.train(&["cheap", "pills", "now"], Label::Spam);
            m.train(&["thanks", "article", "now"], Label::Ham);
        }
        m
    }

    #[test]
    fn an_untrained_model_has_no_opinion() {
        let mut m = Model::default();
        assert_eq!(score(&m, &["cheap"], Combining::ChiSquare, 3), None);
        m.train(&["cheap"], Label::Spam);
        assert_eq!(score(&m, &["cheap"], Combining::ChiSquare, 3), None);
    }

    #[test]
    fn clear_evidence_scores_near_the_ends_and_mixed_near_the_middle() {
        let m = trained();
        for how in [
            Combining::ChiSquare,
            Combining::SpamBayes,
            Combining::SeenTwice,
            Combining::Graham,
        ] {
            let spam = score(&m, &["cheap", "pills"], how, 3).map(|s| s.score);
            let ham = score(&m, &["thanks", "article"], how, 3).map(|s| s.score);
            let mixed = score(&m, &["cheap", "thanks"], how, 3).map(|s| s.score);
            let unknown = score(&m, &["zebra", "now"], how, 3).map(|s| s.score);
            assert!(spam.is_some_and(|s| s > 0.95), "{how:?} {spam:?}");
            assert!(ham.is_some_and(|s| s < 0.05), "{how:?} {ham:?}");
            assert!(
                mixed.is_some_and(|s| (s - 0.5).abs() < 0.1),
                "{how:?} {mixed:?}"
            );
            assert_eq!(unknown, Some(0.5));
        }
    }

    #[test]
    fn the_strongest_features_explain_the_score() {
        let mut m = trained();
        m.train(&["pills"], Label::Spam);
        let s = score(&m, &["cheap", "pills", "thanks"], Combining::ChiSquare, 1);
        let s = s.unwrap_or_else(|| panic!("trained"));
        assert_eq!(s.spammy.len(), 1);
        assert_eq!(s.spammy[0].0, "pills");
        assert_eq!(s.hammy[0].0, "thanks");
    }

    #[test]
    fn sightings_in_the_more_often_trained_kind_count_for_less() {
        let seen = |spam, ham| Counts { spam, ham, seen: 0 };
        // 30 spam decisions and 170 legitimate ones, as a young site has.
        let in_ham = probability(&seen(0, 3), 30, 170, STRENGTH, true);
        let in_spam = probability(&seen(3, 0), 30, 170, STRENGTH, true);
        assert!(in_spam > 0.8, "{in_spam}");
        assert!(in_ham > 0.2 && in_ham < 0.5, "{in_ham}");
        assert!(in_spam - 0.5 > 0.5 - in_ham, "{in_spam} {in_ham}");
        // Counted raw, both weighed the same.
        let raw_ham = probability(&seen(0, 3), 30, 170, STRENGTH, false);
        let raw_spam = probability(&seen(3, 0), 30, 170, STRENGTH, false);
        assert!((raw_spam - 0.5 - (0.5 - raw_ham)).abs() < 1e-12);
        // With as many decisions of each kind, balanced is the raw estimate.
        let even = probability(&seen(2, 5), 100, 100, STRENGTH, true);
        assert!((even - probability(&seen(2, 5), 100, 100, STRENGTH, false)).abs() < 1e-12);
    }

    #[test]
    fn chi2q_matches_known_values() {
        assert!((chi2q(0.0, 2) - 1.0).abs() < 1e-12);
        // chi2 survival at x = 2 with 2 degrees of freedom is e^-1.
        assert!((chi2q(2.0, 2) - (-1.0f64).exp()).abs() < 1e-12);
        assert!(chi2q(100.0, 10) < 1e-15);
    }
}
