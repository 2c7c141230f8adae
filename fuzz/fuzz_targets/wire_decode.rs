//! AXFR streams: arbitrary bytes cut into messages by two-octet length prefixes (as over
//! TCP) into `wire::decode_axfr`; what decodes must survive `encode_axfr` and decode to an
//! equal zone, and write as text that parses back to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use multiprimary::text::{ParseOptions, parse};
use multiprimary::wire::{WireError, decode_axfr, encode_axfr};

fuzz_target!(|data: &[u8]| {
    let mut messages = Vec::new();
    let mut rest = data;
    while let [high, low, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*high, *low])).min(tail.len());
        let (message, tail) = tail.split_at(len);
        messages.push(message);
        rest = tail;
    }
    let Ok(zone) = decode_axfr(messages.iter().copied()) else {
        return;
    };
    match encode_axfr(&zone, 0xbeef) {
        Ok(encoded) => {
            let again = decode_axfr(encoded.iter().map(Vec::as_slice))
                .unwrap_or_else(|e| panic!("re-encoded stream does not decode: {e}"));
            assert_eq!(again, zone, "decode(encode(decode(s))) != decode(s)");
        }
        // Names in data come back uncompressed, so a record can outgrow a message.
        Err(WireError::RecordTooLarge { .. }) => {}
        Err(e) => panic!("a decoded zone does not encode: {e}"),
    }
    let written = zone.to_string();
    let parsed = parse(&written, &ParseOptions::new())
        .unwrap_or_else(|e| panic!("written zone does not parse: {e}\n{written}"));
    assert_eq!(
        parsed, zone,
        "parse(write(decode(s))) != decode(s)\n{written}"
    );
});
