//! A deterministic generator of realistic RFC 1035 master files.
//!
//! Dependency-free so that benches, examples and tests can all include it with
//! `#[path = "../tests/support/generate.rs"] mod generate;`. The same
//! `(records, origin, seed)` always gives the same text, byte for byte.
//!
//! The zone it writes is valid for `named-checkzone -i local` and
//! `nsd-checkzone`:
//!
//! - `$ORIGIN`, `$TTL 3600`, an SOA split over lines with comments, 2-3 apex
//!   NS with in-zone glue (A and AAAA), apex A/AAAA/MX/TXT, `www` and `mail`;
//! - then records over unique, random-looking names (`api-0k3f`,
//!   `web-19zq.eu`), about 42% A, 22% AAAA, and MX, TXT, CNAME, SRV and
//!   delegations (NS, with glue below the cut when the servers are in-zone);
//! - every name that owns a CNAME owns nothing else, every in-zone MX, SRV,
//!   CNAME and NS target has an A record, and nothing but glue sits below a cut;
//! - some RRsets carry an explicit TTL (the same on each of their records),
//!   some lines omit the class, most names after their first line continue with
//!   a blank owner, and a few TXT records span lines in parentheses.
#![allow(dead_code, unreachable_pub)]

use std::fmt::Write as _;

/// Returns a master file of about `records` records under `origin`.
///
/// `origin` may be given with or without its final dot (`"example.com"` and
/// `"example.com."` give the same zone; `""` and `"."` mean the root). The
/// record count includes the SOA, the apex records and the glue; the result has
/// at least the fixed apex block (about 15 records) even when `records` is
/// smaller, and may overshoot `records` by a few records at the end.
pub fn generate_zone(records: usize, origin: &str, seed: u64) -> String {
    let mut generator = Generator::new(records, origin, seed);
    generator.header();
    while generator.count < records {
        generator.entity();
    }
    generator.out
}

/// Returns a template of about `records` records under `origin` for a fleet of `hosts`
/// servers (at least 1): the zone of [`generate_zone`] but for its apex block, where
/// the apex and `www` hold `LOCAL-IP` A and AAAA records (TTL 60), the SOA MINIMUM is
/// 60, and the apex NS set names `ns1` to `nsHOSTS`, each with glue on a network of
/// its own: `127.0.N.1` and `2001:db8:N::53` (loopback and documentation addresses;
/// these are file contents, nothing sends packets to them). Deterministic as
/// [`generate_zone`] is.
pub fn generate_template(records: usize, origin: &str, seed: u64, hosts: usize) -> String {
    let mut generator = Generator::new(records, origin, seed);
    generator.template_header(hosts.clamp(1, 255));
    while generator.count < records {
        generator.entity();
    }
    generator.out
}

/// Words that begin generated labels (each label gets a unique suffix).
const WORDS: &[&str] = &[
    "api", "app", "auth", "backup", "blog", "cache", "cam", "cdn", "ci", "cms", "db", "dev",
    "docs", "edge", "files", "ftp", "git", "gw", "host", "imap", "img", "intranet", "lb", "ldap",
    "log", "mail", "media", "mon", "mx", "node", "pc", "portal", "printer", "proxy", "queue",
    "router", "shop", "smtp", "sso", "stage", "static", "store", "test", "vpn", "web", "wiki",
];

/// Labels under which some names are placed (empty non-terminals; never owners).
const PARENTS: &[&str] = &[
    "eu", "us", "ap", "corp", "lab", "prod", "int", "office", "dc1",
];

/// Explicit TTLs that some RRsets carry instead of `$TTL`.
const TTLS: &[&str] = &[
    "60", "300", "600", "1800", "7200", "86400", "1h", "2h30m", "1d",
];

/// SRV services and protocols.
const SERVICES: &[(&str, &str, u16)] = &[
    ("_sip", "_udp", 5060),
    ("_sip", "_tcp", 5060),
    ("_sips", "_tcp", 5061),
    ("_xmpp-client", "_tcp", 5222),
    ("_xmpp-server", "_tcp", 5269),
    ("_ldap", "_tcp", 389),
    ("_imaps", "_tcp", 993),
    ("_submission", "_tcp", 587),
    ("_caldavs", "_tcp", 443),
    ("_minecraft", "_tcp", 25565),
];

/// Free-form TXT strings (with spaces; one with escaped quotes).
const NOTES: &[&str] = &[
    "owner: platform team",
    "contact noc@example.net for abuse reports",
    "managed by ansible; do not edit by hand",
    "legacy host, scheduled for removal",
    "MS=ms48151623",
    "say \\\"hello\\\" to the ops team",
    "rack 12 row C; power feed B",
];

const BASE36: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// splitmix64: small, fast, and good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// A number in `low..=high`.
    fn range(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    /// True with the given probability in percent.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T], fallback: T) -> T {
        items
            .get(self.below(items.len()))
            .copied()
            .unwrap_or(fallback)
    }

    fn byte(&mut self, alphabet: &[u8]) -> char {
        char::from(self.pick(alphabet, b'x'))
    }
}

/// A bijection on `0..2^bits`, keyed by the seed: distinct counters give
/// distinct, random-looking label suffixes.
struct Permutation {
    bits: u32,
    mask: u64,
    keys: [u64; 3],
    digits: usize,
}

impl Permutation {
    fn new(capacity: usize, rng: &mut Rng) -> Self {
        let mut bits = 8;
        while bits < 62 && (1u64 << bits) <= capacity as u64 {
            bits += 1;
        }
        let mask = (1u64 << bits) - 1;
        let mut digits = 1;
        let mut reach = 36u128;
        while reach <= u128::from(mask) {
            reach *= 36;
            digits += 1;
        }
        let keys = [rng.next() & mask, rng.next() & mask, rng.next() & mask];
        Self {
            bits,
            mask,
            keys,
            digits,
        }
    }

    fn apply(&self, counter: u64) -> u64 {
        let mut value = counter & self.mask;
        for key in self.keys {
            value ^= key;
            value = value.wrapping_mul(0x9E37_79B9_7F4A_7C15) & self.mask; // odd: invertible
            value ^= value >> (self.bits / 2 + 1); // xorshift: invertible
        }
        value
    }

    /// The suffix for `counter`: fixed-width base 36.
    fn suffix(&self, counter: u64, out: &mut String) {
        let mut value = self.apply(counter);
        let mut digits = vec![b'0'; self.digits];
        for slot in digits.iter_mut().rev() {
            *slot = BASE36.get((value % 36) as usize).copied().unwrap_or(b'0');
            value /= 36;
        }
        out.extend(digits.into_iter().map(char::from));
    }
}

struct Generator {
    out: String,
    rng: Rng,
    labels: Permutation,
    counter: u64,
    seed: u64,
    /// Records written so far.
    count: usize,
    /// The origin, absolute, lowercase (`"."` for the root).
    origin: String,
    /// A parent domain outside the origin for external targets, if any.
    external: Option<&'static str>,
    /// Names (relative) that own an A record: targets for MX, SRV, CNAME.
    with_address: Vec<String>,
}

impl Generator {
    fn new(records: usize, origin: &str, seed: u64) -> Self {
        let mut origin = origin.trim().to_ascii_lowercase();
        if !origin.ends_with('.') {
            origin.push('.');
        }
        let mut rng = Rng(seed ^ 0x6D75_6C74_6970_7269); // "multipri"
        let labels = Permutation::new(records.saturating_add(1024), &mut rng);
        let external = ["example.net.", "example.org.", "example.com."]
            .into_iter()
            .find(|candidate| !Self::is_within(candidate, &origin));
        Self {
            out: String::with_capacity(records.saturating_mul(40)),
            rng,
            seed,
            labels,
            counter: 0,
            count: 0,
            origin,
            external,
            with_address: Vec::new(),
        }
    }

    /// Whether absolute `name` is `origin` or below it.
    fn is_within(name: &str, origin: &str) -> bool {
        origin == "."
            || name == origin
            || name
                .strip_suffix(origin)
                .is_some_and(|head| head.ends_with('.'))
    }

    /// A fresh, unique relative name: `word-suffix`, sometimes under a parent.
    fn fresh_name(&mut self) -> String {
        let mut name = String::with_capacity(24);
        name.push_str(self.rng.pick(WORDS, "host"));
        name.push('-');
        self.labels.suffix(self.counter, &mut name);
        self.counter += 1;
        if self.rng.chance(25) {
            name.push('.');
            name.push_str(self.rng.pick(PARENTS, "eu"));
        }
        name
    }

    /// `name` as written in RDATA: usually relative, sometimes absolute.
    fn target(&mut self, name: &str) -> String {
        if self.rng.chance(15) {
            if self.origin == "." {
                format!("{name}.")
            } else {
                format!("{name}.{}", self.origin)
            }
        } else {
            name.to_owned()
        }
    }

    /// A name that owns an A record (relative).
    fn address_name(&mut self) -> String {
        let index = self.rng.below(self.with_address.len());
        self.with_address
            .get(index)
            .cloned()
            .unwrap_or_else(|| "mail".to_owned())
    }

    /// A name that owns an A record, as written in RDATA.
    fn address_target(&mut self) -> String {
        let name = self.address_name();
        self.target(&name)
    }

    /// An explicit TTL for the next RRset, or `None` for `$TTL`.
    fn rrset_ttl(&mut self) -> Option<&'static str> {
        self.rng.chance(12).then(|| self.rng.pick(TTLS, "300"))
    }

    /// One record line; `owner` empty for a blank-owner continuation line.
    fn line(&mut self, owner: &str, ttl: Option<&str>, record_type: &str, rdata: &str) {
        self.out.push_str(owner);
        self.out.push('\t');
        if let Some(ttl) = ttl {
            self.out.push_str(ttl);
        }
        self.out.push('\t');
        if !self.rng.chance(10) {
            self.out.push_str("IN");
        }
        self.out.push('\t');
        self.out.push_str(record_type);
        self.out.push('\t');
        self.out.push_str(rdata);
        if self.rng.chance(1) {
            self.out.push_str("\t; ");
            self.out.push_str(self.rng.pick(NOTES, "note"));
        }
        self.out.push('\n');
        self.count += 1;
    }

    fn ipv4(&mut self) -> String {
        let first = self.rng.pick(
            &[
                23u8, 31, 45, 51, 62, 77, 85, 91, 104, 136, 151, 185, 198, 203, 212,
            ],
            198,
        );
        let (b, c, d) = (
            self.rng.below(256),
            self.rng.below(256),
            self.rng.range(1, 254),
        );
        format!("{first}.{b}.{c}.{d}")
    }

    fn ipv6(&mut self) -> String {
        let prefix = self.rng.pick(
            &[
                "2001:db8",
                "2a01:4f8",
                "2a02:c207",
                "2604:a880",
                "2600:1f18",
            ],
            "2001:db8",
        );
        let (a, b) = (self.rng.below(0x1_0000), self.rng.below(0x1_0000));
        if self.rng.chance(70) {
            let host = self.rng.range(1, 0xffff);
            format!("{prefix}:{a:x}:{b:x}::{host:x}")
        } else {
            let (c, d, e, f) = (
                self.rng.below(0x1_0000),
                self.rng.below(0x1_0000),
                self.rng.below(0x1_0000),
                self.rng.range(1, 0xffff),
            );
            format!("{prefix}:{a:x}:{b:x}:{c:x}:{d:x}:{e:x}:{f:x}")
        }
    }

    fn base64(&mut self, len: usize) -> String {
        (0..len).map(|_| self.rng.byte(BASE64)).collect()
    }

    /// A host with A and AAAA records, as glue or apex data.
    fn address_block(&mut self, owner: &str, v4: usize, v6: usize) {
        let mut owner = owner;
        let ttl = self.rrset_ttl();
        for _ in 0..v4 {
            let address = self.ipv4();
            self.line(owner, ttl, "A", &address);
            owner = "";
        }
        let ttl = self.rrset_ttl();
        for _ in 0..v6 {
            let address = self.ipv6();
            self.line(owner, ttl, "AAAA", &address);
            owner = "";
        }
    }

    fn header(&mut self) {
        let origin = self.origin.clone();
        let _ = writeln!(
            self.out,
            "; generated by tests/support/generate.rs, seed {}",
            self.seed
        );
        self.origin_and_soa(&origin, "3600 )     ; minimum");
        let servers = self.rng.range(2, 3);
        for index in 1..=servers {
            let target = self.target(&format!("ns{index}"));
            self.line("", Some("86400"), "NS", &target);
        }
        self.address_block("", 1, 1);
        self.line("", None, "MX", "10 mail");
        self.line("", None, "TXT", "\"v=spf1 mx -all\"");
        self.out.push('\n');
        for name in ["www", "mail"] {
            self.address_block(name, 1, 1);
            self.with_address.push(name.to_owned());
        }
        for index in 1..=servers {
            let name = format!("ns{index}");
            let ttl = Some("86400");
            let (v4, v6) = (self.ipv4(), self.ipv6());
            self.line(&name, ttl, "A", &v4);
            self.line("", ttl, "AAAA", &v6);
            self.with_address.push(name);
        }
        self.out.push('\n');
    }

    /// `$ORIGIN`, `$TTL 3600` and the apex SOA with the given MINIMUM line (as written).
    fn origin_and_soa(&mut self, origin: &str, minimum: &str) {
        let _ = writeln!(self.out, "$ORIGIN {origin}");
        self.out.push_str("$TTL 3600\n");
        self.out.push_str(
            "@\tIN\tSOA\tns1 hostmaster (\n\
             \t\t\t2024061501 ; serial\n\
             \t\t\t7200       ; refresh\n\
             \t\t\t3600       ; retry\n\
             \t\t\t1209600    ; expire\n",
        );
        let _ = writeln!(self.out, "\t\t\t{minimum}");
        self.count += 1;
    }

    /// The apex block of a template for `hosts` servers (see [`generate_template`]).
    fn template_header(&mut self, hosts: usize) {
        let origin = self.origin.clone();
        let _ = writeln!(
            self.out,
            "; template generated by tests/support/generate.rs, seed {}, {hosts} hosts",
            self.seed
        );
        self.origin_and_soa(&origin, "60 )       ; minimum");
        for index in 1..=hosts {
            let target = self.target(&format!("ns{index}"));
            self.line("", Some("86400"), "NS", &target);
        }
        self.line("", Some("60"), "A", "LOCAL-IP");
        self.line("", Some("60"), "AAAA", "LOCAL-IP");
        self.line("", None, "MX", "10 mail");
        self.line("", None, "TXT", "\"v=spf1 mx -all\"");
        self.out.push('\n');
        self.line("www", Some("60"), "A", "LOCAL-IP");
        self.line("", Some("60"), "AAAA", "LOCAL-IP");
        self.with_address.push("www".to_owned());
        self.address_block("mail", 1, 1);
        self.with_address.push("mail".to_owned());
        for index in 1..=hosts {
            let name = format!("ns{index}");
            let ttl = Some("86400");
            self.line(&name, ttl, "A", &format!("127.0.{index}.1"));
            self.line("", ttl, "AAAA", &format!("2001:db8:{index:x}::53"));
            self.with_address.push(name);
        }
        self.out.push('\n');
    }

    /// One owner's worth of records, of a kind chosen by weight.
    fn entity(&mut self) {
        if self.rng.chance(1) && self.rng.chance(10) {
            let _ = writeln!(self.out, "\n; ---- block {} ----", self.counter);
        }
        // Weights give about 42% A, 22% AAAA, 10% CNAME, 10% TXT, 8% MX,
        // 4% SRV, 4% NS (glue counts among the A and AAAA), measured over a
        // million records.
        let roll = self.rng.below(536);
        match roll {
            0..300 => self.host(),
            300..335 => self.ipv6_host(),
            335..357 => self.mail_domain(),
            357..405 => self.txt_name(),
            405..499 => self.cname(),
            499..519 => self.srv(),
            _ => self.delegation(),
        }
    }

    fn host(&mut self) {
        let name = self.fresh_name();
        let v4 = if self.rng.chance(20) {
            self.rng.range(2, 3)
        } else {
            1
        };
        let v6 = if self.rng.chance(35) {
            self.rng.range(1, 2)
        } else {
            0
        };
        self.address_block(&name, v4, v6);
        self.with_address.push(name);
        if self.rng.chance(8) {
            let ttl = self.rrset_ttl();
            let note = self.rng.pick(NOTES, "note");
            self.line("", ttl, "TXT", &format!("\"{note}\""));
        }
        if self.rng.chance(8) {
            let ttl = self.rrset_ttl();
            for preference in 0..self.rng.range(1, 2) {
                let target = self.address_target();
                self.line(
                    "",
                    ttl,
                    "MX",
                    &format!("{} {target}", 10 * (preference + 1)),
                );
            }
        }
    }

    fn ipv6_host(&mut self) {
        let name = self.fresh_name();
        let v6 = self.rng.range(1, 2);
        self.address_block(&name, 0, v6);
    }

    fn mail_domain(&mut self) {
        let name = self.fresh_name();
        let ttl = self.rrset_ttl();
        let mut owner = name.as_str();
        let mut seen = Vec::new();
        for preference in 0..self.rng.range(1, 3) {
            let name = self.address_name();
            if seen.contains(&name) {
                continue;
            }
            let target = self.target(&name);
            self.line(
                owner,
                ttl,
                "MX",
                &format!("{} {target}", 10 * (preference + 1)),
            );
            seen.push(name);
            owner = "";
        }
        let ttl = self.rrset_ttl();
        let spf = format!("\"v=spf1 mx ip4:{}/24 -all\"", self.ipv4());
        self.line("", ttl, "TXT", &spf);
    }

    fn txt_name(&mut self) {
        let name = self.fresh_name();
        let ttl = self.rrset_ttl();
        match self.rng.below(4) {
            0 => {
                // A DKIM key at a selector: semicolons inside quotes, two strings.
                let owner = format!("sel{}._domainkey.{name}", self.rng.below(3));
                let key = format!("MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ{}", self.base64(178));
                let rdata = if self.rng.chance(50) {
                    format!("( \"v=DKIM1; k=rsa; \"\n\t\t\t  \"p={key}\" )")
                } else {
                    format!("\"v=DKIM1; k=rsa; \" \"p={key}\"")
                };
                self.line(&owner, ttl, "TXT", &rdata);
            }
            1 => {
                let token = self.base64(43).replace(['+', '/'], "_");
                self.line(
                    &name,
                    ttl,
                    "TXT",
                    &format!("\"google-site-verification={token}\""),
                );
            }
            2 => {
                let owner = format!("_dmarc.{name}");
                let rdata = "\"v=DMARC1; p=quarantine; rua=mailto:dmarc@example.net\"";
                self.line(&owner, ttl, "TXT", rdata);
            }
            _ => {
                let first = self.rng.pick(NOTES, "note");
                self.line(&name, ttl, "TXT", &format!("\"{first}\""));
                if self.rng.chance(30) {
                    let second = self.rng.pick(NOTES, "note");
                    if second != first {
                        self.line("", ttl, "TXT", &format!("\"{second}\" \"(continued)\""));
                    }
                }
            }
        }
    }

    fn cname(&mut self) {
        let name = self.fresh_name();
        let ttl = self.rrset_ttl();
        let target = match self.external {
            Some(external) if self.rng.chance(20) => {
                format!("edge{}.cdn.{external}", self.rng.below(40))
            }
            _ => self.address_target(),
        };
        self.line(&name, ttl, "CNAME", &target);
    }

    fn srv(&mut self) {
        let leaf = self.fresh_name();
        let (service, protocol, port) = self.rng.pick(SERVICES, ("_sip", "_tcp", 5060));
        let owner = format!("{service}.{protocol}.{leaf}");
        let ttl = self.rrset_ttl();
        let mut line_owner = owner.as_str();
        let mut seen = Vec::new();
        for index in 0..self.rng.range(1, 3) {
            let name = self.address_name();
            if seen.contains(&name) {
                continue;
            }
            let target = self.target(&name);
            let weight = self.rng.below(101);
            let rdata = format!("{} {weight} {port} {target}", 10 * (index / 2 + 1));
            self.line(line_owner, ttl, "SRV", &rdata);
            seen.push(name);
            line_owner = "";
        }
    }

    fn delegation(&mut self) {
        let child = self.fresh_name();
        let servers = if self.rng.chance(30) { 3 } else { 2 };
        let ttl = if self.rng.chance(50) {
            Some("86400")
        } else {
            self.rrset_ttl()
        };
        match self.external {
            Some(external) if self.rng.chance(40) => {
                let provider = self.rng.below(50);
                let mut owner = child.as_str();
                for index in 1..=servers {
                    let target = format!("ns{index}.hoster{provider}.{external}");
                    self.line(owner, ttl, "NS", &target);
                    owner = "";
                }
            }
            _ => {
                let mut owner = child.as_str();
                for index in 1..=servers {
                    let target = self.target(&format!("ns{index}.{child}"));
                    self.line(owner, ttl, "NS", &target);
                    owner = "";
                }
                for index in 1..=servers {
                    let glue = format!("ns{index}.{child}");
                    let v6 = usize::from(self.rng.chance(30));
                    self.address_block(&glue, 1, v6);
                }
            }
        }
    }
}
