//! A JSON array of findings, one object each, for scripts.

use std::io::{self, Write};

use serde_json::json;

use super::{end_location, Reporter};
use crate::finding::Finding;

/// The JSON reporter.
pub struct Json;

/// One finding as a JSON object.
pub fn to_json(f: &Finding) -> serde_json::Value {
    let end = end_location(&f.source, f.span);
    let labels: Vec<_> = f
        .labels
        .iter()
        .map(|l| {
            let at = l.span.location;
            json!({"line": at.line, "column": at.column, "text": l.text})
        })
        .collect();
    let related: Vec<_> = f
        .related
        .iter()
        .map(|r| {
            json!({"path": r.path.display().to_string(), "line": r.span.location.line,
                        "column": r.span.location.column, "text": r.text})
        })
        .collect();
    json!({
        "code": f.code,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "path": f.path.display().to_string(),
        "line": f.line(),
        "column": f.column(),
        "end_line": end.line,
        "end_column": end.column,
        "start_byte": f.span.start,
        "end_byte": f.span.end,
        "help": f.help,
        "labels": labels,
        "related": related,
        "fix": f.fix,
    })
}

impl Reporter for Json {
    fn report(&self, findings: &[Finding], _files: usize, out: &mut dyn Write) -> io::Result<()> {
        let all: Vec<_> = findings.iter().map(to_json).collect();
        serde_json::to_writer_pretty(&mut *out, &all)?;
        writeln!(out)
    }
}
