use sigma_core::span::{Location, Span};

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds the text `ATT&CK` anywhere in a rule file.
    ///
    /// ## Why you might want it
    /// SigmaHQ keeps MITRE's registered trademark out of rule text; tags
    /// (`attack.t1059`) say the same without it.
    ///
    /// ## Example
    /// `description: Detects MITRE ATT&CK technique T1059`
    ///
    /// ## Write instead
    /// `description: Detects a command interpreter started by Office` and
    /// the tag `attack.t1059`.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Comments are searched too, as SigmaHQ's test does.
    ///
    /// ## References
    /// SigmaHQ tests/test_rules.py `test_legal_trademark_violations`.
    pub struct AttackTrademark {
        code: "A007",
        name: "attack-trademark",
        family: Yaml,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: None,
    }
}

impl Check for AttackTrademark {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        const WORD: &str = "ATT&CK";
        let source = cx.source();
        for (start, _) in source.match_indices(WORD) {
            let before = &source[..start];
            let line = before.matches('\n').count() as u32 + 1;
            let line_start = before.rfind('\n').map_or(0, |at| at + 1);
            let column = source[line_start..start].chars().count() as u32 + 1;
            let span = Span {
                start,
                end: start + WORD.len(),
                location: Location { line, column },
            };
            out.push(
                cx.finding(
                    &Self::META,
                    span,
                    "the trademark `ATT&CK` appears in the rule",
                )
                .help("use an `attack.*` tag, or write \"MITRE\" or \"ATTACK\""),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn finds_the_word() {
        let found = findings_of("A007", "title: x\ndescription: per ATT&CK\n");
        assert_eq!((found[0].line(), found[0].column()), (2, 18));
        assert!(findings_of("A007", "title: x\ntags: [attack.t1059]\n").is_empty());
    }
}
