//! Value modifiers: the `|contains|all` part of a detection key.
//!
//! [`parse_chain`] reads the modifier names of one detection item into a
//! [`ModifierChain`], rejecting unknown names and impossible orders at the
//! exact modifier; [`ModifierChain::apply`] then runs one rule value through
//! the chain and says what an event value is compared with (an
//! [`Operation`]). The linter calls the first to report; the matcher and
//! the reference evaluator call both.
//!
//! Types flow left to right, as in the specification: a string may be
//! re-encoded (`wide`, `utf16*`), then base64-encoded (`base64`,
//! `base64offset`), then given wildcards (`contains`, `startswith`,
//! `endswith`); `re` starts a regex, which takes flags and a position;
//! `cidr`, `exists`, `fieldref`, the comparisons and the time parts each
//! start their own kind. `all`, `neq`, `cased` and `expand` may stand
//! anywhere (`cased` and `expand` only where they mean something).

use std::fmt;

use base64::Engine;

use crate::matcher::ir::{Case, Number, Operation};
use crate::matcher::CompileError;
use crate::rule::{RuleValue, ValueKind};
use crate::span::{Span, Spanned};
use crate::value::{Part, SigmaString};

/// One modifier, named as rules spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Modifier {
    /// `contains`: the value may occur anywhere.
    Contains,
    /// `startswith`.
    StartsWith,
    /// `endswith`.
    EndsWith,
    /// `all`: the values are AND-ed instead of OR-ed.
    All,
    /// `exists`: the value (a boolean) says whether the field must exist.
    Exists,
    /// `cased`: compare with exact case.
    Cased,
    /// `neq`: the field must differ from every value.
    Neq,
    /// `windash`: a leading `-` or `/` of a flag stands for every dash.
    Windash,
    /// `re`: a regular expression, searched anywhere in the value.
    Re,
    /// `i` / `ignorecase`: regex flag.
    IgnoreCase,
    /// `m` / `multiline`: regex flag.
    Multiline,
    /// `s` / `dotall`: regex flag.
    DotAll,
    /// `base64`: the value, base64-encoded.
    Base64,
    /// `base64offset`: the three encodings of the value at any byte offset.
    Base64Offset,
    /// `utf16le` / `wide`: UTF-16 little endian before encoding.
    Utf16Le,
    /// `utf16be`.
    Utf16Be,
    /// `utf16`: a byte-order mark then UTF-16 little endian.
    Utf16,
    /// `lt`.
    Lt,
    /// `lte`.
    Lte,
    /// `gt`.
    Gt,
    /// `gte`.
    Gte,
    /// `minute` of a timestamp.
    Minute,
    /// `hour`.
    Hour,
    /// `day` of the month.
    Day,
    /// `week` of the year (ISO 8601).
    Week,
    /// `month`.
    Month,
    /// `year`.
    Year,
    /// `cidr`: an IPv4 or IPv6 network.
    Cidr,
    /// `expand`: `%name%` placeholders are filled from a value list.
    Expand,
    /// `fieldref`: the value names another field of the same event.
    FieldRef,
}

impl Modifier {
    /// Every modifier name the specification and pySigma know, with its
    /// modifier. Names are case-sensitive.
    pub const NAMES: &'static [(&'static str, Modifier)] = &[
        ("contains", Modifier::Contains),
        ("startswith", Modifier::StartsWith),
        ("endswith", Modifier::EndsWith),
        ("all", Modifier::All),
        ("exists", Modifier::Exists),
        ("cased", Modifier::Cased),
        ("neq", Modifier::Neq),
        ("windash", Modifier::Windash),
        ("re", Modifier::Re),
        ("i", Modifier::IgnoreCase),
        ("ignorecase", Modifier::IgnoreCase),
        ("m", Modifier::Multiline),
        ("multiline", Modifier::Multiline),
        ("s", Modifier::DotAll),
        ("dotall", Modifier::DotAll),
        ("base64", Modifier::Base64),
        ("base64offset", Modifier::Base64Offset),
        ("utf16le", Modifier::Utf16Le),
        ("wide", Modifier::Utf16Le),
        ("utf16be", Modifier::Utf16Be),
        ("utf16", Modifier::Utf16),
        ("lt", Modifier::Lt),
        ("lte", Modifier::Lte),
        ("gt", Modifier::Gt),
        ("gte", Modifier::Gte),
        ("minute", Modifier::Minute),
        ("hour", Modifier::Hour),
        ("day", Modifier::Day),
        ("week", Modifier::Week),
        ("month", Modifier::Month),
        ("year", Modifier::Year),
        ("cidr", Modifier::Cidr),
        ("expand", Modifier::Expand),
        ("fieldref", Modifier::FieldRef),
    ];

    /// The modifier called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Modifier> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, modifier)| *modifier)
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("?", |(n, _)| n)
    }
}

impl fmt::Display for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a string value must occur in the event value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Position {
    /// The whole value.
    Whole,
    /// Anywhere (`contains`).
    Anywhere,
    /// At the start (`startswith`).
    Start,
    /// At the end (`endswith`).
    End,
}

/// A byte encoding applied before base64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Utf16 {
    /// `utf16le` / `wide`.
    Le,
    /// `utf16be`.
    Be,
    /// `utf16`: `FF FE` then little endian.
    LeWithBom,
}

/// One step of a string value's pipeline, in written order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StringStep {
    /// `windash`.
    Windash,
    /// `utf16le`, `wide`, `utf16be`, `utf16`.
    Utf16(Utf16),
    /// `base64`.
    Base64,
    /// `base64offset`.
    Base64Offset,
    /// `contains`, `startswith`, `endswith`.
    Position(Position),
}

/// A numeric comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `lt`: event value < rule value.
    Lt,
    /// `lte`.
    Lte,
    /// `gt`.
    Gt,
    /// `gte`.
    Gte,
}

/// A part of a timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimePart {
    /// 0-59.
    Minute,
    /// 0-23.
    Hour,
    /// 1-31.
    Day,
    /// ISO 8601 week, 1-53.
    Week,
    /// 1-12.
    Month,
    /// The year.
    Year,
}

/// The flags of a `re` value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RegexFlags {
    /// `i`: case-insensitive.
    pub ignore_case: bool,
    /// `m`: `^` and `$` match at line breaks.
    pub multi_line: bool,
    /// `s`: `.` matches a newline.
    pub dot_all: bool,
}

/// What kind of comparison a chain makes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ChainKind {
    /// Compare strings (or, with no step, numbers, booleans and null as
    /// themselves). The steps run in order on each value.
    Plain(Vec<StringStep>),
    /// `re`, with its flags and an optional position modifier.
    Regex {
        /// `i`, `m`, `s`.
        flags: RegexFlags,
        /// `contains` (no change), `startswith` (anchors at the start),
        /// `endswith` (anchors at the end).
        position: Position,
    },
    /// `cidr`.
    Cidr,
    /// `lt`, `lte`, `gt`, `gte`.
    Compare(CompareOp),
    /// `minute` ... `year`.
    TimePart(TimePart),
    /// `exists`.
    Exists,
    /// `fieldref`, optionally with a position.
    FieldRef(Position),
}

/// A validated modifier chain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModifierChain {
    /// The modifiers as written, each with its span.
    pub modifiers: Vec<Spanned<Modifier>>,
    /// What the chain compares.
    pub kind: ChainKind,
    /// `all`: every value must hold.
    pub all: bool,
    /// `neq`: the item is negated as a whole (no value may hold).
    pub neq: bool,
    /// `cased`: exact-case comparison.
    pub cased: bool,
    /// `expand`: values hold `%placeholders%`.
    pub expand: bool,
}

impl ModifierChain {
    /// The chain of an item with no modifier: plain equality.
    pub fn plain() -> ModifierChain {
        ModifierChain {
            modifiers: Vec::new(),
            kind: ChainKind::Plain(Vec::new()),
            all: false,
            neq: false,
            cased: false,
            expand: false,
        }
    }

    /// Whether any modifier only makes sense on a named field.
    pub fn needs_field(&self) -> Option<&Spanned<Modifier>> {
        self.modifiers.iter().find(|m| {
            matches!(
                m.value,
                Modifier::Exists | Modifier::FieldRef | Modifier::Cidr
            ) || matches!(
                m.value,
                Modifier::Lt | Modifier::Lte | Modifier::Gt | Modifier::Gte
            ) || matches!(
                m.value,
                Modifier::Minute
                    | Modifier::Hour
                    | Modifier::Day
                    | Modifier::Week
                    | Modifier::Month
                    | Modifier::Year
            )
        })
    }
}

/// Parses and validates the modifiers of one detection item.
///
/// Every problem is reported, each at its own modifier: unknown names
/// (names are case-sensitive; there is no `not`), and modifiers that cannot
/// follow what came before (`contains|fieldref`, `windash|re`, `i` without
/// `re`, `cased` on a regex, `base64` after `contains`...).
pub fn parse_chain(names: &[Spanned<String>]) -> Result<ModifierChain, Vec<CompileError>> {
    let mut chain = ModifierChain::plain();
    let mut errors = Vec::new();
    // Whether a modifier has fixed the kind yet (a plain chain with no
    // string step is still open to `re`, `cidr`, `gt` ...).
    let mut started = false;

    for (index, name) in names.iter().enumerate() {
        let Some(modifier) = Modifier::from_name(&name.value) else {
            errors.push(unknown(name));
            continue;
        };
        chain.modifiers.push(Spanned::new(modifier, name.span));
        let first = index == 0;
        let span = name.span;
        let result = step(&mut chain, modifier, first, &mut started, span);
        if let Err(error) = result {
            errors.push(error);
        }
    }

    if chain.cased && !matches!(chain.kind, ChainKind::Plain(_) | ChainKind::FieldRef(_)) {
        if let Some(cased) = chain.modifiers.iter().find(|m| m.value == Modifier::Cased) {
            errors.push(
                CompileError::new(
                    format!("`cased` has no meaning for {}", kind_name(&chain.kind)),
                    cased.span,
                )
                .with_help("regexes are case-sensitive already; use `i` for the opposite"),
            );
        }
    }
    if chain.expand && !matches!(chain.kind, ChainKind::Plain(_) | ChainKind::Regex { .. }) {
        if let Some(expand) = chain.modifiers.iter().find(|m| m.value == Modifier::Expand) {
            let message = format!("`expand` has no meaning for {}", kind_name(&chain.kind));
            errors.push(CompileError::new(message, expand.span));
        }
    }

    if errors.is_empty() {
        Ok(chain)
    } else {
        Err(errors)
    }
}

fn unknown(name: &Spanned<String>) -> CompileError {
    let error = CompileError::new(format!("unknown modifier `{}`", name.value), name.span);
    let lower = name.value.to_lowercase();
    if name.value == "not" {
        error.with_help("negate in the condition (`selection and not filter`) or use `neq`")
    } else if let Some(modifier) = Modifier::from_name(&lower) {
        error.with_help(format!("modifiers are lower case: write `{modifier}`"))
    } else {
        error
    }
}

fn kind_name(kind: &ChainKind) -> &'static str {
    match kind {
        ChainKind::Plain(_) => "a string",
        ChainKind::Regex { .. } => "a regex (`re`)",
        ChainKind::Cidr => "a network (`cidr`)",
        ChainKind::Compare(_) => "a numeric comparison",
        ChainKind::TimePart(_) => "a timestamp part",
        ChainKind::Exists => "`exists`",
        ChainKind::FieldRef(_) => "a field reference (`fieldref`)",
    }
}

/// Applies one modifier to the chain built so far.
fn step(
    chain: &mut ModifierChain,
    modifier: Modifier,
    first: bool,
    started: &mut bool,
    span: Span,
) -> Result<(), CompileError> {
    let cannot = |kind: &ChainKind| {
        CompileError::new(
            format!("`{modifier}` cannot follow {}", kind_name(kind)),
            span,
        )
    };
    match modifier {
        Modifier::All => chain.all = true,
        Modifier::Neq => chain.neq = true,
        Modifier::Cased => chain.cased = true,
        Modifier::Expand => chain.expand = true,

        Modifier::Re | Modifier::Cidr | Modifier::Exists => {
            if !first || *started {
                return Err(CompileError::new(
                    format!("`{modifier}` must be the first modifier"),
                    span,
                ));
            }
            *started = true;
            chain.kind = match modifier {
                Modifier::Re => ChainKind::Regex {
                    flags: RegexFlags::default(),
                    position: Position::Anywhere,
                },
                Modifier::Cidr => ChainKind::Cidr,
                _ => ChainKind::Exists,
            };
        }

        Modifier::IgnoreCase | Modifier::Multiline | Modifier::DotAll => {
            let ChainKind::Regex { flags, .. } = &mut chain.kind else {
                return Err(CompileError::new(
                    format!("`{modifier}` is a flag of `re` and needs it first"),
                    span,
                )
                .with_help(
                    "plain values are case-insensitive already; `cased` does the opposite",
                ));
            };
            match modifier {
                Modifier::IgnoreCase => flags.ignore_case = true,
                Modifier::Multiline => flags.multi_line = true,
                _ => flags.dot_all = true,
            }
        }

        Modifier::Contains | Modifier::StartsWith | Modifier::EndsWith => {
            let position = match modifier {
                Modifier::Contains => Position::Anywhere,
                Modifier::StartsWith => Position::Start,
                _ => Position::End,
            };
            *started = true;
            match &mut chain.kind {
                ChainKind::Plain(steps) => steps.push(StringStep::Position(position)),
                ChainKind::Regex { position: p, .. } | ChainKind::FieldRef(p) => {
                    if *p != Position::Whole && *p != Position::Anywhere {
                        return Err(CompileError::new(
                            format!("`{modifier}` after another position modifier"),
                            span,
                        ));
                    }
                    *p = position;
                }
                other => return Err(cannot(other)),
            }
        }

        Modifier::Windash
        | Modifier::Base64
        | Modifier::Base64Offset
        | Modifier::Utf16Le
        | Modifier::Utf16Be
        | Modifier::Utf16 => {
            let step = match modifier {
                Modifier::Windash => StringStep::Windash,
                Modifier::Base64 => StringStep::Base64,
                Modifier::Base64Offset => StringStep::Base64Offset,
                Modifier::Utf16Le => StringStep::Utf16(Utf16::Le),
                Modifier::Utf16Be => StringStep::Utf16(Utf16::Be),
                _ => StringStep::Utf16(Utf16::LeWithBom),
            };
            *started = true;
            let ChainKind::Plain(steps) = &mut chain.kind else {
                return Err(cannot(&chain.kind));
            };
            // Encoding a value that already has wildcards would encode the
            // `*` itself; the specification orders encodings first.
            let encodes = step != StringStep::Windash;
            if encodes && steps.iter().any(|s| matches!(s, StringStep::Position(_))) {
                return Err(CompileError::new(
                    format!("`{modifier}` must come before contains/startswith/endswith"),
                    span,
                ));
            }
            steps.push(step);
        }

        Modifier::Lt | Modifier::Lte | Modifier::Gt | Modifier::Gte => {
            if *started {
                return Err(cannot(&chain.kind));
            }
            *started = true;
            chain.kind = ChainKind::Compare(match modifier {
                Modifier::Lt => CompareOp::Lt,
                Modifier::Lte => CompareOp::Lte,
                Modifier::Gt => CompareOp::Gt,
                _ => CompareOp::Gte,
            });
        }

        Modifier::Minute
        | Modifier::Hour
        | Modifier::Day
        | Modifier::Week
        | Modifier::Month
        | Modifier::Year => {
            if *started {
                return Err(cannot(&chain.kind));
            }
            *started = true;
            chain.kind = ChainKind::TimePart(match modifier {
                Modifier::Minute => TimePart::Minute,
                Modifier::Hour => TimePart::Hour,
                Modifier::Day => TimePart::Day,
                Modifier::Week => TimePart::Week,
                Modifier::Month => TimePart::Month,
                _ => TimePart::Year,
            });
        }

        Modifier::FieldRef => {
            if *started {
                let error = cannot(&chain.kind);
                let positioned = matches!(&chain.kind, ChainKind::Plain(s)
                    if s.iter().any(|s| matches!(s, StringStep::Position(_))));
                return Err(if positioned {
                    CompileError::new(
                        "`fieldref` must come before contains/startswith/endswith",
                        span,
                    )
                } else {
                    error
                });
            }
            *started = true;
            chain.kind = ChainKind::FieldRef(Position::Whole);
        }
    }
    Ok(())
}

/// How many alternatives one value may expand to (`windash` is 5^n,
/// `expand` multiplies lists); beyond this the rule is refused rather than
/// compiled into something huge.
pub const MAX_ALTERNATIVES: usize = 4096;

/// The dashes `windash` puts in place of a flag's leading `-` or `/`.
pub const WINDASH_CHARS: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

impl ModifierChain {
    /// What an event value is compared with for one rule value.
    ///
    /// `placeholders` fills `%name%` under `expand`. Errors are located at
    /// the value: a type the chain cannot take, an invalid network or
    /// regex, an undefined placeholder.
    pub fn apply(
        &self,
        value: &RuleValue,
        placeholders: &dyn Fn(&str) -> Option<Vec<String>>,
    ) -> Result<Operation, CompileError> {
        let span = value.span;
        let case = if self.cased {
            Case::Sensitive
        } else {
            Case::Insensitive
        };
        let wrong_type = |wanted: &str| {
            CompileError::new(
                format!(
                    "{} needs {wanted}, found {}",
                    self.describe(),
                    describe_value(value)
                ),
                span,
            )
        };

        match &self.kind {
            ChainKind::Plain(steps) => match &value.kind {
                ValueKind::Str(text) => {
                    let texts = if self.expand {
                        expand_placeholders(text, placeholders, span, false)?
                    } else {
                        vec![text.clone()]
                    };
                    let mut patterns = Vec::new();
                    for text in texts {
                        run_steps(SigmaString::parse(&text), steps, span, &mut patterns)?;
                    }
                    Ok(Operation::Match { patterns, case })
                }
                _ if !steps.is_empty() || self.expand => {
                    Err(wrong_type("a string").with_help("quote the value to compare its text"))
                }
                ValueKind::Number(text) => {
                    Number::parse(text).map(Operation::Number).ok_or_else(|| {
                        CompileError::new(format!("`{text}` is not a finite number"), span)
                    })
                }
                ValueKind::Bool(b) => Ok(Operation::Bool(*b)),
                ValueKind::Null => Ok(Operation::Null),
            },
            ChainKind::Regex { flags, position } => {
                let ValueKind::Str(text) = &value.kind else {
                    return Err(wrong_type("a string"));
                };
                let texts = if self.expand {
                    expand_placeholders(text, placeholders, span, true)?
                } else {
                    vec![text.clone()]
                };
                let patterns = texts
                    .into_iter()
                    .map(|t| match position {
                        Position::Start => format!("^(?:{t})"),
                        Position::End => format!("(?:{t})$"),
                        Position::Whole | Position::Anywhere => t,
                    })
                    .collect();
                Ok(Operation::Regex {
                    patterns,
                    flags: *flags,
                })
            }
            ChainKind::Cidr => {
                let ValueKind::Str(text) = &value.kind else {
                    return Err(wrong_type("a network such as `10.0.0.0/8`"));
                };
                parse_cidr(text)
                    .map(Operation::Cidr)
                    .map_err(|m| CompileError::new(m, span))
            }
            ChainKind::Compare(op) => {
                let ValueKind::Number(text) = &value.kind else {
                    return Err(wrong_type("an unquoted number"));
                };
                let number = Number::parse(text).ok_or_else(|| {
                    CompileError::new(format!("`{text}` is not a finite number"), span)
                })?;
                Ok(Operation::Compare {
                    op: *op,
                    value: number,
                })
            }
            ChainKind::TimePart(part) => {
                let ValueKind::Number(text) = &value.kind else {
                    return Err(wrong_type("an unquoted integer"));
                };
                let parsed = text
                    .parse::<i64>()
                    .map_err(|_| CompileError::new(format!("`{text}` is not an integer"), span))?;
                Ok(Operation::TimePart {
                    part: *part,
                    value: parsed,
                })
            }
            ChainKind::Exists => match value.kind {
                ValueKind::Bool(b) => Ok(Operation::Exists(b)),
                _ => Err(wrong_type("`true` or `false`")),
            },
            ChainKind::FieldRef(position) => {
                let ValueKind::Str(text) = &value.kind else {
                    return Err(wrong_type("a field name"));
                };
                if SigmaString::parse(text).has_wildcards() {
                    return Err(CompileError::new(
                        format!("field reference `{text}` must not contain wildcards"),
                        span,
                    ));
                }
                Ok(Operation::FieldRef {
                    field: text.clone(),
                    position: *position,
                    case,
                })
            }
        }
    }

    fn describe(&self) -> String {
        match self.modifiers.last() {
            Some(last) => format!("`{}`", last.value),
            None => "the value".into(),
        }
    }
}

fn describe_value(value: &RuleValue) -> String {
    match &value.kind {
        ValueKind::Str(s) => format!("the string `{s}`"),
        ValueKind::Number(n) => format!("the number `{n}`"),
        ValueKind::Bool(b) => format!("the boolean `{b}`"),
        ValueKind::Null => "null".into(),
    }
}

/// A value on its way through the string steps.
enum Stage {
    Text(SigmaString),
    Bytes(Vec<u8>),
}

fn run_steps(
    start: SigmaString,
    steps: &[StringStep],
    span: Span,
    out: &mut Vec<SigmaString>,
) -> Result<(), CompileError> {
    let mut stages = vec![Stage::Text(start)];
    for step in steps {
        let mut next = Vec::with_capacity(stages.len());
        for stage in stages {
            apply_step(stage, *step, span, &mut next)?;
            if next.len() > MAX_ALTERNATIVES {
                return Err(too_many(span));
            }
        }
        stages = next;
    }
    for stage in stages {
        out.push(match stage {
            Stage::Text(text) => text,
            Stage::Bytes(bytes) => match String::from_utf8(bytes) {
                Ok(text) => SigmaString::literal(&text),
                Err(_) => {
                    return Err(CompileError::new(
                        "the UTF-16 bytes of this value are not text; follow `wide`/`utf16*` \
                         with `base64` or `base64offset`",
                        span,
                    ))
                }
            },
        });
        if out.len() > MAX_ALTERNATIVES {
            return Err(too_many(span));
        }
    }
    Ok(())
}

fn too_many(span: Span) -> CompileError {
    CompileError::new(
        format!("this value expands to more than {MAX_ALTERNATIVES} alternatives"),
        span,
    )
}

fn apply_step(
    stage: Stage,
    step: StringStep,
    span: Span,
    out: &mut Vec<Stage>,
) -> Result<(), CompileError> {
    let no_wildcards = |what: &str| {
        CompileError::new(
            format!("`{what}` cannot encode a value with wildcards"),
            span,
        )
        .with_help("escape a literal `*` or `?` as `\\*` or `\\?`")
    };
    match (step, stage) {
        (StringStep::Position(position), Stage::Text(text)) => {
            out.push(Stage::Text(match position {
                Position::Anywhere => text.contains(),
                Position::Start => text.startswith(),
                Position::End => text.endswith(),
                Position::Whole => text,
            }))
        }
        (StringStep::Position(position), Stage::Bytes(bytes)) => {
            // Only reachable as `wide|contains` without base64; keep the
            // bytes as text if they are, else report it like the end does.
            let text = String::from_utf8(bytes).map_err(|_| {
                CompileError::new("the UTF-16 bytes of this value are not text", span)
            })?;
            apply_step(
                Stage::Text(SigmaString::literal(&text)),
                StringStep::Position(position),
                span,
                out,
            )?;
        }
        (StringStep::Windash, Stage::Text(text)) => {
            for variant in windash(&text, span)? {
                out.push(Stage::Text(variant));
            }
        }
        (StringStep::Windash, Stage::Bytes(bytes)) => out.push(Stage::Bytes(bytes)),
        (StringStep::Utf16(kind), stage) => {
            let text = match stage {
                Stage::Text(text) => text
                    .as_literal()
                    .ok_or_else(|| no_wildcards("utf16"))?
                    .to_owned(),
                Stage::Bytes(bytes) => String::from_utf8(bytes).map_err(|_| {
                    CompileError::new("cannot re-encode bytes that are not text", span)
                })?,
            };
            out.push(Stage::Bytes(utf16(&text, kind)));
        }
        (StringStep::Base64 | StringStep::Base64Offset, stage) => {
            let bytes = match stage {
                Stage::Text(text) => text
                    .as_literal()
                    .ok_or_else(|| no_wildcards("base64"))?
                    .as_bytes()
                    .to_vec(),
                Stage::Bytes(bytes) => bytes,
            };
            if step == StringStep::Base64 {
                let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
                out.push(Stage::Text(SigmaString::literal(&encoded)));
            } else {
                for fragment in base64_offsets(&bytes) {
                    out.push(Stage::Text(SigmaString::literal(&fragment)));
                }
            }
        }
    }
    Ok(())
}

/// UTF-16 bytes of `text`.
pub fn utf16(text: &str, kind: Utf16) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len() * 2 + 2);
    if kind == Utf16::LeWithBom {
        bytes.extend([0xFF, 0xFE]);
    }
    for unit in text.encode_utf16() {
        match kind {
            Utf16::Be => bytes.extend(unit.to_be_bytes()),
            Utf16::Le | Utf16::LeWithBom => bytes.extend(unit.to_le_bytes()),
        }
    }
    bytes
}

/// The three base64 fragments that `bytes` produce wherever they sit in a
/// longer input: encode with 0, 1 or 2 bytes before, drop the characters
/// that depend on those bytes, and cut the ones that depend on what
/// follows. Counts bytes, not characters (pySigma counts characters, which
/// is wrong for non-ASCII text).
pub fn base64_offsets(bytes: &[u8]) -> Vec<String> {
    let engine = base64::engine::general_purpose::STANDARD;
    let mut out = Vec::with_capacity(3);
    for shift in 0..3usize {
        let mut input = vec![0u8; shift];
        input.extend_from_slice(bytes);
        let encoded = engine.encode(&input);
        let skip = [0, 2, 3][shift];
        let cut = [0, 3, 2][(bytes.len() + shift) % 3];
        let end = encoded.len().saturating_sub(cut);
        out.push(encoded.get(skip..end).unwrap_or_default().to_owned());
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every variant of `text` with each flag-leading `-` or `/` replaced by
/// each of [`WINDASH_CHARS`]. A dash leads a flag when what precedes it is
/// not a word character (or nothing) and a word character follows (regex
/// `\B[-/]\b`); wildcards count as non-word.
pub fn windash(text: &SigmaString, span: Span) -> Result<Vec<SigmaString>, CompileError> {
    enum Cell {
        Char(char),
        Wild(Part),
    }
    let mut cells = Vec::new();
    for part in text.parts() {
        match part {
            Part::Literal(lit) => cells.extend(lit.chars().map(Cell::Char)),
            other => cells.push(Cell::Wild(other.clone())),
        }
    }
    let char_at = |i: usize| match cells.get(i) {
        Some(Cell::Char(c)) => Some(*c),
        _ => None,
    };
    let mut slots = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let Cell::Char('-' | '/') = cell else {
            continue;
        };
        let before_ok = i == 0 || !char_at(i - 1).is_some_and(is_word);
        let after_ok = char_at(i + 1).is_some_and(is_word);
        if before_ok && after_ok {
            slots.push(i);
        }
    }
    let count = WINDASH_CHARS.len().checked_pow(slots.len() as u32);
    if count.is_none_or(|c| c > MAX_ALTERNATIVES) {
        return Err(too_many(span));
    }

    let mut variants = Vec::new();
    let total = count.unwrap_or(1);
    for mut combination in 0..total {
        let mut parts = Vec::with_capacity(cells.len());
        let mut slot = slots.iter().peekable();
        for (i, cell) in cells.iter().enumerate() {
            match cell {
                Cell::Wild(part) => parts.push(part.clone()),
                Cell::Char(c) => {
                    let c = if slot.peek() == Some(&&i) {
                        slot.next();
                        let dash = WINDASH_CHARS[combination % WINDASH_CHARS.len()];
                        combination /= WINDASH_CHARS.len();
                        dash
                    } else {
                        *c
                    };
                    parts.push(Part::Literal(c.to_string()));
                }
            }
        }
        variants.push(SigmaString::from_parts(parts));
    }
    Ok(variants)
}

/// Splits `%name%` placeholders out of `text` and fills each from
/// `placeholders`, giving every combination. `\%` is a literal percent.
/// For a regex the filled values are escaped, so they match as text.
fn expand_placeholders(
    text: &str,
    placeholders: &dyn Fn(&str) -> Option<Vec<String>>,
    span: Span,
    regex: bool,
) -> Result<Vec<String>, CompileError> {
    let mut results = vec![String::new()];
    let mut rest = text;
    while !rest.is_empty() {
        let next_percent = rest.find('%');
        let Some(at) = next_percent else {
            results.iter_mut().for_each(|r| r.push_str(rest));
            break;
        };
        let (before, after) = rest.split_at(at);
        if let Some(literal) = before.strip_suffix('\\') {
            results.iter_mut().for_each(|r| {
                r.push_str(literal);
                r.push('%');
            });
            rest = &after[1..];
            continue;
        }
        results.iter_mut().for_each(|r| r.push_str(before));
        let body = &after[1..];
        let Some(close) = body.find('%').filter(|&c| c > 0) else {
            results.iter_mut().for_each(|r| r.push('%'));
            rest = body;
            continue;
        };
        let name = &body[..close];
        let Some(values) = placeholders(name) else {
            return Err(CompileError::missing_placeholder(name, span)
                .with_help("give its values in the placeholder table, or drop `expand`"));
        };
        let mut next = Vec::with_capacity(results.len() * values.len());
        for result in &results {
            for value in &values {
                let value = if regex {
                    regex::escape(value)
                } else {
                    value.clone()
                };
                next.push(format!("{result}{value}"));
            }
        }
        if next.len() > MAX_ALTERNATIVES {
            return Err(too_many(span));
        }
        results = next;
        rest = &body[close + 1..];
    }
    Ok(results)
}

/// Parses a network strictly: host bits must be zero; a bare address is a
/// /32 or /128 network.
pub fn parse_cidr(text: &str) -> Result<ipnet::IpNet, String> {
    let trimmed = text.trim();
    if let Ok(address) = trimmed.parse::<std::net::IpAddr>() {
        return Ok(ipnet::IpNet::from(address));
    }
    let network: ipnet::IpNet = trimmed
        .parse()
        .map_err(|_| format!("`{text}` is not an IPv4 or IPv6 network"))?;
    if network.trunc() != network {
        return Err(format!(
            "`{text}` has host bits set; write `{}`",
            network.trunc()
        ));
    }
    Ok(network)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<Spanned<String>> {
        let mut at = 0;
        list.iter()
            .map(|n| {
                let span = Span {
                    start: at,
                    end: at + n.len(),
                    ..Span::default()
                };
                at += n.len() + 1;
                Spanned::new((*n).to_owned(), span)
            })
            .collect()
    }

    fn error(list: &[&str]) -> CompileError {
        parse_chain(&names(list)).unwrap_err().remove(0)
    }

    #[test]
    fn valid_chains() {
        let chain = parse_chain(&names(&["contains", "all"])).unwrap();
        assert!(chain.all);
        assert_eq!(
            chain.kind,
            ChainKind::Plain(vec![StringStep::Position(Position::Anywhere)])
        );
        let chain = parse_chain(&names(&["re", "i", "s"])).unwrap();
        assert!(matches!(
            chain.kind,
            ChainKind::Regex {
                flags: RegexFlags {
                    ignore_case: true,
                    dot_all: true,
                    multi_line: false
                },
                ..
            }
        ));
        let chain = parse_chain(&names(&["wide", "base64offset", "contains"])).unwrap();
        assert_eq!(
            chain.kind,
            ChainKind::Plain(vec![
                StringStep::Utf16(Utf16::Le),
                StringStep::Base64Offset,
                StringStep::Position(Position::Anywhere)
            ])
        );
        let chain = parse_chain(&names(&["fieldref", "endswith"])).unwrap();
        assert_eq!(chain.kind, ChainKind::FieldRef(Position::End));
        assert!(parse_chain(&names(&["contains", "cased"])).unwrap().cased);
    }

    #[test]
    fn invalid_chains_point_at_the_modifier() {
        let e = error(&["contains", "not"]);
        assert_eq!(e.message, "unknown modifier `not`");
        assert_eq!(e.span.start, 9);
        assert!(error(&["Contains"]).help.unwrap().contains("`contains`"));
        let e = error(&["contains", "i"]);
        assert_eq!(e.span.start, 9);
        assert!(e.message.contains("flag of `re`"));
        let e = error(&["contains", "fieldref"]);
        assert!(e.message.contains("before contains"), "{}", e.message);
        assert!(error(&["windash", "re"]).message.contains("first"));
        assert!(error(&["re", "cased"]).message.contains("cased"));
        assert!(error(&["contains", "base64"]).message.contains("before"));
        assert!(error(&["gt", "contains"]).message.contains("cannot follow"));
        assert!(error(&["exists", "contains"])
            .message
            .contains("cannot follow"));
    }

    #[test]
    fn worked_values_of_the_reference() {
        // lint-checks.md section 1b, "Worked values".
        assert_eq!(base64_offsets(b"ab"), ["YW", "Fi", "hY"]);
        assert_eq!(
            base64_offsets(b"http://"),
            ["aHR0cDovL", "h0dHA6Ly", "odHRwOi8v"]
        );
        let wide = utf16("ping", Utf16::Le);
        assert_eq!(
            base64_offsets(&wide),
            ["cABpAG4AZw", "AAaQBuAGcA", "wAGkAbgBnA"]
        );
        assert_eq!(utf16("cmd", Utf16::Be), [0, 0x63, 0, 0x6d, 0, 0x64]);
        assert_eq!(utf16("c", Utf16::LeWithBom), [0xFF, 0xFE, 0x63, 0]);

        let texts = |s: &str| -> Vec<String> {
            windash(&SigmaString::parse(s), Span::default())
                .unwrap()
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(
            texts("/c"),
            ["-c", "/c", "\u{2013}c", "\u{2014}c", "\u{2015}c"]
        );
        assert_eq!(texts("a -b -c").len(), 25);
        assert_eq!(texts("ab"), ["ab"]);
        assert_eq!(texts(" -foo-bar").len(), 5);
        assert_eq!(texts("--x").len(), 5);

        assert!(parse_cidr("10.0.0.1/8").unwrap_err().contains("host bits"));
        assert_eq!(parse_cidr("10.0.0.1").unwrap().to_string(), "10.0.0.1/32");
        assert!(parse_cidr("51.103.0.0/16.").is_err());
    }

    #[test]
    fn placeholders_expand_to_every_combination() {
        let table = |name: &str| match name {
            "a" => Some(vec!["x".to_owned(), "y".to_owned()]),
            "b" => Some(vec!["1".to_owned()]),
            _ => None,
        };
        let out = expand_placeholders(r"\%plain%a%-%b%", &table, Span::default(), false).unwrap();
        assert_eq!(out, ["%plainx-1", "%plainy-1"]);
        let e = expand_placeholders("%Administrators%", &table, Span::default(), false);
        assert!(e.unwrap_err().message.contains("%Administrators%"));
        assert_eq!(
            expand_placeholders("50%", &table, Span::default(), false).unwrap(),
            ["50%"]
        );
    }
}
