//! The national-scale run (`national`) at a tiny size, as a real process: interrupted in
//! the middle of a chunk of the cast, resumed up to the end of the cast (`--until cast`),
//! resumed to the end with exact results and rule counts, rerun on the finished folder
//! (nothing done), and refused with other parameters.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::{Command, Output};

use ivote_e2e::programs::{printed, Programs};

const TINY: [&str; 14] = [
    "--districts",
    "3",
    "--candidates",
    "30",
    "--voters",
    "60",
    "--revotes",
    "5",
    "--paper",
    "3",
    "--chunk",
    "16",
    "--concurrency",
    "4",
];

fn national(dir: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_national"))
        .arg("--dir")
        .arg(dir)
        .arg("--no-build")
        .args(TINY)
        .args(extra)
        .output()
        .unwrap()
}

fn progress(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("progress.json")).unwrap()).unwrap()
}

#[test]
fn a_tiny_national_run_interrupted_resumed_and_rerun() {
    // The programs the bench runs, built beside it.
    Programs::build_and_locate().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");

    // Interrupted after 5 submissions of the first chunk: those 5 are in the ballot box,
    // the chunk is not done.
    let out = national(&dir, &["--until", "cast", "--test-interrupt-cast", "5"]);
    let text = printed(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("interrupted on purpose"), "{text}");
    assert_eq!(progress(&dir)["cast"]["chunks_done"], 0, "{text}");

    // Resumed up to the end of the cast: the first chunk is sent again (5 voters now hold
    // one submission more than planned), then the others.
    let out = national(&dir, &["--until", "cast"]);
    let text = printed(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Stopped after the cast stage"), "{text}");
    let p = progress(&dir);
    assert_eq!(
        p["cast"]["chunks_done"], 5,
        "65 submissions in chunks of 16"
    );
    assert_eq!(p["cast"]["resubmitted"].as_object().unwrap().len(), 5);
    assert_eq!(p["cast"]["intake"]["items"], 65);
    assert!(!p["done"].as_array().unwrap().contains(&"close".into()));

    // Resumed to the end: results and rule counts exactly the plan's (with the 5 extra).
    let out = national(&dir, &[]);
    let text = printed(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Done: the results are exactly what the voters cast"),
        "{text}"
    );
    assert!(
        text.contains("rule counts as planned: 70 submissions,"),
        "{text}"
    );
    let timings = std::fs::read_to_string(dir.join("timings.md")).unwrap();
    for row in [
        "setup",
        "cast: ballot creation",
        "cast: collector intake",
        "close",
        "export",
        "count: tally import",
        "count: tally total",
        "verify: verifier check",
        "verify: verifier audit",
    ] {
        assert!(timings.contains(&format!("| {row}")), "{row}:\n{timings}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("timings.json")).unwrap()).unwrap();
    assert_eq!(json["params"]["voters"], 60);

    // A rerun of the finished folder does nothing and succeeds.
    let before = std::fs::read(dir.join("progress.json")).unwrap();
    let out = national(&dir, &[]);
    let text = printed(&out);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("==> Casting"), "{text}");
    assert!(text.contains("already done before this run"), "{text}");
    assert_eq!(std::fs::read(dir.join("progress.json")).unwrap(), before);

    // Other parameters in the same folder: refused, nothing changed.
    let out = Command::new(env!("CARGO_BIN_EXE_national"))
        .arg("--dir")
        .arg(&dir)
        .args(["--no-build"])
        .args(TINY)
        .args(["--seed", "7"])
        .output()
        .unwrap();
    let text = printed(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("other parameters"), "{text}");
    assert_eq!(std::fs::read(dir.join("progress.json")).unwrap(), before);
}
