use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::d::{attack_entries, is_technique};
use crate::checks::sigma_documents;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a technique tag none of whose ATT&CK tactics is tagged.
    ///
    /// ## Why you might want it
    /// SigmaHQ tags every technique's tactic so that rules can be grouped by
    /// tactic without a lookup.
    ///
    /// ## Example
    /// `tags: [attack.t1059.001]`
    ///
    /// ## Write instead
    /// `tags: [attack.execution, attack.t1059.001]`
    ///
    /// ## Fix
    /// None: with several tactics the author picks.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// SigmaHQ asks for every tactic of the technique; this asks for one.
    ///
    /// ## References
    /// pySigma-validators-sigmaHQ `sigmahq_tags_techniques_without_tactics`.
    pub struct TechniqueWithoutTactic {
        code: "D007",
        name: "technique-without-tactic",
        family: Tags,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: None,
    }
}

impl Check for TechniqueWithoutTactic {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            let tags = &document.header().tags;
            let tagged: Vec<&str> = tags
                .iter()
                .filter_map(|t| t.value.strip_prefix("attack."))
                .collect();
            for (tag, entry) in attack_entries(tags) {
                if !is_technique(entry) || entry.tactics.iter().any(|t| tagged.contains(t)) {
                    continue;
                }
                let wanted: Vec<String> = entry
                    .tactics
                    .iter()
                    .map(|t| format!("`attack.{t}`"))
                    .collect();
                out.push(
                    cx.finding(
                        &Self::META,
                        tag.span,
                        format!("`{}` has no tactic tag", tag.value),
                    )
                    .help(format!("add {}", wanted.join(" or "))),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn technique_needs_tactic() {
        let found = findings_of("D007", "title: t\ntags: [attack.t1059.001]\n");
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("attack.execution"));
        assert!(findings_of(
            "D007",
            "title: t\ntags: [attack.execution, attack.t1059.001]\n"
        )
        .is_empty());
    }
}
