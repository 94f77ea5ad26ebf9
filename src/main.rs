//! The command line: parse arguments, resolve the run specification, call the
//! library, and map errors to exit statuses (0 success, 2 a problem with the
//! user's input or configuration, 1 an internal error).

use clap::{Parser, Subcommand};
use jsna_gap::config::{Overrides, RunSpec};
use jsna_gap::{Error, pipeline};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "jsna-gap", version, about = "Health need, provision and unmet need among people on probation, by area")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Inputs {
    /// Configuration file (default: the built-in England configuration, jsna.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Directory holding the ONS boundaries, lookups and populations
    /// (default: $JSNA_GAP_DATA, else data_dir in the config, else ../shared/data).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole pipeline and write tables, maps and the manifest.
    Run {
        #[command(flatten)]
        inputs: Inputs,
        /// Output directory.
        #[arg(long, default_value = "output")]
        out: PathBuf,
    },
    /// Check every input and list every problem; write nothing.
    Validate {
        #[command(flatten)]
        inputs: Inputs,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(errors) => {
            for e in &errors {
                eprintln!("jsna-gap: error: {e}");
            }
            let worst = errors.iter().map(Error::exit_code).min().unwrap_or(1);
            ExitCode::from(worst)
        }
    }
}

fn progress(line: &str) {
    eprintln!("jsna-gap: {line}");
}

fn resolve(inputs: Inputs) -> Result<RunSpec, Vec<Error>> {
    RunSpec::resolve(&Overrides::from_env(inputs.config, inputs.data_dir)).map_err(|e| vec![e])
}

fn run(cli: Cli) -> Result<ExitCode, Vec<Error>> {
    match cli.command {
        Command::Run { inputs, out } => {
            let spec = resolve(inputs)?;
            let outputs = pipeline::run(&spec, &progress).map_err(|e| vec![e])?;
            outputs.write(&out).map_err(|e| vec![e])?;
            progress(&format!("wrote {} files to {}", outputs.paths().count(), out.display()));
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { inputs } => {
            let spec = resolve(inputs)?;
            let problems = pipeline::validate(&spec, &progress);
            if problems.is_empty() {
                progress("every input is valid");
                Ok(ExitCode::SUCCESS)
            } else {
                progress(&format!("{} problem(s) found", problems.len()));
                Err(problems)
            }
        }
    }
}
