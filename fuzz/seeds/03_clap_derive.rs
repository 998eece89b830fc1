use clap::{Parser, Subcommand};
use std::process::Command;

#[derive(Parser)]
struct Cli {
    #[arg(long, hide = true)]
    worker: bool,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    Run { n: usize },
    #[command(hide = true, name = "__child")]
    Child,
}

fn main() {
    let cli = Cli::parse();
    if cli.worker {
        return;
    }
    match cli.cmd {
        Some(Cmd::Child) => {}
        Some(Cmd::Run { n }) => {
            for _ in 0..n {
                Command::new(std::env::current_exe().unwrap()).arg("--worker").spawn().unwrap();
            }
        }
        None => {}
    }
}
