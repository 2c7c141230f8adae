//! `AnswerTable::answer` allocates nothing: a counting global allocator (per thread)
//! watches many answers of every outcome.
#![allow(clippy::unwrap_used)] // test helpers may panic

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use multiprimary::hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use multiprimary::hickory_proto::rr::{Name, RecordType};
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{AnswerTable, Transport};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// The one unsafe item in the crate: a test allocator that counts, forwarding to System.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn query(name: &str, record_type: RecordType, edns: bool) -> Vec<u8> {
    let mut message = Message::new(7, MessageType::Query, OpCode::Query);
    message.add_query(Query::query(Name::from_ascii(name).unwrap(), record_type));
    if edns {
        message.set_edns(Edns::new());
    }
    message.to_vec().unwrap()
}

#[test]
fn answering_allocates_nothing() {
    let zone = parse(include_str!("data/answer.zone"), &ParseOptions::new()).unwrap();
    let table = AnswerTable::compile(&zone).unwrap();
    let mut queries = Vec::new();
    for name in [
        "www.example.",
        "example.",
        "nope.example.",
        "chain.example.",
        "loop1.example.",
        "x.dn.example.",
        "foo.wild.example.",
        "x.b.ent.example.",
        "host.sub.example.",
        "www.other.net.",
        "big.example.",
        "y.long.example.",
    ] {
        for record_type in [
            RecordType::A,
            RecordType::MX,
            RecordType::TXT,
            RecordType::ANY,
            RecordType::NS,
        ] {
            queries.push(query(name, record_type, false));
            queries.push(query(name, record_type, true));
        }
    }
    queries.push(vec![1, 2, 3]);
    queries.push(vec![0; 40]);
    let mut out = vec![0u8; 65535];
    let before = ALLOCATIONS.with(Cell::get);
    let mut answered = 0usize;
    for _ in 0..100 {
        for query in &queries {
            for transport in [Transport::Udp, Transport::Tcp] {
                if let Ok(len) = table.answer(query, transport, &mut out) {
                    answered += len;
                }
            }
        }
    }
    let after = ALLOCATIONS.with(Cell::get);
    assert!(answered > 0);
    // The counter does count: one allocation shows.
    drop(std::hint::black_box(vec![1u8; 10]));
    assert_eq!(
        ALLOCATIONS.with(Cell::get),
        after + 1,
        "the counting allocator is in place"
    );
    assert_eq!(after - before, 0, "answer() allocated");
}
