use sigma_core::modifier::ChainKind;
use sigma_core::rule::ValueKind;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a quoted whole number compared for equality, such as
    /// `EventID: '4688'`.
    ///
    /// ## Why it matters
    /// Sigma compares a number and its decimal text alike, so the quotes
    /// change nothing here; but some backends turn a string into a string
    /// comparison on a numeric field, and readers wonder whether the quotes
    /// mean something.
    ///
    /// ## Example
    /// ```yaml
    /// EventID: '4688'
    /// ```
    ///
    /// ## Write instead
    /// `EventID: 4688`
    ///
    /// ## Fix
    /// None: the quotes are harmless, and dropping them is the author's
    /// call.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// pySigma's `number_as_string` accepts whatever Python's `int()`
    /// does, so it also flags `'007'`, `'+1'` and `'1_000'`. Those are not
    /// the text of any number (a YAML 1.1 reader turns unquoted `007` into
    /// 7, and YAML 1.2 keeps `1_000` a string), so their quotes matter and
    /// this check leaves them alone.
    ///
    /// ## References
    /// pySigma validator `number_as_string`.
    pub struct NumberAsString {
        code: "H011",
        name: "number-as-string",
        family: Values,
        group: Convention,
        severity: Info,
        scope: Spec,
        fix: None,
    }
}

impl Check for NumberAsString {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for (item, chain) in super::valid_chains(cx) {
            let equality = matches!(&chain.kind, ChainKind::Plain(steps) if steps.is_empty());
            if !equality || item.field.is_none() {
                continue;
            }
            for value in &item.values {
                let ValueKind::Str(text) = &value.kind else {
                    continue;
                };
                if is_canonical_integer(text) {
                    let message = format!("the number {text} is written as a string");
                    let help = "Sigma compares numbers and their text alike; drop the quotes";
                    out.push(cx.finding(&Self::META, value.span, message).help(help));
                }
            }
        }
    }
}

/// An optional `-`, then decimal digits without a superfluous leading zero:
/// the text that a number prints as, and so the text whose quotes change
/// nothing.
fn is_canonical_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    all_digits && (digits == "0" || !digits.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn rule(item: &str) -> String {
        format!("title: t\ndetection:\n  sel:\n    {item}\n  condition: sel\n")
    }

    #[test]
    fn quoted_whole_numbers() {
        let found = findings_of("H011", &rule("EventID: '4688'"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "the number 4688 is written as a string");
        assert_eq!(findings_of("H011", &rule("Code: \"-1\"")).len(), 1);
        assert_eq!(
            findings_of("H011", &rule("Code:\n      - '1'\n      - 'x'")).len(),
            1
        );
    }

    #[test]
    fn numbers_texts_that_are_not_numbers_and_other_comparisons_pass() {
        assert!(findings_of("H011", &rule("EventID: 4688")).is_empty());
        assert!(findings_of("H011", &rule("Code: '007'")).is_empty());
        assert!(findings_of("H011", &rule("Code: '1_000'")).is_empty());
        assert!(findings_of("H011", &rule("Code: '+1'")).is_empty());
        assert!(findings_of("H011", &rule("Code: '4 2'")).is_empty());
        assert!(findings_of("H011", &rule("Code|contains: '42'")).is_empty());
        assert!(findings_of("H011", &rule("Code|re: '42'")).is_empty());
    }
}
