use sigma_core::condition::{ConditionExpr, Pattern, Quantifier};

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::detections;
use crate::checks::g::{parsed, token_span};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds `all of them`.
    ///
    /// ## Why you might want it
    /// Every identifier added later, a filter included, becomes required;
    /// naming the identifiers keeps the condition's meaning stable.
    ///
    /// ## Example
    /// `condition: all of them`
    ///
    /// ## Write instead
    /// `condition: selection_img and selection_cli`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Often harmless in small rules; hence pedantic.
    ///
    /// ## References
    /// pySigma `all_of_them_condition`.
    pub struct AllOfThem {
        code: "G007",
        name: "all-of-them",
        family: Condition,
        group: Pedantic,
        severity: Info,
        scope: Spec,
        fix: None,
    }
}

impl Check for AllOfThem {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for detection in detections(cx) {
            for (text, expr) in parsed(detection) {
                expr.walk(&mut |node| {
                    if let ConditionExpr::Selector {
                        quantifier: Quantifier::All,
                        pattern: Pattern::Them,
                        range,
                    } = node
                    {
                        let span = token_span(cx.source(), text, range.clone());
                        out.push(cx.finding(
                            &Self::META,
                            span,
                            "`all of them` also requires identifiers added later",
                        ));
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
    fn flags_all_of_them() {
        let source = "title: t\ndetection:\n  a: {a: 1}\n  b: {a: 1}\n  condition: all of them\n";
        assert_eq!(findings_of("G007", source).len(), 1);
        assert!(findings_of("G007", &source.replace("all of them", "a and b")).is_empty());
    }
}
