//! [`Zone::validate`]: the rules mainstream servers enforce, every problem at once.

use hickory_proto::rr::{Name, RecordType};
use hickory_proto::serialize::binary::BinDecodable;

use super::{Node, Rrset, Source, Zone};
use crate::error::{Location, Problem, ProblemKind, Severity, ZoneError};
use crate::rdata;

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
        let mut problems = Vec::new();
        let origin = &self.origin;
        let mut push = |owner: &Name,
                        record_type: RecordType,
                        kind: ProblemKind,
                        location: Option<Location>,
                        related: Option<Location>| {
            problems.push(Problem {
                owner: owner.clone(),
                record_type,
                kind,
                location,
                related,
            });
        };
        match self.rrset(origin, RecordType::SOA) {
            None => push(
                origin,
                RecordType::SOA,
                ProblemKind::NoSoa,
                self.file_location(),
                None,
            ),
            Some(soa) if soa.len() == 1 => {}
            Some(soa) => {
                let (first, second) = self.first_two(soa);
                push(
                    origin,
                    RecordType::SOA,
                    ProblemKind::MultipleSoa { count: soa.len() },
                    second,
                    first,
                );
            }
        }
        if self.rrset(origin, RecordType::NS).is_none() {
            push(
                origin,
                RecordType::NS,
                ProblemKind::NoApexNs,
                self.file_location(),
                None,
            );
        }
        // The closest enclosing cut or DNAME: its owner, and where its NS or DNAME
        // records were read.
        let mut cut: Option<(&Name, Option<Source>)> = None;
        let mut dname: Option<(&Name, Option<Source>)> = None;
        for Node { name, rrsets } in self.nodes.iter() {
            if !origin.zone_of(name) {
                for rrset in rrsets {
                    push(
                        name,
                        rrset.record_type,
                        ProblemKind::OutsideOrigin {
                            origin: origin.clone(),
                        },
                        self.location(rrset.source()),
                        None,
                    );
                }
                continue;
            }
            // In canonical order a name's descendants follow it directly, so the closest
            // enclosing cut or DNAME is the last one seen that is still an ancestor.
            if cut.is_some_and(|(c, _)| !c.zone_of(name)) {
                cut = None;
            }
            if dname.is_some_and(|(d, _)| !d.zone_of(name)) {
                dname = None;
            }
            let find = |t: RecordType| rrsets.iter().find(|r| r.record_type == t);
            for rrset in rrsets {
                let record_type = rrset.record_type;
                let here = || self.location(rrset.source());
                if record_type == RecordType::SOA && name != origin {
                    push(name, record_type, ProblemKind::SoaNotAtApex, here(), None);
                }
                if let Some((cut, at)) = cut
                    && !matches!(record_type, RecordType::A | RecordType::AAAA)
                {
                    push(
                        name,
                        record_type,
                        ProblemKind::BelowZoneCut { cut: cut.clone() },
                        here(),
                        self.location(at),
                    );
                }
                if let Some((dname, at)) = dname {
                    push(
                        name,
                        record_type,
                        ProblemKind::BelowDname {
                            dname: dname.clone(),
                        },
                        here(),
                        self.location(at),
                    );
                }
                // RRSIGs carry the TTL of the RRset each covers (RFC 4034 §3, RFC 2181 §5.2).
                if let Some(((first, first_at), (other, other_at))) = rrset
                    .ttl_conflict()
                    .filter(|_| record_type != RecordType::RRSIG)
                {
                    push(
                        name,
                        record_type,
                        ProblemKind::TtlMismatch { first, other },
                        self.location(other_at),
                        self.location(first_at),
                    );
                }
                match record_type {
                    RecordType::CNAME => {
                        if rrset.len() > 1 {
                            let (first, second) = self.first_two(rrset);
                            push(
                                name,
                                record_type,
                                ProblemKind::MultipleCnames { count: rrset.len() },
                                second,
                                first,
                            );
                        }
                        if let Some(other) = rrsets.iter().find(|r| {
                            !matches!(
                                r.record_type,
                                RecordType::CNAME | RecordType::RRSIG | RecordType::NSEC
                            )
                        }) {
                            push(
                                name,
                                record_type,
                                ProblemKind::CnameAndOtherData {
                                    other: other.record_type,
                                },
                                here(),
                                self.location(other.source()),
                            );
                        }
                    }
                    RecordType::DNAME if rrset.len() > 1 => {
                        let (first, second) = self.first_two(rrset);
                        push(
                            name,
                            record_type,
                            ProblemKind::MultipleDnames { count: rrset.len() },
                            second,
                            first,
                        );
                    }
                    RecordType::NS | RecordType::MX | RecordType::SRV => {
                        for (_, data, source) in rrset.entries() {
                            if let Some(kind) = self.check_target(record_type, data) {
                                push(name, record_type, kind, self.location(source), None);
                            }
                        }
                    }
                    _ => {}
                }
            }
            if name != origin && cut.is_none() {
                cut = find(RecordType::NS).map(|ns| (name, ns.source()));
            }
            if dname.is_none() {
                dname = find(RecordType::DNAME).map(|d| (name, d.source()));
            }
        }
        for ((name, record_type), duplicates) in &self.duplicates {
            let first = duplicates.first;
            push(
                name,
                *record_type,
                ProblemKind::Duplicate {
                    count: duplicates.count,
                },
                self.location(first.and_then(|f| f.dropped)),
                self.location(first.and_then(|f| f.kept)),
            );
        }
        problems
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
        let wire = rdata::target(record_type, data)?;
        let target = Name::from_bytes(wire).ok()?;
        // (An SRV target of `.` says there is no such service, RFC 2782.)
        if !self.origin.zone_of(&target) || target.is_root() && !self.origin.is_root() {
            return None;
        }
        if record_type != RecordType::NS && self.is_occluded(&target) {
            return None;
        }
        if record_type != RecordType::NS && self.rrset(&target, RecordType::CNAME).is_some() {
            return Some(ProblemKind::TargetIsAlias { target });
        }
        let has_address = self
            .rrsets_at(&target)
            .any(|r| matches!(r.record_type, RecordType::A | RecordType::AAAA));
        (!has_address).then_some(ProblemKind::TargetWithoutAddress { target })
    }

    /// Whether `name` is at or below a zone cut other than the apex.
    fn is_occluded(&self, name: &Name) -> bool {
        let mut ancestor = name.clone();
        while ancestor.iter().count() > self.origin.iter().count() {
            if self.rrset(&ancestor, RecordType::NS).is_some() {
                return true;
            }
            ancestor = ancestor.base_name();
        }
        false
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
