use sigma_core::rule::SigmaDocument;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Checks a filter's `filter` section: it is a mapping with `rules`
    /// (`any`, an id or name, or a list of them), a `condition` string,
    /// and at least one search identifier besides those two.
    ///
    /// ## Why it matters
    /// pySigma crashes on a filter without `rules` (a Python `KeyError`)
    /// and rejects the other shapes; a filter without a selection has
    /// nothing to exclude.
    ///
    /// ## Example
    /// ```yaml
    /// filter:
    ///   condition: not selection
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    /// filter:
    ///   rules: [failed_logon]
    ///   selection:
    ///     User: backup_svc
    ///   condition: not selection
    /// ```
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// The condition is checked by the G checks, as a rule's is.
    ///
    /// ## References
    /// Sigma specification v2, meta filters (`filter`: `rules`, `condition`
    /// and search identifiers).
    pub struct FilterShape {
        code: "J001",
        name: "invalid-filter",
        family: Filter,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for FilterShape {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in cx.documents() {
            let SigmaDocument::Filter(filter) = document else {
                continue;
            };
            let Some(body) = filter.header.get("filter") else {
                let message = "filter document without a `filter` section";
                out.push(cx.finding(&Self::META, filter.header.span, message));
                continue;
            };
            if body.as_mapping().is_none() {
                let message = format!("`filter` must be a mapping, found {}", body.kind_name());
                out.push(cx.finding(&Self::META, body.span, message));
                continue;
            }
            match body.get("rules") {
                None => out.push(cx.finding(&Self::META, body.span, "`filter` has no `rules`")),
                Some(rules) if rules.as_mapping().is_some() => {
                    let message = "`rules` must be `any`, a rule id or name, or a list of them";
                    out.push(cx.finding(&Self::META, rules.span, message));
                }
                Some(_) => {}
            }
            match body.get("condition") {
                None => {
                    let message = "`filter` has no `condition`";
                    out.push(cx.finding(&Self::META, body.span, message));
                }
                Some(condition) if condition.as_scalar().is_none() => {
                    let message = "a filter's `condition` must be one string";
                    out.push(cx.finding(&Self::META, condition.span, message));
                }
                Some(_) => {}
            }
            if filter.detection.identifiers.is_empty() {
                let message = "`filter` has no search identifier (e.g. `selection`)";
                out.push(cx.finding(&Self::META, body.span, message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    const FILTER: &str = "title: f\nlogsource:\n  product: windows\nfilter:\n  rules: [a]\n  \
                          selection:\n    User: svc\n  condition: not selection\n";

    #[test]
    fn complete_filter_passes() {
        assert!(findings_of("J001", FILTER).is_empty());
    }

    #[test]
    fn missing_parts_are_reported() {
        let bare = "title: f\nlogsource:\n  product: windows\nfilter:\n  condition: not sel\n";
        let found = findings_of("J001", bare);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(found.len(), 2, "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("no `rules`")));
        assert!(messages.iter().any(|m| m.contains("no search identifier")));
        assert_eq!(found[0].line(), 5);
    }
}
