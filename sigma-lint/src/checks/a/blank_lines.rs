use sigma_core::yaml::Style;

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::a::text::{span_at, Layout};
use crate::finding::{Applicability, Edit, Finding, Fix};

/// The most blank lines allowed in a row, at the start and at the end.
const MAX: usize = 2;

crate::declare_check! {
    /// ## What it does
    /// Finds more than two blank lines in a row, or more than two at the
    /// start or at the end of the file.
    ///
    /// ## Why you might want it
    /// SigmaHQ's yamllint configuration rejects them; they spread a rule
    /// over the screen for nothing.
    ///
    /// ## Example
    /// ```yaml
    /// title: Whoami Execution
    ///
    ///
    ///
    /// id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10
    /// ```
    ///
    /// ## Write instead
    /// At most two blank lines between the two keys.
    ///
    /// ## Fix
    /// Safe: removes the extra lines. None when the lines are part of a
    /// value (inside a `|` or `>` block, a quoted or a multi-line plain
    /// value, or after a `|+` block): there they are text.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// A line holding only spaces is not blank here (as in yamllint);
    /// `trailing-whitespace` reports it, and once fixed, a second `--fix`
    /// round removes it if it made the run too long.
    ///
    /// ## References
    /// yamllint `empty-lines` (`max: 2, max-start: 2, max-end: 2`).
    pub struct BlankLines {
        code: "A009",
        name: "too-many-blank-lines",
        family: Yaml,
        group: Convention,
        severity: Error,
        scope: SigmaHq,
        fix: Sometimes,
    }
}

/// A run of blank lines: where its extra lines start and end (line breaks
/// included), how many lines it has, and where in the file it is.
struct Run {
    extra_start: usize,
    end: usize,
    lines: usize,
    place: &'static str,
}

impl Check for BlankLines {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let source = cx.source();
        // Three blank lines anywhere hold three line breaks in a row.
        let three = ["\n\n\n", "\r\n\r\n\r\n", "\r\r\r"];
        if !three.iter().any(|p| source.contains(p)) {
            return;
        }

        let runs = runs(source);
        if runs.is_empty() {
            return;
        }
        let layout = Layout::of(cx);
        for run in runs {
            let message = format!("too many blank lines{} ({} > {MAX})", run.place, run.lines);
            let mut finding = cx
                .finding(
                    &Self::META,
                    span_at(source, run.extra_start, run.end),
                    message,
                )
                .help("remove the extra blank lines");
            if layout
                .as_ref()
                .is_some_and(|l| !in_value(l, source, run.extra_start, run.end))
            {
                finding = finding.fix(Fix {
                    message: format!("remove {} blank lines", run.lines - MAX),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        start: run.extra_start,
                        end: run.end,
                        replacement: String::new(),
                    }],
                });
            }
            out.push(finding);
        }
    }
}

/// Every run of more than [`MAX`] blank lines, in one pass over the lines.
fn runs(source: &str) -> Vec<Run> {
    let mut found = Vec::new();
    let mut offset = 0;
    let mut seen_content = false;
    // The start of each blank line of the current run, up to MAX + 1 kept.
    let mut blank_starts: Vec<usize> = Vec::new();
    let mut blank_lines = 0;
    let close = |found: &mut Vec<Run>, starts: &[usize], lines, end, place| {
        if lines > MAX {
            if let Some(&extra_start) = starts.get(MAX) {
                found.push(Run {
                    extra_start,
                    end,
                    lines,
                    place,
                });
            }
        }
    };

    for line in lines(source) {
        let content = line.trim_end_matches(['\n', '\r']);
        if content.is_empty() {
            if blank_starts.len() <= MAX {
                blank_starts.push(offset);
            }
            blank_lines += 1;
        } else {
            let place = if seen_content { "" } else { " at the start" };
            close(&mut found, &blank_starts, blank_lines, offset, place);
            blank_starts.clear();
            blank_lines = 0;
            seen_content = true;
        }
        offset += line.len();
    }
    close(
        &mut found,
        &blank_starts,
        blank_lines,
        offset,
        " at the end",
    );
    found
}

/// The lines of `source`, each with its break (`\n`, `\r\n` or a lone
/// `\r`).
fn lines(source: &str) -> impl Iterator<Item = &str> {
    let bytes = source.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        if from >= source.len() {
            return None;
        }
        let rest = source.get(from..)?;
        let end = match rest.find(['\n', '\r']) {
            None => source.len(),
            Some(at) => {
                let at = from + at;
                if bytes.get(at) == Some(&b'\r') && bytes.get(at + 1) == Some(&b'\n') {
                    at + 2
                } else {
                    at + 1
                }
            }
        };
        let line = source.get(from..end);
        from = end;
        line
    })
}

/// Whether the blank lines `start..end` belong to a value: inside a
/// multi-line scalar, or at the end of a block scalar that keeps its
/// trailing lines (`|+`).
fn in_value(layout: &Layout, source: &str, start: usize, end: usize) -> bool {
    let Some(region) = start.checked_sub(1).and_then(|at| layout.scalar_at(at)) else {
        return false;
    };
    if end < region.end {
        return true;
    }
    let block = matches!(region.style, Style::Literal | Style::Folded);
    block && keeps_trailing_lines(source, region.start)
}

/// Whether the header of the block scalar whose content starts at
/// `content` has the keep indicator `+`.
fn keeps_trailing_lines(source: &str, content: usize) -> bool {
    let before = source.get(..content).unwrap_or("");
    let Some(header_end) = before.rfind('\n') else {
        return false;
    };
    let header_start = before[..header_end].rfind('\n').map_or(0, |at| at + 1);
    let header = &before[header_start..header_end];
    let indicator = header.rfind(['|', '>']);
    indicator.is_some_and(|at| {
        header[at..]
            .split('#')
            .next()
            .is_some_and(|h| h.contains('+'))
    })
}

#[cfg(test)]
mod tests {
    use crate::fix::apply;
    use crate::testing::findings_of;

    fn fixed(source: &str) -> String {
        let found = findings_of("A009", source);
        apply(source, &found.iter().collect::<Vec<_>>(), false).text
    }

    #[test]
    fn three_blank_lines_between_keys() {
        let source = "title: t\n\n\n\nid: x\n";
        let found = findings_of("A009", source);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line(), 4);
        assert_eq!(found[0].message, "too many blank lines (3 > 2)");
        assert_eq!(fixed(source), "title: t\n\n\nid: x\n");
        assert!(findings_of("A009", "title: t\n\n\nid: x\n").is_empty());
    }

    #[test]
    fn start_and_end_of_file() {
        let source = "\n\n\ntitle: t\n\n\n\n\n";
        let found = findings_of("A009", source);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "too many blank lines at the start (3 > 2)",
                "too many blank lines at the end (4 > 2)"
            ]
        );
        assert_eq!(fixed(source), "\n\ntitle: t\n\n\n");
        assert!(findings_of("A009", "\n\ntitle: t\n\n\n").is_empty());
    }

    #[test]
    fn windows_line_breaks_count_too() {
        let source = "title: t\r\n\r\n\r\n\r\nid: x\r\n";
        assert_eq!(fixed(source), "title: t\r\n\r\n\r\nid: x\r\n");
    }

    #[test]
    fn blank_lines_inside_a_value_get_no_fix() {
        let inside = "description: |\n    a\n\n\n\n    b\nid: x\n";
        let found = findings_of("A009", inside);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());

        let kept = "description: |+\n    a\n\n\n\nid: x\n";
        assert!(findings_of("A009", kept)[0].fix.is_none());

        let clipped = "description: |\n    a\n\n\n\nid: x\n";
        assert_eq!(fixed(clipped), "description: |\n    a\n\n\nid: x\n");
    }
}
