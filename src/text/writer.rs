//! [`Zone`] to deterministic zone text: `$ORIGIN`, the SOA first, then every record in
//! canonical order, one per line, owners relative to the origin where that is shorter,
//! TTL and class always explicit, data in the type's own format or RFC 3597 generic form.

use std::fmt;

use hickory_proto::rr::{Name, RecordType};

use crate::rdata;
use crate::text::parser::class_text;
use crate::text::rdata::{write_generic, write_label, write_name, write_rdata};
use crate::zone::{PLACEHOLDER, RecordRef, Zone};

/// Writes `zone` as zone text.
pub(crate) fn write(zone: &Zone, out: &mut impl fmt::Write) -> fmt::Result {
    let origin = zone.origin();
    let mut line = String::with_capacity(256);
    write_absolute(origin, &mut line);
    writeln!(out, "$ORIGIN {line}")?;
    let class = class_text(zone.class());
    let mut last_owner: Option<&Name> = None;
    let mut owner_text = String::new();
    for record in text_order(zone) {
        line.clear();
        if last_owner.is_none_or(|last| !last.eq_case(record.owner())) {
            owner_text.clear();
            write_owner(record.owner(), origin, &mut owner_text);
            last_owner = Some(record.owner());
        }
        line.push_str(&owner_text);
        write_record(record, &class, &mut line);
        line.push('\n');
        out.write_str(&line)?;
    }
    Ok(())
}

/// The records in the order the writer writes them: the apex SOA first, then the rest in
/// canonical order.
pub(crate) fn text_order(zone: &Zone) -> impl Iterator<Item = RecordRef<'_>> + '_ {
    let origin = zone.origin();
    let soa = zone.rrset(origin, RecordType::SOA);
    let soa_records = soa
        .into_iter()
        .flat_map(move |r| r.records(origin, zone.class()));
    let rest = zone
        .iter()
        .filter(move |r| !(r.record_type() == RecordType::SOA && r.owner() == origin));
    soa_records.chain(rest)
}

/// Writes everything after the owner: TTL, class, type and data.
fn write_record(record: RecordRef<'_>, class: &str, line: &mut String) {
    use std::fmt::Write;
    let _ = write!(line, "\t{}\t{class}\t", record.ttl());
    write_data(record, line);
}

/// Writes the type, a tab, and the data: in the type's own format where it has one, else
/// as `TYPEnnn` with RFC 3597 generic data.
pub(crate) fn write_data(record: RecordRef<'_>, line: &mut String) {
    use std::fmt::Write;
    let code = u16::from(record.record_type());
    if record.is_placeholder() {
        line.push_str(&rdata::type_text(code));
        line.push('\t');
        line.push_str(PLACEHOLDER);
        return;
    }
    let start = line.len();
    if let Some((fields, _)) = rdata::schema(code) {
        line.push_str(&rdata::type_text(code));
        line.push('\t');
        if write_rdata(fields, record.data(), line).is_some() {
            return;
        }
        line.truncate(start);
    }
    let _ = write!(line, "TYPE{code}\t");
    write_generic(record.data(), line);
}

/// Writes an owner: `@` for the origin, relative below it, absolute elsewhere.
fn write_owner(owner: &Name, origin: &Name, out: &mut String) {
    if owner == origin {
        out.push('@');
    } else if origin.zone_of(owner) {
        // Not `num_labels`, which leaves out a leading `*` (the RRSIG label count).
        let keep = owner.iter().count().saturating_sub(origin.iter().count());
        for (index, label) in owner.iter().take(keep).enumerate() {
            if index > 0 {
                out.push('.');
            }
            write_label(label, out);
        }
    } else {
        write_absolute(owner, out);
    }
}

/// Writes a name absolute, escaped.
pub(crate) fn write_absolute(name: &Name, out: &mut String) {
    write_name(&rdata::name_wire(name), out);
}
