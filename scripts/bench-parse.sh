#!/usr/bin/env bash
# Parse throughput and peak memory, run by hand (not in CI); takes a few minutes.
#
#   scripts/bench-parse.sh            # criterion bench, then the table below
#   BENCH=0 scripts/bench-parse.sh    # the table only
#   RECORDS=200000 RUNS=3 scripts/bench-parse.sh
#
# 1. `cargo bench --bench parse` (multiprimary vs hickory-proto, root zone and a
#    generated 1,000,000-record zone; see benches/parse.rs).
# 2. One generated zone of RECORDS records (examples/genzone.rs, seed 1), then
#    /usr/bin/time -v over: the `parse` example (release), nsd-checkzone, and
#    named-checkzone -i local (always `-i local`: the default resolves
#    out-of-zone names through the system resolver). Prints wall time, MB/s of
#    zone text (10^6 bytes) and peak RSS for each; with RUNS > 1, the best wall
#    time and the largest RSS.
#
# Installs `time`, `nsd` and `bind9-utils` with apt-get when they are missing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-1}
BENCH=${BENCH:-1}
ORIGIN=example.com

ensure bench-parse /usr/bin/time time
ensure bench-parse nsd-checkzone nsd
ensure bench-parse named-checkzone bind9-utils
export PATH="$PATH:/usr/sbin"

if [ "$BENCH" != 0 ]; then
    cargo bench --bench parse
fi

cargo build --release --quiet --example parse --example genzone
target=$(target_dir) || { echo "bench-parse: error: cargo metadata gave no target directory" >&2; exit 2; }
examples=$target/release/examples

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
zone="$work/generated.zone"
"$examples/genzone" "$RECORDS" "$ORIGIN" 1 >"$zone"
bytes=$(stat -c %s "$zone")

# measure NAME COMMAND...: runs COMMAND RUNS times under /usr/bin/time -v, prints a table row.
measure() {
    local name=$1
    shift
    local best="" rss=0 status=0 run
    for ((run = 1; run <= RUNS; run++)); do
        if ! /usr/bin/time -v -o "$work/time" "$@" >"$work/out" 2>&1; then
            status=1
        fi
        local wall kb
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
            n = split($2, part, ":"); s = 0
            for (i = 1; i <= n; i++) s = s * 60 + part[i]
            print s }' "$work/time")
        kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$wall
        fi
        if [ "$kb" -gt "$rss" ]; then
            rss=$kb
        fi
    done
    local result
    result=$(tail -n 1 "$work/out")
    if [ "$status" != 0 ]; then
        result="FAILED: $result"
    fi
    awk -v name="$name" -v wall="$best" -v kb="$rss" -v bytes="$bytes" -v result="$result" 'BEGIN {
        mbs = wall > 0 ? bytes / 1e6 / wall : 0
        printf "%-26s %8.2f %9.1f %12.1f %9.2f  %s\n", name, wall, mbs, kb / 1024, kb * 1024 / bytes, result }'
}

echo
echo "zone: $RECORDS records, $bytes bytes ($(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB), origin $ORIGIN, $RUNS run(s) each"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
echo
printf "%-26s %8s %9s %12s %9s  %s\n" "tool" "wall s" "MB/s" "max RSS MiB" "RSS/input" "output"
measure "multiprimary (parse)" "$examples/parse" "$zone" --origin "$ORIGIN"
measure "nsd-checkzone" nsd-checkzone "$ORIGIN" "$zone"
measure "named-checkzone -i local" named-checkzone -i local "$ORIGIN" "$zone"
