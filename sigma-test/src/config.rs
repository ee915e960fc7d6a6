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
            let percent = || {
                let n = value.as_f64().ok_or_else(wrong)?;
                check_percent(n).map_err(|e| format!("`{key}`: {e}"))
            };
            match key.as_str() {
                "fuzz" => config.fuzz = Some(value.as_bool().ok_or_else(wrong)?),
                "fuzz-cases" => {
                    let n = value.as_u64().ok_or_else(wrong)?;
                    let n = u32::try_from(n).map_err(|_| wrong())?;
                    if n == 0 {
                        return Err(format!("`{key}` must be 1 or more"));
                    }
                    config.fuzz_cases = Some(n);
                }
                "seed" => config.seed = Some(value.as_u64().ok_or_else(wrong)?),
                "min-coverage" => config.min_coverage = Some(percent()?),
                "min-mutation-score" => config.min_mutation_score = Some(percent()?),
                other => return Err(format!("unknown key `{other}`")),
            }
        }
        Ok(config)
    }
}

/// `value` when it is a percentage (0 to 100): a gate above 100 could
/// never pass, one below 0 always would.
pub fn check_percent(value: f64) -> Result<f64, String> {
    if (0.0..=100.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is not a percentage from 0 to 100"))
    }
}

/// Parses a command-line percentage (for clap).
pub fn parse_percent(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    check_percent(value)
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
        assert_eq!(
            RepoConfig::parse("min-coverage: 150\n").unwrap_err(),
            "`min-coverage`: 150 is not a percentage from 0 to 100"
        );
        assert_eq!(
            RepoConfig::parse("fuzz-cases: 0\n").unwrap_err(),
            "`fuzz-cases` must be 1 or more"
        );
        assert_eq!(parse_percent("100"), Ok(100.0));
        assert!(parse_percent("NaN").is_err() && parse_percent("-1").is_err());
    }
}
