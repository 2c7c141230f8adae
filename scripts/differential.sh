#!/usr/bin/env bash
# Differential test of the answer path: the crate's `udp` example and NSD serve
# the same zones on loopback, kdig sends both the same queries, and the
# responses are compared.
#
# Zones: tests/data/answer.zone (example.), tests/data/rich.zone (rich.example.)
# and an edge-case zone written below (edge.test.). NSD serves all three on one
# port; the crate runs one `udp` process per zone, and each query goes to the
# process serving the closest enclosing zone (names in none go to example.'s).
#
# Compared for every query: the question as echoed (case included), RCODE
# (extended by the OPT record), AA, TC, RD, RA, AD, CD, the OPT record's presence,
# version and DO bit, the answer and authority sections as sets of RRs (owner
# lowercased, TTL, type, rdata; names inside rdata lowercased), and for
# referrals the glue (A/AAAA in additional). When both responses are truncated,
# only the header is compared (RFC 2181 §9: the content of a truncated response
# is not to be used). Additional data in non-referral answers is not compared:
# it is optional (RFC 1034 §4.3.2 step 6), and NSD runs with minimal-responses.
# A response that repeats an RR within a section fails on its own (RFC 2181 §5).
#
# Where NSD and the RFCs disagree, or both are allowed and they chose differently,
# the query carries a profile naming a documented difference (the DIFFERENCES
# table below, with its RFC section) and only what both should agree on is
# compared; the crate is held to the RFC.
#
# Usage: scripts/differential.sh    (needs root only to install nsd, kdig and
#                                    jq when they are missing)
#   DIFF_PORT=N   first of the four loopback ports used (default 25531: below
#                 Linux's ephemeral range, so no client socket of the tests holds them)
#   DIFF_UDP=PATH a prebuilt `udp` example to use instead of building one
# Exit status: 0 only if every query passed. About 1,600 queries to each
# server; some 15 seconds after the build.
#
# Nothing here sends a packet beyond 127.0.0.1: every server listens on it and
# every kdig query is addressed to it; NSD gets no notify, transfer or control
# peers.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export LC_ALL=C

PORT=${DIFF_PORT:-25531}
NSD_PORT=$PORT
A_PORT=$((PORT + 1)) # example.   (tests/data/answer.zone), and out-of-zone names
R_PORT=$((PORT + 2)) # rich.example. (tests/data/rich.zone)
E_PORT=$((PORT + 3)) # edge.test.  (written below)

# ---- tools ------------------------------------------------------------------
missing=()
command -v nsd >/dev/null 2>&1 || missing+=(nsd)
command -v kdig >/dev/null 2>&1 || missing+=(knot-dnsutils)
command -v jq >/dev/null 2>&1 || missing+=(jq)
if ((${#missing[@]})); then
    apt_install differential "${missing[@]}"
    for c in nsd kdig jq; do
        command -v "$c" >/dev/null 2>&1 || {
            echo "differential: error: $c still missing after install" >&2
            exit 2
        }
    done
fi
if [[ $(kdig -h 2>&1 || true) != *'+[no]json'* ]]; then
    echo "differential: error: this kdig has no +json (Knot 3.1 or later needed)" >&2
    exit 2
fi

# ---- build ------------------------------------------------------------------
if [[ -z ${DIFF_UDP:-} ]]; then
    target=$(target_dir) || { echo "differential: error: cargo metadata gave no target directory" >&2; exit 2; }
fi
UDP=${DIFF_UDP:-$target/release/examples/udp}
if [[ -z ${DIFF_UDP:-} ]]; then
    echo "differential: cargo build --release --example udp"
    if ! cargo build --release --example udp --quiet; then
        echo "differential: error: cargo build failed" >&2
        exit 2
    fi
fi
[[ -x $UDP ]] || { echo "differential: error: $UDP was not built" >&2; exit 2; }
start_time=$SECONDS

# ---- zones and servers ------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/differential.XXXXXX")
pids=()
trap cleanup EXIT
trap 'exit 130' INT TERM

cp tests/data/answer.zone "$tmp/answer.zone"
cp tests/data/rich.zone "$tmp/rich.zone"

# Corners the two test zones do not have: CNAMEs into a delegation, a wildcard
# and a DNAME; a wildcard CNAME; DNAME to DNAME; a wildcard blocked by an empty
# non-terminal; a chain longer than the crate's limit; a CNAME to itself;
# referrals with and without glue; RRsets just under and over 512 octets.
{
    cat <<'EOF'
$ORIGIN edge.test.
$TTL 600
@           3600 IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
@           NS      ns1
@           NS      ns2
@           MX      10 mailhost
ns1         A       192.0.2.1
ns2         AAAA    2001:db8::2
mailhost    A       192.0.2.60
mailhost    AAAA    2001:db8::60
mx          MX      10 mailhost
mx          MX      20 mail.elsewhere.net.
to-cut      CNAME   host.deleg
deleg       NS      ns.deleg
deleg       NS      ns.elsewhere.net.
ns.deleg    A       192.0.2.10
ns.deleg    AAAA    2001:db8::10
bare        NS      ns.elsewhere.net.
bare        NS      ns2.elsewhere.net.
to-wild     CNAME   foo.wc
*.wc        A       192.0.2.20
*.wc        MX      10 mailhost
*.wcname    CNAME   target
target      A       192.0.2.30
target      AAAA    2001:db8::30
to-dname    CNAME   x.dn
dn          DNAME   target2.edge.test.
h.target2   A       192.0.2.40
x.target2   TXT     "via dname"
dn2         DNAME   dn.edge.test.
*.w2        A       192.0.2.51
deep.y.w2   A       192.0.2.52
self        CNAME   self
to-out      CNAME   www.elsewhere.net.
MiXeD       A       192.0.2.70
c0          CNAME   c1
c1          CNAME   c2
c2          CNAME   c3
c3          CNAME   c4
c4          CNAME   c5
c5          CNAME   c6
c6          CNAME   c7
c7          CNAME   c8
c8          CNAME   c9
c9          CNAME   c10
c10         A       192.0.2.99
EOF
    # A delegation whose glue does not fit in 512 octets (RFC 9471).
    for i in $(seq 1 12); do
        echo "wide        NS      ns$i.wide"
        echo "ns$i.wide    A       192.0.2.$((100 + i))"
        echo "ns$i.wide    AAAA    2001:db8::$((100 + i))"
    done
    # 29 A records: 501 octets without EDNS, exactly 512 with an OPT record;
    # 30: over 512 either way.
    for i in $(seq 1 29); do echo "fits        A       198.51.100.$i"; done
    for i in $(seq 1 30); do echo "over        A       198.51.100.$i"; done
} >"$tmp/edge.zone"

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
    verbosity: 2
    server-count: 1
    hide-version: yes
    hide-identity: yes
    minimal-responses: yes
    refuse-any: no
    round-robin: no
    tcp-timeout: 10
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: example.
    zonefile: answer.zone
zone:
    name: rich.example.
    zonefile: rich.zone
zone:
    name: edge.test.
    zonefile: edge.zone
EOF
# rrl-* options exist only when NSD was built with RRL; drop them otherwise.
if ! nsd-checkconf "$tmp/nsd.conf" >"$tmp/checkconf.out" 2>&1; then
    sed -i '/rrl-/d' "$tmp/nsd.conf"
    if ! nsd-checkconf "$tmp/nsd.conf" >"$tmp/checkconf.out" 2>&1; then
        echo "differential: error: nsd-checkconf rejects the config:" >&2
        cat "$tmp/checkconf.out" >&2
        exit 2
    fi
fi

# Nothing may listen on the ports yet: a server left over from another run
# would answer in place of the ones started here.
for p in "$NSD_PORT" "$A_PORT" "$R_PORT" "$E_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        echo "differential: error: 127.0.0.1:$p is already in use (set DIFF_PORT)" >&2
        exit 2
    fi
done

echo "differential: starting NSD on 127.0.0.1@$NSD_PORT and the crate on ports $A_PORT-$E_PORT"
nsd -d -c "$tmp/nsd.conf" >"$tmp/nsd.out" 2>&1 &
pids+=($!)
"$UDP" "$tmp/answer.zone" "127.0.0.1:$A_PORT" --origin example. 2>"$tmp/udp-a.err" &
pids+=($!)
"$UDP" "$tmp/rich.zone" "127.0.0.1:$R_PORT" --origin rich.example. 2>"$tmp/udp-r.err" &
pids+=($!)
"$UDP" "$tmp/edge.zone" "127.0.0.1:$E_PORT" --origin edge.test. 2>"$tmp/udp-e.err" &
pids+=($!)

# Wait until a server answers its zone's SOA over UDP and TCP.
wait_for() { # port zone what
    local i
    for ((i = 0; i < 100; i++)); do
        if kdig @127.0.0.1 -p "$1" +norec +timeout=1 +retry=0 "$2" SOA 2>/dev/null | grep -q 'status: NOERROR' &&
            kdig @127.0.0.1 -p "$1" +tcp +norec +timeout=1 +retry=0 "$2" SOA 2>/dev/null | grep -q 'status: NOERROR'; then
            return 0
        fi
        for pid in "${pids[@]}"; do
            kill -0 "$pid" 2>/dev/null || {
                echo "differential: error: $3 exited early" >&2
                cat "$tmp"/nsd.out "$tmp"/nsd.log "$tmp"/udp-*.err 2>/dev/null | tail -20 >&2
                return 1
            }
        done
        sleep 0.1
    done
    echo "differential: error: $3 did not answer within 10 s" >&2
    cat "$tmp"/nsd.log "$tmp"/udp-*.err 2>/dev/null | tail -20 >&2
    return 1
}
wait_for "$NSD_PORT" example. NSD
wait_for "$NSD_PORT" rich.example. NSD
wait_for "$NSD_PORT" edge.test. NSD
wait_for "$A_PORT" example. "the crate (example.)"
wait_for "$R_PORT" rich.example. "the crate (rich.example.)"
wait_for "$E_PORT" edge.test. "the crate (edge.test.)"
# Each server started here must still run (one that could not bind exits).
for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || {
        echo "differential: error: a server exited at startup:" >&2
        cat "$tmp"/nsd.out "$tmp"/nsd.log "$tmp"/udp-*.err 2>/dev/null | tail -20 >&2
        exit 2
    }
done

# ---- documented differences -------------------------------------------------
# profile -> what differs, why the crate's behaviour is the RFC's, and what is
# compared instead.
declare -A DIFFERENCES=(
    [any]="ANY: RFC 8482 §4.1 lets a responder return one RRset of its choosing; the crate and NSD may pick different ones. Compared: header, authority; the crate's answer must be one RRset at QNAME (or the DNAME/CNAME steps before it), and equal to NSD's answer to a query for that RRset's type."
    [class-any]="QCLASS ANY (*): NSD answers from its IN zone with AA clear (RFC 6895 §3.2 says such answers must not be authoritative); the crate, authoritative for one class only, refuses (RFC 1035 §4.1.1 REFUSED, policy). Compared: the crate says REFUSED with empty sections; NSD's AA is clear."
    [qtype-opt]="QTYPE OPT (41): OPT is a pseudo-RR that exists only in a message's additional section (RFC 6891 §6.1.1, a Meta-TYPE per RFC 6895 §3.1); the crate answers FORMERR, NSD 4.6 answers NODATA. Compared: the crate says FORMERR; the question is echoed by both."
    [nxname]="QTYPE NXNAME (128): RFC 9824 §3.5 says a server MUST answer an explicit query for it with FORMERR; NSD 4.6 predates RFC 9824 and answers NODATA. Compared: the crate says FORMERR, with empty sections; the question is echoed by both."
    [cname-limit]="CNAME chain longer than the crate's limit (MAX_CHAIN = 8 restarts, so 9 CNAMEs): RFC 1034 §4.3.2 step 3a restarts at each CNAME without giving a bound, and servers bound chains differently (NSD follows longer ones). Compared: flags and OPT; the crate says NOERROR and its 9 CNAMEs are among NSD's."
    [question-echo]="A class the server does not serve (CLASS4): both say REFUSED, but NSD 4.6 leaves the question section out; the crate echoes it, as responses normally do (RFC 1035 §7.3 has resolvers match responses to queries by their question; RFC 5452 §9.1). Compared: everything but the question; the crate's question must be there."
    [mailx]="QTYPE MAILB (253) and MAILA (254), RFC 1035 §3.2.3 (MAILA is obsolete, RFC 973): the crate answers NOTIMP (RFC 1035 §4.1.1: the server does not support the requested kind of query); NSD 4.6 answers NODATA/NXDOMAIN. Both are defensible. Compared: the crate says NOTIMP with empty sections; question and OPT agree."
    [glue-tc]="A referral whose in-domain glue does not fit (12 name servers below the cut, 24 addresses): RFC 9471 §3 says the server MUST set TC when it cannot include all glue for in-domain name servers; the crate does, NSD 4.6 (older than RFC 9471) drops the glue that does not fit and leaves TC clear. Compared: everything but TC; where only one side truncated, it must be the crate, with NSD's NS set and glue from NSD's."
    [cd-copy]="CD set in the query: RFC 4035 §3.1.6 says a security-aware name server MUST copy the CD bit from a query into the response; the crate copies it, NSD 4.6 clears it on authoritative answers. Compared: everything but CD; the crate's CD must be 1."
    [badvers-do]="BADVERS with DO set: RFC 3225 §3 says the DO bit of the query MUST be copied in the response; the crate copies it, NSD 4.6 clears it in its BADVERS response. Compared: everything but the DO bit; the crate's DO must be 1."
    [dname-cname]="QTYPE CNAME below a DNAME whose target is in the zone: RFC 6672 §3.2 step 3c has the server synthesize the CNAME and 'go back to step 1' with no QTYPE condition; the crate does, so it goes on to the target (NXDOMAIN/NODATA there, RFC 6604). NSD takes the synthesized CNAME as the answer to a CNAME query and stops, as RFC 1034 §4.3.2 step 3a does for a stored CNAME. Compared: flags, OPT, question; NSD's DNAME and CNAME are in the crate's answer. RCODE and authority are not compared."
    [compression]="A response near 512 octets: name compression is optional (RFC 1035 §4.1.4); NSD writes the CNAME it synthesizes from a DNAME uncompressed, the crate compresses it, so NSD truncates (TC) a response that fits for the crate. Compared: header except TC; when one side truncated, its answer is part of the other's."
)

# ---- corpus -----------------------------------------------------------------
# One query per line: PROFILE NAME TYPE [KDIG OPTIONS...]; std is plain
# comparison, any other profile a key of DIFFERENCES.
corpus=$tmp/corpus
: >"$corpus"
q() { echo "$*" >>"$corpus"; }

a_owners=(example. ns1 mail www alias chain out dangling loop1 loop2 '*.wild' here.wild
    a.b.ent '*.ent' sub ns.sub dn inner big _sip._udp long wild ent b.ent _udp)
a_types=(A AAAA NS SOA MX TXT CNAME DNAME DS SRV)
r_owners=(rich.example. ns1 ns2 mail mail2 www alias _443._tcp.www _sip._udp sip _dns
    _8443._foo.api svc ptr 1.2.0.192.in-addr '*.wild' dn quotes 'odd\.label'
    'space\032name' '\@sign' generic empty-generic 0bhr27mpbq3lk52atsoq5smiqgbfr6s7
    dlcstv61tk51k5e445906kmv5t28l0qp iss2vqo5a70fgh56mo2jvahl1s7pd4o5 sub ns1.sub ns2.sub
    after-sub _tcp.www _foo.api api 192.in-addr wild)
r_types=(A AAAA TXT MX HTTPS NS)
e_owners=(edge.test. ns1 ns2 mailhost mx to-cut deleg ns.deleg bare to-wild '*.wc'
    '*.wcname' target to-dname dn h.target2 x.target2 target2 dn2 '*.w2' deep.y.w2 y.w2
    self to-out mixed c9 fits)
e_types=(A AAAA TXT MX CNAME NS DS)

abs() { # name zone -> absolute name
    case $1 in
        *.) echo "$1" ;;
        *) echo "$1.$2" ;;
    esac
}

# Every owner (and empty non-terminal) × several types, plain UDP without EDNS.
for o in "${a_owners[@]}"; do
    for t in "${a_types[@]}"; do q std "$(abs "$o" example.)" "$t" +noedns; done
done
for o in "${r_owners[@]}"; do
    for t in "${r_types[@]}"; do q std "$(abs "$o" rich.example.)" "$t" +noedns; done
done
for o in "${e_owners[@]}"; do
    for t in "${e_types[@]}"; do q std "$(abs "$o" edge.test.)" "$t" +noedns; done
done
# The types each rich.example. owner holds.
for qt in "rich.example. SOA" "rich.example. CAA" "rich.example. NAPTR" "rich.example. DNSKEY" \
    "rich.example. NSEC3PARAM" "rich.example. ZONEMD" "rich.example. RRSIG" "rich.example. SPF" \
    "www.rich.example. HINFO" "www.rich.example. SSHFP" "www.rich.example. NSEC" \
    "www.rich.example. RRSIG" "alias.rich.example. CNAME" "_443._tcp.www.rich.example. TLSA" \
    "_sip._udp.rich.example. SRV" "_dns.rich.example. SVCB" "_8443._foo.api.rich.example. SVCB" \
    "svc.rich.example. SVCB" "ptr.rich.example. PTR" "1.2.0.192.in-addr.rich.example. PTR" \
    "dn.rich.example. DNAME" "generic.rich.example. TYPE65534" "empty-generic.rich.example. TYPE65533" \
    "0bhr27mpbq3lk52atsoq5smiqgbfr6s7.rich.example. NSEC3" "sub.rich.example. DS" \
    "ns1.sub.rich.example. AAAA" "mail2.rich.example. A" "x.wild.rich.example. TXT" \
    "space\\032name.rich.example. TXT" "odd\\.label.rich.example. TXT" "\\@sign.rich.example. TXT" \
    "quotes.rich.example. TXT" "after-sub.rich.example. TXT" "alias.rich.example. HTTPS"; do
    # shellcheck disable=SC2086 # (split into name and type on purpose)
    q std $qt +noedns
done

# NXDOMAIN, below existing leaves, and names that only look like the zone's.
for n in nope.example. a.b.nope.example. x.www.example. x.ns1.example. nothing.example. \
    x.alias.example. x._sip._udp.example. nope.rich.example. x.www.rich.example. \
    x.ptr.rich.example. nope.edge.test. x.target.edge.test. x.self.edge.test. \
    "a\\000b.example." "x.x.x.x.x.x.x.x.x.x.x.x.example."; do
    q std "$n" A +noedns
    q std "$n" TXT +noedns
done
# A 255-octet name in the zone.
long255=$(printf 'a%.0s' {1..63}).$(printf 'b%.0s' {1..63}).$(printf 'c%.0s' {1..63}).$(printf 'd%.0s' {1..53}).example.
q std "$long255" A +noedns

# Wildcards (RFC 4592): hits, the wildcard name itself, NODATA through a
# wildcard, misses where a name exists (here.wild), and where an empty
# non-terminal blocks it (y.w2, b.ent).
for n in x.wild.example. a.b.wild.example. '*.wild.example.' x.here.wild.example. \
    x.ent.example. a.x.ent.example. x.b.ent.example. a.a.b.ent.example. \
    x.wild.rich.example. '*.wild.rich.example.' a.b.wild.rich.example. \
    foo.wc.edge.test. a.b.wc.edge.test. x.wcname.edge.test. a.b.wcname.edge.test. \
    z.w2.edge.test. z.y.w2.edge.test. x.deep.y.w2.edge.test. '*.w2.edge.test.'; do
    for t in A AAAA TXT MX CNAME; do q std "$n" "$t" +noedns; done
done

# Below the cut and the cut itself: referrals, DS at the parent side.
for n in sub.example. ns.sub.example. x.sub.example. a.b.sub.example. \
    sub.rich.example. ns1.sub.rich.example. x.sub.rich.example. \
    deleg.edge.test. ns.deleg.edge.test. host.deleg.edge.test. bare.edge.test. x.bare.edge.test. \
    wide.edge.test. x.wide.edge.test.; do
    p=std
    [[ $n == *wide.edge.test. ]] && p=glue-tc
    for t in A AAAA NS DS SOA MX TXT; do q $p "$n" "$t" +noedns; done
    q std "$n" DS +edns
    q std "$n" NS +edns
    q std "$n" NS +tcp +noedns
done

# DNAME (RFC 6672): at the owner, below it, in-zone and out-of-zone targets,
# DNAME to DNAME, and the name-length limit: the long DNAME's target is 199
# octets and its owner 14, so a 56-octet prefix makes exactly 255 (fits) and a
# 57-octet one 256 (YXDOMAIN, §2.2).
p55=$(printf 'p%.0s' {1..55})
p56=$(printf 'p%.0s' {1..56})
for n in dn.example. x.dn.example. a.b.dn.example. x.inner.example. www.inner.example. \
    inner.example. x.long.example. \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.long.example." \
    x.dn.rich.example. a.b.dn.rich.example. h.dn.edge.test. x.dn.edge.test. y.dn.edge.test. \
    h.dn2.edge.test. x.dn2.edge.test. a.b.dn2.edge.test. to-dname.edge.test.; do
    for t in A TXT DNAME; do q std "$n" "$t" +noedns; done
    q dname-cname "$n" CNAME +noedns
done
# The 255-octet result without EDNS: NSD's uncompressed CNAME overflows 512.
for t in A TXT DNAME; do
    q compression "$p55.long.example." "$t" +noedns
    q std "$p55.long.example." "$t" +edns
    q std "$p55.long.example." "$t" +tcp
    q std "$p56.long.example." "$t" +edns
done

# CNAME chains, a chain into a delegation, a wildcard and out of the zone.
for n in chain.example. alias.example. dangling.example. out.example. loop1.example. \
    alias.rich.example. to-cut.edge.test. to-wild.edge.test. to-out.edge.test. \
    self.edge.test. c2.edge.test. c3.edge.test.; do
    for t in A AAAA MX; do q std "$n" "$t" +noedns; done
    q std "$n" A +tcp
done
for n in c0.edge.test. c1.edge.test.; do
    q cname-limit "$n" A +noedns
    q cname-limit "$n" AAAA +noedns
    q cname-limit "$n" A +tcp
done

# Outside every zone: REFUSED.
for n in . com. other.net. www.other.net. xexample. ample. example.net. test. \
    elsewhere.net. x.target. edge.test.example.net.; do
    q std "$n" A +noedns
    q std "$n" SOA +edns
done

# The question's case is echoed; owners follow it.
for n in WWW.EXAMPLE. wWw.ExAmPlE. ExAmPlE. ALIAS.example. CHAIN.EXAMPLE. X.WILD.EXAMPLE. \
    '*.WILD.example.' X.DN.EXAMPLE. A.X.INNER.example. NS.SUB.EXAMPLE. Sub.Example. \
    NOPE.EXAMPLE. Here.Wild.Example. RICH.EXAMPLE. WwW.rIcH.eXaMpLe. X.WILD.Rich.Example. \
    mixed.edge.test. MIXED.EDGE.TEST. To-Wild.Edge.Test. X.Dn2.Edge.Test.; do
    q std "$n" A +noedns
    q std "$n" TXT +edns
done
q std Sub.Example. DS +noedns
q std EXAMPLE. MX +noedns
q std EXAMPLE. NS +tcp

# EDNS: echoed OPT, DO copied, small and odd payload sizes, unknown options,
# BADVERS for version 1.
for qt in "www.example. A" "example. SOA" "nope.example. A" "x.sub.example. A" "x.dn.example. A" \
    "x.wild.example. TXT" "alias.example. A" "rich.example. MX" "www.rich.example. HTTPS" \
    "x.sub.rich.example. A" "mx.edge.test. MX" "to-cut.edge.test. A" "fits.edge.test. A" \
    "dangling.example. A" "_sip._udp.example. SRV" "example. NS" "here.wild.example. A"; do
    # shellcheck disable=SC2086
    {
        q std $qt +edns
        q std $qt +edns +dnssec
        q std $qt +edns=1
        q badvers-do $qt +edns=1 +dnssec
        q std $qt +edns +nsid
        q std $qt +edns +cookie=0102030405060708
        q std $qt +edns +ednsopt=65001:abcd
        q std $qt +bufsize=0
        q std $qt +tcp +edns
        q std $qt +tcp +edns=1
    }
done
q std www.example. A +edns=255
q std nope.example. A +edns=2 +tcp

# Header bits in the query: RD copied, CD copied, AA/TC/RA/AD/Z ignored.
for f in +rec +cdflag +aaflag +tcflag +raflag +adflag +zflag "+rec +cdflag"; do
    p=std
    [[ $f == *cdflag* ]] && p=cd-copy
    # shellcheck disable=SC2086
    {
        q $p www.example. A +noedns $f
        q $p nope.example. A +edns $f
        q $p x.sub.example. A +noedns $f
        q $p x.dn.example. A +tcp $f
    }
done

# Size limits: TC without EDNS (512), with small EDNS sizes, and never over TCP.
for n in big.example. rich.example. fits.edge.test. over.edge.test. x.wide.edge.test.; do
    p=std
    [[ $n == *wide.edge.test. ]] && p=glue-tc
    for t in TXT A; do
        for o in +noedns "+edns +bufsize=512" "+edns +bufsize=600" "+edns +bufsize=1232" \
            "+edns +bufsize=1300" "+edns +bufsize=4096" "+edns +bufsize=100" "+tcp +noedns" "+tcp +edns"; do
            # shellcheck disable=SC2086
            q $p "$n" "$t" $o
        done
    done
done
for o in +noedns "+edns +bufsize=512" "+tcp"; do
    # shellcheck disable=SC2086
    {
        q std www.rich.example. HTTPS $o
        q std rich.example. DNSKEY $o
        q any rich.example. ANY $o
        q std example. NS $o
        q std mx.edge.test. MX $o
    }
done

# ANY (RFC 8482), over UDP and TCP, with and without EDNS.
for o in "${a_owners[@]}" x.wild x.dn a.b.ent nope; do
    q any "$(abs "$o" example.)" ANY +noedns
done
for o in "${r_owners[@]}" x.wild x.dn; do
    q any "$(abs "$o" rich.example.)" ANY +noedns
done
for o in "${e_owners[@]}" x.wcname foo.wc x.dn2 z.y.w2; do
    q any "$(abs "$o" edge.test.)" ANY +noedns
done
for n in example. www.example. alias.example. x.wild.example. sub.example. x.dn.example. \
    rich.example. www.rich.example. edge.test. to-cut.edge.test. WWW.EXAMPLE.; do
    q any "$n" ANY +tcp
    q any "$n" ANY +edns
done
q std other.net. ANY +noedns

# Other classes and types.
q class-any www.example. A -c ANY
q class-any nope.example. A -c ANY
q class-any x.sub.example. A -c ANY
q std www.example. A -c CH
q std version.bind. TXT -c CH
q std id.server. TXT -c CH
q question-echo www.example. A -c CLASS4
q qtype-opt www.example. TYPE41
q qtype-opt nope.example. TYPE41 +edns
q nxname www.example. TYPE128
q nxname nope.example. TYPE128 +edns
q mailx www.example. TYPE253 +noedns
q mailx www.example. TYPE254 +noedns
q mailx nope.example. TYPE254 +edns
for t in TYPE0 TYPE65280 TYPE65535 TYPE249 TYPE250 NULL HINFO CAA; do
    q std www.example. "$t" +noedns
done

# Wide names: a name with many labels, a binary label, uppercase escapes.
q std "x\\255y.wild.example." A +noedns
q std "x\\046y.wild.example." TXT +noedns
q std "\\087\\087\\087.example." A +noedns

total=$(wc -l <"$corpus")

# ---- run --------------------------------------------------------------------
# Every response goes into one stream: a record separator (0x1E), "ID WHO", a
# newline, and kdig's JSON (RFC 8427) or nothing when there was no response.
# kdig's +ignore keeps it from retrying over TCP when TC is set.
KDIG=(kdig +norec +ignore +json +timeout=2 +retry=1)
port_for() { # name -> the crate's port for it (sets $port)
    local n=${1,,}
    n=${n%.}.
    case $n in
        rich.example. | *.rich.example.) port=$R_PORT ;;
        edge.test. | *.edge.test.) port=$E_PORT ;;
        *) port=$A_PORT ;;
    esac
}
ask() { # id who port name type options...
    local id=$1 who=$2 port=$3
    shift 3
    printf '\036%s %s\n' "$id" "$who"
    "${KDIG[@]}" @127.0.0.1 -p "$port" "$@" 2>/dev/null || true
}

echo "differential: $total queries to each server"
stream=$tmp/responses
i=0
while read -r _ name type opts; do
    i=$((i + 1))
    port_for "$name"
    # shellcheck disable=SC2086 # kdig options split on purpose
    {
        ask "$i" crate "$port" "$name" "$type" $opts
        ask "$i" nsd "$NSD_PORT" "$name" "$type" $opts
    } >>"$stream"
done <"$corpus"

# The comparison, in one jq program over every response.
cat >"$tmp/compare.jq" <<'EOF'
def rcodename: {"0":"NOERROR","1":"FORMERR","2":"SERVFAIL","3":"NXDOMAIN","4":"NOTIMP",
  "5":"REFUSED","6":"YXDOMAIN","7":"YXRRSET","8":"NXRRSET","9":"NOTAUTH","10":"NOTZONE",
  "16":"BADVERS"}[tostring] // ("RCODE" + tostring);
# Types whose rdata holds domain names: compare their presentation form lowercased.
def nametypes: [2,5,6,12,15,17,18,33,35,36,39,46,47,64,65];
def rdata: (.["rdata" + (.TYPEname // "")]) as $p
  | if (.TYPE as $t | nametypes | index($t)) != null and $p != null
    then ($p | ascii_downcase) else (.RDATAHEX // "") end;
def rr: "\(.NAME | ascii_downcase) \(.TTL) \(.TYPEname // ("TYPE" + (.TYPE | tostring))) \(rdata)";
def rrs(s): [(s // [])[] | select(.TYPE != 41) | rr];
def dups(l): l | group_by(.) | map(select(length > 1) | .[0]);
# kdig's JSON -> what is compared.
def normalize:
  if . == null or (type != "object") or (has("QR") | not) then {error: "no response"} else
  ((.additionalRRs // []) | map(select(.TYPE == 41)) | first) as $opt
  | {
      qname: .QNAME, qtype: (.QTYPEname // .QTYPE), qclass: (.QCLASSname // .QCLASS),
      rcode: ((.RCODE + (if $opt then (($opt.TTL / 16777216) | floor) * 16 else 0 end)) | rcodename),
      flags: {aa: .AA, tc: .TC, rd: .RD, ra: .RA, ad: .AD, cd: .CD},
      opt: (if $opt then {version: ((($opt.TTL / 65536) | floor) % 256),
                          do: ((($opt.TTL / 32768) | floor) % 2)} else null end),
      an: (rrs(.answerRRs) | unique),
      ns: (rrs(.authorityRRs) | unique),
      ar: (rrs(.additionalRRs) | unique),
      # The sections as received, in order, for reports.
      sections: {an: rrs(.answerRRs), ns: rrs(.authorityRRs), ar: rrs(.additionalRRs)},
      dup: (dups(rrs(.answerRRs)) + dups(rrs(.authorityRRs)) + dups(rrs(.additionalRRs)))
    }
  end;

def rtype: split(" ")[2];
def owner: split(" ")[0];
def hdr: {qname, qtype, qclass, rcode, flags, opt};
def referral: any(.ns[]; rtype == "NS");
def glue: [.ar[] | select(rtype == "A" or rtype == "AAAA")];
def subset($a; $b): ($a - $b | length) == 0;

# Compares crate response $c with NSD's $n under $profile; $f is NSD's answer to
# the follow-up query of an ANY comparison (null when not asked yet). Returns a
# list of reasons, empty when they agree, or {followup: TYPE}.
def compare($profile; $c; $n; $f):
  def diff(g; what): if ($c | g) == ($n | g) then [] else [what] end;
  def dupcheck:
    (if ($c.dup | length) > 0 then ["the crate repeats RRs in a section (RFC 2181 §5): \($c.dup | join(", "))"] else [] end)
    + (if ($n.dup | length) > 0 then ["NSD repeats RRs in a section: \($n.dup | join(", "))"] else [] end);
  def sections:
    diff(.an; "answer") + diff(.ns; "authority")
    + (if ($c | referral) or ($n | referral) then diff(glue; "referral glue") else [] end);
  def std:
    diff(hdr; "header") + (if $c.flags.tc == 1 and $n.flags.tc == 1 then [] else sections end)
    + dupcheck;
  if $c.error or $n.error then
    [if $c.error and $n.error then "no response from either"
     elif $c.error then "no response from the crate" else "no response from NSD" end]
  elif $profile == "std" then std
  elif $profile == "any" then
    (diff(hdr; "header") + diff(.ns; "authority") + dupcheck) as $base
    | if ($base | length) > 0 or $c.an == $n.an then $base
      else
        [$c.an[] | select(rtype != "DNAME" and rtype != "CNAME")] as $data
        | [$c.an[] | select(rtype == "DNAME" or rtype == "CNAME")] as $steps
        | if ($data | length) == 0 then ["answer"]
          elif ([$data[] | [owner, rtype]] | unique | length) != 1
          then ["the crate's ANY answer holds more than one RRset (RFC 8482 §4.1)"]
          elif subset($steps; $n.an) | not then ["answer (the CNAME/DNAME steps)"]
          elif $f == null then {followup: ($data[0] | rtype)}
          elif $f.error then ["no response from NSD to the follow-up query"]
          elif $f.an != $c.an then ["the crate's ANY answer differs from NSD's answer for \($data[0] | rtype)"]
          else [] end
      end
  elif $profile == "class-any" then
    (if $c.rcode != "REFUSED" or ($c.an + $c.ns | length) > 0
     then ["the crate should refuse QCLASS ANY"] else [] end)
    + (if $n.flags.aa != 0 then ["NSD set AA on a QCLASS ANY answer"] else [] end)
    + diff(.qname; "question") + dupcheck
  elif $profile == "qtype-opt" or $profile == "nxname" then
    (if $c.rcode != "FORMERR" or ($c.an + $c.ns | length) > 0
     then ["the crate should answer FORMERR with empty sections"] else [] end)
    + diff([.qname, .qtype]; "question") + dupcheck
  elif $profile == "cname-limit" then
    diff(.flags; "flags") + diff(.opt; "OPT")
    + (if $c.rcode != "NOERROR" then ["the crate's RCODE should be NOERROR"] else [] end)
    + (if subset($c.an; $n.an) | not then ["the crate's chain is not part of NSD's"] else [] end)
    + (if ($c.an | length) != 9 then ["the crate's chain has \($c.an | length) links, not 9"] else [] end)
    + dupcheck
  elif $profile == "question-echo" then
    diff(hdr | del(.qname, .qtype, .qclass); "header") + sections + dupcheck
    + (if [$c.qname, $c.qtype] | any(. == null) then ["the crate did not echo the question"] else [] end)
  elif $profile == "mailx" then
    (if $c.rcode != "NOTIMP" or ($c.an + $c.ns | length) > 0
     then ["the crate should answer NOTIMP with empty sections"] else [] end)
    + diff([.qname, .qtype]; "question") + diff(.opt; "OPT") + dupcheck
  elif $profile == "glue-tc" then
    if $c.flags.tc == $n.flags.tc then std
    else
      diff(hdr | del(.flags.tc); "header") + diff(.an; "answer") + diff(.ns; "authority")
      + (if $c.flags.tc != 1 then ["NSD truncated a referral the crate sent whole"] else [] end)
      + (if subset($c | glue; $n | glue) | not then ["referral glue"] else [] end)
      + dupcheck
    end
  elif $profile == "cd-copy" then
    diff(hdr | del(.flags.cd); "header") + sections + dupcheck
    + (if $c.flags.cd != 1 then ["the crate did not copy CD"] else [] end)
  elif $profile == "badvers-do" then
    diff(hdr | .opt |= (if . then del(.do) else . end); "header") + sections + dupcheck
    + (if $c.opt.do != 1 then ["the crate did not copy DO"] else [] end)
  elif $profile == "dname-cname" then
    diff(.flags; "flags") + diff(.opt; "OPT") + diff([.qname, .qtype]; "question")
    + (if subset($n.an; $c.an) | not then ["the crate's answer lacks NSD's DNAME and CNAME"] else [] end)
    + dupcheck
  elif $profile == "compression" then
    diff(hdr | del(.flags.tc); "header")
    + (if $c.flags.tc == $n.flags.tc then sections
       elif $c.flags.tc == 1 then (if subset($c.an; $n.an) then [] else ["answer"] end)
       else (if subset($n.an; $c.an) then [] else ["answer"] end) end)
    + dupcheck
  else ["unknown profile \($profile)"] end;

def show($who):
  if .error then "    \($who): \(.error)" else
  "    \($who): \(.rcode) aa=\(.flags.aa) tc=\(.flags.tc) rd=\(.flags.rd) ra=\(.flags.ra) ad=\(.flags.ad) cd=\(.flags.cd) opt=\(if .opt then "v\(.opt.version) do=\(.opt.do)" else "none" end) question=\(.qname) \(.qtype) \(.qclass)",
  (.sections | (.an[] | "      an: \(.)"), (.ns[] | "      ns: \(.)"), (.ar[] | "      ar: \(.)"))
  end;

# Input: the raw stream (-R -s); $corpus: the corpus text; $mode: "followups"
# (list the ANY follow-up queries to ask) or "report".
(split("\u001e")[1:]
 | map(index("\n") as $k
       | {key: (if $k then .[0:$k] else . end),
          value: ((if $k then .[$k + 1:] else "" end) | try fromjson catch null | normalize)})
 | from_entries) as $r
| ($corpus | split("\n") | map(select(length > 0))) as $lines
| [range(0; $lines | length) as $j
   | ($j + 1 | tostring) as $id
   | ($lines[$j] | split(" ")) as $w
   | {id: $id, profile: $w[0], query: ($w[1:] | join(" ")),
      c: $r["\($id) crate"], n: $r["\($id) nsd"], f: $r["\($id) followup"]}
   | . + {verdict: compare(.profile; .c; .n; .f)}] as $results
| if $mode == "followups" then
    $results[] | select(.verdict | type == "object") | "\(.id) \(.verdict.followup)"
  else
    ($results[] | select(.verdict | type == "array" and length > 0)
     | "MISMATCH #\(.id) [\(.profile)] \(.query): \(.verdict | join("; "))",
       (.c | show("crate")), (.n | show("NSD  ")),
       (if .f then (.f | show("NSD, for the type the crate chose")) else empty end)),
    "RESULT \([$results[] | select(.verdict == [])] | length) \([$results[] | select(.verdict != [])] | length)"
  end
EOF

# ANY: where the crate and NSD chose different RRsets, ask NSD for the type the
# crate chose.
while read -r id ftype; do
    line=$(sed -n "${id}p" "$corpus")
    read -r _ name _ opts <<<"$line"
    # shellcheck disable=SC2086
    ask "$id" followup "$NSD_PORT" "$name" "$ftype" $opts >>"$stream"
done < <(jq -R -s -r --rawfile corpus "$corpus" --arg mode followups -f "$tmp/compare.jq" "$stream")

jq -R -s -r --rawfile corpus "$corpus" --arg mode report -f "$tmp/compare.jq" "$stream" >"$tmp/report"
read -r _ passed failed < <(grep '^RESULT ' "$tmp/report")
grep -v '^RESULT ' "$tmp/report" >"$tmp/failures" || true

# Several queries on one TCP connection (RFC 7766 §6.2.1), to both.
pipeline=(www.example. A nope.example. A x.sub.example. A big.example. TXT example. SOA)
for who in crate nsd; do
    port=$A_PORT
    [[ $who == nsd ]] && port=$NSD_PORT
    "${KDIG[@]}" @127.0.0.1 -p "$port" +tcp +keepopen "${pipeline[@]}" 2>/dev/null |
        jq -sc '[.[] | {QNAME, RCODE, AA, TC, an: ((.answerRRs // []) | length)}]' \
            >"$tmp/pipeline.$who" 2>/dev/null || echo '"no response"' >"$tmp/pipeline.$who"
done
total=$((total + 1))
if [[ $(jq -c 'length' "$tmp/pipeline.crate") == 5 ]] &&
    cmp -s "$tmp/pipeline.crate" "$tmp/pipeline.nsd"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    {
        echo "MISMATCH [tcp-pipeline] five queries on one TCP connection"
        echo "    crate: $(cat "$tmp/pipeline.crate")"
        echo "    NSD  : $(cat "$tmp/pipeline.nsd")"
    } >>"$tmp/failures"
fi

# ---- report -----------------------------------------------------------------
echo
echo "Documented differences (the crate follows the RFC; only what both should agree on is compared):"
for k in "${!DIFFERENCES[@]}"; do
    echo "  [$k] ${DIFFERENCES[$k]}"
done | sort
echo
if [[ -s $tmp/failures ]]; then
    cat "$tmp/failures"
    echo
fi
for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || echo "differential: warning: server pid $pid died during the run"
done
echo "differential: $total queries in $((SECONDS - start_time)) s (after the build)"
echo "differential: $passed passed, $failed failed"
((failed == 0))
