//! # ivote verifier
//!
//! The independent verifier of a published election record (`docs/verification.md`): it
//! trusts nothing the officials say and recomputes everything that can be recomputed from the
//! record with `ivote-crypto` and `ivote-protocol` alone.
//!
//! * [`check_record`]: every numbered check (`V01`..) on a record folder;
//! * [`audit_record`]: those and `A01`.. with the auditors' bundle and the voter roll;
//! * [`receipt::check_receipt`]: a voter's receipt against the record's final log;
//! * [`report`]: the outcome, as text or JSON, with the exit status.
//!
//! Only [`files`] touches the file system.

pub mod checks;
pub mod files;
pub mod receipt;
pub mod report;
pub mod stream;

pub use checks::audit::{audit_record, AuditInputs, AUDIT_CHECKS};
pub use checks::{check_record, Options, CATALOGUE};
pub use files::RecordDir;
pub use report::Report;
