//! When one test can only hold if another does.
//!
//! Used two ways: a filter whose test is implied by the selection's test on
//! the same field suppresses every event the selection picks, and a list
//! value implied by a sibling adds nothing to an OR list. The answers are
//! sound but not complete: `true` is a proof, `false` only means no proof
//! was found (a glob with `?` or an inner `*` is compared only with itself).

use crate::matcher::ir::{Case, Operation};
use crate::value::{fold, Part, Shape, SigmaString};

/// Whether every text that `p` matches is also matched by `q`, both
/// compared with the same case handling.
pub fn pattern_implies(p: &SigmaString, q: &SigmaString) -> bool {
    if p == q {
        return true;
    }
    let parts = p.parts();
    match q.shape() {
        Shape::Contains(needle) => {
            needle.is_empty()
                || parts
                    .iter()
                    .any(|part| matches!(part, Part::Literal(t) if t.contains(needle)))
        }
        Shape::Prefix(head) => {
            matches!(parts.first(), Some(Part::Literal(t)) if t.starts_with(head))
        }
        Shape::Suffix(tail) => {
            matches!(parts.last(), Some(Part::Literal(t)) if t.ends_with(tail))
        }
        Shape::Exact(text) => p.as_literal() == Some(text),
        Shape::Glob => false,
    }
}

/// Whether no text can match both `p` and `q`: their fixed starts or
/// fixed ends disagree (`*\\cmd.exe` and `*\\pwsh.exe`). Patterns are
/// compared folded, which is sound whatever their case handling: texts
/// matching both would also match both folded forms.
pub fn patterns_disjoint(p: &SigmaString, q: &SigmaString) -> bool {
    folded_patterns_disjoint(&p.folded(), &q.folded())
}

fn folded_patterns_disjoint(p: &SigmaString, q: &SigmaString) -> bool {
    let start = |s: &SigmaString| match s.parts().first() {
        Some(Part::Literal(t)) => Some(t.clone()),
        _ => None,
    };
    let end = |s: &SigmaString| match s.parts().last() {
        Some(Part::Literal(t)) => Some(t.clone()),
        _ => None,
    };
    let clash = |a: Option<String>, b: Option<String>, at_start: bool| match (a, b) {
        (Some(a), Some(b)) if at_start => !a.starts_with(&b) && !b.starts_with(&a),
        (Some(a), Some(b)) => !a.ends_with(&b) && !b.ends_with(&a),
        _ => false,
    };
    clash(start(p), start(q), true) || clash(end(p), end(q), false)
}

/// [`operations_disjoint`] for two lists of already folded patterns.
pub(crate) fn folded_disjoint(pa: &[SigmaString], pb: &[SigmaString]) -> bool {
    !pa.is_empty()
        && !pb.is_empty()
        && pa
            .iter()
            .all(|p| pb.iter().all(|q| folded_patterns_disjoint(p, q)))
}

/// [`operation_implies`] for two text tests, each given as (patterns as
/// written, the same folded, case handling).
pub(crate) fn match_implies(
    a: (&[SigmaString], &[SigmaString], Case),
    b: (&[SigmaString], &[SigmaString], Case),
) -> bool {
    let (raw_a, folded_a, case_a) = a;
    let (raw_b, folded_b, case_b) = b;
    let (pa, pb) = match (case_a, case_b) {
        (_, Case::Insensitive) => (folded_a, folded_b),
        (Case::Sensitive, Case::Sensitive) => (raw_a, raw_b),
        (Case::Insensitive, Case::Sensitive) => return false,
    };
    !pa.is_empty() && pa.iter().all(|p| pb.iter().any(|q| pattern_implies(p, q)))
}

/// Whether no value passes both `a` and `b` (for text tests only; other
/// operations answer `false`, meaning "not proven").
pub fn operations_disjoint(a: &Operation, b: &Operation) -> bool {
    match (a, b) {
        (Operation::Match { patterns: pa, .. }, Operation::Match { patterns: pb, .. }) => {
            !pa.is_empty()
                && !pb.is_empty()
                && pa
                    .iter()
                    .all(|p| pb.iter().all(|q| patterns_disjoint(p, q)))
        }
        _ => false,
    }
}

/// Whether `a` holding for a value proves that `b` holds for it too.
pub fn operation_implies(a: &Operation, b: &Operation) -> bool {
    match (a, b) {
        (
            Operation::Match {
                patterns: pa,
                case: ca,
            },
            Operation::Match {
                patterns: pb,
                case: cb,
            },
        ) => {
            // A case-sensitive test is narrower than an insensitive one; the
            // reverse never follows.
            let fold_both = match (ca, cb) {
                (_, Case::Insensitive) => true,
                (Case::Sensitive, Case::Sensitive) => false,
                (Case::Insensitive, Case::Sensitive) => return false,
            };
            let norm = |s: &SigmaString| if fold_both { s.folded() } else { s.clone() };
            let pb: Vec<SigmaString> = pb.iter().map(norm).collect();
            !pa.is_empty()
                && pa.iter().all(|p| {
                    let p = norm(p);
                    pb.iter().any(|q| pattern_implies(&p, q))
                })
        }
        _ => a == b,
    }
}

/// Whether `text` is made only of characters that have no case, so that
/// `cased` cannot change what it matches.
pub fn caseless(text: &str) -> bool {
    fold(text) == text && text.to_uppercase() == text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> SigmaString {
        SigmaString::parse(text)
    }

    #[test]
    fn longer_needles_imply_shorter_ones() {
        assert!(pattern_implies(&s("*abcd*"), &s("*abc*")));
        assert!(!pattern_implies(&s("*abc*"), &s("*abcd*")));
        assert!(pattern_implies(&s("\\cmd.exe"), &s("*cmd*")));
        assert!(pattern_implies(&s("*\\cmd.exe"), &s("*.exe")));
        assert!(!pattern_implies(&s("*\\cmd.exe"), &s("*.dll")));
        assert!(pattern_implies(&s("C:/Windows/*"), &s("C:/*")));
        assert!(!pattern_implies(&s("*C:/Windows/*"), &s("C:/*")));
        assert!(pattern_implies(&s("a?c"), &s("*")));
        assert!(!pattern_implies(&s("a?c"), &s("abc")));
    }

    #[test]
    fn fixed_ends_that_disagree_are_disjoint() {
        assert!(patterns_disjoint(&s("*\\cmd.exe"), &s("*\\PWSH.exe")));
        assert!(!patterns_disjoint(&s("*\\cmd.exe"), &s("*.EXE")));
        assert!(patterns_disjoint(&s("C:/a*"), &s("D:/*")));
        assert!(!patterns_disjoint(&s("C:/a*"), &s("*.exe")));
        assert!(!patterns_disjoint(&s("*abc*"), &s("*xyz*")));
    }

    #[test]
    fn case_matters_one_way() {
        let insensitive = |t: &str| Operation::Match {
            patterns: vec![s(t)],
            case: Case::Insensitive,
        };
        let sensitive = |t: &str| Operation::Match {
            patterns: vec![s(t)],
            case: Case::Sensitive,
        };
        assert!(operation_implies(
            &insensitive("*ABCD*"),
            &insensitive("*abc*")
        ));
        assert!(operation_implies(
            &sensitive("*ABCD*"),
            &insensitive("*abc*")
        ));
        assert!(!operation_implies(
            &insensitive("*abcd*"),
            &sensitive("*abc*")
        ));
        assert!(!operation_implies(
            &sensitive("*ABCD*"),
            &sensitive("*abc*")
        ));
        assert!(caseless("1234-/"));
        assert!(!caseless("a1"));
    }
}
