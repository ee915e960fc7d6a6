//! One line per finding, the form editors and `grep` read.

use std::io::{self, Write};

use super::Reporter;
use crate::finding::Finding;

/// `path:line:column: severity[CODE] message`
pub struct Concise;

impl Reporter for Concise {
    fn report(&self, findings: &[Finding], _files: usize, out: &mut dyn Write) -> io::Result<()> {
        for f in findings {
            writeln!(
                out,
                "{}:{}:{}: {}[{}] {}",
                f.path.display(),
                f.line(),
                f.column(),
                f.severity.as_str(),
                f.code,
                f.message
            )?;
        }
        Ok(())
    }
}
