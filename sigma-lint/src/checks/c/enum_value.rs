use sigma_core::span::Spanned;

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::{Applicability, Edit, Finding, Fix};

const STATUSES: &[&str] = &[
    "stable",
    "test",
    "experimental",
    "deprecated",
    "unsupported",
];
const LEVELS: &[&str] = &["informational", "low", "medium", "high", "critical"];

crate::declare_check! {
    /// ## What it does
    /// Checks that `status` is one of `stable`, `test`, `experimental`,
    /// `deprecated`, `unsupported`, and `level` one of `informational`,
    /// `low`, `medium`, `high`, `critical`, written in lower case.
    ///
    /// ## Why it matters
    /// Backends map these to alert priorities and filter on them; an
    /// unknown value is rejected or silently treated as the lowest.
    ///
    /// ## Example
    /// `status: Production` / `level: severe` / `level: High`
    ///
    /// ## Write instead
    /// `status: stable` / `level: high`
    ///
    /// ## Fix
    /// Sometimes, safe: a known value in the wrong case is lower-cased.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// Sigma specification, `status` and `level`.
    pub struct InvalidEnumValue {
        code: "C009",
        name: "invalid-status-or-level",
        family: Metadata,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: Sometimes,
    }
}

impl Check for InvalidEnumValue {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            let header = document.header();
            check_value(cx, header.status.as_ref(), "status", STATUSES, out);
            check_value(cx, header.level.as_ref(), "level", LEVELS, out);
        }
    }
}

fn check_value(
    cx: &FileContext<'_>,
    value: Option<&Spanned<String>>,
    key: &str,
    allowed: &[&str],
    out: &mut Vec<Finding>,
) {
    let Some(value) = value else { return };
    let text = value.value.as_str();
    if allowed.contains(&text) {
        return;
    }
    let lower = text.to_ascii_lowercase();
    let mut finding = cx
        .finding(
            &InvalidEnumValue::META,
            value.span,
            format!("`{text}` is not a valid {key}"),
        )
        .help(format!("use one of {}", allowed.join(", ")));
    if allowed.contains(&lower.as_str()) {
        finding = finding.fix(Fix {
            message: format!("write `{lower}`"),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                start: value.span.start,
                end: value.span.end,
                replacement: lower,
            }],
        });
    }
    out.push(finding);
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn status_and_level_values() {
        let found = findings_of("C009", "title: t\nstatus: Stable\nlevel: severe\n");
        assert_eq!(found.len(), 2);
        assert!(found[0].fix.is_some());
        assert_eq!(found[1].line(), 3);
        assert!(findings_of("C009", "title: t\nstatus: test\nlevel: high\n").is_empty());
    }
}
