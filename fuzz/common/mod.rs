//! What the answer targets share: the compiled tables and the checks every answer passes.

use std::sync::OnceLock;

use multiprimary::hickory_proto::op::Message;
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{AnswerError, AnswerTable, EDNS_PAYLOAD, Transport};

const RICH: &str = include_str!("../../tests/data/rich.zone");
const ANSWER: &str = include_str!("../../tests/data/answer.zone");

/// `rich.example.` (every supported type) and `example.` (every answer outcome).
pub fn tables() -> &'static [AnswerTable; 2] {
    static TABLES: OnceLock<[AnswerTable; 2]> = OnceLock::new();
    TABLES.get_or_init(|| {
        [RICH, ANSWER].map(|text| {
            let zone = parse(text, &ParseOptions::new()).unwrap();
            AnswerTable::compile(&zone).unwrap()
        })
    })
}

/// Answers `query` into buffers of `out_len` octets twice, once over garbage of each
/// polarity, and checks what is certain of any response.
pub fn answer_and_check(table: &AnswerTable, query: &[u8], transport: Transport, out_len: usize) {
    let mut zeros = vec![0u8; out_len];
    let mut ones = vec![0xffu8; out_len];
    let result = table.answer(query, transport, &mut zeros);
    assert_eq!(
        result,
        table.answer(query, transport, &mut ones),
        "the result depends on the buffer's old contents"
    );
    match result {
        Err(AnswerError::ShortQuery { len }) => {
            assert_eq!(len, query.len());
            assert!(len < 2);
        }
        Err(AnswerError::NotQuery) => assert!(query[2] & 0x80 != 0, "NotQuery without QR"),
        Err(AnswerError::BufferTooSmall { len, needed }) => {
            assert_eq!(len, out_len);
            assert!(needed > out_len);
        }
        Err(other) => panic!("unexpected error {other:?}"),
        Ok(len) => {
            assert!(len <= out_len, "{len} octets in a buffer of {out_len}");
            let response = &zeros[..len];
            assert_eq!(
                response,
                &ones[..len],
                "the response depends on the buffer's old contents"
            );
            assert!(len >= 12, "{len} octets: not even a header");
            assert_eq!(response[..2], query[..2], "ID not echoed");
            assert!(response[2] & 0x80 != 0, "QR not set");
            match transport {
                // TC over TCP only when the caller's buffer cannot hold the whole answer:
                // the same query into a full-size buffer then gives a longer response.
                Transport::Tcp if response[2] & 0x02 != 0 => {
                    let mut full = vec![0u8; usize::from(u16::MAX)];
                    let whole = table
                        .answer(query, transport, &mut full)
                        .unwrap_or_else(|e| panic!("{e:?} with a full-size buffer"));
                    assert!(
                        whole > out_len,
                        "TC over TCP, yet {whole} octets fit {out_len}"
                    );
                    assert!(full[2] & 0x02 == 0, "TC over TCP with a full-size buffer");
                }
                Transport::Tcp => {}
                Transport::Udp => {
                    assert!(len <= usize::from(EDNS_PAYLOAD), "{len} octets over UDP");
                }
            }
            // hickory refuses some valid responses (empty RDATA, say), so its verdict is
            // only used when it reads the message.
            if let Ok(message) = Message::from_vec(response) {
                assert_eq!(
                    message.metadata.id,
                    u16::from_be_bytes([query[0], query[1]])
                );
                if transport == Transport::Udp && message.edns.is_none() {
                    assert!(len <= 512, "{len} octets over UDP without EDNS");
                }
            }
        }
    }
}
