#!/usr/bin/env bash
# Checks examples/multiprimary.service: `systemd-analyze verify` must accept it with no
# complaint at all (it exits 0 on unknown keys and bad values, printing them, so any line
# it prints fails the check), and the unit must keep what the README promises: a dynamic
# user with only CAP_NET_BIND_SERVICE, a read-only file system, restart on failure and
# reload by SIGHUP. ExecStart names /usr/local/bin/multiprimary-serve, which is not there
# on a build machine, so the unit checked is a copy naming the serve example as built.
# Installs systemd (for systemd-analyze) when it is missing. Nothing is started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
say() { echo "service: $*"; }
die() {
    echo "service: error: $*" >&2
    exit 1
}

ensure service systemd-analyze systemd
unit=examples/multiprimary.service
for line in \
    'DynamicUser=yes' \
    'AmbientCapabilities=CAP_NET_BIND_SERVICE' \
    'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' \
    'ProtectSystem=strict' \
    'NoNewPrivileges=yes' \
    'Restart=on-failure' \
    'ExecReload=/bin/kill -HUP $MAINPID' \
    'ExecStart=/usr/local/bin/multiprimary-serve --config /srv/multiprimary/serve.toml'; do
    grep -qxF -- "$line" "$unit" || die "$unit lacks the line: $line"
done

target=$(target_dir) || die "cargo metadata gave no target directory"
say "cargo build --release --features server --example serve"
cargo build --release --quiet --features server --example serve || die "cargo build failed"
serve=$target/release/examples/serve
[[ -x $serve ]] || die "$serve was not built"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/multiprimary-service.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sed "s|/usr/local/bin/multiprimary-serve|$serve|" "$unit" >"$tmp/multiprimary.service"
say "systemd-analyze verify $unit (ExecStart=$serve)"
rc=0
output=$(systemd-analyze verify "$tmp/multiprimary.service" 2>&1) || rc=$?
if ((rc)) || [[ -n $output ]]; then
    printf '%s\n' "$output" >&2
    die "systemd-analyze verify refused $unit (exit $rc)"
fi
say "ok: systemd-analyze verify accepts $unit"
