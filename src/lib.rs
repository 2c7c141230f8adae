#![doc = include_str!("../README.md")]

pub use hickory_proto;

pub mod error;
mod rdata;
pub mod text;
mod zone;

pub use error::{ParseError, ParseErrorKind, Position, Problem, ProblemKind, Severity, ZoneError};
pub use zone::{RecordError, RecordRef, Rrset, Zone};
