//! `AnswerTable::answer` on arbitrary bytes, over UDP and TCP, against the rich zone and the
//! answer-path zone. The first two octets give the output buffer's length (big-endian); the
//! rest is the query.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use multiprimary::Transport;

fuzz_target!(|data: &[u8]| {
    let [high, low, query @ ..] = data else {
        return;
    };
    let out_len = usize::from(u16::from_be_bytes([*high, *low]));
    for table in common::tables() {
        for transport in [Transport::Udp, Transport::Tcp] {
            common::answer_and_check(table, query, transport, out_len);
        }
    }
});
