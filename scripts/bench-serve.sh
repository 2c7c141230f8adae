#!/usr/bin/env bash
# End-to-end UDP load: dnsperf against the `serve` example, against NSD and against
# Knot DNS, all three serving the same zone file on loopback. Run by hand (not in CI);
# about six minutes after the build with the defaults.
#
#   scripts/bench-serve.sh                    # generated 100,000-record zone
#   ZONE=template scripts/bench-serve.sh      # examples/data/example.com.template, rendered for bob
#   RECORDS=1000000 RUNS=5 DURATION=20 scripts/bench-serve.sh
#   WORKERS=2 scripts/bench-serve.sh          # two workers each, on both CPUs
#
# What it does:
# 1. Installs `dnsperf`, `nsd` and `knot` with apt-get when they are missing (keeping
#    dpkg from starting their daemons), and builds
#    `cargo build --release --features server --example serve --example render --example genzone
#    --example zone`.
# 2. Writes one zone file, served as written by both servers: with ZONE=generated
#    (the default) `genzone RECORDS example.com. 1`, the realistic zone the parse
#    bench uses; with ZONE=template, `render examples/data/example.com.template bob`.
# 3. Writes the query file dnsperf reads: QUERIES lines, 90% hits (a name that
#    exists with a type it holds, every RRset of the zone equally likely, none at
#    or below a delegation, so every hit is an authoritative answer) and 10%
#    NXDOMAIN names (nx-N-XXXX.example.com., A or AAAA, checked to be no owner or
#    ancestor of one), shuffled with a fixed seed: the same zone always gives the
#    same file. Before the runs, both servers get the whole file once and must
#    answer every hit NOERROR and every miss NXDOMAIN.
# 4. Starts `serve ZONE --listen 127.0.0.1:PORT --threads WORKERS`, NSD (own temp
#    config, `server-count: WORKERS`; response rate limiting turned off with
#    `rrl-ratelimit: 0`, zone file only, no remote control) and knotd (own temp
#    config, `udp-workers: WORKERS`, one TCP and one background worker, no
#    journal, no zone file sync, no modules, so no RRL), each pinned with taskset
#    to CPU SERVER_CPU (with WORKERS > 1: to SERVER_CPUS, by default every CPU,
#    so that dnsperf shares one with a worker); dnsperf runs pinned to CPU CLIENT_CPU with one
#    client socket and one thread (`-c 1 -T 1`), OUTSTANDING queries in flight
#    (`-q`), no rate limit unless QPS is set (`-Q`), DURATION seconds (`-l`).
# 5. RUNS runs against each, alternating (serve, NSD, Knot, serve, ...); prints
#    every run, then the median queries per second of each, the ratios
#    serve / NSD and serve / Knot, and the queries lost (sent, no response within dnsperf's 5 s
#    timeout), with the exact commands. Also per run: each server's own CPU
#    time per answered query (user + system of its processes, from /proc), and
#    how busy each of the two CPUs was. When the client CPU is near 100%,
#    dnsperf, not the server, set the pace, and the CPU time per query is the
#    better comparison.
#
# NSD keeps its other defaults (so, like `serve`, it adds the addresses of NS,
# MX and SRV targets to the additional section). The machine should be idle:
# anything else running on either CPU shows up as noise between runs.
#
# Settings (environment):
#   ZONE=generated|template  RECORDS=100000  QUERIES=5000  RUNS=5  DURATION=10
#   WORKERS=1   UDP workers of each server
#   OUTSTANDING=100  QPS=  (empty: as fast as the server answers)
#   SERVER_CPU=0  CLIENT_CPU=1  BENCH_PORT=25561 (serve; NSD gets BENCH_PORT+1,
#   Knot BENCH_PORT+2)  SERVER_CPUS=  (taskset's list for the servers; default
#   SERVER_CPU, or every CPU with WORKERS > 1)
#   SERVE=PATH  a prebuilt `serve` to use instead of building (the zone tools
#               are still built)
#   SEED=1      the shuffle's seed
#
# Nothing leaves 127.0.0.1: both servers listen on it only, dnsperf queries it,
# NSD and Knot have no notify, transfer or control peers (Knot's control socket is
# a Unix socket in the temp dir). The servers are stopped by PID
# when the script exits (normally, on an error, or on INT/TERM).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export LC_ALL=C

ZONE=${ZONE:-generated}
RECORDS=${RECORDS:-100000}
QUERIES=${QUERIES:-5000}
RUNS=${RUNS:-5}
WORKERS=${WORKERS:-1}
DURATION=${DURATION:-10}
OUTSTANDING=${OUTSTANDING:-100}
QPS=${QPS:-}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PORT=${BENCH_PORT:-25561}
NSD_PORT=$((PORT + 1))
KNOT_PORT=$((PORT + 2))
SEED=${SEED:-1}
ORIGIN=example.com.

say() { echo "bench-serve: $*"; }
die() {
    echo "bench-serve: error: $*" >&2
    exit 2
}

case $ZONE in generated | template) ;; *) die "ZONE is generated or template, not '$ZONE'" ;; esac
for v in RECORDS QUERIES RUNS DURATION OUTSTANDING SERVER_CPU CLIENT_CPU PORT SEED WORKERS; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, not '${!v}'"
done
[[ -z $QPS || $QPS =~ ^[0-9]+$ ]] || die "QPS must be a whole number or empty, not '$QPS'"
((RUNS >= 1 && QUERIES >= 10)) || die "RUNS must be at least 1 and QUERIES at least 10"
((WORKERS >= 1)) || die "WORKERS must be at least 1"

# ---- tools ------------------------------------------------------------------
missing=()
command -v dnsperf >/dev/null 2>&1 || missing+=(dnsperf)
{ command -v nsd && command -v nsd-checkconf; } >/dev/null 2>&1 || missing+=(nsd)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
{ command -v knotd && command -v knotc; } >/dev/null 2>&1 || missing+=(knot)
if ((${#missing[@]})); then
    apt_install bench-serve "${missing[@]}"
    for c in dnsperf nsd nsd-checkconf taskset knotd knotc; do
        command -v "$c" >/dev/null 2>&1 || die "$c still missing after install"
    done
fi

cpus=$(nproc --all)
for c in "$SERVER_CPU" "$CLIENT_CPU"; do
    ((c < cpus)) || die "CPU $c does not exist (this machine has $cpus); set SERVER_CPU and CLIENT_CPU"
done
((SERVER_CPU != CLIENT_CPU)) || die "SERVER_CPU and CLIENT_CPU must differ"
if [[ -z ${SERVER_CPUS:-} ]]; then
    SERVER_CPUS=$SERVER_CPU
    ((WORKERS == 1)) || SERVER_CPUS=0-$((cpus - 1))
fi
taskset -c "$SERVER_CPUS" true 2>/dev/null || die "cannot pin to CPUs $SERVER_CPUS (taskset -c $SERVER_CPUS)"
taskset -c "$SERVER_CPU" true 2>/dev/null || die "cannot pin to CPU $SERVER_CPU (taskset -c $SERVER_CPU)"
taskset -c "$CLIENT_CPU" true 2>/dev/null || die "cannot pin to CPU $CLIENT_CPU (taskset -c $CLIENT_CPU)"

# ---- build ------------------------------------------------------------------
target=$(target_dir) || die "cargo metadata gave no target directory"
examples=$target/release/examples
build=(cargo build --release --quiet --example render --example genzone --example zone)
[[ -z ${SERVE:-} ]] && build+=(--features server --example serve)
say "${build[*]}"
"${build[@]}" || die "cargo build failed"
SERVE=${SERVE:-$examples/serve}
for b in "$SERVE" "$examples/render" "$examples/genzone" "$examples/zone"; do
    [[ -x $b ]] || die "$b was not built"
done

# ---- the zone and the queries -----------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-serve.XXXXXX")
pids=()
trap cleanup EXIT
trap 'echo "bench-serve: error: line $LINENO: a command failed" >&2' ERR
trap 'exit 130' INT TERM

zone=$tmp/example.com.zone
if [[ $ZONE == generated ]]; then
    zone_cmd="$examples/genzone $RECORDS $ORIGIN 1"
    "$examples/genzone" "$RECORDS" "$ORIGIN" 1 >"$zone" || die "genzone failed"
else
    zone_cmd="$examples/render examples/data/example.com.template bob"
    "$examples/render" examples/data/example.com.template bob >"$zone" 2>"$tmp/render.err" ||
        { cat "$tmp/render.err" >&2; die "render failed"; }
fi
# The crate's canonical text (one RR a line: owner TTL class type rdata, owners
# relative to $ORIGIN) is only read here, to list the names; both servers load
# $zone as written.
"$examples/zone" "$zone" >"$tmp/canonical.zone" 2>"$tmp/zone.err" ||
    { cat "$tmp/zone.err" >&2; die "the zone does not parse"; }

# awk's own rand() differs between awk implementations; this Lehmer generator
# (Park-Miller, 48271 mod 2^31-1, exact in doubles) gives the same file everywhere.
awk -v total="$QUERIES" -v seed="$SEED" -v origin="$ORIGIN" '
function rnd(n) { state = (state * 48271) % 2147483647; return int(state / 2147483647 * n) }
function abs_name(o) { return o == "@" ? origin : (o ~ /\.$/ ? o : o "." origin) }
BEGIN { state = seed % 2147483646 + 1 }
$1 == "$ORIGIN" { origin = tolower($2); next }
NF >= 4 && $1 !~ /^[;$]/ {
    name = tolower(abs_name($1)); type = toupper($4)
    if (type == "NS" && name != origin) cut[name] = 1
    if (name ~ /^\*/) wildcard[name] = 1
    if (!((name, type) in seen)) { seen[name, type] = 1; nn++; names[nn] = name; types[nn] = type }
    # The name and every ancestor exist (ancestors at least as empty non-terminals).
    for (n = name; n != origin && n != "" && !(n in exists); n = substr(n, index(n, ".") + 1)) exists[n] = 1
}
END {
    if (("*." origin) in wildcard) { print "a wildcard at the apex: no name is NXDOMAIN" > "/dev/stderr"; exit 1 }
    # Hits: every RRset not at or below a delegation point.
    for (i = 1; i <= nn; i++) {
        below = 0
        for (n = names[i]; n != origin && n != ""; n = substr(n, index(n, ".") + 1)) if (n in cut) { below = 1; break }
        if (!below && names[i] !~ /^\*/) { np++; pool[np] = names[i] " " types[i] }
    }
    if (np == 0) { print "no RRset to ask for" > "/dev/stderr"; exit 1 }
    hits = int(total * 9 / 10 + 0.5); misses = total - hits
    # Draw hits without repeats while the pool lasts (partial Fisher-Yates), then again.
    k = 0
    while (k < hits) {
        left = np
        for (j = 1; j <= np && k < hits; j++) {
            r = j + rnd(left); left--
            t = pool[j]; pool[j] = pool[r]; pool[r] = t
            line[++k] = pool[j] " hit"
        }
    }
    for (m = 1; m <= misses; m++) {
        do {
            label = sprintf("nx-%d-", m)
            for (c = 0; c < 4; c++) label = label substr("abcdefghijklmnopqrstuvwxyz0123456789", rnd(36) + 1, 1)
            name = label "." origin
        } while (name in exists)
        line[++k] = name " " (m % 2 ? "A" : "AAAA") " miss"
    }
    # Shuffle the whole list (Fisher-Yates).
    for (j = total; j > 1; j--) { r = rnd(j) + 1; t = line[j]; line[j] = line[r]; line[r] = t }
    for (j = 1; j <= total; j++) print line[j]
    printf "%d %d %d\n", np, hits, misses > "/dev/stderr"
}' "$tmp/canonical.zone" >"$tmp/labelled" 2>"$tmp/mix.err" ||
    { cat "$tmp/mix.err" >&2; die "could not write the query file"; }
read -r pool_size hits misses <"$tmp/mix.err"
queries=$tmp/queries
cut -d' ' -f1,2 "$tmp/labelled" >"$queries"
types=$(grep ' hit$' "$tmp/labelled" | cut -d' ' -f2 | sort | uniq -c | sort -rn |
    awk '{printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1}')

# ---- servers ----------------------------------------------------------------
cat >"$tmp/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$NSD_PORT
    do-ip4: yes
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$tmp"
    pidfile: "$tmp/nsd.pid"
    database: ""
    zonelistfile: "$tmp/zone.list"
    xfrdfile: "$tmp/xfrd.state"
    xfrdir: "$tmp"
    logfile: "$tmp/nsd.log"
    verbosity: 1
    server-count: $WORKERS
    hide-version: yes
    hide-identity: yes
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: $ORIGIN
    zonefile: example.com.zone
EOF
rrl="rrl-ratelimit: 0"
# rrl-* options exist only when NSD was built with RRL; then there is none to turn off.
if ! nsd-checkconf "$tmp/nsd.conf" >"$tmp/checkconf.out" 2>&1; then
    sed -i '/rrl-/d' "$tmp/nsd.conf"
    rrl="built without RRL, so none to turn off"
    nsd-checkconf "$tmp/nsd.conf" >"$tmp/checkconf.out" 2>&1 ||
        { cat "$tmp/checkconf.out" >&2; die "nsd-checkconf rejects the config"; }
fi

mkdir -p "$tmp/knot"
cat >"$tmp/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$KNOT_PORT
    udp-workers: $WORKERS
    tcp-workers: 1
    background-workers: 1
    rundir: "$tmp/knot"
    pidfile: "$tmp/knot/knot.pid"
    identity: ""
    version: ""
control:
    listen: "$tmp/knot/knot.sock"
database:
    storage: "$tmp/knot"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$tmp"
    file: "example.com.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: $ORIGIN
EOF
knotc -c "$tmp/knot.conf" conf-check >"$tmp/knot-check.out" 2>&1 ||
    { cat "$tmp/knot-check.out" >&2; die "knotc conf-check rejects the Knot config"; }

# Nothing may listen on the ports yet: a server left over from another run would
# answer in place of the ones started here.
for p in "$PORT" "$NSD_PORT" "$KNOT_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        die "127.0.0.1:$p is already in use (set BENCH_PORT)"
    fi
done

serve_cmd="taskset -c $SERVER_CPUS $SERVE $zone --listen 127.0.0.1:$PORT --threads $WORKERS"
nsd_cmd="taskset -c $SERVER_CPUS nsd -d -c $tmp/nsd.conf"
knot_cmd="taskset -c $SERVER_CPUS knotd -c $tmp/knot.conf"
say "starting serve on 127.0.0.1:$PORT, NSD on 127.0.0.1:$NSD_PORT and Knot on 127.0.0.1:$KNOT_PORT, all on CPU $SERVER_CPUS"
# shellcheck disable=SC2086 # the commands are printed and run as one string
$serve_cmd 2>"$tmp/serve.err" &
pids+=($!)
serve_pid=$!
# shellcheck disable=SC2086
$nsd_cmd >"$tmp/nsd.out" 2>&1 &
pids+=($!)
nsd_pid=$!
# shellcheck disable=SC2086
$knot_cmd >"$tmp/knot.out" 2>&1 &
pids+=($!)
knot_pid=$!
declare -A port_of=([serve]=$PORT [NSD]=$NSD_PORT [Knot]=$KNOT_PORT)
declare -A pid_of=([serve]=$serve_pid [NSD]=$nsd_pid [Knot]=$knot_pid)
servers=(serve NSD Knot)

# dnsperf OUTPUT-FILE PORT ARGS...: one dnsperf run on CLIENT_CPU.
dnsperf_run() {
    local out=$1 port=$2
    shift 2
    taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$port" "$@" >"$out" 2>&1
}
# field FILE LABEL: the first number after "LABEL:" in dnsperf's report.
field() { sed -n "/^ *$2:/{s/^ *$2: *\([0-9.]*\).*/\1/p;q}" "$1"; }

# Ready when an SOA query is answered.
echo "$ORIGIN SOA" >"$tmp/soa"
wait_for() { # port what pid
    local i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$3" 2>/dev/null || {
            cat "$tmp/serve.err" "$tmp/nsd.out" "$tmp/nsd.log" "$tmp/knot.out" 2>/dev/null | tail -20 >&2
            die "$2 exited at startup"
        }
        if dnsperf_run "$tmp/ready" "$1" -d "$tmp/soa" -n 1 -t 1 &&
            [[ $(field "$tmp/ready" "Queries completed") == 1 ]]; then
            return 0
        fi
        sleep 0.2
    done
    die "$2 did not answer within 20 s"
}
wait_for "$PORT" serve "$serve_pid"
wait_for "$NSD_PORT" NSD "$nsd_pid"
wait_for "$KNOT_PORT" Knot "$knot_pid"

# Both answer the whole file once (also a warm-up): every hit NOERROR, every miss
# NXDOMAIN.
for who in "${servers[@]}"; do
    port=${port_of[$who]}
    dnsperf_run "$tmp/check.$who" "$port" -d "$queries" -n 1 -q 20 -t 2 ||
        { cat "$tmp/check.$who" >&2; die "dnsperf failed against $who"; }
    got=$(sed -n 's/^ *Response codes: *//p' "$tmp/check.$who")
    noerror=$(grep -o 'NOERROR [0-9]*' <<<"$got" | cut -d' ' -f2 || true)
    nxdomain=$(grep -o 'NXDOMAIN [0-9]*' <<<"$got" | cut -d' ' -f2 || true)
    if [[ ${noerror:-0} != "$hits" || ${nxdomain:-0} != "$misses" ]]; then
        cat "$tmp/check.$who" >&2
        die "$who: expected NOERROR $hits and NXDOMAIN $misses, got: ${got:-no responses}"
    fi
done

# cpu_ticks CPU: busy and total jiffies of one CPU so far (/proc/stat; idle and
# iowait are not busy).
cpu_ticks() {
    awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat
}
# busy_pct BEFORE AFTER: the CPU's busy share between two cpu_ticks readings.
busy_pct() {
    awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
        printf "%.0f", (y[2] > x[2]) ? 100 * (y[1] - x[1]) / (y[2] - x[2]) : 0 }'
}

# proc_ticks PID: user and system clock ticks used so far by the process (all
# its threads) and its live descendants (NSD runs as xfrd, main and a server
# process). The system time includes the loopback delivery of the server's
# responses, which runs as a softirq inside its sendto.
proc_ticks() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '{
        s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
        parent[$1] = f[2]; ticks[$1] = f[12] + f[13]
    } END {
        for (p in ticks) for (q = p; q != "" && q > 1; q = parent[q]) if (q == root) { t += ticks[p]; break }
        print t + 0
    }'
}
hz=$(getconf CLK_TCK)

# ---- runs -------------------------------------------------------------------
perf_args=(-d "$queries" -c 1 -T 1 -l "$DURATION" -q "$OUTSTANDING")
[[ -n $QPS ]] && perf_args+=(-Q "$QPS")
say "$RUNS runs of ${DURATION} s against each, alternating"
declare -A qps lost sent latency scpu ccpu cost
for ((run = 1; run <= RUNS; run++)); do
    for who in "${servers[@]}"; do
        port=${port_of[$who]}
        out=$tmp/run.$who.$run
        pid=${pid_of[$who]}
        s0=$(cpu_ticks "$SERVER_CPU") c0=$(cpu_ticks "$CLIENT_CPU") p0=$(proc_ticks "$pid")
        dnsperf_run "$out" "$port" "${perf_args[@]}" || {
            cat "$out" >&2
            die "dnsperf failed against $who"
        }
        p1=$(proc_ticks "$pid")
        scpu[$who,$run]=$(busy_pct "$s0" "$(cpu_ticks "$SERVER_CPU")")
        ccpu[$who,$run]=$(busy_pct "$c0" "$(cpu_ticks "$CLIENT_CPU")")
        qps[$who,$run]=$(field "$out" "Queries per second")
        lost[$who,$run]=$(field "$out" "Queries lost")
        sent[$who,$run]=$(field "$out" "Queries sent")
        latency[$who,$run]=$(field "$out" "Average Latency (s)")
        completed=$(field "$out" "Queries completed")
        cost[$who,$run]=$(awk -v t=$((p1 - p0)) -v hz="$hz" -v n="${completed:-0}" \
            'BEGIN { printf "%.2f", (n > 0 ? t / hz / n * 1e6 : 0) }')
        [[ -n ${qps[$who,$run]} && -n ${lost[$who,$run]} ]] || {
            cat "$out" >&2
            die "no figures in dnsperf's report ($who, run $run)"
        }
        printf 'bench-serve: run %d %-5s %8.0f qps %9d sent %6d lost %6.0f µs latency; server %s µs CPU/query; CPU busy: server %s%%, client %s%%\n' \
            "$run" "$who" "${qps[$who,$run]}" "${sent[$who,$run]}" "${lost[$who,$run]}" \
            "$(awk -v s="${latency[$who,$run]}" 'BEGIN { print s * 1e6 }')" "${cost[$who,$run]}" \
            "${scpu[$who,$run]}" "${ccpu[$who,$run]}"
    done
done
for pid in "$serve_pid" "$nsd_pid" "$knot_pid"; do
    kill -0 "$pid" 2>/dev/null || die "a server (pid $pid) died during the runs"
done

# median WHO [ARRAY]: the median of the runs' qps (or of ARRAY; the mean of the
# middle two for an even count).
median() {
    local r
    local -n m=${2:-qps}
    for ((r = 1; r <= RUNS; r++)); do echo "${m[$1,$r]}"; done | sort -g |
        awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
total() { # WHO ARRAY
    local r sum=0
    local -n a=$2
    for ((r = 1; r <= RUNS; r++)); do sum=$((sum + ${a[$1,$r]})); done
    echo "$sum"
}
m_serve=$(median serve)
m_nsd=$(median NSD)
m_knot=$(median Knot)

# ---- report -----------------------------------------------------------------
dnsperf_cmd="taskset -c $CLIENT_CPU dnsperf -s 127.0.0.1 -p PORT ${perf_args[*]}"
echo
echo "Machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $cpus CPUs, Linux $(uname -r)"
echo "serve:   commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src examples Cargo.toml 2>/dev/null || echo ' (modified)'), --threads $WORKERS"
echo "NSD:     $(nsd -v 2>&1 | head -1), server-count: $WORKERS, $rrl"
echo "Knot:    $(knotd -V 2>&1 | head -1), udp-workers: $WORKERS"
echo "Pinned:  servers to CPU $SERVER_CPUS, dnsperf to CPU $CLIENT_CPU"
echo "dnsperf: $(dnsperf -h 2>&1 | sed -n 's/^Version //p')"
echo "Zone:    $ZONE, $(grep -vc '^\$' "$tmp/canonical.zone") RRs, $pool_size RRsets outside delegations ($zone_cmd)"
echo "Queries: $QUERIES lines, $hits hits ($types), $misses NXDOMAIN; seed $SEED"
echo
printf '%-7s' "server"
for ((r = 1; r <= RUNS; r++)); do printf ' %10s' "run $r qps"; done
printf ' %10s %10s %6s %9s %8s %8s\n' "median" "sent" "lost" "µs/query" "srv CPU" "cli CPU"
for who in "${servers[@]}"; do
    printf '%-7s' "$who"
    for ((r = 1; r <= RUNS; r++)); do printf ' %10.0f' "${qps[$who,$r]}"; done
    printf ' %10.0f %10d %6d %9s %7.0f%% %7.0f%%\n' "$(median "$who")" "$(total "$who" sent)" "$(total "$who" lost)" \
        "$(median "$who" cost)" \
        "$(($(total "$who" scpu) / RUNS))" "$(($(total "$who" ccpu) / RUNS))"
done
echo
awk -v s="$m_serve" -v n="$m_nsd" -v k="$m_knot" 'BEGIN {
    printf "serve / NSD (median qps): %.2f\n", (n > 0 ? s / n : 0)
    printf "serve / Knot (median qps): %.2f\n", (k > 0 ? s / k : 0) }'
echo "sent and lost: summed over the runs; lost: no response within dnsperf's timeout."
echo "µs/query: the server's own CPU time (user + system, its threads and child processes) per"
echo "answered query, median of the runs; independent of whether the server or dnsperf was the limit."
echo "srv CPU, cli CPU: busy share of CPU $SERVER_CPU and CPU $CLIENT_CPU during the runs (mean; /proc/stat,"
echo "softirq included: on loopback the receive path of a packet mostly runs on the sender's CPU)."
echo "NSD's response rate limiting is turned off for the comparison ($rrl)."
echo
echo "Commands (PORT: $PORT for serve, $NSD_PORT for NSD, $KNOT_PORT for Knot; the zone file and configs lived in a temp dir):"
echo "  $zone_cmd > $(basename "$zone")"
echo "  $serve_cmd"
echo "  $nsd_cmd"
echo "  $knot_cmd"
echo "  $dnsperf_cmd"
echo "NSD config:"
sed 's/^/  | /' "$tmp/nsd.conf"
echo "Knot config:"
sed 's/^/  | /' "$tmp/knot.conf"
