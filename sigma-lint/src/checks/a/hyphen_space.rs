use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::a::text::{ends_tokens, spaces_from, span_at, Layout};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds more than one space after the `-` of a list item.
    ///
    /// ## Why you might want it
    /// SigmaHQ's yamllint configuration rejects it; with 4-space indents a
    /// wide `-   item` is easily taken for a nested level. It is one check
    /// per yamllint rule so that each can be ignored by its name.
    ///
    /// ## Example
    /// ```yaml
    /// falsepositives:
    ///     -   Administrators
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    /// falsepositives:
    ///     - Administrators
    /// ```
    ///
    /// ## Fix
    /// None: when the item is a mapping, its other keys are aligned with
    /// its first one, and moving the first alone would re-nest them.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Files that are not valid YAML are not checked.
    ///
    /// ## References
    /// yamllint `hyphens` (default: `max-spaces-after: 1`).
    pub struct HyphenSpace {
        code: "A015",
        name: "hyphen-spacing",
        family: Yaml,
        group: Convention,
        severity: Error,
        scope: SigmaHq,
        fix: None,
    }
}

impl Check for HyphenSpace {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let source = cx.source();
        if !source.contains("-  ") {
            return;
        }
        let Some(layout) = Layout::of(cx) else {
            return;
        };

        let bytes = source.as_bytes();
        for (at, _) in source.match_indices("-  ") {
            // An item's `-` starts its line or follows another item's
            // `- `; the last dash of `---` follows a dash.
            let after_blank = at == 0 || matches!(bytes.get(at - 1), Some(b' ' | b'\n' | b'\r'));
            let spaces = spaces_from(source, at + 1);
            if !after_blank || ends_tokens(source, at + 1 + spaces) || !layout.is_syntax(at) {
                continue;
            }
            let span = span_at(source, at + 2, at + 1 + spaces);
            out.push(
                cx.finding(&Self::META, span, "more than one space after `-`")
                    .help("write `- item`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn one_space_after_the_dash() {
        let source = "falsepositives:\n    -   Admins\n    - Users\n    -   # note\n        x\n";
        let found = findings_of("A015", source);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (2, 7));
        let clean = "falsepositives:\n    - Admins\ndescription: 'a -  b'\nx: |\n    -  y\n";
        assert!(findings_of("A015", clean).is_empty());
    }
}
