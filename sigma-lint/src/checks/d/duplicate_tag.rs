use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Finds the same tag twice in one document.
    ///
    /// ## Why it matters
    /// A copy-paste slip that skews tag statistics; the schema's
    /// `uniqueItems` rejects it.
    ///
    /// ## Example
    /// `tags: [attack.execution, attack.t1059, attack.execution]`
    ///
    /// ## Write instead
    /// `tags: [attack.execution, attack.t1059]`
    ///
    /// ## Fix
    /// Always available, safe only for flow lists; offered as unsafe.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// The fix removes only the tag's text, not its list item line.
    ///
    /// ## References
    /// pySigma `duplicate_tag`.
    pub struct DuplicateTag {
        code: "D002",
        name: "duplicate-tag",
        family: Tags,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: Always,
    }
}

impl Check for DuplicateTag {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            let tags = &document.header().tags;
            for (index, tag) in tags.iter().enumerate() {
                let Some(first) = tags[..index].iter().find(|t| t.value == tag.value) else {
                    continue;
                };
                out.push(
                    cx.finding(
                        &Self::META,
                        tag.span,
                        format!("tag `{}` is listed twice", tag.value),
                    )
                    .label(first.span, "first listed here")
                    .fix(Fix {
                        message: "remove the repeated tag".into(),
                        applicability: Applicability::Unsafe,
                        edits: vec![removal(cx.source(), tag.span.start, tag.span.end)],
                    }),
                );
            }
        }
    }
}

/// The edit that removes the list item at `start..end`: its whole line
/// in a block list (`    - attack.t1059`), it and the comma before it (or
/// after it, when it is first) in a flow list; the text alone otherwise.
fn removal(source: &str, start: usize, end: usize) -> Edit {
    let edit = |start, end| Edit {
        start,
        end,
        replacement: String::new(),
    };
    let line_start = source[..start].rfind('\n').map_or(0, |at| at + 1);
    let line_end = source[end..].find('\n').map_or(source.len(), |at| end + at);
    let before = &source[line_start..start];
    let after = &source[end..line_end];
    if before.trim() == "-" && after.trim().is_empty() {
        return edit(line_start, (line_end + 1).min(source.len()));
    }

    let blank = |c: char| c == ' ' || c == '\t';
    let before_item = source[..start].trim_end_matches(blank);
    if before_item.ends_with(',') {
        return edit(before_item.len() - 1, end);
    }
    let rest = &source[end..];
    let after_item = rest.trim_start_matches(blank);
    if let Some(next) = after_item.strip_prefix(',') {
        let gap = next.len() - next.trim_start_matches(blank).len();
        return edit(start, end + (rest.len() - next.len()) + gap);
    }
    edit(start, end)
}

#[cfg(test)]
mod tests {
    use crate::fix::apply;
    use crate::testing::findings_of;

    fn fixed(source: &str) -> String {
        let found = findings_of("D002", source);
        apply(source, &found.iter().collect::<Vec<_>>(), true).text
    }

    #[test]
    fn the_fix_removes_the_whole_list_item() {
        assert_eq!(
            fixed("title: t\ntags:\n    - attack.t1059\n    - attack.t1059\nlevel: low\n"),
            "title: t\ntags:\n    - attack.t1059\nlevel: low\n"
        );
        assert_eq!(
            fixed("title: t\ntags: [attack.t1059, cve.2021-1, attack.t1059]\n"),
            "title: t\ntags: [attack.t1059, cve.2021-1]\n"
        );
    }

    #[test]
    fn repeated_tags() {
        let found = findings_of(
            "D002",
            "title: t\ntags: [attack.t1059, cve.2021-1, attack.t1059]\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].column(), 34);
        assert!(findings_of("D002", "title: t\ntags: [attack.t1059]\n").is_empty());
    }
}
