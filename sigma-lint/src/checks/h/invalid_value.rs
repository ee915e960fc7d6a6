use sigma_core::matcher::ir::Operation;
use sigma_core::matcher::regex::SigmaRegex;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a value its modifiers cannot take: a quoted number under
    /// `gt`/`gte`/`lt`/`lte` or a time part, a malformed network or one
    /// with host bits set under `cidr`, a non-boolean under `exists`, a
    /// number under `base64` or `contains`, a field reference with
    /// wildcards, a regex that does not compile.
    ///
    /// ## Why it matters
    /// pySigma rejects the rule when it loads it; engines that accept it
    /// disagree on what it matches (`192.168.1.5/24` is the /24 to one and
    /// an error to another).
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection:
    ///     DestinationIp|cidr: '192.168.1.5/24'
    ///   condition: selection
    /// ```
    ///
    /// ## Write instead
    /// `DestinationIp|cidr: '192.168.1.0/24'`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Regexes are compiled with the matcher's engine (Rust `regex`, with a
    /// backtracking fallback), not Python's `re`: a few constructs differ.
    /// `expand` placeholders are checked by `unresolved-placeholder`.
    ///
    /// ## References
    /// Sigma specification, value modifiers (`gt`, `cidr`, `exists`,
    /// `base64`, `fieldref`, `re`); pySigma modifier errors.
    pub struct InvalidValue {
        code: "H002",
        name: "invalid-value",
        family: Values,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for InvalidValue {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        // Placeholders are another check's business: stand each in with a
        // plain word so the rest of the value is still judged.
        let stand_in = |_: &str| Some(vec!["placeholder".to_owned()]);
        for (item, chain) in super::valid_chains(cx) {
            for value in &item.values {
                match chain.apply(value, &stand_in) {
                    Err(error) => {
                        let mut finding = cx.finding(&Self::META, error.span, error.message);
                        if let Some(help) = error.help {
                            finding = finding.help(help);
                        }
                        out.push(finding);
                    }
                    Ok(Operation::Regex { patterns, flags }) => {
                        for pattern in patterns {
                            if let Err(why) = SigmaRegex::compile(&pattern, flags) {
                                let message = format!("invalid regular expression: {why}");
                                out.push(cx.finding(&Self::META, value.span, message));
                            }
                        }
                    }
                    Ok(_) => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn rule(item: &str) -> String {
        format!("title: t\ndetection:\n  selection:\n    {item}\n  condition: selection\n")
    }

    #[test]
    fn cidr_host_bits_and_malformed() {
        let found = findings_of("H002", &rule("Ip|cidr: '192.168.1.5/24'"));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("192.168.1.0/24"),
            "{}",
            found[0].message
        );
        assert_eq!((found[0].line(), found[0].column()), (4, 14));
        assert_eq!(
            findings_of("H002", &rule("Ip|cidr: '51.103.0.0/16.'")).len(),
            1
        );
        assert!(findings_of("H002", &rule("Ip|cidr: '192.168.1.0/24'")).is_empty());
    }

    #[test]
    fn comparison_needs_a_number() {
        assert_eq!(findings_of("H002", &rule("Bytes|gt: '1000'")).len(), 1);
        assert!(findings_of("H002", &rule("Bytes|gt: 1000")).is_empty());
    }

    #[test]
    fn regex_must_compile() {
        let found = findings_of("H002", &rule("CommandLine|re: 'a(b'"));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("regular expression"));
        assert!(findings_of("H002", &rule("CommandLine|re: 'a(b)'")).is_empty());
    }
}
