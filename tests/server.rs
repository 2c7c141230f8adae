//! `multiprimary::server` as a library: many zones in one process (each query from the
//! zone whose origin is the longest suffix of its name, REFUSED for none, AXFR per zone),
//! config errors with their line and column, a reload that keeps the old copy of a zone
//! whose new one is bad, and metrics scraped while queries run. Servers listen on
//! loopback (port 0: the system picks a free one) and are stopped by their handle.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers may panic

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use multiprimary::hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use multiprimary::hickory_proto::rr::{Name, RecordType};
use multiprimary::server::{Config, ConfigError, Handle, Level, Log, Server};

const TEMPLATE: &str = include_str!("../examples/data/example.com.template");

const SUB: &str = "$ORIGIN sub.example.com.
$TTL 300
@    IN SOA ns.sub.example.com. hostmaster.example.com. 7 3600 600 86400 300
@    IN NS  ns.sub.example.com.
ns   IN A   192.0.2.53
host IN A   192.0.2.1
";

const OTHER: &str = "$ORIGIN other.test.
$TTL 300
@    IN SOA ns.other.test. hostmaster.other.test. 42 3600 600 86400 300
@    IN NS  ns.other.test.
ns   IN A   198.51.100.53
www  IN A   198.51.100.80
";

/// A directory of its own under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("multiprimary-server-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Three zones: bob's projection of the article's template, a zone below it, and an
/// unrelated one; transfers of `sub.example.com.` allowed to loopback only.
fn three_zones(metrics: bool) -> String {
    let metrics = if metrics {
        "metrics = \"127.0.0.1:0\"\n"
    } else {
        ""
    };
    format!(
        "listen = [\"127.0.0.1:0\"]
{metrics}threads = 2

[[zone]]
file = \"example.com.template\"
host = \"bob\"

[[zone]]
file = \"sub.example.com.zone\"
origin = \"sub.example.com.\"
allow-transfer = [\"127.0.0.0/8\"]

[[zone]]
file = \"other.test.zone\"
"
    )
}

/// A running server with its log lines.
struct Running {
    handle: Handle,
    address: SocketAddr,
    metrics: Option<SocketAddr>,
    log: mpsc::Receiver<(Level, String)>,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    fn start(config: Config) -> Self {
        let (send, log) = mpsc::channel();
        let server = Server::bind_with_log(
            config,
            Log::new(move |level, line| {
                let _ = send.send((level, line.to_owned()));
            }),
        )
        .unwrap();
        let address = server.local_addrs()[0];
        let metrics = server.metrics_addr();
        let handle = server.handle();
        let thread = std::thread::spawn(move || server.run());
        let running = Self {
            handle,
            address,
            metrics,
            log,
            thread: Some(thread),
        };
        running.wait_for(Level::Info, &format!("listening on {address}"));
        running
    }

    /// Waits for a log line at `level` that contains `text`.
    fn wait_for(&self, level: Level, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok((at, line)) = self.log.recv_timeout(Duration::from_millis(100))
                && at == level
                && line.contains(text)
            {
                return line;
            }
        }
        panic!("the server never logged {level:?} {text:?}");
    }

    fn ask(&self, name: &str, record_type: RecordType) -> Message {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let mut query = Message::new(0x5151, MessageType::Query, OpCode::Query);
        query.add_query(Query::query(Name::from_ascii(name).unwrap(), record_type));
        socket
            .send_to(&query.to_vec().unwrap(), self.address)
            .unwrap();
        let mut buffer = [0u8; 4096];
        let (len, _) = socket.recv_from(&mut buffer).unwrap();
        let response = Message::from_vec(&buffer[..len]).unwrap();
        assert_eq!(response.metadata.id, 0x5151);
        response
    }

    /// The A addresses answered for `name`, sorted.
    fn addresses(&self, name: &str) -> Vec<String> {
        let response = self.ask(name, RecordType::A);
        assert_eq!(response.metadata.response_code, ResponseCode::NoError);
        let mut a: Vec<String> = response
            .answers
            .iter()
            .map(|r| r.data.to_string())
            .collect();
        a.sort();
        a
    }

    /// The messages of an AXFR of `zone` over TCP.
    fn axfr(&self, zone: &str) -> Vec<Message> {
        let mut stream = TcpStream::connect(self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut query = Message::new(0x7777, MessageType::Query, OpCode::Query);
        query.add_query(Query::query(
            Name::from_ascii(zone).unwrap(),
            RecordType::AXFR,
        ));
        let bytes = query.to_vec().unwrap();
        stream
            .write_all(&u16::try_from(bytes.len()).unwrap().to_be_bytes())
            .unwrap();
        stream.write_all(&bytes).unwrap();
        let mut messages = Vec::new();
        let mut soas = 0;
        while soas < 2 {
            let mut length = [0u8; 2];
            if stream.read_exact(&mut length).is_err() {
                break;
            }
            let mut message = vec![0u8; usize::from(u16::from_be_bytes(length))];
            stream.read_exact(&mut message).unwrap();
            let message = Message::from_vec(&message).unwrap();
            let refused = message.metadata.response_code != ResponseCode::NoError;
            soas += message
                .answers
                .iter()
                .filter(|r| r.record_type() == RecordType::SOA)
                .count();
            messages.push(message);
            if refused {
                break;
            }
        }
        messages
    }

    /// The metrics text, fetched with a plain HTTP/1.1 GET.
    fn scrape(&self) -> String {
        let address = self.metrics.expect("metrics are served");
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        write!(
            stream,
            "GET /metrics HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        body.to_owned()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.handle.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn write_zones(dir: &TempDir) -> PathBuf {
    dir.write("example.com.template", TEMPLATE);
    dir.write("sub.example.com.zone", SUB);
    dir.write("other.test.zone", OTHER);
    dir.write("serve.toml", &three_zones(true))
}

/// The value of the sample `name{labels}` (`name` alone for no labels) in a metrics
/// text, 0 when absent.
fn sample(text: &str, name: &str, labels: &str) -> u64 {
    let key = if labels.is_empty() {
        format!("{name} ")
    } else {
        format!("{name}{{{labels}}} ")
    };
    text.lines()
        .find_map(|line| line.strip_prefix(&key))
        .map_or(0, |value| value.trim().parse().unwrap())
}

#[test]
fn each_query_is_answered_from_the_zone_with_the_longest_matching_origin() {
    let dir = TempDir::new("zones");
    let path = write_zones(&dir);
    let server = Running::start(Config::read(&path).unwrap());
    // bob's projection: the self names answer with bob's address.
    assert_eq!(server.addresses("www.example.com."), ["1.2.3.4"]);
    assert_eq!(server.addresses("WWW.Example.COM."), ["1.2.3.4"]);
    // Below sub.example.com. the longer origin wins, though example.com. also covers it.
    assert_eq!(server.addresses("host.sub.example.com."), ["192.0.2.1"]);
    let soa = server.ask("sub.example.com.", RecordType::SOA);
    assert!(soa.metadata.authoritative);
    assert_eq!(soa.answers.len(), 1);
    assert_eq!(
        soa.answers[0].name,
        Name::from_ascii("sub.example.com.").unwrap()
    );
    // A name in example.com. but not below sub: example.com.'s NXDOMAIN, with its SOA.
    let missing = server.ask("nothing.example.com.", RecordType::A);
    assert_eq!(missing.metadata.response_code, ResponseCode::NXDomain);
    assert_eq!(
        missing.authorities[0].name,
        Name::from_ascii("example.com.").unwrap()
    );
    assert_eq!(server.addresses("www.other.test."), ["198.51.100.80"]);
    // A name no zone holds is refused; a label that merely ends like an origin is not in it.
    for name in ["www.example.org.", "xother.test.", "test.", "."] {
        let refused = server.ask(name, RecordType::A);
        assert_eq!(
            refused.metadata.response_code,
            ResponseCode::Refused,
            "{name}"
        );
        assert!(refused.answers.is_empty());
        assert!(!refused.metadata.authoritative, "{name}");
    }
}

#[test]
fn axfr_is_per_zone_and_goes_only_where_that_zone_allows() {
    let dir = TempDir::new("axfr");
    let path = write_zones(&dir);
    let server = Running::start(Config::read(&path).unwrap());
    let messages = server.axfr("sub.example.com.");
    let records: Vec<_> = messages.iter().flat_map(|m| m.answers.iter()).collect();
    assert_eq!(records.first().unwrap().record_type(), RecordType::SOA);
    assert_eq!(records.last().unwrap().record_type(), RecordType::SOA);
    // SOA, NS, ns A, host A, SOA: the zone and nothing of example.com.'s.
    assert_eq!(records.len(), 5);
    let origin = Name::from_ascii("sub.example.com.").unwrap();
    assert!(records.iter().all(|r| origin.zone_of(&r.name)));
    // example.com. has no allow-transfer: refused from the same address.
    let refused = server.axfr("example.com.");
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].metadata.response_code, ResponseCode::Refused);
    assert!(refused[0].answers.is_empty());
}

#[test]
fn reload_takes_each_good_zone_and_keeps_the_old_copy_of_a_bad_one() {
    let dir = TempDir::new("reload");
    let path = write_zones(&dir);
    let server = Running::start(Config::read(&path).unwrap());
    assert_eq!(server.addresses("host.sub.example.com."), ["192.0.2.1"]);
    assert_eq!(server.addresses("www.other.test."), ["198.51.100.80"]);

    // sub.example.com. changes; other.test. breaks (a CNAME beside other data).
    dir.write(
        "sub.example.com.zone",
        &SUB.replace("host IN A   192.0.2.1", "host IN A   192.0.2.2")
            .replace(" 7 3600", " 8 3600"),
    );
    dir.write(
        "other.test.zone",
        &format!("{OTHER}www  IN CNAME ns.other.test.\n"),
    );
    server.handle.reload();
    let error = server.wait_for(Level::Error, "other.test.zone");
    assert!(
        error.contains("still serving the zone loaded before"),
        "{error}"
    );
    server.wait_for(Level::Info, "reloaded");
    assert_eq!(server.addresses("host.sub.example.com."), ["192.0.2.2"]);
    assert_eq!(server.addresses("www.other.test."), ["198.51.100.80"]);
    let metrics = server.scrape();
    assert_eq!(
        sample(&metrics, "multiprimary_serial", "zone=\"sub.example.com.\""),
        8
    );
    assert_eq!(
        sample(&metrics, "multiprimary_serial", "zone=\"other.test.\""),
        42
    );
    assert_eq!(
        sample(
            &metrics,
            "multiprimary_zone_reloads_total",
            "zone=\"other.test.\",result=\"failed\""
        ),
        1
    );
    assert_eq!(
        sample(
            &metrics,
            "multiprimary_zone_reloads_total",
            "zone=\"sub.example.com.\",result=\"ok\""
        ),
        1
    );
    assert_eq!(
        sample(&metrics, "multiprimary_reloads_total", "result=\"failed\""),
        1
    );

    // A broken config keeps everything as it was.
    std::fs::write(&path, "listen = [\"127.0.0.1:0\"\n").unwrap();
    server.handle.reload();
    let error = server.wait_for(Level::Error, "serve.toml:");
    assert!(
        error.contains("still serving the zones loaded before"),
        "{error}"
    );
    assert_eq!(server.addresses("host.sub.example.com."), ["192.0.2.2"]);
    assert_eq!(server.addresses("www.example.com."), ["1.2.3.4"]);
    assert_eq!(
        sample(
            &server.scrape(),
            "multiprimary_reloads_total",
            "result=\"failed\""
        ),
        2
    );
}

#[test]
fn metrics_count_what_was_answered_while_queries_run() {
    let dir = TempDir::new("metrics");
    let path = write_zones(&dir);
    let server = Running::start(Config::read(&path).unwrap());
    let text = server.scrape();
    assert!(
        text.contains("# TYPE multiprimary_responses counter"),
        "{text}"
    );
    assert_eq!(
        sample(&text, "multiprimary_serial", "zone=\"example.com.\""),
        2_007_010_100
    );
    assert_eq!(
        sample(&text, "multiprimary_healthy", "zone=\"example.com.\""),
        1
    );
    // Scrapes while a second thread asks: the counts only grow, and at the end they are
    // exactly what was asked.
    let asker = {
        let address = server.address;
        std::thread::spawn(move || {
            let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
            socket
                .set_read_timeout(Some(Duration::from_secs(2)))
                .unwrap();
            let mut buffer = [0u8; 4096];
            for (name, record_type, times) in [
                ("www.example.com.", RecordType::A, 40),
                ("nothing.example.com.", RecordType::AAAA, 7),
                ("host.sub.example.com.", RecordType::TXT, 5),
                ("www.example.org.", RecordType::A, 3),
            ] {
                for _ in 0..times {
                    let mut query = Message::new(1, MessageType::Query, OpCode::Query);
                    query.add_query(Query::query(Name::from_ascii(name).unwrap(), record_type));
                    socket.send_to(&query.to_vec().unwrap(), address).unwrap();
                    socket.recv_from(&mut buffer).unwrap();
                }
            }
            // Malformed: a header claiming a question that is not there.
            let mut bad = [0u8; 12];
            bad[5] = 1;
            socket.send_to(&bad, address).unwrap();
            socket.recv_from(&mut buffer).unwrap();
            // No response at all: a packet too short to carry an ID, and a response.
            socket.send_to(&[7], address).unwrap();
            let mut response = Message::new(2, MessageType::Response, OpCode::Query);
            response.add_query(Query::query(
                Name::from_ascii("www.example.com.").unwrap(),
                RecordType::A,
            ));
            socket
                .send_to(&response.to_vec().unwrap(), address)
                .unwrap();
        })
    };
    let mut last = 0;
    while !asker.is_finished() {
        let now = sample(
            &server.scrape(),
            "multiprimary_responses_total",
            "zone=\"example.com.\",transport=\"udp\",qtype=\"A\",rcode=\"NOERROR\"",
        );
        assert!(now >= last, "a counter went down: {last} then {now}");
        last = now;
    }
    asker.join().unwrap();
    // Over TCP, one more A query for www.
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut query = Message::new(3, MessageType::Query, OpCode::Query);
    query.add_query(Query::query(
        Name::from_ascii("www.example.com.").unwrap(),
        RecordType::A,
    ));
    let bytes = query.to_vec().unwrap();
    stream
        .write_all(&u16::try_from(bytes.len()).unwrap().to_be_bytes())
        .unwrap();
    stream.write_all(&bytes).unwrap();
    let mut length = [0u8; 2];
    stream.read_exact(&mut length).unwrap();
    let mut answer = vec![0u8; usize::from(u16::from_be_bytes(length))];
    stream.read_exact(&mut answer).unwrap();
    drop(stream);

    // The packets with no response are counted once the worker has seen them.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut text = server.scrape();
    while sample(&text, "multiprimary_dropped_total", "") < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        text = server.scrape();
    }
    let responses = |labels: &str| sample(&text, "multiprimary_responses_total", labels);
    assert_eq!(
        responses("zone=\"example.com.\",transport=\"udp\",qtype=\"A\",rcode=\"NOERROR\""),
        40
    );
    assert_eq!(
        responses("zone=\"example.com.\",transport=\"tcp\",qtype=\"A\",rcode=\"NOERROR\""),
        1
    );
    assert_eq!(
        responses("zone=\"example.com.\",transport=\"udp\",qtype=\"AAAA\",rcode=\"NXDOMAIN\""),
        7
    );
    assert_eq!(
        responses("zone=\"sub.example.com.\",transport=\"udp\",qtype=\"TXT\",rcode=\"NOERROR\""),
        5
    );
    assert_eq!(
        responses("zone=\"\",transport=\"udp\",qtype=\"A\",rcode=\"REFUSED\""),
        3
    );
    assert_eq!(
        responses("zone=\"\",transport=\"udp\",qtype=\"other\",rcode=\"FORMERR\""),
        1
    );
    assert_eq!(sample(&text, "multiprimary_malformed_total", ""), 1);
    assert_eq!(sample(&text, "multiprimary_dropped_total", ""), 2);
    assert_eq!(sample(&text, "multiprimary_tcp_connections_total", ""), 1);
    // Nothing else was answered for other.test.
    assert!(
        !text.contains("responses_total{zone=\"other.test.\""),
        "{text}"
    );
}

fn config_error(text: &str) -> ConfigError {
    Config::from_toml(text, Path::new("/etc/multiprimary/serve.toml")).unwrap_err()
}

#[test]
fn a_bad_config_names_its_file_line_and_column() {
    let cases: [(&str, u32, u32, &str); 8] = [
        ("listen = [\"127.0.0.1:5300\"\n", 1, 27, ""),
        (
            "listen = [\"127.0.0.1:5300\"]\n[[zone]]\nfile = \"a.zone\"\nhots = \"bob\"\n",
            4,
            1,
            "unknown field `hots`",
        ),
        (
            "listen = [\"127.0.0.1:5300\", \"127.0.0.1:99999\"]\n[[zone]]\nfile = \"a\"\n",
            1,
            29,
            "127.0.0.1:99999",
        ),
        (
            "listen = [\"127.0.0.1:5300\"]\nmetrics = \"localhost\"\n[[zone]]\nfile = \"a\"\n",
            2,
            11,
            "localhost",
        ),
        (
            "listen = [\"127.0.0.1:5300\"]\n[[zone]]\nfile = \"a\"\nallow-transfer = [\"10.0.0.0/33\"]\n",
            4,
            19,
            "10.0.0.0/33",
        ),
        (
            "listen = [\"127.0.0.1:5300\"]\n[[zone]]\nfile = \"a\"\nhealth-tcp = \"127.0.0.1:80\"\n",
            4,
            14,
            "host",
        ),
        (
            "listen = [\"127.0.0.1:5300\"]\n[[zone]]\nfile = \"a\"\norigin = \"x.test.\"\n\
             [[zone]]\nfile = \"b\"\norigin = \"x.test.\"\n",
            7,
            10,
            "x.test.",
        ),
        (
            "listen = [\"127.0.0.1:5300\"]\nthreads = 0\n[[zone]]\nfile = \"a\"\n",
            2,
            11,
            "threads",
        ),
    ];
    for (text, line, column, says) in cases {
        let error = config_error(text);
        assert_eq!(
            (error.line, error.column),
            (line, column),
            "{text}: {error}"
        );
        assert!(error.message.contains(says), "{text}: {error}");
        let shown = error.to_string();
        assert!(
            shown.starts_with(&format!("/etc/multiprimary/serve.toml:{line}:{column}: ")),
            "{shown}"
        );
        assert!(!shown.contains('\n'), "one line: {shown:?}");
    }
    // No zone, no listen: the whole file, at its start.
    let error = config_error("listen = [\"127.0.0.1:5300\"]\n");
    assert_eq!((error.line, error.column), (1, 1));
    assert!(error.message.contains("zone"), "{error}");
    let error = config_error("[[zone]]\nfile = \"a\"\n");
    assert!(error.message.contains("listen"), "{error}");
}

#[test]
fn a_config_names_zone_files_relative_to_itself() {
    let dir = TempDir::new("relative");
    let path = write_zones(&dir);
    let config = Config::read(&path).unwrap();
    assert_eq!(
        config.listen,
        ["127.0.0.1:0".parse::<SocketAddr>().unwrap()]
    );
    assert_eq!(config.threads, 2);
    assert_eq!(config.zones.len(), 3);
    assert_eq!(config.zones[0].file, dir.0.join("example.com.template"));
    assert_eq!(config.zones[0].host.as_deref(), Some("bob"));
    assert_eq!(
        config.zones[1].origin,
        Some(Name::from_ascii("sub.example.com.").unwrap())
    );
    assert_eq!(config.zones[1].allow_transfer.len(), 1);
    // A file that is not there is named, without a line.
    let error = Config::read(&dir.0.join("missing.toml")).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with(&format!("{}: ", dir.0.join("missing.toml").display()))
    );
}

#[test]
fn two_zones_with_one_origin_or_a_bad_zone_do_not_start() {
    let dir = TempDir::new("start");
    write_zones(&dir);
    dir.write("again.zone", SUB);
    let path = dir.write(
        "serve.toml",
        "listen = [\"127.0.0.1:0\"]\n[[zone]]\nfile = \"sub.example.com.zone\"\n\
         [[zone]]\nfile = \"again.zone\"\n",
    );
    let error = Server::bind_with_log(Config::read(&path).unwrap(), Log::new(|_, _| {}))
        .unwrap_err()
        .to_string();
    assert!(error.contains("sub.example.com."), "{error}");
    assert!(error.contains("again.zone"), "{error}");
    dir.write("broken.zone", "$ORIGIN broken.test.\n@ IN A 1.2.3\n");
    let path = dir.write(
        "serve.toml",
        "listen = [\"127.0.0.1:0\"]\n[[zone]]\nfile = \"broken.zone\"\n",
    );
    let error = Server::bind_with_log(Config::read(&path).unwrap(), Log::new(|_, _| {}))
        .unwrap_err()
        .to_string();
    assert!(error.contains("broken.zone:2:"), "{error}");
}

#[test]
fn the_shipped_config_reads_and_serves_both_its_zones() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/serve.toml");
    let mut config = Config::read(&path).unwrap();
    assert_eq!(
        config.listen,
        [
            "127.0.0.1:5300".parse::<SocketAddr>().unwrap(),
            "[::1]:5300".parse().unwrap()
        ]
    );
    assert_eq!(config.metrics, Some("127.0.0.1:9153".parse().unwrap()));
    assert_eq!(config.zones.len(), 2);
    let health = config.zones[0].health.unwrap();
    assert_eq!(health.target, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(health.interval, Duration::from_millis(1000));
    assert_eq!((health.down_after, health.up_after), (3, 3));
    // Served here on a free port, without metrics and without the probe.
    config.listen = vec!["127.0.0.1:0".parse().unwrap()];
    config.metrics = None;
    config.zones[0].health = None;
    let server = Running::start(config);
    assert_eq!(server.addresses("www.example.com."), ["1.2.3.4"]);
    assert_eq!(server.addresses("www.example.org."), ["127.0.0.1"]);
}

#[test]
fn a_zone_with_a_health_probe_switches_to_its_degraded_copy_and_back() {
    let dir = TempDir::new("health");
    let file = dir.write("example.com.template", TEMPLATE);
    let web = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let target = web.local_addr().unwrap();
    let mut zone = multiprimary::server::ZoneSpec::template(&file, "bob");
    let mut health = multiprimary::server::Health::tcp(target);
    health.interval = Duration::from_millis(50);
    health.down_after = 2;
    health.up_after = 2;
    zone.health = Some(health);
    let mut config = Config::new(vec!["127.0.0.1:0".parse().unwrap()], vec![zone]);
    config.metrics = Some("127.0.0.1:0".parse().unwrap());
    let server = Running::start(config);
    let origin = Name::from_ascii("example.com.").unwrap();
    assert_eq!(server.handle.is_degraded(&origin), Some(false));
    assert_eq!(
        server
            .handle
            .is_degraded(&Name::from_ascii("example.org.").unwrap()),
        None
    );
    assert_eq!(server.addresses("www.example.com."), ["1.2.3.4"]);
    // The web server goes away: after two failed probes, www points at bill.
    drop(web);
    server.wait_for(Level::Info, "is down");
    assert_eq!(server.handle.is_degraded(&origin), Some(true));
    assert_eq!(server.addresses("www.example.com."), ["5.6.7.8"]);
    assert_eq!(server.addresses("example.com."), ["5.6.7.8"]);
    // bob's own name is not a self name: it keeps bob's address.
    assert_eq!(server.addresses("bob.example.com."), ["1.2.3.4"]);
    let text = server.scrape();
    assert_eq!(
        sample(&text, "multiprimary_healthy", "zone=\"example.com.\""),
        0
    );
    assert!(
        sample(
            &text,
            "multiprimary_health_changed_seconds",
            "zone=\"example.com.\""
        ) > 0
    );
    // Back: the same port accepts again.
    let web = std::net::TcpListener::bind(target).unwrap();
    server.wait_for(Level::Info, "is up again");
    assert_eq!(server.handle.is_degraded(&origin), Some(false));
    assert_eq!(server.addresses("www.example.com."), ["1.2.3.4"]);
    assert_eq!(
        sample(
            &server.scrape(),
            "multiprimary_healthy",
            "zone=\"example.com.\""
        ),
        1
    );
    drop(web);
}

#[test]
fn reloads_under_load_lose_no_query() {
    let dir = TempDir::new("swap");
    let path = write_zones(&dir);
    let server = Running::start(Config::read(&path).unwrap());
    let address = server.address;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let asker = {
        let done = std::sync::Arc::clone(&done);
        std::thread::spawn(move || {
            let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
            socket
                .set_read_timeout(Some(Duration::from_secs(2)))
                .unwrap();
            let mut buffer = [0u8; 4096];
            let mut seen = std::collections::BTreeSet::new();
            let mut id = 0u16;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                id = id.wrapping_add(1);
                let mut query = Message::new(id, MessageType::Query, OpCode::Query);
                query.add_query(Query::query(
                    Name::from_ascii("host.sub.example.com.").unwrap(),
                    RecordType::A,
                ));
                socket.send_to(&query.to_vec().unwrap(), address).unwrap();
                let (len, _) = socket
                    .recv_from(&mut buffer)
                    .unwrap_or_else(|e| panic!("query {id} unanswered: {e}"));
                let response = Message::from_vec(&buffer[..len]).unwrap();
                assert_eq!(response.metadata.id, id);
                assert_eq!(response.metadata.response_code, ResponseCode::NoError);
                assert_eq!(response.answers.len(), 1, "query {id}");
                seen.insert(response.answers[0].data.to_string());
            }
            (id, seen)
        })
    };
    // Six reloads while the queries run, each with the other address.
    for reload in 0..6 {
        let address = if reload % 2 == 0 {
            "192.0.2.2"
        } else {
            "192.0.2.1"
        };
        dir.write(
            "sub.example.com.zone",
            &SUB.replace("host IN A   192.0.2.1", &format!("host IN A   {address}")),
        );
        server.handle.reload();
        // Each reload logs one line per zone, the last zone's last.
        let line = server.wait_for(Level::Info, "other.test.zone");
        assert!(line.starts_with("reloaded"), "{line}");
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let (asked, seen) = asker.join().unwrap();
    assert!(asked > 0);
    // Both addresses were served, and nothing else.
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["192.0.2.1", "192.0.2.2"]
    );
}
