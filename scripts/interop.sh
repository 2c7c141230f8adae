#!/usr/bin/env bash
# Interop check: zones written by the multiprimary crate must load in BIND,
# NSD and Knot.
#
# For each zone below, the crate's `zone` example parses the input and writes
# it in canonical text into a temp dir. Then named-checkzone, nsd-checkzone and
# kzonecheck each check the written file. For the root zone the record counts
# are also compared against BIND's own reading of the original file.
#
# Usage: scripts/interop.sh        (from anywhere; needs root only to install
#                                  the checkers when they are missing)
# Exit status: 0 only if every check passed.
#
# Nothing here sends a packet off the machine: BIND tools always get
# `-i local`, so they never look up out-of-zone names, and NSD/Knot checkers
# do no lookups at all. The tools are run only on files.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export LC_ALL=C

# ---- checkers ---------------------------------------------------------------
missing=()
for c in named-checkzone named-compilezone nsd-checkzone kzonecheck; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
if ((${#missing[@]})); then
    echo "interop: missing ${missing[*]}"
    apt_install interop bind9-utils nsd knot-dnssecutils
    for c in named-checkzone named-compilezone nsd-checkzone kzonecheck; do
        command -v "$c" >/dev/null 2>&1 || {
            echo "interop: error: $c still missing after install" >&2
            exit 2
        }
    done
fi

# ---- build ------------------------------------------------------------------
echo "interop: cargo build --release --examples"
if ! cargo build --release --examples --quiet; then
    echo "interop: error: cargo build failed" >&2
    exit 2
fi
target=$(target_dir) || { echo "interop: error: cargo metadata gave no target directory" >&2; exit 2; }
ZONE=$target/release/examples/zone
GENZONE=$target/release/examples/genzone
[[ -x $ZONE ]] || { echo "interop: error: $ZONE was not built" >&2; exit 2; }

SEED=examples/data/example.com.zone
RICH=tests/data/rich.zone
ROOT=tests/data/root.zone
[[ -f $SEED ]] || { echo "interop: error: seed zone $SEED is missing" >&2; exit 2; }
[[ -f $RICH ]] || { echo "interop: error: $RICH is missing" >&2; exit 2; }
[[ -f $ROOT ]] || { echo "interop: error: $ROOT is missing" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/interop.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

CHECKERS=(named nsd knot)
passed=0
failed=0
declare -A result # "zone:check" -> ok | FAIL | -
zones=()

# Print a tool's output indented, at most 20 lines.
show() {
    local f=$1 n
    n=$(wc -l <"$f")
    ((n > 0)) || { echo "    | (no output)"; return 0; }
    sed -n '1,20s/^/    | /p' "$f"
    ((n <= 20)) || echo "    | ... ($((n - 20)) more lines)"
}

# Record one check's outcome.
record() { # zone check status(0=ok)
    if (($3 == 0)); then
        result[$1:$2]=ok
        passed=$((passed + 1))
    else
        result[$1:$2]=FAIL
        failed=$((failed + 1))
    fi
}

# Run one checker on a written zone file.
run_checker() { # zone checker origin file
    local z=$1 c=$2 origin=$3 file=$4 out="$tmp/$1.$2.out" rc=0
    case $c in
        named) set -- named-checkzone -i local -k fail "$origin" "$file" ;;
        nsd) set -- nsd-checkzone "$origin" "$file" ;;
        knot) set -- kzonecheck -d off -o "$origin" "$file" ;;
    esac
    echo "  \$ $*"
    "$@" >"$out" 2>&1 || rc=$?
    show "$out"
    if ((rc)); then echo "    -> FAIL (exit $rc)"; else echo "    -> ok"; fi
    record "$z" "$c" "$rc"
}

# Records in a master file written one record per line.
count_lines() {
    grep -Evc '^[[:space:]]*($|;|\$)' "$1" || true
}

# Records as BIND reads them: compile to full text, one record per line,
# comments dropped, sorted.
bind_records() { # origin input output
    if named-compilezone -q -i local -f text -F text -s full -o "$3.raw" "$1" "$2" >"$3.log" 2>&1; then
        grep -v '^;' "$3.raw" | sort >"$3"
    else
        show "$3.log"
        return 1
    fi
}

# Did writing change the data? Compare the input and the written file as BIND
# reads them. Sets orig/ours to their record counts ("-" when unreadable).
compare_records() { # zone origin input written
    local z=$1 rc=0
    orig=- ours=-
    echo "  same records? (named-compilezone -s full of the input vs the written file)"
    if ! bind_records "$2" "$3" "$tmp/$z.orig.full"; then
        echo "    -> BIND cannot read the input; not compared"
        return 0
    fi
    orig=$(wc -l <"$tmp/$z.orig.full")
    bind_records "$2" "$4" "$tmp/$z.ours.full" && ours=$(wc -l <"$tmp/$z.ours.full")
    if [[ $ours == - ]]; then
        rc=1
    elif diff "$tmp/$z.orig.full" "$tmp/$z.ours.full" >"$tmp/$z.diff"; then
        echo "    identical: $orig records"
    else
        echo "    the records differ (< input, > written):"
        show "$tmp/$z.diff"
        rc=1
    fi
    if ((rc)); then echo "    -> FAIL"; else echo "    -> ok"; fi
    record "$z" same "$rc"
}

# Write INPUT with the crate to $tmp/NAME.zone, run all checkers on it, and
# compare its records with the input's.
check_zone() { # name origin input
    local z=$1 origin=$2 input=$3 out="$tmp/$1.zone" err="$tmp/$1.write.err" rc=0
    zones+=("$z")
    echo
    echo "== $z: $input (origin $origin)"
    echo "  \$ $ZONE $input --origin $origin > $out"
    "$ZONE" "$input" --origin "$origin" >"$out" 2>"$err" || rc=$?
    if [[ -s $err ]]; then
        echo "  crate said ($(grep -c '^warning:' "$err" || true) warnings):"
        show "$err"
    fi
    if ((rc)); then
        echo "  -> the crate failed to write $z (exit $rc); checkers not run"
        result[$z:write]=FAIL
        for c in "${CHECKERS[@]}"; do
            result[$z:$c]=FAIL
            failed=$((failed + 1))
        done
        return 1
    fi
    result[$z:write]=ok
    echo "  wrote $(wc -l <"$out") lines"
    for c in "${CHECKERS[@]}"; do
        run_checker "$z" "$c" "$origin" "$out"
    done
    compare_records "$z" "$origin" "$input" "$out"
}

# ---- the zones --------------------------------------------------------------
check_zone seed example.com. "$SEED" || true
check_zone rich rich.example. "$RICH" || true

echo
echo "== gen: generating with $GENZONE 100000 gen.example."
if [[ -x $GENZONE ]] && "$GENZONE" 100000 gen.example. >"$tmp/gen.in" 2>"$tmp/gen.err"; then
    [[ -s $tmp/gen.err ]] && show "$tmp/gen.err"
    echo "  generated $(wc -l <"$tmp/gen.in") lines"
    check_zone gen gen.example. "$tmp/gen.in" || true
else
    [[ -s $tmp/gen.err ]] && show "$tmp/gen.err"
    echo "  -> genzone is missing or failed; checkers not run"
    zones+=(gen)
    result[gen:write]=FAIL
    for c in "${CHECKERS[@]}"; do
        result[gen:$c]=FAIL
        failed=$((failed + 1))
    done
fi

if check_zone root . "$ROOT"; then
    # orig/ours were set by compare_records: records as BIND reads them.
    written=$(count_lines "$tmp/root.zone")
    echo "  record counts:"
    echo "    original corpus file, as BIND reads it (named-compilezone -s full): $orig"
    echo "    our written file, as BIND reads it (named-compilezone -s full):     $ours"
    echo "    lines of records in our written file (non-comment, non-\$):        $written"
    rc=0; [[ $orig != - && $orig == "$ours" ]] || rc=1
    record root count "$rc"
    rc=0; [[ $orig != - && $orig == "$written" ]] || rc=1
    record root lines "$rc"
fi

# ---- summary ----------------------------------------------------------------
echo
printf '%-6s %-6s %-6s %-6s %-6s %-6s %-6s %-6s\n' zone write named nsd knot same count lines
for z in "${zones[@]}"; do
    printf '%-6s %-6s %-6s %-6s %-6s %-6s %-6s %-6s\n' "$z" \
        "${result[$z:write]:--}" "${result[$z:named]:--}" "${result[$z:nsd]:--}" \
        "${result[$z:knot]:--}" "${result[$z:same]:--}" "${result[$z:count]:--}" \
        "${result[$z:lines]:--}"
done
echo "(named/nsd/knot: the checker accepts the crate's written file; same: BIND reads"
echo " the same records from the input and the written file; count/lines: root record counts)"
echo
echo "interop: $passed passed, $failed failed"
((failed == 0))
bash scripts/interop-dnssec.sh # the signed zones (DNSSEC): dnssec-verify, ldns-verify-zone, kzonecheck --dnssec on
