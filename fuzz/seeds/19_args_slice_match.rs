use std::env;
use std::process::Command;

fn main() {
    let args: Vec<String> = env::args().collect();
    match args.as_slice() {
        [_, flag, rest @ ..] if flag == "--worker" => {
            println!("worker {:?}", rest);
        }
        [_] => {
            let exe = env::current_exe().unwrap();
            Command::new(exe).args(["--worker", "a", "b"]).status().unwrap();
        }
        _ => unreachable!(),
    }
}
