#![doc = include_str!("../README.md")]

pub use hickory_proto;

pub mod error;
mod rdata;
#[cfg(feature = "proptest")]
pub mod strategy;
pub mod text;
mod zone;

pub use error::{ParseError, ParseErrorKind, Position, Problem, ProblemKind, Severity, ZoneError};
pub use zone::{RecordError, RecordRef, Rrset, Zone};
