//! Output to a reader that may stop reading (`sigma-test | head`).
//!
//! A closed pipe is not an error of the run: the reader has what it wanted.
//! [`QuietPipe`] turns a broken pipe into a sink, so the run finishes and
//! exits with the status it would have had; other write errors still fail.

use std::io::{self, Write};

/// A writer that drops everything once its reader has gone away.
#[derive(Debug)]
pub struct QuietPipe<W> {
    inner: W,
    broken: bool,
}

impl<W: Write> QuietPipe<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        QuietPipe {
            inner,
            broken: false,
        }
    }

    /// Whether the reader went away (later output was dropped).
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    fn quiet<T>(&mut self, result: io::Result<T>, dropped: T) -> io::Result<T> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.broken = true;
                Ok(dropped)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for QuietPipe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.broken {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.quiet(result, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.broken {
            return Ok(());
        }
        let result = self.inner.flush();
        self.quiet(result, ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accepts `room` bytes, then fails like a closed pipe (or `kind`).
    struct Closing {
        room: usize,
        kind: io::ErrorKind,
    }

    impl Write for Closing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::from(self.kind));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_broken_pipe_is_dropped_and_other_errors_are_not() {
        let mut out = QuietPipe::new(Closing {
            room: 4,
            kind: io::ErrorKind::BrokenPipe,
        });
        assert!(writeln!(out, "first line, then the reader leaves").is_ok());
        assert!(out.is_broken());
        assert!(writeln!(out, "dropped").is_ok());

        let mut full = QuietPipe::new(Closing {
            room: 0,
            kind: io::ErrorKind::StorageFull,
        });
        let error = writeln!(full, "x").unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
        assert!(!full.is_broken());
    }
}
