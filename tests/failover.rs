//! The `failover` example as a user runs it (`cargo run --example failover`): it writes an
//! SVG chart, and its `# tsv` block (page loads sent to the dead address / all page loads,
//! per second after the failure, per scenario) shows what the model must show, whatever the
//! seed:
//!
//! * at the failure, the multi-primary scheme sends no more clients to the dead host than
//!   round-robin does (both about 1/hosts: the caches that hold the dead address);
//! * round-robin keeps sending clients there at least until the TTL (by default for good:
//!   its name servers keep handing out the address);
//! * the multi-primary share falls to nothing within the TTL plus the time resolvers spend
//!   on timeouts and retries, and falls gradually, as caches expire;
//! * the same seed gives the same output, another seed another.
//!
//! The figures are random draws, so comparisons between them allow for sampling error
//! (computed from the counts printed), never for a hard-coded result.

// Test helpers may panic: a helper that cannot do its job is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/example.rs"]
mod example;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The scenarios the example compares: scheme, TTL, hosts.
const SCENARIOS: [(&str, u32, u32); 8] = [
    ("mp", 60, 2),
    ("mp", 60, 3),
    ("mp", 300, 2),
    ("mp", 300, 3),
    ("rr", 60, 2),
    ("rr", 60, 3),
    ("rr", 300, 2),
    ("rr", 300, 3),
];

/// Seconds simulated after the failure by default.
const DURATION: usize = 360;

/// The most a resolver spends on timeouts and retries before a live name server answers:
/// Unbound waits 376 ms on a server it knows nothing of and doubles that on each retry,
/// so three tries take under 3 s (the model needs at most two).
const RETRY_SLACK: usize = 3;

/// Runs the built example directly, not through `cargo run`, so that what cargo prints
/// while building (warnings) never mixes with the example's own stderr.
fn run(args: &[&str]) -> Output {
    Command::new(example::path("failover"))
        .args(args)
        .output()
        .unwrap()
}

fn svg_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("failover-{name}.svg"))
}

/// One run: its stdout and the SVG it wrote.
struct Run {
    stdout: String,
    svg: Vec<u8>,
}

fn run_with_svg(name: &str, extra: &[&str]) -> Run {
    let path = svg_path(name);
    let _ = std::fs::remove_file(&path);
    let mut args = vec!["--svg", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = run(&args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "failover {args:?} failed: {stderr}"
    );
    assert!(
        stderr.contains(&path.display().to_string()),
        "failover names the SVG it wrote on stderr: {stderr}"
    );
    Run {
        stdout: String::from_utf8(output.stdout).unwrap(),
        svg: std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    }
}

/// The default run (seed 1), made once for every test that reads it.
fn default_run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| run_with_svg("default", &[]))
}

/// A run with another seed.
fn seed_2_run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| run_with_svg("seed-2", &["--seed", "2"]))
}

/// The `# tsv` block: column names, then per second the (dead, all) counts per column.
struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<(u32, u32)>>,
}

impl Table {
    fn parse(stdout: &str) -> Table {
        let mut lines = stdout
            .lines()
            .skip_while(|line| !line.starts_with("# tsv"))
            .skip(1);
        let header: Vec<&str> = lines.next().expect("a # tsv block").split('\t').collect();
        assert_eq!(header[0], "second");
        let columns: Vec<String> = header[1..].iter().map(|c| c.to_string()).collect();
        let mut rows = Vec::new();
        for (expected, line) in lines.take_while(|l| !l.is_empty()).enumerate() {
            let cells: Vec<&str> = line.split('\t').collect();
            assert_eq!(cells.len(), columns.len() + 1, "row {line:?}");
            assert_eq!(cells[0].parse::<usize>().unwrap(), expected, "row {line:?}");
            rows.push(
                cells[1..]
                    .iter()
                    .map(|cell| {
                        let (dead, all) = cell.split_once('/').expect("dead/all");
                        let (dead, all) = (dead.parse().unwrap(), all.parse().unwrap());
                        assert!(dead <= all, "row {line:?}");
                        (dead, all)
                    })
                    .collect(),
            );
        }
        Table { columns, rows }
    }

    /// One scenario's counts, second by second.
    fn column(&self, scheme: &str, ttl: u32, hosts: u32) -> Vec<(u32, u32)> {
        let id = format!("{scheme}/{ttl}s/{hosts}h");
        let index = self
            .columns
            .iter()
            .position(|c| *c == id)
            .unwrap_or_else(|| panic!("no column {id} in {:?}", self.columns));
        self.rows.iter().map(|row| row[index]).collect()
    }
}

fn share((dead, all): (u32, u32)) -> f64 {
    assert!(all > 0, "a second without page loads");
    f64::from(dead) / f64::from(all)
}

/// Pooled share and count over a range of seconds.
fn pooled(cells: &[(u32, u32)]) -> (f64, f64) {
    let dead: u64 = cells.iter().map(|c| u64::from(c.0)).sum();
    let all: u64 = cells.iter().map(|c| u64::from(c.1)).sum();
    (dead as f64 / all as f64, all as f64)
}

/// Every property the model must show, checked on one run's table.
fn check_properties(table: &Table, what: &str) {
    for (scheme, ttl, hosts) in SCENARIOS {
        assert_eq!(
            table.column(scheme, ttl, hosts).len(),
            DURATION,
            "{what}: one row per second"
        );
    }
    for ttl in [60, 300] {
        for hosts in [2u32, 3] {
            let mp = table.column("mp", ttl, hosts);
            let rr = table.column("rr", ttl, hosts);
            let ttl = ttl as usize;
            let expected = 1.0 / f64::from(hosts);
            let case = format!("{what}, TTL {ttl} s, {hosts} hosts");

            // At the failure both schemes send about 1/hosts of the clients to the dead
            // address, and multi-primary no more than round-robin. Allowance: four
            // standard errors of the difference, doubled for multi-primary because its
            // page loads come in clusters (the clients of one resolver share its cache).
            let (mp0, rr0) = (share(mp[0]), share(rr[0]));
            let variance = expected * (1.0 - expected);
            let error = (variance * (2.0 / f64::from(mp[0].1) + 1.0 / f64::from(rr[0].1))).sqrt();
            assert!(
                mp0 <= rr0 + 4.0 * error,
                "{case}: multi-primary {mp0:.3} at 0 s, round-robin {rr0:.3}"
            );
            for (name, value) in [("multi-primary", mp0), ("round-robin", rr0)] {
                assert!(
                    (value - expected).abs() < 6.0 * error,
                    "{case}: {name} sends {value:.3} at 0 s, expected about {expected:.3}"
                );
            }

            // Round-robin: clients keep going to the dead address until at least the TTL
            // (nobody removes it from the RRset), at about 1/hosts throughout.
            for (second, &cell) in rr.iter().enumerate().take(ttl + 1) {
                assert!(cell.0 > 0, "{case}: round-robin reached 0 at {second} s");
            }
            let (mean, count) = pooled(&rr);
            let error = (variance / count).sqrt();
            assert!(
                (mean - expected).abs() < 6.0 * error,
                "{case}: round-robin's mean share {mean:.4}, expected about {expected:.3}"
            );

            // Multi-primary: nobody is sent to the dead address once every cache that held
            // it has expired and the resolvers have timed out on its name server.
            let last = mp.iter().rposition(|&(dead, _)| dead > 0);
            let last = last.unwrap_or_else(|| panic!("{case}: multi-primary never hit it"));
            assert!(
                last < ttl + RETRY_SLACK,
                "{case}: multi-primary still sent clients there at {last} s"
            );
            assert!(
                mp[ttl + RETRY_SLACK..].iter().all(|&(dead, _)| dead == 0),
                "{case}: multi-primary after the TTL"
            );
            // ... and gets there gradually, as the caches expire one by one: the share in
            // the first half of the TTL is well above that in the second half (expected
            // 3/4 and 1/4 of the initial share).
            let (first, _) = pooled(&mp[..ttl / 2]);
            let (second, _) = pooled(&mp[ttl / 2..ttl]);
            assert!(
                first > 2.0 * second && second > 0.0,
                "{case}: multi-primary {first:.3} in the first half of the TTL, \
                 {second:.3} in the second"
            );
        }
    }
}

#[test]
fn writes_an_svg_chart() {
    let svg = String::from_utf8(default_run().svg.clone()).expect("SVG is text");
    let svg = svg.trim();
    let start = svg.strip_prefix("<?xml").map_or(svg, |rest| {
        rest.split_once("?>")
            .expect("XML declaration closed")
            .1
            .trim_start()
    });
    assert!(
        start.starts_with("<svg"),
        "an SVG document: {:?}",
        &start[..40]
    );
    assert!(start.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"), "the document is complete");
    // A line per scenario (and more for the legend and the mesh).
    assert!(svg.matches("<polyline").count() >= SCENARIOS.len());
}

#[test]
fn prints_a_readable_table_and_a_summary_per_scenario() {
    let stdout = &default_run().stdout;
    let header = stdout
        .lines()
        .find(|line| line.starts_with("second "))
        .expect("the readable table's header");
    for id in ["60s/2h", "60s/3h", "300s/2h", "300s/3h"] {
        assert_eq!(header.matches(id).count(), 2, "{id} under both schemes");
    }
    let summary: Vec<&str> = stdout
        .lines()
        .skip_while(|line| *line != "summary")
        .skip(1)
        .take_while(|line| !line.is_empty())
        .collect();
    assert_eq!(summary.len(), SCENARIOS.len(), "{summary:#?}");
    for line in summary {
        assert!(line.contains("at 0 s"), "{line}");
    }
}

#[test]
fn the_table_has_every_scenario_and_every_second() {
    let table = Table::parse(&default_run().stdout);
    let expected: Vec<String> = SCENARIOS
        .iter()
        .map(|(scheme, ttl, hosts)| format!("{scheme}/{ttl}s/{hosts}h"))
        .collect();
    assert_eq!(table.columns, expected);
    assert_eq!(table.rows.len(), DURATION);
}

#[test]
fn the_model_shows_the_scheme_at_work_seed_1() {
    check_properties(&Table::parse(&default_run().stdout), "seed 1");
}

#[test]
fn the_model_shows_the_scheme_at_work_seed_2() {
    check_properties(&Table::parse(&seed_2_run().stdout), "seed 2");
}

#[test]
fn the_same_seed_gives_the_same_output() {
    let again = run_with_svg("again", &["--seed", "1"]);
    let first = default_run();
    assert!(first.stdout == again.stdout, "stdout differs between runs");
    assert!(first.svg == again.svg, "SVG differs between runs");
}

#[test]
fn another_seed_gives_other_figures() {
    let one = Table::parse(&default_run().stdout);
    let two = Table::parse(&seed_2_run().stdout);
    assert_eq!(one.columns, two.columns);
    assert!(one.rows != two.rows, "seeds 1 and 2 gave the same figures");
}

#[test]
fn bad_arguments_give_one_error_line_and_a_failure() {
    for args in [
        &["--clients", "0"][..],
        &["--seed", "x"],
        &["--duration"],
        &["--no-such-option"],
    ] {
        let output = run(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(
            stderr.starts_with("error: ") && stderr.lines().count() == 1,
            "{args:?}: {stderr:?}"
        );
    }
}
