
/// Where a child started by this program from its own executable goes (the
/// guard at the top of `main` sends it here; inserted by `cargo freeze check
/// --fix`). Move the work the child should do into this function.
///
/// `depth` counts nested self-launches (each self-spawn site passes its own
/// depth plus one in the marker variable); a child deeper than the limit
/// refuses to start, so even worker code that spawns again cannot fill the
/// process table.
fn freeze_worker(depth: std::ffi::OsString) -> ! {
    const MARKER: &str = "@MARKER@";
    const MAX_DEPTH: u32 = @MAX_DEPTH@;
    let depth: u32 = depth.to_str().and_then(|d| d.parse().ok()).unwrap_or(u32::MAX);
    if depth > MAX_DEPTH {
        eprintln!("@BIN@: refusing to start: nested self-launch {depth} ({MARKER}) is deeper than {MAX_DEPTH}");
        std::process::exit(121);
    }
    eprintln!("@BIN@: started as a worker ({MARKER}={depth}); no worker code yet: see `freeze_worker`");
    std::process::exit(0)
}
