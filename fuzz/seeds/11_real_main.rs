fn main() {
    std::process::exit(real_main());
}

fn real_main() -> i32 {
    if std::env::var_os("RM").is_some() {
        return 0;
    }
    match std::process::Command::new(std::env::current_exe().unwrap()).env("RM", "1").status() {
        Ok(s) => s.code().unwrap_or(1),
        Err(_) => 2,
    }
}
