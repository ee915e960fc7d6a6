use crate::check::Check;

crate::declare_check! {
    /// ## What it does
    /// Reports a file that cannot be read: missing permissions, not UTF-8,
    /// or far larger than any rule.
    ///
    /// ## Why it matters
    /// A rule nobody can read is a rule that silently does not run.
    ///
    /// ## Example
    /// A rule saved as UTF-16 by an editor, or containing a Latin-1 byte.
    ///
    /// ## Write instead
    /// Save the file as UTF-8.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// YAML 1.2 section 5.2 (character encodings); Sigma rules are UTF-8.
    pub struct UnreadableFile {
        code: "A001",
        name: "unreadable-file",
        family: Yaml,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for UnreadableFile {
    fn meta(&self) -> &'static crate::check::CheckMeta {
        &Self::META
    }

    // The run reports this while loading (see `lint::load`); there is
    // nothing left to look at once a file has been read.
}
