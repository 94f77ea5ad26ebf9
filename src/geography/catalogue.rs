//! The catalogue of boundary layers (`boundaries/catalogue.toml`): for each
//! layer its level, vintage, file, code and name fields, source and licence.

use super::Level;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

const BUILTIN: &str = include_str!("../../boundaries/catalogue.toml");
const BUILTIN_NAME: &str = "boundaries/catalogue.toml";

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub id: String,
    pub level: Level,
    pub vintage: String,
    /// The year in the OS copyright line of maps drawn from this layer.
    pub year: u16,
    /// Relative to the data directory.
    pub file: String,
    pub code_field: String,
    pub name_field: String,
    pub generalisation: String,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Defaults {
    licence: String,
    attribution: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    defaults: Defaults,
    #[serde(rename = "layer")]
    layers: Vec<Layer>,
}

impl Catalogue {
    /// The catalogue shipped with the tool.
    pub fn builtin() -> Catalogue {
        toml::from_str(BUILTIN).expect("boundaries/catalogue.toml is checked by a unit test")
    }

    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    pub fn licence(&self) -> &str {
        &self.defaults.licence
    }

    /// The layer with this id, which must be of the given level.
    pub fn layer(&self, id: &str, level: Level) -> Result<&Layer> {
        let known = || {
            self.layers
                .iter()
                .filter(|l| l.level == level)
                .map(|l| l.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self.layers.iter().find(|l| l.id == id) {
            Some(layer) if layer.level == level => Ok(layer),
            Some(layer) => Err(Error::usage(format!(
                "boundary layer '{id}' is a {} layer, not {level}",
                layer.level
            ))
            .hint(format!("layers of level {level}: {}", known()))),
            None => Err(
                Error::usage(format!("no boundary layer '{id}' in {BUILTIN_NAME}"))
                    .hint(format!("layers of level {level}: {}", known())),
            ),
        }
    }

    /// The ONS/OS attribution line for maps drawn from a layer.
    pub fn attribution(&self, layer: &Layer) -> String {
        self.defaults
            .attribution
            .replace("{year}", &layer.year.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_parses_and_covers_every_level_but_the_users_own() {
        let c = Catalogue::builtin();
        for level in Level::ALL.into_iter().filter(|&l| l != Level::Custom) {
            assert!(c.layers().iter().any(|l| l.level == level), "{level}");
        }
        let ids: std::collections::BTreeSet<_> = c.layers().iter().map(|l| &l.id).collect();
        assert_eq!(ids.len(), c.layers().len(), "layer ids are unique");
        let ctyua = c.layer("ctyua-2024", Level::Ctyua).unwrap();
        assert!(c.attribution(ctyua).ends_with("database right 2024."));
        assert!(c.layer("ctyua-2024", Level::Sicbl).is_err());
        assert!(
            c.layer("nope", Level::Sicbl)
                .unwrap_err()
                .hint
                .clone()
                .unwrap()
                .contains("sicbl-2023")
        );
    }
}
