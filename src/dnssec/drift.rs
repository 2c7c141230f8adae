//! Drift between two signed copies: a signature missing or not valid is drift; a
//! different valid one (another host's SOA, another ECDSA signature) is not.

use hickory_proto::dnssec::Verifier;
use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData};
use hickory_proto::rr::{Name, RData, RecordType};

use super::sign::{ZONEMD, signed_data};
use crate::drift::{Drift, DriftKind, drift_between};
use crate::schema::{lowercased, name_length, name_wire};
use crate::template::Template;
use crate::zone::{Rrset, Zone};

/// The fixed part of RRSIG data: type covered, algorithm, labels, original TTL,
/// expiration, inception, key tag (RFC 4034 §3.1).
const FIXED: usize = 18;

impl Template {
    /// Every difference between two signed copies of the zone (see [`Template::drift`]),
    /// with signatures compared by what they prove rather than octet for octet: an RRset
    /// the expected copy signs must carry, in the observed copy, a signature by each key
    /// that signs it there which verifies over the observed RRset with the expected
    /// copy's DNSKEY RRset ([`DriftKind::Unsigned`], [`DriftKind::BadSignature`]); a
    /// different valid signature is no drift. Also excused, besides what
    /// [`Template::drift`] excuses: the NSEC and NSEC3 records of the self-referencing
    /// names where only their type bitmaps differ (a host without IPv6 has no AAAA
    /// there), and the apex ZONEMD (a digest of each copy).
    ///
    /// ```
    /// use multiprimary::{DriftKind, Template};
    /// use multiprimary::dnssec::{Key, KeySet, SignOptions};
    /// use multiprimary::hickory_proto::dnssec::Algorithm;
    /// use multiprimary::hickory_proto::rr::RecordType;
    /// use multiprimary::text::{ParseOptions, parse};
    ///
    /// let text = "$ORIGIN example.\n@ 60 SOA a h 1 2 3 4 5\n@ 60 NS a\n@ 60 NS b\n\
    ///             @ 60 A LOCAL-IP\na 60 A 192.0.2.1\nb 60 A 192.0.2.2\n";
    /// let template = Template::new(parse(text, &ParseOptions::new().template(true))?);
    /// let (fleet, _) = template.fleet(&[])?;
    /// let origin = template.zone().origin().clone();
    /// let key = Key::generate(origin.clone(), Algorithm::ECDSAP256SHA256, 257)?;
    /// let keys = KeySet::new(origin.clone(), vec![key])?;
    /// let hosts: Vec<_> = fleet.hosts().iter().collect();
    /// let signed = template.sign_projections(&hosts, &keys, &SignOptions::new())?;
    /// let [a, b] = signed.zones() else { panic!() };
    /// // ECDSA signatures differ each time, and the apex A differs by host: no drift.
    /// assert_eq!(template.drift_signed(a, b), []);
    /// // A copy that lost its NS signature has drifted.
    /// let mut unsigned = b.clone();
    /// let mut rrsigs: Vec<_> = unsigned.records().filter(|r| r.record_type() == RecordType::RRSIG).collect();
    /// rrsigs.retain(|r| r.data.to_string().starts_with("NS "));
    /// assert!(unsigned.remove_record(&rrsigs[0]));
    /// let drift = template.drift_signed(a, &unsigned);
    /// assert_eq!((drift[0].record_type, drift[0].kind), (RecordType::NS, DriftKind::Unsigned));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn drift_signed(&self, expected: &Zone, observed: &Zone) -> Vec<Drift> {
        let origin = expected.origin();
        let chain_at_self_name = |name: &Name, t: RecordType| match t {
            RecordType::NSEC => self.is_self_name(name),
            RecordType::NSEC3 => self.self_names().iter().any(|n| {
                super::sign::nsec3_hash(n)
                    .ok()
                    .and_then(|h| super::sign::hashed_owner(&h, origin).ok())
                    .is_some_and(|h| h == *name)
            }),
            _ => false,
        };
        let excused = |name: &Name, t: RecordType| {
            t == RecordType::RRSIG
                || (matches!(t, RecordType::A | RecordType::AAAA) && self.is_self_name(name))
                || (t == ZONEMD && name == origin)
                || (chain_at_self_name(name, t) && same_link(expected, observed, name, t))
        };
        let mut drift = drift_between(expected, observed, excused, true);
        drift.extend(signature_drift(expected, observed));
        drift
    }
}

/// Whether the NSEC or NSEC3 records at `name` in both copies link to the same next name
/// (they may differ in their type bitmaps).
fn same_link(expected: &Zone, observed: &Zone, name: &Name, t: RecordType) -> bool {
    let link = |zone: &Zone| -> Option<Vec<u8>> {
        let (_, data) = zone.rrset(name, t)?.iter().next()?;
        let end = match t {
            RecordType::NSEC => name_length(data)?,
            // Hash algorithm, flags, iterations, salt, hash length, next hash.
            _ => {
                let salt = usize::from(*data.get(4)?);
                let hash = usize::from(*data.get(5 + salt)?);
                6 + salt + hash
            }
        };
        data.get(..end).map(<[u8]>::to_vec)
    };
    link(expected).is_some() && link(expected) == link(observed)
}

/// The RRSIG data at `name` covering `t`, in `zone`.
fn rrsigs<'z>(zone: &'z Zone, name: &Name, t: RecordType) -> impl Iterator<Item = &'z [u8]> + 'z {
    let covered = u16::from(t).to_be_bytes();
    zone.rrset(name, RecordType::RRSIG)
        .into_iter()
        .flat_map(Rrset::iter)
        .map(|(_, data)| data)
        .filter(move |data| data.get(..2) == Some(&covered[..]))
}

/// The key tag of RRSIG data.
fn key_tag(data: &[u8]) -> Option<u16> {
    Some(u16::from_be_bytes([*data.get(16)?, *data.get(17)?]))
}

/// The expected copy's DNSKEYs, by key tag.
fn dnskeys(expected: &Zone) -> Vec<(u16, DNSKEY)> {
    expected
        .rrset(expected.origin(), RecordType::DNSKEY)
        .into_iter()
        .flat_map(Rrset::rdatas)
        .filter_map(|rdata| match rdata {
            RData::DNSSEC(DNSSECRData::DNSKEY(key)) => {
                let tag = key.calculate_key_tag().ok()?;
                Some((tag, key))
            }
            _ => None,
        })
        .collect()
}

/// For every RRset the expected copy signs, the key tags it signs with that the observed
/// copy has no valid signature by.
fn signature_drift(expected: &Zone, observed: &Zone) -> Vec<Drift> {
    let keys = dnskeys(expected);
    let class = u16::from(observed.class());
    let mut drift = Vec::new();
    let mut scratch = Vec::new();
    for (name, rrset) in observed.rrsets() {
        let t = rrset.record_type();
        if t == RecordType::RRSIG {
            continue;
        }
        let mut tags: Vec<u16> = rrsigs(expected, name, t).filter_map(key_tag).collect();
        tags.sort_unstable();
        tags.dedup();
        let owner = lowercased(&name_wire(name));
        for tag in tags {
            let mut found = false;
            let mut valid = false;
            for data in rrsigs(observed, name, t).filter(|d| key_tag(d) == Some(tag)) {
                found = true;
                valid |= verifies(data, &owner, rrset, class, &keys, &mut scratch);
            }
            if !valid {
                drift.push(Drift {
                    owner: name.clone(),
                    record_type: t,
                    kind: if found {
                        DriftKind::BadSignature
                    } else {
                        DriftKind::Unsigned
                    },
                });
            }
        }
    }
    drift
}

/// Whether the RRSIG `data` over `rrset` verifies with the key of its tag in `keys`.
fn verifies(
    data: &[u8],
    owner: &[u8],
    rrset: &Rrset,
    class: u16,
    keys: &[(u16, DNSKEY)],
    scratch: &mut Vec<u8>,
) -> bool {
    let Some(signer) = data.get(FIXED..).and_then(name_length) else {
        return false;
    };
    let (Some(fixed), Some(name), Some(signature)) = (
        data.get(..FIXED),
        data.get(FIXED..FIXED + signer),
        data.get(FIXED + signer..),
    ) else {
        return false;
    };
    // The signer's name is signed in lower case (RFC 4034 §3.1.8.1).
    let mut prefix = fixed.to_vec();
    prefix.extend_from_slice(&lowercased(name));
    let Some(ttl) = data
        .get(4..8)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_be_bytes)
    else {
        return false;
    };
    let Some(tag) = key_tag(data) else {
        return false;
    };
    signed_data(&prefix, owner, rrset, class, ttl, scratch);
    keys.iter()
        .filter(|(t, _)| *t == tag)
        .any(|(_, key)| key.verify(scratch, signature).is_ok())
}
