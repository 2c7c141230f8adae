//! `AnswerTable::answer` on queries built from fields (names from the zones' vocabulary,
//! types, classes, flags, EDNS, counts, compression pointers, trailing garbage) and then
//! mutated octet by octet: most inputs reach the resolver instead of stopping at FORMERR.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use multiprimary::Transport;

/// Names in (and just outside) `rich.example.` and `example.`.
const NAMES: &[&str] = &[
    "rich.example",
    "www.rich.example",
    "ns1.rich.example",
    "ns2.rich.example",
    "mail.rich.example",
    "mail2.rich.example",
    "alias.rich.example",
    "dn.rich.example",
    "x.dn.rich.example",
    "sub.rich.example",
    "a.sub.rich.example",
    "after-sub.rich.example",
    "empty-generic.rich.example",
    "generic.rich.example",
    "ptr.rich.example",
    "quotes.rich.example",
    "sip.rich.example",
    "svc.rich.example",
    "_dns.rich.example",
    "_sip._udp.rich.example",
    "_443._tcp.www.rich.example",
    "_8443._foo.api.rich.example",
    "x.wild.rich.example",
    "odd\\.label.rich.example",
    "space\\032name.rich.example",
    "\\@sign.rich.example",
    "1.2.0.192.in-addr.rich.example",
    "0bhr27mpbq3lk52atsoq5smiqgbfr6s7.rich.example",
    "nope.rich.example",
    "example",
    "www.example",
    "ns1.example",
    "mail.example",
    "alias.example",
    "chain.example",
    "out.example",
    "dangling.example",
    "loop1.example",
    "loop2.example",
    "x.wild.example",
    "here.wild.example",
    "a.b.ent.example",
    "b.ent.example",
    "x.ent.example",
    "sub.example",
    "host.sub.example",
    "ns.sub.example",
    "dn.example",
    "x.dn.example",
    "big.example",
    "long.example",
    "inner.example",
    "c1.example",
    "c11.example",
    "_sip._udp.example",
    "nope.example",
    "other.net",
    "example.com",
    "",
];

#[derive(Debug, Arbitrary)]
enum Label {
    Vocabulary(u8),
    Raw(Vec<u8>),
    Wildcard,
    /// A compression pointer to this offset (ends the name).
    Pointer(u16),
}

#[derive(Debug, Arbitrary)]
struct Question {
    /// Labels before the vocabulary name.
    prefix: Vec<Label>,
    name: u8,
    /// Flip the case of these octets of the name.
    case: u64,
    qtype: Type,
    qclass: Class,
}

#[derive(Debug, Arbitrary)]
enum Type {
    Known(u8),
    Raw(u16),
}

const TYPES: &[u16] = &[
    1, 2, 5, 6, 12, 13, 15, 16, 17, 18, 28, 33, 35, 36, 39, 41, 43, 44, 46, 47, 48, 49, 50, 51, 52,
    53, 59, 60, 61, 62, 63, 64, 65, 99, 251, 252, 253, 254, 255, 256, 257, 65534,
];

#[derive(Debug, Arbitrary)]
enum Class {
    In,
    Ch,
    None,
    Any,
    Raw(u16),
}

#[derive(Debug, Arbitrary)]
struct Edns {
    /// The OPT owner: the root unless this holds a label.
    owner: Option<u8>,
    payload: u16,
    extended_rcode: u8,
    version: u8,
    dnssec_ok: bool,
    z: u16,
    options: Vec<(u16, Vec<u8>)>,
    /// Whether the OPT's RDLENGTH lies by this much.
    rdlength_delta: i8,
}

#[derive(Debug, Arbitrary)]
struct Record {
    name: u8,
    rtype: u16,
    class: u16,
    ttl: u32,
    data: Vec<u8>,
}

#[derive(Debug, Arbitrary)]
enum Mutation {
    Set(u16, u8),
    Xor(u16, u8),
    Insert(u16, u8),
    Delete(u16),
    Truncate(u16),
}

#[derive(Debug, Arbitrary)]
enum OutLen {
    Udp512,
    Edns1232,
    Max,
    Raw(u16),
}

#[derive(Debug, Arbitrary)]
struct Input {
    rich: bool,
    tcp: bool,
    out_len: OutLen,
    id: u16,
    /// The second and third header octets with QR cleared.
    flags: u16,
    questions: Vec<Question>,
    answers: Vec<Record>,
    authority: Vec<Record>,
    additional: Vec<Record>,
    edns: Option<Edns>,
    /// A second OPT.
    edns_twice: bool,
    /// Section counts that differ from what follows.
    counts: Option<[u16; 4]>,
    garbage: Vec<u8>,
    mutations: Vec<Mutation>,
}

fn name(out: &mut Vec<u8>, index: u8) {
    let text = NAMES[usize::from(index) % NAMES.len()];
    let mut label = Vec::new();
    let mut chars = text.bytes().peekable();
    while let Some(c) = chars.next() {
        match c {
            b'.' => {
                out.push(label.len() as u8);
                out.append(&mut label);
            }
            b'\\' => {
                let c = chars.next().unwrap_or(b'\\');
                if c.is_ascii_digit() {
                    let d: String = [
                        c,
                        chars.next().unwrap_or(b'0'),
                        chars.next().unwrap_or(b'0'),
                    ]
                    .iter()
                    .map(|&b| b as char)
                    .collect();
                    label.push(d.parse::<u8>().unwrap_or(b'?'));
                } else {
                    label.push(c);
                }
            }
            c => label.push(c),
        }
    }
    if !label.is_empty() {
        out.push(label.len() as u8);
        out.append(&mut label);
    }
    out.push(0);
}

fn record(out: &mut Vec<u8>, record: &Record) {
    name(out, record.name);
    out.extend_from_slice(&record.rtype.to_be_bytes());
    out.extend_from_slice(&record.class.to_be_bytes());
    out.extend_from_slice(&record.ttl.to_be_bytes());
    let data = &record.data[..record.data.len().min(512)];
    out.extend_from_slice(&(data.len() as u16).to_be_bytes());
    out.extend_from_slice(data);
}

fn opt(out: &mut Vec<u8>, edns: &Edns) {
    match edns.owner {
        None => out.push(0),
        Some(label) => out.extend_from_slice(&[1, label, 0]),
    }
    out.extend_from_slice(&41u16.to_be_bytes());
    out.extend_from_slice(&edns.payload.to_be_bytes());
    out.extend_from_slice(&[edns.extended_rcode, edns.version]);
    let flags = (u16::from(edns.dnssec_ok) << 15) | (edns.z & 0x7fff);
    out.extend_from_slice(&flags.to_be_bytes());
    let mut data = Vec::new();
    for (code, value) in edns.options.iter().take(8) {
        let value = &value[..value.len().min(64)];
        data.extend_from_slice(&code.to_be_bytes());
        data.extend_from_slice(&(value.len() as u16).to_be_bytes());
        data.extend_from_slice(value);
    }
    let rdlength = (data.len() as i32 + i32::from(edns.rdlength_delta)).clamp(0, 65535) as u16;
    out.extend_from_slice(&rdlength.to_be_bytes());
    out.extend_from_slice(&data);
}

fn build(input: &Input) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(&input.id.to_be_bytes());
    out.extend_from_slice(&(input.flags & 0x7fff).to_be_bytes());
    let questions = &input.questions[..input.questions.len().min(3)];
    let limit = |records: &[Record]| records.len().min(4);
    let edns = usize::from(input.edns.is_some()) * (1 + usize::from(input.edns_twice));
    let counts = input.counts.unwrap_or([
        questions.len() as u16,
        limit(&input.answers) as u16,
        limit(&input.authority) as u16,
        (limit(&input.additional) + edns) as u16,
    ]);
    for count in counts {
        out.extend_from_slice(&count.to_be_bytes());
    }
    for question in questions {
        let start = out.len();
        let mut pointer = false;
        for label in question.prefix.iter().take(4) {
            match label {
                Label::Vocabulary(i) => {
                    let text = NAMES[usize::from(*i) % NAMES.len()];
                    let first = text.split('.').next().unwrap_or("");
                    out.push(first.len().min(63) as u8);
                    out.extend_from_slice(&first.as_bytes()[..first.len().min(63)]);
                }
                Label::Raw(bytes) => {
                    let bytes = &bytes[..bytes.len().min(70)];
                    out.push(bytes.len() as u8);
                    out.extend_from_slice(bytes);
                }
                Label::Wildcard => out.extend_from_slice(b"\x01*"),
                Label::Pointer(to) => {
                    out.extend_from_slice(&(0xc000 | (to & 0x3fff)).to_be_bytes());
                    pointer = true;
                    break;
                }
            }
        }
        if !pointer {
            name(&mut out, question.name);
        }
        for (i, octet) in out[start..].iter_mut().enumerate().take(64) {
            if question.case >> i & 1 == 1 && octet.is_ascii_alphabetic() {
                *octet ^= 0x20;
            }
        }
        let qtype = match question.qtype {
            Type::Known(i) => TYPES[usize::from(i) % TYPES.len()],
            Type::Raw(t) => t,
        };
        let qclass = match question.qclass {
            Class::In => 1,
            Class::Ch => 3,
            Class::None => 254,
            Class::Any => 255,
            Class::Raw(c) => c,
        };
        out.extend_from_slice(&qtype.to_be_bytes());
        out.extend_from_slice(&qclass.to_be_bytes());
    }
    for r in input.answers.iter().take(4) {
        record(&mut out, r);
    }
    for r in input.authority.iter().take(4) {
        record(&mut out, r);
    }
    for r in input.additional.iter().take(4) {
        record(&mut out, r);
    }
    if let Some(edns) = &input.edns {
        opt(&mut out, edns);
        if input.edns_twice {
            opt(&mut out, edns);
        }
    }
    out.extend_from_slice(&input.garbage[..input.garbage.len().min(64)]);
    for mutation in input.mutations.iter().take(4) {
        let at = |i: &u16| usize::from(*i) % (out.len() + 1);
        match mutation {
            Mutation::Set(i, b) if !out.is_empty() => {
                let i = at(i) % out.len();
                out[i] = *b;
            }
            Mutation::Xor(i, b) if !out.is_empty() => {
                let i = at(i) % out.len();
                out[i] ^= *b;
            }
            Mutation::Insert(i, b) => {
                let i = at(i);
                out.insert(i, *b);
            }
            Mutation::Delete(i) if !out.is_empty() => {
                let i = at(i) % out.len();
                out.remove(i);
            }
            Mutation::Truncate(i) => {
                let i = at(i);
                out.truncate(i);
            }
            _ => {}
        }
    }
    out
}

fuzz_target!(|input: Input| {
    let query = build(&input);
    let table = &common::tables()[usize::from(!input.rich)];
    let transport = if input.tcp {
        Transport::Tcp
    } else {
        Transport::Udp
    };
    let out_len = match input.out_len {
        OutLen::Udp512 => 512,
        OutLen::Edns1232 => 1232,
        OutLen::Max => 65_535,
        OutLen::Raw(len) => usize::from(len),
    };
    common::answer_and_check(table, &query, transport, out_len);
});
