//! Geography on the real ONS boundary files.
