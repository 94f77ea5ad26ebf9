//! The caseload model reduced to what a draw changes. Within a district,
//! caseload follows the adult population of its LSOAs under every proxy,
//! and a district's model error moves all its LSOAs together, so LSOAs in
//! the same caseload row, district and areas keep fixed shares of one
//! another in every draw. Grouping them into cells makes a draw cost
//! thousands of operations, not tens of thousands, while each area's draw
//! is still exactly the sum of its LSOAs' caseload.

use std::collections::BTreeMap;

/// A grouping of cells into areas: for each cell, the areas it lies in and
/// the share of its caseload in each (1 for an area of an official lookup,
/// fractions where LSOAs are split between areas by a crosswalk).
#[derive(Debug, Clone, Default)]
pub struct Grouping {
    pub areas: usize,
    /// (cell, area, share), in cell order.
    pub entries: Vec<(usize, usize, f64)>,
}

impl Grouping {
    /// Each area's total of a value per cell.
    pub fn sum(&self, per_cell: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for &(cell, area, share) in &self.entries {
            out[area] += per_cell[cell] * share;
        }
    }
}

/// The caseload rows and the cells they are spread over.
#[derive(Debug, Clone)]
pub struct Cells {
    /// Each cell's caseload row (an index into `row_totals`).
    pub row: Vec<usize>,
    /// Each cell's district (an index into the district errors of a draw).
    pub district: Vec<usize>,
    pub districts: usize,
    /// Each cell's weight under each proxy, [proxy][cell].
    pub weights: Vec<Vec<f64>>,
    /// Each row's caseload placed in England.
    pub row_totals: Vec<f64>,
    /// The row counted for England and Wales together, if any, with its
    /// whole total: its English part moves with England's share.
    pub england_and_wales: Option<(usize, f64)>,
    /// Each LSOA's cell (none where no row covers it).
    pub of_lsoa: Vec<Option<usize>>,
}

/// What one LSOA brings to the cells.
pub struct LsoaFacts<'a> {
    /// The caseload row it is in, if any.
    pub row: Option<usize>,
    pub district: usize,
    /// Its weight under each proxy.
    pub weights: &'a [f64],
    /// The area it is in at each grouping (`None` where the grouping splits
    /// the LSOA: see `fractions`).
    pub areas: &'a [Option<usize>],
}

/// For a grouping that splits LSOAs: each LSOA's (area, share) pairs.
pub type Fractions<'f, 'a> = &'f dyn Fn(usize) -> &'a [(usize, f64)];

impl Cells {
    /// Groups LSOAs into cells and each grouping's areas. `fractions[g]`
    /// gives, for a grouping that splits LSOAs, each LSOA's (area, share)
    /// pairs; LSOAs of one cell then contribute to areas in proportion to
    /// their proxy weight within the cell (the same under every proxy).
    pub fn build<'a>(
        lsoas: impl Iterator<Item = LsoaFacts<'a>>,
        groupings: &[usize],
        fractions: &[Option<Fractions<'_, 'a>>],
        proxies: usize,
    ) -> (Cells, Vec<Grouping>) {
        // (caseload row, district, area at each grouping) -> cell.
        type Key = (usize, usize, Vec<Option<usize>>);
        let mut key_of: BTreeMap<Key, usize> = BTreeMap::new();
        let mut cells = Cells {
            row: Vec::new(),
            district: Vec::new(),
            districts: 0,
            weights: vec![Vec::new(); proxies],
            row_totals: Vec::new(),
            england_and_wales: None,
            of_lsoa: Vec::new(),
        };
        // (lsoa, cell, weight under proxy 0) for splitting groupings.
        let mut members: Vec<(usize, usize, f64)> = Vec::new();
        for (i, lsoa) in lsoas.enumerate() {
            let Some(row) = lsoa.row else {
                cells.of_lsoa.push(None);
                continue;
            };
            cells.districts = cells.districts.max(lsoa.district + 1);
            let key = (row, lsoa.district, lsoa.areas.to_vec());
            let next = cells.row.len();
            let cell = *key_of.entry(key).or_insert(next);
            if cell == next {
                cells.row.push(row);
                cells.district.push(lsoa.district);
                for w in &mut cells.weights {
                    w.push(0.0);
                }
            }
            for (p, w) in lsoa.weights.iter().enumerate() {
                cells.weights[p][cell] += w;
            }
            cells.of_lsoa.push(Some(cell));
            members.push((i, cell, lsoa.weights[0]));
        }
        let mut by_cell: Vec<(usize, Vec<Option<usize>>)> = key_of
            .into_iter()
            .map(|((_, _, areas), cell)| (cell, areas))
            .collect();
        by_cell.sort_by_key(|(cell, _)| *cell);
        let out = groupings
            .iter()
            .enumerate()
            .map(|(g, &areas)| {
                let entries = match fractions.get(g).copied().flatten() {
                    None => by_cell
                        .iter()
                        .filter_map(|(cell, keys)| keys[g].map(|a| (*cell, a, 1.0)))
                        .collect(),
                    Some(split) => split_entries(&members, &cells.weights[0], split),
                };
                Grouping { areas, entries }
            })
            .collect();
        (cells, out)
    }

    pub fn len(&self) -> usize {
        self.row.len()
    }

    pub fn is_empty(&self) -> bool {
        self.row.is_empty()
    }

    /// One draw's caseload per cell: each row's total spread over its cells
    /// in proportion to their proxy weight times their district's error.
    pub fn draw(&self, proxy: usize, errors: &[f64], england_share: f64, out: &mut [f64]) {
        let mut row_weight = vec![0.0; self.row_totals.len()];
        for (c, out) in out.iter_mut().enumerate() {
            *out = self.weights[proxy][c] * errors[self.district[c]];
            row_weight[self.row[c]] += *out;
        }
        let mut totals = self.row_totals.clone();
        if let Some((row, whole)) = self.england_and_wales {
            totals[row] = whole * england_share;
        }
        for (c, out) in out.iter_mut().enumerate() {
            let r = self.row[c];
            *out = if row_weight[r] > 0.0 {
                totals[r] * *out / row_weight[r]
            } else {
                0.0
            };
        }
    }
}

/// A splitting grouping's entries: each cell's share in each area, from its
/// LSOAs' shares of the cell's weight and their own (area, share) pairs.
fn split_entries<'a>(
    members: &[(usize, usize, f64)],
    cell_weights: &[f64],
    split: &dyn Fn(usize) -> &'a [(usize, f64)],
) -> Vec<(usize, usize, f64)> {
    let mut shares: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for &(lsoa, cell, weight) in members {
        if cell_weights[cell] <= 0.0 {
            continue;
        }
        for &(area, share) in split(lsoa) {
            *shares.entry((cell, area)).or_default() += share * weight / cell_weights[cell];
        }
    }
    shares
        .into_iter()
        .map(|((cell, area), share)| (cell, area, share))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four LSOAs: two districts, one national row; areas A (LSOAs 0, 1, 2)
    /// and B (LSOA 3).
    fn cells() -> (Cells, Vec<Grouping>) {
        let weights = [[1.0, 1.0], [3.0, 1.0], [2.0, 2.0], [4.0, 1.0]];
        let districts = [0, 0, 1, 1];
        let areas = [[Some(0)], [Some(0)], [Some(0)], [Some(1)]];
        let lsoas = (0..4).map(|i| LsoaFacts {
            row: Some(0),
            district: districts[i],
            weights: &weights[i],
            areas: &areas[i],
        });
        let (mut cells, groupings) = Cells::build(lsoas, &[2], &[None], 2);
        cells.row_totals = vec![100.0];
        (cells, groupings)
    }

    #[test]
    fn lsoas_sharing_row_district_and_areas_share_a_cell() {
        let (cells, groupings) = cells();
        // (district 0, A), (district 1, A), (district 1, B).
        assert_eq!(cells.len(), 3);
        assert_eq!(cells.weights[0], vec![4.0, 2.0, 4.0]);
        assert_eq!(
            groupings[0].entries,
            vec![(0, 0, 1.0), (1, 0, 1.0), (2, 1, 1.0)]
        );
    }

    #[test]
    fn a_draw_spreads_the_total_by_weight_times_error() {
        let (cells, groupings) = cells();
        let mut per_cell = vec![0.0; cells.len()];
        // Proxy 0, district 1 doubled: weights 4, 4, 8 of 16.
        cells.draw(0, &[1.0, 2.0], 1.0, &mut per_cell);
        assert_eq!(per_cell, vec![25.0, 25.0, 50.0]);
        let mut areas = vec![0.0; 2];
        groupings[0].sum(&per_cell, &mut areas);
        assert_eq!(areas, vec![50.0, 50.0]);
        // Proxy 1, no error: weights 2, 2, 1 of 5.
        cells.draw(1, &[1.0, 1.0], 1.0, &mut per_cell);
        assert_eq!(per_cell, vec![40.0, 40.0, 20.0]);
    }

    #[test]
    fn a_split_grouping_shares_cells_by_their_lsoas() {
        let weights = [[1.0], [3.0]];
        let areas = [[None], [None]];
        let lsoas = (0..2).map(|i| LsoaFacts {
            row: Some(0),
            district: 0,
            weights: &weights[i],
            areas: &areas[i],
        });
        // LSOA 0 wholly in area 0; LSOA 1 half in area 0, half in area 1.
        let table: [Vec<(usize, f64)>; 2] = [vec![(0, 1.0)], vec![(0, 0.5), (1, 0.5)]];
        let split = |i: usize| table[i].as_slice();
        let (_, groupings) = Cells::build(lsoas, &[2], &[Some(&split)], 1);
        // Cell weight 4: area 0 gets 1/4 + 3/4 * 1/2 = 5/8, area 1 3/8.
        assert_eq!(groupings[0].entries, vec![(0, 0, 0.625), (0, 1, 0.375)]);
    }
}
