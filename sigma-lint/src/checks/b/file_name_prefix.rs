use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::rules;
use crate::finding::Finding;
use crate::settings::sigmahq_preset;

crate::declare_check! {
    /// ## What it does
    /// Checks that a rule's file name starts with the prefix its log source
    /// implies: `proc_creation_win_` for Windows process creation,
    /// `win_security_` for the Security channel, `aws_` for CloudTrail, ...
    ///
    /// ## Why you might want it
    /// SigmaHQ sorts its rules by this prefix; a wrong one hides a rule from
    /// the people who look for it.
    ///
    /// ## Example
    /// `whoami_execution.yml` for a `process_creation`/`windows` rule.
    ///
    /// ## Write instead
    /// `proc_creation_win_whoami_execution.yml`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None; the prefixes are preset data (`data/preset-sigmahq.json`).
    ///
    /// ## Known problems
    /// Log sources with no known prefix are not checked.
    ///
    /// ## References
    /// SigmaHQ tests/test_rules.py `test_file_names`.
    pub struct FileNamePrefix {
        code: "B004",
        name: "file-name-prefix",
        family: FileName,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: None,
    }
}

impl Check for FileNamePrefix {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let Some(name) = cx.path.file_name().and_then(|n| n.to_str()) else {
            return;
        };
        // A file holding a correlation and its rules is named for the
        // correlation, not for a log source.
        if cx.documents().len() != 1 {
            return;
        }
        fn value(f: &Option<sigma_core::span::Spanned<String>>) -> Option<&str> {
            f.as_ref().map(|s| s.value.as_str())
        }
        for rule in rules(cx) {
            let source = &rule.logsource;
            let Some(prefix) = expected_prefix(
                value(&source.product),
                value(&source.category),
                value(&source.service),
            ) else {
                continue;
            };
            if !name.starts_with(&prefix) {
                let span = source.span.unwrap_or_else(super::super::b::file_start);
                out.push(
                    cx.finding(
                        &Self::META,
                        super::file_start(),
                        format!(
                            "file name `{name}` should start with `{prefix}` for this log source"
                        ),
                    )
                    .label(span, "log source")
                    .help(format!("rename the file to `{prefix}...`")),
                );
            }
        }
    }
}

/// The prefix a log source implies; later keys win, as SigmaHQ's test does.
fn expected_prefix(
    product: Option<&str>,
    category: Option<&str>,
    service: Option<&str>,
) -> Option<String> {
    let data = sigmahq_preset();
    let os = product
        .and_then(|p| data.os_prefix.get(p))
        .map_or("", String::as_str);
    let mut prefix = product
        .and_then(|p| data.file_prefixes.product.get(p))
        .cloned();
    if let Some(found) = category.and_then(|c| data.file_prefixes.category.get(c)) {
        prefix = Some(match found.strip_suffix('+') {
            Some(stem) => format!("{stem}{os}"),
            None => found.clone(),
        });
    }
    if let Some(found) = service.and_then(|s| data.file_prefixes.service.get(s)) {
        prefix = Some(found.clone());
    }
    prefix
}

#[cfg(test)]
mod tests {
    use super::expected_prefix;
    use crate::settings::Settings;
    use crate::testing::findings_at;

    const RULE: &str = "title: x\nlogsource:\n  product: windows\n  category: process_creation\n\
                        detection:\n  s: {a: 1}\n  condition: s\n";

    #[test]
    fn prefixes_follow_the_log_source() {
        assert_eq!(
            expected_prefix(Some("windows"), Some("process_creation"), None).as_deref(),
            Some("proc_creation_win_")
        );
        assert_eq!(
            expected_prefix(Some("windows"), None, Some("security")).as_deref(),
            Some("win_security_")
        );
        assert_eq!(
            expected_prefix(Some("aws"), None, Some("cloudtrail")).as_deref(),
            Some("aws_")
        );
        assert_eq!(
            expected_prefix(Some("windows"), Some("unknown_x"), None),
            None
        );
    }

    #[test]
    fn wrong_prefix_is_flagged() {
        let found = findings_at("B004", "r/whoami_exec.yml", RULE, Settings::default());
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`proc_creation_win_`"));
        assert!(findings_at(
            "B004",
            "r/proc_creation_win_whoami.yml",
            RULE,
            Settings::default()
        )
        .is_empty());
    }
}
