//! Simulated failover: how many clients are sent to a dead web server, second by second,
//! under this crate's scheme and under plain round-robin A records.
//!
//! ```text
//! cargo run --example failover -- [--seed N] [--svg PATH] [--clients N] [--duration S] [--rr-withdraw S]
//! ```
//!
//! Eight scenarios: the two schemes, each at TTL 60 s and 300 s, each with 2 and 3 hosts.
//! One host dies (web server and name server together, as a machine or its network does)
//! at second 0. For every second after that, the program prints the share of page loads
//! that went to the dead address, a summary line per scenario, and the same figures as
//! `dead/all` counts in a tab-separated block after a `# tsv` line; it draws them as an SVG
//! chart (`--svg PATH`, default `failover.svg` in the current directory; the path is
//! reported on stderr). Everything comes from one seeded PRNG (`--seed`, default 1): the
//! same arguments print the same output. Bad arguments: `error: ...` on stderr, exit 1.
//!
//! Options: `--clients N` (default 50000) page-loading clients; `--duration S` (default
//! 360) seconds simulated after the failure; `--rr-withdraw S` the operator removes the
//! dead address from the round-robin RRset S seconds after the failure (default: never,
//! the plain round-robin the scheme is compared with).
//!
//! # The model and what it assumes
//!
//! * **The schemes.** *Multi-primary*: every host runs a web server and an authoritative
//!   name server; each name server answers `www` with its own host's address (one A
//!   record), and all of them are NS for the zone. A dead host's name server is dead too.
//!   *Round-robin*: one RRset holds every host's address, served by name servers that
//!   stay up; nobody edits the zone when a host dies (unless `--rr-withdraw`).
//! * **Clients.** Each client loads a page at random times, a Poisson process with a mean
//!   of 10 s between loads, and asks its recursive resolver each time: stub resolvers and
//!   browsers are assumed to keep no cache of their own. (A client-side cache that honours
//!   the TTL it is handed, which resolvers count down (RFC 1035 §7.4), changes nothing;
//!   one that keeps answers for a fixed time lengthens the tail by that time.) With
//!   several addresses the client picks one uniformly at random, as the round-robin
//!   comparison assumes; it does not reorder them by RFC 6724 rules. A page load "sent to
//!   a dead address" is one whose first connection goes to the dead host; a client that
//!   falls back to another address (RFC 8305) still waits for a connection timeout first,
//!   which this counts as a failure.
//! * **Resolvers.** One resolver per 10 clients, each client bound to one resolver drawn
//!   uniformly. A resolver caches the answer for the zone's TTL (RFC 1034 §3.6 and §5.3.3
//!   step 1; RFC 2181 §8) from the moment it arrives; page loads that ask while a lookup
//!   is under way wait for it (one upstream query per name, as Unbound and BIND do). No
//!   prefetching, no serve-stale (RFC 8767; Unbound's `serve-expired` defaults to no).
//!   Negative caching (RFC 2308) plays no part: the zone never answers NXDOMAIN or NODATA
//!   here, and with one host of two or three dead a lookup always finds a live server, so
//!   there is no SERVFAIL to cache either.
//! * **Choosing a name server** follows Unbound (NLnet Labs' "Unbound Timeout
//!   Information" page; `iterator/iterator.h`, `util/rtt.c` and `services/cache/infra.c`
//!   in its source): it is the resolver this project runs in its own failover test, and
//!   its rule is documented with its constants. RFC 1034 §5.3.3 only says to find the best
//!   servers and send them queries until one answers; RFC 1035 §7.2 suggests ordering them
//!   by measured round-trip time. Unbound keeps a smoothed RTT and its variance per server
//!   address; its timeout is `srtt + 4 × rttvar` (the RFC 6298 estimator, gains 1/8 and
//!   1/4) held within 50 ms ... 120 s; a server it knows nothing of counts as 376 ms; it
//!   picks at random among the servers whose timeout is within 400 ms (the RTT band) of
//!   the best. A query that times out doubles the timeout it was sent with and goes again
//!   to a server not yet tried in this lookup, chosen by the same rule. Unbound forgets
//!   what it learnt of an address 900 s after first learning it (`infra-host-ttl`); the
//!   model makes each resolver's entries at random moments in the 900 s before it starts,
//!   so some resolvers forget the dead server's timeouts during the run and try it again.
//!   BIND instead prefers the lowest smoothed RTT and decays the others (Yu, Wessels,
//!   Larson and Zhang, "Authority Server Selection of DNS Caching Resolvers", 2012); it
//!   spreads queries less evenly before the failure but, like Unbound, moves off a silent
//!   server once a timeout has raised its estimate, so the curves here depend on cache
//!   expiry far more than on the selection rule.
//! * **The network.** Each resolver has a base round-trip time to each name server, drawn
//!   uniformly from 10–150 ms; each query takes that times a uniform factor in 0.9–1.3.
//!   No packet is lost, but an answer slower than the resolver's current timeout counts
//!   as lost, as it does in Unbound (rare here). Before the failure every resolver's
//!   estimates have settled (srtt 1.1 × base, rttvar 0.1 × base), so every server lies in
//!   the band and each lookup picks one uniformly. A query that reaches the dying name
//!   server before second 0 is answered.
//! * **Start.** The simulation starts one TTL plus 10 s before the failure, with every
//!   resolver holding an answer fetched at a uniformly random moment in the TTL before
//!   that (so cache expiries are spread evenly, as in a long-running population).
//!
//! Both schemes of a TTL and host count see the same clients, resolvers, page-load times
//! and base round-trip times; only the answers differ. Randomness: splitmix64, one stream per
//! seed, scenario, resolver and purpose.

mod chart;
mod model;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use chart::chart;
use model::{
    Bin, CLIENTS_PER_RESOLVER, HOSTS, Outcome, Rng, SECOND, Scenario, Scheme, TTLS, VISIT_INTERVAL,
    simulate,
};

const USAGE: &str =
    "usage: failover [--seed N] [--svg PATH] [--clients N] [--duration S] [--rr-withdraw S]";

pub(crate) struct Options {
    pub(crate) seed: u64,
    pub(crate) svg: PathBuf,
    pub(crate) clients: u32,
    pub(crate) duration: i64,
    pub(crate) rr_withdraw: Option<i64>,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

fn parse_args() -> Result<Option<Options>, String> {
    let mut options = Options {
        seed: 1,
        svg: PathBuf::from("failover.svg"),
        clients: 50_000,
        duration: 360,
        rr_withdraw: None,
    };
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = |option: &str| words.next().ok_or(format!("{option} needs a value"));
        match word.as_str() {
            "--seed" => options.seed = number(&value("--seed")?, "--seed", 0, u64::MAX)?,
            "--svg" => options.svg = PathBuf::from(value("--svg")?),
            "--clients" => {
                options.clients = number(&value("--clients")?, "--clients", 1, 1_000_000)?;
            }
            "--duration" => {
                options.duration = number(&value("--duration")?, "--duration", 1, 3600)?;
            }
            "--rr-withdraw" => {
                options.rr_withdraw =
                    Some(number(&value("--rr-withdraw")?, "--rr-withdraw", 0, 3600)?);
            }
            "-h" | "--help" => return Ok(None),
            _ => return Err(format!("unexpected argument {word}; {USAGE}")),
        }
    }
    Ok(Some(options))
}

fn number<T>(text: &str, option: &str, min: T, max: T) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    match text.parse::<T>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err(format!(
            "{option} {text}: expected a whole number from {min} to {max}"
        )),
    }
}

fn run() -> Result<(), String> {
    let Some(options) = parse_args()? else {
        println!("{USAGE}");
        return Ok(());
    };
    let resolvers = options.clients.div_ceil(CLIENTS_PER_RESOLVER);
    // Clients choose resolvers; only the count per resolver matters, since the page loads
    // of k clients are one Poisson process with k times the rate.
    let mut clients_of = vec![0u32; resolvers as usize];
    let mut draw = Rng::new(options.seed, &[0]);
    for _ in 0..options.clients {
        if let Some(count) = clients_of.get_mut(draw.below(u64::from(resolvers)) as usize) {
            *count += 1;
        }
    }
    let mut outcomes = Vec::new();
    for scheme in [Scheme::MultiPrimary, Scheme::RoundRobin] {
        for ttl in TTLS {
            for hosts in HOSTS {
                let scenario = Scenario { scheme, ttl, hosts };
                outcomes.push(simulate(scenario, &options, &clients_of));
            }
        }
    }
    print!("{}", report(&options, resolvers, &outcomes));
    chart(&options, &outcomes).map_err(|e| format!("{}: {e}", options.svg.display()))?;
    eprintln!("wrote {}", options.svg.display());
    Ok(())
}

/// Splitmix64 (Steele, Lea and Flood 2014): small, fast, and good enough for a model.
/// The first second from which every later second's share stays below `limit`.
fn settles_below(bins: &[Bin], limit: f64) -> Option<usize> {
    let last_above = bins.iter().rposition(|bin| bin.share() >= limit);
    match last_above {
        None => Some(0),
        Some(i) if i + 1 < bins.len() => Some(i + 1),
        Some(_) => None,
    }
}

fn percent(bin: Bin) -> String {
    if bin.all == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}", 100.0 * bin.share())
    }
}

fn report(options: &Options, resolvers: u32, outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "failover model: seed {}, {} clients on {resolvers} resolvers, a page load per client \
         every {} s on average;\none host (web and DNS) dies at second 0",
        options.seed,
        options.clients,
        VISIT_INTERVAL / SECOND as f64,
    );
    match options.rr_withdraw {
        Some(s) => {
            let _ = writeln!(
                out,
                "round-robin: the dead address leaves the RRset at second {s}"
            );
        }
        None => {
            let _ = writeln!(
                out,
                "round-robin: the dead address stays in the RRset (nobody edits the zone)"
            );
        }
    }
    let _ = writeln!(
        out,
        "\nshare of page loads sent to the dead address (%), by second after the failure\n"
    );
    let ids: Vec<String> = outcomes
        .iter()
        .map(|o| format!("{}s/{}h", o.scenario.ttl, o.scenario.hosts))
        .collect();
    let half = outcomes.len() / 2;
    let group = |title: &str| format!("{title:-^39}");
    let _ = writeln!(
        out,
        "{:>6}  {}   {}",
        "",
        group(" multi-primary "),
        group(" round-robin ")
    );
    let mut header = format!("{:>6} ", "second");
    for (i, id) in ids.iter().enumerate() {
        if i == half {
            header.push_str("  ");
        }
        let _ = write!(header, " {id:>9}");
    }
    let _ = writeln!(out, "{header}");
    let duration = options.duration as usize;
    let mut rows: Vec<usize> = (0..=10).chain((20..duration).step_by(10)).collect();
    for ttl in TTLS {
        let ttl = ttl as usize;
        rows.extend((ttl.saturating_sub(2)..=ttl + 1).filter(|&s| s < duration));
    }
    rows.retain(|&s| s < duration);
    rows.sort_unstable();
    rows.dedup();
    for second in rows {
        let mut line = format!("{second:>6} ");
        for (i, outcome) in outcomes.iter().enumerate() {
            if i == half {
                line.push_str("  ");
            }
            let bin = outcome.after().get(second).copied().unwrap_or_default();
            let _ = write!(line, " {:>9}", percent(bin));
        }
        let _ = writeln!(out, "{line}");
    }

    let _ = writeln!(out, "\nsummary");
    for outcome in outcomes {
        let bins = outcome.after();
        let scheme = match outcome.scenario.scheme {
            Scheme::MultiPrimary => "multi-primary",
            Scheme::RoundRobin => "round-robin",
        };
        let first = bins.first().copied().unwrap_or_default();
        let mut line = format!(
            "  {scheme:<13} {:<20} {:>6} at 0 s, ",
            format!("{}:", outcome.scenario.label()),
            format!("{}%", percent(first))
        );
        match (
            settles_below(bins, 0.01),
            settles_below(bins, f64::MIN_POSITIVE),
        ) {
            (Some(below), Some(zero)) => {
                let _ = write!(line, "below 1% from {below} s, 0 from {zero} s");
            }
            (Some(below), None) => {
                let _ = write!(line, "below 1% from {below} s, never 0");
            }
            _ => {
                let _ = write!(line, "never below 1% in {} s", options.duration);
                if outcome.scenario.scheme == Scheme::RoundRobin && options.rr_withdraw.is_none() {
                    line.push_str(" (the dead address stays in the RRset)");
                }
            }
        }
        if outcome.waited > 0 {
            let share = 100.0 * outcome.waited as f64 / outcome.loads.max(1) as f64;
            let share = if share < 0.01 {
                "<0.01".to_owned()
            } else {
                format!("{share:.2}")
            };
            let _ = write!(
                line,
                "; {} page loads ({share}%) waited for a resolver timeout",
                outcome.waited
            );
        }
        let _ = write!(
            line,
            "; slowest lookup {:.2} s",
            outcome.slowest as f64 / SECOND as f64
        );
        if outcome.servfail > 0 {
            let _ = write!(line, "; {} SERVFAIL", outcome.servfail);
        }
        let _ = writeln!(out, "{line}");
    }

    let _ = writeln!(
        out,
        "\n# tsv: page loads sent to the dead address / all page loads, by second after the failure"
    );
    let mut header = "second".to_owned();
    for outcome in outcomes {
        let _ = write!(header, "\t{}", outcome.scenario.id());
    }
    let _ = writeln!(out, "{header}");
    for second in 0..duration {
        let mut line = second.to_string();
        for outcome in outcomes {
            let bin = outcome.after().get(second).copied().unwrap_or_default();
            let _ = write!(line, "\t{}/{}", bin.dead, bin.all);
        }
        let _ = writeln!(out, "{line}");
    }
    out
}
