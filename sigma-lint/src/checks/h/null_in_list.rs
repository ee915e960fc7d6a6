use sigma_core::rule::ValueKind;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds `null` written as one item of a field's value list.
    ///
    /// ## Why it matters
    /// The specification forbids it: `null` means "the field is absent or
    /// empty" and has to stand alone. pySigma quietly turns the list into
    /// `value OR field IS NULL`; other tools drop the `null` or reject it.
    ///
    /// ## Example
    /// ```yaml
    /// selection:
    ///   Imphash:
    ///     - '00000000000000000000000000000000'
    ///     - null
    /// ```
    ///
    /// ## Write instead
    /// A second selection `Imphash: null`, and `1 of selection*`.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// Sigma specification, `null` values (a `null` stands alone for its
    /// field).
    pub struct NullInList {
        code: "H004",
        name: "null-in-list",
        family: Values,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for NullInList {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for (item, _) in super::item_chains(cx) {
            if !item.is_list || item.values.len() < 2 {
                continue;
            }
            for value in item.values.iter().filter(|v| v.kind == ValueKind::Null) {
                let field = item.field.as_ref().map_or("", |f| f.value.as_str());
                let help = format!("put \"{field}: null\" in its own selection");
                let message = "null used as an item of a value list";
                out.push(cx.finding(&Self::META, value.span, message).help(help));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn null_among_values() {
        let source = "title: t\ndetection:\n  selection:\n    Imphash:\n      - 'abc'\n      - \
                      null\n  condition: selection\n";
        let found = findings_of("H004", source);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line(), 6);
        assert!(found[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("\"Imphash: null\""));
        let alone = "title: t\ndetection:\n  selection:\n    Imphash: null\n  condition: \
                     selection\n";
        assert!(findings_of("H004", alone).is_empty());
    }
}
