//! A plain evaluator that interprets a [`Rule`] directly, for checking the
//! compiled matcher (property tests, fuzzing), never for speed.
//!
//! It walks the condition and the detection as written, folds both sides
//! of every comparison afresh, matches wildcards with a character-level
//! dynamic program and compiles each regex when it meets it. It shares with
//! the matcher only the pieces that define the semantics rather than
//! implement a speed-up: modifier-chain parsing and value expansion
//! ([`ModifierChain::apply`]), the Sigma string syntax, case folding,
//! the regex engines, number and timestamp parsing, and field lookup.

use serde_json::Value;

use crate::condition::{self, ConditionExpr, Quantifier};
use crate::event::{Event, MAX_DEPTH};
use crate::matcher::ir::{self, Case, NumberValue, Operation, Position};
use crate::matcher::regex::SigmaRegex;
use crate::matcher::time::time_part;
use crate::matcher::CompileOptions;
use crate::modifier::{parse_chain, ChainKind, CompareOp, ModifierChain, StringStep};
use crate::rule::{DetectionBody, DetectionItem, Rule, RuleValue, ValueKind};
use crate::value::fold;

/// Whether `event` matches `rule`; the error is the first problem met (a
/// rule that does not compile, or an evaluation that could not finish).
pub fn evaluate(rule: &Rule, options: &CompileOptions, event: &Event) -> Result<bool, String> {
    let detection = &rule.detection;
    if detection.conditions.is_empty() {
        return Err("the rule has no condition".into());
    }
    let cx = Context {
        rule,
        options,
        event,
    };
    let mut verdict = false;
    for text in &detection.conditions {
        let expr = condition::parse(&text.value).map_err(|e| e.message)?;
        verdict |= cx.condition(&expr)?;
    }
    Ok(verdict)
}

struct Context<'a> {
    rule: &'a Rule,
    options: &'a CompileOptions,
    event: &'a Event,
}

impl Context<'_> {
    fn condition(&self, expr: &ConditionExpr) -> Result<bool, String> {
        match expr {
            ConditionExpr::And(items) => {
                let mut all = true;
                for item in items {
                    all &= self.condition(item)?;
                }
                Ok(all)
            }
            ConditionExpr::Or(items) => {
                let mut any = false;
                for item in items {
                    any |= self.condition(item)?;
                }
                Ok(any)
            }
            ConditionExpr::Not(inner, _) => Ok(!self.condition(inner)?),
            ConditionExpr::Identifier(name, _) => {
                let identifier = self
                    .rule
                    .detection
                    .identifier(name)
                    .ok_or_else(|| format!("`{name}` is not defined"))?;
                self.body(&identifier.body)
            }
            ConditionExpr::Selector {
                quantifier,
                pattern,
                ..
            } => {
                let mut verdicts = Vec::new();
                for identifier in &self.rule.detection.identifiers {
                    if pattern.matches(&identifier.name.value) {
                        verdicts.push(self.body(&identifier.body)?);
                    }
                }
                if verdicts.is_empty() {
                    return Err(format!("`{pattern}` matches no search identifier"));
                }
                Ok(match quantifier {
                    Quantifier::One => verdicts.contains(&true),
                    Quantifier::All => !verdicts.contains(&false),
                })
            }
        }
    }

    fn body(&self, body: &DetectionBody) -> Result<bool, String> {
        match body {
            DetectionBody::Map { items, .. } => {
                let mut all = true;
                for item in items {
                    all &= self.item(item)?;
                }
                Ok(all)
            }
            DetectionBody::List { elements, .. } => {
                let mut any = false;
                for element in elements {
                    any |= self.body(element)?;
                }
                Ok(any)
            }
            DetectionBody::Keyword(value) => self.keyword(&ModifierChain::plain(), value),
            DetectionBody::Invalid(_) => Err("an invalid search identifier".into()),
        }
    }

    fn item(&self, item: &DetectionItem) -> Result<bool, String> {
        let chain = parse_chain(&item.modifiers).map_err(|e| first_message(&e))?;
        if item.values.is_empty() {
            let field = item.field.as_ref().ok_or("an empty keyword list")?;
            if !item.is_list {
                return Err("an item with no value".into());
            }
            return Ok(matches!(self.field(&field.value), None | Some(Value::Null)));
        }

        let mut verdicts = Vec::with_capacity(item.values.len());
        for value in &item.values {
            verdicts.push(match &item.field {
                Some(field) => {
                    let operation = self.operation(&chain, value)?;
                    self.field_test(&field.value, &operation)?
                }
                None => {
                    if let Some(modifier) = chain.needs_field() {
                        return Err(format!("`{}` needs a field", modifier.value));
                    }
                    self.keyword(&chain, value)?
                }
            });
        }
        let combined = if chain.all {
            !verdicts.contains(&false)
        } else {
            verdicts.contains(&true)
        };
        Ok(combined != chain.neq)
    }

    fn operation(&self, chain: &ModifierChain, value: &RuleValue) -> Result<Operation, String> {
        let placeholders = |name: &str| self.options.placeholders.get(name).cloned();
        chain.apply(value, &placeholders).map_err(|e| e.message)
    }

    fn field(&self, name: &str) -> Option<&Value> {
        let mapped = self
            .options
            .field_map
            .get(name)
            .map_or(name, String::as_str);
        self.event.get(mapped)
    }

    /// A keyword searches every value; without a position modifier it is
    /// a substring search.
    fn keyword(&self, chain: &ModifierChain, value: &RuleValue) -> Result<bool, String> {
        let mut chain = chain.clone();
        if let ChainKind::Plain(steps) = &mut chain.kind {
            if !steps.iter().any(|s| matches!(s, StringStep::Position(_))) {
                steps.push(StringStep::Position(Position::Anywhere));
            }
        }
        let as_text = RuleValue {
            kind: match &value.kind {
                ValueKind::Number(_) | ValueKind::Bool(_) => ValueKind::Str(value.text().into()),
                other => other.clone(),
            },
            span: value.span,
        };
        let operation = self.operation(&chain, &as_text)?;
        let mut leaves = Vec::new();
        collect_leaves(self.event.value(), 0, &mut leaves);
        let mut found = false;
        for leaf in leaves {
            found |= self.scalar(leaf, &operation)?;
        }
        Ok(found)
    }

    fn field_test(&self, name: &str, operation: &Operation) -> Result<bool, String> {
        let value = self.field(name);
        match operation {
            Operation::Null => return Ok(matches!(value, None | Some(Value::Null))),
            Operation::Exists(wanted) => return Ok(value.is_some() == *wanted),
            _ => {}
        }
        let Some(value) = value else {
            return Ok(false);
        };
        let mut members = Vec::new();
        flatten(value, 0, &mut members);
        let mut found = false;
        for member in members {
            found |= self.scalar(member, operation)?;
        }
        Ok(found)
    }

    fn scalar(&self, value: &Value, operation: &Operation) -> Result<bool, String> {
        Ok(match operation {
            Operation::Match { patterns, case } => match text_of(value) {
                None => false,
                Some(text) => patterns.iter().any(|p| match case {
                    Case::Insensitive => p.folded().matches_slowly(&fold(&text)),
                    Case::Sensitive => p.matches_slowly(&text),
                }),
            },
            Operation::Number(number) => number_of(value).is_some_and(|n| number.equals(&n)),
            Operation::Bool(wanted) => match value {
                Value::Bool(b) => b == wanted,
                Value::String(s) => s.to_lowercase() == wanted.to_string(),
                _ => false,
            },
            Operation::Null => value.is_null(),
            Operation::Exists(wanted) => *wanted,
            Operation::Regex { patterns, flags } => {
                let Some(text) = text_of(value) else {
                    return Ok(false);
                };
                let mut found = false;
                for pattern in patterns {
                    found |= SigmaRegex::compile(pattern, *flags)?.is_match(&text)?;
                }
                found
            }
            Operation::Cidr(network) => match value {
                Value::String(s) => s
                    .trim()
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| network.contains(&ip)),
                _ => false,
            },
            Operation::Compare { op, value: wanted } => {
                number_of(value).is_some_and(|n| match ir::number_cmp(&n, &wanted.value) {
                    None => false,
                    Some(order) => match op {
                        CompareOp::Lt => order.is_lt(),
                        CompareOp::Lte => order.is_le(),
                        CompareOp::Gt => order.is_gt(),
                        CompareOp::Gte => order.is_ge(),
                    },
                })
            }
            Operation::TimePart {
                part,
                value: wanted,
            } => match value {
                Value::String(s) => time_part(s, *part) == Some(*wanted),
                _ => false,
            },
            Operation::FieldRef {
                field,
                position,
                case,
            } => {
                let Some(mine) = text_of(value) else {
                    return Ok(false);
                };
                let Some(other) = self.event.get(field) else {
                    return Ok(false);
                };
                let mut theirs = Vec::new();
                flatten(other, 0, &mut theirs);
                let norm = |s: String| match case {
                    Case::Insensitive => fold(&s).into_owned(),
                    Case::Sensitive => s,
                };
                let mine = norm(mine);
                theirs
                    .into_iter()
                    .filter_map(text_of)
                    .map(norm)
                    .any(|t| match position {
                        Position::Whole => mine == t,
                        Position::Anywhere => mine.contains(&t),
                        Position::Start => mine.starts_with(&t),
                        Position::End => mine.ends_with(&t),
                    })
            }
        })
    }
}

fn first_message(errors: &[crate::matcher::CompileError]) -> String {
    errors
        .first()
        .map_or_else(|| "invalid modifiers".into(), |e| e.message.clone())
}

/// The text form of a scalar: the string, the number in decimal,
/// `true`/`false`; nothing for null, arrays and objects.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

fn number_of(value: &Value) -> Option<NumberValue> {
    match value {
        Value::Number(n) => match n.as_i64() {
            Some(i) => Some(NumberValue::Int(i)),
            None => n.as_f64().map(NumberValue::Float),
        },
        Value::String(s) => ir::parse_number(s, false),
        _ => None,
    }
}

/// A field value's members: itself, or every member of an array (nested
/// arrays included).
fn flatten<'v>(value: &'v Value, depth: usize, out: &mut Vec<&'v Value>) {
    match value {
        Value::Array(items) if depth < MAX_DEPTH => {
            items.iter().for_each(|v| flatten(v, depth + 1, out))
        }
        other => out.push(other),
    }
}

/// Every string, number and boolean of the event, at any depth.
fn collect_leaves<'v>(value: &'v Value, depth: usize, out: &mut Vec<&'v Value>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => map.values().for_each(|v| collect_leaves(v, depth + 1, out)),
        Value::Array(items) => items.iter().for_each(|v| collect_leaves(v, depth + 1, out)),
        Value::Null => {}
        other => out.push(other),
    }
}
