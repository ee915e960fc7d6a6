use sigma_core::condition::{ConditionExpr, Pattern};

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::detections;
use crate::checks::g::{parsed, token_span};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds `1 of them` or `all of them` in a detection with only one
    /// search identifier.
    ///
    /// ## Why it matters
    /// It says the same as the identifier's name, less clearly, and breaks
    /// silently when a filter is added later (it is then included).
    ///
    /// ## Example
    /// ```yaml
    /// selection: {a: 1}
    /// condition: 1 of them
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
    /// None known (unlike pySigma, a name that merely contains "them" is fine).
    ///
    /// ## References
    /// pySigma `them_condition_with_single_detection`.
    pub struct OfThemSingleIdentifier {
        code: "G006",
        name: "of-them-with-one-identifier",
        family: Condition,
        group: Suspicious,
        severity: Info,
        scope: Spec,
        fix: None,
    }
}

impl Check for OfThemSingleIdentifier {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for detection in detections(cx) {
            let [only] = detection.identifiers.as_slice() else {
                continue;
            };
            for (text, expr) in parsed(detection) {
                expr.walk(&mut |node| {
                    if let ConditionExpr::Selector {
                        pattern: Pattern::Them,
                        range,
                        ..
                    } = node
                    {
                        let span = token_span(cx.source(), text, range.clone());
                        out.push(
                            cx.finding(
                                &Self::META,
                                span,
                                "`of them` with a single search identifier",
                            )
                            .help(format!("write `{}`", only.name.value)),
                        );
                    }
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn them_needs_several() {
        let one = "title: t\ndetection:\n  selection_themes: {a: 1}\n  condition: 1 of them\n";
        assert_eq!(findings_of("G006", one)[0].column(), 14);
        let two = "title: t\ndetection:\n  a: {a: 1}\n  b: {a: 1}\n  condition: 1 of them\n";
        assert!(findings_of("G006", two).is_empty());
    }
}
