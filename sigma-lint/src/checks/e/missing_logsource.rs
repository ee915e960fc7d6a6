use sigma_core::rule::SigmaDocument;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a rule or filter without `logsource`, or whose `logsource` has
    /// none of `category`, `product` and `service`.
    ///
    /// ## Why it matters
    /// The log source decides which events a rule reads; without it a
    /// backend either refuses the rule or searches everything.
    ///
    /// ## Example
    /// ```yaml
    /// logsource:
    ///   definition: Sysmon with the SwiftOnSecurity config
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    /// logsource:
    ///   product: windows
    ///   category: process_creation
    /// ```
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Parts of a Sigma v1 multi-document rule (`action: global`) that carry
    /// `logsource` in another document are not joined.
    ///
    /// ## References
    /// Sigma specification, `logsource`.
    pub struct MissingLogsource {
        code: "E001",
        name: "missing-logsource",
        family: LogSource,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for MissingLogsource {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        // A v1 file spreads one rule over documents; `logsource` may sit in
        // a sibling, so only single-rule files are judged.
        let global = cx
            .documents()
            .iter()
            .any(|d| d.header().get("action").is_some());
        if global {
            return;
        }
        for document in cx.documents() {
            let (header, logsource) = match document {
                SigmaDocument::Rule(rule) => (&rule.header, &rule.logsource),
                SigmaDocument::Filter(_)
                | SigmaDocument::Correlation(_)
                | SigmaDocument::Other(_) => continue,
            };
            let Some(span) = logsource.span else {
                out.push(
                    cx.finding(&Self::META, header.span, "the rule has no `logsource`")
                        .help("add `logsource` with `product`, `category` or `service`"),
                );
                continue;
            };
            let empty = logsource.category.is_none()
                && logsource.product.is_none()
                && logsource.service.is_none();
            let is_map = header
                .get("logsource")
                .and_then(|n| n.as_mapping())
                .is_some();
            if empty && is_map {
                out.push(cx.finding(
                    &Self::META,
                    span,
                    "`logsource` names no `category`, `product` or `service`",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn logsource_is_required() {
        let body = "detection:\n  s: {a: 1}\n  condition: s\n";
        assert_eq!(findings_of("E001", &format!("title: t\n{body}")).len(), 1);
        let found = findings_of(
            "E001",
            &format!("title: t\nlogsource:\n  definition: x\n{body}"),
        );
        assert_eq!(found[0].line(), 3);
        assert!(findings_of(
            "E001",
            &format!("title: t\nlogsource: {{product: windows}}\n{body}")
        )
        .is_empty());
    }
}
