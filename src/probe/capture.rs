//! The target's stdout and stderr, read by threads that keep draining (a
//! storm's children share the pipes, and a full pipe would stall them) but
//! keep only the first bytes.

use std::io::Read;
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

/// What was captured, as text, once the stream ended (or after a short
/// wait if something still holds it open).
pub(crate) fn text(capture: &Capture) -> String {
    let _ = capture.done.recv_timeout(EOF_WAIT);
    String::from_utf8_lossy(&capture.kept.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

pub(crate) fn drain(stream: Option<impl Read + Send + 'static>) -> Capture {
    let kept: Arc<Mutex<Vec<u8>>> = Arc::default();
    let (tx, done) = channel();
    match stream {
        Some(mut stream) => {
            let sink = Arc::clone(&kept);
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let mut kept = sink.lock().unwrap_or_else(|e| e.into_inner());
                    let room = KEEP_BYTES.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
                let _ = tx.send(());
            });
        }
        None => {
            let _ = tx.send(());
        }
    }
    Capture { kept, done }
}
