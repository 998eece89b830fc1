mod runner {
    pub mod spawn {
        use std::process::Command;
        pub fn go() -> std::io::Result<()> {
            let exe = std::env::current_exe()?;
            Command::new(exe).arg("child").status()?;
            Ok(())
        }
    }
    pub mod guard {
        pub fn is_child() -> bool {
            std::env::args().any(|a| a == "child")
        }
    }
}

use runner::{guard, spawn};

fn main() -> std::io::Result<()> {
    if guard::is_child() {
        return Ok(());
    }
    spawn::go()
}
