//! HTTP API tests against a real server on a loopback port.

mod align;
mod auth;
mod backup;
mod health;
mod helpers;
mod hostile;
mod omegat;
mod xliff;
