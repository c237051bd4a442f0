//! mustalah (مصطلح, "term"): a translation-memory and term-base server for
//! Arabic↔English technical translation.
//!
//! Layers, one way only: [`api`] (HTTP) → domain ([`termbase`], [`memory`])
//! → [`store`]; [`text`] depends on nothing of ours and [`formats`] only on
//! the domain model types it streams.
#![warn(missing_docs)]

pub mod analysis;
pub mod api;
pub mod app;
pub mod backup;
pub mod bitext;
pub mod candidates;
pub mod cli;
pub mod commands;
pub mod formats;
pub mod memory;
pub mod pretranslate;
pub mod seed;
pub mod store;
pub mod suggest;
pub mod termbase;
pub mod text;
