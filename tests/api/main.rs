//! HTTP API tests against a real server on a loopback port.

mod health;
mod helpers;
