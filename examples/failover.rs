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

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use plotters::prelude::*;

/// Microseconds: the model's clock. Second 0 is the failure.
type Micros = i64;

const SECOND: Micros = 1_000_000;
const MILLISECOND: Micros = 1_000;

/// Mean time between one client's page loads.
const VISIT_INTERVAL: f64 = 10.0 * SECOND as f64;
/// Clients per resolver (on average: clients choose resolvers at random).
const CLIENTS_PER_RESOLVER: u32 = 10;
/// Seconds before the failure shown on the chart.
const LEAD: i64 = 10;
/// The TTLs and host counts compared.
const TTLS: [i64; 2] = [60, 300];
const HOSTS: [usize; 2] = [2, 3];

/// Unbound: timeout assumed for a server with no history (`UNKNOWN_SERVER_NICENESS`).
const UNKNOWN_SERVER_RTO: Micros = 376 * MILLISECOND;
/// Unbound: servers within this of the best are chosen at random (`RTT_BAND`).
const RTT_BAND: Micros = 400 * MILLISECOND;
/// Unbound: how long it keeps what it learnt of a server address (`infra-host-ttl`).
const INFRA_HOST_TTL: Micros = 900 * SECOND;
/// Unbound: `infra-cache-min-rtt` and `infra-cache-max-rtt` defaults.
const RTO_MIN: Micros = 50 * MILLISECOND;
const RTO_MAX: Micros = 120 * SECOND;
/// Queries sent for one lookup before it gives up with SERVFAIL.
const MAX_SENDS: u32 = 8;

const USAGE: &str =
    "usage: failover [--seed N] [--svg PATH] [--clients N] [--duration S] [--rr-withdraw S]";

struct Options {
    seed: u64,
    svg: PathBuf,
    clients: u32,
    duration: i64,
    rr_withdraw: Option<i64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scheme {
    MultiPrimary,
    RoundRobin,
}

#[derive(Clone, Copy)]
struct Scenario {
    scheme: Scheme,
    ttl: i64,
    hosts: usize,
}

impl Scenario {
    /// The column name in the `# tsv` block.
    fn id(&self) -> String {
        let scheme = match self.scheme {
            Scheme::MultiPrimary => "mp",
            Scheme::RoundRobin => "rr",
        };
        format!("{scheme}/{}s/{}h", self.ttl, self.hosts)
    }

    fn label(&self) -> String {
        format!("TTL {} s, {} hosts", self.ttl, self.hosts)
    }
}

/// Page loads in one second, and how many of them went to the dead address.
#[derive(Clone, Copy, Default)]
struct Bin {
    all: u32,
    dead: u32,
}

impl Bin {
    fn share(self) -> f64 {
        if self.all == 0 {
            0.0
        } else {
            f64::from(self.dead) / f64::from(self.all)
        }
    }
}

/// One scenario's result.
struct Outcome {
    scenario: Scenario,
    /// Seconds `-LEAD .. duration`, by the moment the client connects.
    bins: Vec<Bin>,
    /// Page loads after the failure whose lookup waited for a resolver timeout.
    waited: u64,
    /// Page loads after the failure.
    loads: u64,
    /// The longest a page load after the failure waited for its lookup.
    slowest: Micros,
    /// Lookups that ended in SERVFAIL.
    servfail: u64,
}

impl Outcome {
    /// Seconds from 0 on.
    fn after(&self) -> &[Bin] {
        self.bins.get(LEAD as usize..).unwrap_or(&[])
    }
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
struct Rng(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A stream of its own for each seed and list of keys.
    fn new(seed: u64, keys: &[u64]) -> Rng {
        let mut state = mix(seed);
        for key in keys {
            state = mix(state ^ mix(key.wrapping_add(0x9E37_79B9_7F4A_7C15)));
        }
        Rng(state)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [low, high).
    fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// Exponentially distributed with the given mean.
    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

/// What Unbound keeps per server address: `struct rtt_info` in `util/rtt.h`, and when
/// its infra cache entry expires.
#[derive(Clone, Copy)]
struct RttInfo {
    srtt: Micros,
    rttvar: Micros,
    rto: Micros,
    expires: Micros,
}

impl RttInfo {
    /// `rtt_init`: a server it knows nothing of.
    fn unknown(now: Micros) -> RttInfo {
        RttInfo {
            srtt: 0,
            rttvar: UNKNOWN_SERVER_RTO / 4,
            rto: UNKNOWN_SERVER_RTO,
            expires: now + INFRA_HOST_TTL,
        }
    }

    /// A server it has long talked to, whose entry expires at `expires`.
    fn settled(base: Micros, expires: Micros) -> RttInfo {
        let mut info = RttInfo {
            srtt: base * 11 / 10,
            rttvar: base / 10,
            rto: 0,
            expires,
        };
        info.rto = info.calc_rto();
        info
    }

    fn calc_rto(&self) -> Micros {
        (self.srtt + 4 * self.rttvar).clamp(RTO_MIN, RTO_MAX)
    }

    /// `rtt_update`: an answer came after `rtt`.
    fn update(&mut self, rtt: Micros) {
        let delta = rtt - self.srtt;
        self.srtt += delta / 8;
        self.rttvar += (delta.abs() - self.rttvar) / 4;
        self.rto = self.calc_rto();
    }

    /// `rtt_lost`: a query sent with timeout `orig` got no answer.
    fn lost(&mut self, orig: Micros) {
        if self.rto < orig {
            return;
        }
        let doubled = orig * 2;
        if self.rto <= doubled {
            self.rto = doubled.min(RTO_MAX);
        }
    }
}

/// A resolver's cached answer for `www`: a set of hosts (bit i: host i), or SERVFAIL.
#[derive(Clone, Copy)]
struct Cached {
    answer: Option<u8>,
    /// When the answer arrives; page loads that asked earlier wait until then.
    ready: Micros,
    expires: Micros,
    timeouts: u32,
}

struct Resolver {
    /// Per name server: base round-trip time and Unbound's estimate. In the multi-primary
    /// scheme name server i is on host i; in round-robin the name servers never die.
    base: Vec<Micros>,
    infra: Vec<RttInfo>,
}

impl Resolver {
    /// A resolver at `start`, its infra cache entries made at random moments in the
    /// `INFRA_HOST_TTL` before.
    fn new(servers: usize, start: Micros, net: &mut Rng) -> Resolver {
        let base: Vec<Micros> = (0..servers)
            .map(|_| net.between(10.0, 150.0).round() as Micros * MILLISECOND)
            .collect();
        let infra = base
            .iter()
            .map(|&b| RttInfo::settled(b, start + (net.unit() * INFRA_HOST_TTL as f64) as Micros))
            .collect();
        Resolver { base, infra }
    }

    /// Unbound's choice: at random among the untried servers whose timeout lies within
    /// `RTT_BAND` of the best one's (all servers, once every one has been tried).
    fn choose(&self, tried: u8, choice: &mut Rng) -> Option<usize> {
        let all = (1u8 << self.infra.len()) - 1;
        let open = if tried & all == all {
            all
        } else {
            !tried & all
        };
        let rto = |i: usize| {
            self.infra
                .get(i)
                .map_or(UNKNOWN_SERVER_RTO, |info| info.rto)
        };
        let candidates = || (0..self.infra.len()).filter(move |i| open & (1 << i) != 0);
        let best = candidates().map(rto).min()?;
        let band: Vec<usize> = candidates()
            .filter(|&i| rto(i) <= best + RTT_BAND)
            .collect();
        band.get(choice.below(band.len() as u64) as usize).copied()
    }

    /// One lookup of `www` starting at `start`.
    fn lookup(
        &mut self,
        start: Micros,
        scenario: Scenario,
        rr_withdraw: Option<Micros>,
        choice: &mut Rng,
        net: &mut Rng,
    ) -> Cached {
        let mut now = start;
        let mut tried = 0u8;
        let mut timeouts = 0;
        for _ in 0..MAX_SENDS {
            for info in &mut self.infra {
                if now >= info.expires {
                    *info = RttInfo::unknown(now);
                }
            }
            let Some(server) = self.choose(tried, choice) else {
                break;
            };
            tried |= 1 << server;
            let (Some(info), Some(&base)) = (self.infra.get_mut(server), self.base.get(server))
            else {
                break;
            };
            let rtt = (base as f64 * net.between(0.9, 1.3)) as Micros;
            // A name server on the dead host answers only queries that reached it in time.
            let alive = scenario.scheme == Scheme::RoundRobin || server != 0 || now + rtt / 2 < 0;
            let timeout = info.rto;
            if alive && rtt < timeout {
                info.update(rtt);
                now += rtt;
                let all = (1u8 << scenario.hosts) - 1;
                let answer = match scenario.scheme {
                    Scheme::MultiPrimary => 1 << server,
                    Scheme::RoundRobin if rr_withdraw.is_some_and(|w| now >= w) => all & !1,
                    Scheme::RoundRobin => all,
                };
                return Cached {
                    answer: Some(answer),
                    ready: now,
                    expires: now + scenario.ttl * SECOND,
                    timeouts,
                };
            }
            info.lost(timeout);
            now += timeout;
            timeouts += 1;
        }
        Cached {
            answer: None,
            ready: now,
            expires: now,
            timeouts,
        }
    }
}

/// Picks one of the hosts in `answer` uniformly.
fn pick(answer: u8, choice: &mut Rng) -> u32 {
    let count = answer.count_ones();
    let mut nth = if count > 1 {
        choice.below(u64::from(count)) as u32
    } else {
        0
    };
    for host in 0..8 {
        if answer & (1 << host) != 0 {
            if nth == 0 {
                return host;
            }
            nth -= 1;
        }
    }
    0
}

fn simulate(scenario: Scenario, options: &Options, clients_of: &[u32]) -> Outcome {
    let scheme_key = match scenario.scheme {
        Scheme::MultiPrimary => 1,
        Scheme::RoundRobin => 2,
    };
    let ttl = scenario.ttl * SECOND;
    let start = -ttl - LEAD * SECOND;
    let end = options.duration * SECOND;
    let rr_withdraw = options.rr_withdraw.map(|s| s * SECOND);
    let mut outcome = Outcome {
        scenario,
        bins: vec![Bin::default(); (LEAD + options.duration) as usize],
        waited: 0,
        loads: 0,
        slowest: 0,
        servfail: 0,
    };
    for (resolver_index, &clients) in clients_of.iter().enumerate() {
        if clients == 0 {
            continue;
        }
        // Streams shared by both schemes (same page loads, same network), and one of the
        // scheme's own for its random choices.
        let keys = |stream: u64, scheme: u64| {
            [
                stream,
                scheme,
                scenario.ttl as u64,
                scenario.hosts as u64,
                resolver_index as u64,
            ]
        };
        let mut loads = Rng::new(options.seed, &keys(1, 0));
        let mut net = Rng::new(options.seed, &keys(2, 0));
        let mut choice = Rng::new(options.seed, &keys(3, scheme_key));
        let mut resolver = Resolver::new(scenario.hosts, start, &mut net);
        let fetched = start - (loads.unit() * ttl as f64) as Micros;
        let mut cached = resolver.lookup(fetched, scenario, rr_withdraw, &mut choice, &mut net);
        let mean = VISIT_INTERVAL / f64::from(clients);
        let mut now = start;
        loop {
            now += loads.exponential(mean) as Micros;
            if now >= end {
                break;
            }
            if cached.expires <= now {
                cached = resolver.lookup(now, scenario, rr_withdraw, &mut choice, &mut net);
            }
            let Some(answer) = cached.answer else {
                outcome.servfail += 1;
                continue;
            };
            let host = pick(answer, &mut choice);
            let connect = cached.ready.max(now);
            if now >= 0 {
                outcome.loads += 1;
                outcome.slowest = outcome.slowest.max(connect - now);
                if cached.timeouts > 0 && connect > now {
                    outcome.waited += 1;
                }
            }
            let second = connect.div_euclid(SECOND) + LEAD;
            if let Some(bin) = usize::try_from(second)
                .ok()
                .and_then(|i| outcome.bins.get_mut(i))
            {
                bin.all += 1;
                if host == 0 && connect >= 0 {
                    bin.dead += 1;
                }
            }
        }
    }
    outcome
}

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

fn chart(options: &Options, outcomes: &[Outcome]) -> Result<(), Box<dyn Error>> {
    let colors = [
        RGBColor(31, 119, 180),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(255, 127, 14),
    ];
    let peak = outcomes
        .iter()
        .flat_map(|o| o.bins.iter().map(|b| b.share()))
        .fold(0.0, f64::max);
    // Headroom above the highest line for the legend.
    let top = (peak * 10.0).ceil() * 10.0 + 20.0;
    let root = SVGBackend::new(Path::new(&options.svg), (1200, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        &format!(
            "Page loads sent to a dead host, by second after it dies (seed {}, {} clients)",
            options.seed, options.clients
        ),
        ("sans-serif", 20),
    )?;
    let panels = root.split_evenly((1, 2));
    let half = outcomes.len() / 2;
    for (panel, (title, group)) in panels.iter().zip([
        (
            "multi-primary: each host's NS answers with its own address",
            outcomes.get(..half).unwrap_or(&[]),
        ),
        (
            &match options.rr_withdraw {
                None => "round-robin: every address in one RRset, NS stay up".to_owned(),
                Some(s) => format!("round-robin: the dead address withdrawn at {s} s"),
            },
            outcomes.get(half..).unwrap_or(&[]),
        ),
    ]) {
        let mut chart = ChartBuilder::on(panel)
            .caption(title, ("sans-serif", 15))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(-LEAD as f64..options.duration as f64, 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc("seconds after the failure")
            .y_desc("% of page loads")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()?;
        for (outcome, color) in group.iter().zip(colors) {
            let points = outcome
                .bins
                .iter()
                .enumerate()
                .map(|(i, bin)| (i as f64 - LEAD as f64, 100.0 * bin.share()));
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))?
                .label(outcome.scenario.label())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}
