//! Command line: `serve`, `openapi`, and the offline subcommands.
//!
//! Every flag has an environment variable `MUSTALAH_…`; `Settings` turns the
//! raw flags into validated values.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// mustalah (مصطلح): translation-memory and term-base server for
/// Arabic↔English technical translation.
#[derive(Debug, Parser)]
#[command(name = "mustalah", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Print the OpenAPI document (JSON) to standard output.
    Openapi,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Where the data lives (shared by every subcommand that opens the store).
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Data directory (embedded sled database).
    #[arg(long, env = "MUSTALAH_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on. Non-loopback addresses need --write-token (or --insecure).
    #[arg(long, env = "MUSTALAH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Data location.
    #[command(flatten)]
    pub data: DataArgs,
    /// Token required (as `Authorization: Bearer …`) for reads; the write token also reads.
    #[arg(long, env = "MUSTALAH_READ_TOKEN", hide_env_values = true)]
    pub read_token: Option<String>,
    /// Token required (as `Authorization: Bearer …`) for every request that changes data.
    #[arg(long, env = "MUSTALAH_WRITE_TOKEN", hide_env_values = true)]
    pub write_token: Option<String>,
    /// Allow listening on a non-loopback address without a write token.
    #[arg(long, env = "MUSTALAH_INSECURE")]
    pub insecure: bool,
    /// Log filter: a level (`info`, `debug`) or a tracing directive list (`mustalah=debug,actix_web=info`).
    #[arg(long, env = "MUSTALAH_LOG", default_value = "info")]
    pub log: String,
    /// Log format.
    #[arg(long, env = "MUSTALAH_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Origins allowed by CORS (repeat or comma-separate); CORS is off when empty.
    #[arg(long, env = "MUSTALAH_CORS_ORIGIN", value_delimiter = ',')]
    pub cors_origin: Vec<String>,
    /// Largest JSON request body, in bytes.
    #[arg(long, env = "MUSTALAH_MAX_JSON_BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_json_bytes: usize,
    /// Largest import body, in bytes (streamed to a spool file, never held in memory).
    #[arg(long, env = "MUSTALAH_MAX_IMPORT_BYTES", default_value_t = 2 * 1024 * 1024 * 1024)]
    pub max_import_bytes: u64,
    /// Directory of the seed glossary loaded into term base `tech` on first start.
    #[arg(long, env = "MUSTALAH_SEED_DIR", default_value = "glossary")]
    pub seed_dir: PathBuf,
    /// Do not load the seed glossary or create the `default` memory on first start.
    #[arg(long, env = "MUSTALAH_NO_SEED")]
    pub no_seed: bool,
    /// HTTP worker threads (default: number of cores).
    #[arg(long, env = "MUSTALAH_WORKERS")]
    pub workers: Option<usize>,
}

impl ServeArgs {
    /// Checks the combination of flags; the error says why and what to do.
    pub fn validate(&self) -> Result<(), String> {
        if !self.addr.ip().is_loopback() && self.write_token.is_none() && !self.insecure {
            return Err(format!(
                "refusing to listen on {} without --write-token: anyone who can reach this address could change or delete your data. Set --write-token (and --read-token to protect reads), or pass --insecure if the network is trusted.",
                self.addr
            ));
        }
        for (name, t) in [
            ("--read-token", &self.read_token),
            ("--write-token", &self.write_token),
        ] {
            if let Some(t) = t {
                if t.trim().is_empty() || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(format!(
                        "{name} must be non-empty and contain no whitespace"
                    ));
                }
            }
        }
        Ok(())
    }
}
