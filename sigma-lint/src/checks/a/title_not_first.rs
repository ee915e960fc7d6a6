use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Checks that `title` is the first key of each rule document.
    ///
    /// ## Why you might want it
    /// SigmaHQ requires it so that a rule's purpose is its first line.
    ///
    /// ## Example
    /// ```yaml
    /// id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10
    /// title: Whoami Execution
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    /// title: Whoami Execution
    /// id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10
    /// ```
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Documents without a `title` are left to `missing-title`.
    ///
    /// ## References
    /// SigmaHQ tests/test_rules.py `test_title_in_first_line`.
    pub struct TitleNotFirst {
        code: "A006",
        name: "title-not-first",
        family: Yaml,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: None,
    }
}

impl Check for TitleNotFirst {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in cx.documents() {
            let header = document.header();
            let Some(entries) = header.root.as_ref().and_then(|r| r.as_mapping()) else {
                continue;
            };
            let Some((first, _)) = entries.first() else {
                continue;
            };
            if header.title.is_some() && first.as_str() != Some("title") {
                let key = first.as_str().unwrap_or("?");
                out.push(
                    cx.finding(
                        &Self::META,
                        first.span,
                        format!("the first key is `{key}`, not `title`"),
                    )
                    .help("move `title` to the top of the rule"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn title_must_lead() {
        let found = findings_of("A006", "id: x\ntitle: t\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line(), 1);
        assert!(findings_of("A006", "title: t\nid: x\n").is_empty());
    }
}
