//! Observed caseload: real counts of people on probation in an area on a
//! date (parliamentary written answers, FOI answers, local needs
//! assessments), which the modelled caseload is checked against.
//!
//! A count is compared with the model only after two explicit adjustments,
//! never by tuning: the national total moves to the count's date (the
//! England-and-Wales series, interpolated between published quarters), and
//! the count's definition is matched (a count by home address leaves out
//! people with no fixed abode). Counts of other definitions are listed but
//! not compared.

use crate::error::{ErrorKind, Result};
use crate::gss;
use crate::input::{Record, Seen, Table};
use serde::Serialize;
use std::fmt;

/// A calendar date, read strictly from YYYY-MM-DD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD`, refusing impossible dates (30 February, month 13).
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        let valid = (1..=12).contains(&date.month)
            && (1..=days_in_month(date.year, date.month)).contains(&date.day);
        valid.then_some(date)
    }

    /// Days since 1970-01-01 (for interpolating between dates).
    pub fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A date column of a record.
pub fn date(r: &Record, column: &str) -> Result<Date> {
    let text = r.text(column)?;
    Date::parse(text).ok_or_else(|| {
        r.error(format!("{column} '{text}' is not a date"))
            .kind(ErrorKind::Value)
            .hint("write dates as YYYY-MM-DD, e.g. 2024-06-30")
    })
}

/// The geographies an observed count can be given at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObservedLevel {
    Country,
    ProbationRegion,
    Pfa,
    Lad,
    Ctyua,
    Sicbl,
    Icb,
    Ccg,
    /// Westminster parliamentary constituency (July 2024).
    Pcon,
}

impl ObservedLevel {
    const NAMES: [(&'static str, ObservedLevel); 9] = [
        ("country", ObservedLevel::Country),
        ("probation_region", ObservedLevel::ProbationRegion),
        ("pfa", ObservedLevel::Pfa),
        ("lad", ObservedLevel::Lad),
        ("ctyua", ObservedLevel::Ctyua),
        ("sicbl", ObservedLevel::Sicbl),
        ("icb", ObservedLevel::Icb),
        ("ccg", ObservedLevel::Ccg),
        ("pcon", ObservedLevel::Pcon),
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, l)| *l == self)
            .map_or("", |(n, _)| n)
    }
}

/// What a count counts, and how it is matched to the model's caseload (all
/// people under probation supervision, wherever recorded, in England).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Definition {
    /// Everyone under supervision with a recorded home address in the area:
    /// people with no fixed abode or no recorded postcode are not counted.
    HomeAddress,
    /// Anything else: listed, not compared.
    NotComparable(&'static str),
}

/// The share of the national caseload with no fixed abode or no recorded
/// postcode over July 2023 to June 2024: 12% to 14% (the Ministry of
/// Justice's written answer on Sherwood Forest, datasets/caseload_observed.csv);
/// the middle of the range.
pub const NO_FIXED_ABODE: f64 = 0.13;

impl Definition {
    pub fn of(name: &str) -> Definition {
        match name {
            "all_supervised_home_address" => Definition::HomeAddress,
            "community_managing_area" | "pre_release_custody_managing_area" => {
                Definition::NotComparable(
                    "a part of the caseload counted by the managing probation area, not everyone supervised by home address",
                )
            }
            "historic_all_supervision_managing_area" => Definition::NotComparable(
                "counted by the managing probation area under a former definition (including civil supervision), decades before the model's date",
            ),
            _ => Definition::NotComparable(
                "a definition the tool does not know how to match to the modelled caseload",
            ),
        }
    }

    /// The factor that turns the model's caseload into what the count counts.
    pub fn factor(self) -> Option<f64> {
        match self {
            Definition::HomeAddress => Some(1.0 - NO_FIXED_ABODE),
            Definition::NotComparable(_) => None,
        }
    }

    /// The adjustment in words.
    pub fn describe(self) -> String {
        match self {
            Definition::HomeAddress => format!(
                "counts by home address leave out the {:.0}% of the caseload with no fixed abode or no recorded postcode: the model's caseload x {:.2}",
                100.0 * NO_FIXED_ABODE,
                1.0 - NO_FIXED_ABODE
            ),
            Definition::NotComparable(why) => format!("not compared: {why}"),
        }
    }
}

/// One observed count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observed {
    pub line: u64,
    pub id: String,
    pub level: ObservedLevel,
    pub area_code: String,
    pub area_name: String,
    pub date: Date,
    pub count: f64,
    pub definition: String,
    pub source: String,
}

/// Reads observed counts: `level, area_code, date, count, definition,
/// source` (and optionally `id`, `area_name`).
pub fn read(table: &Table) -> Result<Vec<Observed>> {
    table.require(&[
        "level",
        "area_code",
        "date",
        "count",
        "definition",
        "source",
    ])?;
    // Two counts of one area and definition on one date would overlap: a
    // series holds one count per date.
    let mut seen = Seen::default();
    let mut rows = Vec::new();
    for r in table.records() {
        let o = row(&r)?;
        let key = (o.level, o.area_code.clone(), o.definition.clone(), o.date);
        seen.first(
            &r,
            key,
            format_args!(
                "a {} count for {} {} on {}",
                o.definition,
                o.level.as_str(),
                o.area_code,
                o.date
            ),
        )
        .map_err(|e| e.hint("give each area one count per definition and date; remove or correct the other line"))?;
        rows.push(o);
    }
    if rows.is_empty() {
        return Err(
            crate::error::Error::input(&table.path, "has no observed counts")
                .kind(ErrorKind::Missing)
                .hint("give at least one row: level, area_code, date, count, definition, source"),
        );
    }
    Ok(rows)
}

fn row(r: &Record) -> Result<Observed> {
    let level_text = r.text("level")?;
    let level = ObservedLevel::NAMES
        .iter()
        .find(|(n, _)| *n == level_text)
        .map(|(_, l)| *l)
        .ok_or_else(|| {
            let hint = if level_text == "pdu" {
                "a probation delivery unit cannot be compared: no PDU-to-area lookup is published; give the count for its local authorities instead".to_string()
            } else {
                format!(
                    "use one of: {}",
                    ObservedLevel::NAMES.map(|(n, _)| n).join(", ")
                )
            };
            r.error(format!("level '{level_text}' is not a geography observed counts can be given at"))
                .kind(ErrorKind::Unknown)
                .hint(hint)
        })?;
    let area_code = match level {
        ObservedLevel::ProbationRegion => r.text("area_code")?,
        _ => r.gss_code("area_code")?,
    };
    let count = r.count("count")?;
    if count.fract() != 0.0 {
        return Err(r
            .error(format!("count {count} is not a whole number of people"))
            .kind(ErrorKind::Value)
            .hint("observed counts are numbers of people, e.g. 341"));
    }
    Ok(Observed {
        line: r.line(),
        id: r.str("id").to_string(),
        level,
        area_code: area_code.to_string(),
        area_name: r.str("area_name").to_string(),
        date: date(r, "date")?,
        count,
        definition: r.text("definition")?.to_string(),
        source: r.text("source")?.to_string(),
    })
}

/// A national total on a date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NationalTotal {
    pub date: Date,
    pub count: f64,
}

/// The England-and-Wales series of all people under supervision, verified
/// at source (`date, area_code, count, definition, verified`), in date order.
pub fn read_national(table: &Table) -> Result<Vec<NationalTotal>> {
    table.require(&["date", "area_code", "count", "definition", "verified"])?;
    let mut series = Vec::new();
    let mut seen = Seen::default();
    for r in table.records() {
        let date = date(&r, "date")?;
        let count = r.count("count")?;
        if r.str("definition") == "all_supervised_national"
            && r.str("area_code") == gss::ENGLAND_AND_WALES
            && r.str("verified") == "yes"
        {
            seen.first(
                &r,
                date,
                format_args!("a verified national total on {date}"),
            )
            .map_err(|e| {
                e.hint("the series holds one total per date: keep the one read at source")
            })?;
            series.push(NationalTotal { date, count });
        }
    }
    series.sort_by_key(|t| t.date);
    Ok(series)
}

/// The national total on `date`, interpolated linearly between the
/// published totals either side; None where the date is more than
/// `MAX_GAP_DAYS` from the nearest published total, or outside the series.
pub fn national_on(series: &[NationalTotal], date: Date) -> Option<f64> {
    let day = date.days();
    let after = series.iter().position(|t| t.date.days() >= day)?;
    let next = series[after];
    if next.date.days() == day {
        return Some(next.count);
    }
    let previous = series[..after].last()?;
    let (d0, d1) = (previous.date.days(), next.date.days());
    if (day - d0).min(d1 - day) > MAX_GAP_DAYS {
        return None;
    }
    let t = (day - d0) as f64 / (d1 - d0) as f64;
    Some(previous.count + t * (next.count - previous.count))
}

/// A quarter and a half: published totals are quarterly.
pub const MAX_GAP_DAYS: i64 = 140;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_strictly() {
        assert_eq!(
            Date::parse("2024-02-29"),
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2025-13-30"), None);
        assert_eq!(Date::parse("30/13/2025"), None);
        assert_eq!(Date::parse("2025-6-30"), None);
    }

    #[test]
    fn days_count_from_1970() {
        assert_eq!(Date::parse("1970-01-01").unwrap().days(), 0);
        // 2000-03-01 is day 11,017 (Python: date(2000,3,1) - date(1970,1,1)).
        assert_eq!(Date::parse("2000-03-01").unwrap().days(), 11_017);
        assert_eq!(Date::parse("2024-06-30").unwrap().days(), 19_904);
    }

    #[test]
    fn national_totals_are_interpolated_between_quarters() {
        let t = |d: &str, count: f64| NationalTotal {
            date: Date::parse(d).unwrap(),
            count,
        };
        let series = [t("2024-03-31", 239_015.0), t("2024-06-30", 238_646.0)];
        assert_eq!(
            national_on(&series, Date::parse("2024-06-30").unwrap()),
            Some(238_646.0)
        );
        // 31 May is 61 of the 91 days from 31 March to 30 June.
        let may = national_on(&series, Date::parse("2024-05-31").unwrap()).unwrap();
        assert!(
            (may - (239_015.0 - 369.0 * 61.0 / 91.0)).abs() < 1e-6,
            "{may}"
        );
        assert_eq!(
            national_on(&series, Date::parse("2024-07-31").unwrap()),
            None
        );
    }
}
