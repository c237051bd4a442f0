//! Tests that need no HTTP server: spec drift, layering, seed glossary,
//! process-level durability.

mod align_cli;
mod durability;
mod layering;
mod openapi_golden;
mod peer_roundtrip;
mod readme_examples;
mod shutdown;
mod spawned;
