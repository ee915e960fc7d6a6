use sigma_core::condition::ConditionExpr;

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::detections;
use crate::checks::g::{parsed, token_span};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds `1 of x*` / `all of x*` selectors whose pattern matches no
    /// search identifier (`them` with only `_`-names included).
    ///
    /// ## Why it matters
    /// pySigma drops such a selector silently: `selection and not 1 of
    /// filter*` with no filter then matches more than its author meant, and
    /// `all of sel*` with nothing to match can make the rule never fire.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection: {a: 1}
    ///   filter_main: {b: 2}
    ///   condition: selection and not 1 of filters_*
    /// ```
    ///
    /// ## Write instead
    /// `condition: selection and not 1 of filter_*`
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
    /// pySigma `dangling_condition`.
    pub struct PatternMatchesNothing {
        code: "G003",
        name: "pattern-matches-nothing",
        family: Condition,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for PatternMatchesNothing {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for detection in detections(cx) {
            for (text, expr) in parsed(detection) {
                expr.walk(&mut |node| {
                    let ConditionExpr::Selector { pattern, range, .. } = node else {
                        return;
                    };
                    if detection
                        .identifiers
                        .iter()
                        .any(|i| pattern.matches(&i.name.value))
                    {
                        return;
                    }
                    let span = token_span(cx.source(), text, range.clone());
                    out.push(cx.finding(
                        &Self::META,
                        span,
                        format!("pattern `{pattern}` matches no search identifier"),
                    ));
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn patterns_must_match() {
        let source = "title: t\ndetection:\n  selection: {a: 1}\n  filter_a: {b: 1}\n  \
                      condition: selection and not 1 of filters_*\n";
        let found = findings_of("G003", source);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].column(), 32);
        let good = source.replace("filters_*", "filter_*");
        assert!(findings_of("G003", &good).is_empty());
    }
}
