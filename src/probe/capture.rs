//! The target's stdout and stderr, read by threads that keep draining (a
//! storm's children share the pipes, and a full pipe would stall them) but
//! keep only the first bytes.
//!
//! The pipes and their reader threads are made before the target starts:
//! a storm can fill every task the caller may have within milliseconds, and
//! a probe that then needs a thread of its own could no longer start one
//! (seen: a fork bomb under a caller's pids limit made thread creation fail
//! with `EAGAIN` and the probe panic, leaving the bomb running).

use std::io::{PipeWriter, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Output kept per stream.
const KEEP_BYTES: usize = 64 * 1024;

/// How long to wait for the end of a stream once the tree is gone: the
/// reader may still be copying the last bytes. A survivor that holds the
/// pipe open only costs this wait.
const EOF_WAIT: Duration = Duration::from_millis(500);

/// A stream being captured.
pub(crate) struct Capture {
    kept: Arc<Mutex<Vec<u8>>>,
    /// Signalled when the reader saw the end of the stream.
    done: Receiver<()>,
}

/// Gives `cmd` the target's arguments and environment, closes its stdin,
/// and captures its stdout and stderr (the captures start now, before the
/// target does). What every platform does before its own setup.
pub(crate) fn wire(cmd: &mut Command, options: &super::Options) -> std::io::Result<(Capture, Capture)> {
    let (stdout, out_pipe) = Capture::start()?;
    let (stderr, err_pipe) = Capture::start()?;
    cmd.args(&options.args)
        .envs(options.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::from(out_pipe))
        .stderr(Stdio::from(err_pipe));
    Ok((stdout, stderr))
}

impl Capture {
    /// A pipe whose reader thread already runs; the writer goes to the
    /// target (`Stdio::from`), and must be dropped here once it started.
    pub(crate) fn start() -> std::io::Result<(Capture, PipeWriter)> {
        let (mut reader, writer) = std::io::pipe()?;
        let kept: Arc<Mutex<Vec<u8>>> = Arc::default();
        let (tx, done) = channel();
        let sink = Arc::clone(&kept);
        std::thread::Builder::new().name("probe-capture".into()).stack_size(64 * 1024).spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                };
                let mut kept = sink.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let room = KEEP_BYTES.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
            let _ = tx.send(());
        })?;
        Ok((Capture { kept, done }, writer))
    }

    /// What was captured, as text, once the stream ended (or after a short
    /// wait if something still holds it open).
    pub(crate) fn text(&self) -> String {
        let _ = self.done.recv_timeout(EOF_WAIT);
        String::from_utf8_lossy(&self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner)).into_owned()
    }
}
