use sigma_core::attack;

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds `attack.*` tags that name no tactic, technique, sub-technique,
    /// group, software or campaign of the embedded ATT&CK table.
    ///
    /// ## Why it matters
    /// A typo (`attack.t1509` for `t1059`) puts the rule under the wrong
    /// technique, or under none, in every coverage map.
    ///
    /// ## Example
    /// `tags: [attack.t9999, attack.exection]`
    ///
    /// ## Write instead
    /// `tags: [attack.t1059, attack.execution]`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None. The table is ATT&CK Enterprise v19.2, compiled in; no network.
    ///
    /// ## Known problems
    /// Data-source (`ds0009`), mitigation (`m1038`) and asset (`a0001`) ids are
    /// not in the table and are accepted unverified.
    ///
    /// ## References
    /// pySigma `attacktag`; MITRE ATT&CK.
    pub struct UnknownAttackTag {
        code: "D004",
        name: "unknown-attack-tag",
        family: Tags,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

/// Ids of kinds the table does not hold, which are let through.
fn unverifiable(name: &str) -> bool {
    let digits = |s: &str| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit());
    ["ds", "m", "a"]
        .iter()
        .any(|p| name.strip_prefix(p).is_some_and(digits))
}

impl Check for UnknownAttackTag {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            for tag in &document.header().tags {
                let Some(name) = tag.value.strip_prefix("attack.") else {
                    continue;
                };
                if attack::lookup_tag(name).is_none() && !unverifiable(&name.to_ascii_lowercase()) {
                    out.push(
                        cx.finding(
                            &Self::META,
                            tag.span,
                            format!(
                                "`{}` names nothing in MITRE ATT&CK {}",
                                tag.value,
                                attack::VERSION
                            ),
                        )
                        .help(
                            "use a tactic short name (`attack.execution`) \
                             or an id (`attack.t1059.001`)",
                        ),
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
    fn unknown_ids() {
        let found = findings_of(
            "D004",
            "title: t\ntags: [attack.t9999, attack.exection, attack.ds0009]\n",
        );
        assert_eq!(found.len(), 2);
        assert!(found[0].message.contains("`attack.t9999`"));
        let good =
            "title: t\ntags: [attack.t1059.001, attack.execution, attack.g0007, attack.s0002]\n";
        assert!(findings_of("D004", good).is_empty());
    }
}
