//! Coverage reports: text for people, JSON, lcov and Cobertura for CI.

use std::io::{self, Write};

use super::{CoverageReport, TargetKind};

/// Per rule: hit/total and every target not hit; then the total.
pub fn write_text(out: &mut dyn Write, report: &CoverageReport) -> io::Result<()> {
    for (path, _, coverage) in &report.rules {
        let (hit, total) = coverage.counts();
        writeln!(
            out,
            "coverage {path}: {hit}/{total} ({})",
            percent(hit, total)
        )?;
        for target in coverage.targets.values().filter(|t| t.hits == 0) {
            let what = match target.kind {
                TargetKind::Value if target.negated => format!(
                    "negated value `{}` of `{}` is exercised by no positive case \
                     (one holding the field with another value)",
                    target.text, target.identifier
                ),
                TargetKind::Value => format!(
                    "value `{}` of `{}` is matched by no positive case",
                    target.text, target.identifier
                ),
                TargetKind::Exclusion => format!(
                    "exclusion `{}` is the reason for no negative case",
                    target.identifier
                ),
            };
            writeln!(out, "  {path}:{}:{}: {what}", target.line, target.column)?;
        }
    }
    let (hit, total) = report.totals();
    writeln!(
        out,
        "coverage total: {hit}/{total} ({})",
        percent(hit, total)
    )
}

fn percent(hit: usize, total: usize) -> String {
    if total == 0 {
        return "100.0%".to_owned();
    }
    format!("{:.1}%", hit as f64 * 100.0 / total as f64)
}

/// One JSON document: rules with their targets, and the totals.
pub fn write_json(out: &mut dyn Write, report: &CoverageReport) -> io::Result<()> {
    let (hit, total) = report.totals();
    let rules: Vec<serde_json::Value> = report
        .rules
        .iter()
        .map(|(path, name, coverage)| {
            let (h, t) = coverage.counts();
            serde_json::json!({
                "path": path,
                "rule": name,
                "hit": h,
                "total": t,
                "targets": coverage.targets.values().collect::<Vec<_>>(),
            })
        })
        .collect();
    let document = serde_json::json!({
        "hit": hit,
        "total": total,
        "percent": report.percent(),
        "rules": rules,
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

/// lcov tracefile: one `SF` record per rule, a `DA` line per target line
/// (hits summed when several targets share a line).
pub fn write_lcov(out: &mut dyn Write, report: &CoverageReport) -> io::Result<()> {
    writeln!(out, "TN:sigma-test")?;
    for (path, _, coverage) in &report.rules {
        writeln!(out, "SF:{path}")?;
        let lines = by_line(coverage);
        for (line, hits) in &lines {
            writeln!(out, "DA:{line},{hits}")?;
        }
        let hit = lines.iter().filter(|(_, h)| *h > 0).count();
        writeln!(out, "LF:{}", lines.len())?;
        writeln!(out, "LH:{hit}")?;
        writeln!(out, "end_of_record")?;
    }
    Ok(())
}

/// A line is covered only when every target on it is.
fn by_line(coverage: &super::RuleCoverage) -> Vec<(u32, usize)> {
    let mut lines: std::collections::BTreeMap<u32, (usize, bool)> = Default::default();
    for target in coverage.targets.values() {
        let entry = lines.entry(target.line).or_insert((0, true));
        entry.0 += target.hits;
        entry.1 &= target.hits > 0;
    }
    lines
        .into_iter()
        .map(|(line, (hits, all))| (line, if all { hits } else { 0 }))
        .collect()
}

/// Cobertura XML, one class per rule file.
pub fn write_cobertura(out: &mut dyn Write, report: &CoverageReport) -> io::Result<()> {
    let (hit, total) = report.totals();
    let rate = |h: usize, t: usize| if t == 0 { 1.0 } else { h as f64 / t as f64 };
    writeln!(out, "<?xml version=\"1.0\" ?>")?;
    writeln!(
        out,
        "<coverage line-rate=\"{:.4}\" branch-rate=\"0\" lines-covered=\"{hit}\" \
         lines-valid=\"{total}\" version=\"sigma-test\" timestamp=\"0\">",
        rate(hit, total)
    )?;
    writeln!(
        out,
        "  <packages>\n    <package name=\"rules\" line-rate=\"{:.4}\">",
        rate(hit, total)
    )?;
    writeln!(out, "      <classes>")?;
    for (path, name, coverage) in &report.rules {
        let (h, t) = coverage.counts();
        writeln!(
            out,
            "        <class name=\"{}\" filename=\"{}\" line-rate=\"{:.4}\" branch-rate=\"0\">",
            xml(name),
            xml(path),
            rate(h, t)
        )?;
        writeln!(out, "          <lines>")?;
        for (line, hits) in by_line(coverage) {
            writeln!(out, "            <line number=\"{line}\" hits=\"{hits}\"/>")?;
        }
        writeln!(out, "          </lines>\n        </class>")?;
    }
    writeln!(
        out,
        "      </classes>\n    </package>\n  </packages>\n</coverage>"
    )
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
