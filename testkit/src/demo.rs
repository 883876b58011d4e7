//! A demo election with real e-ID: a demo CA, voters with certificates and keys (districts
//! in turn, as `tally insecure-demo-pki` assigns them), a CRL revoking the first voters, the
//! roll ([`crate::pki`]), and the signed package of [`crate::election`]; written to a folder
//! in the layout the programs' command lines and the tests use:
//!
//! ```text
//! manifest.toml
//! package/                        the signed election package
//! pki/roll.csv  pki/trust-anchors.pem  pki/crl.pem
//! pki/voters/CODE.cert.pem  pki/voters/CODE.key.pem
//! pass.txt                        the passphrase of every secret file below
//! officials/officials-key.hex     the officials' public key (hex)
//! officials/officials-key.SECRET.json  their secret key, sealed as `tally` seals it
//! ceremony/trustee-J.share.SECRET.json  trustee J's key share, sealed as `tally` seals it
//! collector/collector-key.SECRET.hex  collector/collector-key.hex
//! ```
//!
//! The secret files are sealed with the cheap test parameters: the programs open them with
//! `--insecure-fast-kdf`.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use ivote_eid::insecure_demo_pki::{DemoCa, DemoVoter};
use ivote_eid::KeyAlgorithm;
use ivote_protocol::package::hex_file;
use ivote_secrets::passphrase::Passphrase;
use ivote_secrets::secret_file::{seal, KdfParams, SecretKind, SecretLabel};
use rand::rngs::OsRng;
use rand::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::election::{collector_key, Election, PackageSpec};
use crate::manifest;
use crate::pki::{PkiSpec, VoterCase};

/// The passphrase of a demo folder's secret files (`pass.txt`).
pub const PASSPHRASE: &str = "a passphrase for tests";

const DAY: i64 = 86_400;

/// What a demo election is made of.
#[derive(Debug, Clone)]
pub struct DemoSpec<'a> {
    /// The manifest (TOML): voters are assigned to its districts in turn.
    pub manifest: &'a str,
    /// Voters in the roll, each with a demo e-ID.
    pub voters: u32,
    /// Of those, the first `revoked` are on the CRL.
    pub revoked: u32,
    /// The key algorithm of the CA and the voters.
    pub algorithm: KeyAlgorithm,
    /// Trustees.
    pub trustees: u32,
    /// Trustees needed to decrypt.
    pub threshold: u32,
    /// The collector's key (e.g. read back from what `collector keygen` wrote).
    pub collector: SigningKey,
}

impl<'a> DemoSpec<'a> {
    /// 6 Ed25519 voters on `manifest`, none revoked, a 2-of-3 ceremony.
    pub fn new(manifest: &'a str) -> Self {
        DemoSpec {
            manifest,
            voters: 6,
            revoked: 0,
            algorithm: KeyAlgorithm::Ed25519,
            trustees: 3,
            threshold: 2,
            collector: collector_key(),
        }
    }

    /// Mints the PKI and builds the package. Certificates and the CRL are valid from a day
    /// before the earlier of now and the voting window to a year after the later (as
    /// `tally insecure-demo-pki` makes them).
    pub fn build(self, rng: &mut (impl RngCore + CryptoRng)) -> DemoElection {
        let m = manifest::load(self.manifest);
        let now = jiff::Timestamp::now().as_second();
        let from = now.min(m.voting_starts().as_second()) - DAY;
        let until = now.max(m.voting_ends().as_second()) + 365 * DAY;
        let districts: Vec<&str> = m.districts().iter().map(|d| d.id.as_str()).collect();
        let pki = PkiSpec {
            ca_name: "ivote test CA".into(),
            ca_algorithm: self.algorithm,
            voter_algorithm: self.algorithm,
            from,
            until,
            voters: (0..self.voters)
                .map(|i| {
                    let case = VoterCase::on_roll(districts[i as usize % districts.len()]);
                    if i < self.revoked {
                        case.revoked()
                    } else {
                        case
                    }
                })
                .collect(),
        }
        .build();
        let (ca, voters, roll, crl_pem) = (pki.ca, pki.voters, pki.roll_csv, pki.crl.pem);
        let voter_districts = pki.districts.into_iter().flatten().collect();
        let trust_anchors_pem = ca.cert_pem();
        let election = PackageSpec {
            manifest: self.manifest,
            trustees: self.trustees,
            threshold: self.threshold,
            roll_csv: &roll,
            trust_anchors_pem: trust_anchors_pem.as_bytes(),
            crl_pem: Some(crl_pem.as_bytes()),
            collector: self.collector,
        }
        .build(rng);
        DemoElection {
            manifest_toml: self.manifest.to_owned(),
            election,
            ca,
            voters,
            districts: voter_districts,
            roll_csv: roll,
            crl_pem,
        }
    }
}

/// A demo election: the package and keys, the demo PKI and the roll.
#[derive(Debug)]
pub struct DemoElection {
    /// The manifest as written.
    pub manifest_toml: String,
    /// The package and its keys.
    pub election: Election,
    /// The demo CA (for tests that mint more certificates).
    pub ca: DemoCa,
    /// The voters, in roll order.
    pub voters: Vec<DemoVoter>,
    /// Each voter's district (same order).
    pub districts: Vec<String>,
    /// The roll file (CSV).
    pub roll_csv: Vec<u8>,
    /// The CRL file (PEM).
    pub crl_pem: String,
}

impl DemoElection {
    /// Writes every file into `dir` (created if missing) in the layout of the module docs.
    pub fn write(&self, dir: &Path) -> DemoDir {
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        };
        write("manifest.toml", self.manifest_toml.as_bytes());
        ivote_protocol::fs::write_package_dir(&dir.join("package"), &self.election.files).unwrap();
        write("pki/roll.csv", &self.roll_csv);
        write("pki/trust-anchors.pem", self.ca.cert_pem().as_bytes());
        write("pki/crl.pem", self.crl_pem.as_bytes());
        for v in &self.voters {
            write(
                &format!("pki/voters/{}.cert.pem", v.code),
                v.cert_pem().unwrap().as_bytes(),
            );
            write(
                &format!("pki/voters/{}.key.pem", v.code),
                v.pkcs8_pem().unwrap().as_bytes(),
            );
        }
        write(
            "officials/officials-key.hex",
            &hex_file(self.election.officials.verifying_key().as_bytes()),
        );
        write("pass.txt", format!("{PASSPHRASE}\n").as_bytes());
        let sealed = |label: &SecretLabel, secret: &[u8]| {
            let pass = Passphrase::new(Zeroizing::new(PASSPHRASE.to_owned()));
            seal(
                label,
                secret,
                &pass,
                KdfParams::INSECURE_FAST_FOR_TESTS,
                &mut OsRng,
            )
            .unwrap()
        };
        write(
            "officials/officials-key.SECRET.json",
            &sealed(
                &ivote_secrets::officials_key::label(),
                self.election.officials.as_bytes(),
            ),
        );
        let package = &self.election.package;
        for key in &self.election.keys {
            let label = SecretLabel {
                kind: SecretKind::KeyShare,
                election_id: package.manifest.election_id().as_str().to_owned(),
                trustee: key.index(),
                ceremony_context: Some(package.ceremony.context),
            };
            write(
                &format!("ceremony/trustee-{}.share.SECRET.json", key.index()),
                &sealed(&label, key.to_bytes().as_slice()),
            );
        }
        let collector = &self.election.collector;
        write(
            "collector/collector-key.SECRET.hex",
            &hex_file(collector.as_bytes()),
        );
        write(
            "collector/collector-key.hex",
            &hex_file(collector.verifying_key().as_bytes()),
        );
        DemoDir {
            _tmp: None,
            root: dir.to_path_buf(),
        }
    }

    /// Writes every file into a new temporary folder, removed when the result is dropped.
    pub fn write_temp(&self) -> DemoDir {
        self.write_in(tempfile::tempdir().unwrap())
    }

    /// Writes every file into the temporary folder `tmp` (which may already hold files, e.g.
    /// the collector's keys as `collector keygen` wrote them), removed when the result is
    /// dropped.
    pub fn write_in(&self, tmp: tempfile::TempDir) -> DemoDir {
        let mut written = self.write(tmp.path());
        written._tmp = Some(tmp);
        written
    }
}

/// A folder holding a written demo election.
#[derive(Debug)]
pub struct DemoDir {
    _tmp: Option<tempfile::TempDir>,
    /// The folder.
    pub root: PathBuf,
}

impl DemoDir {
    /// A file or folder inside it.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// [`DemoDir::path`] as a string, for command lines.
    pub fn p(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_owned()
    }

    /// The officials' public key, hex.
    pub fn officials_key_hex(&self) -> String {
        std::fs::read_to_string(self.path("officials/officials-key.hex"))
            .unwrap()
            .trim()
            .to_owned()
    }
}
