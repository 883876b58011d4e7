//! `tally insecure-demo-pki`: a throw-away CA, voters and roll for demonstrations and tests.
//! Compiled only with the feature `insecure-demo-pki` (off in a release build).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use ivote_eid::insecure_demo_pki::{DemoCa, DemoVoter};
use ivote_eid::{EidError, KeyAlgorithm};
use ivote_protocol::manifest::WindowCheck;
use ivote_protocol::roll::{demo_estonian_code, Country, VoterRoll};

use crate::cmd::inputs;
use crate::error::Refusal;
use crate::fsio;

const WARNING: &str = "\
*******************************************************************************
*  INSECURE DEMO PKI: NOT FOR REAL ELECTIONS.                                 *
*  Anyone with these files can mint or impersonate voters. Use them only for  *
*  tests and demonstrations, never in a package for a real election.          *
*******************************************************************************";

/// The demo voters' key algorithm.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Algorithm {
    /// Ed25519 (fastest).
    Ed25519,
    /// ECDSA P-256.
    P256,
    /// ECDSA P-384 (as current Estonian ID-cards; slow to mint).
    P384,
}

impl From<Algorithm> for KeyAlgorithm {
    fn from(a: Algorithm) -> KeyAlgorithm {
        match a {
            Algorithm::Ed25519 => KeyAlgorithm::Ed25519,
            Algorithm::P256 => KeyAlgorithm::EcdsaP256,
            Algorithm::P384 => KeyAlgorithm::EcdsaP384,
        }
    }
}

/// The arguments of `tally insecure-demo-pki` (help on [`crate::cmd::Command`]).
#[derive(Debug, Args)]
pub struct DemoPkiArgs {
    /// How many voters to mint.
    #[arg(long, value_name = "N")]
    pub voters: u32,
    /// The election manifest: voters are assigned to its districts in turn.
    #[arg(long, value_name = "MANIFEST.toml")]
    pub manifest: PathBuf,
    /// The folder to write into (must not hold a demo PKI already).
    #[arg(long, value_name = "FOLDER")]
    pub out: PathBuf,
    /// The key algorithm of the CA and the voters.
    #[arg(long, value_enum, default_value = "ed25519")]
    pub algorithm: Algorithm,
    /// Revoke this many voters (the first ones) in the CRL.
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub revoke: u32,
}

/// The demo PKI's files in the output folder.
pub const CA_FILE: &str = "trust-anchors.pem";
/// The CRL.
pub const CRL_FILE: &str = "crl.pem";
/// The roll.
pub const ROLL_FILE: &str = "roll.csv";
/// The voters' certificates and keys.
pub const VOTERS_DIR: &str = "voters";
/// The demo CA's private key, for a demo OCSP responder answering as the CA.
pub const CA_KEY_FILE: &str = "ca-key.pem";
/// The voters' status in OpenSSL's CA database format, for `openssl ocsp -index`.
pub const OCSP_INDEX_FILE: &str = "ocsp-index.txt";

/// Runs `insecure-demo-pki`.
pub fn run(a: DemoPkiArgs) -> Result<()> {
    eprintln!("{WARNING}");
    let manifest = inputs::manifest(&a.manifest, WindowCheck::AllowPast)?;
    let districts: Vec<&str> = manifest.districts().iter().map(|d| d.id.as_str()).collect();
    let now = jiff::Timestamp::now().as_second();
    const DAY: i64 = 86_400;
    // Valid from a day before the earlier of now and the window, to a year after the later.
    let from = now.min(manifest.voting_starts().as_second()) - DAY;
    let until = now.max(manifest.voting_ends().as_second()) + 365 * DAY;
    let alg = KeyAlgorithm::from(a.algorithm);
    let eid = |e| Refusal::Eid {
        file: a.out.display().to_string(),
        error: Box::new(e),
    };
    let ca = DemoCa::new("ivote demo CA", alg, from, until + 9 * 365 * DAY).map_err(eid)?;
    let codes = (0..a.voters)
        .map(|i| {
            demo_estonian_code(i).ok_or_else(|| EidError::DemoPki {
                detail: format!("number voters: {i} is past the demo codes"),
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(eid)?;
    let voters = ca.issue_many(&codes, alg, from, until).map_err(eid)?;
    let revoked: Vec<u64> = voters
        .iter()
        .take(a.revoke as usize)
        .map(|v| v.serial)
        .collect();
    let crl = ca.crl(&revoked, from, until).map_err(eid)?;

    let voters_dir = a.out.join(VOTERS_DIR);
    fsio::ensure_dir(&voters_dir)?;
    let mut roll = String::from("id_code,district\n");
    for (i, v) in voters.iter().enumerate() {
        let district = districts
            .get(i % districts.len().max(1))
            .copied()
            .unwrap_or("");
        roll.push_str(&format!("{},{district}\n", v.code));
        create(
            &voters_dir,
            &format!("{}.cert.pem", v.code),
            v.cert_pem().map_err(eid)?.as_bytes(),
        )?;
        create(
            &voters_dir,
            &format!("{}.key.pem", v.code),
            v.pkcs8_pem().map_err(eid)?.as_bytes(),
        )?;
    }
    // The roll must load as every program will load it.
    VoterRoll::parse(roll.as_bytes(), Country::EE, &manifest).map_err(|errors| Refusal::Roll {
        file: ROLL_FILE.into(),
        errors,
    })?;
    let index = ocsp_index(&voters, &revoked, from, until)?;
    let written = [
        fsio::write_new(&a.out, CA_FILE, ca.cert_pem().as_bytes())?,
        fsio::write_new(&a.out, CRL_FILE, crl.pem.as_bytes())?,
        fsio::write_new(&a.out, ROLL_FILE, roll.as_bytes())?,
        fsio::write_new(&a.out, CA_KEY_FILE, ca.key_pem().as_bytes())?,
        fsio::write_new(&a.out, OCSP_INDEX_FILE, index.as_bytes())?,
    ];
    crate::cmd::print_written(&written);
    println!(
        "{} voters ({}) in {}, {} revoked in {CRL_FILE}; roll country EE",
        voters.len(),
        alg.name(),
        voters_dir.display(),
        revoked.len()
    );
    println!("NOT FOR REAL ELECTIONS");
    Ok(())
}

/// OpenSSL's CA database (`index.txt`): one line per voter, `V` (valid) or `R` (revoked at
/// `from`), expiry and revocation as UTCTime, the serial in upper-case hex, the subject. What
/// `openssl ocsp -index` answers from, so a demo or a test runs a real OCSP responder
/// (docs/eid.md, "OCSP at cast time").
fn ocsp_index(voters: &[DemoVoter], revoked: &[u64], from: i64, until: i64) -> Result<String> {
    let utc = |t: i64| -> Result<String> {
        Ok(jiff::Timestamp::from_second(t)?
            .strftime("%y%m%d%H%M%SZ")
            .to_string())
    };
    let (expiry, revoked_at) = (utc(until)?, utc(from)?);
    Ok(voters
        .iter()
        .map(|v| {
            let mut serial = format!("{:X}", v.serial);
            if serial.len() % 2 == 1 {
                serial.insert(0, '0');
            }
            let (status, when) = if revoked.contains(&v.serial) {
                ("R", revoked_at.as_str())
            } else {
                ("V", "")
            };
            format!(
                "{status}\t{expiry}\t{when}\t{serial}\tunknown\t/CN={}\n",
                v.code
            )
        })
        .collect())
}

/// Writes a new voter file (never overwriting). Not synced to disk one by one: thousands of
/// throw-away demo files would take minutes on a slow disk.
fn create(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let path = dir.join(name);
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| f.write_all(bytes))
        .with_context(|| format!("cannot create {}", path.display()))
}
