use std::collections::HashSet;

use sigma_core::rule::{SigmaDocument, SigmaFile};

use crate::check::{Check, CheckMeta, Corpus};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a rule reference in a correlation's `rules` or a filter's
    /// `rules` that names no rule (by `id` or `name`) among the files
    /// linted together.
    ///
    /// ## Why it matters
    /// A correlation over a rule that is not there never fires; a filter
    /// for a missing rule filters nothing. sigma-cli aborts the whole run
    /// at the first such reference; here each is a located finding and
    /// every other file is still checked.
    ///
    /// ## Example
    /// ```yaml
    /// correlation:
    ///   type: event_count
    ///   rules: [failed_logn]
    /// ```
    ///
    /// ## Write instead
    /// The `name` or `id` of a rule in the linted paths.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Lint the correlation together with its base rules, or the references
    /// cannot resolve. A filter's `rules: any` is not a reference.
    ///
    /// ## References
    /// Sigma specification v2, correlation rules and meta filters (`rules`
    /// refers to a rule by `id` or `name`).
    pub struct UnknownReference {
        code: "I002",
        name: "unknown-rule-reference",
        family: Correlation,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for UnknownReference {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_corpus(&self, corpus: &Corpus<'_>, out: &mut Vec<Finding>) {
        let known: HashSet<&str> = corpus
            .files
            .iter()
            .flat_map(|f| f.documents.iter())
            .flat_map(|d| [d.id.as_ref(), d.name.as_ref()])
            .flatten()
            .map(|s| s.value.as_str())
            .collect();

        // The summary keeps no references, and few files hold correlations
        // or filters: parse those again rather than keep every tree.
        let candidates = corpus
            .files
            .iter()
            .filter(|f| f.source.contains("correlation:") || f.source.contains("filter:"));
        for file in candidates {
            let parsed = SigmaFile::parse(file.path.to_path_buf(), file.source.clone());
            for document in &parsed.documents {
                let (references, what) = match document {
                    SigmaDocument::Correlation(c) => (&c.rules, "correlation"),
                    SigmaDocument::Filter(f) => (&f.rules, "filter"),
                    _ => continue,
                };
                for reference in references {
                    let name = reference.value.as_str();
                    if (what == "filter" && name == "any") || known.contains(name) {
                        continue;
                    }
                    let message = format!(
                        "{what} refers to `{name}`, which no linted rule has as id or name"
                    );
                    out.push(Finding::new(
                        &Self::META,
                        &file.path,
                        &file.source,
                        reference.span,
                        message,
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;
    use crate::testing::findings_in;

    const BASE: &str = "title: Failed logon\nname: failed_logon\nlogsource:\n  product: windows\n\
                        detection:\n  sel:\n    EventID: 4625\n  condition: sel\n";
    const CORRELATION: &str = "title: c\ncorrelation:\n  type: event_count\n  rules:\n    - \
                               failed_logon\n    - failed_logn\n  group-by: [User]\n  timespan: \
                               5m\n  condition:\n    gte: 10\n";

    #[test]
    fn missing_reference_is_located() {
        let files = [("base.yml", BASE), ("corr.yml", CORRELATION)];
        let found = findings_in("I002", &files, Settings::default());
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (6, 7));
        assert!(found[0].message.contains("failed_logn"));
    }

    #[test]
    fn same_file_reference_resolves() {
        let together = format!(
            "{}---\n{BASE}",
            CORRELATION.replace("    - failed_logn\n", "")
        );
        let found = findings_in("I002", &[("corr.yml", &together)], Settings::default());
        assert!(found.is_empty(), "{found:?}");
    }
}
