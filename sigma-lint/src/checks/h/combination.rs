use sigma_core::modifier::{ChainKind, Modifier, Position, StringStep};
use sigma_core::rule::ValueKind;
use sigma_core::value::SigmaString;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds modifier combinations that are valid but cannot do what they
    /// say: `windash` with `all`, `base64offset` without `contains`, a
    /// field-bound `all` over exact values (no `contains`, `startswith`,
    /// `endswith`, `re` or wildcard), and a modifier written twice.
    ///
    /// ## Why it matters
    /// `base64offset` fragments never equal a whole field; one field cannot
    /// equal two different exact values at once; `windash` variants are
    /// alternatives, which `all` turns into requirements. Each rule so
    /// written never matches, or not as meant.
    ///
    /// ## Example
    /// ```yaml
    /// selection:
    ///   CommandLine|all:
    ///     - 'whoami'
    ///     - 'hostname'
    /// ```
    ///
    /// ## Write instead
    /// `CommandLine|contains|all:` with the same list.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// pySigma also flags `startswith|all` and `re|all`, which can match;
    /// this check does not.
    ///
    /// ## References
    /// Sigma specification, value modifiers (`windash`, `all`,
    /// `base64offset`, `contains`).
    pub struct InvalidCombination {
        code: "H005",
        name: "invalid-modifier-combination",
        family: Values,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for InvalidCombination {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for (item, chain) in super::valid_chains(cx) {
            let find = |m: Modifier| chain.modifiers.iter().find(|s| s.value == m);
            let ChainKind::Plain(steps) = &chain.kind else {
                continue;
            };
            let has = |s: StringStep| steps.contains(&s);
            let positioned = steps.iter().any(|s| matches!(s, StringStep::Position(_)));

            if let (Some(all), true) = (find(Modifier::All), has(StringStep::Windash)) {
                let message = "windash modifier combined with all modifier";
                let help = "windash variants are alternatives; split the values into selections";
                out.push(cx.finding(&Self::META, all.span, message).help(help));
            }

            if let Some(offset) = find(Modifier::Base64Offset) {
                if !has(StringStep::Position(Position::Anywhere)) {
                    let message = "base64offset modifier used without contains";
                    let help = "offset fragments sit inside a longer value: add `|contains`";
                    out.push(cx.finding(&Self::META, offset.span, message).help(help));
                }
            }

            let exact = item
                .values
                .iter()
                .filter(|v| match &v.kind {
                    ValueKind::Str(text) => !SigmaString::parse(text).has_wildcards(),
                    ValueKind::Number(_) | ValueKind::Bool(_) => true,
                    ValueKind::Null => false,
                })
                .count();
            let expands = has(StringStep::Windash) || has(StringStep::Base64Offset);
            if let Some(all) = find(Modifier::All) {
                if item.field.is_some() && !positioned && !expands && exact >= 2 {
                    let message = "field-bound all modifier without contains: one field cannot \
                                   equal several exact values, so this never matches";
                    let help = "add `|contains` (or startswith/endswith) before `|all`";
                    out.push(cx.finding(&Self::META, all.span, message).help(help));
                }
            }

            for (index, modifier) in chain.modifiers.iter().enumerate() {
                let again = chain.modifiers[..index]
                    .iter()
                    .any(|m| m.value == modifier.value);
                if again && modifier.value != Modifier::Base64 {
                    let message = format!("modifier `{}` is given twice", modifier.value);
                    out.push(cx.finding(&Self::META, modifier.span, message));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn rule(item: &str) -> String {
        format!("title: t\ndetection:\n  selection:\n    {item}\n  condition: selection\n")
    }

    #[test]
    fn windash_with_all() {
        let found = findings_of("H005", &rule("C|windash|contains|all: ['-a', '-b']"));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("windash"));
        assert!(findings_of("H005", &rule("C|windash|contains: ['-a', '-b']")).is_empty());
    }

    #[test]
    fn base64offset_needs_contains() {
        assert_eq!(findings_of("H005", &rule("C|base64offset: 'x'")).len(), 1);
        assert!(findings_of("H005", &rule("C|base64offset|contains: 'x'")).is_empty());
    }

    #[test]
    fn all_over_exact_values() {
        let found = findings_of("H005", &rule("C|all: ['a', 'b']"));
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (4, 7));
        assert!(findings_of("H005", &rule("C|contains|all: ['a', 'b']")).is_empty());
        assert!(findings_of("H005", &rule("C|startswith|all: ['a', 'ab']")).is_empty());
        assert!(findings_of("H005", &rule("C|all: ['*a*', '*b*']")).is_empty());
    }

    #[test]
    fn modifier_twice() {
        let found = findings_of("H005", &rule("C|contains|contains: 'a'"));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("twice"));
        assert!(findings_of("H005", &rule("C|base64|base64|contains: 'a'")).is_empty());
    }
}
