//! Where a zone's nodes live: a map from canonical keys to nodes, shared between copies of
//! a zone until one of them changes.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::ops::Bound;
use std::sync::Arc;

use hickory_proto::rr::{Name, RecordType};

use super::Rrset;
use super::rrset::{Duplicated, Pushed, Source};

/// One owner name: its spelling as first inserted, and its RRsets by type code.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Node {
    pub(super) name: Name,
    pub(super) rrsets: Vec<Rrset>,
}

impl Node {
    /// A node with no records.
    pub(crate) fn new(name: Name) -> Self {
        Self {
            name,
            rrsets: Vec::new(),
        }
    }

    /// The RRset of `record_type`, made empty if there is none.
    #[allow(clippy::indexing_slicing)] // `index` is in bounds: see below
    fn rrset_mut(&mut self, record_type: RecordType) -> &mut Rrset {
        let code = u16::from(record_type);
        // Records of one type usually come together: the last RRset first.
        let index = match self.rrsets.last() {
            Some(last) if u16::from(last.record_type) == code => self.rrsets.len() - 1,
            _ => match self
                .rrsets
                .binary_search_by_key(&code, |r| u16::from(r.record_type))
            {
                Ok(index) => index,
                Err(index) => {
                    self.rrsets.insert(index, Rrset::new(record_type));
                    index
                }
            },
        };
        // The last RRset's index, one binary search found, or one just inserted at.
        &mut self.rrsets[index]
    }

    /// Inserts a record in canonical order; `false` if its canonical data is present.
    pub(crate) fn insert(&mut self, record_type: RecordType, ttl: u32, data: &[u8]) -> bool {
        self.rrset_mut(record_type).insert(ttl, data)
    }

    /// Adds a record for a loader (see [`Rrset::push`]); [`Pushed::Unsorted`] means that
    /// the node needs [`settle`](Self::settle).
    pub(crate) fn push(
        &mut self,
        record_type: RecordType,
        ttl: u32,
        data: &[u8],
        source: Option<Source>,
    ) -> Pushed {
        self.rrset_mut(record_type).push(ttl, data, source)
    }

    /// Whether a loader left an RRset of this node unsorted.
    pub(crate) fn is_settled(&self) -> bool {
        self.rrsets.iter().all(|rrset| rrset.sorted)
    }

    /// Sorts what loaders pushed out of order; calls `dropped` with each type, the
    /// number of duplicates dropped from its RRset and the sources of the first.
    pub(crate) fn settle(
        &mut self,
        mut dropped: impl FnMut(RecordType, usize, Option<Duplicated>),
    ) {
        for rrset in &mut self.rrsets {
            let (count, first) = rrset.settle();
            if count > 0 {
                dropped(rrset.record_type, count, first);
            }
        }
    }
}

/// A canonical key, held inline when short (most names) so that the map's searches compare
/// bytes that sit in its own nodes instead of following a pointer per comparison.
#[derive(Clone, Debug)]
pub(crate) enum Key {
    /// Up to 31 octets: the length and the octets.
    Inline(u8, [u8; 31]),
    /// Longer keys.
    Heap(Box<[u8]>),
}

impl Key {
    /// The key's octets.
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Self::Inline(len, bytes) => bytes.get(..usize::from(*len)).unwrap_or(bytes),
            Self::Heap(bytes) => bytes,
        }
    }
}

impl From<Vec<u8>> for Key {
    fn from(key: Vec<u8>) -> Self {
        let mut bytes = [0u8; 31];
        match (bytes.get_mut(..key.len()), u8::try_from(key.len())) {
            (Some(slot), Ok(len)) => {
                slot.copy_from_slice(&key);
                Self::Inline(len, bytes)
            }
            _ => Self::Heap(key.into_boxed_slice()),
        }
    }
}

impl std::hash::Hash for Key {
    /// As the octets hash, so that maps keyed by `Key` can be searched with `&[u8]`.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl std::borrow::Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            // Inline keys are zero-padded, and a canonical key never has a 0 right after
            // a label's terminating 0 (the next octet starts a label and is at least 1),
            // so comparing the padded arrays orders as comparing the keys: eight octets
            // at a time, most significant first.
            (Self::Inline(_, a), Self::Inline(_, b)) => {
                let word = |bytes: &[u8; 31], at: usize| {
                    let mut word = [0u8; 8];
                    if let Some(part) = bytes.get(at..(at + 8).min(31)) {
                        word.get_mut(..part.len())
                            .unwrap_or_default()
                            .copy_from_slice(part);
                    }
                    u64::from_be_bytes(word)
                };
                (0..4)
                    .map(|i| word(a, i * 8).cmp(&word(b, i * 8)))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            }
            _ => self.as_slice().cmp(other.as_slice()),
        }
    }
}

/// A byte string whose order is the canonical order of names (RFC 4034 §6.1): labels from
/// the root down, each lowercased and ended by 0, with octets 0 and 1 escaped as 1,1 and
/// 1,2 so that a label's end sorts before any octet of a longer label.
pub(crate) fn canonical_key(name: &Name) -> Vec<u8> {
    key_of_labels(name.iter().rev(), name.len() + 2)
}

/// The canonical key of the name whose labels are `labels`, from the root down.
pub(crate) fn key_of_labels<'l>(
    labels: impl Iterator<Item = &'l [u8]>,
    capacity: usize,
) -> Vec<u8> {
    let mut key = Vec::with_capacity(capacity);
    for label in labels {
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

type Tree = BTreeMap<Key, Box<Node>>;

/// The nodes of a zone. Copies of a zone share `base`; a copy that changes while sharing
/// records its changes in `overlay` (a node, or `None` where a node was removed), so that
/// projecting a large template for many hosts costs each host only the nodes it changes.
/// A copy that owns `base` alone folds its overlay in and changes `base` in place.
#[derive(Clone, Default)]
pub(crate) struct Store {
    base: Arc<Tree>,
    overlay: BTreeMap<Key, Option<Box<Node>>>,
}

impl Store {
    /// A store of `nodes`, which are sorted by key with no key twice, built in one pass.
    pub(crate) fn from_sorted(nodes: Vec<(Key, Box<Node>)>) -> Self {
        Self {
            base: Arc::new(nodes.into_iter().collect()),
            overlay: BTreeMap::new(),
        }
    }

    /// The node of `key`.
    pub(crate) fn get(&self, key: &[u8]) -> Option<&Node> {
        match self.overlay.get(key) {
            Some(node) => node.as_deref(),
            None => self.base.get(key).map(|node| &**node),
        }
    }

    /// `base`, with the overlay folded in. Called when this copy owns `base` alone
    /// (`is_owned`), so that `make_mut` does not copy, or by `unshare`, to copy.
    fn owned(&mut self) -> &mut Tree {
        let tree = Arc::make_mut(&mut self.base);
        for (key, node) in std::mem::take(&mut self.overlay) {
            match node {
                Some(node) => tree.insert(key, node),
                None => tree.remove(&key),
            };
        }
        tree
    }

    /// Makes this copy own its nodes, copied once if they are shared, so that changes to
    /// most of them go in place rather than each into the overlay (and every later copy
    /// of this one shares them again).
    #[cfg(feature = "dnssec")]
    pub(crate) fn unshare(&mut self) {
        self.owned();
    }

    fn is_owned(&mut self) -> bool {
        Arc::get_mut(&mut self.base).is_some()
    }

    /// The node of `key`, to change.
    pub(crate) fn get_mut(&mut self, key: &[u8]) -> Option<&mut Node> {
        if self.is_owned() {
            return self.owned().get_mut(key).map(|node| &mut **node);
        }
        let base = &self.base;
        self.overlay
            .entry(Key::from(key.to_vec()))
            .or_insert_with(|| base.get(key).cloned())
            .as_deref_mut()
    }

    /// The node of `key`, made with `make` if there is none.
    pub(crate) fn get_or_insert(&mut self, key: Vec<u8>, make: impl FnOnce() -> Node) -> &mut Node {
        if self.is_owned() {
            return self
                .owned()
                .entry(Key::from(key))
                .or_insert_with(|| Box::new(make()));
        }
        let base = &self.base;
        let slot = self
            .overlay
            .entry(Key::from(key))
            .or_insert_with_key(|key| base.get(key.as_slice()).cloned());
        slot.get_or_insert_with(|| Box::new(make()))
    }

    /// Adds `node` at `key` if that holds no node; else gives back the node there, to merge
    /// into, with `node`. One search either way.
    #[cfg(test)]
    fn insert_or_existing(&mut self, key: Vec<u8>, node: Node) -> Result<(), (&mut Node, Node)> {
        if self.is_owned() {
            return match self.owned().entry(Key::from(key)) {
                Entry::Vacant(slot) => {
                    slot.insert(Box::new(node));
                    Ok(())
                }
                Entry::Occupied(slot) => Err((&mut **slot.into_mut(), node)),
            };
        }
        let base = &self.base;
        let slot = self
            .overlay
            .entry(Key::from(key))
            .or_insert_with_key(|key| base.get(key.as_slice()).cloned());
        if slot.is_none() {
            *slot = Some(Box::new(node));
            return Ok(());
        }
        match slot.as_deref_mut() {
            Some(existing) => Err((existing, node)),
            None => Ok(()),
        }
    }

    /// Removes the node of `key`, returning it.
    pub(crate) fn remove(&mut self, key: &[u8]) -> Option<Box<Node>> {
        if self.is_owned() {
            return self.owned().remove(key);
        }
        let base = &self.base;
        match self.overlay.entry(Key::from(key.to_vec())) {
            Entry::Occupied(mut slot) => slot.insert(None),
            Entry::Vacant(slot) => {
                let node = base.get(key).cloned();
                if node.is_some() {
                    slot.insert(None);
                }
                node
            }
        }
    }

    /// The nodes in canonical order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Node> + '_ {
        self.iter_keyed().map(|(_, node)| node)
    }

    /// The nodes in canonical order, with their keys.
    pub(crate) fn iter_keyed(&self) -> impl Iterator<Item = (&[u8], &Node)> + '_ {
        self.iter_from(&[])
    }

    /// Whether a node's key is `key` or begins with it: in canonical keys, whether the
    /// name of `key` or a name below it owns records.
    pub(crate) fn has_at_or_below(&self, key: &[u8]) -> bool {
        self.iter_from(key)
            .next()
            .is_some_and(|(found, _)| found.starts_with(key))
    }

    /// The nodes whose keys are `start` or after it, in canonical order, with their keys.
    fn iter_from<'s>(&'s self, start: &[u8]) -> impl Iterator<Item = (&'s [u8], &'s Node)> + 's {
        let from = (Bound::Included(start), Bound::Unbounded);
        let mut base = self.base.range::<[u8], _>(from).peekable();
        let mut overlay = self.overlay.range::<[u8], _>(from).peekable();
        std::iter::from_fn(move || {
            loop {
                let take_base = match (base.peek(), overlay.peek()) {
                    (None, None) => return None,
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (Some((b, _)), Some((o, _))) => match b.cmp(o) {
                        Ordering::Less => true,
                        Ordering::Greater => false,
                        Ordering::Equal => {
                            // The overlay's version replaces the base's.
                            base.next();
                            false
                        }
                    },
                };
                if take_base {
                    return base.next().map(|(key, node)| (key.as_slice(), &**node));
                }
                if let Some((key, Some(node))) = overlay.next() {
                    return Some((key.as_slice(), &**node));
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn node(name: &str, ttl: u32) -> (Vec<u8>, Node) {
        let name = Name::from_str(name).unwrap();
        let mut node = Node::new(name.clone());
        node.insert(RecordType::A, ttl, &[192, 0, 2, 1]);
        (canonical_key(&name), node)
    }

    fn ttls(store: &Store) -> Vec<(String, u32)> {
        store
            .iter()
            .map(|n| (n.name.to_string(), n.rrsets[0].ttl()))
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn key_order_is_the_order_of_the_names(
            a in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 1..6), 0..5),
            b in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 1..6), 0..5),
        ) {
            let a = Name::from_labels(a).unwrap();
            let b = Name::from_labels(b).unwrap();
            let (ka, kb) = (Key::from(canonical_key(&a)), Key::from(canonical_key(&b)));
            // hickory's Name order is RFC 4034 §6.1's; the fast comparison must agree.
            proptest::prop_assert_eq!(ka.cmp(&kb), a.cmp(&b));
            proptest::prop_assert_eq!(ka.as_slice().cmp(kb.as_slice()), a.cmp(&b));
        }
    }

    #[test]
    fn copies_share_until_changed_and_changes_stay_in_the_copy() {
        let mut original = Store::default();
        for (name, ttl) in [("b.example.", 1), ("a.example.", 2), ("c.example.", 3)] {
            let (key, node) = node(name, ttl);
            assert!(original.insert_or_existing(key, node).is_ok());
        }
        let mut copy = original.clone();
        assert!(Arc::ptr_eq(&original.base, &copy.base));
        // Change b, remove c, add d and a0 in the copy.
        let (key, _) = node("b.example.", 0);
        copy.get_mut(&key).unwrap().rrsets[0] = node("b.example.", 9).1.rrsets[0].clone();
        let (key, _) = node("c.example.", 0);
        assert!(copy.remove(&key).is_some());
        assert!(copy.remove(&key).is_none());
        for name in ["d.example.", "a0.example."] {
            let (key, new) = node(name, 4);
            copy.get_or_insert(key, || new);
        }
        assert!(
            Arc::ptr_eq(&original.base, &copy.base),
            "the copy changed only its overlay"
        );
        assert_eq!(
            ttls(&copy),
            [
                ("a.example.".into(), 2),
                ("a0.example.".into(), 4),
                ("b.example.".into(), 9),
                ("d.example.".into(), 4)
            ]
        );
        assert_eq!(
            ttls(&original),
            [
                ("a.example.".into(), 2),
                ("b.example.".into(), 1),
                ("c.example.".into(), 3)
            ]
        );
        // Once the copy owns the base alone, the overlay folds into it.
        drop(original);
        let (key, new) = node("e.example.", 5);
        assert!(copy.insert_or_existing(key, new).is_ok());
        assert!(copy.overlay.is_empty());
        assert_eq!(ttls(&copy).len(), 5);
        assert_eq!(
            copy.get(&canonical_key(&Name::from_str("B.EXAMPLE.").unwrap()))
                .map(|n| n.rrsets[0].ttl()),
            Some(9)
        );
    }
}
