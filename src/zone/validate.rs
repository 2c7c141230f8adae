//! [`Zone::validate`]: the rules mainstream servers enforce, every problem at once.

use hickory_proto::rr::{Name, RecordType};
use hickory_proto::serialize::binary::BinDecodable;

use super::{Node, Rrset, Source, Zone, canonical_key, key_of_labels};
use crate::error::{Location, Problem, ProblemKind, Severity, ZoneError};
use crate::schema;

impl Zone {
    /// Checks the zone against the rules mainstream servers enforce, and returns every
    /// problem found, errors and warnings, each naming its owner and type.
    ///
    /// Errors (servers refuse the zone): not exactly one SOA at the apex, an SOA elsewhere,
    /// no NS at the apex, CNAME beside other data or more than one CNAME, more than one
    /// DNAME, data below a DNAME (RFC 6672 §2.3), owners outside the origin, TTLs
    /// differing inside an RRset (RFC 2181 §5.2; RRSIGs excepted). Warnings: duplicate
    /// records (kept once), an MX or SRV target that is a CNAME (RFC 2181 §10.3), in-zone
    /// NS, MX or SRV targets without address records, data occluded below a zone cut
    /// (kept for transfers, never answered).
    pub fn validate(&self) -> Vec<Problem> {
        let mut report = Report {
            zone: self,
            problems: Vec::new(),
        };
        report.apex();
        // The closest enclosing cut and DNAME: their keys, and where their NS or DNAME
        // records were read. In canonical order a name's descendants follow it directly,
        // so each is the last one seen that is still an ancestor. A name is at or below
        // another exactly when the other's canonical key is a prefix of its own (each
        // label ends in a 0 octet, which labels hold only escaped).
        let origin_key = canonical_key(&self.origin);
        let mut cut: Option<(&[u8], &Name, Option<Source>)> = None;
        let mut dname: Option<(&[u8], &Name, Option<Source>)> = None;
        for (key, node) in self.nodes.iter_keyed() {
            if !key.starts_with(&origin_key) {
                report.outside_origin(node);
                continue;
            }
            if cut.is_some_and(|(c, _, _)| !key.starts_with(c)) {
                cut = None;
            }
            if dname.is_some_and(|(d, _, _)| !key.starts_with(d)) {
                dname = None;
            }
            let cut_above = cut.map(|(_, name, source)| (name, source));
            let dname_above = dname.map(|(_, name, source)| (name, source));
            for rrset in &node.rrsets {
                report.placement(node, rrset, cut_above, dname_above);
                report.rrset(node, rrset);
            }
            let find = |t: RecordType| node.rrsets.iter().find(|r| r.record_type == t);
            if cut.is_none() && key.len() > origin_key.len() {
                cut = find(RecordType::NS).map(|ns| (key, &node.name, ns.source()));
            }
            if dname.is_none() {
                dname = find(RecordType::DNAME).map(|d| (key, &node.name, d.source()));
            }
        }
        report.duplicates();
        report.problems
    }

    /// Where the first and second records of `rrset` (in the order they were read)
    /// were read.
    fn first_two(&self, rrset: &Rrset) -> (Option<Location>, Option<Location>) {
        let records = rrset.in_file_order();
        let at = |index: usize| self.location(records.get(index).and_then(|r| r.2));
        (at(0), at(1))
    }

    /// What is wrong with an in-zone NS, MX or SRV target, if anything: an MX or SRV
    /// target that is an alias (RFC 2181 §10.3), or a target without address records.
    fn check_target(&self, record_type: RecordType, data: &[u8]) -> Option<ProblemKind> {
        let wire = schema::target(record_type, data)?;
        // The target's canonical key, read from its wire form: inside the origin exactly
        // when the origin's key is a prefix of it (the root only in the root zone). Its
        // `Name` is built only for a warning. (An SRV target of `.` says there is no such
        // service, RFC 2782.)
        let key = wire_key(wire);
        if !key.starts_with(&canonical_key(&self.origin)) {
            return None;
        }
        // One search for the target's node answers the questions below; occlusion also
        // looks at the target's ancestors, whose keys are prefixes of the target's.
        let node = self.nodes.get(&key);
        if record_type != RecordType::NS && self.is_occluded(&key, node) {
            return None;
        }
        let has = |t: RecordType| node.is_some_and(|n| n.rrsets.iter().any(|r| r.record_type == t));
        if record_type != RecordType::NS && has(RecordType::CNAME) {
            let target = Name::from_bytes(wire).ok()?;
            return Some(ProblemKind::TargetIsAlias { target });
        }
        if has(RecordType::A) || has(RecordType::AAAA) {
            return None;
        }
        let target = Name::from_bytes(wire).ok()?;
        Some(ProblemKind::TargetWithoutAddress { target })
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

/// The problems found so far, and the zone they are found in.
struct Report<'z> {
    zone: &'z Zone,
    problems: Vec<Problem>,
}

impl Report<'_> {
    fn push(
        &mut self,
        owner: &Name,
        record_type: RecordType,
        kind: ProblemKind,
        location: Option<Location>,
        related: Option<Location>,
    ) {
        self.problems.push(Problem {
            owner: owner.clone(),
            record_type,
            kind,
            location,
            related,
        });
    }

    /// Where a record was read.
    fn at(&self, source: Option<Source>) -> Option<Location> {
        self.zone.location(source)
    }

    /// Exactly one SOA and an NS RRset at the apex.
    fn apex(&mut self) {
        let zone = self.zone;
        let origin = &zone.origin;
        match zone.rrset(origin, RecordType::SOA) {
            None => self.problems.push(Problem::no_soa(zone)),
            Some(soa) if soa.len() == 1 => {}
            Some(soa) => {
                let (first, second) = zone.first_two(soa);
                let kind = ProblemKind::MultipleSoa { count: soa.len() };
                self.push(origin, RecordType::SOA, kind, second, first);
            }
        }
        if zone.rrset(origin, RecordType::NS).is_none() {
            let kind = ProblemKind::NoApexNs;
            self.push(origin, RecordType::NS, kind, zone.file_location(), None);
        }
    }

    /// Every RRset of a node outside the origin.
    fn outside_origin(&mut self, node: &Node) {
        for rrset in &node.rrsets {
            let kind = ProblemKind::OutsideOrigin {
                origin: self.zone.origin.clone(),
            };
            let here = self.at(rrset.source());
            self.push(&node.name, rrset.record_type, kind, here, None);
        }
    }

    /// Where an RRset may not be: an SOA below the apex, data below a zone cut (other
    /// than glue addresses) or below a DNAME.
    fn placement(
        &mut self,
        node: &Node,
        rrset: &Rrset,
        cut: Option<(&Name, Option<Source>)>,
        dname: Option<(&Name, Option<Source>)>,
    ) {
        let record_type = rrset.record_type;
        if record_type == RecordType::SOA && node.name != self.zone.origin {
            let here = self.at(rrset.source());
            self.push(
                &node.name,
                record_type,
                ProblemKind::SoaNotAtApex,
                here,
                None,
            );
        }
        if let Some((cut, at)) = cut
            && !matches!(record_type, RecordType::A | RecordType::AAAA)
        {
            let kind = ProblemKind::BelowZoneCut { cut: cut.clone() };
            let (here, there) = (self.at(rrset.source()), self.at(at));
            self.push(&node.name, record_type, kind, here, there);
        }
        if let Some((dname, at)) = dname {
            let kind = ProblemKind::BelowDname {
                dname: dname.clone(),
            };
            let (here, there) = (self.at(rrset.source()), self.at(at));
            self.push(&node.name, record_type, kind, here, there);
        }
    }

    /// The rules of one RRset: one TTL, one CNAME alone, one DNAME, and NS, MX and SRV
    /// targets.
    fn rrset(&mut self, node: &Node, rrset: &Rrset) {
        let zone = self.zone;
        let (name, record_type) = (&node.name, rrset.record_type);
        let here = || zone.location(rrset.source());
        // RRSIGs carry the TTL of the RRset each covers (RFC 4034 §3, RFC 2181 §5.2). One
        // record cannot conflict: its data is not read.
        if rrset.len() > 1
            && record_type != RecordType::RRSIG
            && let Some(((first, first_at), (other, other_at))) = rrset.ttl_conflict()
        {
            let kind = ProblemKind::TtlMismatch { first, other };
            self.push(
                name,
                record_type,
                kind,
                self.at(other_at),
                self.at(first_at),
            );
        }
        match record_type {
            RecordType::CNAME => {
                if rrset.len() > 1 {
                    let (first, second) = zone.first_two(rrset);
                    let kind = ProblemKind::MultipleCnames { count: rrset.len() };
                    self.push(name, record_type, kind, second, first);
                }
                if let Some(other) = node.rrsets.iter().find(|r| {
                    !matches!(
                        r.record_type,
                        RecordType::CNAME | RecordType::RRSIG | RecordType::NSEC
                    )
                }) {
                    let kind = ProblemKind::CnameAndOtherData {
                        other: other.record_type,
                    };
                    self.push(name, record_type, kind, here(), self.at(other.source()));
                }
            }
            RecordType::DNAME if rrset.len() > 1 => {
                let (first, second) = zone.first_two(rrset);
                let kind = ProblemKind::MultipleDnames { count: rrset.len() };
                self.push(name, record_type, kind, second, first);
            }
            RecordType::NS | RecordType::MX | RecordType::SRV => {
                for (_, data, source) in rrset.entries() {
                    if let Some(kind) = zone.check_target(record_type, data) {
                        self.push(name, record_type, kind, self.at(source), None);
                    }
                }
            }
            _ => {}
        }
    }

    /// The duplicates the loaders dropped.
    fn duplicates(&mut self) {
        let zone = self.zone;
        for ((name, record_type), duplicates) in &zone.duplicates {
            let first = duplicates.first;
            let kind = ProblemKind::Duplicate {
                count: duplicates.count,
            };
            let dropped = self.at(first.and_then(|f| f.dropped));
            let kept = self.at(first.and_then(|f| f.kept));
            self.push(name, *record_type, kind, dropped, kept);
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
    key_of_labels(labels.into_iter().rev(), wire.len() + 2)
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
            proptest::prop_assert_eq!(wire_key(&schema::name_wire(&name)), canonical_key(&name));
        }
    }
}
