#!/usr/bin/env bash
# A soak: `serve` under load and hostile input for a long run while its template
# is reloaded over and over, half the time with a broken one.
#
# The server is `serve TEMPLATE bob --listen 127.0.0.1:PORT --threads 1`, where
# TEMPLATE is a copy of examples/data/example.com.template in a temp dir (so it
# answers www.example.com. A with bob's address, 1.2.3.4). For SECONDS (default
# 300; CI runs 30) five things happen at once:
#   - dnsperf sends as fast as the server answers (one client, 100 queries in
#     flight) a mix of hits (apex SOA, NS and A, www, bob and bill A), NODATA
#     (www AAAA, apex MX), NXDOMAIN (names under example.com. that do not exist)
#     and REFUSED (names outside the zone);
#   - a sender (python3, plain UDP sockets) sends malformed datagrams, 200 a
#     second, drawn at random (fixed seed) from: empty and truncated headers,
#     questions cut short, compression pointers to themselves, in loops, forward
#     and past the end (in the question and in an OPT owner), reserved label
#     types, names over 255 octets, huge section counts, answer records and two
#     questions in a query, no question, broken and doubled OPT records, EDNS
#     version 1, qtype OPT, AXFR/IXFR/ANY over UDP, class CH and ANY, opcodes
#     other than QUERY, trailing garbage, mutated queries, random bytes (up to
#     64 KB), and datagrams with QR set (responses), which are sent from a socket
#     of their own so that any answer to them shows; with SOAK_FLOOD=N, N more
#     in bursts of SOAK_BURST (1000) sent back to back, evenly spaced over the
#     run (`SOAK_FLOOD=200000 scripts/soak.sh 30` is issue 12's hostile mix);
#   - a second sender (python3) makes 200 hostile TCP connections, the kinds in
#     turn, evenly over the first SECONDS - 14 s (so that serve's 10 s deadline
#     for each falls inside the run), never more than 110 open at once (serve
#     takes 128: the hostile ones never crowd out the prober's): half-open
#     (connects, sends nothing), a length prefix then silence, length 65535 and
#     some garbage, lengths 0, 1 and 11 then half a prefix, a message with QR
#     set, compression loops, 2000 queries on a 4 KB receive buffer never read,
#     a close (or a reset) mid-message, a query sent one octet every 3 s;
#   - a prober asks www.example.com. A every 100 ms over UDP (no EDNS), and
#     every 500 ms over TCP on a new connection, and waits up to 1 s for each
#     answer, recording when each one came and what it said;
#   - every 3 s (from 1 s on) the served file is replaced (written beside it,
#     then renamed over it) and serve gets SIGHUP, by PID, alternating a good
#     template and a broken one. The good ones alternate bob's address (so
#     www's) between 1.2.3.5 and 1.2.3.4; the broken ones move bob to 6.6.6.6
#     and carry a syntax error (a bad address, an unknown type, an unclosed
#     parenthesis, in turn) further down, so a zone taken half-read would show.
# Checked at the end:
#   - serve answered throughout: no gap longer than 1 s between successful
#     prober answers (NOERROR, AA, an address), counted from the start of the
#     soak to its end;
#   - it never served a broken template: every answer names 1.2.3.4 or 1.2.3.5
#     and nothing else;
#   - each good template was in force within 1 s of its SIGHUP and a broken one
#     changed nothing: every answer names the address of the last good template
#     (either of two during the second after a good reload);
#   - serve logged each reload, `reloaded` for a good template and `still
#     serving the zone loaded before` for a broken one, and no panic;
#   - serve still runs at the end;
#   - its resident memory stayed flat: VmRSS (/proc/PID/status) at the end is
#     at most 20% + 2 MiB above VmRSS at the start, read after a warm-up of 5 s
#     under the same load (one good and one broken reload);
#   - every valid query was answered: each of the prober's, over UDP and TCP,
#     within 1 s, correctly (NOERROR, AA, an address), and each of dnsperf's
#     (its "Queries lost", no response within its 5 s, is 0). dnsperf's losses
#     count as serve's: dnsperf waits for the queries still in flight when its
#     time is up, so it loses none when serve keeps up (0 in every run, under a
#     flood too), and where it did lose some (about 480 in 30 s, with serve's
#     receive buffer capped at a stock net.core.rmem_max's 425,984 octets and
#     SOAK_FLOOD=200000) serve's socket had dropped 15,000-20,000 datagrams
#     and dnsperf's own none. The drops of each socket are printed (below), so
#     a loss at dnsperf's end would show as dnsperf's;
#   - serve's UDP receive buffer never overflowed: the drops /proc/net/udp
#     counts for its sockets (sampled every 0.5 s) stayed 0;
#   - serve held no TCP connection past its deadline: each of its connections
#     (its sockets in /proc/net/tcp, sampled every 0.5 s) lived at most 13 s;
#   - the hostile TCP connections were all made, serve closed each one that
#     waits for it within 13 s, and answered none of those due no answer (QR
#     set, incomplete messages);
#   - dnsperf got answers, and no datagram with QR set was answered.
# Printed: dnsperf's queries sent, completed and lost, queries per second and
# response codes; the malformed datagrams sent and answered (by RCODE); the
# hostile TCP connections and what serve did with them; the reloads, good and
# broken; the prober's answers and failures over UDP and TCP, and its longest
# gap over UDP (and its own longest pause between queries: it shares the CPUs
# with the load, so a gap no longer than that pause is the prober's, not
# serve's); serve's UDP receive buffer (from ss), the most octets seen queued in
# it, and the datagrams dropped on a full buffer at serve, dnsperf, the sender
# and the prober; the most TCP connections serve held at once and the longest;
# VmRSS at the start, at the end and the largest seen (sampled every second);
# the valid queries sent, answered and unanswered, all and by client; and as the
# last line `soak: N passed, M failed`.
#
# Usage: scripts/soak.sh [SECONDS]   (at least 30 with the default 200 hostile
#                                     TCP connections, 10 with none; needs root
#                                     only to install dnsperf when it is missing)
#   SOAK_SERVE=PATH   a prebuilt `serve` example instead of building one
#   SOAK_PORT=N       the port to listen on (default 0: serve picks a free one)
#   SOAK_QPS=N        limit dnsperf to N queries a second (default: no limit)
#   SOAK_BAD_RATE=N   malformed datagrams a second (default 200)
#   SOAK_FLOOD=N      N more malformed datagrams, in bursts (default 0)
#   SOAK_BURST=N      datagrams a burst of the flood (default 1000)
#   SOAK_BAD_TCP=N    hostile TCP connections (default 200)
#   SOAK_SEED=N       the malformed datagrams' and connections' seed (default 1)
# Exit status: 0 only if every check passed. About SECONDS + 2 s after the build.
#
# Nothing leaves 127.0.0.1: serve listens on it only, and dnsperf, the senders
# and the prober send to it only. serve, dnsperf and the senders are stopped by
# PID when the script exits (normally, on an error, or on INT/TERM).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export LC_ALL=C

DURATION=${1:-300}
PORT=${SOAK_PORT:-0}
QPS=${SOAK_QPS:-}
BAD_RATE=${SOAK_BAD_RATE:-200}
FLOOD=${SOAK_FLOOD:-0}
BURST=${SOAK_BURST:-1000}
BAD_TCP=${SOAK_BAD_TCP:-200}
SEED=${SOAK_SEED:-1}
IDLE=10     # serve's TCP deadline (multiprimary::server::IDLE), in seconds
EVERY=3     # seconds between reloads
WARMUP=5    # seconds before the start RSS is read
OUTSTANDING=100

die() {
    echo "soak: error: $*" >&2
    exit 2
}
for v in DURATION PORT BAD_RATE FLOOD BURST BAD_TCP SEED; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, not '${!v}'"
done
[[ -z $QPS || $QPS =~ ^[0-9]+$ ]] || die "SOAK_QPS must be a whole number or empty, not '$QPS'"
((DURATION >= 10)) || die "SECONDS must be at least 10 (a warm-up of $WARMUP s comes first)"
# The hostile TCP connections are made over SECONDS - 14 s, at most 110 open at once,
# most held 10 s by serve: about 14 connections a second of that span fit.
need=$((BAD_TCP > 0 ? 15 + (BAD_TCP + 13) / 14 : 10))
((DURATION >= need)) || die "SECONDS must be at least $need for $BAD_TCP hostile TCP connections"
((PORT < 65536)) || die "SOAK_PORT must be below 65536"

# ---- tools ------------------------------------------------------------------
if ! command -v dnsperf >/dev/null 2>&1; then
    apt_install soak dnsperf
    command -v dnsperf >/dev/null 2>&1 || die "dnsperf still missing after install"
fi
command -v python3 >/dev/null 2>&1 || die "python3 is needed for the prober and the sender"

# ---- build ------------------------------------------------------------------
if [[ -z ${SOAK_SERVE:-} ]]; then
    target=$(target_dir) || die "cargo metadata gave no target directory"
fi
SERVE=${SOAK_SERVE:-$target/release/examples/serve}
if [[ -z ${SOAK_SERVE:-} ]]; then
    echo "soak: cargo build --release --features server --example serve"
    cargo build --release --features server --example serve --quiet || die "cargo build failed"
fi
[[ -x $SERVE ]] || die "$SERVE was not built"
start_time=$SECONDS

# ---- the templates, the queries, the helpers --------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX")
pids=()
trap cleanup EXIT
trap 'exit 130' INT TERM

template=examples/data/example.com.template
grep -q '^bob  IN A 1\.2\.3\.4$' "$template" ||
    die "$template no longer has the line 'bob  IN A 1.2.3.4' that the variants change"
mkdir "$tmp/variants"
cp "$template" "$tmp/variants/good.0"                                    # www: 1.2.3.4
sed 's/^bob  IN A 1\.2\.3\.4$/bob  IN A 1.2.3.5/' "$template" >"$tmp/variants/good.1" # 1.2.3.5
sed 's/^bob  IN A 1\.2\.3\.4$/bob  IN A 6.6.6.6/' "$template" >"$tmp/broken.base"
{ cat "$tmp/broken.base"; echo 'mail IN A 1.2.3.400'; } >"$tmp/variants/broken.0"
{ cat "$tmp/broken.base"; echo 'mail IN AX 1.2.3.6'; } >"$tmp/variants/broken.1"
{ cat "$tmp/broken.base"; echo 'mail IN TXT ( "unclosed"'; } >"$tmp/variants/broken.2"
served=$tmp/example.com.template
cp "$tmp/variants/good.0" "$served"

# dnsperf's queries: 60 hits, 10 NODATA, 25 NXDOMAIN, 5 REFUSED, interleaved.
{
    for ((i = 0; i < 5; i++)); do
        printf '%s\n' 'www.example.com A' 'example.com SOA' 'example.com NS' \
            'example.com A' 'bob.example.com A' 'bill.example.com A' \
            "nx-$i.example.com A" 'www.example.com A' 'example.com A' \
            "nx-$i.www.example.com AAAA" 'www.example.com AAAA' 'bob.example.com A' \
            "nx$i.example.com AAAA" 'www.example.com A' 'example.com NS' \
            'bill.example.com A' "a.b.nx-$i.example.com A" 'example.com MX' \
            "example$i.org A" "nx-$i-x.example.com A"
    done
} >"$tmp/queries"

cat >"$tmp/sender.py" <<'EOF'
# The malformed datagrams: RATE a second for DURATION seconds, and FLOOD more in
# bursts of BURST back to back, evenly spaced from 0.5 s to a second before the
# end; kinds drawn at random with SEED. Those with QR set go from a socket of
# their own.
import json, random, select, socket, struct, sys, time

port, duration, rate, seed = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
result_path, flood, BURST = sys.argv[5], int(sys.argv[6]), max(1, int(sys.argv[7]))
rng = random.Random(seed)

def name(*labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"

QN = name(b"www", b"example", b"com")
TC = struct.pack("!HH", 1, 1)  # type A, class IN

def hdr(flags=0, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", rng.randrange(65536), flags, qd, an, ns, ar)

def q(qn=QN, t=1, c=1):
    return qn + struct.pack("!HH", t, c)

def opt(payload=1232, version=0, rdata=b"", owner=b"\0", rdlen=None):
    return owner + struct.pack("!HHBBHH", 41, payload, 0, version, 0,
                               len(rdata) if rdlen is None else rdlen) + rdata

def rb(n):
    return rng.randbytes(n)

def mutated():
    p = bytearray(hdr(ar=rng.randrange(2)) + q() + (opt() if rng.randrange(2) else b""))
    for _ in range(rng.randrange(1, 5)):
        p[rng.randrange(len(p))] = rng.randrange(256)
    return bytes(p)

KINDS = {
    "empty": lambda: b"",
    "truncated header": lambda: rb(rng.randrange(1, 12)),
    "header only": lambda: hdr(),
    "question cut short": lambda: (hdr() + q())[:rng.randrange(13, 12 + len(QN) + 4)],
    "pointer to itself": lambda: hdr() + b"\xc0\x0c" + TC,
    "pointer loop": lambda: hdr() + b"\x03www\xc0\x0c" + TC,
    "pointer pair": lambda: hdr() + b"\xc0\x0e\xc0\x0c" + TC,
    "forward pointer": lambda: hdr() + b"\xc0\x12" + TC + QN,
    "pointer past the end": lambda: hdr() + b"\xc0\xff" + TC,
    "OPT owner pointer loop": lambda: hdr(ar=1) + q() + b"\xc0\x21" + opt(owner=b""),
    "reserved label type": lambda: hdr() + bytes([rng.choice((0x40, 0x41, 0x7f, 0x80, 0xbf))]) + rb(70) + b"\0" + TC,
    "name over 255 octets": lambda: hdr() + b"".join(b"\x3f" + b"a" * 63 for _ in range(5)) + b"\0" + TC,
    "huge counts": lambda: hdr(qd=65535, an=65535, ns=65535, ar=65535) + q(),
    "huge ARCOUNT": lambda: hdr(ar=65535) + q() + opt() * 3,
    "answer record in a query": lambda: hdr(an=1) + q() + QN + struct.pack("!HHIH", 1, 1, 60, 4) + b"\1\2\3\4",
    "two questions": lambda: hdr(qd=2) + q() + q(),
    "no question": lambda: hdr(qd=0),
    "OPT rdlength past the end": lambda: hdr(ar=1) + q() + opt(payload=4096, rdata=rb(10), rdlen=200),
    "two OPT": lambda: hdr(ar=2) + q() + opt() + opt(),
    "OPT not at the root": lambda: hdr(ar=1) + q() + opt(owner=QN),
    "EDNS version 1": lambda: hdr(ar=1) + q() + opt(version=1),
    "EDNS payload 0": lambda: hdr(ar=1) + q(t=255) + opt(payload=0),
    "qtype OPT": lambda: hdr() + q(t=41),
    "AXFR over UDP": lambda: hdr() + q(t=252),
    "IXFR over UDP": lambda: hdr() + q(t=251),
    "ANY": lambda: hdr() + q(t=255),
    "class CH": lambda: hdr() + q(c=3),
    "class ANY": lambda: hdr() + q(c=255),
    "opcode other than QUERY": lambda: hdr(flags=rng.choice((1, 2, 4, 5, 15)) << 11) + q(),
    "trailing garbage": lambda: hdr() + q() + rb(rng.randrange(1, 200)),
    "mutated query": mutated,
    "random bytes": lambda: rb(rng.randrange(12, 512)),
    "large random bytes": lambda: rb(rng.randrange(512, 4096)),
    "jumbo random bytes": lambda: rb(rng.randrange(8192, 65507)) if rng.randrange(10) == 0 else rb(600),
    "response (QR set)": lambda: hdr(flags=0x8400, an=1) + q() + QN + struct.pack("!HHIH", 1, 1, 60, 4) + b"\1\2\3\4",
    "random bytes with QR set": lambda: (lambda p: p[:2] + bytes([p[2] | 0x80]) + p[3:])(rb(rng.randrange(12, 300))),
}
names = list(KINDS)

main = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
qr = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for s in (main, qr):
    # Room for the answers to a burst (the kernel caps it at net.core.rmem_max).
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
sent = {k: 0 for k in names}
stats = {"sent": 0, "qr_sent": 0, "answered": 0, "qr_answered": 0, "rcodes": {},
         "largest": 0, "send_errors": 0, "qr_examples": [], "bursts": 0}

def drain():
    for s, key in ((main, "answered"), (qr, "qr_answered")):
        while True:
            try:
                data = s.recv(70000)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:  # ICMP port unreachable: nothing listened
                stats["send_errors"] += 1
                continue
            stats[key] += 1
            stats["largest"] = max(stats["largest"], len(data))
            if key == "qr_answered" and len(stats["qr_examples"]) < 5:
                stats["qr_examples"].append(data[:32].hex())
            if len(data) >= 4:
                rc = str(data[3] & 0x0F)
                stats["rcodes"][rc] = stats["rcodes"].get(rc, 0) + 1

bursts = (flood + BURST - 1) // BURST
spacing = max(0.0, duration - 1.5) / max(1, bursts)
flood_left = flood
start = time.monotonic()
due = 0.0
while True:
    t = time.monotonic() - start
    if t >= duration:
        break
    due += rate * 0.01
    if flood_left and t >= 0.5 + stats["bursts"] * spacing:
        due += min(BURST, flood_left)
        flood_left -= min(BURST, flood_left)
        stats["bursts"] += 1
    n = 0
    while due >= 1:
        due -= 1
        n += 1
        if n % 100 == 0:
            drain()  # the answers to a burst come back as fast as it goes out
        kind = rng.choice(names)
        p = KINDS[kind]()
        to_qr = len(p) >= 3 and p[2] & 0x80
        try:
            (qr if to_qr else main).send(p)
        except (BlockingIOError, InterruptedError):
            stats["send_errors"] += 1
            continue
        except OSError:
            stats["send_errors"] += 1
            continue
        sent[kind] += 1
        stats["sent"] += 1
        if to_qr:
            stats["qr_sent"] += 1
    drain()
    nxt = start + (int(t * 100) + 1) / 100
    time.sleep(max(0.0, nxt - time.monotonic()))
end = time.monotonic() + 0.5
while time.monotonic() < end:
    drain()
    time.sleep(0.05)
stats["by_kind"] = sent
with open(result_path, "w") as f:
    json.dump(stats, f)
EOF

cat >"$tmp/badtcp.py" <<'EOF'
# The hostile TCP connections: COUNT of them, the kinds in turn, opened evenly
# over the run's first DURATION - IDLE - 4 seconds (so that serve's deadline for
# each one falls inside the run), never more than MAXOPEN open at once.
import json, random, select, socket, struct, sys, time

port, duration, count, seed = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
idle, result_path = float(sys.argv[5]), sys.argv[6]
MAXOPEN = 110   # below serve's 128: the prober's TCP queries always find a slot
SLACK = 3.0     # how long past its deadline serve may take to close a connection
rng = random.Random(seed)

def name(*labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"

QN = name(b"www", b"example", b"com")
TC = struct.pack("!HH", 1, 1)  # type A, class IN

def hdr(flags=0, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", rng.randrange(65536), flags, qd, an, ns, ar)

def frame(m):
    return struct.pack("!H", len(m)) + m

def query():
    return hdr() + QN + TC

# Each kind: what to send when (seconds after connecting, octets), then what the
# client does: "wait" for serve to close it, "read" answers for 2 s and close,
# "close" at once (half of them with a reset), or "hold" without ever reading.
def trickle():
    q = frame(query())
    return [(3.0 * i, q[i:i + 1]) for i in range(len(q))]

def loops():
    return (frame(hdr() + b"\xc0\x0c" + TC) + frame(hdr() + b"\x03www\xc0\x0c" + TC)
            + frame(hdr() + b"\xc0\x0e\xc0\x0c" + TC)
            + frame(hdr(ar=1) + QN + TC + b"\xc0\x21" + struct.pack("!HHBBHH", 41, 1232, 0, 0, 0, 0)))

KINDS = {
    # (plan, mode, serve may answer)
    "half-open (connects, sends nothing)": (lambda: [], "wait", False),
    "length prefix, then silence": (lambda: [(0, b"\x00\x1d")], "wait", False),
    "length 65535, some garbage, then silence": (lambda: [(0, b"\xff\xff" + rng.randbytes(rng.randrange(100, 4000)))], "wait", False),
    "lengths 0, 1 and 11, then half a prefix": (lambda: [(0, frame(b"") + frame(rng.randbytes(1)) + frame(rng.randbytes(11)) + b"\x00")], "wait", True),
    "a message with QR set": (lambda: [(0, frame(hdr(flags=0x8400, an=1) + QN + TC + QN + struct.pack("!HHIH", 1, 1, 60, 4) + b"\1\2\3\4"))], "wait", False),
    "compression loops": (lambda: [(0, loops())], "read", True),
    "2000 queries, never reads": (lambda: [(0, b"".join(frame(query()) for _ in range(2000)))], "hold", True),
    "closes mid-message": (lambda: [(0, frame(query())[:12])], "close", False),
    "one octet every 3 s": (trickle, "wait", False),
}
names = list(KINDS)

class Conn:
    pass

span = max(1.0, duration - idle - SLACK - 1.0)
start = time.monotonic()
def now():
    return time.monotonic() - start

conns = []       # every connection, for the report
live = {}        # fd -> Conn
peak = 0
opened = 0
results = {k: {"opened": 0, "connect_failed": 0, "closed_by_serve": 0, "reset_by_serve": 0,
               "closed_by_us": 0, "held_past_deadline": 0, "answers": 0, "answer_octets": 0,
               "rcodes": {}, "longest": 0.0, "may_answer": KINDS[k][2]} for k in names}

def finish(c, how):
    r = results[c.kind]
    age = now() - c.opened
    if how in ("closed_by_serve", "reset_by_serve"):
        r["longest"] = max(r["longest"], age)
    r[how] += 1
    try:
        c.sock.close()
    except OSError:
        pass
    live.pop(c.fd, None)

def pump(c):
    """Send what is due; False once the plan is done."""
    t = now() - c.opened
    while c.plan and c.plan[0][0] <= t:
        _, data = c.plan.pop(0)
        try:
            c.sock.send(data)  # non-blocking: what does not fit is dropped
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            break
    return bool(c.plan)

while True:
    t = now()
    # Open the connections that are due, MAXOPEN at most.
    while opened < count and len(live) < MAXOPEN and t >= 0.5 + opened * span / count:
        kind = names[opened % len(names)]
        make, mode, _ = KINDS[kind]
        c = Conn()
        c.kind, c.mode, c.plan, c.opened, c.buf = kind, mode, make(), t, b""
        opened += 1
        results[kind]["opened"] += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if mode == "hold":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(1.0)
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            results[kind]["connect_failed"] += 1
            s.close()
            continue
        s.setblocking(False)
        c.sock, c.fd = s, s.fileno()
        live[c.fd] = c
        peak = max(peak, len(live))
        pump(c)
        if mode == "close":
            if rng.randrange(2):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            finish(c, "closed_by_us")
    if opened == count and not live or t >= duration + 1.0:
        break
    for c in list(live.values()):
        pump(c)
        age = now() - c.opened
        if c.mode == "read" and age >= 2.0:
            finish(c, "closed_by_us")
        elif age > idle + SLACK:
            # serve should have closed it by now (a "hold" one is not read, so
            # whether serve closed it shows only in serve's own sockets).
            finish(c, "closed_by_us" if c.mode == "hold" else "held_past_deadline")
    watch = [c.sock for c in live.values() if c.mode != "hold"]
    r = select.select(watch, [], [], 0.05)[0] if watch else (time.sleep(0.05) or [])
    for s in r:
        c = live.get(s.fileno())
        if c is None:
            continue
        try:
            data = s.recv(65536)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            finish(c, "reset_by_serve")
            continue
        if not data:
            finish(c, "closed_by_serve")
            continue
        res = results[c.kind]
        res["answer_octets"] += len(data)
        c.buf += data
        while len(c.buf) >= 2 and len(c.buf) >= 2 + struct.unpack("!H", c.buf[:2])[0]:
            n = struct.unpack("!H", c.buf[:2])[0]
            m, c.buf = c.buf[2:2 + n], c.buf[2 + n:]
            res["answers"] += 1
            if len(m) >= 4:
                rc = str(m[3] & 0x0F)
                res["rcodes"][rc] = res["rcodes"].get(rc, 0) + 1

for c in list(live.values()):
    finish(c, "closed_by_us")
json.dump({"count": count, "opened": opened, "peak": peak, "maxopen": MAXOPEN, "slack": SLACK,
           "kinds": results,
           "unexpected_answers": sum(r["answer_octets"] for k, r in results.items() if not KINDS[k][2])},
          open(result_path, "w"))
EOF

cat >"$tmp/driver.py" <<'EOF'
# The prober (over UDP, and over TCP on a connection of its own for each query),
# the reloads, the RSS samples and the socket samples, on one clock.
import errno, json, os, random, select, signal, socket, struct, sys, time

port, pid = int(sys.argv[1]), int(sys.argv[2])
duration, every, warmup = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
served, vardir, log_path, result_path = sys.argv[6:10]
others = {"dnsperf": int(sys.argv[10]), "sender": int(sys.argv[11])}
idle = float(sys.argv[12])
GOOD = ["1.2.3.4", "1.2.3.5"]
INTERVAL, TCP_INTERVAL, TIMEOUT, SAMPLE = 0.1, 0.5, 1.0, 0.5
good_text = [open(f"{vardir}/good.{i}").read() for i in range(2)]
broken_text = [open(f"{vardir}/broken.{i}").read() for i in range(3)]
QNAME = b"\x03www\x07example\x03com\x00"
QUESTION = QNAME + struct.pack("!HH", 1, 1)

def rss_kb():
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None

def skip_name(msg, at):
    for _ in range(128):
        n = msg[at]
        if n & 0xC0 == 0xC0:
            return at + 2
        at += 1 + n
        if n == 0:
            return at
    raise ValueError("name too long")

def parse(msg):
    """-> (id, outcome, addresses of the A records in the answer section)"""
    qid, flags, qd, an = struct.unpack("!HHHH", msg[:8])
    if not flags & 0x8000 or qd != 1 or msg[12:12 + len(QUESTION)].lower() != QUESTION:
        return qid, "malformed", []
    rcode = flags & 0xF
    at = 12 + len(QUESTION)
    addrs = []
    for _ in range(an):
        at = skip_name(msg, at)
        rtype, _, _, rdlen = struct.unpack("!HHIH", msg[at:at + 10])
        at += 10
        if rtype == 1 and rdlen == 4:
            addrs.append(socket.inet_ntoa(msg[at:at + 4]))
        at += rdlen
    if at > len(msg):
        return qid, "malformed", []
    if rcode != 0:
        return qid, f"RCODE{rcode}", addrs
    if not flags & 0x0400:
        return qid, "not AA", addrs
    return qid, ("ok" if addrs else "no address"), addrs

def socket_inodes(p):
    found = set()
    try:
        fds = os.listdir(f"/proc/{p}/fd")
    except OSError:
        return found
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{p}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            found.add(link[8:-1])
    return found

def table(path):
    """The sockets of /proc/net/udp or /proc/net/tcp: inode -> the line's fields."""
    rows = {}
    try:
        with open(path) as f:
            next(f)
            for line in f:
                fields = line.split()
                if len(fields) > 9:
                    rows[fields[9]] = fields
    except (OSError, StopIteration):
        pass
    return rows

owners = {}     # socket inode -> "serve", "dnsperf", "sender" or "prober"
udp_drops = {}  # inode -> datagrams the socket dropped (its receive buffer full)
queue_peak = 0  # the most octets seen waiting in serve's UDP receive queues
tcp_life = {}   # inode of each of serve's TCP connections -> [first seen, last seen]
tcp_peak = 0    # the most TCP connections serve was seen to hold at once

def sample_sockets(t):
    """serve's UDP drops and queue, and its TCP connections, from /proc."""
    global queue_peak, tcp_peak
    current = socket_inodes(pid)
    for inode in current:
        owners[inode] = "serve"
    for who, p in list(others.items()) + [("prober", os.getpid())]:
        for inode in socket_inodes(p):
            owners[inode] = who
    queued = 0
    for inode, fields in table("/proc/net/udp").items():
        if inode in owners and len(fields) > 12:
            udp_drops[inode] = max(udp_drops.get(inode, 0), int(fields[12]))
            if owners[inode] == "serve":
                queued += int(fields[4].split(":")[1], 16)
    queue_peak = max(queue_peak, queued)
    connections = 0
    for inode, fields in table("/proc/net/tcp").items():
        if inode in current and fields[3] != "0A":  # not the listener
            connections += 1
            tcp_life.setdefault(inode, [t, t])[1] = t
    tcp_peak = max(tcp_peak, connections)

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(("127.0.0.1", port))
sock.setblocking(False)
start = time.monotonic()
def now():
    return time.monotonic() - start

pending = {}    # id -> send time
tcp_pending = {}  # socket -> [send time, id, octets received, connected]
probes = []     # (sent, done, outcome, addresses, "udp" or "tcp")
reloads = []    # (time, "good"/"broken", address or variant, signalled)
rss = []        # (time, kB)
rss_start = None
late = errors = 0
next_probe, next_tcp, next_reload, next_rss, next_sample, next_report = 0.0, 0.25, 1.0, 0.0, 0.0, 60.0
k = 0
last_reload = duration - 1.5  # the last one is in force well before the end

def receive():
    global late, errors
    while True:
        try:
            data = sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # ICMP port unreachable: nothing listens
            errors += 1
            continue
        t = now()
        try:
            qid, outcome, addrs = parse(data)
        except (struct.error, IndexError, ValueError):
            continue
        sent = pending.pop(qid, None)
        if sent is None:
            late += 1
            continue
        probes.append((sent, t, outcome, addrs, "udp"))

def tcp_start(t):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    qid = random.randrange(65536)
    code = s.connect_ex(("127.0.0.1", port))
    if code not in (0, errno.EINPROGRESS):
        s.close()
        probes.append((t, t, "connect error", [], "tcp"))
        return
    tcp_pending[s] = [t, qid, b"", False]
    if code == 0:
        tcp_connected(s)

def tcp_done(s, outcome, addrs=()):
    sent = tcp_pending.pop(s)[0]
    s.close()
    probes.append((sent, now(), outcome, list(addrs), "tcp"))

def tcp_connected(s):
    entry = tcp_pending[s]
    if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
        return tcp_done(s, "connect error")
    query = struct.pack("!HHHHHH", entry[1], 0, 1, 0, 0, 0) + QUESTION
    try:
        s.send(struct.pack("!H", len(query)) + query)  # a fresh socket takes it whole
    except OSError:
        return tcp_done(s, "send error")
    entry[3] = True

def tcp_receive(s):
    entry = tcp_pending[s]
    try:
        data = s.recv(4096)
    except (BlockingIOError, InterruptedError):
        return
    except OSError:
        return tcp_done(s, "reset")
    if not data:
        return tcp_done(s, "closed unanswered")
    entry[2] += data
    got = entry[2]
    if len(got) < 2 or len(got) < 2 + struct.unpack("!H", got[:2])[0]:
        return
    try:
        qid, outcome, addrs = parse(got[2:2 + struct.unpack("!H", got[:2])[0]])
    except (struct.error, IndexError, ValueError):
        qid, outcome, addrs = entry[1], "malformed", []
    tcp_done(s, outcome if qid == entry[1] else "wrong id", addrs)

def wait(timeout):
    """Waits up to `timeout` for answers over UDP and TCP and takes them."""
    reading = [sock] + [s for s, e in tcp_pending.items() if e[3]]
    writing = [s for s, e in tcp_pending.items() if not e[3]]
    r, w, _ = select.select(reading, writing, [], max(0.0, timeout))
    for s in w:
        if s in tcp_pending:
            tcp_connected(s)
    for s in r:
        if s is sock:
            receive()
        elif s in tcp_pending:
            tcp_receive(s)

def expire(t):
    for qid, sent in list(pending.items()):
        if t - sent > TIMEOUT:
            del pending[qid]
            probes.append((sent, t, "timeout", [], "udp"))
    for s, entry in list(tcp_pending.items()):
        if t - entry[0] > TIMEOUT:
            tcp_done(s, "timeout")

while True:
    t = now()
    if t >= duration:
        break
    if t >= next_probe:
        qid = random.randrange(65536)
        while qid in pending:
            qid = random.randrange(65536)
        try:
            sock.send(struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + QUESTION)
            pending[qid] = t
        except OSError:
            errors += 1
            probes.append((t, t, "send error", [], "udp"))
        next_probe += INTERVAL
        if next_probe < t:
            next_probe = t + INTERVAL
    if t >= next_tcp:
        tcp_start(t)
        next_tcp += TCP_INTERVAL
        if next_tcp < t:
            next_tcp = t + TCP_INTERVAL
    if t >= next_reload and next_reload <= last_reload:
        if k % 2 == 0:
            variant = (k // 2 + 1) % 2  # 1.2.3.5 first: the file starts as 1.2.3.4
            text, kind, what = good_text[variant], "good", GOOD[variant]
        else:
            variant = (k // 2) % 3
            text, kind, what = broken_text[variant], "broken", f"broken.{variant}"
        with open(served + ".new", "w") as f:
            f.write(text)
        os.replace(served + ".new", served)
        try:
            os.kill(pid, signal.SIGHUP)
            signalled = True
        except OSError:
            signalled = False
        reloads.append((now(), kind, what, signalled))
        k += 1
        next_reload += every
    if t >= next_rss:
        rss.append((t, rss_kb()))
        next_rss += 1.0
    if t >= next_sample:
        sample_sockets(t)
        next_sample += SAMPLE
    if rss_start is None and t >= warmup:
        rss_start = (t, rss_kb())
    if t >= next_report:
        ok = [p for p in probes if p[2] == "ok"]
        print(f"soak: {t:.0f} s: {len(ok)} probes answered, {len(probes) - len(ok)} failed, "
              f"{len(reloads)} reloads, VmRSS {rss[-1][1]} kB", flush=True)
        next_report += 60.0
    expire(t)
    oldest = min([*pending.values(), *(e[0] for e in tcp_pending.values())], default=duration)
    wake = min(next_probe, next_tcp, next_rss, next_sample, duration, oldest + TIMEOUT)
    if next_reload <= last_reload:
        wake = min(wake, next_reload)
    wait(wake - now())

rss_end = (now(), rss_kb())
rss.append(rss_end)
# The last probes' answers.
end = time.monotonic() + TIMEOUT
while (pending or tcp_pending) and time.monotonic() < end:
    wait(0.05)
    expire(now())
expire(now() + TIMEOUT + 1)
sample_sockets(now())
probes.sort()
udp = [p for p in probes if p[4] == "udp"]
tcp = [p for p in probes if p[4] == "tcp"]

# The longest gap between successful answers over UDP, from the start to the end.
ok_times = sorted(p[1] for p in udp if p[2] == "ok")
# The prober's own longest pause between two queries (it shares the CPUs with the
# load): a gap in the answers no longer than this one says more about the prober.
sends = [0.0] + [p[0] for p in udp] + [duration]
pause = max(b - a for a, b in zip(sends, sends[1:]))
marks = [0.0] + ok_times + [duration]
gap, gap_at = max((b - a, a) for a, b in zip(marks, marks[1:]))

# Which address each answer may name: the last good template's as of a second
# before the query was sent, or any good template's signalled since.
goods = [(t, what) for t, kind, what, _ in reloads if kind == "good"]
def state_at(t):
    addr = GOOD[0]
    for tr, what in goods:
        if tr <= t:
            addr = what
    return addr
stale = []
for sent, done, outcome, addrs, transport in probes:
    if outcome != "ok":
        continue
    allowed = {state_at(sent - 1.0)} | {what for tr, what in goods if sent - 1.0 < tr <= done}
    if len(addrs) != 1 or addrs[0] not in allowed:
        stale.append((sent, done, outcome, addrs, sorted(allowed), transport))

with open(log_path, "w") as log:
    for sent, done, outcome, addrs, transport in probes:
        log.write(f"probe {sent:8.3f} {(done - sent) * 1000:7.1f}ms {outcome} {','.join(addrs) or '-'} {transport}\n")
    for t, kind, what, signalled in reloads:
        log.write(f"reload {t:8.3f} {kind} {what}{'' if signalled else ' (not signalled: serve gone)'}\n")
    for t, kb in rss:
        log.write(f"rss {t:8.3f} {kb} kB\n")

seen = {}
for p in probes:
    for a in p[3]:
        seen[a] = seen.get(a, 0) + 1
failed = [p for p in probes if p[2] != "ok"]
def outcomes(ps):
    counts = {}
    for p in ps:
        if p[2] != "ok":
            counts[p[2]] = counts.get(p[2], 0) + 1
    return counts
drops = {}
for inode, n in udp_drops.items():
    drops[owners[inode]] = drops.get(owners[inode], 0) + n
lives = [b - a for a, b in tcp_life.values()]
json.dump({
    "probes": len(udp), "ok": len(ok_times), "failed": len(udp) - len(ok_times), "outcomes": outcomes(udp),
    "tcp_probes": len(tcp), "tcp_ok": sum(1 for p in tcp if p[2] == "ok"), "tcp_outcomes": outcomes(tcp),
    "drops": drops, "queue_peak": queue_peak, "tcp_peak": tcp_peak, "tcp_seen": len(tcp_life),
    "tcp_longest": max(lives, default=0.0), "tcp_over": sum(1 for x in lives if x > idle + 3.0),
    "late": late, "errors": errors, "gap": gap, "pause": pause, "gap_at": gap_at, "seen": seen,
    "foreign": [list(p) for p in probes if any(a not in GOOD for a in p[3])][:10],
    "stale": [list(s) for s in stale][:10], "stale_count": len(stale),
    "failed_examples": [list(p) for p in failed][:10],
    "good": sum(1 for r in reloads if r[1] == "good"),
    "broken": sum(1 for r in reloads if r[1] == "broken"),
    "unsignalled": sum(1 for r in reloads if not r[3]),
    "rss_start": list(rss_start) if rss_start else None, "rss_end": list(rss_end),
    "rss_max": max((kb for _, kb in rss if kb is not None), default=None),
}, open(result_path, "w"))
EOF

cat >"$tmp/report.py" <<'EOF'
# Everything gathered: the figures, then the checks.
import json, re, sys

driver_path, sender_path, dnsperf_path, serve_log, alive, duration = sys.argv[1:7]
result_path, badtcp_path, rcvbuf, idle = sys.argv[7:11]
alive, duration, idle = alive == "1", int(duration), float(idle)
GOOD = ["1.2.3.4", "1.2.3.5"]
RCODES = {"0": "NOERROR", "1": "FORMERR", "2": "SERVFAIL", "3": "NXDOMAIN", "4": "NOTIMP", "5": "REFUSED"}

def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None

d, s, b = load(driver_path), load(sender_path), load(badtcp_path)
try:
    perf = open(dnsperf_path).read()
except OSError:
    perf = ""
log = open(serve_log, errors="replace").read()

def field(label):
    m = re.search(rf"^\s*{label}:\s*([0-9.]+)", perf, re.M)
    return m.group(1) if m else None

p_sent, p_done, p_lost, p_qps = (field(l) for l in
    ("Queries sent", "Queries completed", "Queries lost", "Queries per second"))
m = re.search(r"^\s*Response codes:\s*(.*)$", perf, re.M)
codes = m.group(1) if m else "none"
if p_done is not None:
    print(f"soak: dnsperf: {p_sent} queries sent, {p_done} completed, {p_lost} lost, "
          f"{float(p_qps or 0):.0f} qps; {codes}")
else:
    print("soak: dnsperf: no report")
if s:
    rc = ", ".join(f"{RCODES.get(k, 'RCODE' + k)} {v}" for k, v in sorted(s["rcodes"].items(), key=lambda kv: int(kv[0])))
    print(f"soak: malformed: {s['sent']} datagrams of {sum(1 for v in s['by_kind'].values() if v)} kinds sent, "
          f"{s['answered'] + s['qr_answered']} answered ({rc or 'none'}), largest answer {s['largest']} octets; "
          f"QR set: {s['qr_sent']} sent, {s['qr_answered']} answered"
          f"{'; %d bursts' % s['bursts'] if s['bursts'] else ''}")
else:
    print("soak: malformed: the sender left no report")
reloaded = len(re.findall(r"^reloaded ", log, re.M))
kept = len(re.findall(r"still serving the zone loaded before", log, re.M))
panics = re.findall(r"^.*panicked.*$", log, re.M)
if b:
    k = b["kinds"]
    tally = lambda key: sum(r[key] for r in k.values())
    loops = k.get("compression loops", {})
    print(f"soak: hostile TCP: {b['opened']} connections of {len(k)} kinds, at most {b['peak']} open at once; "
          f"serve closed {tally('closed_by_serve')} and reset {tally('reset_by_serve')} of them "
          f"(the longest after {max(r['longest'] for r in k.values()):.1f} s), "
          f"{tally('held_past_deadline')} held past their deadline, {tally('connect_failed')} not connected; "
          f"{b['unexpected_answers']} octets answered where nothing is due; "
          f"compression loops: {loops.get('answers', 0)} answers "
          f"({', '.join(f'{RCODES.get(c, c)} {n}' for c, n in sorted(loops.get('rcodes', {}).items())) or 'none'})")
else:
    print("soak: hostile TCP: the helper left no report")
if d:
    print(f"soak: reloads: {d['good']} good, {d['broken']} broken "
          f"(serve logged {reloaded} reloaded, {kept} kept the zone it had)")
    seen = ", ".join(f"{a} {n}" for a, n in sorted(d["seen"].items()))
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(d["outcomes"].items()))
    tcp_outcomes = ", ".join(f"{k} {v}" for k, v in sorted(d["tcp_outcomes"].items()))
    print(f"soak: prober: UDP {d['ok']} answered, {d['failed']} failed{' (' + outcomes + ')' if outcomes else ''}, "
          f"longest gap {d['gap']:.3f} s (from {d['gap_at']:.2f} s), its own longest pause between "
          f"queries {d['pause']:.3f} s{', %d answers came late' % d['late'] if d['late'] else ''}; "
          f"TCP {d['tcp_ok']} answered, {d['tcp_probes'] - d['tcp_ok']} failed"
          f"{' (' + tcp_outcomes + ')' if tcp_outcomes else ''}; answers named {seen or 'nothing'}")
    dr = d["drops"]
    print(f"soak: UDP: serve's receive buffer {rcvbuf} octets, at most {d['queue_peak']} octets queued "
          f"(sampled every 0.5 s); datagrams dropped on a full receive buffer: serve {dr.get('serve', 0)}, "
          f"dnsperf {dr.get('dnsperf', 0)}, the sender {dr.get('sender', 0)}, the prober {dr.get('prober', 0)}")
    print(f"soak: TCP: serve held at most {d['tcp_peak']} connections at once (of {d['tcp_seen']} seen, "
          f"sampled every 0.5 s), the longest for {d['tcp_longest']:.1f} s")
    (t0, kb0), (t1, kb1) = d["rss_start"] or (0, None), d["rss_end"]
    fmt = lambda kb: f"{kb / 1024:.1f} MiB ({kb} kB)" if kb is not None else "unknown"
    print(f"soak: VmRSS: start {fmt(kb0)} at {t0:.1f} s, end {fmt(kb1)} at {t1:.1f} s, "
          f"largest {fmt(d['rss_max'])}")
else:
    print("soak: the prober left no report")
# Every valid query: the prober's over UDP and TCP, and dnsperf's.
lost = (d["failed"] + d["tcp_probes"] - d["tcp_ok"] if d else None)
perf_lost = int(p_lost) if p_lost is not None else None
if d and p_done is not None:
    print(f"soak: valid queries: {d['probes'] + d['tcp_probes'] + int(p_sent)} sent, "
          f"{d['ok'] + d['tcp_ok'] + int(p_done)} answered, {lost + perf_lost} unanswered "
          f"(prober over UDP {d['probes']} sent, {d['ok']} answered; over TCP {d['tcp_probes']} sent, "
          f"{d['tcp_ok']} answered; dnsperf {p_sent} sent, {p_done} answered, {p_lost} lost)")

checks = []
def check(name, ok, detail=()):
    checks.append((name, ok, list(detail)))

if d:
    check(f"answered throughout: no gap over 1 s between successful answers (longest {d['gap']:.3f} s)",
          d["gap"] <= 1.0,
          [f"{p[0]:8.3f} s: {p[2]} {','.join(p[3]) or '-'} after {(p[1] - p[0]) * 1000:.0f} ms" for p in d["failed_examples"]])
    check("never served a broken template: every answer names 1.2.3.4 or 1.2.3.5 only",
          not d["foreign"] and set(d["seen"]) <= set(GOOD),
          [f"{p[0]:8.3f} s: {','.join(p[3])}" for p in d["foreign"]])
    check("each good template in force within 1 s of its SIGHUP, a broken one changed nothing",
          d["stale_count"] == 0 and d["good"] > 0,
          [f"{p[0]:8.3f} s: {','.join(p[3]) or '-'}, expected {' or '.join(p[4])}" for p in d["stale"]])
    check(f"serve logged every reload ({reloaded} of {d['good']} good, {kept} of {d['broken']} broken) and no panic",
          reloaded == d["good"] and kept == d["broken"] and not panics and not d["unsignalled"], panics[:5])
    kb0, kb1 = (d["rss_start"] or (0, None))[1], d["rss_end"][1]
    limit = kb0 * 1.2 + 2048 if kb0 is not None else None
    check(f"resident memory flat: end VmRSS within 20% + 2 MiB of the start "
          f"({kb1 if kb1 is not None else 'unknown'} kB, limit {round(limit) if limit else 'unknown'} kB)",
          kb0 is not None and kb1 is not None and kb1 <= limit)
else:
    check("the prober reported", False)
check("serve still runs at the end", alive)
if d:
    check(f"every valid query answered: {lost} of the prober's {d['probes'] + d['tcp_probes']} "
          f"(UDP and TCP) and {perf_lost if perf_lost is not None else 'unknown'} of dnsperf's unanswered",
          lost == 0 and perf_lost == 0,
          [f"{p[0]:8.3f} s over {p[4].upper()}: {p[2]} {','.join(p[3]) or '-'} after {(p[1] - p[0]) * 1000:.0f} ms"
           for p in d["failed_examples"]])
    check(f"serve's UDP receive buffer never overflowed ({d['drops'].get('serve', 0)} datagrams dropped)",
          d["drops"].get("serve", 0) == 0)
    check(f"serve held no TCP connection past its deadline ({d['tcp_over']} longer than {idle:.0f} + 3 s)",
          d["tcp_over"] == 0)
if b:
    check(f"the hostile TCP connections: all {b['count']} made, none held past its deadline, "
          f"nothing answered where nothing is due",
          b["opened"] == b["count"] and not sum(r["connect_failed"] + r["held_past_deadline"] for r in b["kinds"].values())
          and b["unexpected_answers"] == 0,
          [f"{k}: {r['connect_failed']} not connected, {r['held_past_deadline']} held past the deadline, "
           f"{r['answer_octets']} octets answered" for k, r in b["kinds"].items()
           if r["connect_failed"] or r["held_past_deadline"] or (r["answer_octets"] and not r["may_answer"])])
else:
    check("the hostile TCP helper reported", False)
check("dnsperf got answers", p_done is not None and int(p_done) > 0)
check("the malformed datagrams went out and none with QR set was answered",
      bool(s) and s["sent"] > 0 and s["qr_answered"] == 0, (s or {}).get("qr_examples", []))

passed = failed = 0
for name, ok, detail in checks:
    if ok:
        passed += 1
        print(f"ok: {name}")
    else:
        failed += 1
        print(f"FAIL: {name}")
        for line in detail:
            print(f"    {line}")
print(f"{passed} {failed}", file=open(result_path, "w"))
EOF

# ---- serve ------------------------------------------------------------------
# The log exists before serve starts, so reading it never races its creation.
: >"$tmp/serve.err"
"$SERVE" "$served" bob --listen "127.0.0.1:$PORT" --threads 1 2>"$tmp/serve.err" &
serve_pid=$!
pids+=("$serve_pid")
for ((i = 0; ; i++)); do
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$tmp/serve.err" || true)
    [[ -n $port ]] && break
    if ! kill -0 "$serve_pid" 2>/dev/null; then
        tail -20 "$tmp/serve.err" >&2
        die "serve exited at startup"
    fi
    ((i < 100)) || die "serve did not start listening within 10 s"
    sleep 0.1
done

perf_args=(-s 127.0.0.1 -p "$port" -d "$tmp/queries" -c 1 -T 1 -l "$DURATION" -q "$OUTSTANDING")
[[ -n $QPS ]] && perf_args+=(-Q "$QPS")
# serve's UDP receive buffer as the kernel granted it (`rb` in ss's socket memory).
rcvbuf=$(ss -uamnH "sport = :$port" 2>/dev/null | sed -n 's/.*skmem:([^)]*,rb\([0-9]*\),.*/\1/p' | head -1)
echo "soak: serve (pid $serve_pid) on 127.0.0.1:$port for $DURATION s: dnsperf ${perf_args[*]}" \
    "(${QPS:-no} qps limit), $BAD_RATE malformed datagrams a second and $FLOOD more in bursts of $BURST" \
    "(seed $SEED), $BAD_TCP hostile TCP connections, a probe every 100 ms over UDP and every" \
    "500 ms over TCP, a reload every $EVERY s (good and broken in turn)"

dnsperf "${perf_args[@]}" >"$tmp/dnsperf.out" 2>&1 &
perf_pid=$!
pids+=("$perf_pid")
python3 "$tmp/sender.py" "$port" "$DURATION" "$BAD_RATE" "$SEED" "$tmp/sender.json" "$FLOOD" "$BURST" \
    2>"$tmp/sender.err" &
sender_pid=$!
pids+=("$sender_pid")
python3 "$tmp/badtcp.py" "$port" "$DURATION" "$BAD_TCP" "$SEED" "$IDLE" "$tmp/badtcp.json" \
    2>"$tmp/badtcp.err" &
badtcp_pid=$!
pids+=("$badtcp_pid")
rc=0
python3 "$tmp/driver.py" "$port" "$serve_pid" "$DURATION" "$EVERY" "$WARMUP" \
    "$served" "$tmp/variants" "$tmp/probes.log" "$tmp/driver.json" "$perf_pid" "$sender_pid" \
    "$IDLE" || rc=$?
((rc == 0)) || echo "soak: error: the prober failed (exit $rc)" >&2

# dnsperf and the senders end on their own, a little after the prober.
for pid in "$perf_pid" "$sender_pid" "$badtcp_pid"; do
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    rc=0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" || rc=$?; }
    if ((rc)); then
        [[ $pid == "$perf_pid" ]] && { echo "soak: error: dnsperf exited $rc:" >&2; tail -5 "$tmp/dnsperf.out" >&2; }
        [[ $pid == "$sender_pid" ]] && { echo "soak: error: the sender exited $rc:" >&2; tail -5 "$tmp/sender.err" >&2; }
        [[ $pid == "$badtcp_pid" ]] && { echo "soak: error: the TCP helper exited $rc:" >&2; tail -5 "$tmp/badtcp.err" >&2; }
    fi
done
alive=0
kill -0 "$serve_pid" 2>/dev/null && alive=1

python3 "$tmp/report.py" "$tmp/driver.json" "$tmp/sender.json" "$tmp/dnsperf.out" \
    "$tmp/serve.err" "$alive" "$DURATION" "$tmp/result" "$tmp/badtcp.json" "${rcvbuf:-unknown}" \
    "$IDLE" || echo "soak: error: the report failed" >&2
passed=0
failed=1
[[ -s $tmp/result ]] && read -r passed failed <"$tmp/result"
if ((failed)); then
    echo "soak: serve's log (last 20 lines) and the unusual probes:" >&2
    tail -20 "$tmp/serve.err" >&2
    grep -v '^probe .* ok 1\.2\.3\.[45] [udtcp]*$' "$tmp/probes.log" 2>/dev/null | grep -v '^rss ' | head -40 >&2 || true
fi
echo "soak: $((SECONDS - start_time)) s after the build"
echo "soak: $passed passed, $failed failed"
((failed == 0))
