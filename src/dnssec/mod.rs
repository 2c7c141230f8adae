//! DNSSEC signing (feature `dnssec`): the fleet's keys, and each host's copy signed with
//! them (RFC 4033, RFC 4034, RFC 4035, RFC 5155).
//!
//! Every host's projection differs from the others' (its self-referencing names hold its
//! own addresses), so a zone signed once and copied cannot serve the scheme: each host
//! signs its own copy, with keys the whole fleet shares, so that one DS at the parent
//! validates every host. [`sign`] signs one zone; [`Template::sign_projections`] signs
//! every host's projection, the RRsets all hosts share once.
//!
//! The keys are the pairs users have already: [`Key::read`] and [`KeySet::read_dir`] read
//! the `K<zone>.+<alg>.+<tag>.key` and `.private` files that BIND's `dnssec-keygen` and
//! `ldns-keygen` write (RSASHA256, ECDSAP256SHA256, ED25519); [`Key::generate`] and
//! [`Key::write`] make new ones in the same format.
//!
//! The cryptography is hickory-proto's (backed by ring); nothing here signs or hashes by
//! itself.
//!
//! [`Template::sign_projections`]: crate::Template::sign_projections

mod der;
mod drift;
mod error;
mod keyfile;
mod keys;
mod keyset;
mod projections;
mod sign;
mod zonemd;

pub use error::KeyError;
pub use keys::Key;
pub use keyset::KeySet;
pub use projections::SignedProjections;
pub use sign::{Denial, SignError, SignOptions, format_time, parse_time, sign};
