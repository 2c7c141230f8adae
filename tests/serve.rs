//! The `serve` example as an operator runs it: health switching, AXFR policy, reload and
//! clean exit. Servers listen on loopback high ports and are stopped by their own handle.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers may panic

#[path = "support/example.rs"]
mod example;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use multiprimary::hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use multiprimary::hickory_proto::rr::{Name, RecordType};

const TEMPLATE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/example.com.template"
);

/// A loopback port nobody listens on right now (UDP and TCP).
fn free_port() -> u16 {
    loop {
        let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = tcp.local_addr().unwrap().port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

struct Server {
    child: Child,
    port: u16,
    log: mpsc::Receiver<String>,
}

impl Server {
    fn start(args: &[&str]) -> Self {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut child = Command::new(example::path_with_features("serve", &["server"]))
            .args(args)
            .args(["--listen", &listen])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (send, log) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let server = Self { child, port, log };
        server.wait_for(&format!("listening on {listen}"));
        server
    }

    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(line) = self.log.recv_timeout(Duration::from_millis(100))
                && line.contains(text)
            {
                return;
            }
        }
        panic!("the server never said {text:?}");
    }

    fn ask(&self, name: &str, record_type: RecordType) -> Message {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let mut query = Message::new(0x4242, MessageType::Query, OpCode::Query);
        query.add_query(Query::query(Name::from_ascii(name).unwrap(), record_type));
        socket
            .send_to(&query.to_vec().unwrap(), ("127.0.0.1", self.port))
            .unwrap();
        let mut buffer = [0u8; 4096];
        let (len, _) = socket.recv_from(&mut buffer).unwrap();
        Message::from_vec(&buffer[..len]).unwrap()
    }

    fn www(&self) -> Vec<String> {
        let mut a: Vec<String> = self
            .ask("www.example.com.", RecordType::A)
            .answers
            .iter()
            .map(|r| r.data.to_string())
            .collect();
        a.sort();
        a
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn health_switches_www_to_the_peers_and_back() {
    let probe = free_port();
    let health = format!("127.0.0.1:{probe}");
    let server = Server::start(&[
        TEMPLATE,
        "bob",
        "--health-tcp",
        &health,
        "--health-interval",
        "100",
    ]);
    // Nothing listens on the probe port: after three failures, www points at bill only.
    server.wait_for("is down");
    assert_eq!(server.www(), ["5.6.7.8"]);
    assert_eq!(
        server.ask("example.com.", RecordType::A).answers.len(),
        1,
        "the apex is a self name too"
    );
    // A listener appears: after three good probes, bob answers with its own address.
    let listener = TcpListener::bind(("127.0.0.1", probe)).unwrap();
    std::thread::spawn(move || for _ in listener.incoming() {});
    server.wait_for("is up again");
    assert_eq!(server.www(), ["1.2.3.4"]);
}

#[test]
fn axfr_goes_only_to_allowed_networks() {
    let axfr = |server: &Server| -> (ResponseCode, usize) {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut query = Message::new(7, MessageType::Query, OpCode::Query);
        query.add_query(Query::query(
            Name::from_ascii("example.com.").unwrap(),
            RecordType::AXFR,
        ));
        let bytes = query.to_vec().unwrap();
        stream
            .write_all(&(bytes.len() as u16).to_be_bytes())
            .unwrap();
        stream.write_all(&bytes).unwrap();
        let mut length = [0u8; 2];
        stream.read_exact(&mut length).unwrap();
        let mut message = vec![0u8; usize::from(u16::from_be_bytes(length))];
        stream.read_exact(&mut message).unwrap();
        let message = Message::from_vec(&message).unwrap();
        (message.metadata.response_code, message.answers.len())
    };
    let open = Server::start(&[TEMPLATE, "bill", "--allow-transfer", "127.0.0.0/8"]);
    assert_eq!(
        axfr(&open),
        (ResponseCode::NoError, 8),
        "the SOA twice and six other records"
    );
    let closed = Server::start(&[TEMPLATE, "bill"]);
    assert_eq!(axfr(&closed).0, ResponseCode::Refused);
}

#[test]
fn sighup_reloads_and_keeps_the_old_zone_when_the_new_one_is_bad() {
    let dir = std::env::temp_dir().join(format!("multiprimary-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("example.com.template");
    let good = std::fs::read_to_string(TEMPLATE).unwrap();
    std::fs::write(&file, &good).unwrap();
    let server = Server::start(&[file.to_str().unwrap(), "bob"]);
    assert_eq!(server.www(), ["1.2.3.4"]);
    // A changed template: bob moves to 1.2.3.5.
    std::fs::write(
        &file,
        good.replace("bob  IN A 1.2.3.4", "bob  IN A 1.2.3.5"),
    )
    .unwrap();
    server.signal("-HUP");
    server.wait_for("reloaded");
    assert_eq!(server.www(), ["1.2.3.5"]);
    // A broken template: the error is logged and the zone stays.
    std::fs::write(
        &file,
        good.replace("www  IN A LOCAL-IP", "www  IN A LOCAL-IPX"),
    )
    .unwrap();
    server.signal("-HUP");
    server.wait_for("still serving");
    assert_eq!(server.www(), ["1.2.3.5"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sigterm_ends_the_server_with_status_0() {
    let mut server = Server::start(&[TEMPLATE, "bob"]);
    server.signal("-TERM");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(Instant::now() < deadline, "still running");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_zone_served_as_written_answers_and_a_bad_one_is_refused() {
    let zone = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/answer.zone");
    let server = Server::start(&[zone]);
    let response = server.ask("www.example.", RecordType::A);
    assert!(response.metadata.authoritative);
    assert_eq!(response.answers.len(), 2);
    let output = Command::new(example::path_with_features("serve", &["server"]))
        .args([TEMPLATE, "--listen", &format!("127.0.0.1:{}", free_port())])
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "a template is not a zone without a HOST"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("example.com.template:"), "{stderr}");
}
