//! The `check` example against running servers: `examples/serve.rs` processes on loopback
//! serving zones projected here from `examples/data/example.com.template`, and small
//! responders inside the test for what a real server should never do (stay silent, clear
//! AA).
//!
//! The servers listen on 127.0.0.1 while the template's glue names 1.2.3.4 and 5.6.7.8:
//! `check` must tell which host a server is from its answers (the SOA MNAME, else the
//! self-referencing addresses), never from the address it asked. Expected lines are
//! worked out by hand from the template: questions go in the order SOA, NS, the glue of
//! the template's NS hosts then the server's (canonical order, RFC 4034 §6.3, so `bob`
//! before `bill`), then the self-referencing names (the apex, then `www`), A before AAAA.

// Test helpers may panic: a helper that cannot do its job is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/example.rs"]
mod example;

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use multiprimary::text::{ParseOptions, parse};
use multiprimary::{AnswerTable, Template, Transport};

const TEMPLATE_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/example.com.template"
);

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// A directory under the target's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(what: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("check-{what}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn write(&self, file: &str, text: &str) -> PathBuf {
        let path = self.0.join(file);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The template's text, as the operator wrote it.
fn template_text() -> String {
    std::fs::read_to_string(TEMPLATE_FILE).unwrap()
}

/// The zone `host` serves, projected from template text by the library, as zone text.
fn projection(template: &str, host: &str) -> String {
    let zone = parse(template, &ParseOptions::new().template(true)).unwrap();
    let template = Template::new(zone);
    let (fleet, _) = template.fleet(&[]).unwrap();
    template
        .project(fleet.host(host).unwrap_or_else(|| panic!("no host {host}")))
        .unwrap()
        .to_string()
}

/// A running `serve` server (serving a zone as written), killed (by its handle) and
/// reaped on drop.
struct Server {
    child: Child,
    address: SocketAddr,
}

impl Server {
    /// Starts `serve ZONE --listen 127.0.0.1:0` and waits for `listening on ADDR:PORT`.
    fn start(zone: &Path) -> Self {
        let mut child = Command::new(example::path_with_features("serve", &["server"]))
            .arg(zone)
            .args(["--listen", "127.0.0.1:0", "--origin", "example.com."])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        // Reads stderr to its end, so the server never blocks on a full pipe.
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        loop {
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    if let Some(address) = line.strip_prefix("listening on ") {
                        let address = address.trim().parse().unwrap();
                        return Self { child, address };
                    }
                }
                Err(error) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "serve {} never said `listening on`: {error}",
                        zone.display()
                    );
                }
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A responder inside the test on 127.0.0.1: answers from the zone with `mangle` applied
/// to each response (`None` drops it), until dropped.
struct Responder {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Responder {
    fn start(zone: &str, mangle: fn(&mut Vec<u8>) -> bool) -> Self {
        let zone = parse(zone, &ParseOptions::new()).unwrap();
        let table = AnswerTable::compile(&zone).unwrap();
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let address = socket.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            let mut query = vec![0u8; 65_535];
            let mut out = vec![0u8; 65_535];
            while !stopped.load(Ordering::Acquire) {
                let Ok((len, peer)) = socket.recv_from(&mut query) else {
                    continue;
                };
                let Ok(out_len) = table.answer(&query[..len], Transport::Udp, &mut out) else {
                    continue;
                };
                let mut response = out[..out_len].to_vec();
                if mangle(&mut response) {
                    let _ = socket.send_to(&response, peer);
                }
            }
        });
        Self {
            address,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `check ARGS`, run as built.
fn check(args: &[String]) -> Output {
    Command::new(example::path("check"))
        .args(args)
        .output()
        .unwrap()
}

fn args(template: &Path, servers: &[SocketAddr], extra: &[&str]) -> Vec<String> {
    std::iter::once(template.display().to_string())
        .chain(servers.iter().map(ToString::to_string))
        .chain(extra.iter().map(ToString::to_string))
        .collect()
}

fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn show(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

// ---------------------------------------------------------------------------------------
// Servers in sync, servers drifted
// ---------------------------------------------------------------------------------------

#[test]
fn the_pair_projected_from_the_template_is_in_sync() {
    let dir = TempDir::new("pair");
    let text = template_text();
    let bob = Server::start(&dir.write("bob.zone", &projection(&text, "bob")));
    let bill = Server::start(&dir.write("bill.zone", &projection(&text, "bill")));

    let output = check(&args(
        Path::new(TEMPLATE_FILE),
        &[bob.address, bill.address],
        &[],
    ));
    assert_eq!(output.status.code(), Some(0), "{}", show(&output));
    assert_eq!(
        lines(&output.stdout),
        [
            format!("{}: in sync", bob.address),
            format!("{}: in sync", bill.address)
        ],
        "{}",
        show(&output)
    );
    // Each was taken for the host its SOA MNAME names, not for its loopback address.
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "{}: compared with the zone of bob.example.com. (1.2.3.4) (named by its SOA MNAME)",
            bob.address
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}: compared with the zone of bill.example.com. (5.6.7.8)",
            bill.address
        )),
        "{stderr}"
    );
}

#[test]
fn a_server_from_a_changed_template_is_drift_naming_each_owner_and_type() {
    let dir = TempDir::new("changed");
    let text = template_text();
    // A shorter TTL on `www`, and a third host the fleet's template does not have.
    let changed = text.replace("www  IN A LOCAL-IP", "www 30 IN A LOCAL-IP")
        + "@     IN NS carol.example.com.\ncarol IN A 9.10.11.12\n";
    assert!(
        changed.contains("www 30 IN A LOCAL-IP"),
        "the template changed"
    );
    let bob = Server::start(&dir.write("bob.zone", &projection(&text, "bob")));
    let drifted = Server::start(&dir.write("bill.zone", &projection(&changed, "bill")));

    let output = check(&args(
        Path::new(TEMPLATE_FILE),
        &[bob.address, drifted.address],
        &[],
    ));
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    let d = drifted.address;
    assert_eq!(
        lines(&output.stdout),
        [
            format!("{}: in sync", bob.address),
            format!(
                "{d}: example.com. NS: different: got 60 bob.example.com., 60 bill.example.com., \
                 60 carol.example.com., expected 60 bob.example.com., 60 bill.example.com."
            ),
            format!("{d}: carol.example.com. A: unexpected 60 9.10.11.12"),
            format!("{d}: www.example.com. A: different: got 30 5.6.7.8, expected 60 5.6.7.8"),
        ],
        "{}",
        show(&output)
    );
}

#[test]
fn a_server_whose_mname_names_no_host_is_told_by_its_self_addresses() {
    let dir = TempDir::new("mname");
    let bob = projection(&template_text(), "bob");
    let renamed = bob.replace("SOA\tbob.example.com.", "SOA\tns.example.net.");
    assert_ne!(renamed, bob);
    let server = Server::start(&dir.write("bob.zone", &renamed));

    let output = check(&args(Path::new(TEMPLATE_FILE), &[server.address], &[]));
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    assert_eq!(
        lines(&output.stdout),
        [format!(
            "{}: example.com. SOA: different: got 60 ns.example.net. hostmaster.example.com. \
             2007010100 60 7200 604800 60, expected 60 bob.example.com. hostmaster.example.com. \
             2007010100 60 7200 604800 60",
            server.address
        )],
        "{}",
        show(&output)
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("bob.example.com. (1.2.3.4) (owner of its self-referencing addresses)"),
        "{stderr}"
    );
}

#[test]
fn a_server_no_host_can_be_told_from_is_compared_on_what_every_copy_shares() {
    let dir = TempDir::new("stranger");
    let bob = projection(&template_text(), "bob");
    let stranger = [
        ("SOA\tbob.example.com.", "SOA\tns.example.net."),
        ("@\t60\tIN\tA\t1.2.3.4", "@\t60\tIN\tA\t192.0.2.99"),
        ("www\t60\tIN\tA\t1.2.3.4", "www\t60\tIN\tA\t192.0.2.99"),
        ("bill\t60\tIN\tA\t5.6.7.8", "bill\t60\tIN\tA\t5.6.7.9"),
    ]
    .iter()
    .fold(bob.clone(), |text, (from, to)| {
        assert!(text.contains(from), "{from:?} in {text}");
        text.replace(from, to)
    });
    let server = Server::start(&dir.write("stranger.zone", &stranger));

    let output = check(&args(Path::new(TEMPLATE_FILE), &[server.address], &[]));
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    let a = server.address;
    // The MNAME and the self names' addresses are excused; the glue is not.
    assert_eq!(
        lines(&output.stdout),
        [
            format!(
                "{a}: cannot tell which host this is: its SOA MNAME ns.example.net. names no \
                 host of the fleet, and its self-referencing addresses do not belong to \
                 exactly one host; comparing what every host's zone shares, SOA MNAME aside"
            ),
            format!("{a}: bill.example.com. A: different: got 60 5.6.7.9, expected 60 5.6.7.8"),
        ],
        "{}",
        show(&output)
    );
}

// ---------------------------------------------------------------------------------------
// Servers misbehaving
// ---------------------------------------------------------------------------------------

#[test]
fn answers_with_aa_clear_are_drift_one_line_per_question() {
    // Bob's zone, answered correctly except for the AA bit (octet 2, 0x04).
    let responder = Responder::start(&projection(&template_text(), "bob"), |response| {
        response[2] &= !0x04;
        true
    });
    let output = check(&args(Path::new(TEMPLATE_FILE), &[responder.address], &[]));
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    let a = responder.address;
    let expected: Vec<String> = [
        ("example.com.", "SOA"),
        ("example.com.", "NS"),
        ("bob.example.com.", "A"),
        ("bob.example.com.", "AAAA"),
        ("bill.example.com.", "A"),
        ("bill.example.com.", "AAAA"),
        ("example.com.", "A"),
        ("example.com.", "AAAA"),
        ("www.example.com.", "A"),
        ("www.example.com.", "AAAA"),
    ]
    .iter()
    .map(|(name, t)| format!("{a}: {name} {t}: AA clear, expected an authoritative answer"))
    .collect();
    assert_eq!(lines(&output.stdout), expected, "{}", show(&output));
}

#[test]
fn a_server_that_never_answers_is_drift_after_one_retry() {
    let silent = Responder::start(&projection(&template_text(), "bob"), |_| false);
    let started = std::time::Instant::now();
    let output = check(&args(
        Path::new(TEMPLATE_FILE),
        &[silent.address],
        &["--timeout", "200"],
    ));
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    assert_eq!(
        lines(&output.stdout),
        [format!(
            "{}: example.com. SOA: no answer within 200 ms, asked twice",
            silent.address
        )],
        "{}",
        show(&output)
    );
    assert!(
        took >= Duration::from_millis(400),
        "two tries of 200 ms: {took:?}"
    );
}

#[test]
fn a_closed_port_is_drift() {
    // A port just freed: nothing listens there (ICMP port unreachable on loopback).
    let address = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let output = check(&args(
        Path::new(TEMPLATE_FILE),
        &[address],
        &["--timeout", "200"],
    ));
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    let out = lines(&output.stdout);
    assert_eq!(out.len(), 1, "{}", show(&output));
    assert!(
        out[0].starts_with(&format!("{address}: example.com. SOA: ")),
        "{}",
        show(&output)
    );
}

// ---------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------

#[test]
fn bad_usage_and_bad_templates_exit_2_with_one_error_line() {
    let dir = TempDir::new("usage");
    let bad = dir.write(
        "bad.template",
        "$ORIGIN example.com.\n$TTL 60\n@ SOA bob hostmaster 1 60 7200 604800 60\nbob A 1.2.3\n",
    );
    let template = TEMPLATE_FILE.to_owned();
    let cases: Vec<(Vec<String>, String)> = vec![
        (vec![], "error: missing TEMPLATE".into()),
        (
            vec![template.clone()],
            "error: give at least one ADDR:PORT".into(),
        ),
        (
            vec![template.clone(), "localhost:53".into()],
            "error: localhost:53: expected ADDR:PORT".into(),
        ),
        (
            vec![
                template.clone(),
                "127.0.0.1:53".into(),
                "--timeout".into(),
                "0".into(),
            ],
            "error: --timeout 0: expected milliseconds".into(),
        ),
        (
            vec![template, "127.0.0.1:53".into(), "--bogus".into()],
            "error: unknown option --bogus".into(),
        ),
        (
            vec![bad.display().to_string(), "127.0.0.1:53".into()],
            format!(
                "error: {}:4:7: expected an IPv4 address, found `1.2.3`",
                bad.display()
            ),
        ),
    ];
    for (args, start) in cases {
        let output = check(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", show(&output));
        let err = lines(&output.stderr);
        assert_eq!(err.len(), 1, "{args:?}: {}", show(&output));
        assert!(err[0].starts_with(&start), "{args:?}: {}", show(&output));
        assert!(output.stdout.is_empty(), "{args:?}: {}", show(&output));
    }
}
