//! Checks of a signed zone that do not trust the signer: which RRsets must be signed is
//! worked out here from the unsigned zone (RFC 4035 §2.2), every RRSIG is verified with
//! hickory-proto's verifier, and the NSEC or NSEC3 chain is rebuilt from the names and
//! compared. Include it with `#[path = "support/dnssec.rs"] mod dnssec;`.
#![allow(dead_code, clippy::panic, clippy::expect_used, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use multiprimary::Zone;
use multiprimary::dnssec::{Denial, KeySet, SignOptions};
use multiprimary::hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, RRSIG};
use multiprimary::hickory_proto::dnssec::{Nsec3HashAlgorithm, Verifier};
use multiprimary::hickory_proto::rr::{Name, RData, Record, RecordType};

/// The types signing adds.
pub(crate) const DNSSEC_TYPES: [RecordType; 7] = [
    RecordType::DNSKEY,
    RecordType::RRSIG,
    RecordType::NSEC,
    RecordType::NSEC3,
    RecordType::NSEC3PARAM,
    RecordType::CDS,
    RecordType::CDNSKEY,
];

/// What `zone` should hold once signed, but for what signing adds: its DNSSEC records
/// dropped (signing with `replace` drops them), and its apex ZONEMD the one signing
/// computed (RFC 8976 §3: the digest is made again over the signed zone).
pub(crate) fn unsigned_of(zone: &Zone, signed: &Zone) -> Zone {
    let zonemd = RecordType::Unknown(63);
    let mut unsigned = zone.clone();
    let old: Vec<(Name, RecordType)> = zone
        .rrsets()
        .filter(|(n, r)| {
            DNSSEC_TYPES.contains(&r.record_type())
                || (r.record_type() == zonemd && *n == zone.origin())
        })
        .map(|(n, r)| (n.clone(), r.record_type()))
        .collect();
    for (n, t) in old {
        unsigned.remove(&n, t);
    }
    for record in signed
        .records()
        .filter(|r| r.record_type() == zonemd && r.name == *signed.origin())
    {
        unsigned
            .insert(&record)
            .expect("a ZONEMD record of the zone");
    }
    unsigned
}

/// What a name of the unsigned zone is, told from its ancestors alone: below a zone cut
/// or a DNAME (not signed, not in the chain), a delegation point, or authoritative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Occluded,
    Delegation,
    Authoritative,
}

pub(crate) fn role(zone: &Zone, name: &Name) -> Role {
    let origin = zone.origin();
    if !origin.zone_of(name) {
        return Role::Occluded;
    }
    let mut ancestor = name.base_name();
    while origin.zone_of(&ancestor) {
        let cut = ancestor != *origin && zone.rrset(&ancestor, RecordType::NS).is_some();
        if cut || zone.rrset(&ancestor, RecordType::DNAME).is_some() {
            return Role::Occluded;
        }
        if ancestor == *origin {
            break;
        }
        ancestor = ancestor.base_name();
    }
    if name != origin && zone.rrset(name, RecordType::NS).is_some() {
        Role::Delegation
    } else {
        Role::Authoritative
    }
}

/// The records of an RRset as a verifier must hash them, in their canonical form (RFC
/// 4034 §6.2), handed to hickory-proto as opaque data. hickory's own canonical form falls
/// short in two ways that BIND, Knot and ldns do not (they accept what the signer makes):
/// it hashes the data of records it cannot decode (MB, RP, a NAPTR whose flag is not
/// alphanumeric) as it is, where RFC 4034 §6.2 (item 3) lowercases the names in them; and
/// it orders an RRset by its records' data before lowercasing, where RFC 4034 §6.3 orders
/// by the canonical form. The lowercasing here is written from the RFC's list and the
/// types' layouts, apart from the crate's.
pub(crate) fn for_verifier(zone: &Zone, name: &Name, record_type: RecordType) -> Vec<Record> {
    use multiprimary::hickory_proto::rr::rdata::NULL;
    let Some(rrset) = zone.rrset(name, record_type) else {
        return Vec::new();
    };
    rrset
        .iter()
        .map(|(ttl, data)| {
            let mut data = data.to_vec();
            lowercase_names(u16::from(record_type), &mut data);
            let rdata = RData::Unknown {
                code: record_type,
                rdata: if data.is_empty() {
                    NULL::new()
                } else {
                    NULL::with(data)
                },
            };
            Record::from_rdata(name.clone(), ttl, rdata)
        })
        .collect()
}

/// Lowercases the names RFC 4034 §6.2 lowercases in the data of `record_type`.
fn lowercase_names(record_type: u16, data: &mut [u8]) {
    let (at, names) = match record_type {
        2..=5 | 7..=9 | 12 | 39 => (0, 1), // NS MD MF CNAME MB MG MR PTR DNAME
        6 | 14 | 17 => (0, 2),             // SOA MINFO RP
        15 | 18 | 21 | 36 => (2, 1),       // MX AFSDB RT KX
        26 => (2, 2),                      // PX
        33 => (6, 1),                      // SRV
        35 => {
            // NAPTR: order, preference, three character-strings, then the name.
            let mut at = 4;
            for _ in 0..3 {
                at += 1 + usize::from(data.get(at).copied().unwrap_or(0));
            }
            (at, 1)
        }
        _ => return,
    };
    let mut at = at;
    for _ in 0..names {
        while let Some(&length) = data.get(at) {
            let length = usize::from(length);
            if length == 0 {
                at += 1;
                break;
            }
            for byte in data.iter_mut().skip(at + 1).take(length) {
                byte.make_ascii_lowercase();
            }
            at += 1 + length;
        }
    }
}

/// The records of `name`/`record_type` in `zone`.
pub(crate) fn records(zone: &Zone, name: &Name, record_type: RecordType) -> Vec<Record> {
    zone.records()
        .filter(|r| r.name == *name && r.record_type() == record_type)
        .collect()
}

fn rrsigs(zone: &Zone, name: &Name) -> Vec<RRSIG> {
    records(zone, name, RecordType::RRSIG)
        .into_iter()
        .filter_map(|r| match r.data {
            RData::DNSSEC(DNSSECRData::RRSIG(rrsig)) => Some(rrsig),
            _ => None,
        })
        .collect()
}

/// The apex DNSKEYs of a signed zone.
pub(crate) fn dnskeys(signed: &Zone) -> Vec<DNSKEY> {
    records(signed, signed.origin(), RecordType::DNSKEY)
        .into_iter()
        .filter_map(|r| match r.data {
            RData::DNSSEC(DNSSECRData::DNSKEY(key)) => Some(key),
            _ => None,
        })
        .collect()
}

/// Every check: the RRSIGs (`signatures`), and the chain (`chain`).
pub(crate) fn check(
    unsigned: &Zone,
    signed: &Zone,
    keys: &KeySet,
    options: &SignOptions,
) -> Result<(), String> {
    signatures(unsigned, signed, keys, options)?;
    match options.denial_kind() {
        Denial::Nsec3 => nsec3_chain(unsigned, signed),
        _ => nsec_chain(unsigned, signed),
    }
}

/// Every RRset that must be signed has one valid RRSIG by each key of its role, with
/// the window, labels and TTL it should have; nothing else is signed; the data of the
/// unsigned zone is all there, unchanged.
pub(crate) fn signatures(
    unsigned: &Zone,
    signed: &Zone,
    keys: &KeySet,
    options: &SignOptions,
) -> Result<(), String> {
    let origin = signed.origin();
    for (name, rrset) in unsigned.rrsets() {
        if DNSSEC_TYPES.contains(&rrset.record_type()) {
            continue;
        }
        if signed.rrset(name, rrset.record_type()) != Some(rrset) {
            return Err(format!(
                "{name} {}: changed by signing",
                rrset.record_type()
            ));
        }
    }
    let dnskeys = dnskeys(signed);
    if dnskeys.len() != keys.keys().len() {
        return Err(format!(
            "{} DNSKEYs for {} keys",
            dnskeys.len(),
            keys.keys().len()
        ));
    }
    // NSEC3 owners are not in the unsigned zone: they are authoritative names.
    let role_of = |name: &Name| {
        if unsigned.names().any(|n| n == name)
            || !signed
                .rrsets_at(name)
                .any(|r| r.record_type() == RecordType::NSEC3)
        {
            role(unsigned, name)
        } else {
            Role::Authoritative
        }
    };
    for name in signed.names() {
        let role = role_of(name);
        let sigs = rrsigs(signed, name);
        let mut covered: BTreeMap<u16, usize> = BTreeMap::new();
        for rrset in signed.rrsets_at(name) {
            let t = rrset.record_type();
            if t == RecordType::RRSIG {
                continue;
            }
            let must = match role {
                Role::Occluded => false,
                Role::Delegation => matches!(t, RecordType::DS | RecordType::NSEC),
                Role::Authoritative => true,
            };
            let by_ksk = matches!(
                t,
                RecordType::DNSKEY | RecordType::CDS | RecordType::CDNSKEY
            );
            let signers: Vec<u16> = if by_ksk {
                keys.key_signing().map(|k| k.tag()).collect()
            } else {
                keys.zone_signing().map(|k| k.tag()).collect()
            };
            let over: Vec<&RRSIG> = sigs
                .iter()
                .filter(|s| s.input().type_covered == t)
                .collect();
            covered.insert(u16::from(t), over.len());
            if !must {
                if !over.is_empty() {
                    return Err(format!("{name} {t}: signed, but {role:?} data is not"));
                }
                continue;
            }
            let mut tags: Vec<u16> = over.iter().map(|s| s.input().key_tag).collect();
            tags.sort_unstable();
            let mut want = signers.clone();
            want.sort_unstable();
            if tags != want {
                return Err(format!(
                    "{name} {t}: RRSIGs by keys {tags:?}, expected {want:?}"
                ));
            }
            let rrset_records = for_verifier(signed, name, t);
            for sig in over {
                let input = sig.input();
                let expected = (
                    name.num_labels(),
                    rrset.ttl(),
                    options.inception(),
                    options.expiration(),
                    origin.clone(),
                );
                let got = (
                    input.num_labels,
                    input.original_ttl,
                    input.sig_inception.get(),
                    input.sig_expiration.get(),
                    input.signer_name.clone(),
                );
                if got != expected {
                    return Err(format!(
                        "{name} {t}: RRSIG fields {got:?}, expected {expected:?}"
                    ));
                }
                let key = dnskeys
                    .iter()
                    .find(|k| k.calculate_key_tag().ok() == Some(input.key_tag))
                    .ok_or_else(|| format!("{name} {t}: no DNSKEY with tag {}", input.key_tag))?;
                key.verify_rrsig(name, signed.class(), sig, rrset_records.iter())
                    .map_err(|e| {
                        format!(
                            "{name} {t}: RRSIG by {} does not verify: {e}",
                            input.key_tag
                        )
                    })?;
            }
        }
        if let Some(stray) = sigs
            .iter()
            .find(|s| !covered.contains_key(&u16::from(s.input().type_covered)))
        {
            return Err(format!(
                "{name}: an RRSIG over {}, which the name does not hold",
                stray.input().type_covered
            ));
        }
    }
    Ok(())
}

/// The types a chain record lists for a name, worked out from the signed zone.
fn listed_types(signed: &Zone, name: &Name, role: Role, chain: RecordType) -> BTreeSet<u16> {
    let mut types: BTreeSet<u16> = signed
        .rrsets_at(name)
        .map(|r| u16::from(r.record_type()))
        .filter(|&t| {
            role == Role::Authoritative
                || t == u16::from(RecordType::NS)
                || t == u16::from(RecordType::DS)
                || t == u16::from(RecordType::RRSIG)
                || t == u16::from(RecordType::NSEC)
        })
        .collect();
    if chain == RecordType::NSEC3 {
        types.remove(&u16::from(RecordType::NSEC3));
    }
    types
}

/// The NSEC chain links every authoritative name and delegation in canonical order, and
/// each NSEC lists the types at its name (RFC 4035 §2.3).
pub(crate) fn nsec_chain(unsigned: &Zone, signed: &Zone) -> Result<(), String> {
    let names: Vec<&Name> = unsigned
        .names()
        .filter(|n| role(unsigned, n) != Role::Occluded)
        .collect();
    let owners: Vec<&Name> = signed
        .names()
        .filter(|n| {
            signed
                .rrsets_at(n)
                .any(|r| r.record_type() == RecordType::NSEC)
        })
        .collect();
    if owners != names {
        return Err(format!("NSEC owners {owners:?}, expected {names:?}"));
    }
    for (index, name) in names.iter().enumerate() {
        let next = names.get(index + 1).or(names.first()).expect("a name");
        let nsec = records(signed, name, RecordType::NSEC);
        let [record] = nsec.as_slice() else {
            return Err(format!("{name}: {} NSEC records", nsec.len()));
        };
        let RData::DNSSEC(DNSSECRData::NSEC(nsec)) = &record.data else {
            return Err(format!("{name}: NSEC data {:?}", record.data));
        };
        if nsec.next_domain_name() != *next {
            return Err(format!(
                "{name}: NSEC next {}, expected {next}",
                nsec.next_domain_name()
            ));
        }
        let listed: BTreeSet<u16> = nsec.type_bit_maps().map(u16::from).collect();
        let want = listed_types(signed, name, role(unsigned, name), RecordType::NSEC);
        if listed != want {
            return Err(format!("{name}: NSEC lists {listed:?}, expected {want:?}"));
        }
    }
    Ok(())
}

/// The NSEC3 chain holds one record per authoritative name, delegation and empty
/// non-terminal, hashed with SHA-1, no salt, no extra iterations, no opt-out, linked in
/// hash order (RFC 5155 §7.1); NSEC3PARAM says the same.
pub(crate) fn nsec3_chain(unsigned: &Zone, signed: &Zone) -> Result<(), String> {
    let origin = unsigned.origin();
    let mut names: BTreeSet<Name> = BTreeSet::new();
    for name in unsigned
        .names()
        .filter(|n| role(unsigned, n) != Role::Occluded)
    {
        let mut name = name.clone();
        loop {
            names.insert(name.clone());
            if name == *origin || !origin.zone_of(&name) {
                break;
            }
            name = name.base_name();
        }
    }
    let mut hashed: BTreeMap<Vec<u8>, Name> = BTreeMap::new();
    for name in &names {
        let digest = Nsec3HashAlgorithm::SHA1
            .hash(&[], name, 0)
            .map_err(|e| e.to_string())?;
        hashed.insert(digest.as_ref().to_vec(), name.clone());
    }
    let hashes: Vec<&Vec<u8>> = hashed.keys().collect();
    let mut seen = 0;
    for name in signed.names() {
        let nsec3 = records(signed, name, RecordType::NSEC3);
        if nsec3.is_empty() {
            continue;
        }
        seen += 1;
        let [record] = nsec3.as_slice() else {
            return Err(format!("{name}: {} NSEC3 records", nsec3.len()));
        };
        let RData::DNSSEC(DNSSECRData::NSEC3(nsec3)) = &record.data else {
            return Err(format!("{name}: NSEC3 data {:?}", record.data));
        };
        let label = name.iter().next().expect("a label");
        let hash = decode_base32hex(label).ok_or_else(|| format!("{name}: not a hash"))?;
        let index = hashes
            .iter()
            .position(|h| **h == hash)
            .ok_or_else(|| format!("{name}: the hash of no name of the zone"))?;
        let next = hashes.get(index + 1).or(hashes.first()).expect("a hash");
        if nsec3.next_hashed_owner_name() != next.as_slice() {
            return Err(format!("{name}: NSEC3 next is not the next hash"));
        }
        if (
            nsec3.iterations(),
            nsec3.salt(),
            nsec3.opt_out(),
            nsec3.flags(),
        ) != (0, &[][..], false, 0)
        {
            return Err(format!("{name}: NSEC3 parameters are not 0, -, no opt-out"));
        }
        let original = hashed.get(&hash).expect("the hash was found above");
        let role = role(unsigned, original);
        let mut want = if unsigned.names().any(|n| n == original) {
            listed_types(signed, original, role, RecordType::NSEC3)
        } else {
            BTreeSet::new() // an empty non-terminal
        };
        if role == Role::Delegation && !want.contains(&u16::from(RecordType::DS)) {
            want.remove(&u16::from(RecordType::RRSIG));
        }
        let listed: BTreeSet<u16> = nsec3.type_bit_maps().map(u16::from).collect();
        if listed != want {
            return Err(format!(
                "{name} ({original}): NSEC3 lists {listed:?}, expected {want:?}"
            ));
        }
    }
    if seen != hashes.len() {
        return Err(format!("{seen} NSEC3 records for {} names", hashes.len()));
    }
    let params = records(signed, origin, RecordType::NSEC3PARAM);
    match params.as_slice() {
        [param] => match &param.data {
            RData::DNSSEC(DNSSECRData::NSEC3PARAM(p))
                if p.iterations() == 0 && p.salt().is_empty() && !p.opt_out() =>
            {
                Ok(())
            }
            other => Err(format!("NSEC3PARAM {other:?}")),
        },
        other => Err(format!("{} NSEC3PARAM records", other.len())),
    }
}

/// RFC 4648 base32hex, either case.
fn decode_base32hex(text: &[u8]) -> Option<Vec<u8>> {
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = Vec::new();
    for &c in text {
        let value = match c.to_ascii_uppercase() {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'A'..=b'V' => c - b'A' + 10,
            _ => return None,
        };
        bits = (bits << 5) | u64::from(value);
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from((bits >> count) & 0xff).ok()?);
        }
    }
    Some(out)
}
