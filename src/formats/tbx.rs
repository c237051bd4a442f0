//! TBX reader and writer (in progress).
