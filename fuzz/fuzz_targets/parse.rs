//! Zone text: `text::parse` on any UTF-8, then the round trips a parsed zone must survive:
//! `parse(write(z)) == z` (TTLs included), `write` a fixed point, and for a zone that is
//! not a template, `decode_axfr(encode_axfr(z)) == z`; a zone that validates compiles.
#![no_main]

use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use multiprimary::hickory_proto::rr::Name;
use multiprimary::text::{ParseOptions, parse};
use multiprimary::wire::{WireError, decode_axfr, encode_axfr};
use multiprimary::{AnswerTable, Zone};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let origin = Name::from_str("example.com.").unwrap();
    let plain = ParseOptions::new().origin(origin.clone());
    let template = ParseOptions::new().origin(origin).template(true);
    for options in [ParseOptions::new(), plain, template] {
        if let Ok(zone) = parse(text, &options) {
            check(&zone);
        }
    }
});

fn check(zone: &Zone) {
    let written = zone.to_string();
    let again = parse(&written, &ParseOptions::new().template(zone.is_template()))
        .unwrap_or_else(|e| panic!("written zone does not parse: {e}\n{written}"));
    assert_eq!(&again, zone, "parse(write(z)) != z\n{written}");
    assert_eq!(again.to_string(), written, "write is not a fixed point");

    if zone.is_template() {
        return;
    }
    match encode_axfr(zone, 0x1234) {
        Ok(messages) => {
            let decoded = decode_axfr(messages.iter().map(Vec::as_slice))
                .unwrap_or_else(|e| panic!("encoded zone does not decode: {e}\n{written}"));
            assert_eq!(&decoded, zone, "decode(encode(z)) != z\n{written}");
        }
        Err(WireError::NoSoa | WireError::RecordTooLarge { .. }) => {}
        Err(e) => panic!("unexpected encode error {e}\n{written}"),
    }
    if zone.check().is_ok() {
        // The compiler may still refuse (too large), but must not panic.
        let _ = AnswerTable::compile(zone);
    }
}
