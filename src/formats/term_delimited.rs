//! CSV/TSV term bases (in progress).
