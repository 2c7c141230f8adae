//! Signing every host's projection: the RRsets all hosts share are signed once, and each
//! further host only where its copy differs (its self-referencing names and the apex).

use hickory_proto::rr::{Name, RecordType};

use super::keyset::KeySet;
use super::sign::{
    DNSSEC_TYPES, Denial, Kind, SignError, SignOptions, Ttls, add_apex_records, add_signatures,
    hashed_owner, kind_of, nsec_bitmap, nsec3_bitmap, nsec3_hash, sign,
};
use crate::fleet::Host;
use crate::schema::name_length;
use crate::template::Template;
use crate::zone::{Zone, canonical_key};

impl Template {
    /// Each host's projection ([`Template::project`]) signed with the fleet's `keys`, in
    /// the order of `hosts`, each exactly as [`sign`] would sign it alone. The first
    /// host's copy is signed whole; every other copy starts from it and is signed again
    /// only at the names where projections differ (the self-referencing names and the
    /// apex, whose SOA names the host): their RRsets, their NSEC or NSEC3 records, and the
    /// RRSIGs over those. Signing N hosts costs one zone and N − 1 times a few RRsets.
    ///
    /// With a deterministic algorithm (Ed25519, RSA) and one window the copies share
    /// every other signature byte for byte; with ECDSA each signature differs, and every
    /// one is valid.
    ///
    /// ```
    /// use multiprimary::Template;
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
    /// let keys = KeySet::new(origin.clone(), vec![Key::generate(origin.clone(), Algorithm::ED25519, 257)?])?;
    /// let hosts: Vec<_> = fleet.hosts().iter().collect();
    /// let signed = template.sign_projections(&hosts, &keys, &SignOptions::new())?;
    /// let [bob, bill] = signed.zones() else { panic!() };
    /// // The apex A RRset is each host's own, and so is its signature.
    /// assert_ne!(bob.rrset(&origin, RecordType::RRSIG), bill.rrset(&origin, RecordType::RRSIG));
    /// // Text for every host in one pass, as each zone's own `to_string`.
    /// let mut texts = vec![String::new(); 2];
    /// signed.write(&mut texts)?;
    /// assert_eq!(texts[1], bill.to_string());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`sign`], and [`SignError::Project`] for a host that is not the template's.
    ///
    /// [`sign`]: super::sign
    pub fn sign_projections(
        &self,
        hosts: &[&Host],
        keys: &KeySet,
        options: &SignOptions,
    ) -> Result<SignedProjections, SignError> {
        let Some((first, rest)) = hosts.split_first() else {
            return Ok(SignedProjections {
                zones: Vec::new(),
                shared: Vec::new(),
                varying: Vec::new(),
            });
        };
        let base = self.project(first)?;
        let signed_base = sign(&base, keys, options)?;
        let mut zones = Vec::with_capacity(hosts.len());
        let mut shared = vec![true];
        for host in rest {
            let copy = self.project(host)?;
            let (zone, from_base) = self.resign(&base, &signed_base, &copy, keys, options)?;
            zones.push(zone);
            shared.push(from_base);
        }
        zones.insert(0, signed_base);
        let varying = varying_rrsets(self, &zones, options)?;
        Ok(SignedProjections {
            zones,
            shared,
            varying,
        })
    }

    /// `copy` (a projection) signed, starting from `signed_base`, the signed projection
    /// `base`: only the names where projections differ are signed again. A copy whose
    /// names differ from the base's (a self name that exists in one and not the other)
    /// is signed whole: its chain differs.
    fn resign(
        &self,
        base: &Zone,
        signed_base: &Zone,
        copy: &Zone,
        keys: &KeySet,
        options: &SignOptions,
    ) -> Result<(Zone, bool), SignError> {
        let origin = copy.origin().clone();
        let mut varying: Vec<&Name> = vec![&origin];
        varying.extend(self.self_names().iter().filter(|n| **n != origin));
        let held = |zone: &Zone, name: &Name| zone.rrsets_at(name).next().is_some();
        if varying.iter().any(|n| held(base, n) != held(copy, n)) {
            return Ok((sign(copy, keys, options)?, false));
        }
        let ttls = Ttls::of(copy)?;
        let mut out = signed_base.clone();
        let mut to_sign: Vec<(Name, Kind)> = Vec::new();
        for &name in varying.iter().filter(|n| held(copy, n)) {
            replace_node(&mut out, copy, name);
            if *name == origin {
                add_apex_records(&mut out, keys, options, &ttls)?;
            }
            // Glue and occluded data: neither signed nor in the chain.
            let Some(kind) = kind_of(copy, name) else {
                continue;
            };
            match options.denial_kind() {
                Denial::Nsec3 => {
                    let hashed = hashed_owner(&nsec3_hash(name)?, &origin)?;
                    renew_nsec3(&mut out, signed_base, &hashed, name, kind, ttls.denial);
                    to_sign.push((hashed, Kind::Data));
                }
                _ => renew_nsec(&mut out, signed_base, name, kind, ttls.denial),
            }
            to_sign.push((name.clone(), kind));
        }
        add_signatures(&mut out, &to_sign, keys, options, None)?;
        super::zonemd::update(&mut out, keys, options)?;
        Ok((out, true))
    }
}

/// Every host's signed copy, as [`Template::sign_projections`] made them.
#[derive(Debug, Clone)]
pub struct SignedProjections {
    zones: Vec<Zone>,
    /// Whether each zone differs from the first only at `varying`.
    shared: Vec<bool>,
    /// The RRsets in which the copies may differ (besides the apex SOA), in canonical
    /// order.
    varying: Vec<(Name, RecordType)>,
}

impl SignedProjections {
    /// The signed zones, in the order of the hosts given.
    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }

    /// The signed zones, in the order of the hosts given.
    pub fn into_zones(self) -> Vec<Zone> {
        self.zones
    }

    /// Writes each zone as text to its output (`outputs[i]` gets `zones()[i]`), byte for
    /// byte as [`text::write`](crate::text::write) would, in one pass over the zone per
    /// group of outputs: the lines the copies share are formatted once per group. The
    /// outputs are split into as many groups as rayon has threads, written at once, so
    /// that writing many zones (16 files of hundreds of megabytes) uses every core.
    ///
    /// # Errors
    ///
    /// An output that fails, or more outputs than zones (or fewer).
    pub fn write<W: std::fmt::Write + Send>(&self, outputs: &mut [W]) -> std::fmt::Result {
        use rayon::prelude::*;
        if outputs.len() != self.zones.len() {
            return Err(std::fmt::Error);
        }
        let Some(base) = self.zones.first() else {
            return Ok(());
        };
        let varying: Vec<(&Name, RecordType)> = self.varying.iter().map(|(n, t)| (n, *t)).collect();
        let mut jobs: Vec<(&Zone, bool, &mut W)> = self
            .zones
            .iter()
            .zip(&self.shared)
            .zip(outputs.iter_mut())
            .map(|((zone, &shared), out)| (zone, shared, out))
            .collect();
        let groups = rayon::current_num_threads().clamp(1, jobs.len());
        let per_group = jobs.len().div_ceil(groups);
        jobs.par_chunks_mut(per_group).try_for_each(|group| {
            let mut together: Vec<(&Zone, &mut W)> = Vec::new();
            for (zone, shared, out) in group.iter_mut() {
                if *shared {
                    together.push((zone, &mut **out));
                } else {
                    crate::text::write(zone, &mut **out)?;
                }
            }
            if together.is_empty() {
                return Ok(());
            }
            crate::text::write_each(base, &varying, &mut together)
        })
    }
}

/// The RRsets in which signed copies can differ, besides the apex SOA, in canonical
/// order: every RRset at the apex and the self names, and at the NSEC3 records of those.
fn varying_rrsets(
    template: &Template,
    zones: &[Zone],
    options: &SignOptions,
) -> Result<Vec<(Name, RecordType)>, SignError> {
    let Some(base) = zones.first() else {
        return Ok(Vec::new());
    };
    let origin = base.origin();
    let mut names: Vec<Name> = vec![origin.clone()];
    names.extend(template.self_names().iter().cloned());
    if options.denial_kind() == Denial::Nsec3 {
        for name in names.clone() {
            names.push(hashed_owner(&nsec3_hash(&name)?, origin)?);
        }
    }
    let mut varying: Vec<(Vec<u8>, u16, Name, RecordType)> = Vec::new();
    for name in &names {
        for zone in zones {
            for rrset in zone.rrsets_at(name) {
                let t = rrset.record_type();
                if !(t == RecordType::SOA && name == origin) {
                    varying.push((canonical_key(name), u16::from(t), name.clone(), t));
                }
            }
        }
    }
    varying.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    varying.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    Ok(varying.into_iter().map(|(_, _, n, t)| (n, t)).collect())
}

/// Replaces every RRset at `name` in `out` (RRSIG, NSEC and DNSKEY included) with the
/// RRsets `copy` holds there, but for DNSSEC records, which signing dropped from it
/// (`SignOptions::replace`) or refused.
fn replace_node(out: &mut Zone, copy: &Zone, name: &Name) {
    let old: Vec<RecordType> = out.rrsets_at(name).map(|r| r.record_type()).collect();
    for record_type in old {
        out.remove(name, record_type);
    }
    for rrset in copy
        .rrsets_at(name)
        .filter(|r| !DNSSEC_TYPES.contains(&r.record_type()))
    {
        for (ttl, data) in rrset.iter() {
            out.insert_data(name, rrset.record_type(), ttl, data);
        }
    }
}

/// The NSEC at `name`, pointing where the base's does, with the types `out` now holds.
fn renew_nsec(out: &mut Zone, signed_base: &Zone, name: &Name, kind: Kind, ttl: u32) {
    let next = signed_base
        .rrset(name, RecordType::NSEC)
        .and_then(|rrset| rrset.iter().next())
        .and_then(|(_, data)| data.get(..name_length(data)?));
    if let Some(next) = next {
        let mut data = next.to_vec();
        nsec_bitmap(out, name, kind, &mut data);
        out.insert_data(name, RecordType::NSEC, ttl, &data);
    }
}

/// The NSEC3 of `name` at `hashed`, pointing where the base's does, with the types `out`
/// now holds at `name`; its old RRSIG gone.
fn renew_nsec3(
    out: &mut Zone,
    signed_base: &Zone,
    hashed: &Name,
    name: &Name,
    kind: Kind,
    ttl: u32,
) {
    // Hash algorithm, flags, iterations, salt length 0, hash length 20, the next hash.
    const FIXED: usize = 1 + 1 + 2 + 1 + 1 + 20;
    let fixed = signed_base
        .rrset(hashed, RecordType::NSEC3)
        .and_then(|rrset| rrset.iter().next())
        .and_then(|(_, data)| data.get(..FIXED))
        .map(<[u8]>::to_vec);
    out.remove(hashed, RecordType::NSEC3);
    out.remove(hashed, RecordType::RRSIG);
    if let Some(mut data) = fixed {
        nsec3_bitmap(out, name, Some(kind), &mut data);
        out.insert_data(hashed, RecordType::NSEC3, ttl, &data);
    }
}
