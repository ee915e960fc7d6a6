use sigma_core::rule::{DetectionBody, ValueKind};

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::detections;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a `detection` with no search identifier, and search identifiers
    /// with nothing in them (`selection:`, `selection: []`, `selection: {}`).
    ///
    /// ## Why it matters
    /// An empty identifier matches nothing in some tools and everything in
    /// others; pySigma rejects it when the condition is resolved.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection:
    ///   condition: selection
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    /// detection:
    ///   selection:
    ///     Image|endswith: '\whoami.exe'
    ///   condition: selection
    /// ```
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
    /// Sigma specification, detection; pySigma SigmaDetectionError.
    pub struct EmptyDetection {
        code: "F001",
        name: "empty-detection",
        family: Detection,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for EmptyDetection {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for detection in detections(cx) {
            let Some(span) = detection.span else { continue };
            if detection.identifiers.is_empty() {
                out.push(cx.finding(&Self::META, span, "the detection has no search identifier"));
            }
            for identifier in &detection.identifiers {
                let empty = match &identifier.body {
                    DetectionBody::Map { items, .. } => items.is_empty(),
                    DetectionBody::List { elements, .. } => elements.is_empty(),
                    DetectionBody::Keyword(value) => value.kind == ValueKind::Null,
                    DetectionBody::Invalid(_) => false,
                };
                if empty {
                    out.push(cx.finding(
                        &Self::META,
                        identifier.name.span,
                        format!("search identifier `{}` is empty", identifier.name.value),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn empty_identifiers() {
        let found = findings_of(
            "F001",
            "title: t\ndetection:\n  a:\n  b: []\n  c: {x: 1}\n  condition: c\n",
        );
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].line(), found[0].column()), (3, 3));
        assert_eq!(
            findings_of("F001", "title: t\ndetection:\n  condition: x\n").len(),
            1
        );
        assert!(findings_of("F001", "title: t\ndetection:\n  c: [x]\n  condition: c\n").is_empty());
    }
}
