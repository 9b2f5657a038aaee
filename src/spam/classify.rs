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
#[cfg(test)]
use super::model::Counts;
use super::model::{Model, key};

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

/// A feature's spam probability from its counts, as [`Estimate::of`] works it out.
#[cfg(test)]
fn probability(c: &Counts, spam_total: u32, ham_total: u32, strength: f64, balanced: bool) -> f64 {
    Estimate::new(spam_total, ham_total, strength, balanced).of(c.spam, c.ham)
}

/// What a feature's probability needs of the model, worked out once per message rather
/// than once per feature.
#[derive(Debug, Clone, Copy)]
struct Estimate {
    per_spam: f64,
    per_ham: f64,
    rarer: f64,
    strength: f64,
    balanced: bool,
}

impl Estimate {
    fn new(spam_total: u32, ham_total: u32, strength: f64, balanced: bool) -> Estimate {
        let (spam_total, ham_total) = (f64::from(spam_total.max(1)), f64::from(ham_total.max(1)));
        Estimate {
            per_spam: 1.0 / spam_total,
            per_ham: 1.0 / ham_total,
            rarer: spam_total.min(ham_total),
            strength,
            balanced,
        }
    }

    /// A feature's spam probability, Robinson-smoothed. With `balanced`, the evidence `n`
    /// is the count of messages it was seen in as if both kinds had as many decisions as
    /// the rarer kind has: the sightings in the more often trained kind count for less, so
    /// that not having been seen yet in the rarer kind is weak evidence.
    fn of(&self, spam: u32, ham: u32) -> f64 {
        let (spam, ham) = (f64::from(spam), f64::from(ham));
        let (s, h) = (spam * self.per_spam, ham * self.per_ham);
        let prior = self.strength * UNKNOWN;
        if self.balanced {
            // n = rarer × (s + h) and p = s / (s + h), so n × p = rarer × s: one division.
            return (prior + self.rarer * s) / (self.strength + self.rarer * (s + h));
        }
        let p = if s + h == 0.0 { UNKNOWN } else { s / (s + h) };
        let n = spam + ham;
        (prior + n * p) / (self.strength + n)
    }
}

/// One feature's say in a score.
#[derive(Debug, Clone, Copy)]
struct Clue<'a> {
    feature: &'a str,
    key: u64,
    p: f64,
}

/// Stronger first: farther from 0.5, then by key, so that the choice among equally strong
/// features is the same on every run and costs no string comparison.
fn strongest(a: &Clue<'_>, b: &Clue<'_>) -> std::cmp::Ordering {
    let (da, db) = ((a.p - 0.5).abs(), (b.p - 0.5).abs());
    db.total_cmp(&da).then(a.key.cmp(&b.key))
}

/// Scores a message's features; `None` while the model has no spam or no ham yet.
pub fn score<S: AsRef<str>>(
    model: &Model,
    features: &[S],
    how: Combining,
    explain: usize,
) -> Option<Scored> {
    let keyed: Vec<(u64, &str)> = features
        .iter()
        .map(|f| (key(f.as_ref()), f.as_ref()))
        .collect();
    score_keyed(model, &keyed, how, explain)
}

/// The same, for features whose model keys ([`key`]) are already known.
pub fn score_keyed(
    model: &Model,
    features: &[(u64, &str)],
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
    let estimate = Estimate::new(model.spam, model.ham, strength, how == Combining::ChiSquare);
    // The look-ups first, in a loop of their own: each is a likely cache miss in a large
    // table, and independent ones overlap when nothing else is computed between them.
    let found: Vec<Option<(u32, u32)>> = features
        .iter()
        .map(|(k, _)| model.tokens.votes(*k))
        .collect();
    let mut clues: Vec<Clue<'_>> = features
        .iter()
        .zip(found)
        .filter_map(|(&(key, feature), c)| {
            let (spam, ham) = c.filter(|(s, h)| s.saturating_add(*h) >= min_seen)?;
            let p = estimate.of(spam, ham);
            ((p - 0.5).abs() >= MIN_DEVIATION).then_some(Clue { feature, key, p })
        })
        .collect();
    let limit = match how {
        Combining::ChiSquare | Combining::SpamBayes | Combining::SeenTwice => MAX_DISCRIMINATORS,
        Combining::Graham => 15,
    };
    keep_strongest(&mut clues, limit);
    let score = match how {
        Combining::ChiSquare | Combining::SpamBayes | Combining::SeenTwice => chi_combine(&clues),
        Combining::Graham => graham_combine(&clues),
    };
    Some(Scored {
        score,
        spammy: explaining(&clues, true, explain),
        hammy: explaining(&clues, false, explain),
    })
}

/// The `explain` strongest clues of one side, strongest first. Combining does not depend on
/// order, so only these few are ever sorted, in one pass that keeps the best so far.
fn explaining(clues: &[Clue<'_>], spam: bool, explain: usize) -> Vec<(String, f64)> {
    let mut best: Vec<Clue<'_>> = Vec::with_capacity(explain + 1);
    for c in clues.iter().filter(|c| (c.p > 0.5) == spam) {
        let full = best.len() == explain;
        if full && best.last().is_none_or(|last| strongest(c, last).is_ge()) {
            continue;
        }
        let at = best.partition_point(|b| strongest(b, c).is_lt());
        best.insert(at, *c);
        best.truncate(explain);
    }
    best.into_iter()
        .map(|c| (c.feature.to_owned(), c.p))
        .collect()
}

/// Keeps the `limit` strongest clues, in no particular order.
fn keep_strongest(clues: &mut Vec<Clue<'_>>, limit: usize) {
    if clues.len() > limit {
        clues.select_nth_unstable_by(limit, strongest);
        clues.truncate(limit);
    }
}

/// The natural logarithms of the product of `p` and of `1 - p` over the clues, clamped to
/// `[floor, 1 - floor]`. Multiplied and rescaled (as SpamBayes does with `frexp`) rather
/// than summed as logarithms: two logarithms per message instead of two per feature.
fn ln_products(clues: &[Clue<'_>], floor: f64) -> (f64, f64) {
    const RESCALE: f64 = 1e-200;
    let (mut p_all, mut q_all, mut p_scale, mut q_scale) = (1.0f64, 1.0f64, 0i32, 0i32);
    for c in clues {
        let p = c.p.clamp(floor, 1.0 - floor);
        p_all *= p;
        q_all *= 1.0 - p;
        if p_all < RESCALE {
            p_all /= RESCALE;
            p_scale += 1;
        }
        if q_all < RESCALE {
            q_all /= RESCALE;
            q_scale += 1;
        }
    }
    let ln_rescale = RESCALE.ln();
    (
        p_all.ln() + f64::from(p_scale) * ln_rescale,
        q_all.ln() + f64::from(q_scale) * ln_rescale,
    )
}

fn chi_combine(clues: &[Clue<'_>]) -> f64 {
    if clues.is_empty() {
        return 0.5;
    }
    let (ln_ham, ln_spam) = ln_products(clues, 1e-6);
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
        if term == 0.0 {
            // e^-m underflowed: every term is 0.
            break;
        }
        let i = i as f64;
        term *= m / i;
        sum += term;
        // Past 2m each term is under half the one before, so all that is left adds less
        // than twice this one: nothing, at this precision.
        if i > 2.0 * m && term < sum * 1e-17 {
            break;
        }
    }
    sum.min(1.0)
}

fn graham_combine(clues: &[Clue<'_>]) -> f64 {
    if clues.is_empty() {
        return 0.5;
    }
    let (ln_s, ln_h) = ln_products(clues, 0.01);
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

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("f{i}")).collect()
    }

    /// One clue per name, their probabilities taken from `ps` in turn, with keys spread
    /// over the whole range as hashes are.
    fn cycled<'a>(names: &'a [String], ps: &[f64]) -> Vec<Clue<'a>> {
        names
            .iter()
            .enumerate()
            .map(|(i, feature)| Clue {
                feature,
                key: (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
                p: ps[i % ps.len()],
            })
            .collect()
    }

    #[test]
    fn the_explaining_features_are_those_a_full_sort_puts_first() {
        let names = names(200);
        // Six probabilities only, so most clues tie and the key decides.
        let clues = cycled(&names, &[0.01, 0.2, 0.35, 0.7, 0.9, 0.99]);
        let mut sorted = clues.clone();
        sorted.sort_by(strongest);
        for spam in [true, false] {
            for k in [0, 1, 3, 10] {
                let want: Vec<(String, f64)> = sorted
                    .iter()
                    .filter(|c| (c.p > 0.5) == spam)
                    .take(k)
                    .map(|c| (c.feature.to_owned(), c.p))
                    .collect();
                assert_eq!(explaining(&clues, spam, k), want, "{spam} {k}");
            }
        }
    }

    #[test]
    fn the_rescaled_products_are_the_sums_of_logarithms() {
        let names = names(300);
        // Strong clues on both sides, so both products pass the rescaling point many times.
        let clues = cycled(&names, &[1e-9, 0.003, 0.2, 0.8, 0.999_999_9, 0.6]);
        for floor in [1e-6, 0.01] {
            let (ln_p, ln_q) = ln_products(&clues, floor);
            let (mut sum_p, mut sum_q) = (0.0, 0.0);
            for c in &clues {
                let p = c.p.clamp(floor, 1.0 - floor);
                sum_p += p.ln();
                sum_q += (1.0 - p).ln();
            }
            assert!((ln_p - sum_p).abs() < 1e-9 * sum_p.abs(), "{ln_p} {sum_p}");
            assert!((ln_q - sum_q).abs() < 1e-9 * sum_q.abs(), "{ln_q} {sum_q}");
        }
        assert_eq!(ln_products(&[], 0.01), (0.0, 0.0));
    }

    #[test]
    fn chi2q_matches_known_values() {
        assert!((chi2q(0.0, 2) - 1.0).abs() < 1e-12);
        // chi2 survival at x = 2 with 2 degrees of freedom is e^-1.
        assert!((chi2q(2.0, 2) - (-1.0f64).exp()).abs() < 1e-12);
        assert!(chi2q(100.0, 10) < 1e-15);
        // Stopping early changes nothing: the full Poisson sum, term by term.
        for (x2, dof) in [
            (3.0, 600),
            (40.0, 600),
            (599.0, 600),
            (1500.0, 600),
            (0.5, 8),
        ] {
            let m: f64 = x2 / 2.0;
            let (mut term, mut full) = ((-m).exp(), (-m).exp());
            for i in 1..dof / 2 {
                term *= m / i as f64;
                full += term;
            }
            let fast = chi2q(x2, dof);
            assert!(
                (fast - full.min(1.0)).abs() <= 1e-15 * full.max(1e-300),
                "{x2} {dof}"
            );
        }
    }
}
