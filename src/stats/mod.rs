//! Statistical methods: confidence intervals for proportions and rates,
//! small-number suppression, and map classification.

pub mod classify;
pub mod estimate;
pub mod funnel;
pub mod rates;
pub mod suppression;
pub mod trend;
pub mod wilson;
