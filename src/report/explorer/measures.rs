//! What the explorer can show for an area and condition: a list of
//! measures, each a gap.csv column with its interval, how it is published
//! and how England's figure is made. A new column is one entry in
//! [`MEASURES`]; the page needs no change to show it.

use crate::gap::GapRow;

/// An estimate with the bounds of its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
}

pub struct Measure {
    /// The gap.csv column; a published map that shows the same column lends
    /// the explorer its classes.
    pub id: &'static str,
    pub label: &'static str,
    /// What one unit of the figure is, for the legend and the table.
    pub unit: &'static str,
    /// What the bounds are, in a few words for table headings.
    pub bounds: &'static str,
    /// How the interval is made, in words an analyst can quote.
    pub interval: &'static str,
    /// Whether the figure counts people, so the small-number rule applies.
    pub count: bool,
    /// The figure in one row of gap.csv; None where it does not exist
    /// (unmet need not assessed).
    pub estimate: fn(&GapRow) -> Option<Estimate>,
    /// England's figure from every area's row of a level and condition.
    pub england: fn(&[&GapRow]) -> Option<f64>,
}

/// Rates first, then counts (issue 9's order), then the caseload they rest on.
pub const MEASURES: [Measure; 4] = [
    Measure {
        id: "need_per_100k_adults",
        label: "People with the condition per 100,000 adults",
        unit: "per 100,000 adults",
        bounds: "95% interval",
        interval: "95% interval by Byar's method (exact Poisson below 10) on the estimated count, as in gap.csv. It treats the estimate as an observed count and leaves out the uncertainty of the prevalence and of the caseload estimate, so it is narrower than the interval of the count.",
        count: false,
        estimate: |r| {
            let rate = r.need_per_100k_adults;
            Some(Estimate {
                value: rate.value,
                lower: rate.lower,
                upper: rate.upper,
            })
        },
        england: |rows| {
            let need: f64 = rows.iter().map(|r| r.need.need).sum();
            let adults: f64 = rows.iter().map(|r| r.facts.adults).sum();
            Some(100_000.0 * need / adults)
        },
    },
    Measure {
        id: "need",
        label: "People with the condition",
        unit: "people",
        bounds: "95% interval",
        interval: "95% interval: the lowest caseload across the three caseload proxies times the lower bound of the prevalence's 95% interval, to the highest caseload times the upper bound.",
        count: true,
        estimate: |r| {
            Some(Estimate {
                value: r.need.need,
                lower: r.need.lower,
                upper: r.need.upper,
            })
        },
        england: |rows| Some(rows.iter().map(|r| r.need.need).sum()),
    },
    Measure {
        id: "unmet_need",
        label: "Unmet need (people with the condition not reached by services)",
        unit: "people",
        bounds: "95% interval",
        interval: "95% interval: the need interval carried through the national untreated share, or less the capacity of services apportioned to the area.",
        count: true,
        estimate: |r| {
            r.unmet.map(|u| Estimate {
                value: u.need,
                lower: u.lower,
                upper: u.upper,
            })
        },
        england: |rows| {
            rows.iter()
                .map(|r| r.unmet.map(|u| u.need))
                .sum::<Option<f64>>()
        },
    },
    Measure {
        id: "caseload",
        label: "People on probation (any condition)",
        unit: "people",
        bounds: "range across proxies",
        interval: "Range across the three caseload proxies (employment deprivation, income deprivation, adult population): how much the estimate depends on the proxy, not a probability interval.",
        count: true,
        estimate: |r| {
            let c = r.facts.caseload;
            Some(Estimate {
                value: c.value,
                lower: c.lower,
                upper: c.upper,
            })
        },
        england: |rows| Some(rows.iter().map(|r| r.facts.caseload.value).sum()),
    },
];
