//! Zone text (RFC 1035 §5 master files) in and out: [`parse()`] and [`write()`].
//!
//! The parser reads everything RFC 1035 §5 allows and real zones use: `$ORIGIN`, `$TTL`
//! (RFC 2308), `$INCLUDE` (only below a directory the caller grants), `@`, blank owners,
//! parentheses across lines, comments, quoted strings with `\X` and `\DDD` escapes, TTL
//! units (`1h30m`), TTL and class in either order, relative names, and RFC 3597 generic
//! types, classes and data (`TYPE65534 \# 4 0A000001`). Every error names the file, line
//! and column. The writer produces deterministic text that BIND, NSD and Knot load and that
//! parses back to an equal zone, TTLs included.
//!
//! ```
//! use multiprimary::text::{parse, ParseOptions};
//!
//! let text = "$ORIGIN example.com.\n$TTL 1h\n\
//!             @ IN SOA ns hostmaster 1 2h 1h 1w 60\n  NS ns\nns A 192.0.2.1\n";
//! let zone = parse(text, &ParseOptions::new()).unwrap();
//! assert_eq!(zone.len(), 3);
//! assert!(zone.validate().is_empty());
//!
//! let written = zone.to_string();
//! assert!(written.starts_with("$ORIGIN example.com.\n@\t3600\tIN\tSOA\tns.example.com. "));
//! assert_eq!(parse(&written, &ParseOptions::new()).unwrap(), zone);
//!
//! let error = parse("www.example. 3600 IN AX 1.2.3.4\n", &ParseOptions::new().file_name("db.example"))
//!     .unwrap_err();
//! assert_eq!(error.to_string(), "db.example:1:22: unknown record type `AX`: write it as `TYPEnnn` with `\\#` generic data");
//! ```

pub(crate) mod codec;
mod lexer;
mod parser;
mod presentation;
#[cfg(feature = "serde")]
mod serde;
mod writer;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use hickory_proto::rr::Name;

use crate::error::ParseError;
use crate::zone::Zone;

/// Limits on input, each reported as a [`ParseError`] when exceeded, never an abort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest zone text, in octets (default 1 GiB).
    pub max_text: usize,
    /// The longest physical line, in octets (default 256 KiB).
    pub max_line: usize,
    /// The most records (default 10,000,000).
    pub max_records: usize,
    /// The deepest `$INCLUDE` nesting (default 8); this also stops include cycles.
    pub max_include_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_text: 1 << 30,
            max_line: 256 * 1024,
            max_records: 10_000_000,
            max_include_depth: 8,
        }
    }
}

/// How to parse zone text: origin, file name for errors, `$INCLUDE` permission, limits.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ParseOptions {
    pub(crate) origin: Option<Name>,
    pub(crate) file_name: Option<String>,
    pub(crate) include_dir: Option<PathBuf>,
    pub(crate) default_ttl: Option<u32>,
    pub(crate) limits: Limits,
    pub(crate) template: bool,
}

impl ParseOptions {
    /// No origin, no file name, no `$INCLUDE`, default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// The origin relative names start from, until a `$ORIGIN` changes it; also the
    /// zone's origin. Without it the zone's origin is the first `$ORIGIN`, else the owner
    /// of the SOA.
    #[must_use]
    pub fn origin(mut self, origin: Name) -> Self {
        let mut origin = origin;
        origin.set_fqdn(true);
        self.origin = Some(origin);
        self
    }

    /// The file name that errors report.
    #[must_use]
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Grants `$INCLUDE` of files inside `dir` (relative paths start there). Without it,
    /// `$INCLUDE` is an error; paths that resolve outside it (`..`, absolute paths,
    /// symbolic links) are errors too, as is anything but a regular file (a FIFO, which
    /// would block, or a directory).
    #[must_use]
    pub fn include_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.include_dir = Some(dir.into());
        self
    }

    /// The TTL of records before any `$TTL` or TTL in the text.
    #[must_use]
    pub fn default_ttl(mut self, ttl: u32) -> Self {
        self.default_ttl = Some(ttl);
        self
    }

    /// Parses a template: the data of A and AAAA records may be the placeholder
    /// `LOCAL-IP` ([`PLACEHOLDER`](crate::PLACEHOLDER)), which projection replaces
    /// with each host's own addresses. Without this, `LOCAL-IP` is an error.
    #[must_use]
    pub fn template(mut self, template: bool) -> Self {
        self.template = template;
        self
    }

    /// Limits on the input.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// Parses zone text into a [`Zone`]. The zone is not validated: call
/// [`Zone::validate`] for the rules servers enforce.
///
/// # Errors
///
/// The first syntax error, with file, line and column. Never panics.
pub fn parse(text: &str, options: &ParseOptions) -> Result<Zone, ParseError> {
    parser::parse(text, options)
}

/// Writes `zone` as deterministic zone text: `$ORIGIN`, the SOA first, then every record
/// in canonical order, one per line, with TTL and class.
///
/// # Errors
///
/// Only those of `out`.
pub fn write(zone: &Zone, out: &mut impl fmt::Write) -> fmt::Result {
    writer::write(zone, out)
}

/// Writes each zone of `targets` as [`write()`] would, in one pass over `base`, of which
/// they are copies that differ only in the apex SOA and the RRsets `varying` (see
/// `writer::write_each`).
pub(crate) fn write_each<W: fmt::Write>(
    base: &Zone,
    varying: &[(&Name, hickory_proto::rr::RecordType)],
    targets: &mut [(&Zone, W)],
) -> fmt::Result {
    writer::write_each(base, varying, targets)
}

impl FromStr for Zone {
    type Err = ParseError;

    /// [`parse()`] with default options.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse(text, &ParseOptions::new())
    }
}

impl fmt::Display for Zone {
    /// [`write()`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write(self, f)
    }
}
