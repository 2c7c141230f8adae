#!/usr/bin/env bash
# MSRV check: no dependency that a user of the crate compiles may declare a rust-version
# above the crate's own.
#
# Only one toolchain is at hand here, so the rust-version in Cargo.toml is not proved by
# building with that compiler. It is guarded two ways instead: clippy's incompatible_msrv
# lint (warn by default, an error under CI's -D warnings) flags our own uses of std API
# stabilised after our rust-version, and this script reads `cargo metadata` (all features,
# every platform) and fails if any package reached from the crate through normal or build
# dependencies (not dev-dependencies: users never build those) declares a higher
# rust-version. A dependency that declares none is listed but not counted as a failure.
#
# Usage: scripts/msrv.sh     (from anywhere; installs jq with apt-get when missing)
# Exit status: 0 if every such dependency fits, 1 if one does not, 2 if it cannot tell.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

if ! command -v jq >/dev/null 2>&1; then
    apt_install msrv jq
fi

metadata=$(cargo metadata --format-version 1 --all-features --locked) || {
    echo "msrv: error: cargo metadata failed" >&2
    exit 2
}

# One line per dependency reached: `ok|above|none NAME VERSION RUST-VERSION`, after a first
# line `ours NAME VERSION RUST-VERSION`.
report=$(jq -r '
    def ver: split(".") | map(tonumber) | (. + [0, 0, 0])[0:3];
    (.packages | map({key: .id, value: .}) | from_entries) as $packages
    | (.resolve.nodes
       | map({key: .id,
              value: [.deps[] | select(any(.dep_kinds[]; .kind != "dev")) | .pkg]})
       | from_entries) as $edges
    | .resolve.root as $root
    | $packages[$root] as $crate
    | if $crate.rust_version == null then error("the crate declares no rust-version") else . end
    | ($crate.rust_version | ver) as $ours
    | {seen: [$root], todo: [$root]}
    | until(.todo | length == 0;
            ([.todo[] | $edges[.][]] | unique) as $next
            | ($next - .seen) as $new
            | {seen: (.seen + $new), todo: $new})
    | "ours \($crate.name) \($crate.version) \($crate.rust_version)",
      (.seen - [$root]
       | map($packages[.])
       | sort_by(.name)[]
       | (if .rust_version == null then "none"
          elif (.rust_version | ver) > $ours then "above"
          else "ok" end) + " \(.name) \(.version) \(.rust_version // "-")")
' <<<"$metadata") || {
    echo "msrv: error: could not read the dependency graph from cargo metadata" >&2
    exit 2
}

read -r _ name version ours <<<"$(head -n 1 <<<"$report")"
deps=$(tail -n +2 <<<"$report")
total=$(grep -c . <<<"$deps" || true)
highest=$(awk '$4 != "-" { print $4 }' <<<"$deps" | sort -V | tail -n 1)
echo "msrv: $name $version declares rust-version $ours; $total normal and build dependencies, highest declared ${highest:-none}"
none=$(awk '$1 == "none" { printf " %s@%s", $2, $3 }' <<<"$deps")
[[ -z $none ]] || echo "msrv: declaring no rust-version (not checked):$none"
above=$(awk '$1 == "above" { printf "  %s %s needs rust-version %s\n", $2, $3, $4 }' <<<"$deps")
if [[ -n $above ]]; then
    echo "msrv: error: dependencies above rust-version $ours:" >&2
    printf '%s' "$above" >&2
    exit 1
fi
echo "msrv: ok"
