use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::d::{attack_entries, is_technique};
use crate::checks::sigma_documents;
use crate::finding::Finding;
use sigma_core::attack::{Kind, Status};

crate::declare_check! {
    /// ## What it does
    /// Finds a tactic tag that none of the rule's technique tags belongs to
    /// in ATT&CK.
    ///
    /// ## Why it matters
    /// It usually means a wrong technique id, or a tactic kept from an older
    /// ATT&CK release; coverage maps then show the rule in a column it does
    /// not cover.
    ///
    /// ## Example
    /// `tags: [attack.persistence, attack.t1059.001]` (PowerShell is execution)
    ///
    /// ## Write instead
    /// `tags: [attack.execution, attack.t1059.001]`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Rules may tag a tactic on purpose without a technique for it; this is
    /// why the finding is informational.
    ///
    /// ## References
    /// MITRE ATT&CK technique-to-tactic mapping.
    pub struct AttackTacticMismatch {
        code: "D006",
        name: "attack-tactic-mismatch",
        family: Tags,
        group: Suspicious,
        severity: Info,
        scope: Spec,
        fix: None,
    }
}

impl Check for AttackTacticMismatch {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            let entries = attack_entries(&document.header().tags);
            let techniques: Vec<_> = entries.iter().filter(|(_, e)| is_technique(e)).collect();
            if techniques.is_empty() {
                continue;
            }
            for (tag, tactic) in &entries {
                if tactic.kind != Kind::Tactic || tactic.status != Status::Active {
                    continue;
                }
                let Some(short) = tactic.tactics.first() else {
                    continue;
                };
                if techniques.iter().any(|(_, t)| t.tactics.contains(short)) {
                    continue;
                }
                let names: Vec<String> = techniques
                    .iter()
                    .map(|(t, _)| format!("`{}`", t.value))
                    .collect();
                out.push(cx.finding(
                    &Self::META,
                    tag.span,
                    format!(
                        "tactic `{}` fits none of the techniques {}",
                        tag.value,
                        names.join(", ")
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn tactic_must_fit_a_technique() {
        let found = findings_of(
            "D006",
            "title: t\ntags: [attack.persistence, attack.t1059.001]\n",
        );
        assert_eq!(found.len(), 1);
        assert!(findings_of(
            "D006",
            "title: t\ntags: [attack.execution, attack.t1059.001]\n"
        )
        .is_empty());
        assert!(findings_of("D006", "title: t\ntags: [attack.persistence]\n").is_empty());
    }
}
