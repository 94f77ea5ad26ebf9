//! Vintages of area types, and crosswalks that carry data from one to another.
//!
//! Users hold data on old codes: CCGs merged in 2020 and 2021, became sub-ICB
//! locations in July 2022 and were renumbered in April 2023 (Surrey
//! Heartlands E38000246 → E38000264); districts merged in 2023 (Cumbria,
//! North Yorkshire, Somerset). Every vintage here is defined on LSOAs (2011)
//! by an official ONS lookup, so a crosswalk between any two is
//! population-weighted through the LSOAs: the weight of old → new is the
//! population of the LSOAs in both over the population of the old area.
//!
//! Going through LSOAs directly, rather than multiplying the step-by-step
//! crosswalks (2019 → 2020 → 2021 …), keeps each person in one place: a
//! product of steps spreads an area split twice as if the two splits were
//! independent.
//!
//! LSOA 2011 → 2021: the April 2023 sub-ICB locations and ICBs come from a
//! lookup keyed on LSOA 2021 codes. As in [`crate::geography::units`] (which
//! builds them), the 31,810 of 32,844 LSOAs whose code did not change in 2021
//! take their code from that lookup; the 1,034 that were split or merged take
//! it from their July 2022 sub-ICB code, carried across by the code bridge
//! the unchanged LSOAs show. Districts and upper-tier authorities (December
//! 2024) come from the LAD 2022 → 2023 lookup.

/// An area type at one vintage, defined on LSOAs (2011) by an ONS lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Vintage {
    Ccg2019,
    Ccg2020,
    Ccg2021,
    Sicbl2022,
    Sicbl2023,
    Icb2022,
    Icb2023,
    Lad2021,
    Lad2024,
    Ctyua2024,
}

/// The health-service chain, oldest first: each step is a crosswalk.
pub const HEALTH_CHAIN: [Vintage; 6] = [
    Vintage::Ccg2019,
    Vintage::Ccg2020,
    Vintage::Ccg2021,
    Vintage::Sicbl2022,
    Vintage::Sicbl2023,
    Vintage::Icb2023,
];

/// The local-authority chain, oldest first.
pub const LA_CHAIN: [Vintage; 2] = [Vintage::Lad2021, Vintage::Lad2024];

impl Vintage {
    pub const ALL: [Vintage; 10] = [
        Vintage::Ccg2019,
        Vintage::Ccg2020,
        Vintage::Ccg2021,
        Vintage::Sicbl2022,
        Vintage::Sicbl2023,
        Vintage::Icb2022,
        Vintage::Icb2023,
        Vintage::Lad2021,
        Vintage::Lad2024,
        Vintage::Ctyua2024,
    ];

    /// A stable identifier: "ccg-2019", "sicbl-2023", "lad-2024".
    pub fn id(self) -> &'static str {
        match self {
            Vintage::Ccg2019 => "ccg-2019",
            Vintage::Ccg2020 => "ccg-2020",
            Vintage::Ccg2021 => "ccg-2021",
            Vintage::Sicbl2022 => "sicbl-2022",
            Vintage::Sicbl2023 => "sicbl-2023",
            Vintage::Icb2022 => "icb-2022",
            Vintage::Icb2023 => "icb-2023",
            Vintage::Lad2021 => "lad-2021",
            Vintage::Lad2024 => "lad-2024",
            Vintage::Ctyua2024 => "ctyua-2024",
        }
    }

    pub fn parse(id: &str) -> Option<Vintage> {
        Vintage::ALL.into_iter().find(|v| v.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_round_trip() {
        for v in Vintage::ALL {
            assert_eq!(Vintage::parse(v.id()), Some(v));
        }
        assert_eq!(Vintage::parse("ccg-2013"), None);
    }
}
