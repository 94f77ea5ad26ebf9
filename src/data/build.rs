//! `jsna-gap data build --from DIR [--out data/]`: the embedded dataset made
//! from the original files (the layout of a data directory), reproducibly.
//!
//! Each original's SHA-256 is checked against the one recorded in the
//! dataset this binary embeds: a changed original is refused (unless
//! `--accept-new-originals`), so that a rebuild never changes the default
//! run's numbers unnoticed. The fine units are read from the originals by
//! the same code a run with `--data-dir` uses ([`Units::load`]) and written
//! in the compact form ([`super::pack`]); boundary layers and small tables
//! are byte-for-byte copies, compressed. `provenance.json` and `README.md`
//! are written from the same facts, so they cannot disagree with the files.

use crate::apportion::population::LSOA_BOUNDARIES;
use crate::error::{Error, Result};
use crate::geography::pack;
use crate::geography::units::{
    IOD2025_LAD, LAD_PROBATION, LAD22_LAD23, LAD23_UTLA23, LSOA_CCG21, LSOA_POPULATION,
    LSOA_SICBL22, LSOA_SICBL24, Units,
};
use crate::input::embedded::Dataset;
use crate::input::provenance::{FileRecord, Original, Provenance, Source};
use crate::input::{gzip, sha256_hex};
use crate::load::{PDU_LOOKUP, SURVEY_2017, fit_lsoa_points};
use crate::output::write_atomic;
use crate::source::DataDir;
use std::path::{Path, PathBuf};

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct Request {
    pub from: PathBuf,
    pub out: PathBuf,
    /// Build from originals whose SHA-256 differs from the recorded one.
    pub accept_new_originals: bool,
}

/// What is known of an original besides its bytes.
struct About {
    path: &'static str,
    title: &'static str,
    publisher: &'static str,
    vintage: &'static str,
    licence: &'static str,
    obtained_from: &'static str,
}

const OGL: &str = "Open Government Licence v3.0";
const OGL_OS: &str =
    "Open Government Licence v3.0; contains OS data © Crown copyright and database right";

/// The constituency boundaries (the catalogue's pcon-2024 layer).
const PCON_2024: &str = "boundaries/pcon/PCON_JUL_2024_UK_BUC.geojson";

const ORIGINALS: [About; 17] = [
    About {
        path: LSOA_POPULATION,
        title: "Lower layer Super Output Area population estimates by single year of age (SAPE23DT2), persons",
        publisher: "Office for National Statistics",
        vintage: "mid-2020, LSOA 2011",
        licence: OGL,
        obtained_from: "humaniverse/demographr data/population20_lsoa11.rda @ c6210a3, written to CSV unchanged",
    },
    About {
        path: LSOA_SICBL22,
        title: "LSOA (2011) to Sub ICB Locations to ICB to LAD (July 2022) Lookup in England",
        publisher: "Office for National Statistics",
        vintage: "July 2022",
        licence: OGL,
        obtained_from: "humaniverse/geographr data/lookup_lsoa11_sicbl22_icb22_ltla22.rda @ ae07d1e, written to CSV unchanged",
    },
    About {
        path: LSOA_SICBL24,
        title: "LSOA (2021) to Sub ICB Locations to ICB (April 2024) Lookup in England (LSOA21_SICBL24_ICB24_CAL24_LAD24_EN_LU)",
        publisher: "Office for National Statistics",
        vintage: "April 2024 (sub-ICB and ICB codes of April 2023)",
        licence: OGL,
        obtained_from: "humaniverse/geographr data/lookup_lsoa21_icb24.rda @ 8fa83ff, written to CSV unchanged",
    },
    About {
        path: LSOA_CCG21,
        title: "LSOA (2011) to Clinical Commissioning Group to LAD (April 2021) Lookup in England",
        publisher: "Office for National Statistics",
        vintage: "April 2021",
        licence: OGL,
        obtained_from: "open-innovations/mental-health-data-map (byte copy) @ 6040f2b",
    },
    About {
        path: LAD22_LAD23,
        title: "LAD (2022) to LAD (2023) Lookup in the UK (LAD22_LAD23_UK_LU)",
        publisher: "Office for National Statistics",
        vintage: "2022 to 2023",
        licence: OGL,
        obtained_from: "humaniverse/geographr data/lookup_ltla22_ltla23.rda @ 987f9b4, written to CSV unchanged",
    },
    About {
        path: LAD23_UTLA23,
        title: "Lower Tier LA to Upper Tier LA (2023) Lookup in England and Wales (LTLA23_UTLA23_EW_LU)",
        publisher: "Office for National Statistics",
        vintage: "2023 (codes equal to December 2024 in England)",
        licence: OGL,
        obtained_from: "humaniverse/geographr data/lookup_ltla23_utla23.rda @ c5fb617, written to CSV unchanged",
    },
    About {
        path: LAD_PROBATION,
        title: "LAD to police force area (ONS LAD23_CSP23_PFA23) and probation region (HMPPS reference data) lookup",
        publisher: "Office for National Statistics; HM Prison and Probation Service",
        vintage: "PFA 2023; probation regions as of 2025",
        licence: OGL,
        obtained_from: "derived by a data-scouting session (see PROVENANCE.md of the shared data): ONS lookup joined to ministryofjustice/hmpps-interventions-service reference data",
    },
    About {
        path: IOD2025_LAD,
        title: "English Indices of Deprivation 2025, File 10 v2: local authority district summaries",
        publisher: "Ministry of Housing, Communities and Local Government",
        vintage: "IoD2025 (30 October 2025), LAD December 2024",
        licence: OGL,
        obtained_from: "humaniverse/IMD data/imd2025_england_ltla24.rda @ 2f6c905, written to CSV",
    },
    About {
        path: PDU_LOOKUP,
        title: "Probation Delivery Unit to PCC area and police force area lookup",
        publisher: "HM Prison and Probation Service (reference data)",
        vintage: "as of 2025",
        licence: OGL,
        obtained_from: "derived from ministryofjustice/hmpps-find-and-refer-an-intervention-service V1_44__add_pdu_ref_data.sql @ 057e040 (see PROVENANCE.md of the shared data)",
    },
    About {
        path: SURVEY_2017,
        title: "2017 national survey of NHS commissioning for people on probation, Tables 2 to 5 (Sirdifield, Marples, Brooker, Denney 2019, Health & Social Care in the Community 27(5):e697-e704)",
        publisher: "Sirdifield C, Marples R, Brooker C, Denney D (journal article)",
        vintage: "survey of 2017, published 2019",
        licence: "figures transcribed with citation (facts from a published article)",
        obtained_from: "transcribed from the accepted manuscript (see evidence/SOURCES.md of the shared data)",
    },
    About {
        path: "boundaries/utla/CTYUA_DEC_2024_UK_BUC.geojson",
        title: "Counties and Unitary Authorities (December 2024) Boundaries UK BUC",
        publisher: "Office for National Statistics (Open Geography Portal)",
        vintage: "December 2024",
        licence: OGL_OS,
        obtained_from: "henryjameslau/geoportal-boundaries-as-topojson @ 3042dbe, converted to GeoJSON with GDAL (RFC 7946, 6 decimals)",
    },
    About {
        path: "boundaries/lad/LAD_DEC_2024_UK_BUC.geojson",
        title: "Local Authority Districts (December 2024) Boundaries UK BUC",
        publisher: "Office for National Statistics (Open Geography Portal)",
        vintage: "December 2024",
        licence: OGL_OS,
        obtained_from: "henryjameslau/geoportal-boundaries-as-topojson @ 8e0ba37, converted to GeoJSON with GDAL (RFC 7946, 6 decimals)",
    },
    About {
        path: "boundaries/health/SICBL_APR_2023_EN_BSC.geojson",
        title: "Sub Integrated Care Board Locations (April 2023) EN BSC",
        publisher: "Office for National Statistics (Open Geography Portal)",
        vintage: "April 2023",
        licence: OGL_OS,
        obtained_from: "henryjameslau/geoportal-boundaries-as-topojson @ 0544740, converted to GeoJSON with GDAL (RFC 7946, 6 decimals)",
    },
    About {
        path: "boundaries/health/ICB_APR_2023_EN_BSC.geojson",
        title: "Integrated Care Boards (April 2023) EN BSC",
        publisher: "Office for National Statistics (Open Geography Portal)",
        vintage: "April 2023",
        licence: OGL_OS,
        obtained_from: "henryjameslau/geoportal-boundaries-as-topojson @ 0544740, converted to GeoJSON with GDAL (RFC 7946, 6 decimals)",
    },
    About {
        path: "boundaries/health/CCG_APR_2021_EN_BUC.geojson",
        title: "Clinical Commissioning Groups (April 2021) EN BUC",
        publisher: "Office for National Statistics (Open Geography Portal)",
        vintage: "April 2021",
        licence: OGL_OS,
        obtained_from: "henryjameslau/geoportal-boundaries-as-topojson @ 0544740, converted to GeoJSON with GDAL (RFC 7946, 6 decimals)",
    },
    About {
        path: LSOA_BOUNDARIES,
        title: "Lower layer Super Output Areas (December 2011) Boundaries EW BSC V3, made valid and simplified (keep = 0.895) by geographr",
        publisher: "Office for National Statistics (Open Geography Portal)",
        vintage: "December 2011",
        licence: OGL_OS,
        obtained_from: "humaniverse/geographr data/boundaries_lsoa11.rda @ 5693d0c, written to GeoJSON",
    },
    About {
        path: PCON_2024,
        title: "Westminster Parliamentary Constituencies (July 2024) Boundaries UK BUC",
        publisher: "Office for National Statistics (Open Geography Portal)",
        vintage: "July 2024",
        licence: OGL_OS,
        obtained_from: "open-innovations/constituencies src/_data/geojson/Westminster_Parliamentary_Constituencies_July_2024_Boundaries_UK_BUC.geojson @ 8c28561 (byte copy; coordinates rounded to 4 decimals by that repository)",
    },
];

/// The originals each compact units table takes its columns from.
const UNITS_FROM: [(&str, &str, &[&str]); 4] = [
    (
        pack::LSOAS,
        "every English LSOA (2011) with its adults (18+, the sum of ages 18 to 90+) and its district (LAD December 2024, through LAD 2022 to 2023), upper-tier authority, sub-ICB location and ICB (April 2023; LSOAs whose code changed in 2021 are carried by the code bridge) and CCG (April 2021)",
        &[
            LSOA_POPULATION,
            LSOA_SICBL22,
            LSOA_SICBL24,
            LSOA_CCG21,
            LAD22_LAD23,
            LAD23_UTLA23,
        ],
    ),
    (
        pack::DISTRICTS,
        "every English district (LAD December 2024): names, upper-tier authority, police force area, probation region, IoD2025 employment and income scales and IMD average score",
        &[LAD23_UTLA23, LAD_PROBATION, IOD2025_LAD],
    ),
    (
        pack::TOTALS,
        "the adults (18+) of Wales, for England's share of an England and Wales caseload, and how many LSOAs took their 2023 sub-ICB code from the code bridge",
        &[LSOA_POPULATION, LSOA_SICBL22, LSOA_SICBL24],
    ),
    (
        pack::LSOA_POINTS,
        "every English LSOA (2011), in the order of units/lsoas.csv, with its interior point (British National Grid, metres) and the July 2024 constituency that point lies in (the ONS best-fit method), or the nearest where the point lies off its generalised coastline",
        &[LSOA_BOUNDARIES, PCON_2024],
    ),
];

const CODEC: &str = "gzip: DEFLATE by flate2 with the pure-Rust miniz_oxide backend at level 9, no file name, time stamp 0, OS 255";

/// A file of the dataset before compression.
struct Made {
    name: String,
    contents: Vec<u8>,
    record: FileRecord,
}

/// What a build wrote.
#[derive(Debug)]
pub struct Built {
    /// Every file written, relative to the output directory, with its size.
    pub files: Vec<(String, u64)>,
}

/// Builds the dataset into `request.out`. Every changed or missing
/// original is reported, not only the first.
pub fn build(
    request: &Request,
    progress: crate::load::Progress,
) -> std::result::Result<Built, Vec<Error>> {
    let dir = DataDir::given(request.from.clone(), "--from");
    let recorded = match request.accept_new_originals {
        true => None,
        false => Some(Dataset::builtin().provenance().map_err(|e| vec![e])?),
    };
    let mut problems = Vec::new();
    let mut originals = Vec::new();
    for about in &ORIGINALS {
        match check(&dir, about, recorded) {
            Ok(checked) => originals.push(checked),
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    progress(&format!(
        "{} originals read from {}, SHA-256 {}",
        originals.len(),
        request.from.display(),
        match recorded {
            Some(_) => "as recorded",
            None => "accepted as they are (--accept-new-originals)",
        }
    ));
    let made = make(&dir, &originals).map_err(|e| vec![e])?;
    write(&request.out, &originals, made, progress).map_err(|e| vec![e])
}

/// Reads an original and checks its SHA-256 against the recorded one.
fn check(
    dir: &DataDir,
    about: &About,
    recorded: Option<&Provenance>,
) -> Result<(Original, Vec<u8>)> {
    let file = dir.file(about.path)?;
    let bytes = file.bytes()?.into_owned();
    let sha256 = sha256_hex(&bytes);
    if let Some(provenance) = recorded {
        let expected = provenance.original(about.path).map(|o| o.sha256.as_str());
        if expected != Some(sha256.as_str()) {
            return Err(Error::input(
                file.path(),
                format!(
                    "this original has changed: its SHA-256 is {sha256}, but the embedded dataset was built from {}",
                    expected.unwrap_or("(no record of this file)")
                ),
            )
            .hint("use the file data/README.md names; if this is a deliberate new release, pass --accept-new-originals, then rebuild jsna-gap and compare the default run's outputs"));
        }
    }
    let original = Original {
        path: about.path.to_string(),
        sha256,
        bytes: bytes.len() as u64,
        title: about.title.to_string(),
        publisher: about.publisher.to_string(),
        vintage: about.vintage.to_string(),
        licence: about.licence.to_string(),
        obtained_from: about.obtained_from.to_string(),
    };
    Ok((original, bytes))
}

/// The dataset's files, uncompressed: the compact units, then the copies.
fn make(dir: &DataDir, originals: &[(Original, Vec<u8>)]) -> Result<Vec<Made>> {
    let source = |path: &str| {
        let (o, _) = originals
            .iter()
            .find(|(o, _)| o.path == path)
            .expect("every source is an original");
        Source {
            path: o.path.clone(),
            sha256: o.sha256.clone(),
        }
    };
    let units = Units::load(dir)?;
    let points = pack::write_lsoa_points(&units, &fit_lsoa_points(dir, &units)?);
    let mut made: Vec<Made> = pack::write_units(&units)
        .into_iter()
        .chain([(pack::LSOA_POINTS, points)])
        .map(|(name, contents)| {
            let (_, what, from) = UNITS_FROM
                .iter()
                .find(|(n, _, _)| *n == name)
                .expect("every units table is described");
            record(
                name,
                contents,
                None,
                what,
                from.iter().map(|p| source(p)).collect(),
            )
        })
        .collect();
    let units_sources: Vec<&str> = UNITS_FROM
        .iter()
        .flat_map(|(_, _, f)| f.iter().copied())
        .collect();
    for (original, bytes) in originals {
        if units_sources.contains(&original.path.as_str()) {
            continue;
        }
        made.push(record(
            &format!("{}.gz", original.path),
            bytes.clone(),
            Some(original.path.clone()),
            "a byte-for-byte copy of the original",
            vec![source(&original.path)],
        ));
    }
    Ok(made)
}

fn record(
    name: &str,
    contents: Vec<u8>,
    copy_of: Option<String>,
    what: &str,
    from: Vec<Source>,
) -> Made {
    Made {
        name: name.to_string(),
        record: FileRecord {
            file: name.to_string(),
            sha256: sha256_hex(&contents),
            bytes: contents.len() as u64,
            copy_of,
            contents: what.to_string(),
            from,
        },
        contents,
    }
}

/// Compresses and writes every file, then the provenance and README.
fn write(
    out: &Path,
    originals: &[(Original, Vec<u8>)],
    made: Vec<Made>,
    progress: crate::load::Progress,
) -> Result<Built> {
    let mut written = Vec::new();
    let mut records = Vec::new();
    for file in made {
        let packed = gzip(&file.contents);
        write_atomic(&out.join(&file.name), &packed)?;
        written.push((file.name, packed.len() as u64));
        records.push(file.record);
    }
    let provenance = Provenance {
        codec: CODEC.to_string(),
        originals: originals.iter().map(|(o, _)| o.clone()).collect(),
        files: records,
    };
    let json = provenance.to_json();
    write_atomic(&out.join("provenance.json"), &json)?;
    written.push(("provenance.json".to_string(), json.len() as u64));
    let readme = readme(&provenance, &written);
    write_atomic(&out.join("README.md"), readme.as_bytes())?;
    written.push(("README.md".to_string(), readme.len() as u64));
    let total: u64 = written.iter().map(|(_, n)| n).sum();
    progress(&format!(
        "wrote {} files ({} bytes) to {}",
        written.len(),
        total,
        out.display()
    ));
    Ok(Built { files: written })
}

/// `data/README.md`, from the provenance and the sizes written.
fn readme(provenance: &Provenance, written: &[(String, u64)]) -> String {
    let size = |name: &str| {
        written
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, n)| *n)
    };
    let total: u64 = provenance.files.iter().map(|f| size(&f.file)).sum();
    let mut text = format!(
        "# The embedded default dataset\n\n\
         Written by `jsna-gap data build --from DIR --out data/`; do not edit by hand.\n\n\
         These files are compiled into `jsna-gap`, so that the default run needs no data\n\
         directory: only what a run at the levels ctyua, lad, sicbl, icb and ccg reads,\n\
         {total} bytes compressed. A run with `--data-dir`, `JSNA_GAP_DATA` or `data_dir`\n\
         reads the original files instead, and gives the same gap.csv, maps and annexes.\n\n\
         Each file is gzip ({CODEC}); `zcat FILE | sha256sum` gives the SHA-256 that\n\
         `provenance.json` records for it and that a run checks before using it. The\n\
         compact tables under `units/` are written from the fine units that `jsna-gap`\n\
         reads from the originals (`src/data/pack.rs` describes them); the other files are\n\
         byte-for-byte copies of the originals. Building again from the same originals\n\
         gives the same bytes; an original whose SHA-256 differs from the one below is\n\
         refused unless `--accept-new-originals` is given.\n\n\
         ## Licence and attribution\n\n\
         The ONS, MHCLG and HMPPS data are Crown copyright, used under the Open Government\n\
         Licence v3.0. Anything that shows or ships the boundaries must carry:\n\n\
         > Source: Office for National Statistics licensed under the Open Government Licence v.3.0.\n\
         > Contains OS data © Crown copyright and database right [year of the boundary vintage].\n\
         > Contains National Statistics data © Crown copyright and database right.\n\n\
         The 2017 survey figures are facts from a published article, used with its citation.\n\n\
         ## Originals\n\n\
         | path in a data directory | what | publisher | vintage | licence | obtained from | bytes | SHA-256 |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- |\n"
    );
    for o in &provenance.originals {
        text.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | `{}` |\n",
            o.path, o.title, o.publisher, o.vintage, o.licence, o.obtained_from, o.bytes, o.sha256
        ));
    }
    text.push_str(
        "\n## Files\n\n\
         | file | contents | from | bytes (uncompressed) | bytes (stored) | SHA-256 of the contents |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    for f in &provenance.files {
        let from: Vec<String> = f.from.iter().map(|s| format!("`{}`", s.path)).collect();
        text.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | `{}` |\n",
            f.file,
            f.contents,
            from.join(", "),
            f.bytes,
            size(&f.file),
            f.sha256
        ));
    }
    text
}
