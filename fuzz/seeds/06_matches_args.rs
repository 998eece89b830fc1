use std::env;
use std::process::Command;

fn main() {
    if matches!(env::args().nth(1).as_deref(), Some("--child") | Some("-c")) {
        work();
        std::process::exit(0);
    }
    let me = env::current_exe().unwrap();
    let out = Command::new(&me).arg("--child").output().unwrap();
    println!("{}", String::from_utf8_lossy(&out.stdout));
}

fn work() {
    println!("working");
}
