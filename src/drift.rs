//! Drift between two copies of a zone: every difference outside what the scheme lets
//! differ (the self-referencing A and AAAA RRsets and the SOA MNAME).

use std::cmp::Ordering;

use hickory_proto::rr::{Name, RecordType};

use crate::template::{Template, without_mname};
use crate::zone::{Zone, canonical_key};

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

impl Template {
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
