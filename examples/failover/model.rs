//! The model of `failover`: resolvers choosing name servers as Unbound does, caching
//! answers for the TTL, and clients loading pages; one host dies at second 0.

use crate::Options;

/// Microseconds: the model's clock. Second 0 is the failure.
pub(crate) type Micros = i64;

pub(crate) const SECOND: Micros = 1_000_000;
pub(crate) const MILLISECOND: Micros = 1_000;

/// Mean time between one client's page loads.
pub(crate) const VISIT_INTERVAL: f64 = 10.0 * SECOND as f64;
/// Clients per resolver (on average: clients choose resolvers at random).
pub(crate) const CLIENTS_PER_RESOLVER: u32 = 10;
/// Seconds before the failure shown on the chart.
pub(crate) const LEAD: i64 = 10;
/// The TTLs and host counts compared.
pub(crate) const TTLS: [i64; 2] = [60, 300];
pub(crate) const HOSTS: [usize; 2] = [2, 3];

/// Unbound: timeout assumed for a server with no history (`UNKNOWN_SERVER_NICENESS`).
pub(crate) const UNKNOWN_SERVER_RTO: Micros = 376 * MILLISECOND;
/// Unbound: servers within this of the best are chosen at random (`RTT_BAND`).
pub(crate) const RTT_BAND: Micros = 400 * MILLISECOND;
/// Unbound: how long it keeps what it learnt of a server address (`infra-host-ttl`).
pub(crate) const INFRA_HOST_TTL: Micros = 900 * SECOND;
/// Unbound: `infra-cache-min-rtt` and `infra-cache-max-rtt` defaults.
pub(crate) const RTO_MIN: Micros = 50 * MILLISECOND;
pub(crate) const RTO_MAX: Micros = 120 * SECOND;
/// Queries sent for one lookup before it gives up with SERVFAIL.
pub(crate) const MAX_SENDS: u32 = 8;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    MultiPrimary,
    RoundRobin,
}

#[derive(Clone, Copy)]
pub(crate) struct Scenario {
    pub(crate) scheme: Scheme,
    pub(crate) ttl: i64,
    pub(crate) hosts: usize,
}

impl Scenario {
    /// The column name in the `# tsv` block.
    pub(crate) fn id(&self) -> String {
        let scheme = match self.scheme {
            Scheme::MultiPrimary => "mp",
            Scheme::RoundRobin => "rr",
        };
        format!("{scheme}/{}s/{}h", self.ttl, self.hosts)
    }

    pub(crate) fn label(&self) -> String {
        format!("TTL {} s, {} hosts", self.ttl, self.hosts)
    }
}

/// Page loads in one second, and how many of them went to the dead address.
#[derive(Clone, Copy, Default)]
pub(crate) struct Bin {
    pub(crate) all: u32,
    pub(crate) dead: u32,
}

impl Bin {
    pub(crate) fn share(self) -> f64 {
        if self.all == 0 {
            0.0
        } else {
            f64::from(self.dead) / f64::from(self.all)
        }
    }
}

/// One scenario's result.
pub(crate) struct Outcome {
    pub(crate) scenario: Scenario,
    /// Seconds `-LEAD .. duration`, by the moment the client connects.
    pub(crate) bins: Vec<Bin>,
    /// Page loads after the failure whose lookup waited for a resolver timeout.
    pub(crate) waited: u64,
    /// Page loads after the failure.
    pub(crate) loads: u64,
    /// The longest a page load after the failure waited for its lookup.
    pub(crate) slowest: Micros,
    /// Lookups that ended in SERVFAIL.
    pub(crate) servfail: u64,
}

impl Outcome {
    /// Seconds from 0 on.
    pub(crate) fn after(&self) -> &[Bin] {
        self.bins.get(LEAD as usize..).unwrap_or(&[])
    }
}

pub(crate) struct Rng(u64);

pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A stream of its own for each seed and list of keys.
    pub(crate) fn new(seed: u64, keys: &[u64]) -> Rng {
        let mut state = mix(seed);
        for key in keys {
            state = mix(state ^ mix(key.wrapping_add(0x9E37_79B9_7F4A_7C15)));
        }
        Rng(state)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [low, high).
    pub(crate) fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// Exponentially distributed with the given mean.
    pub(crate) fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

/// What Unbound keeps per server address: `struct rtt_info` in `util/rtt.h`, and when
/// its infra cache entry expires.
#[derive(Clone, Copy)]
pub(crate) struct RttInfo {
    srtt: Micros,
    rttvar: Micros,
    rto: Micros,
    expires: Micros,
}

impl RttInfo {
    /// `rtt_init`: a server it knows nothing of.
    pub(crate) fn unknown(now: Micros) -> RttInfo {
        RttInfo {
            srtt: 0,
            rttvar: UNKNOWN_SERVER_RTO / 4,
            rto: UNKNOWN_SERVER_RTO,
            expires: now + INFRA_HOST_TTL,
        }
    }

    /// A server it has long talked to, whose entry expires at `expires`.
    pub(crate) fn settled(base: Micros, expires: Micros) -> RttInfo {
        let mut info = RttInfo {
            srtt: base * 11 / 10,
            rttvar: base / 10,
            rto: 0,
            expires,
        };
        info.rto = info.calc_rto();
        info
    }

    pub(crate) fn calc_rto(&self) -> Micros {
        (self.srtt + 4 * self.rttvar).clamp(RTO_MIN, RTO_MAX)
    }

    /// `rtt_update`: an answer came after `rtt`.
    pub(crate) fn update(&mut self, rtt: Micros) {
        let delta = rtt - self.srtt;
        self.srtt += delta / 8;
        self.rttvar += (delta.abs() - self.rttvar) / 4;
        self.rto = self.calc_rto();
    }

    /// `rtt_lost`: a query sent with timeout `orig` got no answer.
    pub(crate) fn lost(&mut self, orig: Micros) {
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
pub(crate) struct Cached {
    answer: Option<u8>,
    /// When the answer arrives; page loads that asked earlier wait until then.
    ready: Micros,
    expires: Micros,
    timeouts: u32,
}

pub(crate) struct Resolver {
    /// Per name server: base round-trip time and Unbound's estimate. In the multi-primary
    /// scheme name server i is on host i; in round-robin the name servers never die.
    base: Vec<Micros>,
    infra: Vec<RttInfo>,
}

impl Resolver {
    /// A resolver at `start`, its infra cache entries made at random moments in the
    /// `INFRA_HOST_TTL` before.
    pub(crate) fn new(servers: usize, start: Micros, net: &mut Rng) -> Resolver {
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
    pub(crate) fn choose(&self, tried: u8, choice: &mut Rng) -> Option<usize> {
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
    pub(crate) fn lookup(
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
pub(crate) fn pick(answer: u8, choice: &mut Rng) -> u32 {
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

pub(crate) fn simulate(scenario: Scenario, options: &Options, clients_of: &[u32]) -> Outcome {
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
