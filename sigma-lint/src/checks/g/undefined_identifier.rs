use sigma_core::condition::ConditionExpr;

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::detections;
use crate::checks::g::{parsed, token_span};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds names in the condition that no search identifier defines.
    ///
    /// ## Why it matters
    /// Every tool rejects the rule; a typo such as `selction` is the usual
    /// cause.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection: {Image|endswith: '\whoami.exe'}
    ///   condition: selction
    /// ```
    ///
    /// ## Write instead
    /// `condition: selection`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// pySigma condition error "not defined".
    pub struct UndefinedIdentifier {
        code: "G002",
        name: "undefined-identifier",
        family: Condition,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for UndefinedIdentifier {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for detection in detections(cx) {
            for (text, expr) in parsed(detection) {
                expr.walk(&mut |node| {
                    let ConditionExpr::Identifier(name, range) = node else {
                        return;
                    };
                    if detection.identifier(name).is_some() {
                        return;
                    }
                    let span = token_span(cx.source(), text, range.clone());
                    let mut finding = cx.finding(
                        &Self::META,
                        span,
                        format!("`{name}` is not a search identifier of this detection"),
                    );
                    let defined: Vec<&str> = detection
                        .identifiers
                        .iter()
                        .map(|i| i.name.value.as_str())
                        .collect();
                    if let Some(near) = defined.iter().find(|d| d.eq_ignore_ascii_case(name)) {
                        finding =
                            finding.help(format!("identifiers are case-sensitive: write `{near}`"));
                    } else if !defined.is_empty() {
                        finding = finding.help(format!("defined: {}", defined.join(", ")));
                    }
                    out.push(finding);
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn names_must_be_defined() {
        let source =
            "title: t\ndetection:\n  selection: {a: 1}\n  condition: selection and not filter\n";
        let found = findings_of("G002", source);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (4, 32));
        let good = "title: t\ndetection:\n  selection: {a: 1}\n  condition: selection\n";
        assert!(findings_of("G002", good).is_empty());
    }
}
