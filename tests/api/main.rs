//! HTTP API tests against a real server on a loopback port.

mod auth;
mod backup;
mod candidates;
mod health;
mod helpers;
mod hostile;
