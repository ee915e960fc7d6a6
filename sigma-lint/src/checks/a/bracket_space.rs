use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::a::text::{
    ends_tokens, spaces_before, spaces_from, span_at, starts_line, Layout,
};
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Finds spaces just inside the brackets of a flow list or the braces
    /// of a flow map: `[ a, b ]`, `{ a: 1 }`, `[ ]`.
    ///
    /// ## Why you might want it
    /// SigmaHQ's yamllint configuration rejects them (yamllint's `braces`
    /// and `brackets` rules, one check here since they are the same rule
    /// for two kinds of delimiter).
    ///
    /// ## Example
    /// `tags: [ attack.execution, attack.t1059 ]`
    ///
    /// ## Write instead
    /// `tags: [attack.execution, attack.t1059]`
    ///
    /// ## Fix
    /// Always available and safe: the spaces belong to no value.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// A list or map whose content starts or ends on another line than its
    /// bracket is not checked there, as in yamllint. Files that are not
    /// valid YAML are not checked.
    ///
    /// ## References
    /// yamllint `braces`, `brackets` (defaults: `min-spaces-inside: 0`,
    /// `max-spaces-inside: 0`, the same for empty collections).
    pub struct BracketSpace {
        code: "A016",
        name: "bracket-spacing",
        family: Yaml,
        group: Convention,
        severity: Error,
        scope: SigmaHq,
        fix: Always,
    }
}

impl Check for BracketSpace {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let source = cx.source();
        let patterns = ["[ ", "{ ", " ]", " }"];
        if !patterns.iter().any(|p| source.contains(p)) {
            return;
        }
        let Some(layout) = Layout::of(cx) else {
            return;
        };

        let bytes = source.as_bytes();
        for (at, &byte) in bytes.iter().enumerate() {
            let (kind, close) = match byte {
                b'[' => ("brackets", b']'),
                b'{' => ("braces", b'}'),
                b']' => ("brackets", 0),
                b'}' => ("braces", 0),
                _ => continue,
            };
            if close != 0 {
                let spaces = spaces_from(source, at + 1);
                let next = at + 1 + spaces;
                if spaces == 0 || ends_tokens(source, next) || !layout.is_syntax(at) {
                    continue;
                }
                let what = if bytes.get(next) == Some(&close) {
                    format!("space inside empty {kind}")
                } else {
                    format!("space inside {kind}")
                };
                out.push(remove(cx, at + 1, next, what));
            } else {
                let spaces = spaces_before(source, at);
                let start = at - spaces;
                let before = start.checked_sub(1).and_then(|i| bytes.get(i));
                // The empty `[ ]` was reported at its opening bracket.
                let after_open = matches!(before, Some(b'[' | b'{'));
                if spaces == 0 || starts_line(source, start) || after_open || !layout.is_syntax(at)
                {
                    continue;
                }
                // `[a, ]`: the trailing comma goes too, or the comma check
                // would ask for the space back.
                let from = if before == Some(&b',') {
                    start - 1
                } else {
                    start
                };
                out.push(remove(cx, from, at, format!("space inside {kind}")));
            }
        }
    }
}

/// A finding for the spaces `start..end`, with the fix that removes them.
fn remove(cx: &FileContext<'_>, start: usize, end: usize, what: String) -> Finding {
    let fix = Fix {
        message: "remove the spaces".into(),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            start,
            end,
            replacement: String::new(),
        }],
    };
    cx.finding(&BracketSpace::META, span_at(cx.source(), start, end), what)
        .help("write `[a, b]` and `{a: 1}`")
        .fix(fix)
}

#[cfg(test)]
mod tests {
    use crate::fix::apply;
    use crate::testing::findings_of;

    #[test]
    fn no_spaces_inside_delimiters() {
        let source = "a: [ x, y ]\nb: { k: 1}\nc: [ ]\nd: [x, ]\ne: [\n    x\n]\n";
        let found = findings_of("A016", source);
        let messages: Vec<(u32, &str)> = found
            .iter()
            .map(|f| (f.line(), f.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [
                (1, "space inside brackets"),
                (1, "space inside brackets"),
                (2, "space inside braces"),
                (3, "space inside empty brackets"),
                (4, "space inside brackets"),
            ]
        );
        let fixed = apply(source, &found.iter().collect::<Vec<_>>(), false);
        assert_eq!(
            fixed.text,
            "a: [x, y]\nb: {k: 1}\nc: []\nd: [x]\ne: [\n    x\n]\n"
        );
        assert!(findings_of("A016", &fixed.text).is_empty());
    }

    #[test]
    fn brackets_inside_values_are_text() {
        let source = "cmd: '[ x ]'\nre: a[ b]\nlist: [a]\n";
        assert!(findings_of("A016", source).is_empty());
    }
}
