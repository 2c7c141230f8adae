//! DNSSEC signing (feature `dnssec`): the fleet's keys, and each host's copy signed with
//! them (RFC 4033, RFC 4034, RFC 4035, RFC 5155).
//!
//! Every host's projection differs from the others' (its self-referencing names hold its
//! own addresses), so a zone signed once and copied cannot serve the scheme: each host
//! signs its own copy, with keys the whole fleet shares, so that one DS at the parent
//! validates every host. [`sign`] signs one zone; [`Template::sign_projections`]
//! signs every host's projection, the RRsets all hosts share once.
//!
//! The cryptography is hickory-proto's (backed by ring); nothing here signs or hashes by
//! itself.
//!
//! [`Template::sign_projections`]: crate::Template::sign_projections

mod keys;
mod projections;
mod sign;

pub use keys::{Key, KeyError, KeySet};
pub use projections::SignedProjections;
pub use sign::{Denial, SignError, SignOptions, format_time, parse_time, sign};
