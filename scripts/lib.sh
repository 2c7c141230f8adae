# shellcheck shell=bash
# Shared by the scripts in this folder; `source "$(dirname "$0")/lib.sh"`.

# apt_install PREFIX PACKAGE...: installs Debian packages as root, without prompts, and
# without letting dpkg start the services they bring (the scripts start their own, on
# their own ports): a policy-rc.d that refuses every start is put in place for the
# install unless one exists already, in which case it is left alone and used as it is.
# Exits 2 with `PREFIX: error: ...` on stderr when that cannot be done.
apt_install() {
    local prefix=$1
    shift
    echo "$prefix: installing $*"
    if [[ $(id -u) -ne 0 ]]; then
        echo "$prefix: error: need root to apt-get install $*" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    local made_policy=
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        made_policy=1
    fi
    local rc=0
    { apt-get update -q && apt-get install -y -q "$@"; } || rc=$?
    [[ -n $made_policy ]] && rm -f /usr/sbin/policy-rc.d
    if ((rc)); then
        echo "$prefix: error: apt-get failed (exit $rc)" >&2
        exit 2
    fi
}

# ensure PREFIX COMMAND PACKAGE: apt_install PACKAGE unless COMMAND is on the PATH, in
# /usr/sbin, or an executable path.
ensure() {
    if command -v "$2" >/dev/null 2>&1 || [[ -x /usr/sbin/$2 || -x $2 ]]; then
        return
    fi
    apt_install "$1" "$3"
}

# cleanup: the EXIT trap of scripts that start servers. Stops every PID in the array
# `pids` (TERM, up to 5 s, then KILL), reaps them, and removes the directory `$tmp`.
# shellcheck disable=SC2154 # pids and tmp are the calling script's
cleanup() {
    local pid i
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}

# target_dir: prints the directory cargo builds this package into, as cargo reports it
# (`CARGO_TARGET_DIR`, `build.target-dir` in a cargo config, or the default `target/`), so
# that a script finds what `cargo build` wrote wherever that is. Returns 1 when cargo
# cannot say.
target_dir() {
    local metadata dir
    metadata=$(cargo metadata --format-version 1 --no-deps) || return 1
    # One line of JSON; serde_json escapes only `"`, `\` and control characters in a path.
    dir=$(printf '%s\n' "$metadata" | sed -n 's/.*"target_directory":"\([^"\\]*\)".*/\1/p')
    [[ -n $dir ]] || return 1
    printf '%s\n' "$dir"
}
