//! Certificates already validated, by SHA-256 of their DER: a voter who revotes sends the
//! same certificate again, and its chain, key usage and voter id cannot have changed, so
//! only its status at the new time (validity, revocation) is checked again. Shared by every
//! thread that checks submissions; bounded.

use std::collections::HashMap;
use std::sync::Mutex;

use ivote_eid::{EidError, VoterCertificate};

/// How many certificates the cache keeps in all.
const CAPACITY: usize = 100_000;
/// Independent locks, so that threads checking submissions in parallel rarely wait.
const SHARDS: usize = 16;

/// A bounded, thread-safe cache of validated certificates. A shard that is full is emptied
/// (revotes tend to come close together, so recent certificates matter most).
#[derive(Debug)]
pub struct CertificateCache {
    shards: Vec<Mutex<HashMap<[u8; 32], VoterCertificate>>>,
}

impl Default for CertificateCache {
    fn default() -> Self {
        CertificateCache {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }
}

impl CertificateCache {
    /// The certificate whose DER hashes to `fingerprint`: from the cache with its status
    /// checked by `status`, or else from `validate` (kept when it succeeds).
    pub fn get_or_validate(
        &self,
        fingerprint: &[u8; 32],
        status: impl FnOnce(&VoterCertificate) -> Result<(), EidError>,
        validate: impl FnOnce() -> Result<VoterCertificate, EidError>,
    ) -> Result<VoterCertificate, EidError> {
        let shard = self
            .shards
            .get(usize::from(fingerprint[0]) % SHARDS)
            .and_then(|s| s.lock().ok().map(|cache| cache.get(fingerprint).cloned()));
        if let Some(Some(cert)) = shard {
            status(&cert)?;
            return Ok(cert);
        }
        let cert = validate()?;
        if let Some(mut cache) = self
            .shards
            .get(usize::from(fingerprint[0]) % SHARDS)
            .and_then(|s| s.lock().ok())
        {
            if cache.len() >= CAPACITY / SHARDS {
                cache.clear();
            }
            cache.insert(*fingerprint, cert.clone());
        }
        Ok(cert)
    }

    /// How many certificates are cached.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .filter_map(|s| s.lock().ok().map(|c| c.len()))
            .sum()
    }

    /// Whether no certificate is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
