use sigma_core::rule::Correlation;
use sigma_core::yaml::{Node, Resolved};

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Checks the parts of a correlation the schema leaves open: the
    /// `timespan` is `<positive integer><unit>` (s, m, h, d; w, M, y as
    /// pySigma reads them); `condition` is a mapping of known operators
    /// (`gt`, `gte`, `lt`, `lte`, `eq`, `neq`) with numeric thresholds, and
    /// is present for every type but `temporal` and `temporal_ordered`;
    /// the `value_*` types name their `condition.field`; `group-by` is a
    /// field name or a list of them.
    ///
    /// ## Why it matters
    /// The published schema's `condition` constraints take no effect, so a
    /// schema-valid correlation can still be one that no tool loads.
    ///
    /// ## Example
    /// ```yaml
    /// correlation:
    ///   type: value_count
    ///   rules: [failed_logon]
    ///   group-by: [IpAddress]
    ///   timespan: 5 minutes
    ///   condition:
    ///     gte: 10
    /// ```
    ///
    /// ## Write instead
    /// `timespan: 5m` and `condition: {field: TargetUserName, gte: 10}`.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// A range (`gt` with `lte`), which the specification shows, is
    /// accepted; pySigma rejects it. A string
    /// condition on a temporal type (a pySigma extension) is not parsed.
    ///
    /// ## References
    /// Sigma specification v2, correlation rules (`type`, `timespan`,
    /// `condition`); pySigma correlation rule parsing.
    pub struct CorrelationShape {
        code: "I001",
        name: "invalid-correlation",
        family: Correlation,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

const OPERATORS: [&str; 6] = ["gt", "gte", "lt", "lte", "eq", "neq"];
const UNITS: [char; 7] = ['s', 'm', 'h', 'd', 'w', 'M', 'y'];

impl Check for CorrelationShape {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for correlation in super::correlations(cx) {
            let Some(body) = correlation.header.get("correlation") else {
                continue;
            };
            if body.as_mapping().is_none() {
                let message = format!(
                    "`correlation` must be a mapping, found {}",
                    body.kind_name()
                );
                out.push(cx.finding(&Self::META, body.span, message));
                continue;
            }
            let mut report = |node: &Node, message: String| {
                out.push(cx.finding(&Self::META, node.span, message));
            };
            timespan(body, &mut report);
            group_by(body, &mut report);
            condition(correlation, body, &mut report);
        }
    }
}

fn scalar(node: &Node) -> Option<Resolved<'_>> {
    node.as_scalar().map(|s| s.resolve())
}

fn timespan(body: &Node, report: &mut dyn FnMut(&Node, String)) {
    let Some(node) = body.get("timespan") else {
        return;
    };
    let text = match scalar(node) {
        Some(Resolved::Str(text)) => text,
        _ => {
            let found = node.kind_name();
            report(
                node,
                format!("`timespan` must be text such as `5m`, found {found}"),
            );
            return;
        }
    };
    let (digits, unit) = match text.char_indices().last() {
        Some((at, c)) => (
            text.get(..at).unwrap_or(""),
            Some(c).filter(|c| UNITS.contains(c)),
        ),
        None => ("", None),
    };
    let number = digits
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| digits.parse::<u64>().ok())
        .flatten();
    match (number, unit) {
        (Some(0), Some(_)) => report(node, format!("`timespan` `{text}` is zero")),
        (Some(_), Some(_)) => {}
        _ => report(
            node,
            format!("`timespan` `{text}` is not a whole number followed by s, m, h, d, w, M or y"),
        ),
    }
}

fn group_by(body: &Node, report: &mut dyn FnMut(&Node, String)) {
    let Some(node) = body.get("group-by") else {
        return;
    };
    let is_field = |n: &Node| matches!(scalar(n), Some(Resolved::Str(_)));
    let valid = match node.as_sequence() {
        Some(fields) => fields.iter().all(is_field),
        None => is_field(node),
    };
    if !valid {
        report(
            node,
            "`group-by` must be a field name or a list of field names".into(),
        );
    }
}

fn condition(correlation: &Correlation, body: &Node, report: &mut dyn FnMut(&Node, String)) {
    let kind = correlation.kind.as_ref().map_or("", |k| k.value.as_str());
    let temporal = matches!(kind, "temporal" | "temporal_ordered");
    let valued = kind.starts_with("value_") && kind != "value_count";
    let needs_field = kind.starts_with("value_");
    let Some(node) = body.get("condition") else {
        if !temporal && !kind.is_empty() {
            report(body, format!("a `{kind}` correlation needs a `condition`"));
        }
        return;
    };
    let Some(entries) = node.as_mapping() else {
        if !temporal {
            let found = node.kind_name();
            report(
                node,
                format!("`condition` must be a mapping such as `gte: 10`, found {found}"),
            );
        }
        return;
    };

    let mut operators = Vec::new();
    for (key, value) in entries {
        let name = key.as_str().unwrap_or("");
        if OPERATORS.contains(&name) {
            operators.push(name);
            let number = match scalar(value) {
                Some(Resolved::Int(n)) => n >= 0,
                Some(Resolved::Float(f)) => valued && f.is_finite(),
                _ => false,
            };
            if !number {
                let wanted = if valued { "a number" } else { "a whole number" };
                report(value, format!("`{name}` needs {wanted}"));
            }
        } else if name != "field" && name != "percentile" {
            report(key, format!("unknown condition key `{name}`"));
        }
    }

    if operators.is_empty() {
        report(
            node,
            "`condition` names no operator (gt, gte, lt, lte, eq, neq)".into(),
        );
    } else if operators.len() > 1 && !is_range(&operators) {
        let list = operators.join(", ");
        report(
            node,
            format!("`condition` has several operators ({list}) that form no range"),
        );
    }
    if needs_field && node.get("field").is_none() {
        report(
            node,
            format!("a `{kind}` correlation needs `condition.field`"),
        );
    }
}

/// One lower and one upper bound: the specification's way to write a range.
fn is_range(operators: &[&str]) -> bool {
    let lower = operators
        .iter()
        .filter(|o| matches!(**o, "gt" | "gte"))
        .count();
    let upper = operators
        .iter()
        .filter(|o| matches!(**o, "lt" | "lte"))
        .count();
    operators.len() == 2 && lower == 1 && upper == 1
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn correlation(body: &str) -> String {
        format!("title: c\nname: c\ncorrelation:\n  rules: [a, b]\n{body}")
    }

    #[test]
    fn valid_event_count_passes() {
        let source = correlation(
            "  type: event_count\n  group-by: [Ip]\n  timespan: 5m\n  condition:\n    gte: 10\n",
        );
        assert!(findings_of("I001", &source).is_empty());
        let range = source.replace("    gte: 10\n", "    gt: 10\n    lte: 20\n");
        assert!(findings_of("I001", &range).is_empty());
    }

    #[test]
    fn bad_timespan_is_located() {
        let source = correlation(
            "  type: event_count\n  group-by: Ip\n  timespan: 5 minutes\n  condition:\n    gte: 1\n",
        );
        let found = findings_of("I001", &source);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (7, 13));
        assert!(found[0].message.contains("5 minutes"));
    }

    #[test]
    fn condition_shape() {
        let source = correlation(
            "  type: value_count\n  group-by: Ip\n  timespan: 5m\n  condition:\n    \
             greater: 10\n",
        );
        let found = findings_of("I001", &source);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(found.len(), 3, "{messages:?}");
        assert!(messages
            .iter()
            .any(|m| m.contains("unknown condition key `greater`")));
        assert!(messages.iter().any(|m| m.contains("names no operator")));
        assert!(messages.iter().any(|m| m.contains("condition.field")));
    }

    #[test]
    fn temporal_needs_no_condition() {
        let source = correlation("  type: temporal\n  group-by: Ip\n  timespan: 1h\n");
        assert!(findings_of("I001", &source).is_empty());
        let counted = correlation("  type: event_count\n  group-by: Ip\n  timespan: 1h\n");
        assert_eq!(findings_of("I001", &counted).len(), 1);
    }
}
