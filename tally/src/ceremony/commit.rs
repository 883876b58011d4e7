//! Round 1 (each trustee as a dealer): the commitment to a secret polynomial and its shares,
//! each encrypted to its recipient.

use std::path::Path;

use anyhow::Result;
use ivote_crypto::threshold::dkg::SecretPolynomial;
use ivote_crypto::threshold::share_transport::seal_share;
use ivote_protocol::ceremony::files;
use rand::{CryptoRng, RngCore};

use super::load::load_roster;
use crate::fsio::{self, Written};

/// Round 1 (dealer `trustee`): draws the secret polynomial, publishes its commitment and the
/// `n` shares, each encrypted to its recipient (the dealer's own share included, encrypted to
/// itself). The polynomial exists only in memory during this call.
pub fn commit(
    dir: &Path,
    trustee: u32,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<Vec<Written>> {
    let roster = load_roster(dir)?;
    let params = roster.params();
    params.check_trustee(trustee)?;
    let context = roster.context_hash();
    let poly = SecretPolynomial::random(params.threshold(), trustee, rng)?;
    let commitment = poly.commit(&context, rng)?;
    let mut written = Vec::new();
    for j in 1..=params.n() {
        let share = poly.evaluate(j)?;
        let sealed = seal_share(&context, roster.key(j)?, &share, rng)?;
        written.push(fsio::write_new(
            dir,
            &files::share_file(trustee, j),
            &sealed,
        )?);
    }
    drop(poly);
    written.push(fsio::write_new(
        dir,
        &files::commitment_file(trustee),
        &files::commitment_to_json(&context, &commitment)?,
    )?);
    Ok(written)
}
