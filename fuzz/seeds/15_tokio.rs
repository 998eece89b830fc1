use tokio::process::Command;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    if std::env::var_os("TK").is_some() {
        return Ok(());
    }
    let st = Command::new(std::env::current_exe()?).env("TK", "1").status().await?;
    println!("{st}");
    Ok(())
}
