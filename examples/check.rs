//! A live drift check of a running fleet: asks each server what it serves and prints
//! every difference from the zone that server should hold.
//!
//! ```text
//! cargo run --example check -- TEMPLATE ADDR:PORT... [--origin NAME] [--self NAME]... [--timeout MS]
//! ```
//!
//! It parses TEMPLATE as `render` does, forms the fleet, and asks each server at
//! ADDR:PORT, over UDP with recursion not desired and with EDNS(0), for the apex SOA, the
//! apex NS set, the A and AAAA glue of every in-zone NS host (in the template's NS set or
//! the server's) and the A and AAAA of every self-referencing name. A truncated answer is
//! asked again over TCP. A query that gets no answer within `--timeout` (default 2000 ms)
//! is sent once more.
//!
//! Which host a server is comes from its answers, not from the address it was reached
//! at (a fleet on one machine listens on loopback while its glue names public
//! addresses): the host its SOA MNAME names, else the one host its self-referencing
//! addresses belong to. The server is then compared with that host's projection; every
//! difference is one line on stdout, prefixed with the server's address: an RRset
//! missing, unexpected, or different (records or TTLs), AA clear, an NXDOMAIN for a name
//! the zone has, an error response, no answer. A server without differences prints
//! `ADDR: in sync`. Which host each server was taken for goes to stderr.
//!
//! Exit status: 0 when every server is in sync, 1 on any difference, 2 on bad usage or a
//! bad template (one line on stderr, `error: FILE:LINE:COL: what is wrong`).

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use multiprimary::hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use multiprimary::hickory_proto::rr::{DNSClass, Name, RData, RecordType};
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{
    Drift, DriftKind, Fleet, Rrset, Severity, Template, TemplateOptions, Zone, wire,
};

const USAGE: &str =
    "usage: check TEMPLATE ADDR:PORT... [--origin NAME] [--self NAME]... [--timeout MS]";

/// How long to wait for each answer unless `--timeout` says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(2000);

/// The EDNS(0) payload size offered (the DNS Flag Day 2020 value).
const PAYLOAD: u16 = 1232;

/// The largest DNS message.
const MAX_MESSAGE: usize = 65_535;

struct Args {
    template: PathBuf,
    servers: Vec<SocketAddr>,
    origin: Option<String>,
    self_names: Vec<String>,
    timeout: Duration,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn parse_args() -> Result<Args, String> {
    let mut template = None;
    let mut servers = Vec::new();
    let mut origin = None;
    let mut self_names = Vec::new();
    let mut timeout = DEFAULT_TIMEOUT;
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = |option: &str| {
            words
                .next()
                .ok_or_else(|| format!("{option} needs a value; {USAGE}"))
        };
        match word.as_str() {
            "--origin" => origin = Some(value("--origin")?),
            "--self" => self_names.push(value("--self")?),
            "--timeout" => {
                let text = value("--timeout")?;
                let ms = text
                    .parse::<u64>()
                    .ok()
                    .filter(|&ms| ms > 0)
                    .ok_or_else(|| {
                        format!("--timeout {text}: expected milliseconds above 0; {USAGE}")
                    })?;
                timeout = Duration::from_millis(ms);
            }
            "-h" | "--help" => return Err(USAGE.into()),
            _ if word.starts_with("--") => return Err(format!("unknown option {word}; {USAGE}")),
            _ if template.is_none() => template = Some(PathBuf::from(word)),
            _ => {
                let server = SocketAddr::from_str(&word).map_err(|e| {
                    format!("{word}: expected ADDR:PORT (an IP address and a port): {e}")
                })?;
                servers.push(server);
            }
        }
    }
    let template = template.ok_or_else(|| format!("missing TEMPLATE; {USAGE}"))?;
    if servers.is_empty() {
        return Err(format!("give at least one ADDR:PORT to check; {USAGE}"));
    }
    Ok(Args {
        template,
        servers,
        origin,
        self_names,
        timeout,
    })
}

fn name(text: &str, what: &str) -> Result<Name, String> {
    Name::from_str(text).map_err(|e| format!("{what} {text}: {e}"))
}

/// The template and its fleet, or the one line that says why not.
fn load(args: &Args) -> Result<(Template, Fleet), String> {
    let file = args.template.display().to_string();
    let text = std::fs::read_to_string(&args.template).map_err(|e| format!("{file}: {e}"))?;
    let mut options = ParseOptions::new().template(true).file_name(file.as_str());
    if let Some(origin) = &args.origin {
        options = options.origin(name(origin, "--origin")?);
    }
    let zone = parse(&text, &options).map_err(|e| e.to_string())?;
    let problems = zone.validate();
    for problem in problems
        .iter()
        .filter(|p| p.severity() == Severity::Warning)
    {
        eprintln!("warning: {problem}");
    }
    // Every error on a line of its own: the last is the message this returns.
    let errors: Vec<_> = problems
        .iter()
        .filter(|p| p.severity() == Severity::Error)
        .collect();
    if let Some((last, others)) = errors.split_last() {
        for problem in others {
            eprintln!("error: {problem}");
        }
        return Err(last.to_string());
    }
    let mut template_options = TemplateOptions::new();
    for self_name in &args.self_names {
        template_options = template_options.self_name(name(self_name, "--self")?);
    }
    let template = Template::with_options(zone, &template_options);
    let (fleet, _warnings) = template.fleet(&[]).map_err(|e| e.to_string())?;
    Ok((template, fleet))
}

fn run() -> Result<bool, String> {
    let args = parse_args()?;
    let (template, fleet) = load(&args)?;
    let mut ids = Ids::new();
    let mut all_in_sync = true;
    for &server in &args.servers {
        let mut client = Client {
            server,
            timeout: args.timeout,
            ids: &mut ids,
            socket: None,
        };
        let lines = check_server(&template, &fleet, &mut client);
        let mut out = io::stdout().lock();
        let written = if lines.is_empty() {
            writeln!(out, "{server}: in sync")
        } else {
            all_in_sync = false;
            lines
                .iter()
                .try_for_each(|line| writeln!(out, "{server}: {line}"))
        };
        written
            .and_then(|()| out.flush())
            .map_err(|e| format!("stdout: {e}"))?;
    }
    Ok(all_in_sync)
}

// ---------------------------------------------------------------------------------------
// Asking
// ---------------------------------------------------------------------------------------

/// Query IDs that are hard to guess: xorshift seeded from the clock and the process.
struct Ids(u64);

impl Ids {
    fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        // Keep the low 64 bits of the clock; mixing in the PID separates runs started at once.
        let seed = (nanos as u64) ^ (u64::from(std::process::id()) << 32);
        Self(seed | 1)
    }

    fn next(&mut self) -> u16 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 48) as u16
    }
}

/// Why a question got no usable answer.
#[derive(Debug)]
enum AskError {
    /// Nothing came back, twice.
    Timeout(Duration),
    /// The server's port is closed (ICMP port unreachable).
    Refused,
    /// Any other failure, said in words.
    Other(String),
}

impl std::fmt::Display for AskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Timeout(t) => write!(f, "no answer within {} ms, asked twice", t.as_millis()),
            Self::Refused => write!(f, "connection refused (nothing listening?)"),
            Self::Other(text) => f.write_str(text),
        }
    }
}

/// One server's connection: a UDP socket connected to it, made on first use.
struct Client<'a> {
    server: SocketAddr,
    timeout: Duration,
    ids: &'a mut Ids,
    socket: Option<UdpSocket>,
}

impl Client<'_> {
    /// Asks `name`/`record_type` over UDP (and again over TCP if the answer is
    /// truncated), without recursion, with EDNS(0).
    fn ask(&mut self, name: &Name, record_type: RecordType) -> Result<Message, AskError> {
        let id = self.ids.next();
        let mut query = Message::new(id, MessageType::Query, OpCode::Query);
        query.metadata.recursion_desired = false;
        query.add_query(Query::query(name.clone(), record_type));
        let mut edns = Edns::new();
        edns.set_max_payload(PAYLOAD);
        query.set_edns(edns);
        let bytes = query
            .to_vec()
            .map_err(|e| AskError::Other(format!("cannot encode the query: {e}")))?;
        let response = self.ask_udp(&bytes, id, name, record_type)?;
        if response.metadata.truncation {
            return self.ask_tcp(&bytes, id, name, record_type);
        }
        Ok(response)
    }

    fn socket(&mut self) -> Result<&UdpSocket, AskError> {
        if self.socket.is_none() {
            let local: IpAddr = match self.server {
                SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
                SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
            };
            let socket = UdpSocket::bind((local, 0))
                .and_then(|socket| socket.connect(self.server).map(|()| socket))
                .map_err(|e| AskError::Other(format!("UDP socket: {e}")))?;
            self.socket = Some(socket);
        }
        self.socket
            .as_ref()
            .ok_or_else(|| AskError::Other("no UDP socket".into()))
    }

    fn ask_udp(
        &mut self,
        query: &[u8],
        id: u16,
        name: &Name,
        record_type: RecordType,
    ) -> Result<Message, AskError> {
        let timeout = self.timeout;
        let socket = self.socket()?;
        let mut buffer = vec![0u8; MAX_MESSAGE];
        // One try and one retry; a late answer to the first is as good as one to the second.
        for _ in 0..2 {
            socket.send(query).map_err(io_error)?;
            let deadline = Instant::now() + timeout;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                socket.set_read_timeout(Some(left)).map_err(io_error)?;
                let len = match socket.recv(&mut buffer) {
                    Ok(len) => len,
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                        ) =>
                    {
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(io_error(e)),
                };
                // Anything that is not the answer to this question (a stray or late
                // datagram, garbage) is ignored, as resolvers do.
                if let Some(response) = buffer
                    .get(..len)
                    .and_then(|bytes| answer_to(bytes, id, name, record_type))
                {
                    return Ok(response);
                }
            }
        }
        Err(AskError::Timeout(timeout))
    }

    fn ask_tcp(
        &mut self,
        query: &[u8],
        id: u16,
        name: &Name,
        record_type: RecordType,
    ) -> Result<Message, AskError> {
        let tcp = |what: &str, e: io::Error| AskError::Other(format!("TCP {what}: {e}"));
        let mut stream = TcpStream::connect_timeout(&self.server, self.timeout)
            .map_err(|e| tcp("connect (for a truncated answer)", e))?;
        stream
            .set_read_timeout(Some(self.timeout))
            .and_then(|()| stream.set_write_timeout(Some(self.timeout)))
            .map_err(|e| tcp("socket", e))?;
        let framed = wire::tcp_frame(query)
            .ok_or_else(|| AskError::Other("query too long for TCP".into()))?;
        stream.write_all(&framed).map_err(|e| tcp("send", e))?;
        let mut prefix = [0u8; 2];
        stream
            .read_exact(&mut prefix)
            .map_err(|e| tcp("receive", e))?;
        let mut response = vec![0u8; usize::from(u16::from_be_bytes(prefix))];
        stream
            .read_exact(&mut response)
            .map_err(|e| tcp("receive", e))?;
        answer_to(&response, id, name, record_type)
            .ok_or_else(|| AskError::Other("TCP: the response does not answer the question".into()))
    }
}

fn io_error(error: io::Error) -> AskError {
    if error.kind() == io::ErrorKind::ConnectionRefused {
        AskError::Refused
    } else {
        AskError::Other(error.to_string())
    }
}

/// `bytes` decoded, if they are a response to query `id` for `name`/`record_type`. A
/// response without a question section is taken only as an error response.
fn answer_to(bytes: &[u8], id: u16, name: &Name, record_type: RecordType) -> Option<Message> {
    let message = Message::from_vec(bytes).ok()?;
    let metadata = &message.metadata;
    if metadata.id != id || metadata.message_type != MessageType::Response {
        return None;
    }
    let matches = match message.queries.as_slice() {
        [] => metadata.response_code != ResponseCode::NoError,
        [query] => {
            query.name() == name
                && query.query_type() == record_type
                && query.query_class() == DNSClass::IN
        }
        _ => false,
    };
    matches.then_some(message)
}

// ---------------------------------------------------------------------------------------
// Comparing
// ---------------------------------------------------------------------------------------

/// One question and what came of it.
struct Asked {
    name: Name,
    record_type: RecordType,
    outcome: Result<Message, AskError>,
}

/// Every difference between what the server at `client` answers and its projection.
fn check_server(template: &Template, fleet: &Fleet, client: &mut Client<'_>) -> Vec<String> {
    let zone = template.zone();
    let origin = zone.origin().clone();

    // The SOA first: a server that does not answer it is down, and asking more would
    // only repeat the timeout.
    let soa = Asked {
        outcome: client.ask(&origin, RecordType::SOA),
        name: origin.clone(),
        record_type: RecordType::SOA,
    };
    if let Err(error) = &soa.outcome
        && matches!(error, AskError::Timeout(_) | AskError::Refused)
    {
        return vec![format!("{origin} SOA: {error}")];
    }
    let ns = Asked {
        outcome: client.ask(&origin, RecordType::NS),
        name: origin.clone(),
        record_type: RecordType::NS,
    };

    // Glue: every in-zone NS host, the template's and the server's.
    let mut hosts: Vec<Name> = zone
        .rrset(&origin, RecordType::NS)
        .into_iter()
        .flat_map(Rrset::rdatas)
        .filter_map(|rdata| match rdata {
            RData::NS(ns) => Some(ns.0),
            _ => None,
        })
        .collect();
    if let Ok(message) = &ns.outcome {
        hosts.extend(
            records(message, &origin, RecordType::NS).filter_map(|rdata| match rdata {
                RData::NS(ns) => Some(ns.0.clone()),
                _ => None,
            }),
        );
    }
    let mut questions: Vec<(Name, RecordType)> = Vec::new();
    let mut add = |name: &Name| {
        for record_type in [RecordType::A, RecordType::AAAA] {
            if !questions
                .iter()
                .any(|(n, t)| n == name && *t == record_type)
            {
                questions.push((name.clone(), record_type));
            }
        }
    };
    for host in hosts.iter().filter(|host| origin.zone_of(host)) {
        add(host);
    }
    for self_name in template.self_names() {
        add(self_name);
    }
    let mut asked = vec![soa, ns];
    for (name, record_type) in questions {
        let outcome = client.ask(&name, record_type);
        asked.push(Asked {
            name,
            record_type,
            outcome,
        });
    }

    // What the server answered, with every question whose answer holds data.
    let mut observed = Zone::with_class(origin.clone(), zone.class());
    let mut lines = Vec::new();
    for question in asked.iter().filter(|q| holds_data(q)) {
        if let Err(line) = observe_into(question, &mut observed) {
            lines.push(line);
        }
    }
    let identity = template.identify(fleet, &observed);
    let stand_in = match identity {
        Some((host, how)) => {
            eprintln!(
                "{}: compared with the zone of {host} ({how})",
                client.server
            );
            host
        }
        None => {
            // Without a host, only what every host's copy shares can be compared: any
            // host's projection stands in, the SOA MNAME and the self-referencing
            // addresses excused.
            lines.push(unidentified(&observed));
            let Some(host) = fleet.hosts().first() else {
                return lines;
            };
            host
        }
    };
    // (The host is one of the fleet's, which the template made.)
    let expected = match template.project(stand_in) {
        Ok(expected) => expected,
        Err(error) => {
            lines.push(error.to_string());
            return lines;
        }
    };
    let mut wanted = Zone::with_class(origin, zone.class());
    for question in &asked {
        flags(&expected, question, &mut lines);
        if holds_data(question) {
            want(&expected, question, &mut wanted);
        }
    }
    let drift = match identity {
        Some(_) => wanted.drift(&observed),
        None => template.drift(&wanted, &observed),
    };
    for drift in drift {
        lines.push(describe(&drift, &wanted, &observed));
    }
    lines
}

/// The data of the records of `owner`/`record_type` in the answer section.
fn records<'m>(
    message: &'m Message,
    owner: &'m Name,
    record_type: RecordType,
) -> impl Iterator<Item = &'m RData> + 'm {
    message
        .answers
        .iter()
        .filter(move |r| {
            r.name == *owner && r.record_type() == record_type && r.dns_class == DNSClass::IN
        })
        .map(|r| &r.data)
}

/// Why no host was found for a server's answers.
fn unidentified(observed: &Zone) -> String {
    let mname = observed.soa().map_or_else(
        || "no SOA in its answer".to_owned(),
        |soa| format!("its SOA MNAME {} names no host of the fleet", soa.mname),
    );
    format!(
        "cannot tell which host this is: {mname}, and its self-referencing addresses \
         do not belong to exactly one host; comparing what every host's zone shares, \
         SOA MNAME aside"
    )
}

/// Whether the answer to `question` is one whose records are compared: a response
/// with NOERROR or NXDOMAIN (an error response is a difference of its own).
fn holds_data(question: &Asked) -> bool {
    question.outcome.as_ref().is_ok_and(|message| {
        matches!(
            message.metadata.response_code,
            ResponseCode::NoError | ResponseCode::NXDomain
        )
    })
}

/// Adds the answer's records for the question (and a CNAME at its name) to `observed`.
fn observe_into(question: &Asked, observed: &mut Zone) -> Result<(), String> {
    let Ok(message) = &question.outcome else {
        return Ok(());
    };
    for record in message.answers.iter().filter(|r| {
        r.name == question.name
            && r.dns_class == DNSClass::IN
            && (r.record_type() == question.record_type || r.record_type() == RecordType::CNAME)
    }) {
        observed.insert(record).map_err(|e| {
            format!(
                "{} {}: unreadable record in the answer: {e}",
                question.name, question.record_type
            )
        })?;
    }
    Ok(())
}

/// Adds to `wanted` what `expected` answers the question with: the RRset of its type
/// and a CNAME, from the owner that answers the name (itself, or a wildcard), under the
/// name asked.
fn want(expected: &Zone, question: &Asked, wanted: &mut Zone) {
    let Some(source) = expected.source_of(&question.name) else {
        return;
    };
    for t in [question.record_type, RecordType::CNAME] {
        for record in expected
            .rrset(&source, t)
            .into_iter()
            .flat_map(|rrset| rrset.records(&source, expected.class()))
        {
            let mut record = record.to_record();
            record.name = question.name.clone();
            // (A record of the zone, under a name of the zone.)
            let _ = wanted.insert(&record);
        }
    }
}

/// The differences in one answer's header: an error or no answer, an NXDOMAIN for a
/// name the zone has, an error response code, AA clear.
fn flags(expected: &Zone, question: &Asked, lines: &mut Vec<String>) {
    let (name, record_type) = (&question.name, question.record_type);
    let message = match &question.outcome {
        Ok(message) => message,
        Err(error) => {
            lines.push(format!("{name} {record_type}: {error}"));
            return;
        }
    };
    match message.metadata.response_code {
        ResponseCode::NoError => {}
        ResponseCode::NXDomain if expected.source_of(name).is_none() => {}
        ResponseCode::NXDomain => {
            lines.push(format!(
                "{name} {record_type}: NXDOMAIN, but the name exists in the zone"
            ));
        }
        other => {
            lines.push(format!(
                "{name} {record_type}: error response {}, expected an answer",
                mnemonic(other)
            ));
            return;
        }
    }
    if !message.metadata.authoritative {
        lines.push(format!(
            "{name} {record_type}: AA clear, expected an authoritative answer"
        ));
    }
}

/// One line for one RRset that drifted, with the records of both sides.
fn describe(drift: &Drift, wanted: &Zone, observed: &Zone) -> String {
    let (name, t) = (&drift.owner, drift.record_type);
    let w = wanted.rrset(name, t);
    let g = observed.rrset(name, t);
    match (drift.kind, w, g) {
        (DriftKind::Missing, Some(w), _) => format!("{name} {t}: missing, expected {}", show(w)),
        (DriftKind::Unexpected, _, Some(g)) => format!("{name} {t}: unexpected {}", show(g)),
        (DriftKind::Different, Some(w), Some(g)) => format!(
            "{name} {t}: different: got {}, expected {}",
            show(g),
            show(w)
        ),
        _ => drift.to_string(),
    }
}

/// A response code as RFC 1035 and RFC 6895 spell it.
fn mnemonic(rcode: ResponseCode) -> String {
    match u16::from(rcode) {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        9 => "NOTAUTH".into(),
        16 => "BADVERS".into(),
        code => format!("RCODE{code}"),
    }
}

/// An RRset as `TTL DATA, TTL DATA, ...`.
fn show(rrset: &Rrset) -> String {
    let records: Vec<String> = rrset
        .iter()
        .zip(rrset.rdatas())
        .map(|((ttl, _), rdata)| format!("{ttl} {rdata}"))
        .collect();
    records.join(", ")
}
