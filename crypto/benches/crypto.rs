//! Criterion benchmarks of the crypto core. Run: `cargo bench -p ivote-crypto`.
fn main() {}
