//! The `lambda-conform` command.
fn main() -> std::process::ExitCode {
    match lambda_conform::spec::load("aws-2026", None) {
        Ok(s) => {
            println!(
                "{} members, {} constrained",
                s.members.len(),
                s.model_constrained_paths()
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
