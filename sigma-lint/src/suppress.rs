//! Inline suppression comments.
//!
//! `# sigma-lint: ignore[CODE, name]` silences those checks on its own line,
//! or, written alone on a line, on the next line. `# sigma-lint:
//! ignore-file[CODE]` silences them in the whole file. An empty list
//! (`ignore[]`) or no list silences every check there.

use crate::check::CheckMeta;
use crate::settings::selects;

const MARKER: &str = "sigma-lint:";

/// The suppressions of one file.
#[derive(Debug, Default)]
pub struct Suppressions {
    /// (line, selectors); an empty list means every check.
    lines: Vec<(u32, Vec<String>)>,
    file: Option<Vec<String>>,
}

impl Suppressions {
    /// Scans a file's text for suppression comments.
    pub fn scan(source: &str) -> Self {
        let mut found = Suppressions::default();
        if !source.contains(MARKER) {
            return found;
        }
        for (index, line) in source.lines().enumerate() {
            let Some(at) = line.find('#') else { continue };
            let comment = line[at + 1..].trim_start();
            let Some(rest) = comment.strip_prefix(MARKER) else {
                continue;
            };
            let rest = rest.trim_start();
            let (whole_file, rest) = match rest.strip_prefix("ignore-file") {
                Some(rest) => (true, rest),
                None => match rest.strip_prefix("ignore") {
                    Some(rest) => (false, rest),
                    None => continue,
                },
            };
            let selectors: Vec<String> = rest
                .trim()
                .strip_prefix('[')
                .and_then(|r| r.split_once(']'))
                .map(|(list, _)| list)
                .unwrap_or("")
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            if whole_file {
                found.file.get_or_insert_with(Vec::new).extend(selectors);
                continue;
            }
            let number = index as u32 + 1;
            // A comment alone on its line speaks for the next line.
            let target = if line[..at].trim().is_empty() {
                number + 1
            } else {
                number
            };
            found.lines.push((target, selectors));
        }
        found
    }

    /// Whether a finding of `meta` on `line` is suppressed.
    pub fn covers(&self, meta: &CheckMeta, line: u32) -> bool {
        let names = |list: &[String]| list.is_empty() || list.iter().any(|s| selects(s, meta));
        if self.file.as_deref().is_some_and(names) {
            return true;
        }
        self.lines.iter().any(|(l, list)| *l == line && names(list))
    }
}

#[cfg(test)]
mod tests {
    use crate::checks;
    use crate::testing::findings_of;

    use super::Suppressions;

    #[test]
    fn comments_silence_their_line_the_next_line_or_the_file() {
        let meta = checks::find("C004").map(|c| c.meta()).expect("registered");
        let other = checks::find("C009").map(|c| c.meta()).expect("registered");
        let text = "id: x  # sigma-lint: ignore[C004]\n# sigma-lint: ignore[invalid-status-or-level]\nlevel: y\n";
        let found = Suppressions::scan(text);
        assert!(found.covers(meta, 1));
        assert!(!found.covers(other, 1));
        assert!(found.covers(other, 3));
        assert!(!found.covers(meta, 3));
        let file = Suppressions::scan("# sigma-lint: ignore-file[C]\n");
        assert!(file.covers(meta, 40) && file.covers(other, 1));
        assert!(!Suppressions::scan("# a comment\n").covers(meta, 1));
    }

    #[test]
    fn suppressed_findings_are_dropped() {
        let source = "title: t\nid: nope  # sigma-lint: ignore[invalid-id]\n";
        assert!(findings_of("C004", source).is_empty());
        assert_eq!(findings_of("C004", "title: t\nid: nope\n").len(), 1);
    }
}
