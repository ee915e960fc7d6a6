use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::Finding;

/// The namespaces of the specification's tags appendix.
pub(crate) const NAMESPACES: &[&str] =
    &["attack", "car", "cve", "d3fend", "detection", "stp", "tlp"];

crate::declare_check! {
    /// ## What it does
    /// Finds tags whose namespace (the part before the first `.`) is not one
    /// of attack, car, cve, d3fend, detection, stp, tlp.
    ///
    /// ## Why it matters
    /// Tools only understand these namespaces; `mitre.t1059` or
    /// `attck.t1059` is silently ignored by ATT&CK coverage reports.
    ///
    /// ## Example
    /// `tags: [mitre.t1059]`
    ///
    /// ## Write instead
    /// `tags: [attack.t1059]`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Organisations with their own namespace should ignore this check.
    ///
    /// ## References
    /// Sigma specification, tags appendix; pySigma `namespace_tag`.
    pub struct UnknownTagNamespace {
        code: "D003",
        name: "unknown-tag-namespace",
        family: Tags,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for UnknownTagNamespace {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            for tag in &document.header().tags {
                let Some((namespace, _)) = tag.value.split_once('.') else {
                    continue;
                };
                if !NAMESPACES.contains(&namespace)
                    && NAMESPACES.contains(&namespace.to_ascii_lowercase().as_str())
                {
                    continue; // upper case: invalid-tag-format says so
                }
                if !NAMESPACES.contains(&namespace) {
                    out.push(
                        cx.finding(
                            &Self::META,
                            tag.span,
                            format!("tag namespace `{namespace}` is not a Sigma namespace"),
                        )
                        .help(format!("use one of {}", NAMESPACES.join(", "))),
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
    fn namespaces() {
        let found = findings_of(
            "D003",
            "title: t\ntags: [mitre.t1059, attack.t1059, tlp.clear]\n",
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`mitre`"));
        assert!(findings_of("D003", "title: t\ntags: [cve.2021-44228]\n").is_empty());
    }
}
