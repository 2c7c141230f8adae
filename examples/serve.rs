//! One host of the fleet: an authoritative server for the host's projection of the
//! template, over UDP and TCP.
//!
//! ```text
//! cargo run --release --example serve -- ZONEFILE [HOST] --listen ADDR:PORT [--origin NAME]
//!     [--health-tcp ADDR:PORT] [--health-interval MS] [--health-down N] [--health-up N]
//!     [--allow-transfer CIDR,...] [--threads N] [--self NAME]...
//! ```
//!
//! With HOST, ZONEFILE is a template projected for that host (a name in its apex NS set,
//! relative or absolute, or one of its addresses); without, ZONEFILE is served as written.
//! A zone that breaks a rule servers enforce is refused; warnings are logged. The server
//! prints `listening on ADDR:PORT` to stderr when ready (port 0 picks a free port, the same
//! for UDP and TCP, and the line names it), answers UDP with `--threads`
//! workers sharing one socket and TCP per RFC 7766 (two-octet length prefix, several
//! queries per connection, each whole query within 10 s of the connection or the last
//! answer, at most 128 connections), serves AXFR over
//! TCP only to `--allow-transfer` networks (none by default; REFUSED otherwise), reloads
//! ZONEFILE on SIGHUP (keeping the zone it has if the new one is bad) and exits 0 on
//! SIGTERM or SIGINT.
//!
//! Health: with `--health-tcp`, the server connects to its own web service every
//! `--health-interval` (1000 ms); after `--health-down` (3) failures in a row it answers
//! from the degraded projection (self-referencing names point at the other hosts), and
//! after `--health-up` (3) successes it answers with its own addresses again. It never
//! stops answering: resolvers read silence as slowness, not as a signal.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use ipnet::IpNet;
use multiprimary::hickory_proto::rr::Name;
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{AnswerTable, Severity, Template, TemplateOptions, Transport, Zone, wire};

const MAX_MESSAGE: usize = 65_535;
const MAX_CONNECTIONS: usize = 128;
/// How long a TCP client has for each whole query, from the connection or the last answer,
/// and for taking each whole response (each message of a transfer): a client that trickles
/// octets or stops reading loses its slot.
const IDLE: Duration = Duration::from_secs(10);
const TYPE_AXFR: u16 = 252;

/// The command line.
#[derive(Clone)]
struct Args {
    zonefile: String,
    host: Option<String>,
    listen: SocketAddr,
    origin: Option<Name>,
    health: Option<SocketAddr>,
    interval: Duration,
    down_after: u32,
    up_after: u32,
    allow: Vec<IpNet>,
    threads: usize,
    self_names: Vec<String>,
}

/// What is served: the zone and its table, and the degraded ones when health is watched.
struct Served {
    zone: Zone,
    table: AnswerTable,
    degraded: Option<(Zone, AnswerTable)>,
}

/// Shared between the workers.
struct Shared {
    served: RwLock<Arc<Served>>,
    degraded: AtomicBool,
    connections: AtomicUsize,
    allow: Vec<IpNet>,
}

impl Shared {
    fn current(&self) -> Option<Arc<Served>> {
        self.served.read().ok().map(|s| Arc::clone(&s))
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

fn parse_args() -> Result<Args, String> {
    let mut positional = Vec::new();
    let mut listen = None;
    let mut args = Args {
        zonefile: String::new(),
        host: None,
        listen: SocketAddr::from(([127, 0, 0, 1], 53)),
        origin: None,
        health: None,
        interval: Duration::from_millis(1000),
        down_after: 3,
        up_after: 3,
        allow: Vec::new(),
        threads: 1,
        self_names: Vec::new(),
    };
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = |option: &str| words.next().ok_or(format!("{option} needs a value"));
        match word.as_str() {
            "--listen" => listen = Some(value("--listen")?.parse().map_err(|e| format!("--listen: {e}"))?),
            "--origin" => {
                let text = value("--origin")?;
                args.origin = Some(Name::from_str(&text).map_err(|e| format!("--origin {text}: {e}"))?);
            }
            "--health-tcp" => args.health = Some(value("--health-tcp")?.parse().map_err(|e| format!("--health-tcp: {e}"))?),
            "--health-interval" => {
                let ms: u64 = value("--health-interval")?.parse().map_err(|e| format!("--health-interval: {e}"))?;
                args.interval = Duration::from_millis(ms.max(10));
            }
            "--health-down" => args.down_after = value("--health-down")?.parse().map_err(|e| format!("--health-down: {e}"))?,
            "--health-up" => args.up_after = value("--health-up")?.parse().map_err(|e| format!("--health-up: {e}"))?,
            "--allow-transfer" => {
                for cidr in value("--allow-transfer")?.split(',').filter(|c| !c.is_empty()) {
                    let net = IpNet::from_str(cidr)
                        .or_else(|_| IpAddr::from_str(cidr).map(IpNet::from))
                        .map_err(|e| format!("--allow-transfer {cidr}: {e}"))?;
                    args.allow.push(net);
                }
            }
            "--threads" => {
                args.threads = value("--threads")?.parse().map_err(|e| format!("--threads: {e}"))?;
                if args.threads == 0 || args.threads > 256 {
                    return Err("--threads takes 1 to 256".into());
                }
            }
            "--self" => args.self_names.push(value("--self")?),
            "-h" | "--help" => return Err("usage: serve ZONEFILE [HOST] --listen ADDR:PORT [--origin NAME] [--health-tcp ADDR:PORT] [--allow-transfer CIDR,...] [--threads N]".into()),
            _ if word.starts_with("--") => return Err(format!("unknown option {word}")),
            _ => positional.push(word),
        }
    }
    let mut positional = positional.into_iter();
    args.zonefile = positional.next().ok_or("missing ZONEFILE")?;
    args.host = positional.next();
    if let Some(extra) = positional.next() {
        return Err(format!("unexpected argument {extra}"));
    }
    args.listen = listen.ok_or("missing --listen ADDR:PORT")?;
    Ok(args)
}

/// Reads, checks and compiles ZONEFILE (projected for HOST when given).
fn load(args: &Args) -> Result<Served, String> {
    let text =
        std::fs::read_to_string(&args.zonefile).map_err(|e| format!("{}: {e}", args.zonefile))?;
    let mut options = ParseOptions::new()
        .file_name(args.zonefile.as_str())
        .template(args.host.is_some());
    if let Some(origin) = &args.origin {
        options = options.origin(origin.clone());
    }
    let zone = parse(&text, &options).map_err(|e| e.to_string())?;
    let problems = zone.validate();
    for problem in problems
        .iter()
        .filter(|p| p.severity() == Severity::Warning)
    {
        eprintln!("warning: {problem}");
    }
    // Every error on a line of its own: the last is the message this returns.
    let errors: Vec<_> = problems
        .iter()
        .filter(|p| p.severity() == Severity::Error)
        .collect();
    if let Some((last, others)) = errors.split_last() {
        for problem in others {
            eprintln!("error: {problem}");
        }
        return Err(last.to_string());
    }
    let Some(key) = &args.host else {
        let table = AnswerTable::compile(&zone).map_err(|e| format!("{}: {e}", args.zonefile))?;
        return Ok(Served {
            zone,
            table,
            degraded: None,
        });
    };
    let mut template_options = TemplateOptions::new();
    for name in &args.self_names {
        let name = Name::from_str(name).map_err(|e| format!("--self {name}: {e}"))?;
        template_options = template_options.self_name(name);
    }
    let template = Template::with_options(zone, &template_options);
    let (fleet, warnings) = template.fleet(&[]).map_err(|e| e.to_string())?;
    for warning in warnings {
        eprintln!("warning: {}: {warning}", args.zonefile);
    }
    let host = fleet.host(key).ok_or_else(|| {
        let known: Vec<String> = fleet.hosts().iter().map(ToString::to_string).collect();
        format!(
            "unknown host {key}: the template's hosts are {}",
            known.join(", ")
        )
    })?;
    let zone = template.project(host).map_err(|e| e.to_string())?;
    let table = AnswerTable::compile(&zone).map_err(|e| format!("{}: {e}", args.zonefile))?;
    let degraded = if args.health.is_some() {
        let zone = template.degraded(&fleet, host).map_err(|e| e.to_string())?;
        let table = AnswerTable::compile(&zone)
            .map_err(|e| format!("{}: degraded copy: {e}", args.zonefile))?;
        Some((zone, table))
    } else {
        None
    };
    Ok(Served {
        zone,
        table,
        degraded,
    })
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let served = load(&args)?;
    let shared = Arc::new(Shared {
        served: RwLock::new(Arc::new(served)),
        degraded: AtomicBool::new(false),
        connections: AtomicUsize::new(0),
        allow: args.allow.clone(),
    });
    let (udp, tcp, address) = bind(args.listen)?;
    let stop = Arc::new(AtomicBool::new(false));
    let reload = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .map_err(|e| format!("signal: {e}"))?;
    }
    signal_hook::flag::register(signal_hook::consts::SIGHUP, Arc::clone(&reload))
        .map_err(|e| format!("signal: {e}"))?;

    for _ in 0..args.threads {
        let socket = udp.try_clone().map_err(|e| format!("UDP socket: {e}"))?;
        let shared = Arc::clone(&shared);
        thread::spawn(move || serve_udp(&socket, &shared));
    }
    {
        let shared = Arc::clone(&shared);
        thread::spawn(move || accept_tcp(&tcp, &shared));
    }
    if let Some(target) = args.health {
        let shared = Arc::clone(&shared);
        let args = args.clone();
        thread::spawn(move || watch_health(target, &args, &shared));
    }
    eprintln!("listening on {address}");

    while !stop.load(Ordering::Relaxed) {
        thread::sleep(Duration::from_millis(50));
        if reload.swap(false, Ordering::Relaxed) {
            match load(&args) {
                Ok(served) => {
                    if let Ok(mut current) = shared.served.write() {
                        *current = Arc::new(served);
                    }
                    eprintln!("reloaded {}", args.zonefile);
                }
                Err(message) => {
                    eprintln!("error: {message} (still serving the zone loaded before)")
                }
            }
        }
    }
    eprintln!("stopping");
    Ok(())
}

/// Binds UDP and TCP on `listen`. Port 0 picks a free port, the same for both: UDP picks,
/// TCP follows, and if a TCP socket already holds that port another pair is tried.
fn bind(listen: SocketAddr) -> Result<(UdpSocket, TcpListener, SocketAddr), String> {
    let mut tries = 0;
    loop {
        let udp = UdpSocket::bind(listen).map_err(|e| format!("{listen}: {e}"))?;
        let address = udp.local_addr().map_err(|e| format!("{listen}: {e}"))?;
        match TcpListener::bind(address) {
            Ok(tcp) => return Ok((udp, tcp, address)),
            Err(_) if listen.port() == 0 && tries < 20 => tries += 1,
            Err(e) => return Err(format!("{address} (TCP): {e}")),
        }
    }
}

/// The table to answer from: the degraded one while the web service is down.
fn table_of(served: &Served, degraded: bool) -> (&Zone, &AnswerTable) {
    match (&served.degraded, degraded) {
        (Some((zone, table)), true) => (zone, table),
        _ => (&served.zone, &served.table),
    }
}

fn serve_udp(socket: &UdpSocket, shared: &Shared) {
    let mut query = vec![0u8; MAX_MESSAGE];
    let mut response = vec![0u8; MAX_MESSAGE];
    loop {
        let Ok((len, peer)) = socket.recv_from(&mut query) else {
            continue;
        };
        let Some(served) = shared.current() else {
            continue;
        };
        let (_, table) = table_of(&served, shared.degraded.load(Ordering::Relaxed));
        let Some(bytes) = query.get(..len) else {
            continue;
        };
        if let Ok(n) = table.answer(bytes, Transport::Udp, &mut response)
            && let Some(out) = response.get(..n)
        {
            let _ = socket.send_to(out, peer);
        }
    }
}

fn accept_tcp(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            continue; // Dropping the stream closes it.
        }
        let shared = Arc::clone(shared);
        thread::spawn(move || {
            serve_tcp(stream, &shared);
            shared.connections.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// The query type, read from the question (uncompressed, as `answer` requires).
fn query_type(query: &[u8]) -> Option<u16> {
    let mut at = 12usize;
    loop {
        let len = usize::from(*query.get(at)?);
        if len == 0 {
            break;
        }
        if len > 63 {
            return None;
        }
        at += 1 + len;
    }
    let bytes = query.get(at + 1..at + 3)?;
    Some(u16::from_be_bytes([*bytes.first()?, *bytes.get(1)?]))
}

/// Fills `buffer` from `stream` by `deadline`; false on a timeout, an error or the end.
fn read_by(stream: &mut TcpStream, buffer: &mut [u8], deadline: Instant) -> bool {
    let mut filled = 0;
    while filled < buffer.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        // A zero timeout is an error to set_read_timeout, and the time is up anyway.
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return false;
        }
        match buffer.get_mut(filled..).map(|rest| stream.read(rest)) {
            Some(Ok(0)) | None => return false,
            Some(Ok(n)) => filled += n,
            Some(Err(e)) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Some(Err(_)) => return false,
        }
    }
    true
}

/// Writes all of `buffer` to `stream` by `deadline`; false on a timeout or an error. A
/// timeout per write would let a client that reads a little now and then hold the thread.
fn write_by(stream: &mut TcpStream, mut buffer: &[u8], deadline: Instant) -> bool {
    while !buffer.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_write_timeout(Some(left)).is_err() {
            return false;
        }
        match stream.write(buffer) {
            Ok(0) => return false,
            Ok(n) => buffer = buffer.get(n..).unwrap_or_default(),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    true
}

fn serve_tcp(mut stream: TcpStream, shared: &Shared) {
    let peer = stream.peer_addr().ok().map(|a| a.ip());
    let mut query = vec![0u8; MAX_MESSAGE];
    let mut response = vec![0u8; MAX_MESSAGE + 2];
    loop {
        // The whole query, prefix and message, by one deadline: a per-read timeout would
        // let a client keep its slot by sending an octet every few seconds.
        let deadline = Instant::now() + IDLE;
        let mut length = [0u8; 2];
        if !read_by(&mut stream, &mut length, deadline) {
            return;
        }
        let len = usize::from(u16::from_be_bytes(length));
        let Some(buffer) = query.get_mut(..len) else {
            return;
        };
        if !read_by(&mut stream, buffer, deadline) {
            return;
        }
        let Some(served) = shared.current() else {
            return;
        };
        let (zone, table) = table_of(&served, shared.degraded.load(Ordering::Relaxed));
        let allowed = peer.is_some_and(|ip| shared.allow.iter().any(|net| net.contains(&ip)));
        if query_type(buffer) == Some(TYPE_AXFR)
            && allowed
            && let Some(&[id0, id1]) = buffer.first_chunk::<2>()
        {
            let id = u16::from_be_bytes([id0, id1]);
            let Ok(messages) = wire::encode_axfr(zone, id) else {
                return;
            };
            for message in messages {
                let Some(framed) = wire::tcp_frame(&message) else {
                    return;
                };
                if !write_by(&mut stream, &framed, Instant::now() + IDLE) {
                    return;
                }
            }
            continue;
        }
        let Ok(n) = table.answer_tcp(buffer, &mut response) else {
            continue;
        };
        let Some(out) = response.get(..n) else {
            return;
        };
        if !write_by(&mut stream, out, Instant::now() + IDLE) {
            return;
        }
    }
}

/// Probes the host's own web service and switches between the normal and degraded
/// copies, with thresholds against flapping.
fn watch_health(target: SocketAddr, args: &Args, shared: &Shared) {
    let timeout = args.interval.min(Duration::from_secs(2));
    let mut failures = 0u32;
    let mut successes = 0u32;
    loop {
        let up = TcpStream::connect_timeout(&target, timeout).is_ok();
        if up {
            successes += 1;
            failures = 0;
        } else {
            failures += 1;
            successes = 0;
        }
        let degraded = shared.degraded.load(Ordering::Relaxed);
        if !degraded && failures >= args.down_after {
            shared.degraded.store(true, Ordering::Relaxed);
            eprintln!(
                "health: {target} is down ({failures} failed probes): answering with the other hosts' addresses"
            );
        } else if degraded && successes >= args.up_after {
            shared.degraded.store(false, Ordering::Relaxed);
            eprintln!(
                "health: {target} is up again ({successes} probes): answering with this host's addresses"
            );
        }
        thread::sleep(args.interval);
    }
}
