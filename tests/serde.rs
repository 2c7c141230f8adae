//! Serde form of a zone (feature `serde`).
#![cfg(feature = "serde")]

use multiprimary::Zone;

const SEED: &str = include_str!("../examples/data/example.com.zone");

#[test]
fn zone_serializes_to_owner_ttl_class_type_and_presentation_data() {
    let zone: Zone = format!("$ORIGIN example.com.\n{SEED}").parse().unwrap();
    let value: serde_json::Value = serde_json::to_value(&zone).unwrap();
    assert_eq!(value["origin"], "example.com.");
    assert_eq!(value["class"], "IN");
    let records = value["records"].as_array().unwrap();
    assert_eq!(records.len(), 7);
    assert_eq!(
        records[0],
        serde_json::json!({"owner": "example.com.", "ttl": 60, "class": "IN", "type": "SOA",
            "data": "bob.example.com. hostmaster.example.com. 2007010100 60 7200 604800 60"})
    );
    assert!(records.contains(&serde_json::json!({"owner": "www.example.com.", "ttl": 60, "class": "IN", "type": "A", "data": "1.2.3.4"})));
    let back: Zone = serde_json::from_value(value).unwrap();
    assert_eq!(back, zone);
}

#[test]
fn deserialize_names_the_bad_record() {
    let json = r#"{"origin": "example.", "class": "IN", "records": [
        {"owner": "example.", "ttl": 60, "class": "IN", "type": "NS", "data": "ns.example."},
        {"owner": "ns.example.", "ttl": 60, "class": "IN", "type": "A", "data": "192.0.2.300"}]}"#;
    let error = serde_json::from_str::<Zone>(json).unwrap_err().to_string();
    assert!(
        error.starts_with("records[1]: expected an IPv4 address, found `192.0.2.300`"),
        "{error}"
    );
}
