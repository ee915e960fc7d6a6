use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a key written twice in one mapping, in every document of a file.
    ///
    /// ## Why it matters
    /// YAML forbids it, and loaders disagree: some reject the rule, most keep
    /// the last value and silently drop the first condition.
    ///
    /// ## Example
    /// ```yaml
    /// selection:
    ///   CommandLine|contains: 'vssadmin'
    ///   CommandLine|contains: 'delete shadows'
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    /// selection:
    ///   CommandLine|contains|all: ['vssadmin', 'delete shadows']
    /// ```
    ///
    /// ## Fix
    /// None: only the author knows whether both values must hold or either.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Keys that are not plain strings (a list as a key) are not compared.
    ///
    /// ## References
    /// YAML 1.2.2 section 3.2.1.1.
    pub struct DuplicateKey {
        code: "A003",
        name: "duplicate-key",
        family: Yaml,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for DuplicateKey {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in cx.documents() {
            for duplicate in &document.header().duplicate_keys {
                let key = &duplicate.key;
                // A repeated `field|contains` is nearly always an attempt
                // to require both values.
                let help = if key.contains('|') && !key.ends_with("|all") {
                    format!("write `{key}|all` with a list of both values if both must match")
                } else {
                    "keep one of the two entries, or merge their values into a list".to_owned()
                };
                out.push(
                    cx.finding(
                        &Self::META,
                        duplicate.second,
                        format!("duplicate key `{key}`; YAML loaders keep only one of them"),
                    )
                    .label(duplicate.first, "first written here")
                    .help(help),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn flags_the_second_key_and_labels_the_first() {
        let source = "title: x\ndetection:\n  s:\n    A|contains: a\n    A|contains: b\n  \
                      condition: s\n---\ntitle: y\ntitle: z\n";
        let found = findings_of("A003", source);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].line(), 5);
        assert_eq!(found[0].labels[0].span.location.line, 4);
        assert!(found[0].message.contains("`A|contains`"));
        assert_eq!(found[1].line(), 9);
        assert!(findings_of("A003", "title: x\nid: y\n").is_empty());
    }
}
