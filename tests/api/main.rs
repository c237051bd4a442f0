//! HTTP API tests against a real server on a loopback port.

mod align;
mod auth;
mod backup;
mod candidates;
mod compat;
mod compat_clients;
mod compat_omegat;
mod direction;
mod encodings;
mod hardening;
mod health;
mod helpers;
mod hostile;
mod omegat;
mod xliff;
