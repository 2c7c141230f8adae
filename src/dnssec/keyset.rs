//! The keys of one zone in their roles, and reading them from a key directory.

use std::path::Path;

use hickory_proto::rr::Name;

use super::error::KeyError;
use super::keys::{Key, io_error};

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

    /// The keys of `origin` in the key directory `dir`: every `K<origin>+*.key` file
    /// (the name compared without regard to case, `origin` fully qualified as BIND writes
    /// it: `Kexample.com.+015+12345.key`) with its `.private` file, read with
    /// [`Key::read`], in the order of their file names. Other zones' files are ignored.
    ///
    /// ```
    /// use std::path::Path;
    /// use multiprimary::dnssec::KeySet;
    ///
    /// let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/keys/ed25519");
    /// let keys = KeySet::read_dir(&dir, &"example.com.".parse()?)?;
    /// assert_eq!(keys.keys().len(), 2); // the KSK and the ZSK; not example.net.'s key
    /// assert_eq!(keys.key_signing().count(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The directory cannot be read ([`KeyError::Io`]), it holds no key of `origin`
    /// ([`KeyError::NoKeys`]), a key file's record is another zone's
    /// ([`KeyError::OtherZone`]), or any error of [`Key::read`].
    pub fn read_dir(dir: &Path, origin: &Name) -> Result<Self, KeyError> {
        let origin = origin.to_lowercase();
        let prefix = format!("k{origin}+");
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))? {
            let entry = entry.map_err(|e| io_error(dir, &e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            let lower = name.to_ascii_lowercase();
            if lower.starts_with(&prefix) && lower.ends_with(".key") {
                files.push((name.to_owned(), entry.path()));
            }
        }
        files.sort();
        let mut keys = Vec::with_capacity(files.len());
        for (_, file) in files {
            let key = Key::read(&file)?;
            if *key.zone() != origin {
                return Err(KeyError::OtherZone {
                    file: Some(file),
                    key: Box::new(key.zone().clone()),
                    zone: Box::new(origin),
                });
            }
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(KeyError::NoKeys {
                dir: Some(dir.to_path_buf()),
                zone: Box::new(origin),
            });
        }
        Self::new(origin, keys)
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
