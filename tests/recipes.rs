//! The README's recipes, run as written. Every `cargo run --release -- …`
//! command in the README's shell blocks is run with this build's binary, in
//! a scratch directory that holds the repository's own files (so relative
//! paths mean what they mean in a checkout); it must exit 0 and write what
//! its `--out` names. A recipe that reads the original data files
//! (`../shared/data`) runs where they are, on their real location.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const README: &str = include_str!("../README.md");
const PROJECT: &str = env!("CARGO_MANIFEST_DIR");
const ORIGINALS: &str = "../shared/data";

/// One command of the README: its arguments after `cargo run --release --`,
/// and the line it starts on.
#[derive(Debug)]
struct Recipe {
    line: usize,
    args: Vec<String>,
}

impl Recipe {
    fn needs_originals(&self) -> bool {
        self.args.iter().any(|a| a.starts_with(ORIGINALS))
    }

    fn out(&self) -> Option<&str> {
        let at = self.args.iter().position(|a| a == "--out")?;
        self.args.get(at + 1).map(String::as_str)
    }
}

/// Every `cargo run --release --` command in the README's `sh` blocks,
/// continuation lines joined and comments dropped.
fn recipes() -> Vec<Recipe> {
    let mut recipes = Vec::new();
    let mut in_block = false;
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in README.lines().enumerate() {
        if line.starts_with("```") {
            in_block = line == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        let code = line.split("  #").next().unwrap_or("").trim();
        let (start, mut command) = pending.take().unwrap_or((i + 1, String::new()));
        command.push_str(code.trim_end_matches('\\'));
        command.push(' ');
        if code.ends_with('\\') {
            pending = Some((start, command));
        } else if let Some(args) = command.trim().strip_prefix("cargo run --release --") {
            recipes.push(Recipe {
                line: start,
                args: args.split_whitespace().map(str::to_string).collect(),
            });
        }
    }
    recipes
}

/// A scratch working directory holding links to the repository's files.
fn checkout_like(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jsna-gap-recipes-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in ["datasets", "data", "examples", "tests", "jsna.toml"] {
        std::os::unix::fs::symlink(Path::new(PROJECT).join(entry), dir.join(entry)).unwrap();
    }
    dir
}

/// Runs each recipe and returns how many ran.
fn run_all(recipes: &[Recipe], dir: &Path, originals: Option<&Path>) -> usize {
    for recipe in recipes {
        let args = recipe
            .args
            .iter()
            .map(|a| match (originals, a.strip_prefix(ORIGINALS)) {
                (Some(root), Some(rest)) => format!("{}{rest}", root.display()),
                _ => a.clone(),
            });
        let out = Command::new(env!("CARGO_BIN_EXE_jsna-gap"))
            .args(args)
            .current_dir(dir)
            .env_remove("JSNA_GAP_DATA")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README line {}: jsna-gap {} exited {:?}:\n{}",
            recipe.line,
            recipe.args.join(" "),
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(written) = recipe.out() {
            assert!(
                dir.join(written).exists(),
                "README line {}: nothing at --out {written}",
                recipe.line
            );
        }
    }
    recipes.len()
}

#[test]
fn the_readme_has_a_recipe_for_each_command() {
    let recipes = recipes();
    let commands: std::collections::BTreeSet<&str> =
        recipes.iter().map(|r| r.args[0].as_str()).collect();
    assert_eq!(
        commands.into_iter().collect::<Vec<_>>(),
        ["apportion", "check-caseload", "data", "run", "validate"],
        "{recipes:#?}"
    );
}

#[test]
fn every_readme_recipe_on_the_embedded_data_runs_as_written() {
    let own: Vec<Recipe> = recipes()
        .into_iter()
        .filter(|r| !r.needs_originals())
        .collect();
    let dir = checkout_like("embedded");
    assert!(run_all(&own, &dir, None) >= 6);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn every_readme_recipe_on_the_original_files_runs_as_written() {
    let theirs: Vec<Recipe> = recipes()
        .into_iter()
        .filter(Recipe::needs_originals)
        .collect();
    let dir = checkout_like("originals");
    assert!(run_all(&theirs, &dir, Some(&common::originals())) >= 2);
    std::fs::remove_dir_all(&dir).unwrap();
}
