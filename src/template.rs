//! The scheme itself: one [`Template`] for the fleet, projected for each [`Host`] into the
//! zone that host serves, identical across hosts except where the scheme says it must
//! differ: the self-referencing names carry the host's own addresses, and the SOA MNAME
//! names the host.
//!
//! ```
//! use multiprimary::{Template, text::{parse, ParseOptions}};
//! use multiprimary::hickory_proto::rr::{Name, RecordType};
//! use std::str::FromStr;
//!
//! let text = "$ORIGIN example.com.\n$TTL 60\n@ SOA bob hostmaster 2007010100 60 7200 604800 60\n\
//!             @ NS bob\n@ NS bill\n@ A LOCAL-IP\nwww A LOCAL-IP\nbob A 1.2.3.4\nbill A 5.6.7.8\n";
//! let template = Template::new(parse(text, &ParseOptions::new().template(true)).unwrap());
//! let (fleet, warnings) = template.fleet(&[]).unwrap();
//! assert!(warnings.is_empty());
//!
//! let bill = template.project(fleet.host("bill").unwrap()).unwrap();
//! let www = Name::from_str("www.example.com.").unwrap();
//! let a: Vec<_> = bill.rrset(&www, RecordType::A).unwrap().rdatas().map(|r| r.to_string()).collect();
//! assert_eq!(a, ["5.6.7.8"]);
//! assert!(bill.to_string().contains("SOA\tbill.example.com. hostmaster.example.com. 2007010100 "));
//!
//! // While bill's web server is down, bill's DNS sends clients to the others.
//! let degraded = template.degraded(&fleet, fleet.host("bill").unwrap()).unwrap();
//! let a: Vec<_> = degraded.rrset(&www, RecordType::A).unwrap().rdatas().map(|r| r.to_string()).collect();
//! assert_eq!(a, ["1.2.3.4"]);
//! ```

use std::net::IpAddr;
use std::str::FromStr;

use hickory_proto::rr::{Name, RecordType};
use hickory_proto::serialize::binary::BinDecodable;

use crate::fleet::{Fleet, FleetError, FleetWarning, Host};
use crate::schema;
use crate::zone::{Zone, canonical_key};

/// The TTL of self-referencing records the template does not give one for.
const DEFAULT_SELF_TTL: u32 = 60;

/// How a template is read: the self-referencing names it has besides its default ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TemplateOptions {
    /// Names that answer "this server", besides those that hold placeholders (or, in a
    /// template without placeholders, the apex and `www`): absolute, or relative to the
    /// template's origin.
    #[cfg_attr(feature = "serde", serde(default))]
    pub self_names: Vec<Name>,
}

impl TemplateOptions {
    /// No extra self-referencing names.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a self-referencing name: absolute, or relative to the template's origin
    /// (`shop` is `shop.example.com.` in a template for `example.com.`).
    ///
    /// ```
    /// use multiprimary::{TemplateOptions, Template, Zone};
    /// use multiprimary::hickory_proto::rr::Name;
    ///
    /// let zone: Zone = "$ORIGIN example.com.\n@ 60 SOA ns h 1 2 3 4 5\n@ 60 NS ns\n\
    ///                   ns 60 A 192.0.2.1\nshop 60 A 192.0.2.1\n".parse().unwrap();
    /// let options = TemplateOptions::new().self_name(Name::from_ascii("shop").unwrap());
    /// let template = Template::with_options(zone, &options);
    /// assert!(template.is_self_name(&Name::from_ascii("shop.example.com.").unwrap()));
    /// ```
    #[must_use]
    pub fn self_name(mut self, name: Name) -> Self {
        if !self.self_names.contains(&name) {
            self.self_names.push(name);
        }
        self
    }
}

/// Why a template could not be projected for a host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProjectError {
    /// The host is not one of the template's: its name is not an NS target at the apex
    /// (it would become the SOA MNAME of a copy no host serves).
    #[error("{host} is not a host of the template: no NS record at its apex names it")]
    NotAHost {
        /// The host's name.
        host: Name,
    },
    /// An output of [`Template::write_projections`] failed.
    #[error("writing a projection failed")]
    Write,
}

/// The zone an operator writes once for the whole fleet, and its self-referencing names.
#[derive(Debug, Clone)]
pub struct Template {
    zone: Zone,
    self_names: Vec<Name>,
}

/// The self-referencing names of a zone used as a template: every name holding a
/// placeholder; without placeholders, the apex and `www` where they hold addresses.
pub(crate) fn default_self_names(zone: &Zone) -> Vec<Name> {
    let mut names: Vec<Name> = Vec::new();
    for (name, _) in zone.placeholders() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    if names.is_empty() {
        let origin = zone.origin();
        let www = Name::from_str("www")
            .ok()
            .and_then(|www| www.append_domain(origin).ok());
        for name in std::iter::once(origin.clone()).chain(www) {
            if has_address(zone, &name) {
                names.push(name);
            }
        }
    }
    names
}

fn has_address(zone: &Zone, name: &Name) -> bool {
    zone.rrset(name, RecordType::A).is_some() || zone.rrset(name, RecordType::AAAA).is_some()
}

impl Template {
    /// A template whose self-referencing names are those holding placeholders, or the
    /// apex and `www` where it has none.
    pub fn new(zone: Zone) -> Self {
        Self::with_options(zone, &TemplateOptions::default())
    }

    /// A template with extra self-referencing names (relative ones taken as relative to
    /// the zone's origin; one too long for that is left out).
    pub fn with_options(zone: Zone, options: &TemplateOptions) -> Self {
        let mut self_names = default_self_names(&zone);
        for name in &options.self_names {
            let name = if name.is_fqdn() {
                Ok(name.clone())
            } else {
                name.clone().append_domain(zone.origin())
            };
            if let Ok(name) = name
                && !self_names.contains(&name)
            {
                self_names.push(name);
            }
        }
        self_names.sort_by_key(canonical_key);
        Self { zone, self_names }
    }

    /// The template zone.
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// The self-referencing names, in canonical order.
    pub fn self_names(&self) -> &[Name] {
        &self.self_names
    }

    /// Whether `name` is self-referencing.
    pub fn is_self_name(&self, name: &Name) -> bool {
        self.self_names.contains(name)
    }

    /// The fleet: the apex NS targets with their glue, and `external` addresses for hosts
    /// outside the zone. Warnings: hosts on one network, self-referencing TTLs or the SOA
    /// MINIMUM above 60 s, a self name whose address family some host lacks.
    ///
    /// The hosts are the apex NS targets; an in-zone host's addresses are its glue A and
    /// AAAA records; an out-of-zone host's come from `external` (which may also add
    /// addresses to in-zone hosts).
    ///
    /// # Errors
    ///
    /// No apex NS, a host without addresses, a host twice in `external`, or an address
    /// on two hosts: every problem, at once.
    pub fn fleet(&self, external: &[Host]) -> Result<(Fleet, Vec<FleetWarning>), FleetError> {
        let (fleet, mut warnings) = Fleet::from_zone(&self.zone, external, &self.self_names)?;
        warnings.extend(ttl_warnings(&self.zone, &self.self_names));
        Ok((fleet, warnings))
    }

    /// The zone `host` serves: self-referencing names carry exactly the host's IPv4
    /// addresses as A and its IPv6 addresses as AAAA (an RRset is absent where the host has
    /// no address of that family), the SOA MNAME names the host, and every other RRset is
    /// the template's. Costs the self-referencing RRsets, not the zone: the projection
    /// shares the template's other nodes.
    ///
    /// ```
    /// use multiprimary::{Host, ProjectError, Template};
    /// use multiprimary::hickory_proto::rr::Name;
    /// use multiprimary::text::{parse, ParseOptions};
    ///
    /// let text = "$ORIGIN example.\n@ 60 SOA a h 1 2 3 4 5\n@ 60 NS a\n@ 60 A LOCAL-IP\na 60 A 192.0.2.1\n";
    /// let template = Template::new(parse(text, &ParseOptions::new().template(true)).unwrap());
    /// let (fleet, _) = template.fleet(&[]).unwrap();
    /// assert!(template.project(fleet.host("a").unwrap()).is_ok());
    /// // A host the template does not name in its apex NS set would become the SOA MNAME.
    /// let stranger = Host::new(Name::from_ascii("evil.other.").unwrap(), ["192.0.2.9".parse().unwrap()]);
    /// assert!(matches!(template.project(&stranger), Err(ProjectError::NotAHost { .. })));
    /// ```
    ///
    /// # Errors
    ///
    /// [`ProjectError::NotAHost`]: the host's name is not an NS target at the apex.
    pub fn project(&self, host: &Host) -> Result<Zone, ProjectError> {
        self.check_host(host)?;
        Ok(self.project_to(host, host.addresses()))
    }

    /// The zone `host` serves while its own web service is down: the self-referencing
    /// names carry the addresses of every *other* host in `fleet`, so a server whose DNS
    /// still answers stops sending clients to its broken web server.
    ///
    /// # Errors
    ///
    /// [`ProjectError::NotAHost`]: the host's name is not an NS target at the apex.
    pub fn degraded(&self, fleet: &Fleet, host: &Host) -> Result<Zone, ProjectError> {
        self.check_host(host)?;
        let others: Vec<IpAddr> = fleet
            .hosts()
            .iter()
            .filter(|h| h.name() != host.name())
            .flat_map(|h| h.addresses().iter().copied())
            .filter(|a| !host.addresses().contains(a))
            .collect();
        Ok(self.project_to(host, &others))
    }

    /// Whether `host` is one of the template's: an NS target at its apex.
    fn check_host(&self, host: &Host) -> Result<(), ProjectError> {
        let ns = self.zone.rrset(self.zone.origin(), RecordType::NS);
        let named = ns.is_some_and(|ns| {
            ns.iter().any(|(_, data)| {
                schema::target(RecordType::NS, data)
                    .and_then(|wire| Name::from_bytes(wire).ok())
                    .is_some_and(|target| target == *host.name())
            })
        });
        if named {
            Ok(())
        } else {
            Err(ProjectError::NotAHost {
                host: host.name().clone(),
            })
        }
    }

    fn project_to(&self, host: &Host, addresses: &[IpAddr]) -> Zone {
        let mut zone = self.zone.clone();
        for name in &self.self_names {
            let ttl_of = |t: RecordType| self.zone.rrset(name, t).map(|r| r.ttl());
            let a_ttl = ttl_of(RecordType::A);
            let aaaa_ttl = ttl_of(RecordType::AAAA);
            zone.remove(name, RecordType::A);
            zone.remove(name, RecordType::AAAA);
            for address in addresses {
                match address {
                    IpAddr::V4(v4) => {
                        let ttl = a_ttl.or(aaaa_ttl).unwrap_or(DEFAULT_SELF_TTL);
                        zone.insert_data(name, RecordType::A, ttl, &v4.octets());
                    }
                    IpAddr::V6(v6) => {
                        let ttl = aaaa_ttl.or(a_ttl).unwrap_or(DEFAULT_SELF_TTL);
                        zone.insert_data(name, RecordType::AAAA, ttl, &v6.octets());
                    }
                }
            }
        }
        set_soa_mname(&mut zone, host.name());
        zone
    }

    /// Writes the zone of each host of `targets` to its output as zone text, byte for byte
    /// as [`text::write`](crate::text::write) writes [`project`](Self::project)'s zone for
    /// that host, but in one pass over the template for them all: the lines every host
    /// shares (all but the SOA and the self-referencing A and AAAA RRsets) are formatted
    /// once and written to every output. For a large zone and many hosts this costs little
    /// more than writing one zone, where projecting and writing each costs a pass per host.
    ///
    /// ```
    /// use multiprimary::{Template, text::{parse, ParseOptions}};
    ///
    /// let text = "$ORIGIN example.com.\n$TTL 60\n@ SOA bob hostmaster 1 60 7200 604800 60\n\
    ///             @ NS bob\n@ NS bill\n@ A LOCAL-IP\nwww A LOCAL-IP\nbob A 1.2.3.4\nbill A 5.6.7.8\n";
    /// let template = Template::new(parse(text, &ParseOptions::new().template(true)).unwrap());
    /// let (fleet, _) = template.fleet(&[]).unwrap();
    /// let mut targets: Vec<_> = fleet.hosts().iter().map(|host| (host, String::new())).collect();
    /// template.write_projections(&mut targets).unwrap();
    /// for (host, text) in &targets {
    ///     assert_eq!(*text, template.project(host).unwrap().to_string());
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ProjectError::NotAHost`] for a host that is not the template's (before anything
    /// is written), or [`ProjectError::Write`] for the first output that failed; the
    /// outputs after it in `targets` may then be incomplete too.
    pub fn write_projections<W: std::fmt::Write>(
        &self,
        targets: &mut [(&Host, W)],
    ) -> Result<(), ProjectError> {
        let zones = targets
            .iter()
            .map(|(host, _)| self.project(host))
            .collect::<Result<Vec<Zone>, _>>()?;
        let mut outputs: Vec<(&Zone, &mut W)> = zones
            .iter()
            .zip(targets.iter_mut())
            .map(|(zone, (_, out))| (zone, out))
            .collect();
        let varying: Vec<(&Name, RecordType)> = self
            .self_names
            .iter()
            .flat_map(|name| [(name, RecordType::A), (name, RecordType::AAAA)])
            .collect();
        crate::text::write_each(&self.zone, &varying, &mut outputs).map_err(|_| ProjectError::Write)
    }
}

/// SOA data after the MNAME.
pub(crate) fn without_mname(data: &[u8]) -> &[u8] {
    schema::name_length(data)
        .and_then(|n| data.get(n..))
        .unwrap_or(data)
}

/// Replaces the MNAME of the apex SOA, keeping TTL and every other field.
fn set_soa_mname(zone: &mut Zone, mname: &Name) {
    let origin = zone.origin().clone();
    let Some(soa) = zone.rrset(&origin, RecordType::SOA) else {
        return;
    };
    let records: Vec<(u32, Vec<u8>)> = soa
        .iter()
        .map(|(ttl, data)| {
            let mut new = schema::name_wire(mname);
            new.extend_from_slice(without_mname(data));
            (ttl, new)
        })
        .collect();
    zone.remove(&origin, RecordType::SOA);
    for (ttl, data) in records {
        zone.insert_data(&origin, RecordType::SOA, ttl, &data);
    }
}

/// TTLs above 60 s on the self-referencing RRsets, and an SOA MINIMUM above 60 s.
pub(crate) fn ttl_warnings(zone: &Zone, self_names: &[Name]) -> Vec<FleetWarning> {
    let mut warnings = Vec::new();
    for name in self_names {
        for record_type in [RecordType::A, RecordType::AAAA] {
            if let Some(rrset) = zone.rrset(name, record_type)
                && rrset.ttl() > 60
            {
                warnings.push(FleetWarning::LongSelfTtl {
                    name: name.clone(),
                    record_type,
                    ttl: rrset.ttl(),
                });
            }
        }
    }
    if let Some(minimum) = zone.soa_minimum()
        && minimum > 60
    {
        warnings.push(FleetWarning::LongSoaMinimum { minimum });
    }
    warnings
}
