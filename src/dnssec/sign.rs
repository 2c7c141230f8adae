//! Signing a zone: the DNSKEY RRset, an NSEC or NSEC3 chain, and an RRSIG over every
//! authoritative RRset (RFC 4035 §2, RFC 5155 §7.1).

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use hickory_proto::dnssec::Nsec3HashAlgorithm;
use hickory_proto::rr::{Name, RecordType};
use rayon::prelude::*;

use super::error::KeyError;
use super::keys::Key;
use super::keyset::KeySet;
use crate::schema::{self, encode_bitmap, lowercased, name_wire};
use crate::text::codec::base32hex_encode;
use crate::zone::{Rrset, Zone};

/// One day, in seconds.
const DAY: u64 = 86_400;
/// The default validity of a signature: 14 days.
const VALIDITY: u32 = 14 * 86_400;
/// How far before the start of its UTC day the default window opens: one hour, for
/// clocks that run behind.
const SLACK: u64 = 3600;

/// How a signed zone proves that a name or type does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Denial {
    /// An NSEC chain over the owner names in canonical order (RFC 4035 §2.3).
    #[default]
    Nsec,
    /// An NSEC3 chain over hashed owner names (RFC 5155 §7.1): SHA-1, no extra
    /// iterations, an empty salt and no opt-out, as RFC 9276 §3.1 advises.
    Nsec3,
}

/// How to sign: the signature window, NSEC or NSEC3, and whether to publish CDS and
/// CDNSKEY records.
///
/// ```
/// use multiprimary::dnssec::{Denial, SignOptions};
///
/// // Signatures valid from 2026-12-03 23:00 UTC for 14 days, whatever the hour now.
/// // (1_796_342_400 is 2026-12-04 00:00 UTC; signing at 07:00 that day.)
/// let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_342_400 + 7 * 3600);
/// let options = SignOptions::at(at).denial(Denial::Nsec3);
/// assert_eq!(options.inception(), 1_796_342_400 - 3600);
/// assert_eq!(options.expiration(), 1_796_342_400 - 3600 + 14 * 86_400);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOptions {
    inception: u32,
    expiration: u32,
    denial: Denial,
    cds: bool,
    replace: bool,
}

impl Default for SignOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl SignOptions {
    /// The default window, aligned to a clock every host shares: inception one hour
    /// before the start of the current UTC day, expiration 14 days later. Hosts that sign
    /// the same day with a deterministic algorithm (Ed25519, RSA) make byte-identical
    /// signatures for every RRset they share. NSEC, no CDS.
    pub fn new() -> Self {
        Self::at(SystemTime::now())
    }

    /// The default window as it is at `now`.
    pub fn at(now: SystemTime) -> Self {
        let seconds = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let inception = serial_time((seconds - seconds % DAY).saturating_sub(SLACK));
        Self {
            inception,
            expiration: inception.wrapping_add(VALIDITY),
            denial: Denial::Nsec,
            cds: false,
            replace: false,
        }
    }

    /// Signatures valid from `inception` to `expiration` (seconds since 1970, modulo
    /// 2^32, as RRSIG holds them: RFC 4034 §3.1.5).
    #[must_use]
    pub fn window(mut self, inception: u32, expiration: u32) -> Self {
        self.inception = inception;
        self.expiration = expiration;
        self
    }

    /// NSEC or NSEC3.
    #[must_use]
    pub fn denial(mut self, denial: Denial) -> Self {
        self.denial = denial;
        self
    }

    /// Whether to publish CDS (SHA-256) and CDNSKEY records for the key-signing keys
    /// (RFC 7344, RFC 8078), so that a parent that scans for them can update the DS.
    #[must_use]
    pub fn cds(mut self, cds: bool) -> Self {
        self.cds = cds;
        self
    }

    /// Whether a zone that holds DNSSEC records already (DNSKEY, RRSIG, NSEC, NSEC3,
    /// NSEC3PARAM, CDS, CDNSKEY) has them dropped and is signed anew, rather than
    /// refused ([`SignError::AlreadySigned`]). DS records, the parent side of a
    /// delegation, are data and stay.
    #[must_use]
    pub fn replace(mut self, replace: bool) -> Self {
        self.replace = replace;
        self
    }

    /// The signatures' inception.
    pub fn inception(&self) -> u32 {
        self.inception
    }

    /// The signatures' expiration.
    pub fn expiration(&self) -> u32 {
        self.expiration
    }

    /// NSEC or NSEC3.
    pub fn denial_kind(&self) -> Denial {
        self.denial
    }
}

/// An RRSIG time in presentation form, `YYYYMMDDHHmmSS` (UTC), or a number of seconds
/// since 1970, as seconds modulo 2^32 (RFC 4034 §3.1.5, §3.2); `None` for anything else.
///
/// ```
/// use multiprimary::dnssec::{format_time, parse_time};
/// assert_eq!(parse_time("20261204000000"), Some(1_796_342_400));
/// assert_eq!(parse_time("1796342400"), Some(1_796_342_400));
/// assert_eq!(parse_time("20261304000000"), None); // month 13
/// assert_eq!(format_time(1_796_342_400), "20261204000000");
/// ```
pub fn parse_time(text: &str) -> Option<u32> {
    crate::text::codec::time_decode(text.as_bytes())
}

/// An RRSIG time as `YYYYMMDDHHmmSS` (UTC).
pub fn format_time(seconds: u32) -> String {
    let mut out = String::with_capacity(14);
    crate::text::codec::time_encode(seconds, &mut out);
    out
}

/// Seconds since 1970 as RRSIG times hold them: modulo 2^32 (RFC 4034 §3.1.5).
fn serial_time(seconds: u64) -> u32 {
    u32::try_from(seconds % (1 << 32)).unwrap_or(0)
}

/// Why a zone cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The keys are another zone's.
    #[error("the keys are for {keys}, not for the zone {zone}")]
    OtherZone {
        /// The keys' zone.
        keys: Box<Name>,
        /// The zone's origin.
        zone: Box<Name>,
    },
    /// The zone already holds DNSSEC records; signing them again would sign twice.
    #[error(
        "{owner} {record_type}: the zone already holds DNSSEC records; remove its \
         DNSKEY, RRSIG, NSEC, NSEC3, NSEC3PARAM, CDS and CDNSKEY records, or have them \
         dropped (SignOptions::replace, render --resign)"
    )]
    AlreadySigned {
        /// The first such record's owner.
        owner: Box<Name>,
        /// Its type.
        record_type: RecordType,
    },
    /// The zone has no SOA at its apex.
    #[error("the zone has no SOA record at its apex {origin}")]
    NoSoa {
        /// The origin.
        origin: Box<Name>,
    },
    /// The zone is a template: its `LOCAL-IP` placeholders have no data to sign.
    #[error("the zone is a template; sign each host's projection instead")]
    Template,
    /// An expiration not after the inception.
    #[error(
        "the signature window ends ({}) before it begins ({})",
        format_time(*expiration),
        format_time(*inception)
    )]
    Window {
        /// The inception.
        inception: u32,
        /// The expiration.
        expiration: u32,
    },
    /// A host that is not the template's.
    #[error(transparent)]
    Project(#[from] crate::ProjectError),
    /// Two names of the zone with the same NSEC3 hash (RFC 5155 §7.1: the zone cannot
    /// be signed with this salt).
    #[error("{first} and {second} have the same NSEC3 hash")]
    HashCollision {
        /// One name.
        first: Box<Name>,
        /// The other.
        second: Box<Name>,
    },
    /// A ZONEMD record of a scheme or hash algorithm this crate cannot compute, which
    /// signing would leave stale (RFC 8976 §2.2.2, §2.2.3: scheme 1, SIMPLE, with hash 1,
    /// SHA-384, or 2, SHA-512, are known).
    #[error(
        "the apex ZONEMD has scheme {scheme} and hash algorithm {hash}; only scheme 1 (SIMPLE) with hash 1 (SHA-384) or 2 (SHA-512) can be recomputed after signing"
    )]
    Zonemd {
        /// The scheme.
        scheme: u8,
        /// The hash algorithm.
        hash: u8,
    },
    /// A key failed to sign.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// ZONEMD (RFC 8976), which hickory-proto has no name for.
pub(super) const ZONEMD: RecordType = RecordType::Unknown(63);

/// The types that signing adds, which a zone to sign must not hold already.
pub(super) const DNSSEC_TYPES: [RecordType; 7] = [
    RecordType::DNSKEY,
    RecordType::RRSIG,
    RecordType::NSEC,
    RecordType::NSEC3,
    RecordType::NSEC3PARAM,
    RecordType::CDS,
    RecordType::CDNSKEY,
];

/// Signs `zone` with `keys`: adds the DNSKEY RRset at the apex (and CDS, CDNSKEY when
/// asked), the NSEC or NSEC3 chain (and NSEC3PARAM), and an RRSIG by each key in its role
/// over every authoritative RRset (not over glue or other data below a zone cut or a
/// DNAME, and not over the NS RRset of a delegation: RFC 4035 §2.2). Signatures are made
/// on every core.
///
/// The DNSKEY, CDS and CDNSKEY RRsets take the apex SOA's TTL; NSEC, NSEC3 and
/// NSEC3PARAM the smaller of the SOA's TTL and MINIMUM (RFC 9077); an RRSIG the TTL of
/// the RRset it covers.
///
/// # Errors
///
/// Keys of another zone, a zone that holds DNSSEC records already (unless
/// [`SignOptions::replace`]), no apex SOA, a
/// template, a window that ends before it begins, or a key that fails to sign.
///
/// ```
/// use multiprimary::dnssec::{Key, KeySet, SignOptions, sign};
/// use multiprimary::hickory_proto::dnssec::Algorithm;
/// use multiprimary::hickory_proto::rr::RecordType;
/// use multiprimary::text::{ParseOptions, parse};
///
/// let origin: multiprimary::hickory_proto::rr::Name = "example.com.".parse()?;
/// let text = "@ 60 IN SOA ns hostmaster 1 60 60 60 60\n@ 60 IN NS ns\nns 60 IN A 192.0.2.1\n";
/// let zone = parse(text, &ParseOptions::new().origin(origin.clone()))?;
/// let keys = KeySet::new(origin.clone(), vec![Key::generate(origin.clone(), Algorithm::ED25519, 257)?])?;
/// let signed = sign(&zone, &keys, &SignOptions::new())?;
/// assert!(signed.rrset(&origin, RecordType::DNSKEY).is_some());
/// assert!(signed.rrset(&origin, RecordType::NSEC).is_some());
/// assert_eq!(signed.rrset(&origin, RecordType::RRSIG).map(|r| r.len()), Some(4)); // SOA NS DNSKEY NSEC
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign(zone: &Zone, keys: &KeySet, options: &SignOptions) -> Result<Zone, SignError> {
    check(zone, keys, options)?;
    let mut out = zone.clone();
    // Nearly every node gains records: copied once here rather than one by one into the
    // copy's overlay, which every copy of the signed zone would then copy again.
    out.unshare();
    if options.replace {
        let old: Vec<(Name, RecordType)> = zone
            .rrsets()
            .filter(|(_, r)| DNSSEC_TYPES.contains(&r.record_type()))
            .map(|(n, r)| (n.clone(), r.record_type()))
            .collect();
        for (name, record_type) in old {
            out.remove(&name, record_type);
        }
    }
    let ttls = Ttls::of(zone)?;
    add_apex_records(&mut out, keys, options, &ttls)?;
    let owners = owners(&out);
    let mut signed: Vec<(Name, Kind)> = owners.clone();
    match options.denial {
        Denial::Nsec => add_nsec(&mut out, &owners, ttls.denial),
        Denial::Nsec3 => {
            for hashed in add_nsec3(&mut out, &owners, ttls.denial)? {
                signed.push((hashed, Kind::Data));
            }
        }
    }
    add_signatures(&mut out, &signed, keys, options, None)?;
    super::zonemd::update(&mut out, keys, options)?;
    Ok(out)
}

/// Signs every RRset signing covers at `owners` and adds the RRSIGs.
pub(super) fn add_signatures(
    out: &mut Zone,
    owners: &[(Name, Kind)],
    keys: &KeySet,
    options: &SignOptions,
    only: Option<RecordType>,
) -> Result<(), SignError> {
    let signatures = signatures(out, owners, keys, options, only)?;
    let mut unsettled = Vec::new();
    for (owner, ttl, data) in &signatures {
        out.push_data(owner, RecordType::RRSIG, *ttl, data, &mut unsettled);
    }
    out.settle(unsettled);
    Ok(())
}

/// The refusals of [`sign`] that need no signing to find.
pub(super) fn check(zone: &Zone, keys: &KeySet, options: &SignOptions) -> Result<(), SignError> {
    if keys.origin() != zone.origin() {
        return Err(SignError::OtherZone {
            keys: Box::new(keys.origin().clone()),
            zone: Box::new(zone.origin().clone()),
        });
    }
    if zone.is_template() {
        return Err(SignError::Template);
    }
    if let Some((owner, rrset)) = zone
        .rrsets()
        .find(|(_, r)| !options.replace && DNSSEC_TYPES.contains(&r.record_type()))
    {
        return Err(SignError::AlreadySigned {
            owner: Box::new(owner.clone()),
            record_type: rrset.record_type(),
        });
    }
    let (inception, expiration) = (options.inception, options.expiration);
    if crate::serial_cmp(inception, expiration) != Some(std::cmp::Ordering::Less) {
        return Err(SignError::Window {
            inception,
            expiration,
        });
    }
    Ok(())
}

/// The TTLs of the records signing adds.
pub(super) struct Ttls {
    /// DNSKEY, CDS, CDNSKEY: the SOA's TTL.
    pub(super) apex: u32,
    /// NSEC, NSEC3, NSEC3PARAM: min(SOA TTL, SOA MINIMUM) (RFC 9077 §3).
    pub(super) denial: u32,
}

impl Ttls {
    pub(super) fn of(zone: &Zone) -> Result<Self, SignError> {
        let no_soa = || SignError::NoSoa {
            origin: Box::new(zone.origin().clone()),
        };
        let soa = zone
            .rrset(zone.origin(), RecordType::SOA)
            .ok_or_else(no_soa)?;
        let (ttl, data) = soa.iter().next().ok_or_else(no_soa)?;
        let minimum = schema::soa_minimum(data).ok_or_else(no_soa)?;
        Ok(Self {
            apex: ttl,
            denial: ttl.min(minimum),
        })
    }
}

/// Adds DNSKEY, and CDS and CDNSKEY when asked, and NSEC3PARAM for NSEC3, at the apex.
pub(super) fn add_apex_records(
    out: &mut Zone,
    keys: &KeySet,
    options: &SignOptions,
    ttls: &Ttls,
) -> Result<(), SignError> {
    let origin = out.origin().clone();
    for key in keys.keys() {
        out.insert_data(&origin, RecordType::DNSKEY, ttls.apex, key.data());
    }
    if options.cds {
        for key in keys.key_signing() {
            out.insert_data(&origin, RecordType::CDNSKEY, ttls.apex, key.data());
            let ds = key.ds()?;
            let mut data = Vec::with_capacity(4 + ds.digest().len());
            data.extend_from_slice(&ds.key_tag().to_be_bytes());
            data.push(u8::from(ds.algorithm()));
            data.push(u8::from(ds.digest_type()));
            data.extend_from_slice(ds.digest());
            out.insert_data(&origin, RecordType::CDS, ttls.apex, &data);
        }
    }
    if options.denial == Denial::Nsec3 {
        // SHA-1, no flags, no extra iterations, no salt (RFC 9276 §3.1).
        out.insert_data(
            &origin,
            RecordType::NSEC3PARAM,
            ttls.denial,
            &[1, 0, 0, 0, 0],
        );
    }
    Ok(())
}

/// What an owner name is to signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Authoritative data: every RRset is signed.
    Data,
    /// A delegation point: only its DS RRset is signed, and its NSEC lists only NS and
    /// DS (RFC 4035 §2.3).
    Delegation,
}

/// The owner names signing covers, in canonical order: the apex and every name of the
/// zone except those below a zone cut or a DNAME (glue and occluded data).
fn owners(zone: &Zone) -> Vec<(Name, Kind)> {
    let origin = zone.origin();
    let mut owners = Vec::new();
    let mut cut: Option<&Name> = None;
    for name in zone.names() {
        if cut.is_some_and(|cut| cut.zone_of(name)) || !origin.zone_of(name) {
            continue;
        }
        cut = None;
        let has = |t: RecordType| zone.rrset(name, t).is_some();
        let kind = if name != origin && has(RecordType::NS) {
            cut = Some(name);
            Kind::Delegation
        } else {
            if has(RecordType::DNAME) {
                cut = Some(name);
            }
            Kind::Data
        };
        owners.push((name.clone(), kind));
    }
    owners
}

/// The types an owner's NSEC or NSEC3 lists, before RRSIG and NSEC are added.
pub(super) fn types_at(zone: &Zone, name: &Name, kind: Kind) -> Vec<u16> {
    zone.rrsets_at(name)
        .map(|r| u16::from(r.record_type()))
        .filter(|&t| {
            kind == Kind::Data || t == u16::from(RecordType::NS) || t == u16::from(RecordType::DS)
        })
        .collect()
}

/// Appends the type bitmap of the NSEC at `name`: its types, RRSIG and NSEC.
pub(super) fn nsec_bitmap(zone: &Zone, name: &Name, kind: Kind, out: &mut Vec<u8>) {
    let mut types = types_at(zone, name, kind);
    types.push(u16::from(RecordType::RRSIG));
    types.push(u16::from(RecordType::NSEC));
    types.sort_unstable();
    encode_bitmap(&types, out);
}

/// Appends the type bitmap of the NSEC3 for `name` (`None`: an empty non-terminal): its
/// types, and RRSIG where something at the name is signed, which is not at an empty
/// non-terminal nor at a delegation without DS (RFC 5155 §7.1).
pub(super) fn nsec3_bitmap(zone: &Zone, name: &Name, kind: Option<Kind>, out: &mut Vec<u8>) {
    let mut types = kind.map(|k| types_at(zone, name, k)).unwrap_or_default();
    if matches!(kind, Some(Kind::Data)) || types.contains(&u16::from(RecordType::DS)) {
        types.push(u16::from(RecordType::RRSIG));
    }
    types.sort_unstable();
    encode_bitmap(&types, out);
}

/// What `name` is to signing, told from its ancestors in `zone`: `None` below a zone cut
/// or a DNAME (glue, occluded data) or outside the zone.
pub(super) fn kind_of(zone: &Zone, name: &Name) -> Option<Kind> {
    let origin = zone.origin();
    if !origin.zone_of(name) {
        return None;
    }
    let mut ancestor = name.clone();
    while ancestor != *origin {
        ancestor = ancestor.base_name();
        let cut = ancestor != *origin && zone.rrset(&ancestor, RecordType::NS).is_some();
        if cut || zone.rrset(&ancestor, RecordType::DNAME).is_some() {
            return None;
        }
    }
    if name != origin && zone.rrset(name, RecordType::NS).is_some() {
        Some(Kind::Delegation)
    } else {
        Some(Kind::Data)
    }
}

/// Adds the NSEC chain over `owners` (RFC 4035 §2.3).
fn add_nsec(out: &mut Zone, owners: &[(Name, Kind)], ttl: u32) {
    let mut records = Vec::with_capacity(owners.len());
    for (index, (name, kind)) in owners.iter().enumerate() {
        let next = owners
            .get(index + 1)
            .or_else(|| owners.first())
            .map_or(name, |(next, _)| next);
        let mut data = name_wire(next);
        nsec_bitmap(out, name, *kind, &mut data);
        records.push((name, data));
    }
    let mut unsettled = Vec::new();
    for (name, data) in records {
        out.push_data(name, RecordType::NSEC, ttl, &data, &mut unsettled);
    }
    out.settle(unsettled);
}

/// Adds the NSEC3 chain over `owners` and the empty non-terminals above them (RFC 5155
/// §7.1), with no opt-out. Returns the hashed owner names.
fn add_nsec3(out: &mut Zone, owners: &[(Name, Kind)], ttl: u32) -> Result<Vec<Name>, SignError> {
    let origin = out.origin().clone();
    let owned: HashSet<&Name> = owners.iter().map(|(n, _)| n).collect();
    // Every owner, and every empty non-terminal between an owner and the apex.
    let mut names: Vec<(Name, Option<Kind>)> =
        owners.iter().map(|(n, k)| (n.clone(), Some(*k))).collect();
    let mut empty: HashSet<Name> = HashSet::new();
    for (name, _) in owners {
        let mut parent = name.base_name();
        while origin.zone_of(&parent) && parent != origin && !owned.contains(&parent) {
            if !empty.insert(parent.clone()) {
                break;
            }
            names.push((parent.clone(), None));
            parent = parent.base_name();
        }
    }
    let mut hashed: Vec<([u8; 20], &Name, Option<Kind>)> = names
        .par_iter()
        .map(|(name, kind)| Ok((nsec3_hash(name)?, name, *kind)))
        .collect::<Result<_, SignError>>()?;
    hashed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    if let Some((first, second)) = hashed
        .iter()
        .zip(hashed.iter().skip(1))
        .find(|(first, second)| first.0 == second.0)
    {
        return Err(SignError::HashCollision {
            first: Box::new(first.1.clone()),
            second: Box::new(second.1.clone()),
        });
    }
    let mut records = Vec::with_capacity(hashed.len());
    for (index, (hash, name, kind)) in hashed.iter().enumerate() {
        let next = hashed
            .get(index + 1)
            .or_else(|| hashed.first())
            .map_or(hash, |(next, _, _)| next);
        // Hash 1 (SHA-1), flags 0, 0 iterations, no salt, the next hash.
        let mut data = vec![1, 0, 0, 0, 0, 20];
        data.extend_from_slice(next);
        nsec3_bitmap(out, name, *kind, &mut data);
        records.push((hashed_owner(hash, &origin)?, data));
    }
    let mut unsettled = Vec::new();
    for (owner, data) in &records {
        out.push_data(owner, RecordType::NSEC3, ttl, data, &mut unsettled);
    }
    out.settle(unsettled);
    Ok(records.into_iter().map(|(owner, _)| owner).collect())
}

/// The NSEC3 hash of `name`: SHA-1, no salt, no extra iterations.
pub(super) fn nsec3_hash(name: &Name) -> Result<[u8; 20], SignError> {
    let digest = Nsec3HashAlgorithm::SHA1
        .hash(&[], name, 0)
        .map_err(|e| KeyError::Crypto(e.to_string()))?;
    digest
        .as_ref()
        .try_into()
        .map_err(|_| SignError::Key(KeyError::Crypto("an NSEC3 hash not of 20 octets".into())))
}

/// The owner name of an NSEC3 record: the hash in base32hex, under the origin.
pub(super) fn hashed_owner(hash: &[u8; 20], origin: &Name) -> Result<Name, SignError> {
    let mut label = String::with_capacity(32);
    base32hex_encode(hash, &mut label);
    Name::from_labels([label.to_ascii_lowercase().as_bytes()])
        .and_then(|label| label.append_domain(origin))
        .map_err(|e| SignError::Key(KeyError::Crypto(format!("NSEC3 owner: {e}"))))
}

/// One RRset to sign.
struct Job<'z> {
    owner: &'z Name,
    rrset: &'z Rrset,
    by_key_signing: bool,
}

/// The RRSIG records over every RRset signing covers, as (owner, TTL, data), made in
/// parallel.
pub(super) fn signatures(
    zone: &Zone,
    owners: &[(Name, Kind)],
    keys: &KeySet,
    options: &SignOptions,
    only: Option<RecordType>,
) -> Result<Vec<(Name, u32, Vec<u8>)>, SignError> {
    let mut jobs = Vec::new();
    let origin = zone.origin();
    for (owner, kind) in owners {
        for rrset in zone.rrsets_at(owner) {
            let t = rrset.record_type();
            let signed = match kind {
                _ if only.is_some_and(|only| only != t) => false,
                // The apex ZONEMD is signed after its digest, which covers every other
                // signature (RFC 8976 §3.2).
                _ if only.is_none() && t == ZONEMD && owner == origin => false,
                Kind::Data => true,
                Kind::Delegation => matches!(t, RecordType::DS | RecordType::NSEC),
            };
            if signed {
                jobs.push(Job {
                    owner,
                    rrset,
                    by_key_signing: matches!(
                        t,
                        RecordType::DNSKEY | RecordType::CDS | RecordType::CDNSKEY
                    ),
                });
            }
        }
    }
    let signer = lowercased(&name_wire(zone.origin()));
    let class = u16::from(zone.class());
    jobs.par_iter()
        .map_init(Vec::new, |scratch, job| {
            let signers: Vec<&Key> = if job.by_key_signing {
                keys.key_signing().collect()
            } else {
                keys.zone_signing().collect()
            };
            signers
                .into_iter()
                .map(|key| {
                    let data = rrsig(job, key, &signer, class, options, scratch)?;
                    Ok((job.owner.clone(), job.rrset.ttl(), data))
                })
                .collect::<Result<Vec<_>, SignError>>()
        })
        .collect::<Result<Vec<Vec<_>>, SignError>>()
        .map(|all| all.into_iter().flatten().collect())
}

/// The data of the RRSIG by `key` over one RRset (RFC 4034 §3.1.8.1).
fn rrsig(
    job: &Job<'_>,
    key: &Key,
    signer: &[u8],
    class: u16,
    options: &SignOptions,
    scratch: &mut Vec<u8>,
) -> Result<Vec<u8>, SignError> {
    let owner = lowercased(&name_wire(job.owner));
    let ttl = job.rrset.ttl();
    let record_type = job.rrset.record_type();
    // The labels field leaves out the root and a leading `*` (RFC 4034 §3.1.3).
    let labels = job.owner.num_labels();
    let mut rdata = Vec::with_capacity(18 + signer.len() + 256);
    rdata.extend_from_slice(&u16::from(record_type).to_be_bytes());
    rdata.push(u8::from(key.algorithm()));
    rdata.push(labels);
    rdata.extend_from_slice(&ttl.to_be_bytes());
    rdata.extend_from_slice(&options.expiration.to_be_bytes());
    rdata.extend_from_slice(&options.inception.to_be_bytes());
    rdata.extend_from_slice(&key.tag().to_be_bytes());
    rdata.extend_from_slice(signer);

    signed_data(&rdata, &owner, job.rrset, class, ttl, scratch);
    let signature = key.sign(scratch)?;
    rdata.extend_from_slice(&signature);
    Ok(rdata)
}

/// The data an RRSIG signs (RFC 4034 §3.1.8.1), in `out`: `prefix` (the RRSIG's data
/// without its signature), then each record of `rrset` in canonical form and order, under
/// `owner` (lowercased, in wire form) with the original TTL `ttl`.
pub(super) fn signed_data(
    prefix: &[u8],
    owner: &[u8],
    rrset: &Rrset,
    class: u16,
    ttl: u32,
    out: &mut Vec<u8>,
) {
    let record_type = rrset.record_type();
    out.clear();
    out.extend_from_slice(prefix);
    let mut canonical = Vec::new();
    for (_, data) in rrset.iter() {
        canonical.clear();
        schema::canonical(record_type, data, &mut canonical);
        out.extend_from_slice(owner);
        out.extend_from_slice(&u16::from(record_type).to_be_bytes());
        out.extend_from_slice(&class.to_be_bytes());
        out.extend_from_slice(&ttl.to_be_bytes());
        let length = u16::try_from(canonical.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(&canonical);
    }
}
