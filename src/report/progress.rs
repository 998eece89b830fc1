//! Progress on stderr, one step at a time (a bundle run's building,
//! checking, bundling, packing, probing; `check`'s probe runs; a `probe`
//! run): a spinner with the elapsed time when stderr is a terminal, one
//! plain line per step when it is not (CI logs; not for `probe`, whose
//! output is the one thing it prints), nothing with `-q`. Steps that print
//! their own progress (cargo's build) get a plain line, never a spinner
//! drawn over their output.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Spinner,
    Lines,
    Silent,
}

pub struct Progress {
    mode: Mode,
    color: bool,
    spinner: Option<(ProgressBar, Instant, String, String)>,
}

impl Progress {
    /// On stderr: spinners on a terminal, lines elsewhere, nothing if `quiet`.
    pub fn stderr(quiet: bool, color: bool) -> Progress {
        let mode = match (quiet, std::io::stderr().is_terminal()) {
            (true, _) => Mode::Silent,
            (false, true) => Mode::Spinner,
            (false, false) => Mode::Lines,
        };
        Progress { mode, color, spinner: None }
    }

    /// On stderr, only when it is a terminal (spinners), and not if `quiet`.
    pub fn terminal_only(quiet: bool, color: bool) -> Progress {
        let mode = match (quiet, std::io::stderr().is_terminal()) {
            (false, true) => Mode::Spinner,
            _ => Mode::Silent,
        };
        Progress { mode, color, spinner: None }
    }

    /// Starts a step (`verb` like cargo's: "Checking"), ending the last one.
    pub fn step(&mut self, verb: &str, what: &str) {
        self.finish();
        match self.mode {
            Mode::Silent => {}
            Mode::Lines => self.line(verb, what),
            Mode::Spinner => {
                let bar = ProgressBar::new_spinner();
                let template = if self.color {
                    "{prefix:>12.cyan.bold} {msg} {spinner} {elapsed}"
                } else {
                    "{prefix:>12} {msg} {spinner} {elapsed}"
                };
                bar.set_style(
                    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.set_prefix(verb.to_string());
                bar.set_message(what.to_string());
                bar.enable_steady_tick(Duration::from_millis(100));
                self.spinner = Some((bar, Instant::now(), verb.to_string(), what.to_string()));
            }
        }
    }

    /// A step whose tool draws its own progress (cargo): a plain line.
    pub fn plain_step(&mut self, verb: &str, what: &str) {
        self.finish();
        if self.mode != Mode::Silent {
            self.line(verb, what);
        }
    }

    /// Ends the current step, leaving one line with its duration.
    pub fn finish(&mut self) {
        if let Some((bar, started, verb, what)) = self.spinner.take() {
            bar.finish_and_clear();
            self.line(&verb, &format!("{what} ({:.1} s)", started.elapsed().as_secs_f64()));
        }
    }

    fn line(&self, verb: &str, what: &str) {
        let verb = super::paint::paint(super::paint::NOTE, &format!("{verb:>12}"), self.color);
        let _ = writeln!(std::io::stderr(), "{verb} {what}");
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // A failed run leaves no spinner spinning over the error message.
        if let Some((bar, ..)) = self.spinner.take() {
            bar.finish_and_clear();
        }
    }
}
