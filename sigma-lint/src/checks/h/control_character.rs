use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a string value holding a control character (below U+0020),
    /// usually a tab or line break made by a double-quoted YAML escape.
    ///
    /// ## Why it matters
    /// `"C:\temp"` in double quotes is `C:`, a tab, then `emp`: the path
    /// the author wrote never matches.
    ///
    /// ## Example
    /// ```yaml
    /// Image|startswith: "C:\temp\"
    /// ```
    ///
    /// ## Write instead
    /// `Image|startswith: 'C:\temp\'` (single quotes keep backslashes).
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// A value that means to hold a tab is reported too.
    ///
    /// ## References
    /// pySigma validator `control_character`.
    pub struct ControlCharacter {
        code: "H008",
        name: "control-character",
        family: Values,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for ControlCharacter {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for (value, text) in super::plain_strings(cx) {
            if let Some(c) = text.chars().find(|c| (*c as u32) < 0x20) {
                let message = format!("value holds the control character U+{:04X}", c as u32);
                let help = "a double-quoted `\\t` or `\\n` is an escape; use single quotes";
                out.push(cx.finding(&Self::META, value.span, message).help(help));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn tab_from_a_double_quoted_escape() {
        let rule =
            |v: &str| format!("title: t\ndetection:\n  sel:\n    I: {v}\n  condition: sel\n");
        let found = findings_of("H008", &rule("\"C:\\temp\""));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("U+0009"));
        assert!(findings_of("H008", &rule("'C:\\temp'")).is_empty());
    }
}
