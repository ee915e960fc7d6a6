use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::{items, rules};
use crate::finding::Finding;
use crate::settings::sigmahq_logsources;

crate::declare_check! {
    /// ## What it does
    /// Checks field names against the fields SigmaHQ lists for the rule's
    /// log source, case included (`CommandLine`, not `Commandline`).
    ///
    /// ## Why you might want it
    /// Field names are case-sensitive in most backends; a misspelt field
    /// never matches and the rule silently never fires.
    ///
    /// ## Example
    /// `logsource: {product: windows, category: process_creation}` with
    /// `Commandline|contains: whoami`
    ///
    /// ## Write instead
    /// `CommandLine|contains: whoami`
    ///
    /// ## Fix
    /// None; the help names a field that differs only in case.
    ///
    /// ## Options
    /// None; the lists are preset data (`data/sigmahq-logsources.json`).
    ///
    /// ## Known problems
    /// Log sources without their own field list are not checked, as in
    /// SigmaHQ's test; keyword searches have no field to check.
    ///
    /// ## References
    /// SigmaHQ tests/test_logsource.py `test_fieldname_case`.
    pub struct UnknownField {
        code: "F003",
        name: "unknown-field",
        family: Detection,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: None,
    }
}

impl Check for UnknownField {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let table = sigmahq_logsources();
        for rule in rules(cx) {
            let source = &rule.logsource;
            let product = source.product.as_ref().map_or("", |p| p.value.as_str());
            let Some(known) = table.products.get(product) else {
                continue;
            };
            let mut fields: Vec<&String> = Vec::new();
            if let Some(list) = source
                .category
                .as_ref()
                .and_then(|c| known.category.get(&c.value))
            {
                fields.extend(list);
            }
            if let Some(list) = source
                .service
                .as_ref()
                .and_then(|s| known.service.get(&s.value))
            {
                fields.extend(list);
            }
            if source.category.is_none() && source.service.is_none() {
                fields.extend(&known.empty);
            }
            // As in SigmaHQ's test: without a list of its own, anything goes.
            if fields.is_empty() {
                continue;
            }
            fields.extend(&known.common);
            for identifier in &rule.detection.identifiers {
                for item in items(&identifier.body) {
                    let Some(field) = &item.field else { continue };
                    if fields.iter().any(|f| **f == field.value) {
                        continue;
                    }
                    let mut finding = cx.finding(
                        &Self::META,
                        field.span,
                        format!(
                            "field `{}` is not a known field of this log source",
                            field.value
                        ),
                    );
                    if let Some(near) = fields.iter().find(|f| f.eq_ignore_ascii_case(&field.value))
                    {
                        finding =
                            finding.help(format!("field names are case-sensitive: write `{near}`"));
                    }
                    out.push(finding);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn rule(field: &str) -> String {
        format!(
            "title: t\nlogsource: {{product: windows, category: process_creation}}\n\
             detection:\n  s:\n    {field}|contains: x\n    EventID: 1\n  condition: s\n"
        )
    }

    #[test]
    fn fields_per_log_source() {
        let found = findings_of("F003", &rule("Commandline"));
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("`CommandLine`"));
        assert_eq!((found[0].line(), found[0].column()), (5, 5));
        assert!(findings_of("F003", &rule("CommandLine")).is_empty());
    }
}
