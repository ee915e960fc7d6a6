use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::Finding;
use crate::settings::Preset;

/// Top-level keys the specification defines for any document.
const KNOWN: &[&str] = &[
    "title",
    "id",
    "related",
    "name",
    "taxonomy",
    "status",
    "description",
    "license",
    "author",
    "references",
    "date",
    "modified",
    "logsource",
    "detection",
    "fields",
    "falsepositives",
    "level",
    "tags",
    "scope",
    "correlation",
    "filter",
    "generate",
];

/// Keys SigmaHQ adds to the specification's.
const SIGMAHQ: &[&str] = &["regression_tests_path", "simulation"];

/// Misspellings seen in published rules, with what was meant.
const TYPOS: &[(&str, &str)] = &[
    ("reference", "references"),
    ("falsepositive", "falsepositives"),
    ("tag", "tags"),
    ("author(s)", "author"),
    ("authors", "author"),
];

crate::declare_check! {
    /// ## What it does
    /// Finds top-level keys that are misspellings of specification keys
    /// (`reference`, `realted`, `falsepositive`, ...); with the SigmaHQ
    /// preset, any key that is neither in the specification nor one of
    /// SigmaHQ's additions.
    ///
    /// ## Why it matters
    /// A misspelt key is kept as a custom attribute and silently ignored:
    /// the references or related rules it holds are lost to every tool.
    ///
    /// ## Example
    /// `reference: [https://example.org/report]`
    ///
    /// ## Write instead
    /// `references: [https://example.org/report]`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Under the spec preset, custom keys that are not close to a known key
    /// pass: the specification allows custom attributes.
    ///
    /// ## References
    /// pySigma `custom_attributes`; pySigma-validators-sigmaHQ `sigmahq_unknown_field`.
    pub struct UnknownKey {
        code: "C015",
        name: "unknown-top-level-key",
        family: Metadata,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for UnknownKey {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let strict = cx.settings.preset == Preset::SigmaHq;
        for document in sigma_documents(cx) {
            let Some(entries) = document.header().root.as_ref().and_then(|r| r.as_mapping()) else {
                continue;
            };
            for (key, _) in entries {
                let Some(name) = key.as_str() else { continue };
                // `action` joins the parts of a v1 multi-document rule.
                if KNOWN.contains(&name) || SIGMAHQ.contains(&name) || name == "action" {
                    continue;
                }
                let meant = TYPOS
                    .iter()
                    .find(|(typo, _)| *typo == name)
                    .map(|(_, meant)| *meant)
                    .or_else(|| KNOWN.iter().copied().find(|k| close(k, name)));
                match meant {
                    Some(meant) => out.push(
                        cx.finding(
                            &Self::META,
                            key.span,
                            format!("unknown key `{name}`; did you mean `{meant}`?"),
                        )
                        .help(format!("rename it to `{meant}`")),
                    ),
                    None if strict => out.push(cx.finding(
                        &Self::META,
                        key.span,
                        format!("unknown key `{name}` is not part of the Sigma specification"),
                    )),
                    None => {}
                }
            }
        }
    }
}

/// Whether `b` is `a` with one edit or two swapped neighbours.
fn close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 || a.len() < 4 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (la, lb) = (a.len(), b.len());
    if la == lb {
        let differing = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        let swapped = differing == 2
            && prefix + 2 < la
            && a.get(prefix) == b.get(prefix + 1)
            && a.get(prefix + 1) == b.get(prefix);
        return differing == 1 || swapped;
    }
    prefix + suffix >= la.min(lb)
}

#[cfg(test)]
mod tests {
    use super::close;
    use crate::settings::{Preset, Settings};
    use crate::testing::{findings_at, findings_of};

    #[test]
    fn near_misses() {
        assert!(close("related", "realted"));
        assert!(close("related", "relted"));
        assert!(close("references", "refrences"));
        assert!(!close("title", "tags"));
    }

    #[test]
    fn typos_and_strict_mode() {
        let found = findings_of("C015", "title: t\nrealted: []\ncustom_thing: 1\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`related`"));
        let strict = Settings {
            preset: Preset::SigmaHq,
            ..Settings::default()
        };
        assert_eq!(
            findings_at("C015", "r/x_y.yml", "title: t\ncustom_thing: 1\n", strict).len(),
            1
        );
        assert!(findings_of("C015", "title: t\nreferences: []\n").is_empty());
    }
}
