use sigma_core::yaml::{Node, Style, Value};

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Finds unquoted values that YAML 1.1 (PyYAML, so pySigma) and YAML 1.2
    /// (this tool, most modern loaders) read as different things: `yes`/`no`/
    /// `on`/`off`, octal `010`, `0b11`, `1_000`, sexagesimal `1:20`, and
    /// unquoted dates outside `date` and `modified`.
    ///
    /// ## Why it matters
    /// The same rule then matches different events in different tools:
    /// `010` is 8 for one and 10 for another; `yes` is `true` or the text `yes`.
    ///
    /// ## Example
    /// ```yaml
    /// selection:
    ///   Enabled: yes
    ///   Port: 010
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    /// selection:
    ///   Enabled: 'yes'
    ///   Port: 10
    /// ```
    ///
    /// ## Fix
    /// Always available, unsafe: quoting keeps the YAML 1.2 reading, which
    /// changes what a YAML 1.1 tool matched.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Top-level `date` and `modified` are skipped: both readings name the
    /// same day there.
    ///
    /// ## References
    /// YAML 1.1 type repository.
    pub struct Yaml11Scalar {
        code: "A004",
        name: "yaml-1-1-scalar",
        family: Yaml,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: Always,
    }
}

impl Check for Yaml11Scalar {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in cx.documents() {
            let Some(root) = &document.header().root else {
                continue;
            };
            let Some(entries) = root.as_mapping() else {
                walk(cx, root, out);
                continue;
            };
            for (key, value) in entries {
                walk(cx, key, out);
                if !matches!(key.as_str(), Some("date" | "modified")) {
                    walk(cx, value, out);
                }
            }
        }
    }
}

fn walk(cx: &FileContext<'_>, node: &Node, out: &mut Vec<Finding>) {
    match &node.value {
        Value::Scalar(scalar) => {
            if scalar.style != Style::Plain || scalar.tag.is_some() {
                return;
            }
            if let Some(reading) = yaml11_reading(&scalar.text) {
                let text = &scalar.text;
                let fix = Fix {
                    message: "quote the value".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        start: node.span.start,
                        end: node.span.end,
                        replacement: format!("'{text}'"),
                    }],
                };
                out.push(
                    cx.finding(
                        &Yaml11Scalar::META,
                        node.span,
                        format!("`{text}` is {reading} in YAML 1.1 but not in YAML 1.2"),
                    )
                    .help("quote it, or write the value so both YAML versions agree")
                    .fix(fix),
                );
            }
        }
        Value::Sequence(items) => items.iter().for_each(|item| walk(cx, item, out)),
        Value::Mapping(entries) => {
            for (key, value) in entries {
                walk(cx, key, out);
                walk(cx, value, out);
            }
        }
    }
}

/// What YAML 1.1 reads `text` as, when that differs from YAML 1.2.
fn yaml11_reading(text: &str) -> Option<&'static str> {
    // Every differing reading starts with a digit, a sign or y/n/o; most
    // scalars in a rule are words and paths, so this settles them at once.
    let first = text.bytes().next()?;
    if !(first.is_ascii_digit()
        || matches!(first, b'-' | b'+' | b'y' | b'Y' | b'n' | b'N' | b'o' | b'O'))
    {
        return None;
    }
    // The YAML 1.1 type repository also lists `y` and `n`, but PyYAML's
    // resolver (what pySigma reads with) leaves them strings, as 1.2 does.
    const BOOLS: &[&str] = &[
        "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
    ];
    if BOOLS.contains(&text) {
        return Some("a boolean");
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let bytes = unsigned.as_bytes();
    let digits = |s: &str, ok: fn(u8) -> bool| !s.is_empty() && s.bytes().all(ok);
    if bytes.len() > 1
        && bytes.first() == Some(&b'0')
        && digits(&unsigned[1..], |b| matches!(b, b'0'..=b'7' | b'_'))
    {
        return Some("an octal number");
    }
    if let Some(binary) = unsigned.strip_prefix("0b") {
        if digits(binary, |b| matches!(b, b'0' | b'1' | b'_')) {
            return Some("a binary number");
        }
    }
    if unsigned.contains('_')
        && unsigned.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && digits(unsigned, |b| b.is_ascii_digit() || b == b'_' || b == b'.')
    {
        return Some("a number with `_` separators");
    }
    if is_sexagesimal(unsigned) {
        return Some("a base-60 number");
    }
    if is_date(text) {
        return Some("a date");
    }
    None
}

/// `[1-9][0-9_]*(:[0-5]?[0-9])+`, optionally with a fraction.
fn is_sexagesimal(text: &str) -> bool {
    let text = text.split_once('.').map_or(text, |(whole, _)| whole);
    let mut parts = text.split(':');
    let Some(first) = parts.next() else {
        return false;
    };
    let first_ok = first
        .as_bytes()
        .first()
        .is_some_and(|b| (b'1'..=b'9').contains(b))
        && first.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let mut rest = 0;
    for part in parts {
        rest += 1;
        let ok = (1..=2).contains(&part.len())
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part.len() == 1 || part.as_bytes()[0] <= b'5');
        if !ok {
            return false;
        }
    }
    first_ok && rest > 0
}

/// `YYYY-M-D`, optionally followed by a time: a YAML 1.1 timestamp.
fn is_date(text: &str) -> bool {
    let date = text.split(['T', 't', ' ']).next().unwrap_or(text);
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let numeric = |s: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    numeric(y, 4..=4) && numeric(m, 1..=2) && numeric(d, 1..=2)
}

#[cfg(test)]
mod tests {
    use super::yaml11_reading;
    use crate::testing::findings_of;

    #[test]
    fn readings_that_differ() {
        assert_eq!(yaml11_reading("yes"), Some("a boolean"));
        assert_eq!(yaml11_reading("010"), Some("an octal number"));
        assert_eq!(yaml11_reading("0b11"), Some("a binary number"));
        assert_eq!(
            yaml11_reading("1_000"),
            Some("a number with `_` separators")
        );
        assert_eq!(yaml11_reading("1:20"), Some("a base-60 number"));
        assert_eq!(yaml11_reading("2024-01-31"), Some("a date"));
        for same in [
            "true", "10", "0", "00000429", "1:99", "abc", "0x1F", "C:\\x", "y", "N",
        ] {
            assert_eq!(yaml11_reading(same), None, "{same}");
        }
    }

    #[test]
    fn flags_values_but_not_rule_dates() {
        let source = "title: x\ndate: 2024-01-01\ndetection:\n  s:\n    A: yes\n    B: '010'\n    \
                      C: 010\n  condition: s\n";
        let found = findings_of("A004", source);
        let lines: Vec<u32> = found.iter().map(|f| f.line()).collect();
        assert_eq!(lines, [5, 7]);
        assert_eq!(found[0].column(), 8);
        assert!(found[1].fix.is_some());
    }
}
