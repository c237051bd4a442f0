//! Import/export formats (TMX, TBX, CSV/TSV): streaming readers and writers
//! over the term-base and memory model types.
