//! The fleet's keys: DNSKEY pairs as BIND's `K<zone>.+<alg>.+<tag>.key` / `.private`
//! files hold them, and the roles they sign in.

use std::fmt;
use std::path::PathBuf;

use hickory_proto::dnssec::crypto::Ed25519SigningKey;
use hickory_proto::dnssec::rdata::{DNSKEY, DS};
use hickory_proto::dnssec::{Algorithm, DigestType, PublicKey, PublicKeyBuf, SigningKey, TBS};
use hickory_proto::rr::Name;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::Ed25519KeyPair;

/// DNSKEY flags: the Secure Entry Point bit (RFC 4034 §2.1.1, RFC 3757).
pub(crate) const SECURE_ENTRY_POINT: u16 = 0x0001;

/// One key pair of a zone: its DNSKEY and the private key that signs with it.
pub struct Key {
    zone: Name,
    dnskey: DNSKEY,
    /// The DNSKEY's data in wire form (RFC 4034 §2.1).
    data: Vec<u8>,
    tag: u16,
    signer: Box<dyn SigningKey>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("zone", &self.zone)
            .field("flags", &self.flags())
            .field("algorithm", &self.algorithm())
            .field("tag", &self.tag)
            .finish_non_exhaustive()
    }
}

impl Key {
    /// A new key pair for `zone`, with `flags` (257 for a key-signing key or a CSK, 256
    /// for a zone-signing key).
    ///
    /// # Errors
    ///
    /// An algorithm other than ED25519 (15), ECDSAP256SHA256 (13) or RSASHA256 (8), or
    /// no randomness from the system.
    pub fn generate(zone: Name, algorithm: Algorithm, flags: u16) -> Result<Self, KeyError> {
        match algorithm {
            Algorithm::ED25519 => {
                let mut seed = [0u8; 32];
                SystemRandom::new()
                    .fill(&mut seed)
                    .map_err(|_| KeyError::Crypto("no randomness from the system".into()))?;
                let pair = Ed25519KeyPair::from_seed_unchecked(&seed)
                    .map_err(|e| KeyError::Crypto(e.to_string()))?;
                Self::from_signer(zone, flags, Box::new(Ed25519SigningKey::from_ed25519(pair)))
            }
            other => Err(KeyError::Unsupported {
                file: None,
                algorithm: u8::from(other),
            }),
        }
    }

    /// The key of `signer` for `zone` with `flags`.
    pub(crate) fn from_signer(
        zone: Name,
        flags: u16,
        signer: Box<dyn SigningKey>,
    ) -> Result<Self, KeyError> {
        let public = signer
            .to_public_key()
            .map_err(|e| KeyError::Crypto(e.to_string()))?;
        let algorithm = signer.algorithm();
        let mut data = Vec::with_capacity(4 + public.public_bytes().len());
        data.extend_from_slice(&flags.to_be_bytes());
        data.push(3);
        data.push(u8::from(algorithm));
        data.extend_from_slice(public.public_bytes());
        let tag = DNSKEY::calculate_key_tag_internal(&data);
        let dnskey = DNSKEY::with_flags(
            flags,
            PublicKeyBuf::new(public.public_bytes().to_vec(), algorithm),
        );
        Ok(Self {
            zone: zone.to_lowercase(),
            dnskey,
            data,
            tag,
            signer,
        })
    }

    /// The zone the key belongs to (lowercased).
    pub fn zone(&self) -> &Name {
        &self.zone
    }

    /// The DNSKEY flags.
    pub fn flags(&self) -> u16 {
        self.dnskey.flags()
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.signer.algorithm()
    }

    /// The key tag (RFC 4034 Appendix B).
    pub fn tag(&self) -> u16 {
        self.tag
    }

    /// The DNSKEY record data.
    pub fn dnskey(&self) -> &DNSKEY {
        &self.dnskey
    }

    /// Whether the key has the Secure Entry Point flag (257): it signs the DNSKEY RRset,
    /// and its DS goes to the parent.
    pub fn is_key_signing(&self) -> bool {
        self.flags() & SECURE_ENTRY_POINT != 0
    }

    /// The DS record of the key with a SHA-256 digest (RFC 4509), to give the parent.
    ///
    /// # Errors
    ///
    /// The digest cannot be computed (not with the algorithms this crate reads).
    pub fn ds(&self) -> Result<DS, KeyError> {
        let digest = self
            .dnskey
            .to_digest(&self.zone, DigestType::SHA256)
            .map_err(|e| KeyError::Crypto(e.to_string()))?;
        Ok(DS::new(
            self.tag,
            self.algorithm(),
            DigestType::SHA256,
            digest.as_ref().to_vec(),
        ))
    }

    /// The DNSKEY's data in wire form.
    pub(crate) fn data(&self) -> &[u8] {
        &self.data
    }

    /// The signature over `data` (RFC 4034 §3.1.8.1: the RRSIG's data without its
    /// signature, then the RRset in canonical form).
    pub(crate) fn sign(&self, data: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.signer
            .sign(&TBS::from(data))
            .map_err(|e| KeyError::Crypto(e.to_string()))
    }
}

/// The keys of one zone, each in its role.
#[derive(Debug)]
pub struct KeySet {
    origin: Name,
    keys: Vec<Key>,
}

impl KeySet {
    /// The keys for `origin`.
    ///
    /// # Errors
    ///
    /// No keys, or a key for another zone.
    pub fn new(origin: Name, keys: Vec<Key>) -> Result<Self, KeyError> {
        let origin = origin.to_lowercase();
        if let Some(other) = keys.iter().find(|k| *k.zone() != origin) {
            return Err(KeyError::OtherZone {
                file: None,
                key: Box::new(other.zone().clone()),
                zone: Box::new(origin),
            });
        }
        if keys.is_empty() {
            return Err(KeyError::NoKeys {
                dir: None,
                zone: Box::new(origin),
            });
        }
        Ok(Self { origin, keys })
    }

    /// The zone (lowercased).
    pub fn origin(&self) -> &Name {
        &self.origin
    }

    /// Every key, in the order given.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// The keys that sign the DNSKEY RRset (and CDS and CDNSKEY): those with the Secure
    /// Entry Point flag, or every key when none has it.
    pub fn key_signing(&self) -> impl Iterator<Item = &Key> + '_ {
        let any = self.keys.iter().any(Key::is_key_signing);
        self.keys.iter().filter(move |k| !any || k.is_key_signing())
    }

    /// The keys that sign every other RRset: those without the Secure Entry Point flag,
    /// or, when every key has it (a CSK), every key.
    pub fn zone_signing(&self) -> impl Iterator<Item = &Key> + '_ {
        let any = self.keys.iter().any(|k| !k.is_key_signing());
        self.keys
            .iter()
            .filter(move |k| !any || !k.is_key_signing())
    }
}

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
