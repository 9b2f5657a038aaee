use replyd::spam::*;
fn run(name: &str, recs: &[eval::Record], feats: &[Vec<String>]) {
    let labels: Vec<Label> = recs.iter().map(|r| r.label).collect();
    for n in [200, 1000] {
        let folds = eval::fold_scores(&labels, feats, Combining::ChiSquare, 5, n);
        for (spam, hold) in [(0.99, 0.5), (0.95, 0.3)] {
            let t = Thresholds {
                spam,
                hold,
                min_decisions: 20,
            };
            let tl = eval::tally(&folds, &t);
            println!(
                "{name:30} n={n:5} {spam}/{hold}: caught {:.1} pub {:.1} lost {:.2} held {:.1}",
                tl.spam_caught(),
                tl.spam_published(),
                tl.ham_lost(),
                tl.held()
            );
        }
    }
}
fn main() {
    let recs = replyd::cli::spam_corpus(std::path::Path::new("data/spam/dev.jsonl.gz")).unwrap();
    let full = eval::all_features(&recs, FeatureSet::Full);
    let words = eval::all_features(&recs, FeatureSet::WordsOnly);
    run("words", &recs, &words);
    run("full", &recs, &full);
    let f = |keep: &dyn Fn(&str) -> bool| -> Vec<Vec<String>> {
        full.iter()
            .map(|v| v.iter().filter(|t| keep(t)).cloned().collect())
            .collect()
    };
    run("no gapped", &recs, &f(&|t| !t.contains(" _")));
    run(
        "no bigrams",
        &recs,
        &f(&|t| !(t.contains(' ') && !t.contains(':'))),
    );
    run(
        "no bigrams no c:",
        &recs,
        &f(&|t| !(t.contains(' ') && !t.contains(':')) && !t.starts_with("c:")),
    );
    run(
        "words+meta (no bi, c)",
        &recs,
        &f(&|t| !t.contains(' ') || t.contains(':')),
    );
}
