//! Statistical methods: confidence intervals for proportions and map classification.

pub mod classify;
pub mod wilson;
