//! Why a key cannot be read, made or written.

use std::path::PathBuf;

use hickory_proto::rr::Name;

/// A key that cannot be read, made or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A file that cannot be read or written.
    #[error("{}: {message}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// What the system said.
        message: String,
    },
    /// A line of a key file that is not what it should be.
    #[error("{}:{line}: {what}", file.display())]
    Malformed {
        /// The file.
        file: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What was expected.
        what: String,
    },
    /// A `.key` file without its `.private` file beside it.
    #[error("{}: no private key file beside it ({})", key.display(), private.display())]
    MissingPrivate {
        /// The `.key` file.
        key: PathBuf,
        /// The `.private` file looked for.
        private: PathBuf,
    },
    /// A key of another zone.
    #[error("{}the key is for {key}, not for {zone}", file.as_ref().map(|f| format!("{}: ", f.display())).unwrap_or_default())]
    OtherZone {
        /// The key's file, if it was read from one.
        file: Option<PathBuf>,
        /// The key's zone.
        key: Box<Name>,
        /// The zone asked for.
        zone: Box<Name>,
    },
    /// An algorithm this crate does not sign with.
    #[error("{}algorithm {algorithm} is not supported; use 8 (RSASHA256), 13 (ECDSAP256SHA256) or 15 (ED25519)", file.as_ref().map(|f| format!("{}: ", f.display())).unwrap_or_default())]
    Unsupported {
        /// The key's file, if it was read from one.
        file: Option<PathBuf>,
        /// The algorithm number.
        algorithm: u8,
    },
    /// A `.private` file without a field the algorithm needs.
    #[error("{}: no `{field}:` line", file.display())]
    MissingField {
        /// The `.private` file.
        file: PathBuf,
        /// The field, as the file would name it (`PrivateKey`, `Modulus`, ...).
        field: &'static str,
    },
    /// A private key that ring rejects (damaged, or not a key of its algorithm).
    #[error("{}: the private key is not valid: {reason}", file.display())]
    Invalid {
        /// The `.private` file.
        file: PathBuf,
        /// What ring said.
        reason: String,
    },
    /// A private key that does not belong to the public key beside it.
    #[error("{}: the private key does not belong to the public key in {}", private.display(), key.display())]
    Mismatch {
        /// The `.key` file.
        key: PathBuf,
        /// The `.private` file.
        private: PathBuf,
    },
    /// A key file that exists already: keys are never overwritten.
    #[error("{}: the file exists already; a key is never overwritten", file.display())]
    Exists {
        /// The file.
        file: PathBuf,
    },
    /// An algorithm this crate reads but cannot make keys for.
    #[error(
        "cannot generate keys of algorithm {algorithm}: ring makes no RSA keys; make one with `dnssec-keygen -a RSASHA256 -b 2048 ZONE` and read it with `Key::read`"
    )]
    CannotGenerate {
        /// The algorithm number.
        algorithm: u8,
    },
    /// No key for the zone.
    #[error("{}no key for {zone}", dir.as_ref().map(|f| format!("{}: ", f.display())).unwrap_or_default())]
    NoKeys {
        /// The directory searched, if any.
        dir: Option<PathBuf>,
        /// The zone.
        zone: Box<Name>,
    },
    /// The cryptography failed.
    #[error("key: {0}")]
    Crypto(String),
}
