use sigma_core::yaml::{Node, Style, Value};

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::a::text::{line_start, spaces_before, span_at, starts_line};
use crate::finding::Finding;

/// SigmaHQ's indentation step.
const STEP: usize = 4;

crate::declare_check! {
    /// ## What it does
    /// Checks that each nested level is indented by 4 spaces more than the
    /// key it belongs to. A list under a key may be indented by 4 or written
    /// flush with the key; the content of a list item (`- key: value`)
    /// counts from the item's first key.
    ///
    /// ## Why you might want it
    /// SigmaHQ's yamllint configuration requires 4 spaces; one width makes
    /// rules read alike and keeps diffs small.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection:
    ///     Image|endswith: '\whoami.exe'
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    /// detection:
    ///     selection:
    ///         Image|endswith: '\whoami.exe'
    /// ```
    ///
    /// ## Fix
    /// None: re-indenting one level means re-indenting everything below it.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Read from the parsed tree rather than token by token as yamllint
    /// does, so three cases are not checked: the lines of a flow list or map
    /// written over several lines, an item written on the line after a bare
    /// `-`, and a value placed after an anchor or tag on the line of its
    /// key. The content of `|` and `>` blocks and the continuation lines of
    /// multi-line values are exempt (yamllint's `check-multi-line-strings:
    /// false`). Files that are not valid YAML are not checked.
    ///
    /// ## References
    /// yamllint `indentation` (`spaces: 4, indent-sequences: whatever`).
    pub struct Indentation {
        code: "A011",
        name: "wrong-indentation",
        family: Yaml,
        group: Convention,
        severity: Error,
        scope: SigmaHq,
        fix: None,
    }
}

impl Check for Indentation {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let source = cx.source();
        for document in cx.documents() {
            let Some(root) = &document.header().root else {
                continue;
            };
            if let Some(at) = first_token(source, root) {
                check(cx, at, &[0], out);
            }
            walk(cx, root, out);
        }
    }
}

/// Checks every block mapping under `root` (and `root` itself): each value
/// that starts its own line must sit one step right of its key, or, for a
/// list, flush with it.
fn walk(cx: &FileContext<'_>, root: &Node, out: &mut Vec<Finding>) {
    let source = cx.source();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Scalar(_) => {}
            Value::Sequence(items) => stack.extend(items.iter().rev()),
            Value::Mapping(entries) => {
                let flow = source.as_bytes().get(node.span.start) == Some(&b'{');
                for (key, value) in entries.iter().rev() {
                    stack.push(value);
                    if flow {
                        continue;
                    }
                    let key_column = key.span.start - line_start(source, key.span.start);
                    let Some(at) = first_token(source, value) else {
                        continue;
                    };
                    let block_list = matches!(value.value, Value::Sequence(_))
                        && source.as_bytes().get(at) == Some(&b'-');
                    let expected = if block_list {
                        vec![key_column, key_column + STEP]
                    } else {
                        vec![key_column + STEP]
                    };
                    check(cx, at, &expected, out);
                }
            }
        }
    }
}

/// Reports the token at `at` when it starts its line at a column that is
/// not one of `expected`.
fn check(cx: &FileContext<'_>, at: usize, expected: &[usize], out: &mut Vec<Finding>) {
    let source = cx.source();
    if !starts_line(source, at) {
        return;
    }
    let start = line_start(source, at);
    let found = at - start;
    if expected.contains(&found) {
        return;
    }
    let wanted: Vec<String> = expected.iter().map(usize::to_string).collect();
    let message = format!(
        "wrong indentation: expected {} spaces, found {found}",
        wanted.join(" or ")
    );
    out.push(
        cx.finding(&Indentation::META, span_at(source, start, at), message)
            .help("indent each level by 4 spaces"),
    );
}

/// Where the node's first token is: a block list's first `-`, a mapping's
/// first key, a scalar's first character. `None` for what is not checked:
/// empty values and the content of block scalars.
fn first_token(source: &str, node: &Node) -> Option<usize> {
    let start = node.span.start;
    match &node.value {
        Value::Scalar(scalar) => {
            let block = matches!(scalar.style, Style::Literal | Style::Folded);
            (!block && node.span.end > start).then_some(start)
        }
        Value::Mapping(_) => Some(start),
        Value::Sequence(_) => {
            let bytes = source.as_bytes();
            match bytes.get(start) {
                Some(b'-' | b'[') => Some(start),
                // A list flush with its key starts at its first item: its
                // `-` is before it on the line.
                _ => {
                    let dash = start.checked_sub(spaces_before(source, start) + 1)?;
                    (bytes.get(dash) == Some(&b'-')).then_some(dash)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn four_spaces_per_level() {
        let source = "title: t\ndetection:\n  selection:\n      Image: x\n  condition: selection\n";
        let found = findings_of("A011", source);
        let places: Vec<(u32, &str)> = found
            .iter()
            .map(|f| (f.line(), f.message.as_str()))
            .collect();
        assert_eq!(
            places,
            [(3, "wrong indentation: expected 4 spaces, found 2")]
        );
        let good = "title: t\ndetection:\n    selection:\n        Image: x\n";
        assert!(findings_of("A011", good).is_empty());
    }

    #[test]
    fn lists_may_be_flush_or_indented() {
        let source = "tags:\n- a\nrefs:\n    - b\nfalsepositives:\n  - c\n";
        let found = findings_of("A011", source);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line(), 6);
        assert_eq!(
            found[0].message,
            "wrong indentation: expected 0 or 4 spaces, found 2"
        );
    }

    #[test]
    fn items_count_from_their_first_key() {
        let source = "related:\n    - id: x\n      type: derived\n      more:\n          \
                      a: 1\n    - id: y\n      more:\n        a: 2\n";
        let found = findings_of("A011", source);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line(), 8);
        assert_eq!(
            found[0].message,
            "wrong indentation: expected 10 spaces, found 8"
        );
    }

    #[test]
    fn block_scalars_and_multi_line_values_are_exempt() {
        let source = "description: |\n  two spaces\n  here\ntitle: a\n  b\nlist: [a,\n  b]\n";
        assert!(findings_of("A011", source).is_empty());
        let scalar_below = "title:\n  a\n";
        assert_eq!(findings_of("A011", scalar_below).len(), 1);
        let root = "  title: t\n  id: x\n";
        assert_eq!(findings_of("A011", root).len(), 1);
    }
}
