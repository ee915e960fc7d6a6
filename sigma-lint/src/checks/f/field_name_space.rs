use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::{detections, items};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds field names with a space, a tab, or blanks at either end.
    ///
    /// ## Why it matters
    /// Event fields almost never contain blanks; such a name is usually a
    /// typo (`Image |endswith`) and matches nothing.
    ///
    /// ## Example
    /// `Command Line|contains: whoami`
    ///
    /// ## Write instead
    /// `CommandLine|contains: whoami`
    ///
    /// ## Fix
    /// None: the intended name is not known.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// A few real log sources have field names with spaces; ignore the check
    /// for those rules.
    ///
    /// ## References
    /// pySigma-validators-sigmaHQ `sigmahq_space_field_name`.
    pub struct FieldNameSpace {
        code: "F002",
        name: "field-name-space",
        family: Detection,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for FieldNameSpace {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for detection in detections(cx) {
            for identifier in &detection.identifiers {
                for item in items(&identifier.body) {
                    let Some(field) = &item.field else { continue };
                    if field.value.contains([' ', '\t']) {
                        out.push(cx.finding(
                            &Self::META,
                            field.span,
                            format!("field name `{}` contains a blank", field.value),
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn blanks_in_names() {
        let found = findings_of(
            "F002",
            "title: t\ndetection:\n  s:\n    Command Line: x\n  condition: s\n",
        );
        assert_eq!((found[0].line(), found[0].column()), (4, 5));
        assert!(findings_of(
            "F002",
            "title: t\ndetection:\n  s:\n    CommandLine: x\n  condition: s\n"
        )
        .is_empty());
    }
}
