//! Zone text to [`Zone`]: directives (`$ORIGIN`, `$TTL`, `$INCLUDE`), owners, TTLs,
//! classes and types (RFC 1035 §5.1, RFC 2308 §4, RFC 3597 §5), then record data by the
//! type's schema.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use hickory_proto::rr::{DNSClass, Name, RecordType};
use hickory_proto::serialize::binary::BinDecodable;

use crate::error::{ParseError, ParseErrorKind, Position, quote};
use crate::schema::{self, TypeWord};
use crate::text::lexer::{Lexer, Token};
use crate::text::presentation::{parse_name, parse_rdata, parse_ttl};
use crate::text::{ParseOptions, codec};
use crate::zone::{
    Duplicated, Key, Node, PLACEHOLDER, Pushed, Source, Zone, canonical_key, data_fits,
};

/// The largest TTL RFC 2181 §8 allows.
const MAX_TTL: u32 = 0x7fff_ffff;

/// What carries from one entry to the next, and across `$INCLUDE`.
struct State {
    origin: Option<Vec<u8>>,
    zone_origin: Option<Vec<u8>>,
    default_ttl: Option<u32>,
    last_ttl: Option<u32>,
    owner: Option<Name>,
    owner_raw: Vec<u8>,
    // Counts changes of `owner`, so the parser knows when to look up a new node.
    owner_generation: u64,
    class: Option<DNSClass>,
}

/// Parses zone text into a zone (not validated).
pub(crate) fn parse(text: &str, options: &ParseOptions) -> Result<Zone, ParseError> {
    let file: Option<Arc<str>> = options.file_name.as_deref().map(Arc::from);
    if text.len() > options.limits.max_text {
        return Err(ParseError::new(
            file,
            Position { line: 1, column: 1 },
            ParseErrorKind::TextTooLarge {
                limit: options.limits.max_text,
            },
        ));
    }
    let origin_wire = options.origin.as_ref().map(schema::name_wire);
    let mut state = State {
        origin: origin_wire.clone(),
        zone_origin: origin_wire,
        default_ttl: None,
        last_ttl: None,
        owner: None,
        owner_raw: Vec::new(),
        owner_generation: 0,
        class: None,
    };
    let mut zone = Zone::new(Name::root());
    let mut parser = Parser {
        options,
        zone: &mut zone,
        scratch: Vec::with_capacity(512),
        records: 0,
        soa_owner: None,
        current: None,
        nodes: Vec::new(),
        files: vec![file.clone().unwrap_or_else(|| Arc::from("<input>"))],
        file_index: 0,
    };
    parser.parse_text(text, file, &mut state, 0)?;
    parser.flush();
    let files = std::mem::take(&mut parser.files);
    let origin = state
        .zone_origin
        .as_deref()
        .or(parser.soa_owner.as_deref())
        .and_then(|wire| Name::from_bytes(wire).ok())
        .unwrap_or_else(Name::root);
    zone.set_origin(origin, state.class.unwrap_or(DNSClass::IN));
    zone.set_files(files);
    Ok(zone)
}

/// A file to read in place of an `$INCLUDE` line.
struct Include {
    text: String,
    file: Arc<str>,
    origin: Option<Vec<u8>>,
}

struct Parser<'p> {
    options: &'p ParseOptions,
    zone: &'p mut Zone,
    scratch: Vec<u8>,
    records: usize,
    soa_owner: Option<Vec<u8>>,
    // The node records are being added to: consecutive records of one owner go in here,
    // so that the owner is looked up once per run of records, not once per record.
    current: Option<Current>,
    // The nodes filled so far, added to the zone all at once at the end.
    nodes: Vec<(Key, Box<Node>)>,
    // The files read (the first given, then each `$INCLUDE`d one), which records'
    // sources index, and the index of the file being read.
    files: Vec<Arc<str>>,
    file_index: u32,
}

/// The node being filled, its key, and the owner generation it was made for.
struct Current {
    key: Vec<u8>,
    node: Node,
    generation: u64,
}

/// Where tokens ran out: just after the last one.
fn end_of(tokens: &[Token<'_>]) -> Position {
    tokens
        .last()
        .map_or(Position { line: 1, column: 1 }, |t| Position {
            line: t.position.line,
            column: t.position.column
                + u32::try_from(t.raw.len()).unwrap_or(0)
                + if t.quoted { 2 } else { 0 },
        })
}

fn expected(token: &Token<'_>, what: &'static str) -> (Position, ParseErrorKind) {
    (
        token.position,
        ParseErrorKind::Expected {
            expected: what,
            found: quote(token.raw),
        },
    )
}

impl Parser<'_> {
    fn parse_text(
        &mut self,
        text: &str,
        file: Option<Arc<str>>,
        state: &mut State,
        depth: usize,
    ) -> Result<(), ParseError> {
        let mut lexer = Lexer::new(text, self.options.limits.max_line);
        let mut tokens = Vec::with_capacity(16);
        loop {
            let blank = match lexer.next_entry(&mut tokens) {
                Ok(Some(blank)) => blank,
                Ok(None) => return Ok(()),
                Err((position, kind)) => return Err(ParseError::new(file, position, kind)),
            };
            let first = tokens.first().copied();
            let result = match first {
                Some(token) if !blank && token.raw.first() == Some(&b'$') && !token.quoted => {
                    self.directive(&tokens, state, depth)
                }
                _ => self.record(&tokens, blank, state).map(|()| None),
            };
            match result {
                Err((position, kind)) => return Err(ParseError::new(file, position, kind)),
                Ok(None) => {}
                Ok(Some(include)) => {
                    // The included file has its own origin and owner; the including file's
                    // are restored after it (RFC 1035 §5.1).
                    let saved_origin = std::mem::replace(&mut state.origin, include.origin);
                    let saved_owner = state.owner.take();
                    let saved_raw = std::mem::take(&mut state.owner_raw);
                    let saved_index = self.file_index;
                    self.file_index = u32::try_from(self.files.len()).unwrap_or(u32::MAX);
                    self.files.push(Arc::clone(&include.file));
                    self.parse_text(&include.text, Some(include.file), state, depth + 1)?;
                    self.file_index = saved_index;
                    state.origin = saved_origin;
                    state.owner = saved_owner;
                    state.owner_generation += 1;
                    state.owner_raw = saved_raw;
                }
            }
        }
    }

    /// A `$` directive: `$ORIGIN`, `$TTL` or `$INCLUDE` (which gives the file to read).
    fn directive(
        &mut self,
        tokens: &[Token<'_>],
        state: &mut State,
        depth: usize,
    ) -> Result<Option<Include>, (Position, ParseErrorKind)> {
        let Some((word, args)) = tokens.split_first() else {
            return Ok(None);
        };
        let end = end_of(tokens);
        if word.raw.eq_ignore_ascii_case(b"$ORIGIN") {
            origin_directive(args, state, end).map(|()| None)
        } else if word.raw.eq_ignore_ascii_case(b"$TTL") {
            ttl_directive(args, state, end).map(|()| None)
        } else if word.raw.eq_ignore_ascii_case(b"$INCLUDE") {
            self.include(args, state, depth, end).map(Some)
        } else {
            Err((
                word.position,
                ParseErrorKind::UnknownDirective {
                    found: quote(word.raw),
                },
            ))
        }
    }

    /// `$INCLUDE FILE [ORIGIN]`: the file, read whole, if it lies in the granted
    /// directory, is a regular file of UTF-8 text within the limits, and does not nest
    /// too deep.
    fn include(
        &self,
        args: &[Token<'_>],
        state: &State,
        depth: usize,
        end: Position,
    ) -> Result<Include, (Position, ParseErrorKind)> {
        let path = args.first().ok_or((
            end,
            ParseErrorKind::UnexpectedEnd {
                expected: "a file name",
            },
        ))?;
        let mut path_bytes = Vec::new();
        crate::text::lexer::unescape(path.raw, &mut path_bytes)
            .map_err(|kind| (path.position, kind))?;
        let path_text = String::from_utf8_lossy(&path_bytes).into_owned();
        let mut origin = state.origin.clone();
        if let Some(name) = args.get(1) {
            let mut wire = Vec::new();
            parse_name(name.raw, state.origin.as_deref(), &mut wire)
                .map_err(|kind| (name.position, kind))?;
            origin = Some(wire);
        }
        no_more(args.get(2))?;
        let resolved = self
            .resolve_include(&path_text)
            .map_err(|kind| (path.position, kind))?;
        let limits = &self.options.limits;
        if depth + 1 > limits.max_include_depth {
            return Err((
                path.position,
                ParseErrorKind::IncludeTooDeep {
                    limit: limits.max_include_depth,
                },
            ));
        }
        let unreadable = |reason: String| {
            (
                path.position,
                ParseErrorKind::IncludeUnreadable {
                    path: path_text.clone(),
                    reason,
                },
            )
        };
        let text =
            read_include(&resolved, limits.max_text).map_err(|e| unreadable(e.to_string()))?;
        if text.len() > limits.max_text {
            return Err((
                path.position,
                ParseErrorKind::TextTooLarge {
                    limit: limits.max_text,
                },
            ));
        }
        let text = String::from_utf8(text).map_err(|e| {
            unreadable(format!(
                "not UTF-8 text: invalid octet at offset {}",
                e.utf8_error().valid_up_to()
            ))
        })?;
        Ok(Include {
            text,
            file: Arc::from(path_text.as_str()),
            origin,
        })
    }

    /// The included file's path, checked to lie inside the granted directory.
    fn resolve_include(&self, path: &str) -> Result<PathBuf, ParseErrorKind> {
        let Some(base) = &self.options.include_dir else {
            return Err(ParseErrorKind::IncludeNotAllowed { path: path.into() });
        };
        let unreadable = |e: std::io::Error| ParseErrorKind::IncludeUnreadable {
            path: path.into(),
            reason: e.to_string(),
        };
        let base = base.canonicalize().map_err(unreadable)?;
        // First by the words of the path, so that nothing outside is even looked at...
        let mut lexical = base.clone();
        for component in Path::new(path).components() {
            match component {
                Component::Normal(part) => lexical.push(part),
                Component::CurDir => {}
                Component::ParentDir => {
                    lexical.pop();
                }
                Component::RootDir | Component::Prefix(_) => {
                    lexical = PathBuf::from(component.as_os_str())
                }
            }
        }
        if !lexical.starts_with(&base) {
            return Err(ParseErrorKind::IncludeOutsideBase { path: path.into() });
        }
        // ...then by where symbolic links lead.
        let resolved = lexical.canonicalize().map_err(unreadable)?;
        if !resolved.starts_with(&base) {
            return Err(ParseErrorKind::IncludeOutsideBase { path: path.into() });
        }
        Ok(resolved)
    }

    /// One record: owner, TTL and class, type, data, then into its node.
    fn record(
        &mut self,
        tokens: &[Token<'_>],
        blank: bool,
        state: &mut State,
    ) -> Result<(), (Position, ParseErrorKind)> {
        let end = end_of(tokens);
        let rest = self.owner(tokens, blank, state, end)?;
        let (ttl, class, rest) = ttl_and_class(rest)?;
        let (type_token, data) = rest.split_first().ok_or((
            end,
            ParseErrorKind::UnexpectedEnd {
                expected: "a record type",
            },
        ))?;
        let code = type_code(type_token)?;
        let record_type = RecordType::from(code);
        set_class(state, class)?;
        self.scratch.clear();
        self.data(record_type, type_token, data, state.origin.as_deref(), end)?;
        let ttl = self.ttl(ttl, state, record_type, type_token)?;
        state.last_ttl = Some(ttl);
        self.attach(tokens, end, type_token.position, record_type, ttl, state)
    }

    /// Reads the owner into `state` (a blank owner keeps the previous one) and returns
    /// the tokens after it.
    fn owner<'t, 'a>(
        &mut self,
        tokens: &'t [Token<'a>],
        blank: bool,
        state: &mut State,
        end: Position,
    ) -> Result<&'t [Token<'a>], (Position, ParseErrorKind)> {
        if blank {
            if state.owner.is_none() {
                let at = tokens.first().map_or(end, |t| t.position);
                return Err((at, ParseErrorKind::NoPreviousOwner));
            }
            return Ok(tokens);
        }
        let Some((owner, rest)) = tokens.split_first() else {
            return Ok(tokens);
        };
        if state.owner.is_none() || owner.raw != state.owner_raw.as_slice() || owner.quoted {
            self.scratch.clear();
            parse_name(owner.raw, state.origin.as_deref(), &mut self.scratch)
                .map_err(|kind| (owner.position, kind))?;
            let name =
                Name::from_bytes(&self.scratch).map_err(|_| expected(owner, "a domain name"))?;
            state.owner = Some(name);
            state.owner_generation += 1;
            state.owner_raw.clear();
            state.owner_raw.extend_from_slice(owner.raw);
        }
        Ok(rest)
    }

    /// Reads the record data into `scratch`: RFC 3597 generic data, the template
    /// placeholder, or the type's presentation format.
    fn data(
        &mut self,
        record_type: RecordType,
        type_token: &Token<'_>,
        data: &[Token<'_>],
        origin: Option<&[u8]>,
        end: Position,
    ) -> Result<(), (Position, ParseErrorKind)> {
        match data.split_first() {
            Some((marker, tail)) if marker.raw == b"\\#" && !marker.quoted => {
                self.generic(record_type, marker, tail, end)
            }
            Some((word, tail))
                if matches!(record_type, RecordType::A | RecordType::AAAA)
                    && !word.quoted
                    && word.raw == PLACEHOLDER.as_bytes() =>
            {
                self.placeholder(word, tail)
            }
            _ => self.presentation(record_type, type_token, data, origin, end),
        }
    }

    /// RFC 3597 §5 generic data: `\# LENGTH HEX...`, checked against the type's format.
    fn generic(
        &mut self,
        record_type: RecordType,
        marker: &Token<'_>,
        tail: &[Token<'_>],
        end: Position,
    ) -> Result<(), (Position, ParseErrorKind)> {
        let length_token = tail.first().ok_or((
            end,
            ParseErrorKind::UnexpectedEnd {
                expected: "the length of the generic data",
            },
        ))?;
        let declared: usize = std::str::from_utf8(length_token.raw)
            .ok()
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
            .filter(|&l| l <= usize::from(u16::MAX))
            .ok_or_else(|| expected(length_token, "the length of the generic data (0 to 65535)"))?;
        let mut hex = Vec::new();
        for token in tail.get(1..).unwrap_or_default() {
            if token.quoted {
                return Err(expected(token, "hexadecimal data"));
            }
            hex.extend_from_slice(token.raw);
        }
        if codec::hex_decode(&hex, &mut self.scratch).is_none() {
            let at = tail.get(1).unwrap_or(length_token);
            return Err(expected(at, "hexadecimal data"));
        }
        if self.scratch.len() != declared {
            return Err((
                length_token.position,
                ParseErrorKind::GenericLength {
                    declared,
                    actual: self.scratch.len(),
                },
            ));
        }
        if !data_fits(record_type, &self.scratch) {
            return Err((
                marker.position,
                ParseErrorKind::InvalidRdata {
                    record_type,
                    reason: "it does not match the type's format",
                },
            ));
        }
        Ok(())
    }

    /// The template placeholder `LOCAL-IP`, as the data of an A or AAAA record: empty
    /// data marks it (see `zone::PLACEHOLDER`).
    fn placeholder(
        &self,
        word: &Token<'_>,
        tail: &[Token<'_>],
    ) -> Result<(), (Position, ParseErrorKind)> {
        if !self.options.template {
            return Err((
                word.position,
                ParseErrorKind::PlaceholderNotAllowed {
                    found: PLACEHOLDER.into(),
                },
            ));
        }
        match tail.first() {
            Some(extra) => Err((
                extra.position,
                ParseErrorKind::TrailingData {
                    found: quote(extra.raw),
                },
            )),
            None => Ok(()),
        }
    }

    /// Data in the type's own presentation format, by its schema.
    fn presentation(
        &mut self,
        record_type: RecordType,
        type_token: &Token<'_>,
        data: &[Token<'_>],
        origin: Option<&[u8]>,
        end: Position,
    ) -> Result<(), (Position, ParseErrorKind)> {
        let at = data.first().map_or(end, |t| t.position);
        let Some((fields, _)) = schema::schema(u16::from(record_type)) else {
            return Err((
                at,
                ParseErrorKind::UnexpectedEnd {
                    expected: "`\\#` generic data: this type has no other presentation format",
                },
            ));
        };
        parse_rdata(fields, data, origin, end, &mut self.scratch)?;
        if self.scratch.len() > usize::from(u16::MAX) {
            return Err((
                type_token.position,
                ParseErrorKind::RdataTooLong {
                    length: self.scratch.len(),
                },
            ));
        }
        if !data_fits(record_type, &self.scratch) {
            return Err((
                at,
                ParseErrorKind::InvalidRdata {
                    record_type,
                    reason: "a field is out of range",
                },
            ));
        }
        Ok(())
    }

    /// The record's TTL: as given, else `$TTL`, else the last one stated (RFC 1035 §5.1),
    /// else the caller's default; an SOA with none anywhere takes its MINIMUM (RFC 2308
    /// §4, as BIND does).
    fn ttl(
        &self,
        given: Option<u32>,
        state: &State,
        record_type: RecordType,
        type_token: &Token<'_>,
    ) -> Result<u32, (Position, ParseErrorKind)> {
        match given
            .or(state.default_ttl)
            .or(state.last_ttl)
            .or(self.options.default_ttl)
        {
            Some(ttl) => Ok(ttl),
            None if record_type == RecordType::SOA => {
                Ok(schema::soa_minimum(&self.scratch).unwrap_or(0))
            }
            None => Err((type_token.position, ParseErrorKind::NoTtl)),
        }
    }

    /// Adds the record in `scratch` to its owner's node, counting it against the limit.
    fn attach(
        &mut self,
        tokens: &[Token<'_>],
        end: Position,
        type_at: Position,
        record_type: RecordType,
        ttl: u32,
        state: &State,
    ) -> Result<(), (Position, ParseErrorKind)> {
        let Some(owner) = &state.owner else {
            return Err((end, ParseErrorKind::NoPreviousOwner));
        };
        // A record is where its first field is.
        let at = tokens.first().map_or(end, |t| t.position);
        let source = Some(Source {
            file: self.file_index,
            line: at.line,
            column: at.column,
        });
        if record_type == RecordType::SOA && self.soa_owner.is_none() {
            self.soa_owner = Some(schema::name_wire(owner));
        }
        self.records += 1;
        if self.records > self.options.limits.max_records {
            return Err((
                type_at,
                ParseErrorKind::TooManyRecords {
                    limit: self.options.limits.max_records,
                },
            ));
        }
        let current = current_node(
            &mut self.current,
            &mut self.nodes,
            owner,
            state.owner_generation,
        );
        // (The parser refuses TTLs above 2^31 - 1, so `ttl` needs no normalising.)
        // Records out of order in a large RRset are sorted once, by `Zone::settle`.
        if let Pushed::Duplicate(kept) = current.node.push(record_type, ttl, &self.scratch, source)
        {
            let first = Duplicated {
                dropped: source,
                kept,
            };
            self.zone
                .note_duplicates(owner, record_type, 1, Some(first));
        }
        Ok(())
    }

    /// Adds every node filled to the zone at once (`Zone::set_nodes`), then sorts the
    /// RRsets filled out of order and drops their duplicates.
    fn flush(&mut self) {
        if let Some(current) = self.current.take() {
            self.nodes
                .push((Key::from(current.key), Box::new(current.node)));
        }
        let mut unsettled = Vec::new();
        self.zone
            .set_nodes(std::mem::take(&mut self.nodes), &mut unsettled);
        self.zone.settle(unsettled);
    }
}

/// `$ORIGIN NAME`: the origin from here on (and the zone's, if it is the first).
fn origin_directive(
    args: &[Token<'_>],
    state: &mut State,
    end: Position,
) -> Result<(), (Position, ParseErrorKind)> {
    let name = args.first().ok_or((
        end,
        ParseErrorKind::UnexpectedEnd {
            expected: "a domain name",
        },
    ))?;
    let mut wire = Vec::new();
    parse_name(name.raw, state.origin.as_deref(), &mut wire)
        .map_err(|kind| (name.position, kind))?;
    no_more(args.get(1))?;
    if state.zone_origin.is_none() {
        state.zone_origin = Some(wire.clone());
    }
    state.origin = Some(wire);
    state.owner_raw.clear();
    Ok(())
}

/// `$TTL TTL` (RFC 2308 §4): the TTL of records that give none, from here on.
fn ttl_directive(
    args: &[Token<'_>],
    state: &mut State,
    end: Position,
) -> Result<(), (Position, ParseErrorKind)> {
    let ttl = args
        .first()
        .ok_or((end, ParseErrorKind::UnexpectedEnd { expected: "a TTL" }))?;
    let value = parse_ttl(ttl.raw)
        .filter(|&t| t <= MAX_TTL)
        .ok_or_else(|| {
            (
                ttl.position,
                ParseErrorKind::BadTtl {
                    found: quote(ttl.raw),
                },
            )
        })?;
    no_more(args.get(1))?;
    state.default_ttl = Some(value);
    Ok(())
}

/// An error for a token after a directive's last argument.
fn no_more(extra: Option<&Token<'_>>) -> Result<(), (Position, ParseErrorKind)> {
    match extra {
        Some(t) => Err((
            t.position,
            ParseErrorKind::TrailingData {
                found: quote(t.raw),
            },
        )),
        None => Ok(()),
    }
}

/// The node of `owner` in `current`: the one being filled if the owner has not changed
/// since, else a new one (the one being filled goes to `nodes`).
fn current_node<'c>(
    current: &'c mut Option<Current>,
    nodes: &mut Vec<(Key, Box<Node>)>,
    owner: &Name,
    generation: u64,
) -> &'c mut Current {
    let next = match current.take() {
        Some(current) if current.generation == generation => current,
        previous => {
            let key = canonical_key(owner);
            match previous {
                Some(current) if current.key == key => Current {
                    generation,
                    ..current
                },
                previous => {
                    if let Some(previous) = previous {
                        nodes.push((Key::from(previous.key), Box::new(previous.node)));
                    }
                    Current {
                        key,
                        node: Node::new(owner.clone()),
                        generation,
                    }
                }
            }
        }
    };
    current.insert(next)
}

/// The TTL and class of a record, in either order, each optional (RFC 1035 §5.1); the
/// tokens after them.
#[allow(clippy::type_complexity)] // (TTL, class and its token, the rest)
fn ttl_and_class<'t, 'a>(
    mut rest: &'t [Token<'a>],
) -> Result<(Option<u32>, Option<(DNSClass, Token<'a>)>, &'t [Token<'a>]), (Position, ParseErrorKind)>
{
    let mut ttl = None;
    let mut class = None;
    while let Some((token, tail)) = rest.split_first() {
        if token.quoted {
            break;
        }
        if ttl.is_none() && token.raw.first().is_some_and(u8::is_ascii_digit) {
            let value = parse_ttl(token.raw)
                .filter(|&t| t <= MAX_TTL)
                .ok_or_else(|| {
                    (
                        token.position,
                        ParseErrorKind::BadTtl {
                            found: quote(token.raw),
                        },
                    )
                })?;
            ttl = Some(value);
        } else if let Some(c) = class
            .is_none()
            .then(|| schema::class_from_word(token.raw))
            .flatten()
        {
            class = Some((c, *token));
        } else if token.raw.eq_ignore_ascii_case(b"NONE")
            || (token.raw.eq_ignore_ascii_case(b"ANY") && class.is_none())
        {
            return Err((
                token.position,
                ParseErrorKind::QueryOnly {
                    found: quote(token.raw),
                },
            ));
        } else {
            break;
        }
        rest = tail;
    }
    Ok((ttl, class, rest))
}

/// The type code of a record's type word.
fn type_code(token: &Token<'_>) -> Result<u16, (Position, ParseErrorKind)> {
    match (token.quoted, schema::type_from_word(token.raw)) {
        (false, TypeWord::Code(code)) => Ok(code),
        (false, TypeWord::QueryOnly) => Err((
            token.position,
            ParseErrorKind::QueryOnly {
                found: quote(token.raw),
            },
        )),
        _ => Err((
            token.position,
            ParseErrorKind::UnknownType {
                found: quote(token.raw),
            },
        )),
    }
}

/// Takes the zone's class from its first record (IN when that gives none); a later
/// record of another class is an error.
fn set_class(
    state: &mut State,
    class: Option<(DNSClass, Token<'_>)>,
) -> Result<(), (Position, ParseErrorKind)> {
    match (class, state.class) {
        (Some((class, _)), None) => state.class = Some(class),
        (Some((class, token)), Some(zone_class)) if zone_class != class => {
            return Err((
                token.position,
                ParseErrorKind::ClassMismatch {
                    expected: schema::class_text(zone_class),
                    found: schema::class_text(class),
                },
            ));
        }
        (None, None) => state.class = Some(DNSClass::IN),
        _ => {}
    }
    Ok(())
}

/// Reads an included file: a regular file only (opening a FIFO or a device could block or
/// never end), and no more than one octet past `limit`, so that an oversized file is
/// refused without being read whole.
fn read_include(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let not_regular = || std::io::Error::other("not a regular file");
    // `path` is canonical, so this is the file itself, not a link to it.
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    let mut text = Vec::new();
    file.take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut text)?;
    Ok(text)
}
