//! A minimal authoritative responder over UDP and TCP, for scripts:
//! `udp ZONEFILE ADDR:PORT [--origin NAME]`.
//!
//! ```text
//! cargo run --release --example udp -- tests/data/answer.zone 127.0.0.1:53530 --origin example.
//! ```
//!
//! It parses ZONEFILE, compiles it into an [`AnswerTable`], binds UDP and TCP on
//! ADDR:PORT, prints `listening on ADDR:PORT` to stderr when ready, and answers until it
//! is killed. Every query is answered by [`AnswerTable::answer`]; this program only moves
//! bytes. UDP is served by the main thread with one receive and one send buffer; TCP by
//! a thread that accepts connections and gives each its own thread and buffers, reading
//! 2-octet length-prefixed messages (RFC 7766 §8), several per connection, until the
//! client closes it or stays idle for 10 seconds. Bad input prints `error: ...` on stderr
//! and exits non-zero. `scripts/differential.sh` runs it beside NSD.

use std::error::Error;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use multiprimary::hickory_proto::rr::Name;
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{AnswerTable, Transport};

const USAGE: &str = "usage: udp ZONEFILE ADDR:PORT [--origin NAME]";

/// The largest DNS message, and so the size of every buffer.
const MAX_MESSAGE: usize = 65_535;

/// How long a TCP connection may stay idle between queries (RFC 7766 §6.2.3).
const IDLE: Duration = Duration::from_secs(10);

/// TCP connections served at once; more are closed as soon as they are accepted.
const MAX_CONNECTIONS: usize = 64;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

struct Args {
    zone_file: String,
    listen: SocketAddr,
    origin: Option<Name>,
}

fn parse_args() -> Result<Args, Box<dyn Error>> {
    let mut zone_file = None;
    let mut listen = None;
    let mut origin = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--origin" => {
                let name = args
                    .next()
                    .ok_or(format!("--origin needs a NAME; {USAGE}"))?;
                let absolute = if name.ends_with('.') {
                    name.clone()
                } else {
                    format!("{name}.")
                };
                let parsed = Name::from_ascii(&absolute)
                    .map_err(|error| format!("bad origin `{name}`: {error}"))?;
                origin = Some(parsed);
            }
            "-h" | "--help" => return Err(USAGE.into()),
            _ if arg.starts_with("--") => {
                return Err(format!("unknown option `{arg}`; {USAGE}").into());
            }
            _ if zone_file.is_none() => zone_file = Some(arg),
            _ if listen.is_none() => {
                let addr = arg
                    .parse::<SocketAddr>()
                    .map_err(|error| format!("bad address `{arg}`: {error}; {USAGE}"))?;
                listen = Some(addr);
            }
            _ => return Err(format!("unexpected argument `{arg}`; {USAGE}").into()),
        }
    }
    Ok(Args {
        zone_file: zone_file.ok_or(format!("missing ZONEFILE; {USAGE}"))?,
        listen: listen.ok_or(format!("missing ADDR:PORT; {USAGE}"))?,
        origin,
    })
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    let text = std::fs::read_to_string(&args.zone_file)
        .map_err(|error| format!("{}: {error}", args.zone_file))?;
    let mut options = ParseOptions::new().file_name(args.zone_file.as_str());
    if let Some(origin) = args.origin {
        options = options.origin(origin);
    }
    let zone = parse(&text, &options)?;
    let table =
        AnswerTable::compile(&zone).map_err(|error| format!("{}: {error}", args.zone_file))?;
    let table = Arc::new(table);

    let udp = UdpSocket::bind(args.listen)
        .map_err(|error| format!("cannot bind UDP {}: {error}", args.listen))?;
    // With port 0, TCP takes the port the system gave UDP.
    let local = udp.local_addr()?;
    let tcp =
        TcpListener::bind(local).map_err(|error| format!("cannot bind TCP {local}: {error}"))?;

    let tcp_table = Arc::clone(&table);
    thread::Builder::new()
        .name("tcp".into())
        .spawn(move || serve_tcp(&tcp, &tcp_table))?;

    eprintln!("listening on {local}");
    serve_udp(&udp, &table)
}

/// Answers UDP queries forever, with one buffer for queries and one for responses.
fn serve_udp(socket: &UdpSocket, table: &AnswerTable) -> Result<(), Box<dyn Error>> {
    let mut query = vec![0u8; MAX_MESSAGE];
    let mut response = vec![0u8; MAX_MESSAGE];
    loop {
        let (len, peer) = match socket.recv_from(&mut query) {
            Ok(received) => received,
            Err(error) if transient(&error) => continue,
            Err(error) => return Err(format!("UDP receive: {error}").into()),
        };
        let Some(message) = query.get(..len) else {
            continue;
        };
        // Nothing to send (a response, a fragment of a header): drop it, as servers do.
        let Ok(out_len) = table.answer(message, Transport::Udp, &mut response) else {
            continue;
        };
        if let Some(out) = response.get(..out_len)
            && let Err(error) = socket.send_to(out, peer)
        {
            eprintln!("warning: UDP send to {peer}: {error}");
        }
    }
}

/// Errors after which a socket is still usable.
fn transient(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
            | io::ErrorKind::TimedOut
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionRefused
    )
}

/// Accepts TCP connections forever; each is served by its own thread.
fn serve_tcp(listener: &TcpListener, table: &Arc<AnswerTable>) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(error) if transient(&error) => continue,
            Err(error) => {
                eprintln!("warning: TCP accept: {error}");
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        if active.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::AcqRel);
            continue; // Dropping the stream closes it.
        }
        let table = Arc::clone(table);
        let done = Arc::clone(&active);
        let spawned = thread::Builder::new()
            .name("tcp-connection".into())
            .spawn(move || {
                let peer = stream.peer_addr().ok();
                if let Err(error) = serve_connection(stream, &table)
                    && !transient(&error)
                    && error.kind() != io::ErrorKind::UnexpectedEof
                {
                    match peer {
                        Some(peer) => eprintln!("warning: TCP {peer}: {error}"),
                        None => eprintln!("warning: TCP: {error}"),
                    }
                }
                done.fetch_sub(1, Ordering::AcqRel);
            });
        if let Err(error) = spawned {
            active.fetch_sub(1, Ordering::AcqRel);
            eprintln!("warning: cannot start a TCP thread: {error}");
        }
    }
}

/// Answers the length-prefixed queries of one connection until the client closes it,
/// stays idle for [`IDLE`], or sends something unanswerable.
fn serve_connection(mut stream: TcpStream, table: &AnswerTable) -> io::Result<()> {
    stream.set_read_timeout(Some(IDLE))?;
    stream.set_write_timeout(Some(IDLE))?;
    stream.set_nodelay(true)?;
    let mut query = vec![0u8; MAX_MESSAGE];
    // The 2-octet length, then the response, sent with one write.
    let mut response = vec![0u8; 2 + MAX_MESSAGE];
    loop {
        let mut prefix = [0u8; 2];
        match stream.read_exact(&mut prefix) {
            Ok(()) => {}
            // A clean close between messages.
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(error) => return Err(error),
        }
        let len = usize::from(u16::from_be_bytes(prefix));
        let Some(message) = query.get_mut(..len) else {
            return Ok(());
        };
        stream.read_exact(message)?;
        // Nothing to send for this message (a response, say): the stream is still in step.
        let Ok(out_len) = table.answer_tcp(message, &mut response) else {
            continue;
        };
        let Some(out) = response.get(..out_len) else {
            return Ok(());
        };
        stream.write_all(out)?;
    }
}
