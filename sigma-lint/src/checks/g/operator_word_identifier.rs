use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::detections;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds search identifiers whose name begins with an operator word:
    /// `not`, `and` or `or` (`notepad_child`, `order`, `android`).
    ///
    /// ## Why it matters
    /// pySigma matches operators as prefixes, not words: it reads
    /// `selection and not notepad_child` as `... not not epad_child` and
    /// rejects the rule. This tool reads it correctly; the rule is still
    /// not portable.
    ///
    /// ## Example
    /// ```yaml
    /// notepad_child: {Image|endswith: '\notepad.exe'}
    /// condition: selection and not notepad_child
    /// ```
    ///
    /// ## Write instead
    /// `filter_notepad_child` (and the condition to match)
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
    /// SigmaHQ/sigma#3724, #3807.
    pub struct OperatorWordIdentifier {
        code: "G005",
        name: "operator-word-identifier",
        family: Condition,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for OperatorWordIdentifier {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for detection in detections(cx) {
            for identifier in &detection.identifiers {
                let name = identifier.name.value.as_str();
                let Some(word) = ["not", "and", "or"]
                    .into_iter()
                    .find(|w| name.starts_with(w) && name.len() > w.len())
                else {
                    continue;
                };
                out.push(
                    cx.finding(
                        &Self::META,
                        identifier.name.span,
                        format!(
                            "search identifier `{name}` starts with the operator word `{word}`"
                        ),
                    )
                    .help("rename it; pySigma reads the start of the name as an operator"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn operator_prefixes() {
        let source = "title: t\ndetection:\n  selection: {a: 1}\n  notepad_child: {b: 1}\n  \
                      condition: selection and not notepad_child\n";
        let found = findings_of("G005", source);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`notepad_child`"));
        assert!(findings_of("G005", &source.replace("notepad_child", "filter_notepad")).is_empty());
    }
}
