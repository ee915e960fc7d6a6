use sigma_core::analysis::FindingKind;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a modifier that changes nothing: `contains` on values already
    /// wrapped in `*`, `startswith`/`endswith` on values already ending or
    /// starting with `*`, `windash` where no `-` or `/` starts a flag, `all`
    /// on a single value, `cased` on values with no letters.
    ///
    /// ## Why it matters
    /// The author expected an effect; `windash` on `start/b` in particular
    /// does not vary the slash, because it is glued to a word.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection:
    ///     CommandLine|contains|windash: 'start/b'
    ///   condition: selection
    /// ```
    ///
    /// ## Write instead
    /// `CommandLine|contains|windash: 'start /b'`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Regex flags (`i`, `m`, `s`) are not judged.
    ///
    /// ## References
    /// Sigma specification, value modifiers (`contains`, `startswith`,
    /// `endswith`, `windash`, `all`, `cased`) and wildcards.
    pub struct UselessModifier {
        code: "S006",
        name: "modifier-changes-nothing",
        family: Semantic,
        group: Suspicious,
        severity: Info,
        scope: Spec,
        fix: None,
    }
}

impl Check for UselessModifier {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let help = "remove the modifier, or change the value so that it has an effect";
        super::report(cx, &Self::META, FindingKind::UselessModifier, help, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn windash_on_a_glued_slash() {
        let source = "title: t\ndetection:\n  selection:\n    CommandLine|contains|windash: \
                      'start/b'\n  condition: selection\n";
        let found = findings_of("S006", source);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (4, 26));
        let good = source.replace("start/b", "start /b");
        assert!(findings_of("S006", &good).is_empty());
    }
}
