//! Parts of a timestamp, for the `minute` ... `year` modifiers.
//!
//! The parts are read as written, with no time-zone conversion (the
//! specification asks for none): `2024-05-01T23:30:00+02:00` has hour 23.
//! Accepted: `YYYY-MM-DD`, optionally followed by `T` or a space and
//! `HH:MM[:SS[.fraction]]` and anything after (zone, offset).

use crate::modifier::TimePart;

/// The `part` of the timestamp `text`, if `text` is one.
pub fn time_part(text: &str, part: TimePart) -> Option<i64> {
    let bytes = text.trim().as_bytes();
    let number = |from: usize, len: usize| -> Option<i64> {
        let digits = bytes.get(from..from + len)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    let year = number(0, 4)?;
    let month = number(5, 2)?;
    let day = number(8, 2)?;
    if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    let time = match bytes.get(10) {
        None => None,
        Some(b'T' | b't' | b' ') => {
            let hour = number(11, 2)?;
            let minute = number(14, 2)?;
            if bytes.get(13) != Some(&b':') || hour > 23 || minute > 59 {
                return None;
            }
            Some((hour, minute))
        }
        Some(_) => return None,
    };
    match part {
        TimePart::Year => Some(year),
        TimePart::Month => Some(month),
        TimePart::Day => Some(day),
        TimePart::Week => Some(iso_week(year, month, day)),
        TimePart::Hour => time.map(|(h, _)| h),
        TimePart::Minute => time.map(|(_, m)| m),
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn day_of_year(year: i64, month: i64, day: i64) -> i64 {
    (1..month).map(|m| days_in_month(year, m)).sum::<i64>() + day
}

/// 1 = Monday ... 7 = Sunday (Sakamoto's method).
fn weekday(year: i64, month: i64, day: i64) -> i64 {
    const OFFSETS: [i64; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if month < 3 { year - 1 } else { year };
    let index = usize::try_from(month - 1).unwrap_or(0).min(11);
    let sunday_based = (y + y / 4 - y / 100 + y / 400 + OFFSETS[index] + day).rem_euclid(7);
    if sunday_based == 0 {
        7
    } else {
        sunday_based
    }
}

fn weeks_in_year(year: i64) -> i64 {
    // A year has 53 ISO weeks when it starts on a Thursday, or on a
    // Wednesday in a leap year.
    let jan1 = weekday(year, 1, 1);
    if jan1 == 4 || (jan1 == 3 && is_leap(year)) {
        53
    } else {
        52
    }
}

fn iso_week(year: i64, month: i64, day: i64) -> i64 {
    let week = (day_of_year(year, month, day) - weekday(year, month, day) + 10) / 7;
    if week < 1 {
        weeks_in_year(year - 1)
    } else if week > weeks_in_year(year) {
        1
    } else {
        week
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_read_as_written() {
        let t = "2024-05-01T23:30:59.123+02:00";
        assert_eq!(time_part(t, TimePart::Year), Some(2024));
        assert_eq!(time_part(t, TimePart::Month), Some(5));
        assert_eq!(time_part(t, TimePart::Day), Some(1));
        assert_eq!(time_part(t, TimePart::Hour), Some(23));
        assert_eq!(time_part(t, TimePart::Minute), Some(30));
        assert_eq!(time_part("2024-05-01 07:05:00", TimePart::Hour), Some(7));
        assert_eq!(time_part("2024-05-01", TimePart::Hour), None);
        assert_eq!(time_part("2024-02-30", TimePart::Day), None);
        assert_eq!(time_part("yesterday", TimePart::Year), None);
    }

    #[test]
    fn iso_weeks() {
        assert_eq!(time_part("2024-01-01", TimePart::Week), Some(1));
        assert_eq!(time_part("2021-01-03", TimePart::Week), Some(53));
        assert_eq!(time_part("2020-12-31", TimePart::Week), Some(53));
        assert_eq!(time_part("2019-12-30", TimePart::Week), Some(1));
        assert_eq!(time_part("2024-05-01", TimePart::Week), Some(18));
    }
}
