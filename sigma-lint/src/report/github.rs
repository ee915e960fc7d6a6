//! GitHub Actions workflow commands: each finding becomes an annotation on
//! the pull request's diff.

use std::io::{self, Write};

use super::{end_location, github_command, Reporter};
use crate::finding::Finding;

/// `::error file=...,line=...,col=...,title=...::message`
pub struct Github;

/// Escapes a command's message (`%`, CR, LF).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value (also `:` and `,`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

impl Reporter for Github {
    fn report(&self, findings: &[Finding], _files: usize, out: &mut dyn Write) -> io::Result<()> {
        for f in findings {
            let end = end_location(&f.source, f.span);
            let mut message = f.message.clone();
            if let Some(help) = &f.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            writeln!(
                out,
                "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                github_command(f.severity),
                escape_property(&f.path.display().to_string()),
                f.line(),
                f.column(),
                end.line,
                end.column,
                escape_property(&format!("{} {}", f.code, f.name)),
                escape_data(&message)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{escape_data, escape_property};

    #[test]
    fn workflow_command_escapes() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a,b:c"), "a%2Cb%3Ac");
    }
}
