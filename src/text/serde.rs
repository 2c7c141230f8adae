//! Serde for [`Zone`] (feature `serde`): a readable form whose records carry owner, TTL,
//! class, type and data in presentation format, the same text the writer produces.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use multiprimary::Zone;
//!
//! let zone: Zone = "$ORIGIN example.\n@ 60 IN SOA ns h 1 2 3 4 5\n@ 60 IN NS ns\nns 60 IN A 192.0.2.1\n".parse()?;
//! let json = serde_json::to_string(&zone)?;
//! assert!(json.contains(r#"{"owner":"ns.example.","ttl":60,"class":"IN","type":"A","data":"192.0.2.1"}"#));
//! assert_eq!(serde_json::from_str::<Zone>(&json)?, zone);
//! # Ok(())
//! # }
//! ```

use std::fmt::Write;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

use crate::schema::class_text;
use crate::text::writer::{text_order, write_absolute, write_data};
use crate::text::{ParseOptions, parse};
use crate::zone::Zone;

#[derive(Serialize, Deserialize)]
struct ZoneForm {
    origin: String,
    class: String,
    records: Vec<RecordForm>,
}

#[derive(Serialize, Deserialize)]
struct RecordForm {
    owner: String,
    ttl: u32,
    class: String,
    #[serde(rename = "type")]
    record_type: String,
    data: String,
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut origin = String::new();
        write_absolute(self.origin(), &mut origin);
        let class = class_text(self.class());
        let records = text_order(self)
            .map(|record| {
                let mut owner = String::new();
                write_absolute(record.owner(), &mut owner);
                let mut text = String::new();
                write_data(record, &mut text);
                let (record_type, data) = text.split_once('\t').unwrap_or((text.as_str(), ""));
                RecordForm {
                    owner,
                    ttl: record.ttl(),
                    class: class.clone(),
                    record_type: record_type.to_owned(),
                    data: data.to_owned(),
                }
            })
            .collect();
        ZoneForm {
            origin,
            class: class.clone(),
            records,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Zone {
    /// Parses the records' text as zone text; an error names the record by its index.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let form = ZoneForm::deserialize(deserializer)?;
        let mut text = String::new();
        for record in &form.records {
            let _ = writeln!(
                text,
                "{} {} {} {} {}",
                record.owner, record.ttl, record.class, record.record_type, record.data
            );
        }
        let origin =
            hickory_proto::rr::Name::from_ascii(&form.origin).map_err(de::Error::custom)?;
        let options = ParseOptions::new().origin(origin.clone()).template(true);
        let mut zone = parse(&text, &options).map_err(|error| {
            let index = error.position().line.saturating_sub(1);
            de::Error::custom(format_args!("records[{index}]: {}", error.kind()))
        })?;
        let class = parse(&format!("@ 0 {} TXT x\n", form.class), &options)
            .map_err(de::Error::custom)?
            .class();
        if !zone.is_empty() && zone.class() != class {
            return Err(de::Error::custom(format_args!(
                "records are of class {}, the zone of {}",
                class_text(zone.class()),
                form.class
            )));
        }
        zone.set_origin(origin, class);
        Ok(zone)
    }
}
