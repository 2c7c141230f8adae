//! Which of many zones a query is for: the zone whose origin is the longest suffix of the
//! question name, found without allocating.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use hickory_proto::rr::Name;

/// The longest name in wire form (RFC 1035 §3.1).
const MAX_NAME: usize = 255;
/// The most labels a name of 255 octets holds, the root's empty label included.
const MAX_LABELS: usize = 128;
const HEADER: usize = 12;

/// The zones one server answers for, by origin: the index of the zone a query is for.
///
/// A server that serves many zones (`serve --config`) looks up the zone of each query
/// here and answers it from that zone's [`AnswerTable`](crate::AnswerTable): the zone
/// whose origin is the longest suffix of the question name (RFC 1034 §4.3.2's first
/// step, over the zones at hand). Names compare without regard to ASCII case. A lookup
/// allocates nothing: it lower-cases the question name into a buffer on the stack and
/// tries its suffixes from the longest, only those with as many labels as some origin
/// has.
///
/// ```
/// use multiprimary::answer::ZoneIndex;
/// use multiprimary::hickory_proto::rr::Name;
///
/// let origins = [
///     Name::from_ascii("example.com.")?,
///     Name::from_ascii("sub.example.com.")?,
/// ];
/// let index = ZoneIndex::new(&origins);
/// // A query for WWW.Sub.Example.COM. (the header, then the question):
/// let mut query = vec![0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
/// for label in ["WWW", "Sub", "Example", "COM"] {
///     query.push(label.len() as u8);
///     query.extend_from_slice(label.as_bytes());
/// }
/// query.extend_from_slice(&[0, 0, 1, 0, 1]);
/// let hit = index.find(&query).expect("a zone");
/// assert_eq!(hit.zone, 1);
/// assert!(!hit.apex);
/// # Ok::<(), multiprimary::hickory_proto::ProtoError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ZoneIndex {
    /// Each origin in lower-cased wire form, to its position in the list given.
    origins: HashMap<Box<[u8]>, usize, BuildHasherDefault<Fnv>>,
    /// `labels[n]` is set when some origin has `n` labels besides the root.
    labels: [bool; MAX_LABELS],
}

/// A zone a query is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// The zone's position in the list [`ZoneIndex::new`] was given.
    pub zone: usize,
    /// Whether the question name is the zone's origin (the name an AXFR must ask for).
    pub apex: bool,
}

impl ZoneIndex {
    /// An index of `origins`, each zone known by its position in the list. When an origin
    /// is listed twice (compared without regard to case), the first one is found.
    pub fn new<'a>(origins: impl IntoIterator<Item = &'a Name>) -> Self {
        let mut index = Self {
            origins: HashMap::default(),
            labels: [false; MAX_LABELS],
        };
        for (position, origin) in origins.into_iter().enumerate() {
            index
                .origins
                .entry(lower_wire(origin).into())
                .or_insert(position);
            if let Some(seen) = index.labels.get_mut(usize::from(origin.num_labels())) {
                *seen = true;
            }
        }
        index
    }

    /// How many distinct origins the index holds.
    pub fn len(&self) -> usize {
        self.origins.len()
    }

    /// Whether the index holds no origin.
    pub fn is_empty(&self) -> bool {
        self.origins.is_empty()
    }

    /// The zone for the question of a query (its header and question as sent, the name
    /// uncompressed): `None` when no origin is a suffix of the name, or when the query is
    /// too short or its name malformed (the answer path then says FORMERR).
    pub fn find(&self, query: &[u8]) -> Option<Hit> {
        self.find_name(query.get(HEADER..)?)
    }

    /// The zone for a name in uncompressed wire form at the start of `name` (what
    /// follows it is ignored); `None` as for [`find`](Self::find).
    pub fn find_name(&self, name: &[u8]) -> Option<Hit> {
        let mut lower = [0u8; MAX_NAME];
        // Where each label starts in `lower`, and how many there are before the root.
        let mut starts = [0u8; MAX_LABELS];
        let mut count = 0usize;
        let mut at = 0usize;
        loop {
            let length = usize::from(*name.get(at)?);
            if length > 63 {
                return None; // A pointer or a reserved label type.
            }
            if length == 0 {
                *lower.get_mut(at)? = 0;
                break;
            }
            let end = at + 1 + length;
            // The root label still has to fit after this one.
            if end >= MAX_NAME {
                return None;
            }
            *starts.get_mut(count)? = u8::try_from(at).ok()?;
            count += 1;
            *lower.get_mut(at)? = name.get(at).copied()?;
            for (to, from) in lower
                .get_mut(at + 1..end)?
                .iter_mut()
                .zip(name.get(at + 1..end)?)
            {
                *to = from.to_ascii_lowercase();
            }
            at = end;
        }
        let total = at + 1;
        // From the whole name down to the root: the first origin found is the longest.
        for labels in (0..=count).rev() {
            if !self.labels.get(labels).copied().unwrap_or(false) {
                continue;
            }
            // The suffix of `labels` labels starts at label `count - labels`.
            let start = if labels == 0 {
                at
            } else {
                usize::from(*starts.get(count - labels)?)
            };
            if let Some(&zone) = self.origins.get(lower.get(start..total)?) {
                return Some(Hit {
                    zone,
                    apex: labels == count,
                });
            }
        }
        None
    }
}

/// `name` in uncompressed wire form, lower-cased.
fn lower_wire(name: &Name) -> Vec<u8> {
    let mut wire = Vec::with_capacity(MAX_NAME);
    for label in name.iter() {
        // A `Name` holds labels of at most 63 octets.
        wire.push(u8::try_from(label.len()).unwrap_or(63));
        wire.extend(label.iter().map(u8::to_ascii_lowercase));
    }
    wire.push(0);
    wire
}

/// FNV-1a: a fast hash for short keys that an attacker does not choose the set of (the
/// keys are the operator's origins; a query only looks them up).
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(name: &str) -> Vec<u8> {
        let mut wire = Vec::new();
        for label in Name::from_ascii(name).unwrap().iter() {
            wire.push(u8::try_from(label.len()).unwrap());
            wire.extend_from_slice(label);
        }
        wire.push(0);
        wire
    }

    fn index(origins: &[&str]) -> ZoneIndex {
        let names: Vec<Name> = origins
            .iter()
            .map(|o| Name::from_ascii(o).unwrap())
            .collect();
        ZoneIndex::new(&names)
    }

    #[test]
    fn the_longest_origin_that_is_a_suffix_wins() {
        let index = index(&["com.", "example.com.", "a.b.example.com.", "org."]);
        let find = |name: &str| index.find_name(&wire(name));
        assert_eq!(
            find("example.com."),
            Some(Hit {
                zone: 1,
                apex: true
            })
        );
        assert_eq!(
            find("www.example.com."),
            Some(Hit {
                zone: 1,
                apex: false
            })
        );
        assert_eq!(
            find("b.example.com."),
            Some(Hit {
                zone: 1,
                apex: false
            })
        );
        assert_eq!(
            find("x.a.b.example.com."),
            Some(Hit {
                zone: 2,
                apex: false
            })
        );
        assert_eq!(
            find("other.com."),
            Some(Hit {
                zone: 0,
                apex: false
            })
        );
        assert_eq!(
            find("org."),
            Some(Hit {
                zone: 3,
                apex: true
            })
        );
        assert_eq!(find("example.net."), None);
        assert_eq!(find("."), None);
    }

    #[test]
    fn case_does_not_matter_on_either_side() {
        let index = index(&["Example.COM."]);
        assert_eq!(
            index.find_name(&wire("WwW.eXample.com.")),
            Some(Hit {
                zone: 0,
                apex: false
            })
        );
    }

    #[test]
    fn the_root_zone_holds_every_name() {
        let index = index(&[".", "example.com."]);
        assert_eq!(
            index.find_name(&wire(".")),
            Some(Hit {
                zone: 0,
                apex: true
            })
        );
        assert_eq!(
            index.find_name(&wire("net.")),
            Some(Hit {
                zone: 0,
                apex: false
            })
        );
        assert_eq!(
            index.find_name(&wire("example.com.")),
            Some(Hit {
                zone: 1,
                apex: true
            })
        );
    }

    #[test]
    fn the_first_of_two_equal_origins_is_found() {
        let index = index(&["example.com.", "EXAMPLE.com."]);
        assert_eq!(index.len(), 1);
        assert_eq!(
            index.find_name(&wire("example.com.")).map(|h| h.zone),
            Some(0)
        );
    }

    #[test]
    fn malformed_names_find_nothing() {
        let index = index(&["."]);
        // A compression pointer, a reserved label type, a name without its end, nothing.
        for bad in [&[0xc0, 12][..], &[0x40, b'a'], &[3, b'c', b'o'], &[]] {
            assert_eq!(index.find_name(bad), None, "{bad:?}");
        }
        // 255 octets is the most a name holds; 256 is too long.
        let label = |n: usize| {
            std::iter::once(u8::try_from(n).unwrap()).chain(std::iter::repeat_n(b'a', n))
        };
        let mut longest: Vec<u8> = (0..3).flat_map(|_| label(63)).chain(label(61)).collect();
        longest.push(0);
        assert_eq!(longest.len(), 255);
        assert_eq!(
            index.find_name(&longest),
            Some(Hit {
                zone: 0,
                apex: false
            })
        );
        let mut too_long: Vec<u8> = (0..3).flat_map(|_| label(63)).chain(label(62)).collect();
        too_long.push(0);
        assert_eq!(index.find_name(&too_long), None);
        // A query shorter than its header.
        assert_eq!(index.find(&[0; 11]), None);
    }
}
