//! [`Zone`] to deterministic zone text: `$ORIGIN`, the SOA first, then every record in
//! canonical order, one per line, owners relative to the origin where that is shorter,
//! TTL and class always explicit, data in the type's own format or RFC 3597 generic form.

use std::cmp::Ordering;
use std::fmt;

use hickory_proto::rr::{Name, RecordType};

use crate::schema;
use crate::schema::class_text;
use crate::text::presentation::{
    write_decimal, write_generic, write_label, write_name, write_rdata,
};
use crate::zone::{PLACEHOLDER, RecordRef, Zone};

/// Lines are gathered into chunks of about this many octets before they go to `out`.
const CHUNK: usize = 16 * 1024;

/// Writes `zone` as zone text.
pub(crate) fn write(zone: &Zone, out: &mut impl fmt::Write) -> fmt::Result {
    let origin = zone.origin();
    let mut lines = String::with_capacity(CHUNK + 1024);
    lines.push_str("$ORIGIN ");
    write_absolute(origin, &mut lines);
    lines.push('\n');
    let mut owners = Owners::new(zone);
    for record in text_order(zone) {
        owners.write_line(record, &mut lines);
        if lines.len() >= CHUNK {
            out.write_str(&lines)?;
            lines.clear();
        }
    }
    out.write_str(&lines)
}

/// Writes each zone of `targets` to its output, byte for byte as [`write`] would, in one
/// pass over `base`: each zone must be a copy of `base` that differs from it at most in
/// the apex SOA and in the RRsets `varying` (owners and types, in canonical order, none
/// twice), as a template's projections do. Those are read from each zone; every other line
/// is formatted once, from `base`, and written to every output.
pub(crate) fn write_each<W: fmt::Write>(
    base: &Zone,
    varying: &[(&Name, RecordType)],
    targets: &mut [(&Zone, W)],
) -> fmt::Result {
    let mut lines = String::with_capacity(CHUNK + 1024);
    let mut own = String::new();
    let mut write_own =
        |targets: &mut [(&Zone, W)], what: Own<'_>| write_own_lines(targets, what, &mut own);
    let flush = |targets: &mut [(&Zone, W)], lines: &mut String| -> fmt::Result {
        for (_, out) in targets.iter_mut() {
            out.write_str(lines)?;
        }
        lines.clear();
        Ok(())
    };
    write_own(targets, Own::Head)?;
    let origin = base.origin();
    let mut owners = Owners::new(base);
    let mut slots = varying.iter().copied().peekable();
    // How the current record's owner orders against the next slot's name: found once per
    // owner (and slot), not per record.
    let mut order: Option<(&Name, Ordering)> = None;
    let rest = base
        .iter()
        .filter(|r| !(r.record_type() == RecordType::SOA && r.owner() == origin));
    for record in rest {
        let code = u16::from(record.record_type());
        while let Some(&(name, record_type)) = slots.peek() {
            let owner_order = match order {
                Some((owner, ordering)) if std::ptr::eq(owner, record.owner()) => ordering,
                _ => {
                    let ordering = name.cmp(record.owner());
                    order = Some((record.owner(), ordering));
                    ordering
                }
            };
            match owner_order.then(u16::from(record_type).cmp(&code)) {
                Ordering::Less => {
                    // The slot comes before this record: every zone's own RRset there.
                    flush(targets, &mut lines)?;
                    write_own(targets, Own::Rrset(name, record_type))?;
                    slots.next();
                    order = None;
                }
                Ordering::Equal => break,
                Ordering::Greater => break,
            }
        }
        if slots.peek().is_some_and(|&(_, record_type)| {
            record.record_type() == record_type
                && order.is_some_and(|(_, ordering)| ordering == Ordering::Equal)
        }) {
            // The base's own version of a varying RRset: each zone writes its own.
            continue;
        }
        owners.write_line(record, &mut lines);
        if lines.len() >= CHUNK {
            flush(targets, &mut lines)?;
        }
    }
    flush(targets, &mut lines)?;
    for (name, record_type) in slots {
        write_own(targets, Own::Rrset(name, record_type))?;
    }
    Ok(())
}

/// Writes to each output what its zone holds of `what` (see [`write_each`]).
fn write_own_lines<W: fmt::Write>(
    targets: &mut [(&Zone, W)],
    what: Own<'_>,
    own: &mut String,
) -> fmt::Result {
    for (zone, out) in targets.iter_mut() {
        own.clear();
        let mut owners = Owners::new(zone);
        match what {
            Own::Head => {
                own.push_str("$ORIGIN ");
                write_absolute(zone.origin(), own);
                own.push('\n');
                let soa = zone.rrset(zone.origin(), RecordType::SOA);
                for record in soa
                    .into_iter()
                    .flat_map(|r| r.records(zone.origin(), zone.class()))
                {
                    owners.write_line(record, own);
                }
            }
            Own::Rrset(name, record_type) => {
                if let Some((owner, rrset)) = zone.rrset_and_owner(name, record_type) {
                    for record in rrset.records(owner, zone.class()) {
                        owners.write_line(record, own);
                    }
                }
            }
        }
        out.write_str(own)?;
    }
    Ok(())
}

/// What [`write_each`] writes for each zone from the zone itself.
#[derive(Clone, Copy)]
enum Own<'a> {
    /// `$ORIGIN` and the apex SOA.
    Head,
    /// One RRset.
    Rrset(&'a Name, RecordType),
}

/// Writes record lines, keeping the text of the last owner written: a node's records
/// share one owner name, so it is written once per node.
pub(crate) struct Owners<'a> {
    origin: &'a Name,
    origin_labels: usize,
    class: String,
    last: Option<&'a Name>,
    text: String,
}

impl<'a> Owners<'a> {
    pub(crate) fn new(zone: &'a Zone) -> Self {
        Self {
            origin: zone.origin(),
            origin_labels: zone.origin().iter().count(),
            class: class_text(zone.class()),
            last: None,
            text: String::new(),
        }
    }

    /// Appends one record's line, with its newline.
    pub(crate) fn write_line(&mut self, record: RecordRef<'a>, line: &mut String) {
        let owner = record.owner();
        // The records of one node borrow its one name; a different name (another node, or
        // the SOA's owner, which is the zone's origin) is written again, which gives the
        // same text where the spelling is the same.
        if self.last.is_none_or(|last| !std::ptr::eq(last, owner)) {
            self.text.clear();
            write_owner(owner, self.origin, self.origin_labels, &mut self.text);
            self.last = Some(owner);
        }
        line.push_str(&self.text);
        line.push('\t');
        write_decimal(u64::from(record.ttl()), line);
        line.push('\t');
        line.push_str(&self.class);
        line.push('\t');
        write_data(record, line);
        line.push('\n');
    }
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

/// Writes the type, a tab, and the data: in the type's own format where it has one, else
/// as `TYPEnnn` with RFC 3597 generic data.
pub(crate) fn write_data(record: RecordRef<'_>, line: &mut String) {
    use std::fmt::Write;
    let code = u16::from(record.record_type());
    if record.is_placeholder() {
        line.push_str(&schema::type_text(code));
        line.push('\t');
        line.push_str(PLACEHOLDER);
        return;
    }
    let start = line.len();
    if let Some((mnemonic, fields)) = schema::mnemonic_and_schema(code) {
        line.push_str(mnemonic);
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
/// `origin_labels` is the number of the origin's labels.
fn write_owner(owner: &Name, origin: &Name, origin_labels: usize, out: &mut String) {
    if origin.zone_of(owner) {
        // Not `num_labels`, which leaves out a leading `*` (the RRSIG label count).
        let keep = owner.iter().count().saturating_sub(origin_labels);
        if keep == 0 {
            // At the origin's depth and inside it: the origin, in any case.
            out.push('@');
            return;
        }
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
    write_name(&schema::name_wire(name), out);
}
