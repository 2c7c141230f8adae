#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub use hickory_proto;

pub mod answer;
pub mod error;
mod fleet;
mod project;
mod rdata;
#[cfg(feature = "proptest")]
pub mod strategy;
pub mod text;
pub mod wire;
mod zone;

pub use answer::{AnswerError, AnswerTable, CompileError, EDNS_PAYLOAD, MAX_CHAIN, Transport};
pub use error::{
    Location, ParseError, ParseErrorKind, Position, Problem, ProblemKind, Severity, ZoneError,
};
pub use fleet::{Fleet, FleetError, FleetProblem, FleetWarning, Host};
pub use project::{Drift, DriftKind, ProjectOptions, Template, next_serial, project, serial_cmp};
pub use zone::{PLACEHOLDER, RecordError, RecordRef, Rrset, Zone};
