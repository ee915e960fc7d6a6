use sigma_core::attack::{self, Status};

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Finds `attack.*` tags that ATT&CK has revoked, deprecated or renamed,
    /// and tactic tags in the Sigma v1 underscore spelling; names what to
    /// write instead.
    ///
    /// ## Why it matters
    /// A revoked technique no longer appears in ATT&CK navigators or
    /// coverage reports: the rule drops out of them silently. ATT&CK v19
    /// replaced `defense-evasion` by `stealth` and `defense-impairment`.
    ///
    /// ## Example
    /// `tags: [attack.defense-evasion, attack.t1562.001, attack.credential_access]`
    ///
    /// ## Write instead
    /// `tags: [attack.defense-impairment, attack.t1685, attack.credential-access]`
    ///
    /// ## Fix
    /// Sometimes: the underscore spelling is fixed safely; a revoked id with
    /// one replacement is replaced as an unsafe fix (the meaning may shift).
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// A retired tactic has several successors; choosing one is left to the author.
    ///
    /// ## References
    /// MITRE ATT&CK v19 release notes; sigma-specification#218.
    pub struct OutdatedAttackTag {
        code: "D005",
        name: "outdated-attack-tag",
        family: Tags,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: Sometimes,
    }
}

impl Check for OutdatedAttackTag {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            for tag in &document.header().tags {
                let Some(name) = tag.value.strip_prefix("attack.") else {
                    continue;
                };
                let Some(entry) = attack::lookup_tag(name) else {
                    continue;
                };
                let replace = |with: String, applicability| Fix {
                    message: format!("write `attack.{with}`"),
                    applicability,
                    edits: vec![Edit {
                        start: tag.span.start,
                        end: tag.span.end,
                        replacement: format!("attack.{with}"),
                    }],
                };
                let finding = match entry.status {
                    Status::Revoked(_) => {
                        let Some(by) = attack::replacement(entry) else {
                            continue;
                        };
                        let new = by.tag_name();
                        cx.finding(
                            &Self::META,
                            tag.span,
                            format!(
                                "`{}` ({}) was revoked by ATT&CK; it is now `attack.{new}` ({})",
                                tag.value, entry.name, by.name
                            ),
                        )
                        .help(format!("write `attack.{new}`"))
                        .fix(replace(new, Applicability::Unsafe))
                    }
                    Status::Deprecated => cx
                        .finding(
                            &Self::META,
                            tag.span,
                            format!(
                                "`{}` ({}) is deprecated in ATT&CK, with no replacement",
                                tag.value, entry.name
                            ),
                        )
                        .help("remove the tag or pick a current technique"),
                    Status::Retired => {
                        let heirs: Vec<String> = entry
                            .tactics
                            .iter()
                            .map(|t| format!("`attack.{t}`"))
                            .collect();
                        cx.finding(
                            &Self::META,
                            tag.span,
                            format!(
                                "tactic `{}` no longer exists in ATT&CK {}; use {}",
                                tag.value,
                                attack::VERSION,
                                heirs.join(" or ")
                            ),
                        )
                        .help("pick the tactic that fits the rule's techniques")
                    }
                    Status::Active if name.contains('_') => {
                        let new = entry.tag_name();
                        cx.finding(
                            &Self::META,
                            tag.span,
                            format!("`{}` is the Sigma v1 spelling of `attack.{new}`", tag.value),
                        )
                        .fix(replace(new, Applicability::Safe))
                    }
                    Status::Active => continue,
                };
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn outdated_tags_name_their_replacement() {
        let source = "title: t\ntags:\n  - attack.defense-evasion\n  - attack.t1562.001\n  \
                      - attack.credential_access\n";
        let found = findings_of("D005", source);
        assert_eq!(found.len(), 3);
        assert!(
            found[0].message.contains("`attack.stealth`"),
            "{}",
            found[0].message
        );
        assert!(
            found[1].message.contains("`attack.t1685`"),
            "{}",
            found[1].message
        );
        assert!(found[2].fix.is_some());
        assert!(findings_of("D005", "title: t\ntags: [attack.stealth, attack.t1685]\n").is_empty());
    }
}
