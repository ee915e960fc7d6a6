use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Checks SigmaHQ's title habits: at most `max-length` characters, no
    /// leading "Detect"/"Detects", no trailing period.
    ///
    /// ## Why you might want it
    /// Titles are read in alert lists; every rule detects something, so the
    /// word adds nothing, and short titles fit the column.
    ///
    /// ## Example
    /// `title: Detects Whoami Execution.`
    ///
    /// ## Write instead
    /// `title: Whoami Execution`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// `max-length` (integer, default 120).
    ///
    /// ## Known problems
    /// Title case is not checked (SigmaHQ's word list has false positives).
    ///
    /// ## References
    /// pySigma-validators-sigmaHQ `sigmahq_title_length`, `_start`, `_end`.
    pub struct TitleStyle {
        code: "C003",
        name: "title-style",
        family: Metadata,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: None,
    }
}

impl Check for TitleStyle {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let max = cx.settings.option_u64(&Self::META, "max-length", 120) as usize;
        for document in sigma_documents(cx) {
            let Some(title) = &document.header().title else {
                continue;
            };
            let text = title.value.as_str();
            let length = text.chars().count();
            if length > max {
                out.push(cx.finding(
                    &Self::META,
                    title.span,
                    format!("the title has {length} characters, more than {max}"),
                ));
            }
            if let Some(word) = ["Detects ", "Detect "]
                .iter()
                .find(|w| text.starts_with(**w))
            {
                out.push(
                    cx.finding(
                        &Self::META,
                        title.span,
                        format!("the title starts with `{}`", word.trim()),
                    )
                    .help("say what is detected, not that it is detected"),
                );
            }
            if text.ends_with('.') {
                out.push(cx.finding(&Self::META, title.span, "the title ends with a period"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn title_habits() {
        assert_eq!(findings_of("C003", "title: Detects Whoami.\n").len(), 2);
        assert_eq!(
            findings_of("C003", &format!("title: {}\n", "a".repeat(121))).len(),
            1
        );
        assert!(findings_of("C003", "title: Whoami Execution\n").is_empty());
    }
}
