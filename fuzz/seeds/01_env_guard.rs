use std::env;
use std::process::Command;

fn main() {
    if env::var_os("APP_CHILD").is_some() {
        child();
        return;
    }
    let exe = env::current_exe().unwrap();
    let status = Command::new(exe).env("APP_CHILD", "1").status().unwrap();
    println!("{status}");
}

fn child() {
    println!("child {}", std::process::id());
}
