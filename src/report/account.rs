//! Every input row accounted for. For each table the run uses row by row
//! (the datasets and the boundary layers) the manifest's `inputs` give the
//! records read, used and excluded, with read = used + excluded, and its
//! `excluded` list gives each exclusion and why; the same account is printed
//! on stderr. Lookups, read whole to link geographies, record only how many
//! records they have.

use crate::analysis::Analysis;
use crate::config::RunSpec;
use crate::input::{DataFile, InputFile};
use crate::load::Loaded;
use crate::services;
use std::path::Path;

/// The run's inputs with the account of every table used row by row.
pub fn settled(spec: &RunSpec, loaded: &Loaded, analysis: &Analysis) -> Vec<InputFile> {
    let mut inputs = loaded.inputs.clone();
    let datasets = &spec.datasets;
    // A caseload row is excluded when none of it is placed (all of it
    // outside England); the Welsh share of an England and Wales row is
    // reported as not placed, but the row is used.
    let unplaced = &analysis.placement.unplaced;
    let caseload_excluded = loaded
        .caseload
        .iter()
        .filter(|row| {
            let lost: f64 = unplaced
                .iter()
                .filter(|u| u.line == row.line)
                .map(|u| u.caseload)
                .sum();
            lost >= row.caseload
        })
        .count();
    let services_excluded = services::outside_england(&loaded.services).len();
    let mut tables: Vec<(&DataFile, usize)> = vec![
        (&datasets.caseload, caseload_excluded),
        (&datasets.prevalence, 0),
        (&datasets.treatment_access, 0),
        (&datasets.general_population, 0),
        (&datasets.services, services_excluded),
        // Every figure is shown in evidence.csv and the forest plots,
        // pooled or not; every count in the caseload check.
        (&datasets.evidence, 0),
        (&datasets.treatment_evidence, 0),
        (&datasets.caseload_observed, 0),
        (&datasets.caseload_national, 0),
    ];
    // Rows for areas or levels the run does not report are refused on
    // reading, so every row read is used.
    if let Some(local) = &datasets.local_prevalence {
        tables.push((local, 0));
    }
    for (file, excluded) in tables {
        settle(&mut inputs, Path::new(file.recorded()), excluded);
    }
    for (_, layer) in &loaded.layers {
        settle(&mut inputs, &layer.path, layer.excluded.len());
    }
    inputs
}

/// Records that `excluded` of the records read from `path` were left out
/// and the rest used.
fn settle(inputs: &mut [InputFile], path: &Path, excluded: usize) {
    for input in inputs.iter_mut().filter(|i| i.path == path) {
        let records = input.records.unwrap_or(0);
        input.used = Some(records.saturating_sub(excluded));
        input.excluded = Some(excluded);
    }
}

/// One line per input with an account, for stderr.
pub fn lines(inputs: &[InputFile]) -> Vec<String> {
    inputs
        .iter()
        .filter_map(|i| {
            let (used, excluded) = (i.used?, i.excluded?);
            let listed = if excluded > 0 {
                " (each listed with its reason in manifest.json, excluded)"
            } else {
                ""
            };
            Some(format!(
                "{} ({}): {} read = {used} used + {excluded} excluded{listed}",
                i.role,
                i.path.display(),
                i.records.unwrap_or(0)
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn read_is_used_plus_excluded_and_lines_say_so() {
        let file = |path: &str, records| InputFile {
            role: "services inventory".to_string(),
            path: PathBuf::from(path),
            sha256: None,
            records: Some(records),
            used: None,
            excluded: None,
        };
        let mut inputs = vec![file("config-dir:services.csv", 81), file("lookup.csv", 9)];
        settle(&mut inputs, Path::new("config-dir:services.csv"), 3);
        assert_eq!((inputs[0].used, inputs[0].excluded), (Some(78), Some(3)));
        assert_eq!((inputs[1].used, inputs[1].excluded), (None, None));
        assert_eq!(
            lines(&inputs),
            [
                "services inventory (config-dir:services.csv): 81 read = 78 used + 3 excluded (each listed with its reason in manifest.json, excluded)"
            ]
        );
    }
}
