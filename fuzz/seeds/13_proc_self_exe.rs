use std::process::Command;

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("worker") => {
            println!("worker");
            return;
        }
        _ => {}
    }
    Command::new("/proc/self/exe").arg("worker").status().unwrap();
}
