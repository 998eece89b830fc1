use std::env;
use std::process::Command;

fn main() {
    if let Some(role) = env::var_os("ROLE") {
        if role == "worker" {
            return worker();
        }
    }
    if let Ok(exe) = env::current_exe() {
        let _ = Command::new(exe).env("ROLE", "worker").status();
    } else {
        eprintln!("no exe");
    }
}

fn worker() {}
