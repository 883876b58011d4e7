//! The count (`docs/tally.md`): import the ballot box and apply the rules ([`import`],
//! [`checks`], [`log_order`], [`rules`], [`paper`]), publish every ballot with its selected
//! ballot and add those up ([`selection`], [`aggregate`]; docs/coercion.md), check the count as each trustee does before decrypting
//! ([`trustee_check`]), decrypt the sums with the trustees' shares ([`decrypt`]), publish the
//! sealed election record and the
//! auditors' bundle ([`publish`]), and show the results ([`results`]).

pub mod aggregate;
pub mod checks;
pub mod decrypt;
pub mod election;
pub mod error;
pub mod folder;
pub mod import;
pub mod log_order;
pub mod paper;
pub mod progress;
pub mod publish;
pub mod results;
pub mod rules;
pub mod selection;
pub mod trustee_check;
