use std::process::{Command, Stdio};

fn main() {
    let exe = std::env::current_exe().unwrap();
    let mut kids = Vec::new();
    let mut i = 0;
    loop {
        if i >= 8 {
            break;
        }
        kids.push(Command::new(&exe).arg(i.to_string()).stdout(Stdio::null()).spawn().unwrap());
        i += 1;
    }
    while let Some(mut k) = kids.pop() {
        k.wait().unwrap();
    }
}
