use sigma_core::modifier::{ChainKind, StringStep};
use sigma_core::rule::{DetectionItem, RuleValue, ValueKind};
use sigma_core::value::{Part, SigmaString};

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Finds an item whose every value is `*text*`, or every value
    /// `*text`, or every value `text*`, with no other wildcard: what
    /// `contains`, `endswith` and `startswith` say.
    ///
    /// ## Why it matters
    /// The modifier states the intent, keeps the values readable, and
    /// lets backends pick their substring operators instead of translating
    /// wildcards.
    ///
    /// ## Example
    /// ```yaml
    /// CommandLine:
    ///   - '*-enc *'
    ///   - '*-EncodedCommand *'
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    /// CommandLine|contains:
    ///   - '-enc '
    ///   - '-EncodedCommand '
    /// ```
    ///
    /// ## Fix
    /// Safe, when the key is written plain and every value is quoted: adds
    /// the modifier to the key and removes the stars. The item matches
    /// exactly the same events afterwards.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// None known. A lone `*` (the field is present and anything) is left
    /// alone.
    ///
    /// ## References
    /// pySigma validator `wildcards_instead_of_modifiers`.
    pub struct WildcardsInsteadOfModifier {
        code: "H012",
        name: "wildcards-instead-of-modifier",
        family: Values,
        group: Convention,
        severity: Info,
        scope: Spec,
        fix: Sometimes,
    }
}

impl Check for WildcardsInsteadOfModifier {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for (item, chain) in super::valid_chains(cx) {
            let ChainKind::Plain(steps) = &chain.kind else {
                continue;
            };
            let bare = steps.iter().all(|s| *s == StringStep::Windash);
            if !bare || item.field.is_none() || item.values.is_empty() {
                continue;
            }
            let Some(shape) = common_shape(&item.values) else {
                continue;
            };
            let modifier = shape.modifier();
            let message = format!("every value is `{}`: use `|{modifier}`", shape.pattern());
            let mut finding = cx.finding(&Self::META, item.key.span, message);
            if let Some(fix) = fix(cx.source(), item, shape) {
                finding = finding.fix(fix);
            }
            out.push(finding);
        }
    }
}

/// Where the stars of every value sit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Contains,
    EndsWith,
    StartsWith,
}

impl Shape {
    fn modifier(self) -> &'static str {
        match self {
            Shape::Contains => "contains",
            Shape::EndsWith => "endswith",
            Shape::StartsWith => "startswith",
        }
    }

    fn pattern(self) -> &'static str {
        match self {
            Shape::Contains => "*text*",
            Shape::EndsWith => "*text",
            Shape::StartsWith => "text*",
        }
    }

    fn leading(self) -> bool {
        self != Shape::StartsWith
    }

    fn trailing(self) -> bool {
        self != Shape::EndsWith
    }
}

/// The one shape every value has, checked in the order `*x*`, `*x`, `x*`.
fn common_shape(values: &[RuleValue]) -> Option<Shape> {
    let mut shapes = Vec::new();
    for value in values {
        let ValueKind::Str(text) = &value.kind else {
            return None;
        };
        let parsed = SigmaString::parse(text);
        let [first, middle @ .., last] = parsed.parts() else {
            return None;
        };
        if middle.iter().any(|p| !matches!(p, Part::Literal(_))) {
            return None;
        }
        shapes.push(match (first, last) {
            (Part::AnyRun, Part::AnyRun) if !middle.is_empty() => Shape::Contains,
            (Part::AnyRun, Part::Literal(_)) if middle.is_empty() => Shape::EndsWith,
            (Part::Literal(_), Part::AnyRun) if middle.is_empty() => Shape::StartsWith,
            _ => return None,
        });
    }
    let first = *shapes.first()?;
    shapes.iter().all(|s| *s == first).then_some(first)
}

/// Appends the modifier to a plain key and drops the stars inside each
/// quoted value; `None` when any of them is written in a form this cannot
/// edit byte for byte.
fn fix(source: &str, item: &DetectionItem, shape: Shape) -> Option<Fix> {
    let key = source.get(item.key.span.start..item.key.span.end)?;
    if key != item.key.value {
        return None;
    }
    let mut edits = vec![Edit {
        start: item.key.span.end,
        end: item.key.span.end,
        replacement: format!("|{}", shape.modifier()),
    }];
    for value in &item.values {
        let written = source.get(value.span.start..value.span.end)?;
        let quote = written.chars().next().filter(|q| *q == '\'' || *q == '"')?;
        let inner = written.strip_prefix(quote)?.strip_suffix(quote)?;
        let start = value.span.start + 1;
        let end = value.span.end - 1;
        if shape.leading() {
            inner.starts_with('*').then_some(())?;
            edits.push(Edit {
                start,
                end: start + 1,
                replacement: String::new(),
            });
        }
        if shape.trailing() {
            inner.ends_with('*').then_some(())?;
            edits.push(Edit {
                start: end - 1,
                end,
                replacement: String::new(),
            });
        }
    }
    Some(Fix {
        message: format!("use `|{}` and drop the stars", shape.modifier()),
        applicability: Applicability::Safe,
        edits,
    })
}

#[cfg(test)]
mod tests {
    use crate::fix::apply;
    use crate::testing::findings_of;

    fn rule(item: &str) -> String {
        format!("title: t\ndetection:\n  sel:\n    {item}\n  condition: sel\n")
    }

    #[test]
    fn star_shapes_name_their_modifier() {
        let found = findings_of(
            "H012",
            &rule("CommandLine:\n      - '*-enc *'\n      - '*-e *'"),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "every value is `*text*`: use `|contains`");
        let ends = findings_of("H012", &rule("Image: '*\\cmd.exe'"));
        assert_eq!(ends[0].message, "every value is `*text`: use `|endswith`");
        let starts = findings_of("H012", &rule("Image: 'C:\\Windows\\\\*'"));
        assert_eq!(
            starts[0].message,
            "every value is `text*`: use `|startswith`"
        );
    }

    #[test]
    fn mixed_shapes_other_wildcards_and_modifiers_pass() {
        assert!(findings_of("H012", &rule("I:\n      - '*a*'\n      - '*b'")).is_empty());
        assert!(findings_of("H012", &rule("I: '*a?b*'")).is_empty());
        assert!(findings_of("H012", &rule("I: '*'")).is_empty());
        assert!(findings_of("H012", &rule("I: 'a*b'")).is_empty());
        assert!(findings_of("H012", &rule("I|contains: '*a*'")).is_empty());
        // `\*` is a literal star; `\\*` a backslash, then a wildcard.
        assert!(findings_of("H012", &rule("I: 'C:\\x\\*'")).is_empty());
        assert_eq!(findings_of("H012", &rule("I: 'C:\\x\\\\*'")).len(), 1);
    }

    #[test]
    fn the_fix_adds_the_modifier_and_drops_the_stars() {
        let source = rule("CommandLine:\n      - '*-enc *'\n      - \"*-e *\"");
        let found = findings_of("H012", &source);
        let fixed = apply(&source, &found.iter().collect::<Vec<_>>(), false);
        assert_eq!(
            fixed.text,
            rule("CommandLine|contains:\n      - '-enc '\n      - \"-e \"")
        );
    }
}
