use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Checks that each tag is `namespace.name`, in lower-case letters,
    /// digits, `_`, `-` and `.` (`^[a-z0-9_-]+\.[a-z0-9._-]+$`).
    ///
    /// ## Why it matters
    /// Tools match tags as text: `attack.T1059` or `ATTACK.t1059` finds no
    /// technique, and the specification's schema rejects them.
    ///
    /// ## Example
    /// `tags: [attack.T1059.001, Execution]`
    ///
    /// ## Write instead
    /// `tags: [attack.t1059.001, attack.execution]`
    ///
    /// ## Fix
    /// Sometimes, safe: a tag that is right once lower-cased is lower-cased.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// Sigma specification, tags appendix; pySigma `tag_format`.
    pub struct InvalidTagFormat {
        code: "D001",
        name: "invalid-tag-format",
        family: Tags,
        group: Correctness,
        severity: Warning,
        scope: Spec,
        fix: Sometimes,
    }
}

/// Whether `tag` has the form the specification's pattern allows.
pub(crate) fn well_formed(tag: &str) -> bool {
    let Some((namespace, name)) = tag.split_once('.') else {
        return false;
    };
    let ok = |s: &str, dot: bool| {
        !s.is_empty()
            && s.bytes().all(|b| {
                b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'_'
                    || b == b'-'
                    || (dot && b == b'.')
            })
    };
    ok(namespace, false) && ok(name, true)
}

impl Check for InvalidTagFormat {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            for tag in &document.header().tags {
                if well_formed(&tag.value) {
                    continue;
                }
                let lower = tag.value.to_ascii_lowercase();
                let mut finding = cx
                    .finding(
                        &Self::META,
                        tag.span,
                        format!("tag `{}` is not `namespace.name` in lower case", tag.value),
                    )
                    .help("write tags like `attack.t1059.001`");
                if well_formed(&lower) {
                    finding = finding.help(format!("write `{lower}`")).fix(Fix {
                        message: format!("write `{lower}`"),
                        applicability: Applicability::Safe,
                        edits: vec![Edit {
                            start: tag.span.start,
                            end: tag.span.end,
                            replacement: lower,
                        }],
                    });
                }
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn tag_shape() {
        let found = findings_of(
            "D001",
            "title: t\ntags:\n  - attack.T1059\n  - execution\n  - a.b\n",
        );
        assert_eq!(found.len(), 2);
        assert!(found[0].fix.is_some());
        assert!(found[1].fix.is_none());
        assert_eq!((found[1].line(), found[1].column()), (4, 5));
    }
}
