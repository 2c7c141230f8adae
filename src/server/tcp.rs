//! DNS over TCP (RFC 7766): a thread per connection, at most [`MAX_CONNECTIONS`], each
//! query and each response by a deadline; AXFR to the zone's allowed networks.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use super::metrics::Transport;
use super::{Shared, TICK};
use crate::wire;

/// The most TCP connections served at once; more are closed at once.
pub const MAX_CONNECTIONS: usize = 128;
/// How long a client has for each whole query, from the connection or the last answer,
/// and for taking each whole response (each message of a transfer): a client that trickles
/// octets or stops reading loses its slot.
pub const IDLE: Duration = Duration::from_secs(10);
const MAX_MESSAGE: usize = 65_535;
const TYPE_AXFR: u16 = 252;

/// Accepts connections until the server stops.
pub(super) fn accept(listener: &TcpListener, shared: &Arc<Shared>) {
    if listener.set_nonblocking(true).is_err() {
        shared
            .log
            .error("TCP: cannot poll the listening socket; TCP is not served");
        return;
    }
    let timeout = PollTimeout::try_from(TICK).unwrap_or(PollTimeout::NONE);
    while !shared.stopping() {
        let mut fds = [PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
        if !matches!(poll(&mut fds, timeout), Ok(n) if n > 0) {
            continue;
        }
        let Ok((stream, _)) = listener.accept() else {
            continue;
        };
        if stream.set_nonblocking(false).is_err() {
            continue;
        }
        if shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            shared.global.tcp_refused.fetch_add(1, Ordering::Relaxed);
            continue; // Dropping the stream closes it.
        }
        let worker = Arc::clone(shared);
        let spawned = thread::Builder::new().spawn(move || {
            serve(stream, &worker);
            worker.connections.fetch_sub(1, Ordering::SeqCst);
        });
        // `thread::spawn` would panic when no thread can be made (a process or memory
        // limit), ending this loop and TCP with it; such a connection is closed instead
        // (the stream went down with the closure), like one over the limit.
        if spawned.is_ok() {
            shared.global.tcp_accepted.fetch_add(1, Ordering::Relaxed);
        } else {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            shared.global.tcp_refused.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The query type, read from the question (uncompressed, as `answer` requires).
pub(super) fn query_type(query: &[u8]) -> Option<u16> {
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

/// Answers the queries of one connection until it closes, stalls or the server stops.
fn serve(mut stream: TcpStream, shared: &Shared) {
    let peer = stream.peer_addr().ok().map(|a| a.ip());
    let mut query = vec![0u8; MAX_MESSAGE];
    let mut response = vec![0u8; MAX_MESSAGE + 2];
    while !shared.stopping() {
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
        let Some((zone, hit)) = served.zone_for(buffer) else {
            return;
        };
        let (copy, table) = zone.copy();
        let qtype = query_type(buffer);
        let allowed = peer.is_some_and(|ip| {
            zone.runtime
                .spec
                .allow_transfer
                .iter()
                .any(|net| net.contains(&ip))
        });
        if qtype == Some(TYPE_AXFR)
            && hit.is_some_and(|hit| hit.apex)
            && allowed
            && let Some(&[id0, id1]) = buffer.first_chunk::<2>()
        {
            let id = u16::from_be_bytes([id0, id1]);
            let Ok(messages) = wire::encode_axfr(copy, id) else {
                return;
            };
            zone.runtime.counters.transfer();
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
            shared.global.dropped.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let Some(out) = response.get(..n) else {
            return;
        };
        let counters = if hit.is_some() {
            &zone.runtime.counters
        } else {
            &shared.global.no_zone
        };
        counters.count(
            Transport::Tcp,
            qtype,
            // After the length prefix and the ID: the flags, then the rest.
            out.get(4..).unwrap_or_default(),
            &shared.global,
        );
        if !write_by(&mut stream, out, Instant::now() + IDLE) {
            return;
        }
    }
}
