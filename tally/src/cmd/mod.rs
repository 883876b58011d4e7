//! The command line: one module per subcommand, dispatched in [`run`].

pub mod ceremony;
pub mod count;
pub(crate) mod inputs;
#[cfg(feature = "insecure-demo-pki")]
pub mod insecure_demo_pki;
pub mod manifest;
pub mod officials_key;
pub mod package;
pub mod roll;

use clap::{Parser, Subcommand};

use crate::fsio::Written;

/// tally: the election officials' offline tool.
///
/// Run it on an offline computer. Exit status: 0 done; 1 the input was refused (a check
/// failed, a complaint, a wrong passphrase): read the message; 2 the command could not run
/// (a file is missing or unreadable, or the command line is wrong).
#[derive(Debug, Parser)]
#[command(name = "tally", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands, in the order of an election's setup (docs/election-setup.md).
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the election manifest.
    #[command(subcommand)]
    Manifest(manifest::ManifestCommand),
    /// Check the voter roll, sign and apply its change lists.
    #[command(subcommand)]
    Roll(roll::RollCommand),
    /// Demonstrations and tests only: mint a throw-away CA, voter certificates and a roll.
    ///
    /// NOT FOR REAL ELECTIONS. Reads the manifest. Writes, in the folder given with --out:
    /// trust-anchors.pem (the demo CA's certificate), crl.pem (a CRL revoking the first
    /// --revoke voters), roll.csv (the voters, Estonian demo codes, assigned to the manifest's
    /// districts in turn: roll country EE), ca-key.pem and ocsp-index.txt (the CA's key and
    /// the voters' status in OpenSSL's CA database format, for a demo OCSP responder:
    /// `openssl ocsp -index ocsp-index.txt -rkey ca-key.pem -rsigner trust-anchors.pem -CA
    /// trust-anchors.pem -port N`), and in voters/ one CODE.cert.pem and CODE.key.pem
    /// (unencrypted PKCS#8) per voter. Certificates are valid from a day before the voting
    /// window (or now) to a year after it. Only in a tally built with the feature
    /// `insecure-demo-pki`.
    #[cfg(feature = "insecure-demo-pki")]
    InsecureDemoPki(insecure_demo_pki::DemoPkiArgs),
    /// The key ceremony that makes the election key, so that no single computer ever holds
    /// the secret: see docs/key-ceremony.md for the whole procedure.
    #[command(subcommand)]
    Ceremony(ceremony::CeremonyCommand),
    /// The officials' signing key.
    #[command(subcommand)]
    OfficialsKey(officials_key::OfficialsKeyCommand),
    /// Build, sign and check the election package.
    #[command(subcommand)]
    Package(package::PackageCommand),
    /// The count, step 1: check the exported ballot box and apply the rules (on the
    /// offline computer; see docs/tally.md).
    ///
    /// Verifies the package with the officials' key and the roll's hash, then reads the
    /// ballot box: the collector's signature on its final head, the log recomputed from the
    /// records, and every submission again (certificate at the time of casting, revocation,
    /// roll and district, e-ID signature, every validity proof). Applies the rules: each
    /// voter's last valid submission counts; test votes before the window never count;
    /// voters on the paper list (--paper-votes) have their e-votes cancelled; an invalid
    /// submission is reported and changes nothing. A box whose submissions differ from the
    /// logged records is refused, naming them. Writes the count folder --out: the import
    /// report (import-report.txt, every submission not counted and why), the anonymized
    /// counted ballots sorted by hash, the encrypted sums per district, contest and
    /// selection, and the files the record and the auditors' bundle need.
    Import(count::import::ImportArgs),
    /// The count, step 2 (each trustee): decrypt your share of the sums, with proofs.
    ///
    /// Checks, before asking for your passphrase, that the count folder is the count of
    /// your election's closed ballot box: its package holds the key ceremony of your key
    /// share; the log is signed by the collector and is the box's; every counted ballot is
    /// the ballot of a leaf decided "counted", once, with valid proofs; and aggregates.bin is
    /// exactly their sum (never decrypt anything else). Then writes your decryption shares
    /// with DLEQ proofs to --out. The file holds no secret: hand it to the officials for
    /// `tally combine`.
    DecryptShare(count::decrypt_share::DecryptShareArgs),
    /// The count, step 3: recover the results from the trustees' decryption shares.
    ///
    /// Checks every share file (for this count, from a trustee of the ceremony, every
    /// proof); an invalid file is named with a WARNING and skipped. Needs at least the
    /// ceremony's threshold of valid files (refused otherwise, naming the valid ones);
    /// uses the first threshold of them by trustee number. Writes results.bin and the used
    /// share files into the count folder and prints the results.
    Combine(count::combine::CombineArgs),
    /// The count, step 4: write the sealed election record and the auditors' bundle.
    ///
    /// The record (--out) holds the package, the log's leaves and final head, the counted
    /// ballots, the sums, the decryption shares, the results and the rule counts; the
    /// auditors' bundle (--auditors-out) the ballot box, every leaf's outcome and the paper
    /// list. Each is sealed by record-index.bin (every file's SHA-256) signed with the
    /// officials' key (asks for its passphrase). Format: docs/election-record.md.
    Publish(count::publish::PublishArgs),
    /// Show the results of a sealed election record: per district, and by party for a
    /// contest held in several districts.
    ///
    /// Checks the record's seal with the officials' public key and every file's hash, then
    /// prints the results as a table (default), CSV, JSON or a self-contained HTML page
    /// with a bar chart per contest (--format), or writes them to a file (--out). Every
    /// percentage says what it is a share of. It does not re-verify the proofs: that is
    /// the independent verifier's job.
    Results(count::results::ResultsArgs),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    use ceremony::CeremonyCommand as C;
    use manifest::ManifestCommand as M;
    use officials_key::OfficialsKeyCommand as K;
    use package::PackageCommand as P;
    use roll::RollCommand as R;
    match cli.command {
        Command::Manifest(M::Check(a)) => manifest::check::run(a),
        Command::Roll(R::Check(a)) => roll::check::run(a),
        Command::Roll(R::SignChanges(a)) => roll::sign_changes::run(a),
        Command::Roll(R::ApplyChanges(a)) => roll::apply_changes::run(a),
        #[cfg(feature = "insecure-demo-pki")]
        Command::InsecureDemoPki(a) => insecure_demo_pki::run(a),
        Command::OfficialsKey(K::Generate(a)) => officials_key::generate::run(a),
        Command::Package(P::Build(a)) => package::build::run(*a),
        Command::Package(P::Verify(a)) => package::verify::run(a),
        Command::Ceremony(C::Init(a)) => ceremony::init::run(a),
        Command::Ceremony(C::Keygen(a)) => ceremony::keygen::run(a),
        Command::Ceremony(C::Roster(a)) => ceremony::roster::run(a),
        Command::Ceremony(C::Commit(a)) => ceremony::commit::run(a),
        Command::Ceremony(C::Receive(a)) => ceremony::receive::run(a),
        Command::Ceremony(C::Finish(a)) => ceremony::finish::run(a),
        Command::Ceremony(C::RunAll(a)) => ceremony::run_all::run(a),
        Command::Import(a) => count::import::run(a),
        Command::DecryptShare(a) => count::decrypt_share::run(a),
        Command::Combine(a) => count::combine::run(a),
        Command::Publish(a) => count::publish::run(a),
        Command::Results(a) => count::results::run(a),
    }
}

/// Prints the files a command wrote, with their SHA-256, for the ceremony minutes.
pub(crate) fn print_written(written: &[Written]) {
    for w in written {
        println!("wrote {}  (sha256 {})", w.path.display(), w.sha256);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_setup_subcommand_has_help() {
        let mut cli = Cli::command();
        for group in ["manifest", "roll", "officials-key", "package"] {
            let g = cli.find_subcommand_mut(group).unwrap();
            assert!(g.get_subcommands().count() > 0, "{group}");
            for sub in g.get_subcommands_mut() {
                let help = sub.render_long_help().to_string();
                assert!(help.len() > 400, "{group} {}: {help}", sub.get_name());
            }
        }
        for count in ["import", "decrypt-share", "combine", "publish", "results"] {
            let help = cli
                .find_subcommand_mut(count)
                .unwrap()
                .render_long_help()
                .to_string();
            assert!(help.len() > 400, "{count}: {help}");
        }
        let demo = cli.find_subcommand_mut("insecure-demo-pki").unwrap();
        assert!(demo
            .render_long_help()
            .to_string()
            .contains("NOT FOR REAL ELECTIONS"));
    }

    #[test]
    fn every_subcommand_has_help() {
        let mut cli = Cli::command();
        let ceremony = cli.find_subcommand_mut("ceremony").unwrap();
        let names: Vec<String> = ceremony
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .collect();
        assert_eq!(
            names,
            ["init", "keygen", "roster", "commit", "receive", "finish", "run-all"]
        );
        for sub in ceremony.get_subcommands_mut() {
            let help = sub.render_long_help().to_string();
            assert!(help.len() > 200, "{}: {help}", sub.get_name());
        }
    }
}
