//! DNS over UDP: one socket per worker (`SO_REUSEPORT`), queries received and responses
//! sent in batches (`recvmmsg`/`sendmmsg`), a batch answered from one look at the zones.

use std::io::{IoSlice, IoSliceMut};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;

use nix::errno::Errno;
use nix::sys::socket::{
    ControlMessage, MsgFlags, MultiHeaders, SockaddrStorage, recvmmsg, sendmmsg,
};
use socket2::{Domain, Protocol, Socket, Type};

use super::metrics::Transport as Counted;
use super::tcp::query_type;
use super::{ServerError, Shared, TICK};
use crate::answer::{EDNS_PAYLOAD, Transport};

/// Datagrams received (and responses sent) per system call at most.
const BATCH: usize = 32;
/// The largest datagram read whole: a UDP payload's limit.
const QUERY_SLOT: usize = 65_535;
/// The largest UDP response the answer path writes.
const RESPONSE_SLOT: usize = EDNS_PAYLOAD as usize;
/// The receive buffer asked for per socket (the kernel doubles it for its bookkeeping), so
/// that a burst waits rather than drops: see [`grow_receive_buffer`].
pub(super) const RECEIVE_BUFFER: usize = 4 << 20;

/// Sockets bound for one listen address.
pub(super) struct Bound {
    pub(super) udp: Vec<UdpSocket>,
    pub(super) tcp: TcpListener,
    pub(super) address: SocketAddr,
    /// The smallest receive buffer the kernel gave a UDP socket, when it is less than
    /// [`RECEIVE_BUFFER`] asked for.
    pub(super) small_buffer: Option<usize>,
}

/// Binds `threads` UDP sockets to `listen` (one per worker, all on one port through
/// `SO_REUSEPORT`) and a TCP listener on the same port. Port 0 picks a free port, the
/// same for UDP and TCP: UDP picks, TCP follows, and if a TCP socket already holds that
/// port another is tried.
pub(super) fn bind(listen: SocketAddr, threads: usize) -> Result<Bound, ServerError> {
    let error = |address: SocketAddr, what: &'static str| {
        move |error: std::io::Error| ServerError::Bind {
            address: format!("{address}{what}"),
            error,
        }
    };
    let mut tries = 0;
    loop {
        let first = udp_socket(listen).map_err(error(listen, ""))?;
        let address = first.local_addr().map_err(error(listen, ""))?;
        let tcp = match TcpListener::bind(address) {
            Ok(tcp) => tcp,
            Err(_) if listen.port() == 0 && tries < 20 => {
                tries += 1;
                continue;
            }
            Err(e) => return Err(error(address, " (TCP)")(e)),
        };
        let mut sockets = vec![first];
        for _ in 1..threads {
            sockets.push(udp_socket(address).map_err(error(address, ""))?);
        }
        // The kernel reports twice what it grants (the other half is its bookkeeping).
        let small_buffer = sockets
            .iter()
            .filter_map(|socket| socket2::SockRef::from(socket).recv_buffer_size().ok())
            .map(|size| size / 2)
            .min()
            .filter(|&size| size < RECEIVE_BUFFER);
        return Ok(Bound {
            udp: sockets,
            tcp,
            address,
            small_buffer,
        });
    }
}

fn udp_socket(address: SocketAddr) -> std::io::Result<UdpSocket> {
    let socket = Socket::new(
        Domain::for_address(address),
        Type::DGRAM,
        Some(Protocol::UDP),
    )?;
    if address.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_reuse_port(true)?;
    grow_receive_buffer(&socket);
    // Workers wake this often to see whether the server stops.
    socket.set_read_timeout(Some(TICK))?;
    socket.bind(&address.into())?;
    Ok(socket.into())
}

/// Gives `socket` a receive buffer of [`RECEIVE_BUFFER`] octets, past `net.core.rmem_max`
/// when the process may (`SO_RCVBUFFORCE` needs `CAP_NET_ADMIN`), else as much of it as
/// that limit allows; a smaller buffer than asked for is no reason not to serve.
///
/// Why: while the worker is busy or off the CPU, datagrams queue in this buffer, each
/// costing the kernel's whole allocation for it (832 octets for a 30-octet query, 66,339
/// for a 65,507-octet one), and once it is full the kernel drops whatever comes next,
/// valid queries too. A stock `rmem_max` of 212,992 leaves plain `SO_RCVBUF` at 425,984
/// octets, about 500 queries: in `scripts/soak.sh 30` with `SOAK_FLOOD=200000` (hostile
/// datagrams in bursts of 1,000) that buffer dropped 15,000 to 20,000 datagrams and with
/// them about 480 of dnsperf's queries, where 8 MiB dropped none.
fn grow_receive_buffer(socket: &Socket) {
    if force_receive_buffer(socket).is_err() {
        let _ = socket.set_recv_buffer_size(RECEIVE_BUFFER);
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn force_receive_buffer(socket: &Socket) -> nix::Result<()> {
    nix::sys::socket::setsockopt(
        socket,
        nix::sys::socket::sockopt::RcvBufForce,
        &RECEIVE_BUFFER,
    )
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn force_receive_buffer(_socket: &Socket) -> nix::Result<()> {
    Err(Errno::ENOPROTOOPT)
}

/// Answers datagrams on `socket` until the server stops.
pub(super) fn serve(socket: &UdpSocket, shared: &Shared) {
    let fd = socket.as_raw_fd();
    let mut received = MultiHeaders::<SockaddrStorage>::preallocate(BATCH, None);
    let mut sending = MultiHeaders::<SockaddrStorage>::preallocate(BATCH, None);
    let mut queries = vec![0u8; BATCH * QUERY_SLOT];
    let mut responses = vec![0u8; BATCH * RESPONSE_SLOT];
    let mut lengths = [0usize; BATCH];
    let mut peers: [Option<SockaddrStorage>; BATCH] = [None; BATCH];
    let mut out_lengths = [0usize; BATCH];
    let mut out_peers: [Option<SockaddrStorage>; BATCH] = [None; BATCH];
    while !shared.stopping() {
        // Receive: block for the first datagram (up to a tick), take what else is queued.
        let count = {
            let mut slots = queries.chunks_mut(QUERY_SLOT);
            let mut buffers: [[IoSliceMut<'_>; 1]; BATCH] =
                std::array::from_fn(|_| [IoSliceMut::new(slots.next().unwrap_or_default())]);
            match recvmmsg(
                fd,
                &mut received,
                buffers.iter_mut(),
                MsgFlags::MSG_WAITFORONE,
                None,
            ) {
                Ok(messages) => {
                    let mut count = 0;
                    for (message, (length, peer)) in
                        messages.zip(lengths.iter_mut().zip(peers.iter_mut()))
                    {
                        *length = message.bytes;
                        *peer = message.address;
                        count += 1;
                    }
                    count
                }
                Err(Errno::EAGAIN | Errno::EINTR) => continue,
                Err(_) => {
                    shared.global.receive_errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
            }
        };
        let Some(served) = shared.current() else {
            continue;
        };
        // Answer.
        let mut answered = 0;
        for ((slot, &length), peer) in queries
            .chunks(QUERY_SLOT)
            .zip(&lengths)
            .zip(&peers)
            .take(count)
        {
            let Some(query) = slot.get(..length) else {
                continue;
            };
            let Some((zone, hit)) = served.zone_for(query) else {
                continue;
            };
            let (_, table) = zone.copy();
            let Some(out) =
                responses.get_mut(answered * RESPONSE_SLOT..(answered + 1) * RESPONSE_SLOT)
            else {
                continue;
            };
            match table.answer(query, Transport::Udp, out) {
                Ok(n) => {
                    let counters = if hit.is_some() {
                        &zone.runtime.counters
                    } else {
                        &shared.global.no_zone
                    };
                    counters.count(
                        Counted::Udp,
                        query_type(query),
                        out.get(2..n).unwrap_or_default(),
                        &shared.global,
                    );
                    if let (Some(l), Some(p)) =
                        (out_lengths.get_mut(answered), out_peers.get_mut(answered))
                    {
                        *l = n;
                        *p = *peer;
                        answered += 1;
                    }
                }
                Err(_) => {
                    shared.global.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        drop(served);
        // Send, from where the last call stopped: a datagram the kernel refuses is skipped.
        let mut start = 0;
        while start < answered {
            let messages: [[IoSlice<'_>; 1]; BATCH] = std::array::from_fn(|i| {
                let at = (start + i) * RESPONSE_SLOT;
                let length = out_lengths.get(start + i).copied().unwrap_or(0);
                [IoSlice::new(
                    responses.get(at..at + length).unwrap_or_default(),
                )]
            });
            let batch = answered - start;
            let no_control: [ControlMessage<'_>; 0] = [];
            let peers = out_peers.get(start..answered).unwrap_or_default();
            match sendmmsg(
                fd,
                &mut sending,
                messages.iter().take(batch),
                peers,
                no_control,
                MsgFlags::empty(),
            ) {
                Ok(sent) => {
                    let sent = sent.count();
                    start += sent.max(1);
                    if sent == 0 {
                        shared.global.send_errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Err(Errno::EINTR) => {}
                Err(_) => {
                    shared.global.send_errors.fetch_add(1, Ordering::Relaxed);
                    start += 1;
                }
            }
        }
    }
}
