#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub use hickory_proto;

pub mod answer;
#[cfg(feature = "dnssec")]
pub mod dnssec;
mod drift;
pub mod error;
mod fleet;
mod schema;
mod serial;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "proptest")]
pub mod strategy;
mod template;
pub mod text;
pub mod wire;
mod zone;

pub use answer::{AnswerError, AnswerTable, CompileError, EDNS_PAYLOAD, MAX_CHAIN, Transport};
pub use drift::{Drift, DriftKind, Evidence};
pub use error::{
    Location, ParseError, ParseErrorKind, Position, Problem, ProblemKind, Severity, ZoneError,
};
pub use fleet::{Fleet, FleetError, FleetProblem, FleetWarning, Host};
pub use serial::{next_serial, serial_cmp};
pub use template::{ProjectError, Template, TemplateOptions};
pub use zone::{PLACEHOLDER, RecordError, RecordRef, Rrset, Zone};
