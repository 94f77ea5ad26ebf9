//! The command line: parse arguments, resolve the run specification, call the
//! library, and map errors to exit statuses (0 success, 2 a problem with the
//! user's input or configuration, 1 an internal error).

use clap::{Parser, Subcommand};
use jsna_gap::apportion::values::Kind;
use jsna_gap::apportion::{LayerRequest, OutputFormat, Request, ValuesRequest};
use jsna_gap::config::{Overrides, RunSpec};
use jsna_gap::data::build;
use jsna_gap::output::{self, OutputDir, write_atomic};
use jsna_gap::{Error, pipeline};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc rather than glibc's malloc: reading a boundary layer makes and
/// frees an allocation per ring on every thread, and glibc's arenas spent a
/// fifth of `apportion`'s time in malloc, free and their consolidation.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "jsna-gap",
    version,
    about = "Health need, provision and unmet need among people on probation, by area"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Inputs {
    /// Configuration file (default: the built-in England configuration, jsna.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Directory holding the original ONS boundaries, lookups and populations
    /// (default: $JSNA_GAP_DATA, else data_dir in the config, else the
    /// dataset embedded in jsna-gap).
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
        /// A [[scenario]] of the configuration to report beside the
        /// baseline (scenarios.csv); repeat for several, or `all`.
        #[arg(long = "scenario", value_name = "NAME")]
        scenarios: Vec<String>,
    },
    /// Check every input and list every problem; write nothing.
    Validate {
        #[command(flatten)]
        inputs: Inputs,
    },
    /// Compare the modelled caseload with real local counts: per count, each
    /// proxy's estimate and the simulation's interval (adjusted to the
    /// count's date and definition), and the bias, spread and coverage.
    CheckCaseload {
        #[command(flatten)]
        inputs: Inputs,
        /// Observed counts (CSV: level, area_code, date, count, definition, source).
        #[arg(long)]
        observed: PathBuf,
        /// Output directory for check_caseload.csv and check_caseload_fits.csv.
        #[arg(long, default_value = "output/check-caseload")]
        out: PathBuf,
    },
    /// Area-weighted crosswalk between two boundary layers, or values carried
    /// across it; what could not be placed is reported on stderr.
    ///
    /// Boundary layers may be GeoJSON, ESRI Shapefile (.shp with its .shx,
    /// .dbf and .prj beside it), GeoPackage or GeoParquet, in WGS84
    /// longitude/latitude (projected to British National Grid with OSTN15)
    /// or already in British National Grid (EPSG:27700); both layers in the
    /// same CRS.
    Apportion {
        /// Source boundaries (GeoJSON, Shapefile, GeoPackage or GeoParquet).
        #[arg(long)]
        from: PathBuf,
        /// Property of the source features holding their GSS codes
        /// (Shapefile field names are cut to 10 characters: lsoa11_cod).
        #[arg(long)]
        from_code: String,
        /// The GeoPackage table to read from --from, if it has several polygon tables.
        #[arg(long)]
        from_layer: Option<String>,
        /// Target boundaries (GeoJSON, Shapefile, GeoPackage or GeoParquet).
        #[arg(long)]
        to: PathBuf,
        /// Property of the target features holding their GSS codes.
        #[arg(long)]
        to_code: String,
        /// The GeoPackage table to read from --to, if it has several polygon tables.
        #[arg(long)]
        to_layer: Option<String>,
        /// Values by source area (CSV); without it the crosswalk is written.
        #[arg(long, requires_all = ["code_column", "value_column"])]
        values: Option<PathBuf>,
        /// Column of --values holding the source GSS codes.
        #[arg(long, requires = "values")]
        code_column: Option<String>,
        /// Column of --values holding the numbers.
        #[arg(long, requires = "values")]
        value_column: Option<String>,
        /// The values are rates or means (area-weighted), not counts (summed).
        #[arg(long, requires = "values")]
        intensive: bool,
        /// Share each source's whole value over the part of it that lies in
        /// some target (tobler's allocate_total=True), instead of leaving the
        /// part outside every target unplaced. For layers generalised
        /// differently (coastlines, estuaries); see the README.
        #[arg(long)]
        allocate_total: bool,
        /// Output file (default: CSV on stdout). A .parquet file is Parquet:
        /// the values as GeoParquet with each target's boundary in British
        /// National Grid, the crosswalk as plain Parquet.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The embedded default dataset.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
}

#[derive(Subcommand)]
enum DataCommand {
    /// Build the embedded dataset (data/) from the original files,
    /// reproducibly; each original must have the SHA-256 recorded in
    /// data/provenance.json.
    Build {
        /// A data directory of the original files.
        #[arg(long)]
        from: PathBuf,
        /// Where to write the dataset.
        #[arg(long, default_value = "data")]
        out: PathBuf,
        /// Build from originals whose SHA-256 differs from the recorded one
        /// (a new release of a file).
        #[arg(long)]
        accept_new_originals: bool,
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

/// Fresh memory in 4 KiB pages, not the 2 MiB transparent huge pages that
/// mimalloc asks the kernel for. On a virtual machine that hands memory the
/// guest has freed back to its host (free page reporting, as here), a huge
/// page is taken from exactly that memory, and the host must supply and
/// clear it again: a one-off `apportion` spent 0.2 s of kernel time doing
/// so and took 0.24 s instead of 0.15 s. Small pages come from memory the
/// kernel still holds; only runs started back to back, which find huge
/// pages their predecessor freed, are slower without them (0.15 s against
/// 0.13 s). Asked for in a constructor, before the first allocation (the
/// runtime's, before `main`) takes a page; a kernel that refuses keeps huge
/// pages on, which is only slower.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static SMALL_PAGES: extern "C" fn() = small_pages;

#[cfg(target_os = "linux")]
extern "C" fn small_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes integers only and touches no memory
    // of ours; its result is ignored because either way the run is correct.
    unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
}

fn progress(line: &str) {
    eprintln!("jsna-gap: {line}");
}

fn resolve(inputs: Inputs) -> Result<RunSpec, Vec<Error>> {
    resolve_with(inputs, Vec::new())
}

/// The run specification, with the scenarios asked for.
fn resolve_with(inputs: Inputs, scenarios: Vec<String>) -> Result<RunSpec, Vec<Error>> {
    let overrides = Overrides {
        scenarios,
        ..Overrides::from_env(inputs.config, inputs.data_dir)
    };
    RunSpec::resolve(&overrides).map_err(|e| vec![e])
}

fn run(cli: Cli) -> Result<ExitCode, Vec<Error>> {
    match cli.command {
        Command::Run {
            inputs,
            out,
            scenarios,
        } => {
            let spec = resolve_with(inputs, scenarios)?;
            // Before any computing: --out must be replaceable and no other
            // run may be writing it (the claim holds a lock until the end).
            let target = OutputDir::claim(&out).map_err(|e| vec![e])?;
            for leftover in &target.leftovers {
                progress(&format!(
                    "removed {}, left by a run that did not finish",
                    leftover.display()
                ));
            }
            let outputs = pipeline::run(&spec, &progress)?;
            target.replace(&outputs).map_err(|e| vec![e])?;
            progress(&format!(
                "wrote {} files to {}",
                outputs.paths().count(),
                out.display()
            ));
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckCaseload {
            inputs,
            observed,
            out,
        } => {
            let spec = resolve(inputs)?;
            let (outputs, check) = pipeline::check_caseload(&spec, &observed, &progress)?;
            outputs.write_each(&out).map_err(|e| vec![e])?;
            for fit in &check.fits {
                progress(&fit_line(fit));
            }
            progress(&format!(
                "model error: {}",
                match check.model_error.estimate {
                    Some(sd) => format!("{sd:.3} ({})", check.model_error.reason),
                    None => format!("not estimated: {}", check.model_error.reason),
                }
            ));
            progress(&format!(
                "wrote {} files to {}",
                outputs.paths().count(),
                out.display()
            ));
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
        Command::Apportion {
            from,
            from_code,
            from_layer,
            to,
            to_code,
            to_layer,
            values,
            code_column,
            value_column,
            intensive,
            allocate_total,
            out,
        } => {
            // clap's `requires` guarantees both columns come with --values.
            let values = values.map(|path| ValuesRequest {
                path,
                code_column: code_column.unwrap_or_default(),
                value_column: value_column.unwrap_or_default(),
                kind: if intensive {
                    Kind::Intensive
                } else {
                    Kind::Extensive
                },
            });
            let request = Request {
                from: LayerRequest {
                    path: from,
                    table: from_layer,
                    code_field: from_code,
                },
                to: LayerRequest {
                    path: to,
                    table: to_layer,
                    code_field: to_code,
                },
                values,
                allocate_total,
                output: OutputFormat::for_path(out.as_deref()),
            };
            if let Some(path) = &out {
                output::check_writable_file(path).map_err(|e| vec![e])?;
            }
            let done = request.run(&progress).map_err(|e| vec![e])?;
            match out {
                Some(path) => {
                    write_atomic(&path, &done.bytes).map_err(|e| vec![e])?;
                    progress(&format!("wrote {}", path.display()));
                }
                None => std::io::stdout()
                    .write_all(&done.bytes)
                    .map_err(|e| vec![Error::internal(format!("cannot write to stdout: {e}"))])?,
            }
            // The process exits next and the system takes its memory back.
            std::mem::forget(done.inputs);
            Ok(ExitCode::SUCCESS)
        }
        Command::Data {
            command:
                DataCommand::Build {
                    from,
                    out,
                    accept_new_originals,
                },
        } => {
            let request = build::Request {
                from,
                out,
                accept_new_originals,
            };
            build::build(&request, &progress)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// One estimate's fit, in a line.
fn fit_line(fit: &jsna_gap::analysis::check::Fit) -> String {
    let number = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
    format!(
        "{}: {} area(s), bias {} (mean log observed/estimate), spread {}, rms {}{}",
        fit.estimate,
        fit.areas,
        number(fit.bias),
        number(fit.spread),
        number(fit.rms),
        fit.coverage.map_or(String::new(), |c| format!(
            ", 95% interval covered {:.0}%",
            100.0 * c
        ))
    )
}
