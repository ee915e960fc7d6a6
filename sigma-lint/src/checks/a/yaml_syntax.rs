use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Reports a file that is not valid YAML, at the offending character.
    ///
    /// ## Why it matters
    /// No tool can load the rule; in SigmaHQ's CI the whole run stops.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection:
    ///     Image: *\cmd.exe
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    ///     Image|endswith: '\cmd.exe'
    /// ```
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// YAML cannot resume after an error, so only the first one is reported.
    ///
    /// ## References
    /// YAML 1.2.2; lint-checks A1.
    pub struct YamlSyntax {
        code: "A002",
        name: "yaml-syntax-error",
        family: Yaml,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for YamlSyntax {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let Some(error) = &cx.file.syntax_error else {
            return;
        };
        let at = cx.source().get(error.span.start..).unwrap_or("");
        // A plain scalar starting with `*` is an alias to YAML; rule authors
        // mean a wildcard.
        let finding = if at.starts_with('*') {
            cx.finding(
                &Self::META,
                error.span,
                "invalid YAML: a value starting with `*` is read as an alias",
            )
            .help("quote the value (`'*\\cmd.exe'`) or use a modifier such as `endswith`")
        } else {
            cx.finding(
                &Self::META,
                error.span,
                format!("invalid YAML: {}", error.message),
            )
        };
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn reports_the_bad_character() {
        let found = findings_of(
            "A002",
            "title: x\ndetection:\n  s:\n    Image: *\\cmd.exe\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line(), 4);
        assert_eq!(found[0].column(), 12);
        assert!(found[0].message.contains("alias"), "{}", found[0].message);
        assert!(findings_of("A002", "title: x\n").is_empty());
    }
}
