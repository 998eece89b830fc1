use std::env;
use std::process::Command;

fn main() {
    let argv0 = env::args().next().unwrap();
    if env::args().len() > 1 {
        println!("child");
        return;
    }
    Command::new(argv0).arg("x").status().unwrap();
}
