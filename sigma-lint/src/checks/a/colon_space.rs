use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::a::text::{
    ends_tokens, spaces_before, spaces_from, span_at, starts_line, Layout,
};
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Finds a space before the `:` of a key, or more than one space after
    /// it when the value follows on the same line.
    ///
    /// ## Why you might want it
    /// SigmaHQ's yamllint configuration rejects both. This and the comma,
    /// hyphen and bracket checks are one yamllint rule each, and so one
    /// check each here, so that each can be selected, ignored or given a
    /// severity by its own name.
    ///
    /// ## Example
    /// ```yaml
    /// title :  Whoami Execution
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    /// title: Whoami Execution
    /// ```
    ///
    /// ## Fix
    /// Always available and safe: the extra spaces sit between tokens and
    /// belong to no value.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// A `:` inside an anchor or tag name (`&a:b`) would be taken for
    /// syntax; Sigma rules use neither. Files that are not valid YAML are
    /// not checked.
    ///
    /// ## References
    /// yamllint `colons` (defaults: `max-spaces-before: 0`,
    /// `max-spaces-after: 1`).
    pub struct ColonSpace {
        code: "A013",
        name: "colon-spacing",
        family: Yaml,
        group: Convention,
        severity: Error,
        scope: SigmaHq,
        fix: Always,
    }
}

impl Check for ColonSpace {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let source = cx.source();
        if !source.contains(" :") && !source.contains(":  ") {
            return;
        }
        let Some(layout) = Layout::of(cx) else {
            return;
        };

        for (at, _) in source.match_indices(':') {
            let before = spaces_before(source, at);
            let after = spaces_from(source, at + 1);
            if (before == 0 && after < 2) || !layout.is_syntax(at) {
                continue;
            }
            // `*alias :` needs the space (the colon would join the name);
            // `? key` on one line and `: value` on the next has no key
            // before it on its line.
            let key_end = at - before;
            if before > 0 && !starts_line(source, key_end) && !after_alias(source, key_end) {
                out.push(extra(cx, key_end, at, "space before `:`"));
            }
            if after > 1 && !ends_tokens(source, at + 1 + after) {
                out.push(extra(
                    cx,
                    at + 2,
                    at + 1 + after,
                    "more than one space after `:`",
                ));
            }
        }
    }
}

/// Whether the token that ends at `end` is an alias (`*name`).
fn after_alias(source: &str, end: usize) -> bool {
    let before = source.get(..end).unwrap_or("");
    let token = before
        .rsplit([' ', '\n', '\r', '\t', '{', ','])
        .next()
        .unwrap_or("");
    token.starts_with('*')
}

/// A finding for the extra spaces `start..end`, with the fix that removes
/// them.
fn extra(cx: &FileContext<'_>, start: usize, end: usize, what: &str) -> Finding {
    let fix = Fix {
        message: "remove the extra spaces".into(),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            start,
            end,
            replacement: String::new(),
        }],
    };
    cx.finding(&ColonSpace::META, span_at(cx.source(), start, end), what)
        .help("write `key: value`")
        .fix(fix)
}

#[cfg(test)]
mod tests {
    use crate::fix::apply;
    use crate::testing::findings_of;

    #[test]
    fn spaces_around_colons() {
        let source = "title : t\nid:   x\nlevel: high\nstatus:   # note\n    test\n";
        let found = findings_of("A013", source);
        let places: Vec<(u32, u32)> = found.iter().map(|f| (f.line(), f.column())).collect();
        assert_eq!(places, [(1, 6), (2, 5)]);
        let fixed = apply(source, &found.iter().collect::<Vec<_>>(), false);
        assert_eq!(
            fixed.text,
            "title: t\nid: x\nlevel: high\nstatus:   # note\n    test\n"
        );
        assert!(findings_of("A013", &fixed.text).is_empty());
    }

    #[test]
    fn colons_inside_values_and_flow_maps() {
        let source = "title: 'a :  b'\npath: C:\\x:y\nm: {a: 1, b:  2}\n";
        let found = findings_of("A013", source);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (3, 14));
    }
}
