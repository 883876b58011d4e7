//! `voter-app check-receipt RECEIPT`: the receipt is the collector's (its key from the
//! verified package), and its ballot is still in the log: the latest signed head is
//! consistent with the head in the receipt (nothing removed or changed since), and the
//! ballot's record is included under the latest head. Works during voting and after close.

use std::io::Write;
use std::path::PathBuf;

use ivote_protocol::receipt::Receipt;

use crate::client::Collector;
use crate::code::tracking_code;
use crate::error::AppError;
use crate::files::read;
use crate::log_proof::{check_consistent, check_included, latest_head};
use crate::package::{Election, Trust};
use crate::screens;

/// What `check-receipt` needs.
#[derive(Debug)]
pub struct CheckReceiptArgs {
    /// The collector's address.
    pub collector: String,
    /// What the package is trusted by.
    pub trust: Trust,
    /// The receipt file saved by `vote`.
    pub receipt: PathBuf,
}

/// Runs `check-receipt`.
pub fn run(a: &CheckReceiptArgs, out: &mut dyn Write) -> Result<(), AppError> {
    let receipt = Receipt::from_bytes(&read(&a.receipt)?)?;
    let collector = Collector::new(&a.collector)?;
    let election = Election::fetch(&collector, &a.trust)?;
    let c = &receipt.content;
    receipt.verify(
        &election.package.collector_key,
        election.context(),
        &c.ballot_hash,
    )?;
    let head = latest_head(&collector, &election)?;
    check_consistent(&collector, &c.tree_head, &head)?;
    check_included(&collector, &head, c.leaf_index, &c.record_hash)?;
    let _ = write!(
        out,
        "{}",
        screens::receipt_checked(
            &election.package.manifest,
            &tracking_code(&c.ballot_hash),
            c.leaf_index,
            c.tree_head.timestamp,
            head.size,
            head.timestamp,
        )
    );
    Ok(())
}
