use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::Finding;

const KEYS: &[&str] = &["category", "product", "service", "definition"];

crate::declare_check! {
    /// ## What it does
    /// Finds keys in `logsource` other than category, product, service and
    /// definition.
    ///
    /// ## Why it matters
    /// Backends ignore other keys, so a misspelt `categroy` leaves the rule
    /// reading every event of the product.
    ///
    /// ## Example
    /// `logsource: {product: windows, categroy: process_creation}`
    ///
    /// ## Write instead
    /// `logsource: {product: windows, category: process_creation}`
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
    /// Sigma specification, `logsource`; pySigma `fieldname_logsource`.
    pub struct UnknownLogsourceKey {
        code: "E002",
        name: "unknown-logsource-key",
        family: LogSource,
        group: Correctness,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for UnknownLogsourceKey {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            let Some(entries) = document
                .header()
                .get("logsource")
                .and_then(|n| n.as_mapping())
            else {
                continue;
            };
            for (key, _) in entries {
                let name = key.as_str().unwrap_or("");
                if !KEYS.contains(&name) {
                    out.push(
                        cx.finding(
                            &Self::META,
                            key.span,
                            format!("`{name}` is not a log-source key"),
                        )
                        .help("use category, product, service or definition"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn keys_are_known() {
        let found = findings_of(
            "E002",
            "title: t\nlogsource:\n  product: windows\n  categroy: x\n",
        );
        assert_eq!((found[0].line(), found[0].column()), (4, 3));
        assert!(findings_of(
            "E002",
            "title: t\nlogsource: {product: windows, service: security}\n"
        )
        .is_empty());
    }
}
