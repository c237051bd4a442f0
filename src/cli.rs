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
// Parsed once per process: the size difference between variants is irrelevant.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Print the OpenAPI document (JSON) to standard output.
    Openapi,
    /// Term-base files: import and export (offline, on the data dir).
    #[command(subcommand)]
    Terms(TermsCommand),
    /// Translation-memory files and quick searches (offline, on the data dir).
    #[command(subcommand)]
    Tm(TmCommand),
    /// Suggestions for an article: segments, best matches, terms, checks.
    Suggest(SuggestArgs),
    /// Write a consistent snapshot of a RUNNING server (every memory as TMX,
    /// every term base as TBX, manifest.json with counts and SHA-256).
    Backup(BackupArgs),
    /// Rebuild an EMPTY data dir from a backup directory.
    Restore(RestoreArgs),
}

/// `mustalah terms …`
#[derive(Debug, Subcommand)]
pub enum TermsCommand {
    /// Import a CSV/TSV/TBX file into a term base (created when missing).
    Import {
        /// The file (gzip, UTF-8 or UTF-16 accepted).
        file: PathBuf,
        /// Term base name.
        #[arg(long, default_value = "tech")]
        termbase: String,
        /// File format; sniffed from the content when omitted.
        #[arg(long, value_parser = ["csv", "tsv", "tbx"])]
        format: Option<String>,
        /// What to do with an entry whose normalized term already exists.
        #[arg(long, default_value = "merge", value_parser = ["merge", "skip", "replace"])]
        on_duplicate: String,
        /// Report what would happen, store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Data location.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Term candidates in articles that the term base lacks (offline, on
    /// the data dir), with proposed translations from an aligned memory.
    Candidates {
        /// Article files (UTF-8 plain text).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Term base whose terms are known.
        #[arg(long, default_value = "tech")]
        termbase: String,
        /// Memory of aligned pairs to propose translations from.
        #[arg(long)]
        memory: Option<String>,
        /// Language of the articles.
        #[arg(long, default_value = "ar", value_parser = ["ar", "en"])]
        lang: String,
        /// Candidates to show (1-500).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Minimum frequency.
        #[arg(long, default_value_t = 1)]
        min_freq: usize,
        /// Output: a table, CSV (importable as a term base), TBX, or JSON.
        #[arg(long, default_value = "table", value_parser = ["table", "csv", "tbx", "json"])]
        format: String,
        /// Data location.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Export a term base (TBX-Basic or CSV/TSV) to a file or standard output.
    Export {
        /// Term base name.
        #[arg(long, default_value = "tech")]
        termbase: String,
        /// Output format.
        #[arg(long, default_value = "tbx", value_parser = ["csv", "tsv", "tbx"])]
        format: String,
        /// Output file (standard output when omitted).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Data location.
        #[command(flatten)]
        data: DataArgs,
    },
}

/// `mustalah tm …`
#[derive(Debug, Subcommand)]
pub enum TmCommand {
    /// Import a TMX/TSV/CSV file into a memory (created with the given pair when missing).
    Import {
        /// The file (gzip, UTF-8 or UTF-16 accepted).
        file: PathBuf,
        /// Memory name.
        #[arg(long, default_value = "default")]
        memory: String,
        /// File format; sniffed from the content when omitted.
        #[arg(long, value_parser = ["tmx", "tsv", "csv"])]
        format: Option<String>,
        /// Source language when the memory has to be created.
        #[arg(long, default_value = "ar")]
        source_lang: String,
        /// Target language when the memory has to be created.
        #[arg(long, default_value = "en")]
        target_lang: String,
        /// Report what would happen, store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Data location.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Export a memory (TMX 1.4b or TSV) to a file or standard output.
    Export {
        /// Memory name.
        #[arg(long, default_value = "default")]
        memory: String,
        /// Output format.
        #[arg(long, default_value = "tmx", value_parser = ["tmx", "tsv"])]
        format: String,
        /// Output file (standard output when omitted).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Data location.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Fuzzy-search a memory for one segment.
    Search {
        /// The segment.
        text: String,
        /// Memory name.
        #[arg(long, default_value = "default")]
        memory: String,
        /// Lowest score shown (30-101).
        #[arg(long, default_value_t = 70)]
        min_score: u32,
        /// Most matches shown (1-100).
        #[arg(long, default_value_t = 5)]
        limit: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Data location.
        #[command(flatten)]
        data: DataArgs,
    },
}

/// Options of `suggest`.
#[derive(Debug, Clone, Args)]
pub struct SuggestArgs {
    /// The article (plain UTF-8 text; one paragraph per line).
    pub file: PathBuf,
    /// Print the JSON answer of `POST /v1/suggest` instead of a report.
    #[arg(long)]
    pub json: bool,
    /// Memories to search (repeat or comma-separate).
    #[arg(long = "memory", default_value = "default", value_delimiter = ',')]
    pub memories: Vec<String>,
    /// Term bases to recognize terms with (repeat or comma-separate).
    #[arg(long = "termbase", default_value = "tech", value_delimiter = ',')]
    pub termbases: Vec<String>,
    /// Language of the article.
    #[arg(long, default_value = "ar")]
    pub source_lang: String,
    /// Language of the suggestions.
    #[arg(long, default_value = "en")]
    pub target_lang: String,
    /// Lowest match score used for a suggestion.
    #[arg(long, default_value_t = 70)]
    pub min_score: u32,
    /// Matches listed per segment.
    #[arg(long, default_value_t = 3)]
    pub limit: usize,
    /// Data location.
    #[command(flatten)]
    pub data: DataArgs,
}

/// Options of `backup`.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// Directory to write (created; must be empty or absent).
    pub dir: PathBuf,
    /// Base URL of the running server.
    #[arg(long, env = "MUSTALAH_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// Token for reading (the read or the write token), if the server needs one.
    #[arg(long, env = "MUSTALAH_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// Options of `restore`.
#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// Backup directory written by `mustalah backup`.
    pub dir: PathBuf,
    /// Data location.
    #[command(flatten)]
    pub data: DataArgs,
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
