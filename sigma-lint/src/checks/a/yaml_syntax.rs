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
    /// The other checks see the documents before the broken one; that
    /// document and any after it are not checked until the error is fixed.
    ///
    /// ## References
    /// YAML 1.2.2.
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
        // mean a wildcard. An alias to an anchor the file defines is a real
        // alias, and the error there is something else (an alias bomb, say).
        let finding = if is_mistaken_alias(cx.source(), at) {
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

/// Whether `at` (the text where the YAML error is) starts with an alias
/// whose name no `&anchor` in `source` defines: a wildcard value written
/// unquoted. `*\cmd.exe` is not even a valid alias name, so it counts.
fn is_mistaken_alias(source: &str, at: &str) -> bool {
    let Some(rest) = at.strip_prefix('*') else {
        return false;
    };
    let ends_name = |c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}');
    let name = rest.split(ends_name).next().unwrap_or("");
    if name.is_empty() {
        return true;
    }
    let anchor = format!("&{name}");
    let defined = source.match_indices(&anchor).any(|(start, _)| {
        source
            .get(start + anchor.len()..)
            .and_then(|after| after.chars().next())
            .is_none_or(ends_name)
    });
    !defined
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

    #[test]
    fn alias_advice_only_for_undefined_anchors() {
        let unknown = findings_of("A002", "title: x\nd:\n  s:\n    Image: *cmd.exe\n");
        assert_eq!(unknown.len(), 1);
        assert_eq!(
            unknown[0].message,
            "invalid YAML: a value starting with `*` is read as an alias"
        );

        // `*v` names a defined anchor; the error is the alias bomb budget.
        let mut bomb = String::from("title: x\na: &v [x, x, x, x, x, x, x, x, x, x]\n");
        let mut previous = "v".to_owned();
        for level in 0..8 {
            let name = format!("l{level}");
            let refs = vec![format!("*{previous}"); 10].join(", ");
            bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
            previous = name;
        }
        let found = findings_of("A002", &bomb);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .message
                .starts_with("invalid YAML: the file expands to more than"),
            "{}",
            found[0].message
        );
    }
}
