//! [`Zone::validate`]: the rules mainstream servers enforce, every problem at once.

use hickory_proto::rr::{Name, RecordType};
use hickory_proto::serialize::binary::BinDecodable;

use super::{Node, Rrset, Zone, canonical_key};
use crate::error::{Problem, ProblemKind, Severity, ZoneError};
use crate::rdata;

impl Zone {
    /// Checks the zone against the rules mainstream servers enforce, and returns every
    /// problem found, errors and warnings, each naming its owner and type.
    ///
    /// Errors (servers refuse the zone): not exactly one SOA at the apex, an SOA elsewhere,
    /// no NS at the apex, CNAME beside other data or more than one CNAME, more than one
    /// DNAME, data below a DNAME (RFC 6672 §2.3), owners outside the origin, TTLs
    /// differing inside an RRset (RFC 2181 §5.2; RRSIGs excepted). Warnings: duplicate
    /// records (kept once), in-zone NS or MX targets without address records, data
    /// occluded below a zone cut (kept for transfers, never answered).
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let origin = &self.origin;
        let mut push = |owner: &Name, record_type: RecordType, kind: ProblemKind| {
            problems.push(Problem {
                owner: owner.clone(),
                record_type,
                kind,
            });
        };
        match self.rrset(origin, RecordType::SOA).map(Rrset::len) {
            None => push(origin, RecordType::SOA, ProblemKind::NoSoa),
            Some(1) => {}
            Some(count) => push(origin, RecordType::SOA, ProblemKind::MultipleSoa { count }),
        }
        if self.rrset(origin, RecordType::NS).is_none() {
            push(origin, RecordType::NS, ProblemKind::NoApexNs);
        }
        let mut cut: Option<&Name> = None;
        let mut dname: Option<&Name> = None;
        for Node { name, rrsets } in self.nodes.iter() {
            if !origin.zone_of(name) {
                for rrset in rrsets {
                    push(
                        name,
                        rrset.record_type,
                        ProblemKind::OutsideOrigin {
                            origin: origin.clone(),
                        },
                    );
                }
                continue;
            }
            // In canonical order a name's descendants follow it directly, so the closest
            // enclosing cut or DNAME is the last one seen that is still an ancestor.
            if cut.is_some_and(|c| !c.zone_of(name)) {
                cut = None;
            }
            if dname.is_some_and(|d| !d.zone_of(name)) {
                dname = None;
            }
            let has = |t: RecordType| rrsets.iter().any(|r| r.record_type == t);
            for rrset in rrsets {
                let record_type = rrset.record_type;
                if record_type == RecordType::SOA && name != origin {
                    push(name, record_type, ProblemKind::SoaNotAtApex);
                }
                if let Some(cut) = cut
                    && !matches!(record_type, RecordType::A | RecordType::AAAA)
                {
                    push(
                        name,
                        record_type,
                        ProblemKind::BelowZoneCut { cut: cut.clone() },
                    );
                }
                if let Some(dname) = dname {
                    push(
                        name,
                        record_type,
                        ProblemKind::BelowDname {
                            dname: dname.clone(),
                        },
                    );
                }
                // RRSIGs carry the TTL of the RRset each covers (RFC 4034 §3, RFC 2181 §5.2).
                // One record cannot conflict: its data is not read.
                if rrset.len() > 1
                    && record_type != RecordType::RRSIG
                    && let Some((first, other)) = rrset.ttl_conflict()
                {
                    push(name, record_type, ProblemKind::TtlMismatch { first, other });
                }
                match record_type {
                    RecordType::CNAME => {
                        if rrset.len() > 1 {
                            push(
                                name,
                                record_type,
                                ProblemKind::MultipleCnames { count: rrset.len() },
                            );
                        }
                        if let Some(other) = rrsets.iter().map(|r| r.record_type).find(|t| {
                            !matches!(t, RecordType::CNAME | RecordType::RRSIG | RecordType::NSEC)
                        }) {
                            push(name, record_type, ProblemKind::CnameAndOtherData { other });
                        }
                    }
                    RecordType::DNAME if rrset.len() > 1 => {
                        push(
                            name,
                            record_type,
                            ProblemKind::MultipleDnames { count: rrset.len() },
                        );
                    }
                    RecordType::NS | RecordType::MX => {
                        for (_, data) in rrset.iter() {
                            self.check_target(name, record_type, data, &mut push);
                        }
                    }
                    _ => {}
                }
            }
            if has(RecordType::NS) && cut.is_none() && name != origin {
                cut = Some(name);
            }
            if dname.is_none() && has(RecordType::DNAME) {
                dname = Some(name);
            }
        }
        for ((name, record_type), count) in &self.duplicates {
            push(name, *record_type, ProblemKind::Duplicate { count: *count });
        }
        problems
    }

    /// Reports an in-zone NS or MX target without address records.
    fn check_target(
        &self,
        owner: &Name,
        record_type: RecordType,
        data: &[u8],
        push: &mut impl FnMut(&Name, RecordType, ProblemKind),
    ) {
        let Some(wire) = rdata::target(record_type, data) else {
            return;
        };
        // The target's canonical key, read from its wire form: inside the origin exactly
        // when the origin's key is a prefix of it (the root only in the root zone). Its
        // `Name` is built only for a warning.
        let key = wire_key(wire);
        if !key.starts_with(&canonical_key(&self.origin)) {
            return;
        }
        // One search for the target's node answers both questions below; occlusion also
        // looks at the target's ancestors, whose keys are prefixes of the target's.
        let node = self.nodes.get(&key);
        if record_type == RecordType::MX && self.is_occluded(&key, node) {
            return;
        }
        let has_address = node.is_some_and(|node| {
            node.rrsets
                .iter()
                .any(|r| matches!(r.record_type, RecordType::A | RecordType::AAAA))
        });
        if !has_address && let Ok(target) = Name::from_bytes(wire) {
            push(
                owner,
                record_type,
                ProblemKind::TargetWithoutAddress { target },
            );
        }
    }

    /// Whether the name of canonical key `key` (whose node is `node`) is at or below a
    /// zone cut other than the apex. An ancestor's key is a prefix of `key` ending at a
    /// label's end (a 0 octet: octets 0 inside labels are escaped in keys).
    fn is_occluded(&self, key: &[u8], node: Option<&Node>) -> bool {
        let origin = canonical_key(&self.origin).len();
        if key.len() <= origin {
            return false;
        }
        let has_ns = |node: &Node| node.rrsets.iter().any(|r| r.record_type == RecordType::NS);
        if node.is_some_and(has_ns) {
            return true;
        }
        key.iter()
            .enumerate()
            .take(key.len().saturating_sub(1))
            .skip(origin)
            .filter(|&(_, &octet)| octet == 0)
            .any(|(end, _)| {
                key.get(..=end)
                    .and_then(|ancestor| self.nodes.get(ancestor))
                    .is_some_and(has_ns)
            })
    }

    /// [`validate`](Self::validate), failing on any problem of severity
    /// [`Severity::Error`]; returns the warnings otherwise.
    ///
    /// # Errors
    ///
    /// Every error-severity problem, at once.
    pub fn check(&self) -> Result<Vec<Problem>, ZoneError> {
        let (errors, warnings): (Vec<_>, Vec<_>) = self
            .validate()
            .into_iter()
            .partition(|p| p.severity() == Severity::Error);
        if errors.is_empty() {
            Ok(warnings)
        } else {
            Err(ZoneError::new(errors))
        }
    }
}

/// The canonical key (as `canonical_key` makes from a `Name`) of an uncompressed wire name.
fn wire_key(wire: &[u8]) -> Vec<u8> {
    let mut labels = Vec::new();
    let mut at = 0;
    while let Some(&length) = wire.get(at) {
        if length == 0 {
            break;
        }
        labels.push(
            wire.get(at + 1..at + 1 + usize::from(length))
                .unwrap_or_default(),
        );
        at += 1 + usize::from(length);
    }
    let mut key = Vec::with_capacity(wire.len() + 2);
    for label in labels.into_iter().rev() {
        for &byte in label {
            match byte {
                0 | 1 => key.extend_from_slice(&[1, byte + 1]),
                _ => key.push(byte.to_ascii_lowercase()),
            }
        }
        key.push(0);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn wire_keys_are_the_canonical_keys_of_the_names(
            labels in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 1..6), 0..5),
        ) {
            let name = Name::from_labels(labels).unwrap();
            proptest::prop_assert_eq!(wire_key(&rdata::name_wire(&name)), canonical_key(&name));
        }
    }
}
