//! The [`Ui`] of the programs people run (the demo, the national-scale run): step titles and
//! detail lines on standard output, progress bars (indicatif) on standard error.

use indicatif::{ProgressBar, ProgressStyle};

use crate::flow::{Progress, Ui};

/// Prints to the terminal.
#[derive(Debug)]
pub struct Terminal;

impl Ui for Terminal {
    fn step(&self, title: &str) {
        println!("\n==> {title}");
    }
    fn info(&self, line: &str) {
        println!("    {line}");
    }
    fn progress(&self, len: u64, title: &str) -> Box<dyn Progress> {
        let bar = ProgressBar::new(len);
        if let Ok(style) =
            ProgressStyle::with_template("    {bar:40} {pos}/{len} {msg} ({elapsed}, {per_sec})")
        {
            bar.set_style(style);
        }
        bar.set_message(title.to_owned());
        Box::new(Bar(bar))
    }
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn inc(&self) {
        self.0.inc(1);
    }
    fn inc_by(&self, n: u64) {
        self.0.inc(n);
    }
    fn finish(&self) {
        self.0.finish();
    }
}
