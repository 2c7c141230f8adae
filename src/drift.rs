//! Drift between two copies of a zone: every difference outside what the scheme lets
//! differ (the self-referencing A and AAAA RRsets and the SOA MNAME).

use std::cmp::Ordering;

use std::net::IpAddr;

use hickory_proto::rr::{Name, RecordType};

use crate::fleet::{Fleet, Host};
use crate::template::{Template, without_mname};
use crate::zone::{Rrset, Zone, canonical_key};

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
    /// Signed in the expected copy, without a signature by one of its keys in the
    /// observed one (`Template::drift_signed`, feature `dnssec`).
    Unsigned,
    /// With a signature by one of the expected copy's keys that does not verify
    /// (`Template::drift_signed`, feature `dnssec`).
    BadSignature,
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            DriftKind::Missing => "missing",
            DriftKind::Unexpected => "unexpected",
            DriftKind::Different => "different",
            DriftKind::Unsigned => "unsigned",
            DriftKind::BadSignature => "bad signature",
        };
        write!(f, "{} {}: {what}", self.owner, self.record_type)
    }
}

impl Zone {
    /// Every difference between this copy (the one expected) and `observed`, nothing
    /// excused: each RRset one holds that the other lacks or holds differently (records or
    /// TTLs), in canonical order. [`Template::drift`] is the same comparison with what
    /// the scheme lets differ left out.
    ///
    /// ```
    /// use multiprimary::text::{ParseOptions, parse};
    /// use multiprimary::DriftKind;
    ///
    /// let options = ParseOptions::new().origin("example.com.".parse()?);
    /// let expected = parse("www 60 IN A 192.0.2.1\n", &options)?;
    /// let observed = parse("www 30 IN A 192.0.2.1\nftp 60 IN A 192.0.2.2\n", &options)?;
    /// let drift = expected.drift(&observed);
    /// assert_eq!(drift.len(), 2);
    /// assert_eq!(drift[0].to_string(), "ftp.example.com. A: unexpected");
    /// assert_eq!(drift[1].kind, DriftKind::Different);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn drift(&self, observed: &Zone) -> Vec<Drift> {
        drift_between(self, observed, |_, _| false, false)
    }
}

impl Template {
    /// Every difference between two copies of the zone outside the self-referencing
    /// A and AAAA RRsets and the SOA MNAME: what one host's copy has that another's lacks,
    /// or holds differently (records or TTLs), in canonical order.
    pub fn drift(&self, expected: &Zone, observed: &Zone) -> Vec<Drift> {
        let excused = |name: &Name, t: RecordType| {
            matches!(t, RecordType::A | RecordType::AAAA) && self.is_self_name(name)
        };
        drift_between(expected, observed, excused, true)
    }

    /// The host of `fleet` whose copy `observed` is, told by what the copy holds rather
    /// than where it was found (a fleet on one machine listens on loopback while its glue
    /// names public addresses): the host its SOA MNAME names, else the one host that
    /// owns the addresses its self-referencing names hold. `None` when neither tells.
    ///
    /// `observed` may be partial, such as the RRsets a server answered when asked.
    pub fn identify<'f>(&self, fleet: &'f Fleet, observed: &Zone) -> Option<(&'f Host, Evidence)> {
        if let Some(host) = observed
            .soa()
            .and_then(|soa| fleet.hosts().iter().find(|h| h.name() == &soa.mname))
        {
            return Some((host, Evidence::Mname));
        }
        let addresses: Vec<IpAddr> = self
            .self_names()
            .iter()
            .flat_map(|name| {
                [RecordType::A, RecordType::AAAA]
                    .into_iter()
                    .filter_map(|t| observed.rrset(name, t))
            })
            .flat_map(Rrset::addresses)
            .collect();
        let mut owners = fleet
            .hosts()
            .iter()
            .filter(|h| h.addresses().iter().any(|a| addresses.contains(a)));
        match (owners.next(), owners.next()) {
            (Some(host), None) => Some((host, Evidence::SelfAddresses)),
            _ => None,
        }
    }
}

/// How [`Template::identify`] told which host a copy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Evidence {
    /// Its SOA MNAME names the host.
    Mname,
    /// Its self-referencing names hold addresses of this host and of no other.
    SelfAddresses,
}

impl std::fmt::Display for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Mname => "named by its SOA MNAME",
            Self::SelfAddresses => "owner of its self-referencing addresses",
        })
    }
}

/// The RRsets of `expected` and `observed` that differ, in canonical order, leaving out
/// those `excused` and, when `any_mname`, a difference in the SOA MNAME alone.
pub(crate) fn drift_between(
    expected: &Zone,
    observed: &Zone,
    excused: impl Fn(&Name, RecordType) -> bool,
    any_mname: bool,
) -> Vec<Drift> {
    let mut drift = Vec::new();
    let mut left = expected
        .rrsets()
        .filter(|(n, r)| !excused(n, r.record_type()))
        .peekable();
    let mut right = observed
        .rrsets()
        .filter(|(n, r)| !excused(n, r.record_type()))
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
                let same = if any_mname && l.record_type() == RecordType::SOA {
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
