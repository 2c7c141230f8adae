//! The servers of the scheme: each [`Host`] is an authoritative primary and a web server;
//! the [`Fleet`] is every host, taken from the template's apex NS RRset and the glue A and
//! AAAA records at those names.
//!
//! ```
//! use multiprimary::{Template, text::{parse, ParseOptions}};
//!
//! let template = parse(
//!     "$ORIGIN example.com.\n$TTL 60\n@ SOA bob hostmaster 1 60 7200 604800 60\n\
//!      @ NS bob\n@ NS bill\n@ A LOCAL-IP\nbob A 1.2.3.4\nbill A 5.6.7.8\n",
//!     &ParseOptions::new().template(true),
//! ).unwrap();
//! let (fleet, warnings) = Template::new(template).fleet(&[]).unwrap();
//! assert!(warnings.is_empty());
//! let bob = fleet.host("bob").unwrap();
//! assert_eq!(bob.name().to_string(), "bob.example.com.");
//! assert_eq!(fleet.host("5.6.7.8").unwrap().name().to_string(), "bill.example.com.");
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use hickory_proto::rr::{Name, RecordType};
use hickory_proto::serialize::binary::BinDecodable;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::error::Location;
use crate::schema;
use crate::zone::Zone;

/// One server of the fleet: its name (an NS target of the zone) and its addresses.
///
/// With feature `serde` it reads and writes as `{"name": ..., "addresses": [...]}`; on
/// the way in, addresses are sorted and repeats dropped, as [`Host::new`] does.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(from = "HostForm"))]
pub struct Host {
    name: Name,
    addresses: Vec<IpAddr>,
}

impl Host {
    /// A host with the given name and addresses (sorted, each once). A relative name
    /// (`bob`) is taken as relative to the template's origin when the host is given to
    /// [`Template::fleet`](crate::Template::fleet) (`bob.example.com.`).
    ///
    /// ```
    /// use multiprimary::{Host, Template, Zone};
    /// use multiprimary::hickory_proto::rr::Name;
    ///
    /// let zone: Zone = "$ORIGIN example.com.\n@ 60 SOA bob h 1 2 3 4 5\n@ 60 NS bob\n\
    ///                   @ 60 A 192.0.2.1\n".parse().unwrap();
    /// // bob has no glue: the caller gives its address.
    /// let bob = Host::new(Name::from_ascii("bob").unwrap(), ["192.0.2.1".parse().unwrap()]);
    /// let (fleet, _) = Template::new(zone).fleet(&[bob]).unwrap();
    /// assert_eq!(fleet.hosts()[0].name().to_string(), "bob.example.com.");
    /// ```
    pub fn new(name: Name, addresses: impl IntoIterator<Item = IpAddr>) -> Self {
        let mut addresses: Vec<IpAddr> = addresses.into_iter().collect();
        addresses.sort_unstable();
        addresses.dedup();
        Self { name, addresses }
    }

    /// The host's name.
    pub fn name(&self) -> &Name {
        &self.name
    }

    /// The host's addresses, sorted.
    pub fn addresses(&self) -> &[IpAddr] {
        &self.addresses
    }

    /// The host's IPv4 addresses.
    pub fn ipv4(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.addresses.iter().copied().filter(IpAddr::is_ipv4)
    }

    /// The host's IPv6 addresses.
    pub fn ipv6(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.addresses.iter().copied().filter(IpAddr::is_ipv6)
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        for (i, address) in self.addresses.iter().enumerate() {
            write!(f, "{}{address}", if i == 0 { " (" } else { ", " })?;
        }
        if !self.addresses.is_empty() {
            write!(f, ")")?;
        }
        Ok(())
    }
}

/// Every host of the scheme, in the order of the canonical apex NS RRset.
///
/// With feature `serde` it reads and writes as `{"hosts": [{"name": ..., "addresses":
/// [...]}], "origin": ...}`, checked as [`Fleet::new`] checks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(from = "FleetForm"))]
pub struct Fleet {
    hosts: Vec<Host>,
    /// The zone's origin, against which relative host names are looked up.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    origin: Option<Name>,
}

/// The serde form of a [`Host`].
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct HostForm {
    name: Name,
    addresses: Vec<IpAddr>,
}

#[cfg(feature = "serde")]
impl From<HostForm> for Host {
    fn from(form: HostForm) -> Self {
        Self::new(form.name, form.addresses)
    }
}

/// The serde form of a [`Fleet`], checked on the way in.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct FleetForm {
    hosts: CheckedHosts,
    #[serde(default)]
    origin: Option<Name>,
}

/// The hosts of a fleet, checked as they are read: an error raised here, inside the
/// fleet's own form, is one a format can place (serde_json gives its line and column),
/// where a check after the whole form was read could not be.
#[cfg(feature = "serde")]
struct CheckedHosts(Fleet);

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for CheckedHosts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let hosts = Vec::<Host>::deserialize(deserializer)?;
        Fleet::new(hosts)
            .map(CheckedHosts)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "serde")]
impl From<FleetForm> for Fleet {
    fn from(form: FleetForm) -> Self {
        Self {
            origin: form.origin,
            ..form.hosts.0
        }
    }
}

/// Why a fleet cannot be formed; every problem is listed, each naming its host and, for
/// a template read from text, where the record it is about was read.
///
/// Displays each problem as `FILE:LINE:COLUMN: what is wrong` (without the place when
/// it has none), separated by `; `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetError {
    problems: Vec<FleetProblem>,
    // Parallel to `problems`.
    locations: Vec<Option<Location>>,
}

impl FleetError {
    fn new(problems: Vec<FleetProblem>) -> Self {
        let locations = vec![None; problems.len()];
        Self {
            problems,
            locations,
        }
    }

    /// Finds, in the template, where the record each problem is about was read.
    fn located_in(mut self, zone: &Zone) -> Self {
        self.locations = self
            .problems
            .iter()
            .map(|problem| locate(zone, problem))
            .collect();
        self
    }

    /// Every problem found.
    pub fn problems(&self) -> &[FleetProblem] {
        &self.problems
    }

    /// Every problem found, with where the record it is about was read: the NS record
    /// naming a host without addresses, the glue record giving a second host an address
    /// the first has, the file alone for a template without apex NS. `None` for a zone
    /// built in code and for hosts the caller gave.
    pub fn located(&self) -> impl Iterator<Item = (&FleetProblem, Option<&Location>)> + '_ {
        self.problems
            .iter()
            .zip(self.locations.iter().map(Option::as_ref))
    }
}

impl fmt::Display for FleetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, (problem, location)) in self.located().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            if let Some(location) = location {
                write!(f, "{location}: ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FleetError {}

/// One reason a fleet cannot be formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FleetProblem {
    /// The template has no NS RRset at its apex, so there are no hosts.
    #[error("the template has no NS records at its apex")]
    NoHosts,
    /// A host with no address: no glue in the zone, none given by the caller.
    #[error("host {host} has no addresses: add glue A/AAAA records or give them explicitly")]
    NoAddresses {
        /// The host.
        host: Name,
    },
    /// A host given twice by the caller.
    #[error("host {host} is listed twice")]
    DuplicateHost {
        /// The host.
        host: Name,
    },
    /// One address claimed by two hosts.
    #[error("address {address} belongs to both {first} and {second}")]
    SharedAddress {
        /// The address.
        address: IpAddr,
        /// One host.
        first: Name,
        /// The other.
        second: Name,
    },
}

/// Where the scheme is weak: returned, never printed, and the fleet still forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FleetWarning {
    /// Two hosts in one IPv4 /24 or IPv6 /48: probably one network, so not independent.
    #[error(
        "{first} and {second} share {network}: probably one network, so one failure can take both"
    )]
    SameNetwork {
        /// One host.
        first: Name,
        /// The other.
        second: Name,
        /// The shared network.
        network: IpNet,
    },
    /// A self-referencing RRset whose TTL keeps resolvers on a dead host for long.
    #[error(
        "{name} {record_type} has TTL {ttl}: above 60 s, resolvers keep sending clients to a dead host for longer"
    )]
    LongSelfTtl {
        /// The owner.
        name: Name,
        /// A or AAAA.
        record_type: RecordType,
        /// The TTL.
        ttl: u32,
    },
    /// An SOA MINIMUM above 60 s, which lets resolvers cache negative answers for long.
    #[error("SOA MINIMUM is {minimum}: above 60 s, negative answers are cached for longer")]
    LongSoaMinimum {
        /// The SOA MINIMUM.
        minimum: u32,
    },
    /// A self-referencing name with an address family that some host lacks: that host's
    /// copy has no record of that family there.
    #[error("{name} has {record_type} records, but host {host} has no address of that family")]
    MissingFamily {
        /// The self-referencing name.
        name: Name,
        /// A or AAAA.
        record_type: RecordType,
        /// The host without such an address.
        host: Name,
    },
}

impl Fleet {
    /// A fleet of the given hosts.
    ///
    /// # Errors
    ///
    /// No hosts, a host without addresses, a host twice, or an address on two hosts.
    pub fn new(hosts: Vec<Host>) -> Result<Self, FleetError> {
        let mut problems = Vec::new();
        if hosts.is_empty() {
            problems.push(FleetProblem::NoHosts);
        }
        let mut owners: BTreeMap<IpAddr, &Name> = BTreeMap::new();
        for (index, host) in hosts.iter().enumerate() {
            if hosts.iter().take(index).any(|h| h.name == host.name) {
                problems.push(FleetProblem::DuplicateHost {
                    host: host.name.clone(),
                });
                continue;
            }
            if host.addresses.is_empty() {
                problems.push(FleetProblem::NoAddresses {
                    host: host.name.clone(),
                });
            }
            for address in &host.addresses {
                if let Some(first) = owners.insert(*address, &host.name) {
                    problems.push(FleetProblem::SharedAddress {
                        address: *address,
                        first: first.clone(),
                        second: host.name.clone(),
                    });
                }
            }
        }
        if problems.is_empty() {
            Ok(Self {
                hosts,
                origin: None,
            })
        } else {
            Err(FleetError::new(problems))
        }
    }

    /// The fleet of a template whose self-referencing names are `self_names` (see
    /// [`Template::fleet`](crate::Template::fleet), the way in): the hosts are the apex
    /// NS targets; an in-zone host's addresses are its glue A and AAAA records; an
    /// out-of-zone host's come from `external` (which may also add addresses to in-zone
    /// hosts). Warnings: hosts on one network, a self name whose address family some host
    /// lacks.
    pub(crate) fn from_zone(
        zone: &Zone,
        external: &[Host],
        self_names: &[Name],
    ) -> Result<(Self, Vec<FleetWarning>), FleetError> {
        let mut problems = Vec::new();
        // Relative names are the caller's shorthand for names in the zone.
        let external: Vec<Host> = external
            .iter()
            .map(|host| match host.name.is_fqdn() {
                true => host.clone(),
                false => Host {
                    name: host
                        .name
                        .clone()
                        .append_domain(zone.origin())
                        .unwrap_or_else(|_| host.name.clone()),
                    addresses: host.addresses.clone(),
                },
            })
            .collect();
        let external = external.as_slice();
        for (index, host) in external.iter().enumerate() {
            if external.iter().take(index).any(|h| h.name == host.name) {
                problems.push(FleetProblem::DuplicateHost {
                    host: host.name.clone(),
                });
            }
        }
        let Some(ns) = zone.rrset(zone.origin(), RecordType::NS) else {
            problems.push(FleetProblem::NoHosts);
            return Err(FleetError::new(problems).located_in(zone));
        };
        let mut hosts = Vec::with_capacity(ns.len());
        for (_, data) in ns.iter() {
            let Some(name) =
                schema::target(RecordType::NS, data).and_then(|wire| Name::from_bytes(wire).ok())
            else {
                continue;
            };
            let mut addresses: Vec<IpAddr> = Vec::new();
            for record_type in [RecordType::A, RecordType::AAAA] {
                if let Some(glue) = zone.rrset(&name, record_type) {
                    addresses.extend(glue.addresses());
                }
            }
            if let Some(given) = external.iter().find(|h| h.name == name) {
                addresses.extend(given.addresses.iter().copied());
            }
            hosts.push(Host::new(name, addresses));
        }
        let fleet = match Self::new(hosts) {
            Ok(fleet) => Self {
                origin: Some(zone.origin().clone()),
                ..fleet
            },
            Err(error) => {
                problems.extend(error.problems);
                return Err(FleetError::new(problems).located_in(zone));
            }
        };
        if !problems.is_empty() {
            return Err(FleetError::new(problems));
        }
        let mut warnings = fleet.network_warnings();
        warnings.extend(fleet.family_warnings(zone, self_names));
        Ok((fleet, warnings))
    }

    /// The hosts.
    pub fn hosts(&self) -> &[Host] {
        &self.hosts
    }

    /// The host named `key` (relative to the zone's origin or absolute, any case) or
    /// owning the address `key`.
    pub fn host(&self, key: &str) -> Option<&Host> {
        if let Ok(address) = IpAddr::from_str(key) {
            return self.hosts.iter().find(|h| h.addresses.contains(&address));
        }
        let name = Name::from_str(key).ok()?;
        if name.is_fqdn() {
            return self.hosts.iter().find(|h| h.name == name);
        }
        if let Some(absolute) = self
            .origin
            .as_ref()
            .and_then(|o| name.clone().append_domain(o).ok())
            && let Some(host) = self.hosts.iter().find(|h| h.name == absolute)
        {
            return Some(host);
        }
        // Else the one host whose name begins with these labels.
        let mut matches = self.hosts.iter().filter(|h| {
            h.name.num_labels() >= name.num_labels()
                && h.name
                    .iter()
                    .zip(name.iter())
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
        });
        let first = matches.next()?;
        matches.next().is_none().then_some(first)
    }

    /// Hosts whose addresses share an IPv4 /24 or IPv6 /48.
    fn network_warnings(&self) -> Vec<FleetWarning> {
        let mut warnings = Vec::new();
        for (index, first) in self.hosts.iter().enumerate() {
            for second in self.hosts.iter().skip(index + 1) {
                let shared = first.addresses.iter().find_map(|a| {
                    let network = network_of(*a);
                    second
                        .addresses
                        .iter()
                        .any(|b| network_of(*b) == network)
                        .then_some(network)
                });
                if let Some(network) = shared {
                    warnings.push(FleetWarning::SameNetwork {
                        first: first.name.clone(),
                        second: second.name.clone(),
                        network,
                    });
                }
            }
        }
        warnings
    }

    /// Self names with an address family some host lacks.
    fn family_warnings(&self, zone: &Zone, self_names: &[Name]) -> Vec<FleetWarning> {
        let mut warnings = Vec::new();
        for name in self_names {
            for record_type in [RecordType::A, RecordType::AAAA] {
                if zone.rrset(name, record_type).is_none() {
                    continue;
                }
                for host in &self.hosts {
                    let has = match record_type {
                        RecordType::A => host.ipv4().next().is_some(),
                        _ => host.ipv6().next().is_some(),
                    };
                    if !has {
                        warnings.push(FleetWarning::MissingFamily {
                            name: name.clone(),
                            record_type,
                            host: host.name.clone(),
                        });
                    }
                }
            }
        }
        warnings
    }
}

/// Where the record a fleet problem is about was read.
fn locate(zone: &Zone, problem: &FleetProblem) -> Option<Location> {
    let origin = zone.origin();
    match problem {
        FleetProblem::NoHosts => zone.file_location(),
        FleetProblem::NoAddresses { host } => {
            let ns = zone.rrset(origin, RecordType::NS)?;
            let source = ns.entries().find_map(|(_, data, source)| {
                let target = schema::target(RecordType::NS, data)?;
                (Name::from_bytes(target).ok()? == *host).then_some(source)
            })?;
            zone.location(source)
        }
        FleetProblem::SharedAddress {
            address, second, ..
        } => {
            let (record_type, octets) = match address {
                IpAddr::V4(v4) => (RecordType::A, v4.octets().to_vec()),
                IpAddr::V6(v6) => (RecordType::AAAA, v6.octets().to_vec()),
            };
            let glue = zone.rrset(second, record_type)?;
            let source = glue
                .entries()
                .find_map(|(_, data, source)| (data == octets.as_slice()).then_some(source))?;
            zone.location(source)
        }
        _ => None,
    }
}

/// The network an address is taken to be on: its IPv4 /24 or IPv6 /48.
fn network_of(address: IpAddr) -> IpNet {
    match address {
        IpAddr::V4(v4) => Ipv4Net::new(v4, 24)
            .map(|n| IpNet::V4(n.trunc()))
            .unwrap_or(IpNet::V4(Ipv4Net::default())),
        IpAddr::V6(v6) => Ipv6Net::new(v6, 48)
            .map(|n| IpNet::V6(n.trunc()))
            .unwrap_or(IpNet::V6(Ipv6Net::default())),
    }
}
