#!/usr/bin/env bash
# A soak: `serve` under load and hostile input for a long run while its template
# is reloaded over and over, half the time with a broken one.
#
# The server is `serve TEMPLATE bob --listen 127.0.0.1:PORT --threads 1`, where
# TEMPLATE is a copy of examples/data/example.com.template in a temp dir (so it
# answers www.example.com. A with bob's address, 1.2.3.4). For SECONDS (default
# 300; CI runs 30) four things happen at once:
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
#     of their own so that any answer to them shows;
#   - a prober asks www.example.com. A every 100 ms (no EDNS) and waits up to
#     1 s for each answer, recording when each one came and what it said;
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
#   - dnsperf got answers, and no datagram with QR set was answered.
# Printed: dnsperf's queries sent, completed and lost, queries per second and
# response codes; the malformed datagrams sent and answered (by RCODE); the
# reloads, good and broken; the prober's answers, failures and longest gap
# (and its own longest pause between queries: it shares the CPUs with the load,
# so a gap no longer than that pause is the prober's, not serve's);
# VmRSS at the start, at the end and the largest seen (sampled every second);
# and as the last line `soak: N passed, M failed`.
#
# Usage: scripts/soak.sh [SECONDS]   (at least 10; needs root only to install
#                                     dnsperf when it is missing)
#   SOAK_SERVE=PATH   a prebuilt `serve` example instead of building one
#   SOAK_PORT=N       the port to listen on (default 0: serve picks a free one)
#   SOAK_QPS=N        limit dnsperf to N queries a second (default: no limit)
#   SOAK_BAD_RATE=N   malformed datagrams a second (default 200)
#   SOAK_SEED=N       the malformed datagrams' seed (default 1)
# Exit status: 0 only if every check passed. About SECONDS + 2 s after the build.
#
# Nothing leaves 127.0.0.1: serve listens on it only, and dnsperf, the sender
# and the prober send to it only. serve, dnsperf and the sender are stopped by
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
SEED=${SOAK_SEED:-1}
EVERY=3     # seconds between reloads
WARMUP=5    # seconds before the start RSS is read
OUTSTANDING=100

die() {
    echo "soak: error: $*" >&2
    exit 2
}
for v in DURATION PORT BAD_RATE SEED; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, not '${!v}'"
done
[[ -z $QPS || $QPS =~ ^[0-9]+$ ]] || die "SOAK_QPS must be a whole number or empty, not '$QPS'"
((DURATION >= 10)) || die "SECONDS must be at least 10 (a warm-up of $WARMUP s comes first)"
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
# The malformed datagrams: RATE a second for DURATION seconds, kinds drawn at
# random with SEED. Those with QR set go from a socket of their own.
import json, random, select, socket, struct, sys, time

port, duration, rate, seed = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
result_path = sys.argv[5]
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
main.connect(("127.0.0.1", port))
main.setblocking(False)
qr = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
qr.connect(("127.0.0.1", port))
qr.setblocking(False)
sent = {k: 0 for k in names}
stats = {"sent": 0, "qr_sent": 0, "answered": 0, "qr_answered": 0, "rcodes": {},
         "largest": 0, "send_errors": 0, "qr_examples": []}

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

start = time.monotonic()
due = 0.0
while True:
    t = time.monotonic() - start
    if t >= duration:
        break
    due += rate * 0.01
    while due >= 1:
        due -= 1
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

cat >"$tmp/driver.py" <<'EOF'
# The prober, the reloads and the RSS samples, on one clock.
import json, os, random, select, signal, socket, struct, sys, time

port, pid = int(sys.argv[1]), int(sys.argv[2])
duration, every, warmup = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
served, vardir, log_path, result_path = sys.argv[6:10]
GOOD = ["1.2.3.4", "1.2.3.5"]
INTERVAL, TIMEOUT = 0.1, 1.0
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

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(("127.0.0.1", port))
sock.setblocking(False)
start = time.monotonic()
def now():
    return time.monotonic() - start

pending = {}    # id -> send time
probes = []     # (sent, done, outcome, addresses)
reloads = []    # (time, "good"/"broken", address or variant, signalled)
rss = []        # (time, kB)
rss_start = None
late = errors = 0
next_probe, next_reload, next_rss, next_report = 0.0, 1.0, 0.0, 60.0
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
        probes.append((sent, t, outcome, addrs))

def expire(t):
    for qid, sent in list(pending.items()):
        if t - sent > TIMEOUT:
            del pending[qid]
            probes.append((sent, t, "timeout", []))

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
            probes.append((t, t, "send error", []))
        next_probe += INTERVAL
        if next_probe < t:
            next_probe = t + INTERVAL
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
    if rss_start is None and t >= warmup:
        rss_start = (t, rss_kb())
    if t >= next_report:
        ok = [p for p in probes if p[2] == "ok"]
        print(f"soak: {t:.0f} s: {len(ok)} probes answered, {len(probes) - len(ok)} failed, "
              f"{len(reloads)} reloads, VmRSS {rss[-1][1]} kB", flush=True)
        next_report += 60.0
    expire(t)
    wake = min(next_probe, next_rss, duration, min(pending.values(), default=duration) + TIMEOUT)
    if next_reload <= last_reload:
        wake = min(wake, next_reload)
    r, _, _ = select.select([sock], [], [], max(0.0, wake - now()))
    if r:
        receive()

rss_end = (now(), rss_kb())
rss.append(rss_end)
# The last probes' answers.
end = time.monotonic() + TIMEOUT
while pending and time.monotonic() < end:
    r, _, _ = select.select([sock], [], [], 0.05)
    if r:
        receive()
expire(now() + TIMEOUT + 1)
probes.sort()

# The longest gap between successful answers, from the start to the end.
ok_times = sorted(p[1] for p in probes if p[2] == "ok")
# The prober's own longest pause between two queries (it shares the CPUs with the
# load): a gap in the answers no longer than this one says more about the prober.
sends = [0.0] + [p[0] for p in probes] + [duration]
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
for sent, done, outcome, addrs in probes:
    if outcome != "ok":
        continue
    allowed = {state_at(sent - 1.0)} | {what for tr, what in goods if sent - 1.0 < tr <= done}
    if len(addrs) != 1 or addrs[0] not in allowed:
        stale.append((sent, done, outcome, addrs, sorted(allowed)))

with open(log_path, "w") as log:
    for sent, done, outcome, addrs in probes:
        log.write(f"probe {sent:8.3f} {(done - sent) * 1000:7.1f}ms {outcome} {','.join(addrs) or '-'}\n")
    for t, kind, what, signalled in reloads:
        log.write(f"reload {t:8.3f} {kind} {what}{'' if signalled else ' (not signalled: serve gone)'}\n")
    for t, kb in rss:
        log.write(f"rss {t:8.3f} {kb} kB\n")

seen = {}
for p in probes:
    for a in p[3]:
        seen[a] = seen.get(a, 0) + 1
failed = [p for p in probes if p[2] != "ok"]
outcomes = {}
for p in failed:
    outcomes[p[2]] = outcomes.get(p[2], 0) + 1
json.dump({
    "probes": len(probes), "ok": len(ok_times), "failed": len(failed), "outcomes": outcomes,
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
alive, duration = alive == "1", int(duration)
GOOD = ["1.2.3.4", "1.2.3.5"]
RCODES = {"0": "NOERROR", "1": "FORMERR", "2": "SERVFAIL", "3": "NXDOMAIN", "4": "NOTIMP", "5": "REFUSED"}

def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None

d, s = load(driver_path), load(sender_path)
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
          f"QR set: {s['qr_sent']} sent, {s['qr_answered']} answered")
else:
    print("soak: malformed: the sender left no report")
reloaded = len(re.findall(r"^reloaded ", log, re.M))
kept = len(re.findall(r"still serving the zone loaded before", log, re.M))
panics = re.findall(r"^.*panicked.*$", log, re.M)
if d:
    print(f"soak: reloads: {d['good']} good, {d['broken']} broken "
          f"(serve logged {reloaded} reloaded, {kept} kept the zone it had)")
    seen = ", ".join(f"{a} {n}" for a, n in sorted(d["seen"].items()))
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(d["outcomes"].items()))
    print(f"soak: prober: {d['ok']} answered, {d['failed']} failed{' (' + outcomes + ')' if outcomes else ''}, "
          f"longest gap {d['gap']:.3f} s (from {d['gap_at']:.2f} s), its own longest pause between "
          f"queries {d['pause']:.3f} s{', %d answers came late' % d['late'] if d['late'] else ''}; "
          f"answers named {seen or 'nothing'}")
    (t0, kb0), (t1, kb1) = d["rss_start"] or (0, None), d["rss_end"]
    fmt = lambda kb: f"{kb / 1024:.1f} MiB ({kb} kB)" if kb is not None else "unknown"
    print(f"soak: VmRSS: start {fmt(kb0)} at {t0:.1f} s, end {fmt(kb1)} at {t1:.1f} s, "
          f"largest {fmt(d['rss_max'])}")
else:
    print("soak: the prober left no report")

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
print(f"{passed} {failed}", file=open(sys.argv[7], "w"))
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
echo "soak: serve (pid $serve_pid) on 127.0.0.1:$port for $DURATION s: dnsperf ${perf_args[*]}" \
    "(${QPS:-no} qps limit), $BAD_RATE malformed datagrams a second (seed $SEED)," \
    "a probe every 100 ms, a reload every $EVERY s (good and broken in turn)"

dnsperf "${perf_args[@]}" >"$tmp/dnsperf.out" 2>&1 &
perf_pid=$!
pids+=("$perf_pid")
python3 "$tmp/sender.py" "$port" "$DURATION" "$BAD_RATE" "$SEED" "$tmp/sender.json" 2>"$tmp/sender.err" &
sender_pid=$!
pids+=("$sender_pid")
rc=0
python3 "$tmp/driver.py" "$port" "$serve_pid" "$DURATION" "$EVERY" "$WARMUP" \
    "$served" "$tmp/variants" "$tmp/probes.log" "$tmp/driver.json" || rc=$?
((rc == 0)) || echo "soak: error: the prober failed (exit $rc)" >&2

# dnsperf and the sender end on their own, a little after the prober.
for pid in "$perf_pid" "$sender_pid"; do
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    rc=0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" || rc=$?; }
    if ((rc)); then
        [[ $pid == "$perf_pid" ]] && { echo "soak: error: dnsperf exited $rc:" >&2; tail -5 "$tmp/dnsperf.out" >&2; }
        [[ $pid == "$sender_pid" ]] && { echo "soak: error: the sender exited $rc:" >&2; tail -5 "$tmp/sender.err" >&2; }
    fi
done
alive=0
kill -0 "$serve_pid" 2>/dev/null && alive=1

python3 "$tmp/report.py" "$tmp/driver.json" "$tmp/sender.json" "$tmp/dnsperf.out" \
    "$tmp/serve.err" "$alive" "$DURATION" "$tmp/result" || echo "soak: error: the report failed" >&2
passed=0
failed=1
[[ -s $tmp/result ]] && read -r passed failed <"$tmp/result"
if ((failed)); then
    echo "soak: serve's log (last 20 lines) and the unusual probes:" >&2
    tail -20 "$tmp/serve.err" >&2
    grep -v '^probe .* ok 1\.2\.3\.[45]$' "$tmp/probes.log" 2>/dev/null | grep -v '^rss ' | head -40 >&2 || true
fi
echo "soak: $((SECONDS - start_time)) s after the build"
echo "soak: $passed passed, $failed failed"
((failed == 0))
