use std::process::Command;

fn main() {
    let exe = std::env::current_exe().expect("exe");
    Command::new(exe).arg("again").spawn().unwrap().wait().unwrap();
}
