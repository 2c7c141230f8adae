//! ZONEMD (RFC 8976) kept true through signing: a digest over the whole zone, computed
//! after every other record is signed, then signed itself.

use ring::digest::{Context, SHA384, SHA512};

use super::keyset::KeySet;
use super::sign::{Kind, SignError, SignOptions, ZONEMD, add_signatures};
use crate::wire::canonical_record;
use crate::zone::Zone;

/// The SIMPLE scheme (RFC 8976 §5.2).
const SIMPLE: u8 = 1;

/// Replaces each apex ZONEMD record of `out` (a signed zone whose apex ZONEMD is not
/// signed yet) with one of the same scheme and hash algorithm over the zone as it now
/// is, with the SOA serial (RFC 8976 §3), and signs the new RRset. A zone without an
/// apex ZONEMD is left as it is.
///
/// The digest covers every record in canonical order (RFC 8976 §3.3.1), glue and
/// occluded data included, but the apex ZONEMD RRset and the RRSIG over it, neither of
/// which exists yet when it is computed.
pub(super) fn update(
    out: &mut Zone,
    keys: &KeySet,
    options: &SignOptions,
) -> Result<(), SignError> {
    let origin = out.origin().clone();
    let Some(old) = out.rrset(&origin, ZONEMD) else {
        return Ok(());
    };
    let old: Vec<(u32, u8, u8)> = old
        .iter()
        .map(|(ttl, data)| {
            let scheme = data.get(4).copied().unwrap_or(0);
            let hash = data.get(5).copied().unwrap_or(0);
            (ttl, scheme, hash)
        })
        .collect();
    let mut contexts = Vec::with_capacity(old.len());
    for &(ttl, scheme, hash) in &old {
        let algorithm = match (scheme, hash) {
            (SIMPLE, 1) => &SHA384,
            (SIMPLE, 2) => &SHA512,
            _ => return Err(SignError::Zonemd { scheme, hash }),
        };
        contexts.push((ttl, scheme, hash, Context::new(algorithm)));
    }
    let serial = out.serial().ok_or_else(|| SignError::NoSoa {
        origin: Box::new(origin.clone()),
    })?;
    out.remove(&origin, ZONEMD);
    let mut canonical = Vec::with_capacity(512);
    for record in out.iter() {
        canonical.clear();
        canonical_record(&record, record.ttl(), &mut canonical);
        for (_, _, _, context) in &mut contexts {
            context.update(&canonical);
        }
    }
    for (ttl, scheme, hash, context) in contexts {
        let digest = context.finish();
        let mut data = Vec::with_capacity(6 + digest.as_ref().len());
        data.extend_from_slice(&serial.to_be_bytes());
        data.push(scheme);
        data.push(hash);
        data.extend_from_slice(digest.as_ref());
        out.insert_data(&origin, ZONEMD, ttl, &data);
    }
    add_signatures(out, &[(origin, Kind::Data)], keys, options, Some(ZONEMD))
}
