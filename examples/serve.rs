//! One host of the fleet: an authoritative server for the host's projection of the
//! template (or for many zones, from a config file), over UDP and TCP (feature `server`).
//!
//! ```text
//! cargo run --release --features server --example serve -- ZONEFILE [HOST] --listen ADDR:PORT
//!     [--origin NAME] [--health-tcp ADDR:PORT] [--health-interval MS] [--health-down N]
//!     [--health-up N] [--allow-transfer CIDR,...] [--threads N] [--self NAME]...
//!     [--metrics ADDR:PORT]
//! cargo run --release --features server --example serve -- --config FILE
//! ```
//!
//! With HOST, ZONEFILE is a template projected for that host (a name in its apex NS set,
//! relative or absolute, or one of its addresses); without, ZONEFILE is served as written.
//! `--config FILE` serves every zone a TOML file lists instead (see
//! `multiprimary::server::Config::from_toml`; `examples/data/serve.toml` is one). A zone
//! that breaks a rule servers enforce is refused; warnings are logged. The server prints
//! `listening on ADDR:PORT` to stderr when ready (port 0 picks a free port, the same for
//! UDP and TCP, and the line names it), answers UDP with `--threads` workers, each with
//! its own socket, and TCP per RFC 7766 (two-octet length prefix, several queries per
//! connection, each whole query within 10 s of the connection or the last answer, at most
//! 128 connections), serves AXFR over TCP only to `--allow-transfer` networks (none by
//! default; REFUSED otherwise), reloads on SIGHUP (the config and every zone, keeping the
//! copy it has of a zone whose new one is bad), serves Prometheus metrics at
//! `http://ADDR:PORT/metrics` with `--metrics`, and exits 0 on SIGTERM or SIGINT.
//!
//! Health: with `--health-tcp`, the server connects to its own web service every
//! `--health-interval` (1000 ms); after `--health-down` (3) failures in a row it answers
//! from the degraded projection (self-referencing names point at the other hosts), and
//! after `--health-up` (3) successes it answers with its own addresses again. It never
//! stops answering: resolvers read silence as slowness, not as a signal.
//!
//! Bad arguments or a bad config: one `error: ...` line (`error: FILE:LINE:COL: ...` for
//! the config) and exit status 1.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ipnet::IpNet;
use multiprimary::hickory_proto::rr::Name;
use multiprimary::server::{Config, Health, MAX_THREADS, Server, ZoneSpec};

const USAGE: &str = "usage: serve ZONEFILE [HOST] --listen ADDR:PORT [--origin NAME] [--health-tcp ADDR:PORT] [--health-interval MS] [--health-down N] [--health-up N] [--allow-transfer CIDR,...] [--threads N] [--self NAME]... [--metrics ADDR:PORT] | serve --config FILE";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<(), String> {
    let config = parse_args()?;
    let server = Server::bind(config).map_err(|e| e.to_string())?;
    let handle = server.handle();
    // Signals only set flags; a thread turns them into requests to the server.
    let stop = Arc::new(AtomicBool::new(false));
    let reload = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .map_err(|e| format!("signal: {e}"))?;
    }
    signal_hook::flag::register(signal_hook::consts::SIGHUP, Arc::clone(&reload))
        .map_err(|e| format!("signal: {e}"))?;
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(20));
            if reload.swap(false, Ordering::Relaxed) {
                handle.reload();
            }
            if stop.load(Ordering::Relaxed) {
                handle.stop();
                return;
            }
        }
    });
    server.run();
    Ok(())
}

fn parse_args() -> Result<Config, String> {
    let mut positional = Vec::new();
    let mut listen = None;
    let mut config_file = None;
    let mut metrics = None;
    let mut threads = 1;
    let mut origin = None;
    let mut health_target = None;
    let mut interval = None;
    let mut down_after = None;
    let mut up_after = None;
    let mut allow = Vec::new();
    let mut self_names = Vec::new();
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = |option: &str| words.next().ok_or(format!("{option} needs a value"));
        match word.as_str() {
            "--config" => config_file = Some(PathBuf::from(value("--config")?)),
            "--listen" => listen = Some(address(&value("--listen")?, "--listen")?),
            "--metrics" => metrics = Some(address(&value("--metrics")?, "--metrics")?),
            "--origin" => {
                let text = value("--origin")?;
                origin = Some(Name::from_str(&text).map_err(|e| format!("--origin {text}: {e}"))?);
            }
            "--health-tcp" => {
                health_target = Some(address(&value("--health-tcp")?, "--health-tcp")?)
            }
            "--health-interval" => {
                let ms: u64 = number(&value("--health-interval")?, "--health-interval")?;
                interval = Some(Duration::from_millis(ms.max(10)));
            }
            "--health-down" => {
                down_after = Some(number(&value("--health-down")?, "--health-down")?)
            }
            "--health-up" => up_after = Some(number(&value("--health-up")?, "--health-up")?),
            "--allow-transfer" => {
                for cidr in value("--allow-transfer")?
                    .split(',')
                    .filter(|c| !c.is_empty())
                {
                    let net = IpNet::from_str(cidr)
                        .or_else(|_| IpAddr::from_str(cidr).map(IpNet::from))
                        .map_err(|e| format!("--allow-transfer {cidr}: {e}"))?;
                    allow.push(net);
                }
            }
            "--threads" => {
                threads = number(&value("--threads")?, "--threads")?;
                if threads == 0 || threads > MAX_THREADS {
                    return Err(format!("--threads takes 1 to {MAX_THREADS}"));
                }
            }
            "--self" => {
                let text = value("--self")?;
                self_names.push(Name::from_str(&text).map_err(|e| format!("--self {text}: {e}"))?);
            }
            "-h" | "--help" => return Err(USAGE.into()),
            _ if word.starts_with("--") => return Err(format!("unknown option {word}")),
            _ => positional.push(word),
        }
    }
    if let Some(file) = config_file {
        if !positional.is_empty() || listen.is_some() {
            return Err("--config takes the zones and listen addresses from the file: give no ZONEFILE and no --listen".into());
        }
        let mut config = Config::read(&file).map_err(|e| e.to_string())?;
        if metrics.is_some() {
            config.metrics = metrics;
        }
        return Ok(config);
    }
    let mut positional = positional.into_iter();
    let mut zone = ZoneSpec::new(
        positional
            .next()
            .ok_or("missing ZONEFILE (or --config FILE)")?,
    );
    zone.host = positional.next();
    if let Some(extra) = positional.next() {
        return Err(format!("unexpected argument {extra}"));
    }
    zone.origin = origin;
    zone.self_names = self_names;
    zone.allow_transfer = allow;
    if let Some(target) = health_target {
        let mut health = Health::tcp(target);
        health.interval = interval.unwrap_or(health.interval);
        health.down_after = down_after.unwrap_or(health.down_after);
        health.up_after = up_after.unwrap_or(health.up_after);
        zone.health = Some(health);
    }
    let listen = listen.ok_or("missing --listen ADDR:PORT")?;
    let mut config = Config::new(vec![listen], vec![zone]);
    config.threads = threads;
    config.metrics = metrics;
    Ok(config)
}

fn address(text: &str, option: &str) -> Result<SocketAddr, String> {
    text.parse().map_err(|e| format!("{option} {text}: {e}"))
}

fn number<T: FromStr>(text: &str, option: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| format!("{option} {text}: {e}"))
}
