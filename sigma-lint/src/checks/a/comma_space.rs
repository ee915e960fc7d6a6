use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::a::text::{
    ends_tokens, spaces_before, spaces_from, span_at, starts_line, Layout,
};
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Finds a space before a `,` of a flow list or map (`[a , b]`), or
    /// anything but one space after it (`[a,b]`, `[a,  b]`).
    ///
    /// ## Why you might want it
    /// SigmaHQ's yamllint configuration rejects these; one spacing keeps
    /// `tags: [attack.execution, attack.t1059]` lists uniform. It is one
    /// check per yamllint rule so that each can be ignored by its name.
    ///
    /// ## Example
    /// `tags: [attack.execution ,attack.t1059]`
    ///
    /// ## Write instead
    /// `tags: [attack.execution, attack.t1059]`
    ///
    /// ## Fix
    /// Always available and safe: spaces between flow entries belong to no
    /// value.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Files that are not valid YAML are not checked.
    ///
    /// ## References
    /// yamllint `commas` (defaults: `max-spaces-before: 0`,
    /// `min-spaces-after: 1`, `max-spaces-after: 1`).
    pub struct CommaSpace {
        code: "A014",
        name: "comma-spacing",
        family: Yaml,
        group: Convention,
        severity: Error,
        scope: SigmaHq,
        fix: Always,
    }
}

impl Check for CommaSpace {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let source = cx.source();
        // Commas are syntax only inside flow collections.
        if !source.contains(['[', '{']) {
            return;
        }
        let candidates: Vec<usize> = source
            .match_indices(',')
            .map(|(at, _)| at)
            .filter(|&at| {
                let after = spaces_from(source, at + 1);
                spaces_before(source, at) > 0
                    || (after != 1 && !ends_tokens(source, at + 1 + after))
            })
            .collect();
        if candidates.is_empty() {
            return;
        }
        let Some(layout) = Layout::of(cx) else {
            return;
        };

        for at in candidates.into_iter().filter(|&at| layout.is_syntax(at)) {
            let before = spaces_before(source, at);
            let after = spaces_from(source, at + 1);
            if before > 0 && !starts_line(source, at - before) {
                out.push(edit(cx, at - before, at, "", "space before `,`"));
            }
            if ends_tokens(source, at + 1 + after) {
                continue;
            }
            if after == 0 && matches!(source.as_bytes().get(at + 1), Some(b']' | b'}')) {
                // `[a,]`: a space would only put a space inside the
                // brackets; the comma is what is not needed.
                out.push(edit(cx, at, at + 1, "", "no space after `,`"));
            } else if after == 0 {
                out.push(edit(cx, at + 1, at + 1, " ", "no space after `,`"));
            } else if after > 1 {
                out.push(edit(
                    cx,
                    at + 2,
                    at + 1 + after,
                    "",
                    "more than one space after `,`",
                ));
            }
        }
    }
}

/// A finding at `start..end` whose fix replaces those bytes.
fn edit(cx: &FileContext<'_>, start: usize, end: usize, with: &str, what: &str) -> Finding {
    let fix = Fix {
        message: if with.is_empty() {
            "remove the extra text".into()
        } else {
            "insert a space".into()
        },
        applicability: Applicability::Safe,
        edits: vec![Edit {
            start,
            end,
            replacement: with.into(),
        }],
    };
    cx.finding(&CommaSpace::META, span_at(cx.source(), start, end), what)
        .help("write `[a, b]`")
        .fix(fix)
}

#[cfg(test)]
mod tests {
    use crate::fix::apply;
    use crate::testing::findings_of;

    #[test]
    fn one_space_after_each_comma() {
        let source = "tags: [a ,b, c,  d,]\nok: [a, b,\n    c]\n";
        let found = findings_of("A014", source);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "space before `,`",
                "no space after `,`",
                "more than one space after `,`",
                "no space after `,`"
            ]
        );
        let fixed = apply(source, &found.iter().collect::<Vec<_>>(), false);
        assert_eq!(fixed.text, "tags: [a, b, c, d]\nok: [a, b,\n    c]\n");
        assert!(findings_of("A014", &fixed.text).is_empty());
    }

    #[test]
    fn commas_inside_values_are_text() {
        let source = "tags: [a, b]\ncmd: 'x ,y'\nvalue: a,b\n";
        assert!(findings_of("A014", source).is_empty());
    }
}
