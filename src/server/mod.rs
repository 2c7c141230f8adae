//! An authoritative server for compiled zones over UDP and TCP (feature `server`): the
//! only part of the crate with sockets and threads.
//!
//! A [`Server`] is made from a [`Config`]: listen addresses, and any number of zones,
//! each a template projected for one host (or a zone served as written) with its own
//! allowed transfer networks and health probe. [`Server::bind`] loads every zone and
//! binds every socket, so that a bad zone or a busy port is an error before anything is
//! answered; [`Server::run`] answers until [`Handle::stop`]:
//!
//! - UDP with [`Config::threads`] workers per address, each with its own socket
//!   (`SO_REUSEPORT`), receiving and sending in batches (`recvmmsg`/`sendmmsg`);
//! - TCP per RFC 7766: a two-octet length prefix, several queries per connection, each
//!   whole query within 10 s of the connection or the last answer and each response
//!   taken within 10 s, at most 128 connections (more are closed at once);
//! - each query from the zone whose origin is the longest suffix of its name
//!   ([`ZoneIndex`]), REFUSED when there is none;
//! - AXFR of a zone over TCP, to its allowed networks only (REFUSED otherwise);
//! - with a health probe, the degraded copy while the host's web service refuses
//!   connections, with thresholds against flapping;
//! - on [`Handle::reload`] (SIGHUP in `examples/serve.rs`), the config file read again
//!   and every zone loaded again: a zone that fails keeps the copy it had (logged and
//!   counted), the others take their new copy, with no gap in answers;
//! - with [`Config::metrics`], Prometheus metrics at `GET /metrics`.
//!
//! What happens is logged through a [`Log`] (by default to stderr, one line per event:
//! `listening on ADDR`, `reloaded FILE`, `warning: ...`, `error: ...`).
//!
//! ```no_run
//! use multiprimary::server::{Config, Server, ZoneSpec};
//!
//! let zone = ZoneSpec::template("example.com.template", "bob");
//! let config = Config::new(vec!["127.0.0.1:5300".parse()?], vec![zone]);
//! let server = Server::bind(config)?;
//! let handle = server.handle(); // handle.reload(), handle.stop() from another thread
//! server.run();
//! # drop(handle);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`ZoneIndex`]: crate::answer::ZoneIndex

mod config;
mod health;
mod load;
mod metrics;
mod tcp;
mod udp;

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime};

use hickory_proto::rr::Name;

pub use config::{Config, ConfigError, Health, MAX_THREADS, ZoneSpec};
pub use tcp::{IDLE, MAX_CONNECTIONS};

use crate::answer::ZoneIndex;
use load::Loaded;
use metrics::ZoneCounters;

/// How often the control loop looks for a stop or reload request, and how long a worker
/// waits for a packet before it looks too.
const TICK: Duration = Duration::from_millis(50);

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// A zone could not be loaded (read, parsed, checked, projected or compiled).
    #[error("{0}")]
    Zone(String),
    /// Two zones have the same origin.
    #[error("{first} and {second} both have origin {origin}")]
    SameOrigin {
        /// The origin.
        origin: String,
        /// The first zone's file.
        first: String,
        /// The second zone's file.
        second: String,
    },
    /// The config lists no listen address or no zone.
    #[error("{0}")]
    Config(String),
    /// A socket could not be made or bound.
    #[error("{address}: {error}")]
    Bind {
        /// The address.
        address: String,
        /// What the system said.
        error: std::io::Error,
    },
}

/// What a [`Log`] calls with each line.
type LogFn = dyn Fn(Level, &str) + Send + Sync;

/// Where a server's log lines go: a function of the line's level and text.
#[derive(Clone)]
pub struct Log(Arc<LogFn>);

/// How much a log line matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// What the server does: listening, reloaded, health changes, stopping.
    Info,
    /// A zone loaded with something worth fixing.
    Warning,
    /// Something failed; the server goes on.
    Error,
}

impl Log {
    /// Log lines given to `f`.
    pub fn new(f: impl Fn(Level, &str) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// Log lines to stderr: info as is, the others after `warning: ` or `error: `.
    pub fn stderr() -> Self {
        Self::new(|level, line| match level {
            Level::Info => eprintln!("{line}"),
            Level::Warning => eprintln!("warning: {line}"),
            Level::Error => eprintln!("error: {line}"),
        })
    }

    fn info(&self, line: &str) {
        (self.0)(Level::Info, line);
    }

    fn warning(&self, line: &str) {
        (self.0)(Level::Warning, line);
    }

    fn error(&self, line: &str) {
        (self.0)(Level::Error, line);
    }
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Log")
    }
}

/// What stays of a zone across reloads while its spec does not change: whether it is
/// degraded, its counters, its health probe.
#[derive(Debug)]
struct ZoneRuntime {
    spec: ZoneSpec,
    /// The origin as text, the zone's label in metrics.
    label: RwLock<String>,
    degraded: AtomicBool,
    /// When health last changed, in seconds since the Unix epoch (0: never).
    changed: AtomicU64,
    serial: AtomicU32,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
    counters: ZoneCounters,
    /// Set when a reload drops the zone: its health probe ends.
    retired: AtomicBool,
}

impl ZoneRuntime {
    fn new(spec: ZoneSpec) -> Self {
        Self {
            spec,
            label: RwLock::new(String::new()),
            degraded: AtomicBool::new(false),
            changed: AtomicU64::new(0),
            serial: AtomicU32::new(0),
            reloads_ok: AtomicU64::new(0),
            reloads_failed: AtomicU64::new(0),
            counters: ZoneCounters::default(),
            retired: AtomicBool::new(false),
        }
    }

    fn label(&self) -> String {
        self.label.read().map(|l| l.clone()).unwrap_or_default()
    }
}

/// One zone being served.
#[derive(Debug)]
struct ServedZone {
    loaded: Arc<Loaded>,
    runtime: Arc<ZoneRuntime>,
}

impl ServedZone {
    /// The copy and table to answer from now.
    fn copy(&self) -> (&crate::Zone, &crate::AnswerTable) {
        self.loaded
            .copy(self.runtime.degraded.load(Ordering::Relaxed))
    }
}

/// Every zone being served and the index that finds them; swapped whole on reload.
#[derive(Debug)]
struct Served {
    zones: Vec<ServedZone>,
    index: ZoneIndex,
}

impl Served {
    /// The zone `query` is for, or (when none is) the first zone, whose table answers it
    /// REFUSED, or FORMERR when it is malformed; with whether a zone was found.
    fn zone_for(&self, query: &[u8]) -> Option<(&ServedZone, Option<crate::answer::Hit>)> {
        match self.index.find(query) {
            Some(hit) => self.zones.get(hit.zone).map(|zone| (zone, Some(hit))),
            None => self.zones.first().map(|zone| (zone, None)),
        }
    }
}

/// What the workers share.
#[derive(Debug)]
struct Shared {
    served: RwLock<Arc<Served>>,
    stop: AtomicBool,
    reload: AtomicBool,
    connections: AtomicUsize,
    global: metrics::GlobalCounters,
    log: Log,
}

impl Shared {
    fn current(&self) -> Option<Arc<Served>> {
        self.served.read().ok().map(|s| Arc::clone(&s))
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// Asks a running server to stop or to reload; cheap to clone, usable from any thread
/// (and from a signal handler's flag watcher).
#[derive(Debug, Clone)]
pub struct Handle(Arc<Shared>);

impl Handle {
    /// Asks the server to stop: [`Server::run`] returns soon after.
    pub fn stop(&self) {
        self.0.stop.store(true, Ordering::Relaxed);
    }

    /// Asks the server to read its config (when it came from a file) and every zone
    /// again.
    pub fn reload(&self) {
        self.0.reload.store(true, Ordering::Relaxed);
    }

    /// Whether the zone with this origin currently answers from its degraded copy;
    /// `None` when no such zone is served.
    pub fn is_degraded(&self, origin: &Name) -> Option<bool> {
        let served = self.0.current()?;
        served
            .zones
            .iter()
            .find(|zone| zone.loaded.zone.origin() == origin)
            .map(|zone| zone.runtime.degraded.load(Ordering::Relaxed))
    }
}

/// An authoritative server, bound and loaded, not yet answering.
pub struct Server {
    shared: Arc<Shared>,
    config: Config,
    udp: Vec<UdpSocket>,
    tcp: Vec<TcpListener>,
    addresses: Vec<SocketAddr>,
    metrics: Option<tiny_http::Server>,
    metrics_address: Option<SocketAddr>,
}

impl Server {
    /// Loads every zone of `config` and binds its sockets, logging to stderr.
    ///
    /// # Errors
    ///
    /// As [`bind_with_log`](Self::bind_with_log).
    pub fn bind(config: Config) -> Result<Self, ServerError> {
        Self::bind_with_log(config, Log::stderr())
    }

    /// Loads every zone of `config` and binds its sockets, logging to `log`.
    ///
    /// # Errors
    ///
    /// A zone that does not load (the first such, its own errors logged before), two
    /// zones with one origin, no listen address or no zone, or an address that cannot
    /// be bound.
    pub fn bind_with_log(config: Config, log: Log) -> Result<Self, ServerError> {
        if config.listen.is_empty() {
            return Err(ServerError::Config("no listen address".into()));
        }
        if config.zones.is_empty() {
            return Err(ServerError::Config("no zone to serve".into()));
        }
        let mut zones = Vec::with_capacity(config.zones.len());
        for spec in &config.zones {
            let loaded = load::load(spec, &log).map_err(ServerError::Zone)?;
            let runtime = Arc::new(ZoneRuntime::new(spec.clone()));
            zones.push(ServedZone {
                loaded: Arc::new(loaded),
                runtime,
            });
        }
        let served = index(zones)?;
        for zone in &served.zones {
            note_loaded(zone);
        }
        let shared = Arc::new(Shared {
            served: RwLock::new(Arc::new(served)),
            stop: AtomicBool::new(false),
            reload: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
            global: metrics::GlobalCounters::default(),
            log,
        });
        let threads = config.threads.clamp(1, MAX_THREADS);
        let mut udp = Vec::new();
        let mut tcp = Vec::new();
        let mut addresses = Vec::new();
        for &listen in &config.listen {
            let bound = udp::bind(listen, threads)?;
            if let Some(size) = bound.small_buffer {
                shared.log.warning(&format!(
                    "{}: the UDP receive buffer is {size} octets, not the {} asked for: a burst of \
                     queries may be dropped; raise net.core.rmem_max (sysctl), or run with CAP_NET_ADMIN",
                    bound.address,
                    udp::RECEIVE_BUFFER
                ));
            }
            udp.extend(bound.udp);
            tcp.push(bound.tcp);
            addresses.push(bound.address);
        }
        let (metrics, metrics_address) = match config.metrics {
            None => (None, None),
            Some(address) => {
                let server =
                    tiny_http::Server::http(address).map_err(|error| ServerError::Bind {
                        address: format!("{address} (metrics)"),
                        error: std::io::Error::other(error.to_string()),
                    })?;
                let bound = server.server_addr().to_ip().unwrap_or(address);
                (Some(server), Some(bound))
            }
        };
        Ok(Self {
            shared,
            config,
            udp,
            tcp,
            addresses,
            metrics,
            metrics_address,
        })
    }

    /// The addresses answered on, one per listen address, with the ports bound (port 0
    /// asks for a free one).
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.addresses
    }

    /// Where metrics are served, with the port bound.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_address
    }

    /// A handle to stop or reload the server once it runs.
    pub fn handle(&self) -> Handle {
        Handle(Arc::clone(&self.shared))
    }

    /// Answers until [`Handle::stop`], then returns once its workers have ended (TCP
    /// connections still open end on their own deadlines).
    pub fn run(self) {
        let Self {
            shared,
            mut config,
            udp,
            tcp,
            addresses,
            metrics,
            metrics_address: _,
        } = self;
        let mut workers: Vec<JoinHandle<()>> = Vec::new();
        for socket in udp {
            let shared = Arc::clone(&shared);
            workers.push(thread::spawn(move || udp::serve(&socket, &shared)));
        }
        for listener in tcp {
            let shared = Arc::clone(&shared);
            workers.push(thread::spawn(move || tcp::accept(&listener, &shared)));
        }
        if let Some(server) = metrics {
            let shared = Arc::clone(&shared);
            workers.push(thread::spawn(move || metrics::serve(&server, &shared)));
        }
        let mut probes: Vec<JoinHandle<()>> = Vec::new();
        if let Some(served) = shared.current() {
            start_probes(&served.zones, &shared, &mut probes);
        }
        for address in &addresses {
            shared.log.info(&format!("listening on {address}"));
        }
        while !shared.stopping() {
            thread::sleep(TICK);
            if shared.reload.swap(false, Ordering::Relaxed) {
                reload(&shared, &mut config, &mut probes);
            }
            probes.retain(|probe| !probe.is_finished());
        }
        shared.log.info("stopping");
        for worker in workers.into_iter().chain(probes) {
            let _ = worker.join();
        }
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addresses", &self.addresses)
            .field("metrics", &self.metrics_address)
            .field("zones", &self.config.zones.len())
            .finish_non_exhaustive()
    }
}

/// The zones with their index; an error when two have one origin.
fn index(zones: Vec<ServedZone>) -> Result<Served, ServerError> {
    let mut seen: HashMap<Name, usize> = HashMap::new();
    for (position, zone) in zones.iter().enumerate() {
        let origin = zone.loaded.zone.origin().to_lowercase();
        if let Some(&first) = seen.get(&origin) {
            let file = |at: usize| {
                zones
                    .get(at)
                    .map(|z| z.runtime.spec.file.display().to_string())
                    .unwrap_or_default()
            };
            return Err(ServerError::SameOrigin {
                origin: origin.to_string(),
                first: file(first),
                second: file(position),
            });
        }
        seen.insert(origin, position);
    }
    let index = ZoneIndex::new(zones.iter().map(|zone| zone.loaded.zone.origin()));
    Ok(Served { zones, index })
}

/// Records what a zone's load gave: its label and serial.
fn note_loaded(zone: &ServedZone) {
    if let Ok(mut label) = zone.runtime.label.write() {
        *label = zone.loaded.zone.origin().to_string();
    }
    zone.runtime
        .serial
        .store(zone.loaded.zone.serial().unwrap_or(0), Ordering::Relaxed);
}

/// Starts the health probe of each of `zones` that has one.
fn start_probes<'a>(
    zones: impl IntoIterator<Item = &'a ServedZone>,
    shared: &Arc<Shared>,
    probes: &mut Vec<JoinHandle<()>>,
) {
    for zone in zones {
        if let Some(health) = zone.runtime.spec.health {
            let runtime = Arc::clone(&zone.runtime);
            let shared = Arc::clone(shared);
            probes.push(thread::spawn(move || {
                health::watch(health, &runtime, &shared);
            }));
        }
    }
}

/// Reads the config again (when it came from a file) and every zone; swaps in what
/// loaded, keeping the old copy of each zone that did not.
fn reload(shared: &Arc<Shared>, config: &mut Config, probes: &mut Vec<JoinHandle<()>>) {
    // A failure that leaves every zone as it was.
    let keep_all = |error: &dyn std::fmt::Display| {
        shared.global.reloads_failed.fetch_add(1, Ordering::Relaxed);
        shared
            .log
            .error(&format!("{error} (still serving the zones loaded before)"));
    };
    if let Some(path) = config.source.clone() {
        match Config::read(&path) {
            Ok(new) => {
                if new.listen != config.listen
                    || new.metrics != config.metrics
                    || new.threads != config.threads
                {
                    shared.log.warning(&format!(
                        "{}: listen, metrics and threads take effect on restart only",
                        path.display()
                    ));
                }
                *config = Config {
                    listen: config.listen.clone(),
                    metrics: config.metrics,
                    threads: config.threads,
                    ..new
                };
            }
            Err(error) => {
                keep_all(&error);
                return;
            }
        }
    }
    let Some(old) = shared.current() else {
        return;
    };
    let mut zones = Vec::with_capacity(config.zones.len());
    let mut failed = 0usize;
    // Logged once the new zones answer, so that a line read means a change seen.
    let mut reloaded = Vec::new();
    for spec in &config.zones {
        let before = old.zones.iter().find(|zone| &zone.runtime.spec == spec);
        match load::load(spec, &shared.log) {
            Ok(loaded) => {
                let runtime = match before {
                    Some(zone) => Arc::clone(&zone.runtime),
                    None => Arc::new(ZoneRuntime::new(spec.clone())),
                };
                runtime.reloads_ok.fetch_add(1, Ordering::Relaxed);
                reloaded.push(spec.file.display().to_string());
                zones.push(ServedZone {
                    loaded: Arc::new(loaded),
                    runtime,
                });
            }
            Err(message) => {
                failed += 1;
                match before {
                    Some(zone) => {
                        zone.runtime.reloads_failed.fetch_add(1, Ordering::Relaxed);
                        shared
                            .log
                            .error(&format!("{message} (still serving the zone loaded before)"));
                        zones.push(ServedZone {
                            loaded: Arc::clone(&zone.loaded),
                            runtime: Arc::clone(&zone.runtime),
                        });
                    }
                    None => {
                        shared
                            .log
                            .error(&format!("{message} (a new zone: not served)"));
                    }
                }
            }
        }
    }
    let served = match index(zones) {
        Ok(served) => served,
        Err(error) => {
            keep_all(&error);
            return;
        }
    };
    for zone in &old.zones {
        if !served
            .zones
            .iter()
            .any(|z| Arc::ptr_eq(&z.runtime, &zone.runtime))
        {
            zone.runtime.retired.store(true, Ordering::Relaxed);
        }
    }
    // Zones new to this reload get a probe; the others keep theirs.
    let new_zones = served.zones.iter().filter(|zone| {
        !old.zones
            .iter()
            .any(|z| Arc::ptr_eq(&z.runtime, &zone.runtime))
    });
    start_probes(new_zones, shared, probes);
    for zone in &served.zones {
        note_loaded(zone);
    }
    if let Ok(mut current) = shared.served.write() {
        *current = Arc::new(served);
    }
    for file in reloaded {
        shared.log.info(&format!("reloaded {file}"));
    }
    if failed == 0 {
        shared.global.reloads_ok.fetch_add(1, Ordering::Relaxed);
    } else {
        shared.global.reloads_failed.fetch_add(1, Ordering::Relaxed);
    }
}

/// Seconds since the Unix epoch.
fn now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
