use std::os::unix::process::CommandExt;
use std::process::Command;

fn main() {
    if std::env::var("REEXEC").is_ok() {
        println!("re-executed");
        return;
    }
    let err = Command::new(std::env::current_exe().unwrap()).env("REEXEC", "1").exec();
    panic!("exec failed: {err}");
}
