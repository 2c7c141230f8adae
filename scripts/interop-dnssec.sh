#!/usr/bin/env bash
# Interop check for signed zones: every host's zone that the crate signs must verify in
# BIND, ldns and Knot, and load in BIND and NSD.
#
# The crate's `render` example (feature `dnssec`) signs each host's projection of three
# templates: the seed example (examples/data/example.com.template), the rich zone
# (tests/data/rich.zone, its DNSSEC records dropped with --resign) and a generated
# 100,000-record template (genzone). The seed and the rich zone are signed with each of
# four key sets, the generated one (for time) with the ECDSA set only; each with NSEC and
# with NSEC3 (--nsec3). The key sets:
#   rsa      algorithm 8  (RSASHA256, 2048 bits), KSK + ZSK, by dnssec-keygen
#   ecdsa    algorithm 13 (ECDSAP256SHA256),      KSK + ZSK, by dnssec-keygen
#   ed25519  algorithm 15 (ED25519),              KSK + ZSK, by dnssec-keygen
#   csk      algorithm 15 (ED25519), one CSK (flags 257), by the crate's `keygen` example
# Every signed file then goes through
#   dnssec-verify [-z] -o ORIGIN FILE              (bind9-utils; -z for the lone CSK, whose
#                                                   KSK flag would otherwise demand a ZSK)
#   ldns-verify-zone FILE                          (ldnsutils; also checks the ZONEMD)
#   kzonecheck --dnssec on -o ORIGIN FILE          (knot-dnssecutils)
#   named-checkzone -i local -k fail ORIGIN FILE   (bind9-utils)
#   nsd-checkzone ORIGIN FILE                      (nsd)
# and one line per tool and file gives the verdict: ok, FAILED (with the tool's output)
# or known (a departure of the tool's from an RFC, listed below and at the end). A known
# departure is recognised by the exact messages it causes; any other message fails.
# `rich-control` is the rich zone with its one escaped-comma ALPN value left out, checked
# by ldns-verify-zone only: it must pass, which shows that the known departure is all that
# ldns rejects in the rich zone.
#
# Usage: scripts/interop-dnssec.sh   (from anywhere; needs root only to install the tools
#                                     when they are missing; INTEROP_DNSSEC_JOBS checks run
#                                     at once, default the number of cores)
# Exit status: 0 when every check passed or is a known departure, 1 otherwise, 2 when the
# tools or the examples are not there.
#
# Nothing here sends a packet off the machine: the keys are made locally, BIND's checker
# gets `-i local`, and the other tools read only files (ldns-verify-zone would reach the
# network only with -S, which is not given).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export LC_ALL=C
start=$EPOCHREALTIME

# ---- tools ------------------------------------------------------------------
declare -A package=(
    [dnssec-keygen]=bind9-utils [dnssec-verify]=bind9-utils [named-checkzone]=bind9-utils
    [ldns-verify-zone]=ldnsutils [kzonecheck]=knot-dnssecutils [nsd-checkzone]=nsd
)
tools=(dnssec-keygen dnssec-verify named-checkzone ldns-verify-zone kzonecheck nsd-checkzone)
missing=()
for c in "${tools[@]}"; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
if ((${#missing[@]})); then
    echo "interop-dnssec: missing ${missing[*]}"
    mapfile -t packages < <(for c in "${missing[@]}"; do echo "${package[$c]}"; done | sort -u)
    apt_install interop-dnssec "${packages[@]}"
    for c in "${missing[@]}"; do
        command -v "$c" >/dev/null 2>&1 || {
            echo "interop-dnssec: error: $c still missing after install" >&2
            exit 2
        }
    done
fi

# ---- build ------------------------------------------------------------------
echo "interop-dnssec: cargo build --release --features dnssec --example render --example keygen --example genzone"
if ! cargo build --release --features dnssec --example render --example keygen --example genzone --quiet; then
    echo "interop-dnssec: error: cargo build failed" >&2
    exit 2
fi
target=$(target_dir) || { echo "interop-dnssec: error: cargo metadata gave no target directory" >&2; exit 2; }
RENDER=$target/release/examples/render
KEYGEN=$target/release/examples/keygen
GENZONE=$target/release/examples/genzone
for x in "$RENDER" "$KEYGEN" "$GENZONE"; do
    [[ -x $x ]] || { echo "interop-dnssec: error: $x was not built" >&2; exit 2; }
done

SEED=examples/data/example.com.template
RICH=tests/data/rich.zone
for f in "$SEED" "$RICH"; do
    [[ -f $f ]] || { echo "interop-dnssec: error: $f is missing" >&2; exit 2; }
done

JOBS=${INTEROP_DNSSEC_JOBS:-$(nproc 2>/dev/null || echo 2)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/interop-dnssec.XXXXXX")
# Checks still running when the script is stopped are ended with it.
stop_checks() {
    local pid
    for pid in $(jobs -p); do
        kill -TERM "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap 'stop_checks; rm -rf "$tmp"' EXIT

passed=0
failed=0
known=0
rows=()                 # "zone set denial host", in the order checked
declare -A verdict      # "row:check" -> ok | FAIL | known
declare -A seen_departure

# ---- known departures ---------------------------------------------------------
# ldns 1.8.3 and the escaped comma in the rich zone's `www HTTPS ... alpn="h2,h3,foo\\,bar"`.
# RFC 9460 §7.1.1 makes alpn a comma-separated value-list, and Appendix A.1 decodes it: the
# quoted string first (`\\` gives `\`), then the list, in which `\,` is a comma inside an
# item; so the value is three ALPN ids, "h2", "h3" and "foo,bar" (§7.1.1 lets a zone-file
# reader refuse `,` and `\` in ids instead, but not read them otherwise). ldns splits at
# that comma and reads four, "h2", "h3", "foo\" and "bar": its wire form of the record
# differs from the one BIND, Knot and the crate compute, so to ldns the RRSIG over www
# HTTPS is bogus and the apex ZONEMD, whose digest covers the record, matches nothing.
LDNS_ALPN_NOTE='ldns-verify-zone: RFC 9460 §7.1.1 and Appendix A.1: alpn="h2,h3,foo\\,bar" is the ids h2, h3 and "foo,bar"; ldns 1.8.3 reads "foo\" and "bar", so the www HTTPS RRSIG and the apex ZONEMD fail for ldns alone (BIND and Knot verify them; rich-control, without that value, passes ldns)'
LDNS_ALPN_LINES=(
    "Error: Bogus DNSSEC signature for www.rich.example.	HTTPS"
    "Could not validate zone digest: No ZONEMD matching the zone data was found"
    "There were errors in the zone"
)

# is_known ZONE CHECK OUTPUT: whether a failed check's output is exactly a known departure.
# Prints the departure's name.
is_known() {
    local zone=$1 check=$2 out=$3 line
    if [[ $zone == rich && $check == ldns ]]; then
        grep -qxF "${LDNS_ALPN_LINES[0]}" "$out" || return 1
        while IFS= read -r line; do
            [[ -z $line ]] && continue
            printf '%s\n' "${LDNS_ALPN_LINES[@]}" | grep -qxF -- "$line" || return 1
        done <"$out"
        echo ldns-alpn
        return 0
    fi
    return 1
}

# ---- helpers ----------------------------------------------------------------
# Print a tool's output indented, at most 20 lines.
show() {
    local f=$1 n
    n=$(wc -l <"$f")
    ((n > 0)) || { echo "      | (no output)"; return 0; }
    sed -n '1,20s/^/      | /p' "$f"
    ((n <= 20)) || echo "      | ... ($((n - 20)) more lines)"
}

# Microseconds since the epoch.
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# seconds FROM_US: the time since FROM_US, as seconds with one decimal.
seconds() {
    local d=$(($(now_us) - $1))
    printf '%d.%d' $((d / 1000000)) $((d % 1000000 / 100000))
}

# ok_message CHECK OUTPUT: what an ok verdict quotes of the tool's output, on one line:
# dnssec-verify's key summary (what follows "Zone fully signed:"), else the last line.
ok_message() {
    local text
    if [[ $1 == verify ]]; then
        text=$(sed -n '/^Zone fully signed:/,$p' "$2")
    else
        text=$(grep -v '^[[:space:]]*$' "$2" | tail -n 1 || true)
    fi
    text=$(printf '%s' "$text" | tr -s ' \t\n' ' ')
    text=${text# }
    echo "${text:-(no output)}"
}

# run_one BASE COMMAND...: runs COMMAND with its output in BASE.out, its exit status and
# time in BASE.rc. Always returns 0 (it runs in the background).
run_one() {
    local base=$1 t0 rc=0
    shift
    t0=$(now_us)
    "$@" >"$base.out" 2>&1 </dev/null || rc=$?
    echo "$rc $(seconds "$t0")" >"$base.rc"
}

# Start a background job only when fewer than JOBS are running.
throttle() {
    while (($(jobs -rp | wc -l) >= JOBS)); do
        wait -n 2>/dev/null || true
    done
}

# check_command CHECK ORIGIN FILE SET: sets `cmd` to the tool's command line.
check_command() {
    local z=()
    case $1 in
        verify)
            [[ $4 == csk ]] && z=(-z)
            cmd=(dnssec-verify "${z[@]}" -o "$2" "$3")
            ;;
        ldns) cmd=(ldns-verify-zone "$3") ;;
        knot) cmd=(kzonecheck --dnssec on -o "$2" "$3") ;;
        named) cmd=(named-checkzone -i local -k fail "$2" "$3") ;;
        nsd) cmd=(nsd-checkzone "$2" "$3") ;;
    esac
}

# Record and print one verdict.
verdict_line() { # row check status(ok|FAIL|known) label time message
    verdict[$1:$2]=$3
    case $3 in
        ok) passed=$((passed + 1)); printf '    ok      %-24s %5ss  %s\n' "$4" "$5" "$6" ;;
        known) known=$((known + 1)); printf '    known   %-24s %5ss  %s\n' "$4" "$5" "$6" ;;
        FAIL) failed=$((failed + 1)); printf '    FAILED  %-24s %5ss  %s\n' "$4" "$5" "$6" ;;
    esac
}

# make_keys SET ORIGIN DIR: a key set for ORIGIN in DIR.
make_keys() {
    local set=$1 origin=$2 dir=$3 alg bits=()
    mkdir -p "$dir"
    case $set in
        rsa) alg=RSASHA256 bits=(-b 2048) ;;
        ecdsa) alg=ECDSAP256SHA256 ;;
        ed25519) alg=ED25519 ;;
        csk)
            "$KEYGEN" "$origin" --dir "$dir" >"$dir/ds" 2>"$dir/keygen.log"
            return
            ;;
        *) return 1 ;;
    esac
    dnssec-keygen -q -K "$dir" -a "$alg" "${bits[@]}" -f KSK -n ZONE "$origin" >>"$dir/keygen.log" 2>&1 &&
        dnssec-keygen -q -K "$dir" -a "$alg" "${bits[@]}" -n ZONE "$origin" >>"$dir/keygen.log" 2>&1
}

# The DNSKEYs a key set must give: "FLAGS/ALGORITHM ..." sorted.
expected_dnskeys() {
    case $1 in
        rsa) echo "256/8 257/8" ;;
        ecdsa) echo "256/13 257/13" ;;
        ed25519) echo "256/15 257/15" ;;
        csk) echo "257/15" ;;
    esac
}

# sign_and_check ZONE ORIGIN TEMPLATE SET DENIAL CHECKS...: signs every host's zone of
# TEMPLATE with key set SET and DENIAL (nsec | nsec3), then runs CHECKS on each file.
sign_and_check() {
    local zone=$1 origin=$2 template=$3 set=$4 denial=$5
    shift 5
    local checks=("$@") keys="$tmp/keys/${origin%.}/$set" out="$tmp/signed/$zone/$set/$denial"
    local args=(--keys "$keys") t0 rc=0 files=() f host row c base status message time
    [[ $denial == nsec3 ]] && args+=(--nsec3)
    [[ $zone == rich* ]] && args+=(--resign)
    [[ -d $keys ]] || make_keys "$set" "${origin%.}" "$keys" || {
        echo "  $zone $set $denial: FAILED to make the keys:"
        show "$keys/keygen.log"
        failed=$((failed + 1))
        return
    }
    mkdir -p "$out"
    echo
    echo "  -- $zone, $set, $denial: $RENDER $template --out DIR ${args[*]}"
    t0=$(now_us)
    "$RENDER" "$template" --out "$out" "${args[@]}" 2>"$out/render.err" || rc=$?
    time=$(seconds "$t0")
    mapfile -t files < <(sed -n 's/^wrote //p' "$out/render.err")
    if ((rc)) || ((${#files[@]} == 0)); then
        rows+=("$zone $set $denial -")
        verdict_line "$zone $set $denial -" sign FAIL render "$time" "exit $rc, ${#files[@]} files"
        show "$out/render.err"
        return
    fi
    # The files are what was asked for: the key set's DNSKEYs, the denial's records.
    for f in "${files[@]}"; do
        local dnskeys nsec nsec3 want
        dnskeys=$(awk -F'\t' '$4 == "DNSKEY" { split($5, a, " "); print a[1] "/" a[3] }' "$f" | sort | xargs)
        nsec=$(awk -F'\t' '$4 == "NSEC"' "$f" | wc -l)
        nsec3=$(awk -F'\t' '$4 == "NSEC3"' "$f" | wc -l)
        want=$(expected_dnskeys "$set")
        host=$(basename "$f" .zone)
        row="$zone $set $denial $host"
        message="$(grep -cv '^\$' "$f") records, DNSKEY $dnskeys, $nsec NSEC, $nsec3 NSEC3"
        local denial_ok=0
        case $denial in
            nsec) ((nsec > 0 && nsec3 == 0)) && denial_ok=1 ;;
            nsec3) ((nsec3 > 0 && nsec == 0)) && denial_ok=1 ;;
        esac
        if [[ $dnskeys == "$want" ]] && ((denial_ok)); then
            verdict_line "$row" sign ok "render $host" "$time" "$message (time: all hosts)"
        else
            verdict_line "$row" sign FAIL "render $host" "$time" "$message (expected DNSKEY $want, $denial only)"
        fi
    done
    # The checks, JOBS at a time; their verdicts in order once all are done.
    for f in "${files[@]}"; do
        for c in "${checks[@]}"; do
            check_command "$c" "$origin" "$f" "$set"
            throttle
            run_one "${f%.zone}.$c" "${cmd[@]}" &
        done
    done
    wait
    for f in "${files[@]}"; do
        host=$(basename "$f" .zone)
        row="$zone $set $denial $host"
        rows+=("$row")
        echo "   $host: $f"
        for c in "${checks[@]}"; do
            base=${f%.zone}.$c
            check_command "$c" "$origin" "$f" "$set"
            read -r rc time <"$base.rc"
            if ((rc == 0)); then
                verdict_line "$row" "$c" ok "${cmd[0]}" "$time" "$(ok_message "$c" "$base.out")"
            elif status=$(is_known "$zone" "$c" "$base.out"); then
                seen_departure[$status]=1
                verdict_line "$row" "$c" known "${cmd[0]}" "$time" "exit $rc: see known departure $status"
                show "$base.out"
            else
                verdict_line "$row" "$c" FAIL "${cmd[0]}" "$time" "exit $rc: \$ ${cmd[*]}"
                show "$base.out"
            fi
        done
    done
}

ALL=(verify ldns knot named nsd)
SETS=(rsa ecdsa ed25519 csk)
DENIALS=(nsec nsec3)

# ---- the zones --------------------------------------------------------------
echo
echo "== seed: $SEED (origin example.com.)"
for set in "${SETS[@]}"; do
    for denial in "${DENIALS[@]}"; do
        sign_and_check seed example.com. "$SEED" "$set" "$denial" "${ALL[@]}"
    done
done

echo
echo "== rich: $RICH (origin rich.example.; its DNSSEC records dropped, --resign)"
for set in "${SETS[@]}"; do
    for denial in "${DENIALS[@]}"; do
        sign_and_check rich rich.example. "$RICH" "$set" "$denial" "${ALL[@]}"
    done
done

echo
echo "== rich-control: $RICH without its escaped-comma ALPN value, ldns-verify-zone only"
sed 's/alpn="h2,h3,foo\\\\,bar"/alpn="h2,h3"/' "$RICH" >"$tmp/rich-control.zone"
if cmp -s "$RICH" "$tmp/rich-control.zone"; then
    printf '  FAILED: the value alpn="h2,h3,foo\\\\,bar" is no longer in %s; update this script\n' "$RICH"
    failed=$((failed + 1))
else
    for set in "${SETS[@]}"; do
        for denial in "${DENIALS[@]}"; do
            sign_and_check rich-control rich.example. "$tmp/rich-control.zone" "$set" "$denial" ldns
        done
    done
fi

echo
echo "== gen: $GENZONE 100000 gen.example. 1 --template 2 (ecdsa only, for time)"
if "$GENZONE" 100000 gen.example. 1 --template 2 >"$tmp/gen.template" 2>"$tmp/gen.err"; then
    echo "  generated $(wc -l <"$tmp/gen.template") lines"
    for denial in "${DENIALS[@]}"; do
        sign_and_check gen gen.example. "$tmp/gen.template" ecdsa "$denial" "${ALL[@]}"
        rm -f "$tmp"/signed/gen/ecdsa/"$denial"/*.zone # 30 MB each
    done
else
    show "$tmp/gen.err"
    echo "  FAILED: genzone failed; nothing signed"
    failed=$((failed + 1))
fi

# ---- summary ----------------------------------------------------------------
echo
printf '%-13s %-8s %-6s %-20s %-6s %-6s %-6s %-6s %-6s %-6s\n' \
    zone keys denial host sign verify ldns knot named nsd
for row in "${rows[@]}"; do
    read -r z s d h <<<"$row"
    printf '%-13s %-8s %-6s %-20s %-6s %-6s %-6s %-6s %-6s %-6s\n' "$z" "$s" "$d" "$h" \
        "${verdict[$row:sign]:--}" "${verdict[$row:verify]:--}" "${verdict[$row:ldns]:--}" \
        "${verdict[$row:knot]:--}" "${verdict[$row:named]:--}" "${verdict[$row:nsd]:--}"
done
echo "(sign: render wrote the host's zone with the key set's DNSKEYs and only the asked-for"
echo " denial records; verify: dnssec-verify; ldns: ldns-verify-zone; knot: kzonecheck"
echo " --dnssec on; named: named-checkzone -i local -k fail; nsd: nsd-checkzone)"
if ((${#seen_departure[@]})); then
    echo
    echo "known departures (the tool departs from the RFC, not the crate):"
    [[ -n ${seen_departure[ldns-alpn]:-} ]] && echo "  ldns-alpn: $LDNS_ALPN_NOTE"
fi
echo
echo "interop-dnssec: $passed passed, $failed failed, $known known ($(seconds "${start/./}") s)"
((failed == 0))
