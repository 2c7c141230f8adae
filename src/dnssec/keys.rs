//! The fleet's keys: DNSKEY pairs as BIND's `K<zone>.+<alg>.+<tag>.key` / `.private`
//! files hold them, and the roles they sign in.
//!
//! [`Key::read`] reads a pair that `dnssec-keygen` (BIND 9) or `ldns-keygen` wrote, for
//! RSASHA256 (8), ECDSAP256SHA256 (13) and ED25519 (15); [`KeySet::read_dir`] reads every
//! pair of a zone in a key directory; [`Key::generate`] makes an ECDSA or Ed25519 pair and
//! [`Key::write`] writes it in BIND's format. The signing keys are ring's, through
//! hickory-proto: this module only reads and writes the files.
//!
//! ```no_run
//! use std::path::Path;
//! use multiprimary::dnssec::KeySet;
//!
//! let origin = "example.com.".parse()?;
//! let keys = KeySet::read_dir(Path::new("/etc/bind/keys"), &origin)?;
//! for key in keys.key_signing() {
//!     println!("{} signs the DNSKEY RRset", key.tag());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use hickory_proto::dnssec::crypto::{EcdsaSigningKey, Ed25519SigningKey, RsaSigningKey};
use hickory_proto::dnssec::rdata::{DNSKEY, DS};
use hickory_proto::dnssec::{Algorithm, DigestType, PublicKey, PublicKeyBuf, SigningKey, TBS};
use hickory_proto::rr::Name;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use rustls_pki_types::PrivatePkcs1KeyDer;

use super::der;
use super::error::KeyError;
use super::keyfile::{self, MAX_FILE, PrivateFile, PublicFile};
use crate::text::codec::time_encode;

/// DNSKEY flags: the Secure Entry Point bit (RFC 4034 §2.1.1, RFC 3757).
pub(crate) const SECURE_ENTRY_POINT: u16 = 0x0001;

/// The fields of an RSA `.private` file, in the order of PKCS#1's `RSAPrivateKey`
/// (RFC 8017 §A.1.2: n, e, d, p, q, dP, dQ, qInv).
const RSA_FIELDS: [&str; 8] = [
    "Modulus",
    "PublicExponent",
    "PrivateExponent",
    "Prime1",
    "Prime2",
    "Exponent1",
    "Exponent2",
    "Coefficient",
];

/// The private key material, kept to write the key back to a `.private` file. Never
/// shown by `Debug`.
enum Secret {
    /// The 32-octet Ed25519 seed (RFC 8032 §5.1.5).
    Ed25519([u8; 32]),
    /// The P-256 private scalar, 32 octets big-endian.
    Ecdsa([u8; 32]),
    /// The RSA components as the `.private` file held them, in [`RSA_FIELDS`] order.
    Rsa(Box<[Vec<u8>; 8]>),
}

impl Secret {
    /// The `.private` fields of the key, in the order BIND writes them.
    fn fields(&self) -> Vec<(&'static str, &[u8])> {
        match self {
            Self::Ed25519(seed) => vec![("PrivateKey", seed.as_slice())],
            Self::Ecdsa(scalar) => vec![("PrivateKey", scalar.as_slice())],
            Self::Rsa(components) => RSA_FIELDS
                .iter()
                .zip(components.iter())
                .map(|(&name, value)| (name, value.as_slice()))
                .collect(),
        }
    }
}

/// One key pair of a zone: its DNSKEY and the private key that signs with it.
pub struct Key {
    zone: Name,
    dnskey: DNSKEY,
    /// The DNSKEY's data in wire form (RFC 4034 §2.1).
    data: Vec<u8>,
    tag: u16,
    signer: Box<dyn SigningKey>,
    secret: Secret,
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

/// The files of a key: `base.key` and `base.private` beside it.
struct Paths {
    key: PathBuf,
    private: PathBuf,
    /// The file name without `.key` or `.private`.
    base: String,
}

impl Paths {
    /// The pair a path names: a `.key` file, a `.private` file or their common stem.
    fn of(path: &Path) -> Self {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let base = name
            .strip_suffix(".key")
            .or_else(|| name.strip_suffix(".private"))
            .unwrap_or(&name)
            .to_owned();
        let dir = path.parent().unwrap_or(Path::new(""));
        Self {
            key: dir.join(format!("{base}.key")),
            private: dir.join(format!("{base}.private")),
            base,
        }
    }
}

/// The zone, algorithm and tag a BIND key file name states: `K<zone>+<alg>+<tag>`.
fn name_parts(base: &str) -> Option<(Name, u8, u16)> {
    let mut parts = base.strip_prefix('K')?.rsplitn(3, '+');
    let tag = parts.next()?.parse().ok()?;
    let algorithm = parts.next()?.parse().ok()?;
    let zone = Name::from_ascii(parts.next()?).ok().filter(Name::is_fqdn)?;
    Some((zone, algorithm, tag))
}

/// The text of a key file (at most [`MAX_FILE`] octets), invalid UTF-8 replaced.
fn read_text(file: &Path) -> Result<String, std::io::Error> {
    let mut bytes = Vec::new();
    File::open(file)?
        .take(MAX_FILE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(std::io::Error::other(format!(
            "larger than {MAX_FILE} octets: not a key file"
        )));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// An I/O error on `file`.
pub(crate) fn io_error(file: &Path, error: &std::io::Error) -> KeyError {
    KeyError::Io {
        file: file.to_path_buf(),
        message: error.to_string(),
    }
}

/// Now as key files write times: `YYYYMMDDHHMMSS`, UTC.
fn timestamp() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let mut text = String::new();
    time_encode(u32::try_from(seconds).unwrap_or(u32::MAX), &mut text);
    text
}

impl Key {
    /// A new key pair for `zone`, with `flags` (257 for a key-signing key or a CSK, 256
    /// for a zone-signing key): ED25519 (15) or ECDSAP256SHA256 (13).
    ///
    /// ```
    /// use multiprimary::dnssec::Key;
    /// use multiprimary::hickory_proto::dnssec::{Algorithm, PublicKey};
    ///
    /// let key = Key::generate("example.com.".parse()?, Algorithm::ECDSAP256SHA256, 257)?;
    /// assert!(key.is_key_signing());
    /// assert_eq!(key.dnskey().public_key().public_bytes().len(), 64);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// RSASHA256 (8): ring cannot make RSA keys ([`KeyError::CannotGenerate`]; make one
    /// with `dnssec-keygen` and [`Key::read`] it); any other algorithm
    /// ([`KeyError::Unsupported`]); no randomness from the system.
    pub fn generate(zone: Name, algorithm: Algorithm, flags: u16) -> Result<Self, KeyError> {
        let rng = SystemRandom::new();
        match algorithm {
            Algorithm::ED25519 => {
                let mut seed = [0u8; 32];
                rng.fill(&mut seed)
                    .map_err(|_| KeyError::Crypto("no randomness from the system".into()))?;
                let pair = Ed25519KeyPair::from_seed_unchecked(&seed)
                    .map_err(|e| KeyError::Crypto(e.to_string()))?;
                Self::from_signer(
                    zone,
                    flags,
                    Box::new(Ed25519SigningKey::from_ed25519(pair)),
                    Secret::Ed25519(seed),
                )
            }
            Algorithm::ECDSAP256SHA256 => {
                let signing = &ECDSA_P256_SHA256_FIXED_SIGNING;
                let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing, &rng)
                    .map_err(|_| KeyError::Crypto("no randomness from the system".into()))?;
                let generated = EcdsaKeyPair::from_pkcs8(signing, pkcs8.as_ref(), &rng)
                    .map_err(|e| KeyError::Crypto(e.to_string()))?;
                let scalar: [u8; 32] = der::pkcs8_ec_scalar(pkcs8.as_ref())
                    .and_then(|s| s.try_into().ok())
                    .ok_or_else(|| {
                        KeyError::Crypto("no P-256 private key in ring's PKCS#8".into())
                    })?;
                // Built again from the scalar written to files: ring checks that it makes
                // the same public key.
                let pair = EcdsaKeyPair::from_private_key_and_public_key(
                    signing,
                    &scalar,
                    generated.public_key().as_ref(),
                    &rng,
                )
                .map_err(|e| KeyError::Crypto(e.to_string()))?;
                Self::from_signer(
                    zone,
                    flags,
                    Box::new(EcdsaSigningKey::from_ecdsa(
                        pair,
                        Algorithm::ECDSAP256SHA256,
                    )),
                    Secret::Ecdsa(scalar),
                )
            }
            Algorithm::RSASHA256 => Err(KeyError::CannotGenerate {
                algorithm: u8::from(algorithm),
            }),
            other => Err(KeyError::Unsupported {
                file: None,
                algorithm: u8::from(other),
            }),
        }
    }

    /// Reads the key pair of a BIND `.key` file and the `.private` file beside it, as
    /// `dnssec-keygen` and `ldns-keygen` write them (`path` may also name the `.private`
    /// file, or the two files' common stem `K<zone>+<alg>+<tag>`). The key's zone is the
    /// DNSKEY record's owner; a file name in BIND's form must agree with the record.
    ///
    /// ```
    /// use std::path::Path;
    /// use multiprimary::dnssec::Key;
    ///
    /// let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/keys/ed25519");
    /// let key = Key::read(&dir.join("Kexample.com.+015+09276.key"))?;
    /// assert_eq!((key.tag(), key.flags()), (9276, 257));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Never panics; every error names the file (and the line, where there is one): a
    /// file that cannot be read ([`KeyError::Io`]), no `.private` file
    /// ([`KeyError::MissingPrivate`]), a malformed line ([`KeyError::Malformed`]) or a
    /// missing field ([`KeyError::MissingField`]), an algorithm other than 8, 13 and 15
    /// ([`KeyError::Unsupported`]), a file name that names another zone than the record's
    /// owner ([`KeyError::OtherZone`]), a private key ring rejects
    /// ([`KeyError::Invalid`]) or one that does not belong to the public key
    /// ([`KeyError::Mismatch`]).
    pub fn read(path: &Path) -> Result<Self, KeyError> {
        let paths = Paths::of(path);
        let text = read_text(&paths.key).map_err(|e| io_error(&paths.key, &e))?;
        let public = keyfile::parse_key(&paths.key, &text)?;
        let data = dnskey_data(public.flags, public.algorithm, &public.public);
        let tag = DNSKEY::calculate_key_tag_internal(&data);
        if let Some((zone, algorithm, file_tag)) = name_parts(&paths.base) {
            if zone != public.owner {
                return Err(KeyError::OtherZone {
                    file: Some(paths.key),
                    key: Box::new(public.owner.to_lowercase()),
                    zone: Box::new(zone.to_lowercase()),
                });
            }
            if (algorithm, file_tag) != (public.algorithm, tag) {
                return Err(KeyError::Malformed {
                    file: paths.key,
                    line: public.line,
                    what: format!(
                        "algorithm {algorithm} and tag {file_tag} as the file name says, \
                         found algorithm {} and tag {tag}",
                        public.algorithm
                    ),
                });
            }
        }
        if ![8, 13, 15].contains(&public.algorithm) {
            return Err(KeyError::Unsupported {
                file: Some(paths.key),
                algorithm: public.algorithm,
            });
        }
        let text = match read_text(&paths.private) {
            Ok(text) => text,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(KeyError::MissingPrivate {
                    key: paths.key,
                    private: paths.private,
                });
            }
            Err(e) => return Err(io_error(&paths.private, &e)),
        };
        let private = keyfile::parse_private(&paths.private, &text)?;
        if private.algorithm != public.algorithm {
            return Err(KeyError::Malformed {
                file: paths.private,
                line: private.algorithm_line,
                what: format!(
                    "algorithm {} as in {}, found {}",
                    public.algorithm,
                    paths.key.display(),
                    private.algorithm
                ),
            });
        }
        let (signer, secret) = build(&paths, &public, &private)?;
        let key = Self::from_signer(public.owner, public.flags, signer, secret)?;
        if key.dnskey.public_key().public_bytes() != public.public.as_slice() {
            return Err(KeyError::Mismatch {
                key: paths.key,
                private: paths.private,
            });
        }
        Ok(key)
    }

    /// Writes the key pair into `dir` as BIND does: `K<zone>+<alg>+<tag>.key` (the DNSKEY
    /// record) and `.private` (format v1.3, `Created`, `Publish` and `Activate` now),
    /// which `dnssec-signzone`, `dnssec-dsfromkey`, `ldns-signzone` and [`Key::read`]
    /// read. The `.private` file is made readable by its owner only (mode 0600) from the
    /// start; an existing file is never overwritten. Returns the paths of the `.key` and
    /// `.private` files.
    ///
    /// ```
    /// use multiprimary::dnssec::Key;
    /// use multiprimary::hickory_proto::dnssec::Algorithm;
    ///
    /// let dir = std::env::temp_dir().join(format!("multiprimary-doc-write-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let key = Key::generate("example.com.".parse()?, Algorithm::ED25519, 257)?;
    /// let (public, _private) = key.write(&dir)?;
    /// assert_eq!(Key::read(&public)?.dnskey(), key.dnskey());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Either file exists already ([`KeyError::Exists`]; nothing is written), or a file
    /// cannot be written ([`KeyError::Io`]; what was written is removed).
    pub fn write(&self, dir: &Path) -> Result<(PathBuf, PathBuf), KeyError> {
        let algorithm = u8::from(self.algorithm());
        let base = format!("K{}+{algorithm:03}+{:05}", self.zone, self.tag);
        let key_path = dir.join(format!("{base}.key"));
        let private_path = dir.join(format!("{base}.private"));
        let now = timestamp();
        let public = keyfile::write_key(
            &self.zone,
            self.flags(),
            algorithm,
            self.tag,
            self.dnskey.public_key().public_bytes(),
            &now,
        );
        let private = keyfile::write_private(algorithm, &self.secret.fields(), &now);
        if key_path.symlink_metadata().is_ok() {
            return Err(KeyError::Exists { file: key_path });
        }
        create(&private_path, private.as_bytes(), true)?;
        if let Err(error) = create(&key_path, public.as_bytes(), false) {
            let _ = std::fs::remove_file(&private_path);
            return Err(error);
        }
        Ok((key_path, private_path))
    }

    /// The key of `signer` for `zone` with `flags`; `secret` is the material to write.
    fn from_signer(
        zone: Name,
        flags: u16,
        signer: Box<dyn SigningKey>,
        secret: Secret,
    ) -> Result<Self, KeyError> {
        let public = signer
            .to_public_key()
            .map_err(|e| KeyError::Crypto(e.to_string()))?;
        let algorithm = signer.algorithm();
        let data = dnskey_data(flags, u8::from(algorithm), public.public_bytes());
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
            secret,
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

/// The DNSKEY data in wire form (RFC 4034 §2.1): flags, protocol 3, algorithm, key.
fn dnskey_data(flags: u16, algorithm: u8, public: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(4 + public.len());
    data.extend_from_slice(&flags.to_be_bytes());
    data.push(3);
    data.push(algorithm);
    data.extend_from_slice(public);
    data
}

/// Creates `file` (never overwriting one), mode 0600 when `private`, and writes `text`.
/// A file that was created but not written in full is removed.
fn create(file: &Path, text: &[u8], private: bool) -> Result<(), KeyError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut handle = match options.open(file) {
        Ok(handle) => handle,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            return Err(KeyError::Exists {
                file: file.to_path_buf(),
            });
        }
        Err(e) => return Err(io_error(file, &e)),
    };
    if let Err(e) = handle.write_all(text).and_then(|()| handle.sync_all()) {
        drop(handle);
        let _ = std::fs::remove_file(file);
        return Err(io_error(file, &e));
    }
    Ok(())
}

/// The signing key and its material from the two files, which agree on the algorithm.
fn build(
    paths: &Paths,
    public: &PublicFile,
    private: &PrivateFile,
) -> Result<(Box<dyn SigningKey>, Secret), KeyError> {
    let file = &paths.private;
    let mismatch = || KeyError::Mismatch {
        key: paths.key.clone(),
        private: paths.private.clone(),
    };
    let invalid = |reason: String| KeyError::Invalid {
        file: file.clone(),
        reason,
    };
    let wrong_length = |field: &str, expected: usize, found: usize| KeyError::Malformed {
        file: file.clone(),
        line: private.line(field).unwrap_or(0),
        what: format!("`{field}:` of {expected} octets, found {found}"),
    };
    let public_length = |expected: usize| KeyError::Malformed {
        file: paths.key.clone(),
        line: public.line,
        what: format!(
            "a public key of {expected} octets for algorithm {}, found {}",
            public.algorithm,
            public.public.len()
        ),
    };
    match public.algorithm {
        15 => {
            let value = private.field(file, "PrivateKey")?;
            let seed: [u8; 32] = value
                .try_into()
                .map_err(|_| wrong_length("PrivateKey", 32, value.len()))?;
            if public.public.len() != 32 {
                return Err(public_length(32));
            }
            let pair = Ed25519KeyPair::from_seed_and_public_key(&seed, &public.public)
                .map_err(|_| mismatch())?;
            Ok((
                Box::new(Ed25519SigningKey::from_ed25519(pair)),
                Secret::Ed25519(seed),
            ))
        }
        13 => {
            let value = private.field(file, "PrivateKey")?;
            // A big-endian integer: tools may drop leading zero octets.
            let mut scalar = [0u8; 32];
            let start = scalar
                .len()
                .checked_sub(value.len())
                .ok_or_else(|| wrong_length("PrivateKey", 32, value.len()))?;
            if let Some(slot) = scalar.get_mut(start..) {
                slot.copy_from_slice(value);
            }
            if public.public.len() != 64 {
                return Err(public_length(64));
            }
            let mut point = Vec::with_capacity(65);
            point.push(0x04);
            point.extend_from_slice(&public.public);
            let pair = EcdsaKeyPair::from_private_key_and_public_key(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                &scalar,
                &point,
                &SystemRandom::new(),
            )
            .map_err(|e| {
                if e.to_string() == "InconsistentComponents" {
                    mismatch()
                } else {
                    invalid(e.to_string())
                }
            })?;
            Ok((
                Box::new(EcdsaSigningKey::from_ecdsa(
                    pair,
                    Algorithm::ECDSAP256SHA256,
                )),
                Secret::Ecdsa(scalar),
            ))
        }
        8 => {
            let mut components: [Vec<u8>; 8] = Default::default();
            for (slot, field) in components.iter_mut().zip(RSA_FIELDS) {
                *slot = private.field(file, field)?.to_vec();
            }
            let [n, e, d, p, q, dp, dq, qinv] = &components;
            let der = der::pkcs1_der([n, e, d, p, q, dp, dq, qinv]);
            let signer = RsaSigningKey::from_pkcs1(
                &PrivatePkcs1KeyDer::from(der.as_slice()),
                Algorithm::RSASHA256,
            )
            .map_err(|e| invalid(e.to_string()))?;
            // ring checks dP, dQ and qInv against n and e only when it signs (it verifies
            // each signature it makes): sign once, so a damaged file fails here.
            signer
                .sign(&TBS::from(&b"multiprimary key check"[..]))
                .map_err(|e| invalid(e.to_string()))?;
            Ok((Box::new(signer), Secret::Rsa(Box::new(components))))
        }
        other => Err(KeyError::Unsupported {
            file: Some(paths.key.clone()),
            algorithm: other,
        }),
    }
}
