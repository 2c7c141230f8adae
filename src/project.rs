//! The scheme itself: one [`Template`] for the fleet, projected for each [`Host`] into the
//! zone that host serves, identical across hosts except where the scheme says it must
//! differ: the self-referencing names carry the host's own addresses, and the SOA MNAME
//! names the host.
//!
//! ```
//! use multiprimary::{Template, text::{parse, ParseOptions}};
//! use multiprimary::hickory_proto::rr::{Name, RecordType};
//! use std::str::FromStr;
//!
//! let text = "$ORIGIN example.com.\n$TTL 60\n@ SOA bob hostmaster 2007010100 60 7200 604800 60\n\
//!             @ NS bob\n@ NS bill\n@ A LOCAL-IP\nwww A LOCAL-IP\nbob A 1.2.3.4\nbill A 5.6.7.8\n";
//! let template = Template::new(parse(text, &ParseOptions::new().template(true)).unwrap());
//! let (fleet, warnings) = template.fleet(&[]).unwrap();
//! assert!(warnings.is_empty());
//!
//! let bill = template.project(fleet.host("bill").unwrap());
//! let www = Name::from_str("www.example.com.").unwrap();
//! let a: Vec<_> = bill.rrset(&www, RecordType::A).unwrap().rdatas().map(|r| r.to_string()).collect();
//! assert_eq!(a, ["5.6.7.8"]);
//! assert!(bill.to_string().contains("SOA\tbill.example.com. hostmaster.example.com. 2007010100 "));
//!
//! // While bill's web server is down, bill's DNS sends clients to the others.
//! let degraded = template.degraded(&fleet, fleet.host("bill").unwrap());
//! let a: Vec<_> = degraded.rrset(&www, RecordType::A).unwrap().rdatas().map(|r| r.to_string()).collect();
//! assert_eq!(a, ["1.2.3.4"]);
//! ```

use std::cmp::Ordering;
use std::net::IpAddr;
use std::str::FromStr;

use hickory_proto::rr::{Name, RecordType};

use crate::fleet::{Fleet, FleetError, FleetWarning, Host};
use crate::rdata;
use crate::zone::{Zone, canonical_key};

/// The TTL of self-referencing records the template does not give one for.
const DEFAULT_SELF_TTL: u32 = 60;

/// Options of a projection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ProjectOptions {
    /// Names that answer "this server", besides those that hold placeholders (or, in a
    /// template without placeholders, the apex and `www`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub self_names: Vec<Name>,
}

impl ProjectOptions {
    /// No extra self-referencing names.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a self-referencing name (made fully qualified).
    #[must_use]
    pub fn self_name(mut self, name: Name) -> Self {
        let mut name = name;
        name.set_fqdn(true);
        if !self.self_names.contains(&name) {
            self.self_names.push(name);
        }
        self
    }
}

/// The zone an operator writes once for the whole fleet, and its self-referencing names.
#[derive(Debug, Clone)]
pub struct Template {
    zone: Zone,
    self_names: Vec<Name>,
}

/// How one RRset of an observed copy differs from the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The owner.
    pub owner: Name,
    /// The type.
    pub record_type: RecordType,
    /// How it differs.
    pub kind: DriftKind,
}

/// The ways an RRset can drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriftKind {
    /// Expected, absent from the observed copy.
    Missing,
    /// In the observed copy, not expected.
    Unexpected,
    /// In both, with different records or TTLs.
    Different,
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            DriftKind::Missing => "missing",
            DriftKind::Unexpected => "unexpected",
            DriftKind::Different => "different",
        };
        write!(f, "{} {}: {what}", self.owner, self.record_type)
    }
}

/// The self-referencing names of a zone used as a template: every name holding a
/// placeholder; without placeholders, the apex and `www` where they hold addresses.
pub(crate) fn default_self_names(zone: &Zone) -> Vec<Name> {
    let mut names: Vec<Name> = Vec::new();
    for (name, _) in zone.placeholders() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    if names.is_empty() {
        let origin = zone.origin();
        let www = Name::from_str("www")
            .ok()
            .and_then(|www| www.append_domain(origin).ok());
        for name in std::iter::once(origin.clone()).chain(www) {
            if has_address(zone, &name) {
                names.push(name);
            }
        }
    }
    names
}

fn has_address(zone: &Zone, name: &Name) -> bool {
    zone.rrset(name, RecordType::A).is_some() || zone.rrset(name, RecordType::AAAA).is_some()
}

/// The SOA MINIMUM of a zone.
pub(crate) fn soa_minimum(zone: &Zone) -> Option<u32> {
    let (_, data) = zone.rrset(zone.origin(), RecordType::SOA)?.iter().next()?;
    let minimum = data.get(data.len().checked_sub(4)?..)?;
    Some(u32::from_be_bytes(minimum.try_into().ok()?))
}

impl Template {
    /// A template whose self-referencing names are those holding placeholders, or the
    /// apex and `www` where it has none.
    pub fn new(zone: Zone) -> Self {
        Self::with_options(zone, &ProjectOptions::default())
    }

    /// A template with extra self-referencing names.
    pub fn with_options(zone: Zone, options: &ProjectOptions) -> Self {
        let mut self_names = default_self_names(&zone);
        for name in &options.self_names {
            if !self_names.contains(name) {
                self_names.push(name.clone());
            }
        }
        self_names.sort_by_key(canonical_key);
        Self { zone, self_names }
    }

    /// The template zone.
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// The self-referencing names, in canonical order.
    pub fn self_names(&self) -> &[Name] {
        &self.self_names
    }

    /// Whether `name` is self-referencing.
    pub fn is_self_name(&self, name: &Name) -> bool {
        self.self_names.contains(name)
    }

    /// The fleet: the apex NS targets with their glue, and `external` addresses for hosts
    /// outside the zone. Warnings: hosts on one network, self-referencing TTLs or the SOA
    /// MINIMUM above 60 s, a self name whose address family some host lacks.
    ///
    /// # Errors
    ///
    /// See [`Fleet::from_zone`].
    pub fn fleet(&self, external: &[Host]) -> Result<(Fleet, Vec<FleetWarning>), FleetError> {
        let (fleet, mut warnings) = Fleet::from_zone_with(&self.zone, external, &self.self_names)?;
        warnings.extend(crate::fleet::ttl_warnings(&self.zone, &self.self_names));
        Ok((fleet, warnings))
    }

    /// The zone `host` serves: self-referencing names carry exactly the host's IPv4
    /// addresses as A and its IPv6 addresses as AAAA (an RRset is absent where the host has
    /// no address of that family), the SOA MNAME names the host, and every other RRset is
    /// the template's. Costs the self-referencing RRsets, not the zone: the projection
    /// shares the template's other nodes.
    pub fn project(&self, host: &Host) -> Zone {
        self.project_to(host, host.addresses())
    }

    /// The zone `host` serves while its own web service is down: the self-referencing
    /// names carry the addresses of every *other* host in `fleet`, so a server whose DNS
    /// still answers stops sending clients to its broken web server.
    pub fn degraded(&self, fleet: &Fleet, host: &Host) -> Zone {
        let others: Vec<IpAddr> = fleet
            .hosts()
            .iter()
            .filter(|h| h.name() != host.name())
            .flat_map(|h| h.addresses().iter().copied())
            .filter(|a| !host.addresses().contains(a))
            .collect();
        self.project_to(host, &others)
    }

    fn project_to(&self, host: &Host, addresses: &[IpAddr]) -> Zone {
        let mut zone = self.zone.clone();
        for name in &self.self_names {
            let ttl_of = |t: RecordType| self.zone.rrset(name, t).map(|r| r.ttl());
            let a_ttl = ttl_of(RecordType::A);
            let aaaa_ttl = ttl_of(RecordType::AAAA);
            zone.remove(name, RecordType::A);
            zone.remove(name, RecordType::AAAA);
            for address in addresses {
                match address {
                    IpAddr::V4(v4) => {
                        let ttl = a_ttl.or(aaaa_ttl).unwrap_or(DEFAULT_SELF_TTL);
                        zone.insert_data(name, RecordType::A, ttl, &v4.octets());
                    }
                    IpAddr::V6(v6) => {
                        let ttl = aaaa_ttl.or(a_ttl).unwrap_or(DEFAULT_SELF_TTL);
                        zone.insert_data(name, RecordType::AAAA, ttl, &v6.octets());
                    }
                }
            }
        }
        set_soa_mname(&mut zone, host.name());
        zone
    }

    /// Writes the zone of each host of `targets` to its output as zone text, byte for byte
    /// as [`text::write`](crate::text::write) writes [`project`](Self::project)'s zone for
    /// that host, but in one pass over the template for them all: the lines every host
    /// shares (all but the SOA and the self-referencing A and AAAA RRsets) are formatted
    /// once and written to every output. For a large zone and many hosts this costs little
    /// more than writing one zone, where projecting and writing each costs a pass per host.
    ///
    /// ```
    /// use multiprimary::{Template, text::{parse, ParseOptions}};
    ///
    /// let text = "$ORIGIN example.com.\n$TTL 60\n@ SOA bob hostmaster 1 60 7200 604800 60\n\
    ///             @ NS bob\n@ NS bill\n@ A LOCAL-IP\nwww A LOCAL-IP\nbob A 1.2.3.4\nbill A 5.6.7.8\n";
    /// let template = Template::new(parse(text, &ParseOptions::new().template(true)).unwrap());
    /// let (fleet, _) = template.fleet(&[]).unwrap();
    /// let mut targets: Vec<_> = fleet.hosts().iter().map(|host| (host, String::new())).collect();
    /// template.write_projections(&mut targets).unwrap();
    /// for (host, text) in &targets {
    ///     assert_eq!(*text, template.project(host).to_string());
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// The first error of an output; the outputs after it in `targets` may then be
    /// incomplete too.
    pub fn write_projections<W: std::fmt::Write>(
        &self,
        targets: &mut [(&Host, W)],
    ) -> std::fmt::Result {
        let zones: Vec<Zone> = targets.iter().map(|(host, _)| self.project(host)).collect();
        let mut outputs: Vec<(&Zone, &mut W)> = zones
            .iter()
            .zip(targets.iter_mut())
            .map(|(zone, (_, out))| (zone, out))
            .collect();
        let varying: Vec<(&Name, RecordType)> = self
            .self_names
            .iter()
            .flat_map(|name| [(name, RecordType::A), (name, RecordType::AAAA)])
            .collect();
        crate::text::write_each(&self.zone, &varying, &mut outputs)
    }

    /// Every difference between two copies of the zone outside the self-referencing
    /// A and AAAA RRsets and the SOA MNAME: what one host's copy has that another's lacks,
    /// or holds differently (records or TTLs), in canonical order.
    pub fn drift(&self, expected: &Zone, observed: &Zone) -> Vec<Drift> {
        let mut drift = Vec::new();
        let skip = |name: &Name, t: RecordType| {
            matches!(t, RecordType::A | RecordType::AAAA) && self.is_self_name(name)
        };
        let mut left = expected
            .rrsets()
            .filter(|(n, r)| !skip(n, r.record_type()))
            .peekable();
        let mut right = observed
            .rrsets()
            .filter(|(n, r)| !skip(n, r.record_type()))
            .peekable();
        loop {
            let order = match (left.peek(), right.peek()) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((ln, lr)), Some((rn, rr))) => canonical_key(ln)
                    .cmp(&canonical_key(rn))
                    .then(u16::from(lr.record_type()).cmp(&u16::from(rr.record_type()))),
            };
            let (owner, record_type, kind) = match order {
                Ordering::Less => {
                    let Some((name, rrset)) = left.next() else {
                        break;
                    };
                    (name, rrset.record_type(), Some(DriftKind::Missing))
                }
                Ordering::Greater => {
                    let Some((name, rrset)) = right.next() else {
                        break;
                    };
                    (name, rrset.record_type(), Some(DriftKind::Unexpected))
                }
                Ordering::Equal => {
                    let (Some((name, l)), Some((_, r))) = (left.next(), right.next()) else {
                        break;
                    };
                    let same = if l.record_type() == RecordType::SOA {
                        l.len() == r.len()
                            && l.iter().zip(r.iter()).all(|((lt, ld), (rt, rd))| {
                                lt == rt && without_mname(ld) == without_mname(rd)
                            })
                    } else {
                        l == r
                    };
                    (
                        name,
                        l.record_type(),
                        (!same).then_some(DriftKind::Different),
                    )
                }
            };
            if let Some(kind) = kind {
                drift.push(Drift {
                    owner: owner.clone(),
                    record_type,
                    kind,
                });
            }
        }
        drift
    }
}

/// SOA data after the MNAME.
fn without_mname(data: &[u8]) -> &[u8] {
    rdata::name_length(data)
        .and_then(|n| data.get(n..))
        .unwrap_or(data)
}

/// Replaces the MNAME of the apex SOA, keeping TTL and every other field.
fn set_soa_mname(zone: &mut Zone, mname: &Name) {
    let origin = zone.origin().clone();
    let Some(soa) = zone.rrset(&origin, RecordType::SOA) else {
        return;
    };
    let records: Vec<(u32, Vec<u8>)> = soa
        .iter()
        .map(|(ttl, data)| {
            let mut new = rdata::name_wire(mname);
            new.extend_from_slice(without_mname(data));
            (ttl, new)
        })
        .collect();
    zone.remove(&origin, RecordType::SOA);
    for (ttl, data) in records {
        zone.insert_data(&origin, RecordType::SOA, ttl, &data);
    }
}

/// The zone `host` serves, projected from `template` with its default self-referencing
/// names (see [`Template::project`]).
pub fn project(template: &Zone, host: &Host) -> Zone {
    Template::new(template.clone()).project(host)
}

/// The next serial for a changed template (`YYYYMMDDnn`, RFC 1912 §2.2): the first serial
/// of `year-month-day`, or `current + 1` where that would not be newer than `current` under
/// RFC 1982 arithmetic.
///
/// ```
/// use multiprimary::next_serial;
/// assert_eq!(next_serial(2007010100, 2026, 11, 25), 2026112500);
/// assert_eq!(next_serial(2026112500, 2026, 11, 25), 2026112501);
/// // A serial ahead of today's (under RFC 1982) only moves on by one...
/// assert_eq!(next_serial(4_000_000_000, 2026, 11, 25), 4_000_000_001);
/// // ...and 2^32 - 1 is behind 2026112500, which follows it by wrapping.
/// assert_eq!(next_serial(u32::MAX, 2026, 11, 25), 2026112500);
/// ```
pub fn next_serial(current: u32, year: u16, month: u8, day: u8) -> u32 {
    let first = u32::from(year) * 1_000_000 + u32::from(month) * 10_000 + u32::from(day) * 100;
    if serial_cmp(first, current) == Some(Ordering::Greater) {
        first
    } else {
        current.wrapping_add(1)
    }
}

/// Compares two serials under RFC 1982 arithmetic (SERIAL_BITS = 32): `None` where the
/// RFC leaves it undefined (they are exactly 2^31 apart).
///
/// ```
/// use multiprimary::serial_cmp;
/// use std::cmp::Ordering;
/// assert_eq!(serial_cmp(1, 0), Some(Ordering::Greater));
/// assert_eq!(serial_cmp(0, u32::MAX), Some(Ordering::Greater), "0 follows 2^32 - 1");
/// assert_eq!(serial_cmp(0, 1 << 31), None);
/// ```
pub fn serial_cmp(a: u32, b: u32) -> Option<Ordering> {
    const HALF: u32 = 1 << 31;
    if a == b {
        Some(Ordering::Equal)
    } else if a.wrapping_sub(b) == HALF {
        None
    } else if (a < b && b - a < HALF) || (a > b && a - b > HALF) {
        Some(Ordering::Less)
    } else {
        Some(Ordering::Greater)
    }
}
