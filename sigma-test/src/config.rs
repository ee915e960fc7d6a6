//! `.sigma-test.yml`: a rule repository's standing choices for `sigma-test`
//! (fuzzing on, its budget, the coverage and mutation gates), read from the
//! current directory. Command-line flags win over it.
//!
//! ```yaml
//! fuzz: true
//! fuzz-cases: 32
//! seed: 7
//! min-coverage: 100
//! min-mutation-score: 90
//! ```

use std::path::Path;

use serde_json::Value;

/// The file's name.
pub const FILE_NAME: &str = ".sigma-test.yml";

/// The settings a repository may fix; `None` where the file is silent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RepoConfig {
    /// `fuzz`.
    pub fuzz: Option<bool>,
    /// `fuzz-cases`.
    pub fuzz_cases: Option<u32>,
    /// `seed`.
    pub seed: Option<u64>,
    /// `min-coverage`.
    pub min_coverage: Option<f64>,
    /// `min-mutation-score`.
    pub min_mutation_score: Option<f64>,
}

impl RepoConfig {
    /// Reads `dir/.sigma-test.yml`; no file is an empty config, a broken
    /// one is an error naming the file and the key.
    pub fn read(dir: &Path) -> Result<RepoConfig, String> {
        let path = dir.join(FILE_NAME);
        let Ok(source) = std::fs::read_to_string(&path) else {
            return Ok(RepoConfig::default());
        };
        RepoConfig::parse(&source).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses the file's text.
    pub fn parse(source: &str) -> Result<RepoConfig, String> {
        let documents = sigma_core::yaml::parse(source).map_err(|e| e.to_string())?;
        let Some(root) = documents.into_iter().next().and_then(|d| d.root) else {
            return Ok(RepoConfig::default());
        };
        let json = root.to_json();
        let Value::Object(map) = json else {
            return Err("expected a mapping".to_owned());
        };
        let mut config = RepoConfig::default();
        for (key, value) in &map {
            let wrong = || format!("`{key}` has the wrong type");
            match key.as_str() {
                "fuzz" => config.fuzz = Some(value.as_bool().ok_or_else(wrong)?),
                "fuzz-cases" => {
                    let n = value.as_u64().ok_or_else(wrong)?;
                    config.fuzz_cases = Some(u32::try_from(n).map_err(|_| wrong())?);
                }
                "seed" => config.seed = Some(value.as_u64().ok_or_else(wrong)?),
                "min-coverage" => config.min_coverage = Some(value.as_f64().ok_or_else(wrong)?),
                "min-mutation-score" => {
                    config.min_mutation_score = Some(value.as_f64().ok_or_else(wrong)?)
                }
                other => return Err(format!("unknown key `{other}`")),
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_and_checked() {
        let config = RepoConfig::parse("fuzz: true\nfuzz-cases: 8\nmin-coverage: 95.5\n").unwrap();
        assert_eq!(config.fuzz, Some(true));
        assert_eq!(config.fuzz_cases, Some(8));
        assert_eq!(config.min_coverage, Some(95.5));
        assert_eq!(config.seed, None);
        assert!(RepoConfig::parse("fuzz: yes please\n")
            .unwrap_err()
            .contains("`fuzz`"));
        assert!(RepoConfig::parse("fuz: true\n")
            .unwrap_err()
            .contains("unknown key"));
    }
}
