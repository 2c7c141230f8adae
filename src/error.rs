//! Error types: where zone text went wrong ([`ParseError`]), what a parsed zone breaks
//! ([`ZoneError`] and its [`Problem`]s).

use std::fmt;
use std::sync::Arc;

use hickory_proto::rr::{Name, RecordType};

/// A place in zone text: 1-based line and column (in bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line number, from 1.
    pub line: u32,
    /// Column number in bytes, from 1.
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Where in zone text a record was read: the file (as the caller named it, the
/// `$INCLUDE` path, or `<input>`) and, for a problem that concerns a record, its line and
/// column.
///
/// Displays as `FILE:LINE:COLUMN`, or `FILE` where there is no place in the file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    file: Arc<str>,
    position: Option<Position>,
}

impl Location {
    pub(crate) fn new(file: Arc<str>, position: Option<Position>) -> Self {
        Self { file, position }
    }

    /// The file.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The line and column, if the location is a place in the file.
    pub fn position(&self) -> Option<Position> {
        self.position
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(Position { line, column }) => write!(f, "{}:{line}:{column}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// Zone text that could not be parsed: the file, the place in it and what was wrong.
///
/// Displays as `FILE:LINE:COLUMN: what was found, what was expected`; text parsed
/// without a file name shows as `<input>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{}:{}: {kind}", file.as_deref().unwrap_or("<input>"), position.line, position.column)]
pub struct ParseError {
    file: Option<Arc<str>>,
    position: Position,
    kind: ParseErrorKind,
}

impl ParseError {
    pub(crate) fn new(file: Option<Arc<str>>, position: Position, kind: ParseErrorKind) -> Self {
        Self {
            file,
            position,
            kind,
        }
    }

    /// The file the error is in, as the caller named it (or the `$INCLUDE` path), if any.
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// Where in the file the error is.
    pub fn position(&self) -> Position {
        self.position
    }

    /// What went wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }
}

/// What went wrong while parsing zone text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// A token was not what the grammar allows here.
    #[error("expected {expected}, found `{found}`")]
    Expected {
        /// What the grammar allows at this place.
        expected: &'static str,
        /// The text that was found (shortened when long).
        found: String,
    },
    /// The entry ended where more was required.
    #[error("expected {expected}, found the end of the record")]
    UnexpectedEnd {
        /// What was still required.
        expected: &'static str,
    },
    /// Text after the last field a record type allows.
    #[error("unexpected `{found}` after the record data")]
    TrailingData {
        /// The first extra token.
        found: String,
    },
    /// A `(` without `)` before the end of the file, or a `)` without `(`.
    #[error("unbalanced parenthesis: {detail}")]
    UnbalancedParenthesis {
        /// Which way it is unbalanced.
        detail: &'static str,
    },
    /// A quoted string without its closing quote.
    #[error("quoted string is not closed before the end of the line")]
    UnterminatedQuote,
    /// A backslash escape that is incomplete or out of range.
    #[error("invalid escape `{found}`: expected `\\X` or `\\DDD` with DDD at most 255")]
    BadEscape {
        /// The escape as written.
        found: String,
    },
    /// A label longer than 63 octets.
    #[error("label of {length} octets is longer than 63")]
    LabelTooLong {
        /// The label's length in octets.
        length: usize,
    },
    /// A domain name longer than 255 octets in wire form.
    #[error("name of {length} octets is longer than 255")]
    NameTooLong {
        /// The name's wire length.
        length: usize,
    },
    /// An empty label (`a..b`), which only the root may have.
    #[error("empty label in `{found}`")]
    EmptyLabel {
        /// The name as written.
        found: String,
    },
    /// A relative name where no origin is known.
    #[error("relative name `{found}` but no origin is known: give `$ORIGIN` or an origin")]
    NoOrigin {
        /// The name as written.
        found: String,
    },
    /// A record with a blank owner before any owner was given.
    #[error("record has no owner and there is no previous owner to repeat")]
    NoPreviousOwner,
    /// A record without a TTL, before any `$TTL` or earlier TTL.
    #[error("record has no TTL and no `$TTL` or earlier TTL applies")]
    NoTtl,
    /// A TTL that is not a number or a unit sequence like `1h30m`, or exceeds 2^31-1.
    #[error("expected a TTL (seconds, or units like `1h30m`, at most 2147483647), found `{found}`")]
    BadTtl {
        /// The TTL as written.
        found: String,
    },
    /// A mnemonic that names no record type this crate can read.
    #[error("unknown record type `{found}`: write it as `TYPEnnn` with `\\#` generic data")]
    UnknownType {
        /// The word as written.
        found: String,
    },
    /// `ANY`, `*`, `NONE`, `AXFR`, `OPT`...: words that exist only in queries or updates.
    #[error("`{found}` is valid only in queries, not in a zone")]
    QueryOnly {
        /// The word as written.
        found: String,
    },
    /// A record whose class differs from the zone's.
    #[error("class `{found}` differs from the zone's class `{expected}`")]
    ClassMismatch {
        /// The zone's class (that of its first record).
        expected: String,
        /// This record's class.
        found: String,
    },
    /// Record data that is too long for the wire (65,535 octets).
    #[error("record data of {length} octets is longer than 65535")]
    RdataTooLong {
        /// The data's length in octets.
        length: usize,
    },
    /// RFC 3597 generic data whose length does not match what was given.
    #[error("generic data declares {declared} octets but holds {actual}")]
    GenericLength {
        /// The length after `\#`.
        declared: usize,
        /// The octets in the hex that follows.
        actual: usize,
    },
    /// Data (often generic `\#` data) that is not valid for its record type.
    #[error("data is not valid {record_type} data: {reason}")]
    InvalidRdata {
        /// The record type.
        record_type: RecordType,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A `$` word that is not `$ORIGIN`, `$TTL` or `$INCLUDE`.
    #[error("unknown directive `{found}`: expected `$ORIGIN`, `$TTL` or `$INCLUDE`")]
    UnknownDirective {
        /// The directive as written.
        found: String,
    },
    /// `$INCLUDE` when the caller granted no directory.
    #[error("`$INCLUDE` of `{path}` is not allowed: no include directory was granted")]
    IncludeNotAllowed {
        /// The path as written.
        path: String,
    },
    /// `$INCLUDE` of a path that leaves the granted directory.
    #[error("`$INCLUDE` of `{path}` is outside the permitted directory")]
    IncludeOutsideBase {
        /// The path as written.
        path: String,
    },
    /// `$INCLUDE` of a file that could not be read.
    #[error("`$INCLUDE` of `{path}` failed: {reason}")]
    IncludeUnreadable {
        /// The path as written.
        path: String,
        /// The operating system's message.
        reason: String,
    },
    /// `$INCLUDE` nested deeper than the limit (this also stops include cycles).
    #[error("`$INCLUDE` nested deeper than {limit} files")]
    IncludeTooDeep {
        /// The limit.
        limit: usize,
    },
    /// A physical line longer than the limit.
    #[error("line is longer than the limit of {limit} octets")]
    LineTooLong {
        /// The limit.
        limit: usize,
    },
    /// More records than the limit.
    #[error("zone has more than the limit of {limit} records")]
    TooManyRecords {
        /// The limit.
        limit: usize,
    },
    /// The `LOCAL-IP` placeholder where no template is being parsed.
    #[error("placeholder `{found}` is allowed only when parsing a template")]
    PlaceholderNotAllowed {
        /// The placeholder as written.
        found: String,
    },
    /// Zone text larger than the limit.
    #[error("zone text is larger than the limit of {limit} octets")]
    TextTooLarge {
        /// The limit.
        limit: usize,
    },
}

/// Shortens user text quoted in an error, so a huge token does not make a huge message.
pub(crate) fn quote(bytes: &[u8]) -> String {
    const MAX: usize = 64;
    let text = String::from_utf8_lossy(bytes.get(..MAX).unwrap_or(bytes));
    if bytes.len() > MAX {
        format!("{text}...")
    } else {
        text.into_owned()
    }
}

/// How serious a [`Problem`] is. Displays as `error` or `warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The zone loads, but something is probably wrong; mainstream servers warn.
    Warning,
    /// Mainstream servers refuse to load the zone.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

/// One rule a zone breaks, naming the owner and record type concerned and, for a zone
/// read from text, where: the record it is about and, where a rule concerns two records
/// (two SOAs, a CNAME beside other data), the other one.
///
/// Displays as `FILE:LINE:COLUMN: OWNER TYPE: what is wrong; the first is at
/// FILE:LINE:COLUMN`; without a location (a zone built in code) as `OWNER TYPE: what is
/// wrong`. Programs print it after its [`severity`](Self::severity): `error: ...` or
/// `warning: ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub(crate) owner: Name,
    pub(crate) record_type: RecordType,
    pub(crate) kind: ProblemKind,
    pub(crate) location: Option<Location>,
    pub(crate) related: Option<Location>,
}

impl Problem {
    /// The zone has no SOA at its apex.
    pub(crate) fn no_soa(zone: &crate::Zone) -> Self {
        Self {
            owner: zone.origin().clone(),
            record_type: RecordType::SOA,
            kind: ProblemKind::NoSoa,
            location: zone.file_location(),
            related: None,
        }
    }

    /// The owner name concerned.
    pub fn owner(&self) -> &Name {
        &self.owner
    }

    /// The record type concerned.
    pub fn record_type(&self) -> RecordType {
        self.record_type
    }

    /// What the problem is.
    pub fn kind(&self) -> &ProblemKind {
        &self.kind
    }

    /// Whether servers refuse the zone ([`Severity::Error`]) or only warn.
    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }

    /// Where the record the problem is about was read (for a problem that concerns no
    /// record, such as a missing SOA, the file alone); `None` for a zone built in code.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// Where the other record a rule concerns was read: the first SOA, CNAME or DNAME
    /// where there are two, the other data beside a CNAME, the first record of an RRset
    /// whose TTLs differ, the record a duplicate repeats, the delegation or DNAME that
    /// occludes data.
    pub fn related(&self) -> Option<&Location> {
        self.related.as_ref()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{} {}: {}", self.owner, self.record_type, self.kind)?;
        if let Some(related) = &self.related {
            write!(f, "; {} at {related}", self.kind.related_phrase())?;
        }
        Ok(())
    }
}

/// The rules of [`Zone::validate`](crate::Zone::validate).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProblemKind {
    /// No SOA record at the apex.
    #[error("the zone has no SOA record at its apex")]
    NoSoa,
    /// More than one SOA record at the apex.
    #[error("the zone has {count} SOA records at its apex; exactly one is allowed")]
    MultipleSoa {
        /// How many there are.
        count: usize,
    },
    /// An SOA record at a name other than the apex.
    #[error("SOA record below the apex")]
    SoaNotAtApex,
    /// No NS RRset at the apex.
    #[error("the zone has no NS records at its apex")]
    NoApexNs,
    /// A CNAME beside other data at the same name (RFC 1034 §3.6.2, RFC 2181 §10.1).
    #[error("CNAME beside other data ({other})")]
    CnameAndOtherData {
        /// One of the other types at the name.
        other: RecordType,
    },
    /// More than one CNAME record at a name.
    #[error("{count} CNAME records at one name; at most one is allowed")]
    MultipleCnames {
        /// How many there are.
        count: usize,
    },
    /// More than one DNAME record at a name (RFC 6672 §2.4).
    #[error("{count} DNAME records at one name; at most one is allowed")]
    MultipleDnames {
        /// How many there are.
        count: usize,
    },
    /// A record whose owner is not at or below the origin.
    #[error("owner is outside the zone's origin {origin}")]
    OutsideOrigin {
        /// The zone's origin.
        origin: Name,
    },
    /// Records of one RRset with different TTLs (RFC 2181 §5.2).
    #[error("TTLs differ inside the RRset: {first} and {other}")]
    TtlMismatch {
        /// The first record's TTL.
        first: u32,
        /// A different TTL in the same RRset.
        other: u32,
    },
    /// The same record given more than once; it is kept once.
    #[error("duplicate record ignored ({count} extra)")]
    Duplicate {
        /// How many copies were dropped.
        count: usize,
    },
    /// An NS, MX or SRV target inside the zone that has no A or AAAA record.
    #[error("target {target} is in the zone but has no A or AAAA records")]
    TargetWithoutAddress {
        /// The target name.
        target: Name,
    },
    /// An MX or SRV target that is a CNAME: RFC 2181 §10.3 forbids it, and mail and
    /// service clients need not follow it.
    #[error("target {target} is an alias (CNAME); it must name the host itself (RFC 2181 §10.3)")]
    TargetIsAlias {
        /// The target name.
        target: Name,
    },
    /// Data below a zone cut (other than glue addresses): never answered.
    #[error("occluded by the delegation at {cut}")]
    BelowZoneCut {
        /// The owner of the NS records that make the cut.
        cut: Name,
    },
    /// Data below a DNAME: never answered (RFC 6672 §2.3).
    #[error("occluded by the DNAME at {dname}")]
    BelowDname {
        /// The owner of the DNAME.
        dname: Name,
    },
}

impl ProblemKind {
    /// What [`Problem::related`] is, in words, as the subject of "is at ...".
    fn related_phrase(&self) -> String {
        match self {
            Self::CnameAndOtherData { other } => format!("the {other} records are"),
            Self::Duplicate { .. } => "the record kept is".into(),
            Self::BelowZoneCut { .. } => "the delegation is".into(),
            Self::BelowDname { .. } => "the DNAME is".into(),
            _ => "the first is".into(),
        }
    }

    /// Whether servers refuse the zone ([`Severity::Error`]) or only warn.
    pub fn severity(&self) -> Severity {
        match self {
            Self::Duplicate { .. }
            | Self::TargetWithoutAddress { .. }
            | Self::TargetIsAlias { .. }
            | Self::BelowZoneCut { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

/// A zone that breaks rules servers enforce: every [`Problem`] of severity
/// [`Severity::Error`] found, at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}", problems.first().map_or_else(String::new, ToString::to_string), match problems.len() {
    0 | 1 => String::new(),
    2 => " (and 1 more problem)".into(),
    n => format!(" (and {} more problems)", n - 1),
})]
pub struct ZoneError {
    problems: Vec<Problem>,
}

impl ZoneError {
    pub(crate) fn new(problems: Vec<Problem>) -> Self {
        Self { problems }
    }

    /// Every problem found.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}
