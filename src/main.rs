//! The `mustalah` binary: parses the command line and dispatches.

use clap::Parser;
use mustalah::cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mustalah: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            mustalah::app::init_tracing(&args.log, args.log_format);
            actix_web::rt::System::new().block_on(async move {
                let app = mustalah::app::Application::build(&args)?;
                app.run_until_stopped().await
            })
        }
        Command::Openapi => {
            println!("{}", mustalah::api::openapi().to_pretty_json()?);
            Ok(())
        }
        Command::Terms(cmd) => mustalah::commands::terms(cmd),
        Command::Tm(cmd) => mustalah::commands::tm(cmd),
        Command::Suggest(args) => mustalah::commands::suggest(args),
        Command::Xliff(mustalah::cli::XliffCommand::Pretranslate(args)) => {
            mustalah::commands::cat::pretranslate(args)
        }
        Command::Analyze(args) => mustalah::commands::cat::analyze(args),
        Command::Backup(args) => {
            let manifest = mustalah::backup::backup(&args.url, args.token.as_deref(), &args.dir)?;
            eprintln!(
                "backup written to {}: {}",
                args.dir.display(),
                serde_json::to_string(&manifest)?
            );
            Ok(())
        }
        Command::Restore(args) => {
            let manifest = mustalah::backup::restore(&args.data.data_dir, &args.dir)?;
            eprintln!(
                "restored into {}: {}",
                args.data.data_dir.display(),
                serde_json::to_string(&manifest)?
            );
            Ok(())
        }
    }
}
