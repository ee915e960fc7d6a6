use std::cell::Cell;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds an `expand` value whose `%name%` placeholder has no values:
    /// none given in the option `defined`.
    ///
    /// ## Why it matters
    /// The specification says a tool that cannot fill a placeholder must
    /// reject the rule. Engines that go on anyway disagree: one reads the
    /// placeholder from the event's own fields, another leaves it for a
    /// pipeline that may never run, so the rule matches nothing or
    /// something unintended.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection:
    ///     TargetUserName|expand: '%Administrators%'
    ///   condition: selection
    /// ```
    ///
    /// ## Write instead
    /// Give the placeholder's values (`defined = ["Administrators"]` under
    /// this check's options, and the values to `sigma-test --placeholders`),
    /// or write the values into the rule.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// `defined`: the placeholder names a pipeline fills (list of strings).
    /// `pipeline-fills`: every placeholder is filled by a conversion
    /// pipeline, so none is reported (set by `--preset sigmahq`, whose
    /// `rules-placeholder` folder exists for such rules and whose CI,
    /// pySigma, leaves placeholders to a pipeline).
    ///
    /// ## Known problems
    /// Only the names are known to the linter, not the values.
    ///
    /// ## References
    /// Sigma specification, `expand` modifier and placeholders; pySigma
    /// placeholder transformations.
    pub struct UnresolvedPlaceholder {
        code: "H003",
        name: "unresolved-placeholder",
        family: Values,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for UnresolvedPlaceholder {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let pipeline = cx.settings.option(&Self::META, "pipeline-fills");
        if pipeline.and_then(|v| v.as_bool()) == Some(true) {
            return;
        }
        let defined: Vec<&str> = cx
            .settings
            .option(&Self::META, "defined")
            .and_then(|v| v.as_array())
            .map(|names| names.iter().filter_map(|n| n.as_str()).collect())
            .unwrap_or_default();
        for (item, chain) in super::valid_chains(cx) {
            if !chain.expand {
                continue;
            }
            for value in &item.values {
                let undefined = Cell::new(false);
                let lookup = |name: &str| {
                    if defined.contains(&name) {
                        Some(vec!["placeholder".to_owned()])
                    } else {
                        undefined.set(true);
                        None
                    }
                };
                if let Err(error) = chain.apply(value, &lookup) {
                    if undefined.get() {
                        let mut finding = cx.finding(&Self::META, error.span, error.message);
                        if let Some(help) = error.help {
                            finding = finding.help(help);
                        }
                        out.push(finding);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;
    use crate::testing::{findings_at, findings_of};

    const RULE: &str = "title: t\ndetection:\n  selection:\n    User|expand: '%Admins%'\n  \
                        condition: selection\n";

    #[test]
    fn undefined_placeholder_is_an_error() {
        let found = findings_of("H003", RULE);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("%Admins%"));
        assert_eq!((found[0].line(), found[0].column()), (4, 18));
    }

    #[test]
    fn defined_placeholder_passes() {
        let mut settings = Settings::default();
        settings.options.insert(
            "unresolved-placeholder".into(),
            serde_json::json!({ "defined": ["Admins"] }),
        );
        assert!(findings_at("H003", "r.yml", RULE, settings).is_empty());
        let sigmahq = Settings {
            preset: crate::settings::Preset::SigmaHq,
            ..Settings::default()
        };
        assert!(findings_at("H003", "r.yml", RULE, sigmahq).is_empty());
        let plain = RULE.replace("|expand", "");
        assert!(findings_of("H003", &plain).is_empty());
    }
}
