#!/usr/bin/env bash
# Failover with a real resolver: two `serve` processes are the two hosts of a
# fleet, Unbound resolves through them, one host dies, and its address must
# leave the answers within the TTL.
#
# The template (written below) is example.test. with TTL 2 s and SOA MINIMUM
# 2 s; its NS are a.example.test. (glue 127.0.0.2) and b.example.test. (glue
# 127.0.0.3), and the apex and www are LOCAL-IP. Host a is `serve TEMPLATE a`
# on 127.0.0.2:PORT, host b `serve TEMPLATE b` on 127.0.0.3:PORT, so each
# answers www with its own address. Unbound, with its own config in a temp dir,
# listens on 127.0.0.1:PORT+1 and has a stub zone for example.test. naming
# both hosts.
#
# A client asks Unbound for `www.example.test. A` every 50 ms (RD set, as a
# stub resolver does) and records the time, RCODE, addresses and resolution
# time of each answer. After 4 s it makes the hard case happen: it flushes
# the answer from Unbound's cache (unbound-control, local socket) until a
# fetch picks host a (each fetch picks a host at random), and kills host a
# with SIGKILL, as a crash would, right after that answer, so the dead host's
# address sits in the cache for the whole TTL. Then it asks on for 8 s.
# Checked:
#   - Unbound had a's address freshly cached when a died (so the rest means
#     something);
#   - no SERVFAIL, ever;
#   - no answer names 127.0.0.2 later than TTL + 1 s (3 s) after the kill;
#   - every query answered within 1 s, NOERROR, with the fleet's addresses
#     only;
#   - from kill + 3 s on, answers keep coming and name 127.0.0.3 alone;
#   - host b and Unbound still run at the end.
# Printed: the counts (queries, answers naming each address, SERVFAIL,
# timeouts and errors), the longest resolution time, and as the last line
# `failover: N passed, M failed`. Unbound's selection settings, and why they
# differ from its defaults, are in its config below.
#
# Both hosts log a warning that they share 127.0.0.0/24; expected here.
#
# Usage: scripts/failover.sh     (needs root only to install unbound and kdig
#                                 when they are missing)
#   FAILOVER_PORT=N   the hosts' port (default 25541, below Linux's ephemeral
#                     range, so no client socket of the tests holds it); Unbound
#                     listens on N+1, and N+2 must be free (Unbound's root "server")
#   FAILOVER_SERVE=PATH  a prebuilt `serve` example instead of building one
# Exit status: 0 only if every check passed. About 13 s after the build.
#
# Nothing here sends a packet beyond loopback: the hosts listen on 127.0.0.2
# and 127.0.0.3, Unbound on 127.0.0.1 and sends only from 127.0.0.1 (a source
# address the kernel never routes off the machine); it refuses every name
# outside example.test. before it reaches the iterator, its only root server
# is a loopback port where nothing listens, and it has no DNSSEC trust anchor,
# so nothing to fetch or probe. An unbound service that the package install
# may have started does not matter: this one has its own config and port.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export LC_ALL=C

PORT=${FAILOVER_PORT:-25541}
RPORT=$((PORT + 1))
DEAD_PORT=$((PORT + 2)) # nothing listens here: Unbound's only root server
TTL=2

# ---- tools ------------------------------------------------------------------
missing=()
command -v unbound-control >/dev/null 2>&1 || missing+=(unbound)
command -v kdig >/dev/null 2>&1 || missing+=(knot-dnsutils)
if ((${#missing[@]})); then
    apt_install failover "${missing[@]}"
    for c in unbound unbound-checkconf unbound-control kdig; do
        command -v "$c" >/dev/null 2>&1 || {
            echo "failover: error: $c still missing after install" >&2
            exit 2
        }
    done
fi
command -v python3 >/dev/null 2>&1 || {
    echo "failover: error: python3 is needed for the client" >&2
    exit 2
}

# ---- build ------------------------------------------------------------------
if [[ -z ${FAILOVER_SERVE:-} ]]; then
    target=$(target_dir) || { echo "failover: error: cargo metadata gave no target directory" >&2; exit 2; }
fi
SERVE=${FAILOVER_SERVE:-$target/release/examples/serve}
if [[ -z ${FAILOVER_SERVE:-} ]]; then
    echo "failover: cargo build --release --features server --example serve"
    if ! cargo build --release --features server --example serve --quiet; then
        echo "failover: error: cargo build failed" >&2
        exit 2
    fi
fi
[[ -x $SERVE ]] || { echo "failover: error: $SERVE was not built" >&2; exit 2; }
start_time=$SECONDS

# ---- addresses and ports ----------------------------------------------------
# On Linux all of 127.0.0.0/8 is loopback; elsewhere 127.0.0.2 and 127.0.0.3
# may need adding (e.g. `ifconfig lo0 alias 127.0.0.2`).
if ! python3 - "$PORT" "$RPORT" "$DEAD_PORT" <<'EOF'; then
import socket, sys
port, rport, dead = (int(a) for a in sys.argv[1:4])
for addr, p in (("127.0.0.2", port), ("127.0.0.3", port), ("127.0.0.1", rport), ("127.0.0.1", dead)):
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind((addr, p))
        except OSError as e:
            sys.exit(f"failover: error: cannot bind {addr}:{p} ({e}); "
                     "set FAILOVER_PORT, or add the address to loopback")
        finally:
            s.close()
EOF
    exit 2
fi

# ---- template, servers, resolver --------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/failover.XXXXXX")
pids=()
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$tmp/example.test.template" <<EOF
\$ORIGIN example.test.
\$TTL $TTL
@    IN SOA a.example.test. hostmaster.example.test. ( 2026010100 60 60 600 $TTL )
@    IN NS  a.example.test.
@    IN NS  b.example.test.
@    IN A   LOCAL-IP
www  IN A   LOCAL-IP
a    IN A   127.0.0.2
b    IN A   127.0.0.3
EOF

# Unbound 1.17's own defaults are kept except where said; see unbound.conf(5).
cat >"$tmp/unbound.conf" <<EOF
server:
    interface: 127.0.0.1@$RPORT
    port: $RPORT
    do-ip4: yes
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$tmp"
    pidfile: "$tmp/unbound.pid"
    use-syslog: no
    logfile: "$tmp/unbound.log"
    verbosity: 1
    log-servfail: yes
    num-threads: 1
    so-reuseport: no
    access-control: 127.0.0.0/8 allow
    # Queries go out from 127.0.0.1 only: the kernel never routes a packet
    # with a loopback source off the machine. The hosts are on loopback, so
    # Unbound must be let query it.
    outgoing-interface: 127.0.0.1
    do-not-query-localhost: no
    # Names outside the test zone are refused before they reach the iterator,
    # and the root is a stub zone on a loopback port where nothing listens
    # (checked above), so the real root servers are never named, let alone
    # asked, and no other resolver on this machine is either.
    local-zone: "." refuse
    local-zone: "example.test." transparent
    module-config: "iterator"
    qname-minimisation: no
    # The point is the TTL: an answer is served from the cache until its 2 s
    # have run out (on Unbound's whole-second clock: for 2 to 3 s after it
    # was fetched, hence the check at TTL + 1 s), then fetched anew.
    cache-min-ttl: 0
    serve-expired: no
    prefetch: no
    # Server selection, tuned because the defaults gave slow answers: killed,
    # host a makes the kernel answer ICMP port-unreachable, which Unbound
    # ignores, so a query to a dead host costs the full retransmit timeout
    # (RTO) twice (a retry without EDNS fragments is built in) before the
    # next host is tried, exactly as for a host that is silent.
    #  - Each resolution asks each host at most once. With the default (5),
    #    Unbound picked a again in the same resolution, its doubled RTO still
    #    within the 400 ms band of b's, and a client waited 2 x 168 ms +
    #    2 x 336 ms; a third pick of a would have cost another 2 x 672 ms.
    #    No SERVFAIL follows unless b fails too.
    outbound-msg-retry: 1
    #  - The RTO of a host not yet measured: 100 ms instead of 376 ms (the
    #    default, for the internet). Loopback replies take well under 1 ms,
    #    and the RTO then falls toward infra-cache-min-rtt (50 ms, kept) with
    #    each reply, so the first query to dead a costs 2 x 50 to 75 ms (seen:
    #    100 to 120 ms), not 2 x 170 to 280 ms. After each timeout a's RTO
    #    doubles (a second pick, seen: 200 to 245 ms), and once it is more
    #    than 400 ms above b's, a is no longer picked.
    unknown-server-time-limit: 100
    minimal-responses: yes
# Only for the client's cache flushes before the kill, over a local socket.
remote-control:
    control-enable: yes
    control-interface: "$tmp/unbound.ctl"
    control-use-cert: no
stub-zone:
    name: "example.test."
    stub-addr: 127.0.0.2@$PORT
    stub-addr: 127.0.0.3@$PORT
stub-zone:
    name: "."
    stub-addr: 127.0.0.1@$DEAD_PORT
EOF
if ! unbound-checkconf "$tmp/unbound.conf" >"$tmp/checkconf.out" 2>&1; then
    echo "failover: error: unbound-checkconf rejects the config:" >&2
    cat "$tmp/checkconf.out" >&2
    exit 2
fi

echo "failover: hosts a on 127.0.0.2:$PORT and b on 127.0.0.3:$PORT, Unbound on 127.0.0.1:$RPORT"
"$SERVE" "$tmp/example.test.template" a --listen "127.0.0.2:$PORT" 2>"$tmp/a.err" &
pid_a=$!
pids+=("$pid_a")
"$SERVE" "$tmp/example.test.template" b --listen "127.0.0.3:$PORT" 2>"$tmp/b.err" &
pid_b=$!
pids+=("$pid_b")

show_logs() {
    local f
    for f in "$tmp"/a.err "$tmp"/b.err "$tmp"/unbound.out "$tmp"/unbound.log; do
        [[ -s $f ]] || continue
        echo "---- ${f##*/}"
        tail -20 "$f"
    done >&2
}
wait_log() { # pid file text what
    local i
    for ((i = 0; i < 100; i++)); do
        grep -q "$3" "$2" 2>/dev/null && return 0
        kill -0 "$1" 2>/dev/null || {
            echo "failover: error: $4 exited at startup" >&2
            show_logs
            exit 2
        }
        sleep 0.1
    done
    echo "failover: error: $4 not ready within 10 s" >&2
    show_logs
    exit 2
}
wait_log "$pid_a" "$tmp/a.err" "listening on 127.0.0.2:$PORT" "host a"
wait_log "$pid_b" "$tmp/b.err" "listening on 127.0.0.3:$PORT" "host b"

unbound -d -c "$tmp/unbound.conf" >"$tmp/unbound.out" 2>&1 &
pid_u=$!
pids+=("$pid_u")
# Ready when it answers for the test zone (the SOA, so that nothing about www
# is in its cache before the client starts).
for ((i = 0; ; i++)); do
    if kdig @127.0.0.1 -p "$RPORT" +timeout=1 +retry=0 example.test. SOA 2>/dev/null |
        grep -q 'status: NOERROR'; then
        break
    fi
    if ! kill -0 "$pid_u" 2>/dev/null; then
        echo "failover: error: Unbound exited at startup" >&2
        show_logs
        exit 2
    fi
    if ((i >= 100)); then
        echo "failover: error: Unbound did not answer within 10 s" >&2
        show_logs
        exit 2
    fi
    sleep 0.1
done

# ---- the client -------------------------------------------------------------
echo "failover: asking Unbound for www.example.test. A every 50 ms; host a dies after 4 s"
rc=0
# The client kills host a; the shell's own notice of that death ("Killed") is
# kept off the output by pointing the shell's stderr at /dev/null while the
# client runs (the client's stderr goes to the real one, fd 3).
{
    python3 - "$RPORT" "$TTL" "$pid_a" "$pid_b" "$pid_u" "$tmp/unbound.conf" \
        "$tmp/queries.log" "$tmp/result" 2>&3 <<'EOF'
import os, random, signal, socket, struct, subprocess, sys, time

rport, ttl = int(sys.argv[1]), int(sys.argv[2])
pid_a, pid_b, pid_u = (int(p) for p in sys.argv[3:6])
conf, log_path, result_path = sys.argv[6:9]
A, B = "127.0.0.2", "127.0.0.3"
INTERVAL = 0.05  # between queries
BEFORE = 4.0     # seconds of queries before host a dies
AFTER = 8.0      # and after
TIMEOUT = 1.0    # no answer by then: a timeout (a failed check)
STEER = 40       # at most this many cache flushes to have a's address fetched
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
QNAME = b"".join(bytes([len(l)]) + l for l in (b"www", b"example", b"test")) + b"\0"

def skip_name(msg, at):
    while True:
        n = msg[at]
        if n & 0xC0 == 0xC0:
            return at + 2
        at += 1 + n
        if n == 0:
            return at

def parse(msg):
    """-> (id, rcode, sorted A addresses of the answer section)"""
    qid, flags, qd, an = struct.unpack("!HHHH", msg[:8])
    at = 12
    for _ in range(qd):
        at = skip_name(msg, at) + 4
    addrs = []
    for _ in range(an):
        at = skip_name(msg, at)
        rtype, _, _, rdlen = struct.unpack("!HHIH", msg[at:at + 10])
        at += 10
        if rtype == 1 and rdlen == 4:
            addrs.append(socket.inet_ntoa(msg[at:at + 4]))
        at += rdlen
    return qid, flags & 0xF, sorted(addrs)

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(("127.0.0.1", rport))
records = []  # (seconds from start, outcome, addresses, resolution seconds)
start = time.monotonic()

def ask():
    """One query with RD set, as a stub resolver sends it; its record."""
    qid = random.randrange(65536)
    t0 = time.monotonic()
    outcome, addrs = "timeout", []
    try:
        sock.send(struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + QNAME + struct.pack("!HH", 1, 1))
        while True:  # skip late answers to earlier queries
            left = TIMEOUT - (time.monotonic() - t0)
            if left <= 0:
                raise socket.timeout
            sock.settimeout(left)
            rid, rcode, addrs = parse(sock.recv(4096))
            if rid == qid:
                outcome = RCODES.get(rcode, f"RCODE{rcode}")
                break
    except socket.timeout:
        outcome, addrs = "timeout", []
    except (OSError, struct.error, IndexError) as e:
        outcome, addrs = f"error:{e.__class__.__name__}", []
    record = (t0 - start, outcome, addrs, time.monotonic() - t0)
    records.append(record)
    return record

def ask_every(until):
    next_t = time.monotonic()
    while True:
        now = time.monotonic()
        if next_t > now:
            time.sleep(next_t - now)
        if time.monotonic() - start >= until:
            return
        ask()
        next_t = max(next_t + INTERVAL, time.monotonic() - INTERVAL / 2)

ask_every(BEFORE)
# The hard case: host a dies just after Unbound cached its address, so that
# the address is served for the whole TTL after the death. Unbound picks one
# of the two hosts at random for each fetch; flushing the cached answer until
# a fetch picks a makes that case certain.
flushes = 0
while flushes < STEER:
    subprocess.run(["unbound-control", "-c", conf, "flush", "www.example.test."],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    flushes += 1
    if ask()[2] == [A]:
        break
steered = records[-1][2] == [A]
os.kill(pid_a, signal.SIGKILL)
kill_t = time.monotonic() - start
print(f"failover: killed host a (pid {pid_a}) at {kill_t:.2f} s, "
      + (f"just after Unbound fetched its address ({flushes} cache flushes)" if steered
         else f"but Unbound did not fetch its address in {flushes} tries"))
ask_every(kill_t + AFTER)

with open(log_path, "w") as log:
    for t, outcome, addrs, took in records:
        log.write(f"{t:8.3f} {t - kill_t:+8.3f} {outcome} {','.join(addrs) or '-'} {took * 1000:.1f}ms\n")

def count(pred, rs=records):
    return sum(1 for r in rs if pred(r))

after = [r for r in records if r[0] >= kill_t]
late = [r for r in records if r[0] > kill_t + ttl + 1]
print(f"failover: {len(records)} queries, {len(after)} after the kill; "
      f"{count(lambda r: r[1] == 'NOERROR' and r[2])} answered with addresses")
for addr in (A, B):
    last = max((r[0] for r in records if addr in r[2]), default=None)
    print(f"failover:   naming {addr}: {count(lambda r: addr in r[2])} "
          f"({count(lambda r: addr in r[2], after)} after the kill"
          + (f", the last {last - kill_t:+.2f} s from it)" if last is not None else ")"))
print(f"failover:   SERVFAIL: {count(lambda r: r[1] == 'SERVFAIL')}")
print(f"failover:   timeouts and errors: {count(lambda r: r[1] == 'timeout' or r[1].startswith('error'))}")
print(f"failover:   other (other RCODEs, no address): "
      f"{count(lambda r: r[1] not in ('NOERROR', 'SERVFAIL', 'timeout') and not r[1].startswith('error') or (r[1] == 'NOERROR' and not r[2]))}")
slow = max(records, key=lambda r: r[3])
print(f"failover: longest resolution {slow[3] * 1000:.1f} ms ({slow[0] - kill_t:+.2f} s from the kill); "
      f"{count(lambda r: r[3] > 0.1)} answers took over 100 ms")

def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False

checks = [
    ("Unbound had host a's address freshly cached when a died", [] if steered else records[-1:]),
    ("no SERVFAIL", [r for r in records if r[1] == "SERVFAIL"]),
    (f"no answer names {A} later than TTL + 1 s ({ttl + 1} s) after the kill",
     [r for r in late if A in r[2]]),
    (f"every query answered within {TIMEOUT:g} s, NOERROR, with the fleet's addresses only",
     [r for r in records if r[1] != "NOERROR" or not r[2] or not set(r[2]) <= {A, B}]),
    (f"answers keep coming, naming {B} alone, from TTL + 1 s after the kill",
     [r for r in late if r[2] != [B]] + ([] if late else [(kill_t, "none", [], 0)])),
    ("host b and Unbound still run at the end",
     [] if alive(pid_b) and alive(pid_u) else [(time.monotonic() - start, "exited", [], 0)]),
]
passed = failed = 0
for name, bad in checks:
    if bad:
        failed += 1
        print(f"FAIL: {name}: {len(bad)} queries, e.g.")
        for t, outcome, addrs, took in bad[:5]:
            print(f"    {t - kill_t:+7.3f} s from the kill: {outcome} {','.join(addrs) or '-'} {took * 1000:.1f} ms")
    else:
        passed += 1
        print(f"ok: {name}")
with open(result_path, "w") as out:
    out.write(f"{passed} {failed}\n")
EOF
} 3>&2 2>/dev/null || rc=$?
# Host a, reaped once dead, is no longer the cleanup's to stop.
if ! kill -0 "$pid_a" 2>/dev/null; then
    wait "$pid_a" 2>/dev/null || true
    pids=("$pid_b" "$pid_u")
fi
passed=0
failed=1
if ((rc == 0)) && [[ -s $tmp/result ]]; then
    read -r passed failed <"$tmp/result"
else
    echo "failover: error: the client failed (exit $rc)" >&2
fi
if ((failed)); then
    echo "failover: the logs, and the unusual queries (time from the start, from the kill):" >&2
    show_logs
    awk '$3 != "NOERROR" || $4 == "-"' "$tmp/queries.log" 2>/dev/null | head -20 >&2
fi
echo "failover: $((SECONDS - start_time)) s after the build"
echo "failover: $passed passed, $failed failed"
((failed == 0))
