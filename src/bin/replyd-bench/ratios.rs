//! The side-by-side run (`--ratios`): the bare-axum bound, replyd, and replyd behind nginx's
//! `proxy_cache`, interleaved scenario by scenario on the same cores, so whatever else the
//! machine does weighs on all of them alike; each replyd figure is given as a ratio to the
//! bound measured in the same round.
use std::time::Duration;

use anyhow::bail;

use crate::bound::{BODY_FILE, BoundServer};
use crate::load::{Scenario, fetch, run_scenario};
use crate::proxy::Nginx;
use crate::server::{Server, cpu_seconds_of, free_addr};

#[derive(Clone, Copy, PartialEq)]
enum Via {
    Bound,
    Replyd,
    Nginx,
}

/// One measured case: who serves it, what, and the index of the bound case it is compared to.
struct Case {
    via: Via,
    scenario: Scenario,
    against: usize,
}

const CASES: [Case; 7] = [
    Case {
        via: Via::Bound,
        scenario: Scenario::BoundGet,
        against: 0,
    },
    Case {
        via: Via::Replyd,
        scenario: Scenario::Thread50,
        against: 0,
    },
    Case {
        via: Via::Replyd,
        scenario: Scenario::Counts20,
        against: 0,
    },
    Case {
        via: Via::Nginx,
        scenario: Scenario::Thread50,
        against: 0,
    },
    Case {
        via: Via::Nginx,
        scenario: Scenario::Counts20,
        against: 0,
    },
    Case {
        via: Via::Bound,
        scenario: Scenario::BoundPost,
        against: 5,
    },
    Case {
        via: Via::Replyd,
        scenario: Scenario::Post,
        against: 5,
    },
];

/// One run of one case: req/s, p50, p99, CPU ms/req of replyd or the bound, errors, load.
type Row = [f64; 6];

pub async fn run(
    server: &Server,
    runs: usize,
    connections: usize,
    secs: u64,
) -> anyhow::Result<()> {
    let thread = "/api/v1/comments?site=demo&uri=%2Fb50";
    let (_, body) = fetch(server.addr(), thread).await?;
    std::fs::write(server.dir().join(BODY_FILE), &body)?;
    eprintln!(
        "bound GET body: {} bytes, replyd's 50-comment thread",
        body.len()
    );
    let bound = BoundServer::start(server.dir(), free_addr()?).await?;
    let nginx = Nginx::start(&server.dir().join("nginx"), free_addr()?, server.addr()).await?;
    for path in [thread, &counts_path()] {
        fetch(nginx.addr, path).await?;
        let (head, _) = fetch(nginx.addr, path).await?;
        if !head.contains("x-cache-status: hit") {
            bail!("nginx did not serve a second read of {path} from its cache:\n{head}");
        }
    }
    eprintln!("nginx: a second read of the thread and of the counts is a cache HIT");
    let mut rows: Vec<Vec<Row>> = CASES.iter().map(|_| Vec::new()).collect();
    for run in 0..runs.max(1) {
        for (i, case) in CASES.iter().enumerate() {
            let (addr, pid) = match case.via {
                Via::Bound => (bound.addr, bound.pid()),
                Via::Replyd => (server.addr(), server.pid()?),
                Via::Nginx => (nginx.addr, server.pid()?),
            };
            let load = load_average();
            let cpu = cpu_seconds_of(pid)?;
            let dur = Duration::from_secs(secs);
            let r = run_scenario(addr, case.scenario, run, connections, dur).await?;
            let cpu = cpu_seconds_of(pid)? - cpu;
            let n = r.latencies_us.len().max(1) as f64;
            let rps = n / r.elapsed.as_secs_f64();
            eprintln!(
                "run {run}: {} {}: {rps:.0} req/s",
                via_name(case.via),
                case.scenario.name()
            );
            rows[i].push([
                rps,
                r.percentile(50.0),
                r.percentile(99.0),
                cpu * 1000.0 / n,
                r.errors as f64,
                load.max(load_average()),
            ]);
        }
    }
    report(&rows)
}

fn counts_path() -> String {
    let uris: String = (0..20).map(|i| format!("&uri=%2Fc%2F{i}")).collect();
    format!("/api/v1/counts?site=demo{uris}")
}

fn via_name(via: Via) -> &'static str {
    match via {
        Via::Bound => "bare axum",
        Via::Replyd => "replyd",
        Via::Nginx => "nginx proxy_cache → replyd",
    }
}

/// The one-minute load average of the machine.
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Prints the table: medians over the runs, each run's req/s, and the median of the
/// per-round ratios to the bound.
fn report(rows: &[Vec<Row>]) -> anyhow::Result<()> {
    println!(
        "| scenario | served by | req/s | runs | p50 ms | p99 ms | CPU ms/req | ratio to the bound | ratio each round |"
    );
    println!("|---|---|---:|---|---:|---:|---:|---:|---|");
    let mut errors = 0.0;
    for (case, runs) in CASES.iter().zip(rows) {
        let col = |i: usize| median(runs.iter().map(|r| r[i]).collect());
        let each: Vec<String> = runs.iter().map(|r| format!("{:.0}", r[0])).collect();
        let ratios: Vec<f64> = runs
            .iter()
            .zip(&rows[case.against])
            .map(|(r, b)| r[0] / b[0].max(1.0))
            .collect();
        let each_ratio: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
        errors += runs.iter().map(|r| r[4]).sum::<f64>();
        println!(
            "| {} | {} | {:.0} | {} | {:.2} | {:.2} | {:.3} | {:.2}× | {} |",
            case.scenario.name(),
            via_name(case.via),
            col(0),
            each.join(" · "),
            col(1),
            col(2),
            col(3),
            median(ratios),
            each_ratio.join(" · "),
        );
    }
    let loads: Vec<f64> = rows.iter().flatten().map(|r| r[5]).collect();
    let lo = loads.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = loads.iter().copied().fold(0.0, f64::max);
    println!();
    println!("load average (1 min) during the runs: {lo:.1} to {hi:.1}");
    println!("CPU ms/req is replyd's (also behind nginx) or the bound's process alone");
    if errors > 0.0 {
        bail!("{errors} requests were not answered with 2xx: the figures are not valid");
    }
    Ok(())
}
