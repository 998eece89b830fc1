use std::process::Command;

fn exe() -> std::path::PathBuf {
    std::env::current_exe().unwrap()
}

fn spawn_n(n: u32) {
    if n == 0 {
        return;
    }
    Command::new(exe()).arg(n.to_string()).spawn().unwrap();
    spawn_n(n - 1);
}

fn ping(n: u32) -> u32 {
    if n == 0 { 0 } else { pong(n - 1) }
}

fn pong(n: u32) -> u32 {
    if n == 0 { 1 } else { ping(n - 1) }
}

fn main() {
    if std::env::args().count() > 1 {
        return;
    }
    let _ = ping(10);
    spawn_n(3);
}
