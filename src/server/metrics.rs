//! Counters kept on the answer path (relaxed atomic adds, no allocation, no lock) and
//! their Prometheus text form, served at `GET /metrics`.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric as _};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;

use super::{Shared, TICK};

/// How a query arrived, as metrics count it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Transport {
    Udp = 0,
    Tcp = 1,
}

const TRANSPORTS: [&str; 2] = ["udp", "tcp"];

/// The query types counted apart; every other type is counted as `other`.
const QTYPES: [(u16, &str); 15] = [
    (1, "A"),
    (2, "NS"),
    (5, "CNAME"),
    (6, "SOA"),
    (12, "PTR"),
    (15, "MX"),
    (16, "TXT"),
    (28, "AAAA"),
    (33, "SRV"),
    (43, "DS"),
    (48, "DNSKEY"),
    (64, "SVCB"),
    (65, "HTTPS"),
    (252, "AXFR"),
    (255, "ANY"),
];
const OTHER: usize = QTYPES.len();
const CLASSES: usize = QTYPES.len() + 1;

/// RCODE names (RFC 1035 §4.1.1, RFC 2136, RFC 6672), by the header's four bits.
const RCODES: [&str; 16] = [
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE", "RCODE11", "RCODE12", "RCODE13", "RCODE14", "RCODE15",
];

fn class_of(qtype: Option<u16>) -> usize {
    qtype
        .and_then(|t| QTYPES.iter().position(|&(code, _)| code == t))
        .unwrap_or(OTHER)
}

/// One zone's counters: responses by transport, query type class and RCODE; truncated
/// responses; transfers.
#[derive(Debug)]
pub(super) struct ZoneCounters {
    responses: [[[AtomicU64; 16]; CLASSES]; 2],
    truncated: [AtomicU64; 2],
    transfers: AtomicU64,
}

impl Default for ZoneCounters {
    fn default() -> Self {
        Self {
            responses: std::array::from_fn(|_| {
                std::array::from_fn(|_| std::array::from_fn(|_| AtomicU64::new(0)))
            }),
            truncated: std::array::from_fn(|_| AtomicU64::new(0)),
            transfers: AtomicU64::new(0),
        }
    }
}

impl ZoneCounters {
    /// Counts one response; `response` is the message from its third octet (flags, then
    /// the rest). A FORMERR also counts as a malformed packet.
    pub(super) fn count(
        &self,
        transport: Transport,
        qtype: Option<u16>,
        response: &[u8],
        global: &GlobalCounters,
    ) {
        let flags = response.first().copied().unwrap_or(0);
        let rcode = usize::from(response.get(1).copied().unwrap_or(0) & 0x0F);
        let t = transport as usize;
        if let Some(counter) = self
            .responses
            .get(t)
            .and_then(|by_class| by_class.get(class_of(qtype)))
            .and_then(|by_rcode| by_rcode.get(rcode))
        {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        if flags & 0x02 != 0
            && let Some(counter) = self.truncated.get(t)
        {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        if rcode == 1 {
            global.malformed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts one zone transfer sent.
    pub(super) fn transfer(&self) {
        self.transfers.fetch_add(1, Ordering::Relaxed);
    }

    /// Each non-zero response counter with its labels.
    fn responses(
        &self,
    ) -> impl Iterator<Item = (&'static str, &'static str, &'static str, u64)> + '_ {
        self.responses
            .iter()
            .enumerate()
            .flat_map(move |(t, by_class)| {
                by_class.iter().enumerate().flat_map(move |(c, by_rcode)| {
                    by_rcode.iter().enumerate().filter_map(move |(r, counter)| {
                        let value = counter.load(Ordering::Relaxed);
                        (value > 0).then(|| {
                            (
                                TRANSPORTS.get(t).copied().unwrap_or("?"),
                                QTYPES.get(c).map_or("other", |&(_, name)| name),
                                RCODES.get(r).copied().unwrap_or("?"),
                                value,
                            )
                        })
                    })
                })
            })
    }
}

/// The server's counters that belong to no zone.
#[derive(Debug, Default)]
pub(super) struct GlobalCounters {
    /// Responses to queries for no zone served (REFUSED) or too malformed to tell.
    pub(super) no_zone: ZoneCounters,
    /// Packets given no response at all: too short to echo an ID, or a response.
    pub(super) dropped: AtomicU64,
    /// Queries answered FORMERR.
    pub(super) malformed: AtomicU64,
    pub(super) receive_errors: AtomicU64,
    pub(super) send_errors: AtomicU64,
    pub(super) tcp_accepted: AtomicU64,
    /// TCP connections closed at once because 128 were open.
    pub(super) tcp_refused: AtomicU64,
    /// Reloads in which every zone loaded.
    pub(super) reloads_ok: AtomicU64,
    /// Reloads in which a zone, or the config, failed.
    pub(super) reloads_failed: AtomicU64,
}

/// Serves `GET /metrics` until the server stops.
pub(super) fn serve(server: &tiny_http::Server, shared: &std::sync::Arc<Shared>) {
    let wait = Duration::max(TICK, Duration::from_millis(1));
    while !shared.stopping() {
        let Ok(Some(request)) = server.recv_timeout(wait) else {
            continue;
        };
        let path = request.url().split('?').next().unwrap_or("");
        let response = if *request.method() != tiny_http::Method::Get {
            tiny_http::Response::from_string("only GET\n").with_status_code(405)
        } else if path != "/metrics" {
            tiny_http::Response::from_string("not found: try /metrics\n").with_status_code(404)
        } else {
            let text = encode(shared);
            let header = tiny_http::Header::from_bytes(
                &b"Content-Type"[..],
                &b"application/openmetrics-text; version=1.0.0; charset=utf-8"[..],
            );
            let response = tiny_http::Response::from_string(text);
            match header {
                Ok(header) => response.with_header(header),
                Err(()) => response,
            }
        };
        let _ = request.respond(response);
    }
}

/// The metrics as Prometheus text (OpenMetrics).
pub(super) fn encode(shared: &std::sync::Arc<Shared>) -> String {
    let mut registry = Registry::with_prefix("multiprimary");
    registry.register_collector(Box::new(Snapshot(std::sync::Arc::clone(shared))));
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, &registry).is_err() {
        text.clear();
        let _ = writeln!(text, "# the metrics could not be encoded");
    }
    text
}

/// What a scrape reads: the counters of the zones served now.
#[derive(Debug)]
struct Snapshot(std::sync::Arc<Shared>);

type Labels<'a> = Vec<(&'static str, &'a str)>;

impl Collector for Snapshot {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let shared = &self.0;
        let Some(served) = shared.current() else {
            return Ok(());
        };
        let zones: Vec<(String, &super::ZoneRuntime)> = served
            .zones
            .iter()
            .map(|zone| (zone.runtime.label(), &*zone.runtime))
            .collect();

        let mut family = encoder.encode_descriptor(
            "responses",
            "Responses sent, by zone (\"\" for none served), transport, query type and RCODE",
            None,
            MetricType::Counter,
        )?;
        let no_zone = String::new();
        for (label, counters) in zones
            .iter()
            .map(|(label, runtime)| (label, &runtime.counters))
            .chain(std::iter::once((&no_zone, &shared.global.no_zone)))
        {
            for (transport, qtype, rcode, value) in counters.responses() {
                let labels: Labels<'_> = vec![
                    ("zone", label.as_str()),
                    ("transport", transport),
                    ("qtype", qtype),
                    ("rcode", rcode),
                ];
                ConstCounter::new(value).encode(family.encode_family(&labels)?)?;
            }
        }

        let mut family = encoder.encode_descriptor(
            "truncated",
            "UDP responses (and TCP ones) sent with TC set, by zone and transport",
            None,
            MetricType::Counter,
        )?;
        for (label, runtime) in &zones {
            for (t, transport) in TRANSPORTS.iter().enumerate() {
                let value = runtime
                    .counters
                    .truncated
                    .get(t)
                    .map_or(0, |c| c.load(Ordering::Relaxed));
                let labels: Labels<'_> = vec![("zone", label.as_str()), ("transport", transport)];
                ConstCounter::new(value).encode(family.encode_family(&labels)?)?;
            }
        }

        per_zone(
            &mut encoder,
            &zones,
            "transfers",
            "Zone transfers (AXFR) sent",
            MetricType::Counter,
            |r| r.counters.transfers.load(Ordering::Relaxed),
        )?;
        per_zone(
            &mut encoder,
            &zones,
            "healthy",
            "1 while the zone answers with this host's own addresses, 0 while degraded",
            MetricType::Gauge,
            |r| u64::from(!r.degraded.load(Ordering::Relaxed)),
        )?;
        per_zone(
            &mut encoder,
            &zones,
            "health_changed_seconds",
            "When health last changed (Unix time; 0: never)",
            MetricType::Gauge,
            |r| r.changed.load(Ordering::Relaxed),
        )?;
        per_zone(
            &mut encoder,
            &zones,
            "serial",
            "The SOA serial of the copy loaded",
            MetricType::Gauge,
            |r| u64::from(r.serial.load(Ordering::Relaxed)),
        )?;
        let mut family = encoder.encode_descriptor(
            "zone_reloads",
            "Reloads of the zone, by result (failed: the old copy kept)",
            None,
            MetricType::Counter,
        )?;
        for (label, runtime) in &zones {
            for (result, value) in [
                ("ok", &runtime.reloads_ok),
                ("failed", &runtime.reloads_failed),
            ] {
                let labels: Labels<'_> = vec![("zone", label.as_str()), ("result", result)];
                ConstCounter::new(value.load(Ordering::Relaxed))
                    .encode(family.encode_family(&labels)?)?;
            }
        }
        let mut family = encoder.encode_descriptor(
            "reloads",
            "Reloads, by result (failed: the config or a zone did not load)",
            None,
            MetricType::Counter,
        )?;
        for (result, value) in [
            ("ok", &shared.global.reloads_ok),
            ("failed", &shared.global.reloads_failed),
        ] {
            let labels: Labels<'_> = vec![("result", result)];
            ConstCounter::new(value.load(Ordering::Relaxed))
                .encode(family.encode_family(&labels)?)?;
        }

        let global = &shared.global;
        for (name, help, value) in [
            (
                "dropped",
                "Packets given no response: too short to echo an ID, or a response (QR set)",
                &global.dropped,
            ),
            ("malformed", "Queries answered FORMERR", &global.malformed),
            (
                "receive_errors",
                "Failed receive calls on UDP sockets",
                &global.receive_errors,
            ),
            (
                "send_errors",
                "UDP responses the kernel did not take",
                &global.send_errors,
            ),
            (
                "tcp_connections",
                "TCP connections accepted",
                &global.tcp_accepted,
            ),
            (
                "tcp_refused",
                "TCP connections closed at once: the most were open",
                &global.tcp_refused,
            ),
        ] {
            ConstCounter::new(value.load(Ordering::Relaxed)).encode(encoder.encode_descriptor(
                name,
                help,
                None,
                MetricType::Counter,
            )?)?;
        }
        let open = i64::try_from(shared.connections.load(Ordering::Relaxed)).unwrap_or(i64::MAX);
        ConstGauge::new(open).encode(encoder.encode_descriptor(
            "tcp_connections_open",
            "TCP connections open now",
            None,
            MetricType::Gauge,
        )?)?;
        Ok(())
    }
}

fn per_zone(
    encoder: &mut DescriptorEncoder<'_>,
    zones: &[(String, &super::ZoneRuntime)],
    name: &str,
    help: &str,
    kind: MetricType,
    value: impl Fn(&super::ZoneRuntime) -> u64,
) -> Result<(), std::fmt::Error> {
    let mut family = encoder.encode_descriptor(name, help, None, kind)?;
    for (label, runtime) in zones {
        let labels: Labels<'_> = vec![("zone", label.as_str())];
        let v = value(runtime);
        match kind {
            MetricType::Counter => ConstCounter::new(v).encode(family.encode_family(&labels)?)?,
            _ => ConstGauge::new(i64::try_from(v).unwrap_or(i64::MAX))
                .encode(family.encode_family(&labels)?)?,
        }
    }
    Ok(())
}
