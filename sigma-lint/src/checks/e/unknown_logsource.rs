use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::rules;
use crate::finding::Finding;
use crate::settings::sigmahq_logsources;

crate::declare_check! {
    /// ## What it does
    /// Checks the log source against SigmaHQ's table of known products,
    /// categories and services: the product must be known, and a category
    /// or service, when given, must be listed for it.
    ///
    /// ## Why you might want it
    /// Backends map only known log sources; an invented category
    /// (`process_create`) makes the rule unconvertible or read nothing.
    ///
    /// ## Example
    /// `logsource: {product: windows, category: process_create}`
    ///
    /// ## Write instead
    /// `logsource: {product: windows, category: process_creation}`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None; the table is preset data (`data/sigmahq-logsources.json`,
    /// generated from SigmaHQ's `tests/logsource.json`).
    ///
    /// ## Known problems
    /// As in SigmaHQ's test, a known category passes whatever the service.
    ///
    /// ## References
    /// SigmaHQ tests/test_logsource.py.
    pub struct UnknownLogsource {
        code: "E003",
        name: "unknown-logsource",
        family: LogSource,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: None,
    }
}

impl Check for UnknownLogsource {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let table = sigmahq_logsources();
        for rule in rules(cx) {
            let source = &rule.logsource;
            let Some(span) = source.span else { continue };
            let product = source.product.as_ref().map_or("", |p| p.value.as_str());
            let Some(known) = table.products.get(product) else {
                let at = source.product.as_ref().map_or(span, |p| p.span);
                out.push(cx.finding(
                    &Self::META,
                    at,
                    format!("product `{product}` is not a known log-source product"),
                ));
                continue;
            };
            let category = source.category.as_ref();
            let service = source.service.as_ref();
            let category_ok = category.is_some_and(|c| known.category.contains_key(&c.value));
            let service_ok = service.is_some_and(|s| known.service.contains_key(&s.value));
            if category_ok || service_ok || (category.is_none() && service.is_none()) {
                continue;
            }
            let (what, given) = match (category, service) {
                (Some(c), _) => ("category", c),
                (None, Some(s)) => ("service", s),
                (None, None) => continue,
            };
            let shown = if product.is_empty() {
                "no product"
            } else {
                product
            };
            out.push(cx.finding(
                &Self::META,
                given.span,
                format!("{what} `{}` is not known for {shown}", given.value),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn rule(logsource: &str) -> String {
        format!("title: t\nlogsource: {logsource}\ndetection:\n  s: {{a: 1}}\n  condition: s\n")
    }

    #[test]
    fn known_combinations() {
        let found = findings_of(
            "E003",
            &rule("{product: windows, category: process_create}"),
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`process_create`"));
        assert_eq!(findings_of("E003", &rule("{product: windoze}")).len(), 1);
        assert!(findings_of(
            "E003",
            &rule("{product: windows, category: process_creation}")
        )
        .is_empty());
        assert!(findings_of("E003", &rule("{category: proxy}")).is_empty());
    }
}
