//! What a server serves: its listen addresses and its zones, from a TOML file or built in
//! code.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use hickory_proto::rr::Name;
use ipnet::IpNet;
use serde::Deserialize;
use toml::Spanned;

/// The most UDP workers per listen address.
pub const MAX_THREADS: usize = 256;

/// What one server serves.
///
/// ```
/// use multiprimary::server::Config;
///
/// let config = Config::from_toml(
///     r#"
///     listen = ["127.0.0.1:5300", "[::1]:5300"]
///     metrics = "127.0.0.1:9153"
///     [[zone]]
///     file = "example.com.template"
///     host = "bob"
///     allow-transfer = ["192.0.2.0/24"]
///     health-tcp = "127.0.0.1:80"
///     "#,
///     "/etc/multiprimary/serve.toml".as_ref(),
/// )?;
/// assert_eq!(config.listen.len(), 2);
/// // A zone file named relative to the config file is found beside it.
/// assert_eq!(config.zones[0].file, std::path::Path::new("/etc/multiprimary/example.com.template"));
/// # Ok::<(), multiprimary::server::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The addresses to answer on, each over UDP and TCP (port 0: a free port, the same
    /// for both).
    pub listen: Vec<SocketAddr>,
    /// Where to serve Prometheus metrics (`GET /metrics`), if anywhere.
    pub metrics: Option<SocketAddr>,
    /// UDP workers per listen address, each with its own socket (`SO_REUSEPORT`).
    pub threads: usize,
    /// The zones, in the order given. No two may have the same origin.
    pub zones: Vec<ZoneSpec>,
    /// The file this came from, read again on reload; `None` when built in code (a reload
    /// then reads the same zone files again).
    pub source: Option<PathBuf>,
}

/// One zone to serve: a template projected for one host, or a zone served as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSpec {
    /// The template or zone file.
    pub file: PathBuf,
    /// The host to project the template for (a name in its apex NS set, relative or
    /// absolute, or one of its addresses); `None`: `file` is served as written.
    pub host: Option<String>,
    /// The origin, when the file does not say it (its first `$ORIGIN`, else its SOA).
    pub origin: Option<Name>,
    /// The template's self-referencing names, when not the default (the names holding
    /// `LOCAL-IP`, else the apex and `www`).
    pub self_names: Vec<Name>,
    /// The networks that may transfer the zone (AXFR over TCP); none by default.
    pub allow_transfer: Vec<IpNet>,
    /// The probe of this host's web service, switching to the degraded copy while it
    /// fails; only for a template (with `host`).
    pub health: Option<Health>,
}

/// A TCP probe of the host's own web service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Health {
    /// The address connected to.
    pub target: SocketAddr,
    /// The time between probes (at least 10 ms).
    pub interval: Duration,
    /// Failed probes in a row that make the host degraded.
    pub down_after: u32,
    /// Successful probes in a row that make it healthy again.
    pub up_after: u32,
}

impl Health {
    /// A probe of `target` with the defaults: every second, down after 3 failures in a
    /// row, up after 3 successes.
    pub fn tcp(target: SocketAddr) -> Self {
        Self {
            target,
            interval: Duration::from_secs(1),
            down_after: 3,
            up_after: 3,
        }
    }

    /// How long one probe may take: the interval, at most 2 s.
    pub fn timeout(&self) -> Duration {
        self.interval.min(Duration::from_secs(2))
    }
}

impl ZoneSpec {
    /// A zone served from `file` as written, with no transfers and no health probe.
    pub fn new(file: impl Into<PathBuf>) -> Self {
        Self {
            file: file.into(),
            host: None,
            origin: None,
            self_names: Vec::new(),
            allow_transfer: Vec::new(),
            health: None,
        }
    }

    /// The template `file` projected for `host`.
    pub fn template(file: impl Into<PathBuf>, host: impl Into<String>) -> Self {
        Self {
            host: Some(host.into()),
            ..Self::new(file)
        }
    }
}

impl Config {
    /// A server of `zones` on `listen`, one UDP worker per address, no metrics.
    pub fn new(listen: Vec<SocketAddr>, zones: Vec<ZoneSpec>) -> Self {
        Self {
            listen,
            metrics: None,
            threads: 1,
            zones,
            source: None,
        }
    }

    /// Reads a TOML config file (see [`from_toml`](Self::from_toml)).
    ///
    /// # Errors
    ///
    /// The file cannot be read, or [`from_toml`](Self::from_toml)'s errors.
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            message: error.to_string(),
        })?;
        Self::from_toml(&text, path)
    }

    /// Reads a config from TOML text that came from `path` (named in errors; zone files
    /// named relative to it are found beside it, and a reload reads it again).
    ///
    /// Keys: `listen` (a list of `ADDR:PORT`), optional `metrics` (`ADDR:PORT`), optional
    /// `threads` (UDP workers per address, 1 to 256, default 1), and one `[[zone]]` table
    /// per zone with `file`, and optionally `host`, `origin`, `self` (a list of names),
    /// `allow-transfer` (a list of networks or addresses), `health-tcp` (`ADDR:PORT`),
    /// `health-interval` (milliseconds, default 1000), `health-down` and `health-up`
    /// (default 3 each). Unknown keys are errors.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the line and column of the first problem: TOML syntax, a
    /// missing or unknown key, a value of the wrong kind, an address, network or name that
    /// does not parse, no `listen` address or no zone, a health probe on a zone without
    /// `host`, or two zones with the same `origin`.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let at = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = line_column(text, span.start);
            ConfigError {
                file: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let file: FileConfig =
            toml::from_str(text).map_err(|e| at(e.span().unwrap_or(0..0), e.message().into()))?;
        let base = path.parent().unwrap_or_else(|| Path::new(""));
        let listen = file
            .listen
            .as_ref()
            .ok_or_else(|| at(0..0, "missing key `listen`".into()))?;
        if listen.get_ref().is_empty() {
            return Err(at(
                listen.span(),
                "`listen` needs at least one address".into(),
            ));
        }
        let listen = listen
            .get_ref()
            .iter()
            .map(|address| {
                parse_spanned(
                    address,
                    "an address and port, as 127.0.0.1:53 or [::1]:53",
                    at,
                )
            })
            .collect::<Result<Vec<SocketAddr>, _>>()?;
        let metrics = file
            .metrics
            .as_ref()
            .map(|address| parse_spanned(address, "an address and port, as 127.0.0.1:9153", at))
            .transpose()?;
        let threads = match &file.threads {
            None => 1,
            Some(threads) if (1..=MAX_THREADS as i64).contains(threads.get_ref()) => {
                usize::try_from(*threads.get_ref()).unwrap_or(1)
            }
            Some(threads) => {
                return Err(at(
                    threads.span(),
                    format!("`threads` takes 1 to {MAX_THREADS}"),
                ));
            }
        };
        if file.zone.is_empty() {
            return Err(at(
                0..0,
                "no `[[zone]]`: a server needs at least one zone".into(),
            ));
        }
        let mut zones = Vec::with_capacity(file.zone.len());
        for zone in &file.zone {
            zones.push(zone_spec(zone, base, at)?);
        }
        let mut origins: Vec<(Name, std::ops::Range<usize>)> = Vec::new();
        for (spec, zone) in zones.iter().zip(&file.zone) {
            if let (Some(origin), Some(span)) =
                (&spec.origin, zone.origin.as_ref().map(Spanned::span))
            {
                if origins.iter().any(|(seen, _)| seen == origin) {
                    return Err(at(span, format!("a second zone with origin {origin}")));
                }
                origins.push((origin.clone(), span));
            }
        }
        Ok(Self {
            listen,
            metrics,
            threads,
            zones,
            source: Some(path.to_path_buf()),
        })
    }
}

/// A config that could not be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", file.display(), place(*line, *column))]
pub struct ConfigError {
    /// The config file.
    pub file: PathBuf,
    /// The 1-based line of the problem (0 when it concerns the whole file).
    pub line: u32,
    /// The 1-based column, in characters (0 with line 0).
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

fn place(line: u32, column: u32) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(":{line}:{column}")
    }
}

/// The 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

fn parse_spanned<T: FromStr>(
    value: &Spanned<String>,
    expected: &str,
    at: impl Fn(std::ops::Range<usize>, String) -> ConfigError,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    value.get_ref().parse().map_err(|e| {
        at(
            value.span(),
            format!("`{}`: {e}; expected {expected}", value.get_ref()),
        )
    })
}

fn zone_spec(
    zone: &FileZone,
    base: &Path,
    at: impl Fn(std::ops::Range<usize>, String) -> ConfigError + Copy,
) -> Result<ZoneSpec, ConfigError> {
    let file = base.join(zone.file.get_ref());
    let origin = zone
        .origin
        .as_ref()
        .map(|origin| parse_name(origin, at))
        .transpose()?;
    let self_names = zone
        .self_names
        .iter()
        .map(|name| parse_name(name, at))
        .collect::<Result<Vec<_>, _>>()?;
    let mut allow_transfer = Vec::new();
    for network in &zone.allow_transfer {
        let text = network.get_ref();
        let net = IpNet::from_str(text)
            .or_else(|_| IpAddr::from_str(text).map(IpNet::from))
            .map_err(|e| {
                at(
                    network.span(),
                    format!("`{text}`: {e}; expected a network as 192.0.2.0/24 or an address"),
                )
            })?;
        allow_transfer.push(net);
    }
    let health = match &zone.health_tcp {
        None => {
            for (key, value) in [
                (
                    "health-interval",
                    zone.health_interval.as_ref().map(Spanned::span),
                ),
                ("health-down", zone.health_down.as_ref().map(Spanned::span)),
                ("health-up", zone.health_up.as_ref().map(Spanned::span)),
            ] {
                if let Some(span) = value {
                    return Err(at(span, format!("`{key}` without `health-tcp`")));
                }
            }
            None
        }
        Some(target) => {
            if zone.host.is_none() {
                return Err(at(
                    target.span(),
                    "`health-tcp` needs `host`: only a template's projection has a degraded copy"
                        .into(),
                ));
            }
            let mut health = Health::tcp(parse_spanned(
                target,
                "an address and port, as 127.0.0.1:80",
                at,
            )?);
            if let Some(ms) = &zone.health_interval {
                let value = u64::try_from(*ms.get_ref()).map_err(|_| {
                    at(
                        ms.span(),
                        "`health-interval` takes milliseconds, 10 or more".into(),
                    )
                })?;
                health.interval = Duration::from_millis(value.max(10));
            }
            for (value, slot, key) in [
                (&zone.health_down, &mut health.down_after, "health-down"),
                (&zone.health_up, &mut health.up_after, "health-up"),
            ] {
                if let Some(count) = value {
                    *slot = u32::try_from(*count.get_ref())
                        .ok()
                        .filter(|&n| n >= 1)
                        .ok_or_else(|| {
                            at(
                                count.span(),
                                format!("`{key}` takes a whole number of probes, 1 or more"),
                            )
                        })?;
                }
            }
            Some(health)
        }
    };
    Ok(ZoneSpec {
        file,
        host: zone.host.as_ref().map(|h| h.get_ref().clone()),
        origin,
        self_names,
        allow_transfer,
        health,
    })
}

fn parse_name(
    name: &Spanned<String>,
    at: impl Fn(std::ops::Range<usize>, String) -> ConfigError,
) -> Result<Name, ConfigError> {
    Name::from_str(name.get_ref()).map_err(|e| {
        at(
            name.span(),
            format!("`{}`: {e}; expected a domain name", name.get_ref()),
        )
    })
}

/// The file as TOML gives it; checked and turned into a [`Config`] by `from_toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<Spanned<Vec<Spanned<String>>>>,
    metrics: Option<Spanned<String>>,
    threads: Option<Spanned<i64>>,
    #[serde(default)]
    zone: Vec<FileZone>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileZone {
    file: Spanned<String>,
    host: Option<Spanned<String>>,
    origin: Option<Spanned<String>>,
    #[serde(default, rename = "self")]
    self_names: Vec<Spanned<String>>,
    #[serde(default)]
    allow_transfer: Vec<Spanned<String>>,
    health_tcp: Option<Spanned<String>>,
    health_interval: Option<Spanned<i64>>,
    health_down: Option<Spanned<i64>>,
    health_up: Option<Spanned<i64>>,
}
