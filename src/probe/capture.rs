//! The target's stdout and stderr, read by threads that keep draining (a
//! storm's children share the pipes, and a full pipe would stall them) but
//! keep only the first bytes.

use std::io::Read;
use std::sync::{Arc, Mutex};

/// Output kept per stream.
const KEEP_BYTES: usize = 64 * 1024;

/// A stream being captured.
pub(crate) type Capture = Arc<Mutex<Vec<u8>>>;

/// What was captured so far, as text.
pub(crate) fn text(capture: &Capture) -> String {
    String::from_utf8_lossy(&capture.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

pub(crate) fn drain(stream: Option<impl Read + Send + 'static>) -> Capture {
    let kept: Capture = Arc::default();
    if let Some(mut stream) = stream {
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
        });
    }
    kept
}
