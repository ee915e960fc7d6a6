//! Date parsing shared by the date checks.

use chrono::NaiveDate;
use sigma_core::span::Spanned;

/// `YYYY-MM-DD` with a real calendar day; anything else is `None`.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes.get(4) == Some(&b'-')
        && bytes.get(7) == Some(&b'-')
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// A header date that parses, with its span.
pub(crate) fn valid(date: Option<&Spanned<String>>) -> Option<(NaiveDate, &Spanned<String>)> {
    let date = date?;
    parse_date(&date.value).map(|d| (d, date))
}
