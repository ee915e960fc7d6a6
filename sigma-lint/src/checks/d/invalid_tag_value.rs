use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::Finding;
use crate::settings::Preset;

const TLP: &[&str] = &["clear", "green", "amber", "amber-strict", "red"];
const DETECTION: &[&str] = &["dfir", "emerging-threats", "threat-hunting"];

crate::declare_check! {
    /// ## What it does
    /// Checks the value of `tlp`, `car`, `cve`, `stp` and `detection` tags:
    /// `tlp.` one of clear, green, amber, amber-strict, red; `car.YYYY-MM-NNN`;
    /// `cve.YYYY-N`; `stp.` 1 to 5 with an optional a, u or k; `detection.`
    /// exactly dfir, emerging-threats or threat-hunting. With the SigmaHQ
    /// preset, only the TLP values in `allowed-tlp`, and at most one `tlp`
    /// and one `detection` tag.
    ///
    /// ## Why it matters
    /// These tags drive sharing decisions (TLP) and rule-set selection; a
    /// wrong value is silently ignored by the tools that read them.
    ///
    /// ## Example
    /// `tags: [tlp.white, detection.dfirx, cve.2021.44228]`
    ///
    /// ## Write instead
    /// `tags: [tlp.clear, detection.dfir, cve.2021-44228]`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// `allowed-tlp` (list of strings; SigmaHQ preset: `[clear]`).
    ///
    /// ## Known problems
    /// `d3fend` values are not checked: no ontology is embedded.
    ///
    /// ## References
    /// Sigma specification, tags appendix; pySigma tag validators.
    pub struct InvalidTagValue {
        code: "D008",
        name: "invalid-tag-value",
        family: Tags,
        group: Correctness,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

/// Why the value of a tag in a known namespace is wrong, if it is.
fn problem(namespace: &str, value: &str) -> Option<&'static str> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let ok = match namespace {
        "tlp" => TLP.contains(&value),
        "detection" => DETECTION.contains(&value),
        "car" => {
            let parts: Vec<&str> = value.split('-').collect();
            matches!(parts.as_slice(), [y, m, n] if y.len() == 4 && m.len() == 2 && n.len() == 3
                && digits(y) && digits(m) && digits(n))
        }
        "cve" => {
            matches!(value.split_once('-'), Some((y, n)) if y.len() == 4 && digits(y) && digits(n))
        }
        "stp" => {
            let mut chars = value.chars();
            matches!(chars.next(), Some('1'..='5'))
                && matches!(chars.next(), None | Some('a' | 'u' | 'k'))
                && chars.next().is_none()
        }
        _ => true,
    };
    if ok {
        return None;
    }
    Some(match namespace {
        "tlp" => "use clear, green, amber, amber-strict or red",
        "detection" => "use dfir, emerging-threats or threat-hunting",
        "car" => "write `car.YYYY-MM-NNN`, e.g. `car.2016-04-005`",
        "cve" => "write `cve.YYYY-NNNN`, e.g. `cve.2021-44228`",
        _ => "write 1 to 5, optionally followed by a, u or k",
    })
}

impl Check for InvalidTagValue {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let sigmahq = cx.settings.preset == Preset::SigmaHq;
        let allowed: Option<Vec<String>> = cx
            .settings
            .option(&Self::META, "allowed-tlp")
            .and_then(|v| serde_json::from_value(v.clone()).ok());
        for document in sigma_documents(cx) {
            let mut seen_tlp = None;
            let mut seen_detection = None;
            for tag in &document.header().tags {
                let Some((namespace, value)) = tag.value.split_once('.') else {
                    continue;
                };
                if let Some(help) = problem(namespace, value) {
                    out.push(
                        cx.finding(
                            &Self::META,
                            tag.span,
                            format!("`{}` is not a valid `{namespace}` tag", tag.value),
                        )
                        .help(help),
                    );
                    continue;
                }
                if namespace == "tlp" {
                    if let Some(allowed) =
                        allowed.as_ref().filter(|a| !a.iter().any(|x| x == value))
                    {
                        out.push(cx.finding(
                            &Self::META,
                            tag.span,
                            format!(
                                "`{}` is not allowed here; allowed: tlp.{}",
                                tag.value,
                                allowed.join(", tlp.")
                            ),
                        ));
                    }
                }
                let seen = match namespace {
                    "tlp" => &mut seen_tlp,
                    "detection" => &mut seen_detection,
                    _ => continue,
                };
                match seen {
                    Some(first) if sigmahq => out.push(
                        cx.finding(
                            &Self::META,
                            tag.span,
                            format!("a second `{namespace}` tag, `{}`", tag.value),
                        )
                        .label(*first, "first one"),
                    ),
                    Some(_) => {}
                    None => *seen = Some(tag.span),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::problem;
    use crate::settings::{Preset, Settings};
    use crate::testing::{findings_at, findings_of};

    #[test]
    fn values_per_namespace() {
        assert!(problem("tlp", "white").is_some());
        assert!(problem("detection", "dfirx").is_some());
        assert!(problem("cve", "2021.44228").is_some());
        assert!(problem("car", "2016-04-005").is_none());
        assert!(problem("stp", "3k").is_none());
        assert!(problem("stp", "6").is_some());
    }

    #[test]
    fn sigmahq_allows_only_clear_once() {
        let source = "title: t\ntags: [tlp.clear, tlp.green]\n";
        assert!(findings_of("D008", source).is_empty());
        let hq = Settings {
            preset: Preset::SigmaHq,
            ..Settings::default()
        };
        assert_eq!(findings_at("D008", "r/x_y.yml", source, hq).len(), 2);
    }
}
