#!/usr/bin/env bash
# Render time and peak memory against nsd-checkzone, run by hand (not in CI); takes a
# few minutes.
#
#   scripts/bench-render.sh
#   RECORDS=200000 RUNS=3 scripts/bench-render.sh
#
# 1. Two generated templates of RECORDS records (examples/genzone.rs --template, seed
#    1): one for 1 host, one for HOSTS hosts (default 16); `LOCAL-IP` at the apex and
#    `www`, glue on 127.0.N.1 and 2001:db8:N::53 (file contents only: nothing here
#    sends a packet).
# 2. Renders host ns1's zone from the one-host template to a file, then alternates
#    `render TEMPLATE ns1 >/dev/null` and `nsd-checkzone ORIGIN ZONE` on that zone,
#    RUNS times each (default 5), under /usr/bin/time -v; prints the medians of wall
#    time and peak RSS and their ratios.
# 3. Alternates `render TEMPLATE16 --out DIR` (every host's zone) and
#    `render TEMPLATE16 ns1 >/dev/null`, RUNS times each; medians and ratio.
#
# Runs alternate (A, B, A, B, ...) so that a machine busy with something else slows
# both sides alike. Installs `time` and `nsd` with apt-get when they are missing.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-5}
HOSTS=${HOSTS:-16}
ORIGIN=example.com
HOST=ns1

ensure bench-render /usr/bin/time time
ensure bench-render nsd-checkzone nsd
export PATH="$PATH:/usr/sbin"

# executable EXAMPLE: builds the example in release mode and prints its path, as cargo
# reports it (wherever CARGO_TARGET_DIR or the config puts it).
executable() {
    local path
    path=$(cargo build --release --quiet --example "$1" --message-format=json |
        grep '"kind":\["example"\]' | grep "\"name\":\"$1\"" |
        sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
    if [ -z "$path" ]; then
        echo "error: cargo reported no executable for example $1" >&2
        exit 2
    fi
    echo "$path"
}

render=$(executable render)
genzone=$(executable genzone)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
template="$work/one.template"
template_many="$work/many.template"
zone="$work/$HOST.zone"
"$genzone" "$RECORDS" "$ORIGIN" 1 --template 1 >"$template"
"$genzone" "$RECORDS" "$ORIGIN" 1 --template "$HOSTS" >"$template_many"
"$render" "$template" "$HOST" >"$zone"
nsd-checkzone "$ORIGIN" "$zone" >/dev/null

# run NAME COMMAND...: runs COMMAND once under /usr/bin/time -v, stdout to /dev/null;
# appends its wall time (s) to $work/NAME.wall and its peak RSS (KiB) to $work/NAME.rss.
run() {
    local name=$1
    shift
    if ! /usr/bin/time -v -o "$work/time" "$@" >/dev/null 2>"$work/err"; then
        echo "error: $name failed:" >&2
        cat "$work/err" "$work/time" >&2
        exit 1
    fi
    awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, part, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + part[i]
        print s }' "$work/time" >>"$work/$name.wall"
    awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time" >>"$work/$name.rss"
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
    sort -g "$1" | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# row NAME LABEL: a table row of NAME's median wall time and peak RSS.
row() {
    awk -v label="$2" -v wall="$(median "$work/$1.wall")" -v kb="$(median "$work/$1.rss")" \
        'BEGIN { printf "%-40s %8.2f %12.1f\n", label, wall, kb / 1024 }'
}

# ratio A B: B's median over A's, for wall time and for RSS.
ratio() {
    awk -v wa="$(median "$work/$1.wall")" -v wb="$(median "$work/$2.wall")" \
        -v ra="$(median "$work/$1.rss")" -v rb="$(median "$work/$2.rss")" \
        'BEGIN { printf "%.2f× the wall time, %.2f× the peak RSS", wb / wa, rb / ra }'
}

bytes=$(stat -c %s "$template")
echo
echo "template: $RECORDS records, $bytes bytes, origin $ORIGIN; host $HOST; $RUNS runs each, alternating; medians"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
echo
for ((i = 1; i <= RUNS; i++)); do
    run render "$render" "$template" "$HOST"
    run nsd nsd-checkzone "$ORIGIN" "$zone"
done
printf "%-40s %8s %12s\n" "command" "wall s" "max RSS MiB"
row render "render TEMPLATE $HOST"
row nsd "nsd-checkzone $ORIGIN ZONE"
echo "nsd-checkzone takes $(ratio render nsd) of render"

out="$work/out"
mkdir "$out"
for ((i = 1; i <= RUNS; i++)); do
    run many "$render" "$template_many" --out "$out"
    run single "$render" "$template_many" "$HOST"
done
echo
echo "template for $HOSTS hosts ($(stat -c %s "$template_many") bytes)"
printf "%-40s %8s %12s\n" "command" "wall s" "max RSS MiB"
row many "render TEMPLATE$HOSTS --out DIR"
row single "render TEMPLATE$HOSTS $HOST"
echo "$HOSTS hosts take $(ratio single many) of one"
