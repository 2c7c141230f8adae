#!/usr/bin/env bash
# Signing time and peak memory against ldns-signzone and dnssec-signzone, run by hand
# (not in CI); takes several minutes at the default size.
#
#   scripts/bench-sign.sh
#   RECORDS=200000 RUNS=3 scripts/bench-sign.sh
#
# 1. Two generated templates of RECORDS records (default 1,000,000; examples/genzone.rs
#    --template, seed 1): one for 1 host, one for HOSTS hosts (default 16). Host ns1's
#    plain zone is rendered from the one-host template for the peers. One Ed25519 key,
#    `dnssec-keygen -a ED25519 -f KSK -n ZONE` (flags 257: a CSK), in a key directory of
#    its own.
# 2. For NSEC and for NSEC3 (SHA-1, no extra iterations, no salt, no opt-out), with that
#    key, each writing its signed zone to a file in the work directory:
#      render TEMPLATE ns1 --out DIR --keys KEYS [--nsec3]
#      ldns-signzone [-n -t 0] -o ORIGIN -f OUT ZONE KEY
#      dnssec-signzone -z -N keep [-3 - -H 0] -o ORIGIN -f OUT ZONE+DNSKEY KEY
#    alternating, RUNS times each (default 3), under /usr/bin/time; prints the medians of
#    wall time and peak RSS, and ours against the fastest peer. The first run's outputs
#    are counted (records, RRSIGs, with ldns-read-zone) and ours is checked with
#    ldns-verify-zone, outside the timing. dnssec-signzone verifies what it signed
#    before writing it (its default; `-P` would skip that); ldns-signzone signs on one
#    core, dnssec-signzone and render on every core.
# 3. `render TEMPLATE16 --out DIR --keys KEYS` (every host's zone signed) against
#    `render TEMPLATE16 ns1 --out DIR --keys KEYS`, RUNS times each, NSEC and NSEC3;
#    medians and ratio.
#
# Everything is written to a directory under /dev/shm, removed on exit. The glue in the
# templates is 127.0.N.1 and 2001:db8:N::53 (file contents only); every timed command
# runs in a network namespace of its own (`unshare --net`: no interface but a loopback
# that is down) when the machine allows it, so nothing sends a packet. Installs `time`,
# `bind9-utils` and `ldnsutils` with apt-get when they are missing.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-3}
HOSTS=${HOSTS:-16}
ORIGIN=example.com
HOST=ns1

ensure bench-sign /usr/bin/time time
ensure bench-sign dnssec-signzone bind9-utils
ensure bench-sign dnssec-keygen bind9-utils
ensure bench-sign ldns-signzone ldnsutils
ensure bench-sign ldns-verify-zone ldnsutils
ensure bench-sign ldns-read-zone ldnsutils
export PATH="$PATH:/usr/sbin"

work=$(mktemp -d /dev/shm/bench-sign.XXXXXX)
trap 'rm -rf "$work"' EXIT

# executable EXAMPLE: builds the example in release mode with the dnssec feature and
# prints the path of a copy in the work directory (a later `cargo build` elsewhere,
# without the feature, would replace the file in the target directory mid-run).
executable() {
    local path
    path=$(cargo build --release --quiet --features dnssec --example "$1" --message-format=json |
        grep '"kind":\["example"\]' | grep "\"name\":\"$1\"" |
        sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
    if [ -z "$path" ]; then
        echo "bench-sign: error: cargo reported no executable for example $1" >&2
        exit 2
    fi
    cp "$path" "$work/$1"
    echo "$work/$1"
}

render=$(executable render)
genzone=$(executable genzone)

# No network for the timed commands, if this machine lets us make a namespace.
isolate=()
if unshare --net true 2>/dev/null; then
    isolate=(unshare --net)
fi

template="$work/one.template"
template_many="$work/many.template"
zone="$work/$HOST.zone"
keys="$work/keys"
ours="$work/ours"
mkdir "$keys" "$ours"
"$genzone" "$RECORDS" "$ORIGIN" 1 --template 1 >"$template"
"$genzone" "$RECORDS" "$ORIGIN" 1 --template "$HOSTS" >"$template_many"
"$render" "$template" "$HOST" >"$zone"
key=$(dnssec-keygen -q -K "$keys" -a ED25519 -f KSK -n ZONE "$ORIGIN")
key="$keys/$key"
[[ -f $key.key && -f $key.private ]] || {
    echo "bench-sign: error: dnssec-keygen made no $key.key and .private" >&2
    exit 2
}
# dnssec-signzone signs with the keys whose DNSKEY the zone publishes: its input is the
# zone with the key's DNSKEY record appended (ldns-signzone adds it from KEY.key itself).
cat "$zone" "$key.key" >"$work/$HOST.bind.zone"
# Our output file: HOSTNAME.zone in the --out directory.
ours_zone="$ours/$HOST.$ORIGIN.zone"

# run NAME COMMAND...: runs COMMAND once under /usr/bin/time (and `isolate`), stdout to
# /dev/null; appends its wall time (s) to $work/NAME.wall and its peak RSS (KiB) to
# $work/NAME.rss.
run() {
    local name=$1
    shift
    if ! /usr/bin/time -f '%e %M' -o "$work/time" "${isolate[@]}" "$@" >/dev/null 2>"$work/err"; then
        echo "bench-sign: error: $name failed:" >&2
        cat "$work/err" "$work/time" >&2
        exit 1
    fi
    # The last line: a command's own stderr may come first when it writes any.
    tail -n 1 "$work/time" | awk '{ print $1 }' >>"$work/$name.wall"
    tail -n 1 "$work/time" | awk '{ print $2 }' >>"$work/$name.rss"
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
    sort -g "$1" | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# counts FILE: "RECORDS RRSIGS" of a signed zone file, as ldns-read-zone reads it.
counts() {
    ldns-read-zone "$1" | awk '!/^;/ && NF { n++; if ($4 == "RRSIG") s++ } END { print n + 0, s + 0 }'
}

# sign_ours DENIAL, sign_ldns DENIAL, sign_bind DENIAL: one timed run of each signer.
sign_ours() {
    local nsec3=()
    [[ $1 == nsec3 ]] && nsec3=(--nsec3)
    rm -f "$ours_zone"
    run "ours-$1" "$render" "$template" "$HOST" --out "$ours" --keys "$keys" "${nsec3[@]}"
}
sign_ldns() {
    local nsec3=()
    [[ $1 == nsec3 ]] && nsec3=(-n -t 0)
    rm -f "$work/ldns-$1.zone"
    run "ldns-$1" ldns-signzone "${nsec3[@]}" -o "$ORIGIN." -f "$work/ldns-$1.zone" "$zone" "$key"
}
sign_bind() {
    local nsec3=()
    [[ $1 == nsec3 ]] && nsec3=(-3 - -H 0)
    rm -f "$work/bind-$1.zone"
    run "bind-$1" dnssec-signzone -z -N keep "${nsec3[@]}" -K "$keys" -d "$work" \
        -o "$ORIGIN" -f "$work/bind-$1.zone" "$work/$HOST.bind.zone" "$key.key"
}

declare -A label=(
    [ours]="render --keys"
    [ldns]="ldns-signzone"
    [bind]="dnssec-signzone"
)
declare -A records

bytes=$(stat -c %s "$template")
echo
echo "template: $RECORDS records, $bytes bytes, origin $ORIGIN; host $HOST; one Ed25519 CSK (tag ${key##*+})"
echo "$RUNS runs each, alternating; medians"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
echo "peers: ldns-signzone $(ldns-signzone -v | awk '{ print $NF }' | tr -d ')'), dnssec-signzone $(dnssec-signzone -V 2>&1 | awk '{ print $2; exit }')"
if ((${#isolate[@]} == 0)); then
    echo "note: unshare --net is not available here; the commands run in this network namespace"
fi

for ((i = 1; i <= RUNS; i++)); do
    for denial in nsec nsec3; do
        sign_ours "$denial"
        sign_ldns "$denial"
        sign_bind "$denial"
        if ((i == 1)); then
            records[ours-$denial]=$(counts "$ours_zone")
            records[ldns-$denial]=$(counts "$work/ldns-$denial.zone")
            records[bind-$denial]=$(counts "$work/bind-$denial.zone")
            # Ours checked by a validator that is not ours (signatures, chain, window).
            if ! ldns-verify-zone "$ours_zone" >"$work/verify" 2>&1; then
                echo "bench-sign: error: ldns-verify-zone rejects our $denial zone:" >&2
                tail -n 20 "$work/verify" >&2
                exit 1
            fi
        fi
    done
done

echo
printf "%-18s %-6s %8s %12s %10s %10s\n" "signer" "denial" "wall s" "max RSS MiB" "records" "RRSIGs"
for denial in nsec nsec3; do
    for tool in ours ldns bind; do
        read -r n s <<<"${records[$tool-$denial]}"
        awk -v label="${label[$tool]}" -v denial="${denial^^}" -v n="$n" -v s="$s" \
            -v wall="$(median "$work/$tool-$denial.wall")" -v kb="$(median "$work/$tool-$denial.rss")" \
            'BEGIN { printf "%-18s %-6s %8.2f %12.1f %10d %10d\n", label, denial, wall, kb / 1024, n, s }'
    done
done
echo "(ours passed ldns-verify-zone, NSEC and NSEC3)"
echo
for denial in nsec nsec3; do
    best=
    for tool in ldns bind; do
        if [[ -z $best ]] || awk -v a="$(median "$work/$tool-$denial.wall")" \
            -v b="$(median "$work/$best-$denial.wall")" 'BEGIN { exit !(a < b) }'; then
            best=$tool
        fi
    done
    awk -v peer="${label[$best]}" -v denial="${denial^^}" \
        -v wo="$(median "$work/ours-$denial.wall")" -v wp="$(median "$work/$best-$denial.wall")" \
        -v ro="$(median "$work/ours-$denial.rss")" -v rp="$(median "$work/$best-$denial.rss")" \
        'BEGIN { printf "%s: the fastest peer, %s, takes %.2f× our wall time (goal: 2×); our peak RSS is %.2f× its\n",
            denial, peer, wp / wo, ro / rp }'
done

# Part 3: every host against one, from the same HOSTS-host template.
many="$work/many"
single="$work/single"
mkdir "$many" "$single"
for ((i = 1; i <= RUNS; i++)); do
    for denial in nsec nsec3; do
        nsec3=()
        [[ $denial == nsec3 ]] && nsec3=(--nsec3)
        rm -f "$many"/* "$single"/*
        run "many-$denial" "$render" "$template_many" --out "$many" --keys "$keys" "${nsec3[@]}"
        if ((i == 1)); then
            written=$(find "$many" -name '*.zone' | wc -l)
            if ((written != HOSTS)); then
                echo "bench-sign: error: render --out wrote $written zones, expected $HOSTS" >&2
                exit 1
            fi
        fi
        rm -f "$many"/*
        run "single-$denial" "$render" "$template_many" "$HOST" --out "$single" --keys "$keys" "${nsec3[@]}"
    done
done
rm -f "$many"/* "$single"/*
echo
echo "template for $HOSTS hosts ($(stat -c %s "$template_many") bytes), render --out DIR --keys KEYS"
printf "%-18s %-6s %8s %12s %12s\n" "hosts" "denial" "wall s" "max RSS MiB" "wall ×one"
for denial in nsec nsec3; do
    for part in single many; do
        awk -v hosts="$([[ $part == many ]] && echo "$HOSTS hosts" || echo "1 host ($HOST)")" \
            -v denial="${denial^^}" -v wall="$(median "$work/$part-$denial.wall")" \
            -v one="$(median "$work/single-$denial.wall")" -v kb="$(median "$work/$part-$denial.rss")" \
            'BEGIN { printf "%-18s %-6s %8.2f %12.1f %12.2f\n", hosts, denial, wall, kb / 1024, wall / one }'
    done
done
echo "(goal: $HOSTS hosts within 1.3× of one)"
