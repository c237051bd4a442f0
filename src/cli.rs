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
    /// Give back the disk space of deleted data: rewrite the data dir of a
    /// STOPPED server through an export and a restore (unit ids renumbered).
    Compact(DataArgs),
    /// XLIFF files of CAT tools (offline on the data dir, or with --url on a running server).
    #[command(subcommand)]
    Xliff(XliffCommand),
    /// Match analysis (word counts per match band) of XLIFF or text files.
    Analyze(AnalyzeArgs),
}

/// How a CAT-file command reaches the data: a running server (`--url`) or
/// the data dir, which must then not be in use by a server.
#[derive(Debug, Clone, Args)]
pub struct RemoteOrData {
    /// Base URL of a running server; without it the data dir is opened directly.
    #[arg(long)]
    pub url: Option<String>,
    /// Token for the server, if it needs one.
    #[arg(long, env = "MUSTALAH_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Data location (offline use).
    #[command(flatten)]
    pub data: DataArgs,
}

/// `mustalah xliff …`
#[derive(Debug, Subcommand)]
pub enum XliffCommand {
    /// Pre-translate an XLIFF file (1.2, SDLXLIFF, MQXLIFF, 2.x) from memories and term bases.
    Pretranslate(PretranslateArgs),
}

/// Options of `xliff pretranslate`.
#[derive(Debug, Clone, Args)]
pub struct PretranslateArgs {
    /// The XLIFF file (gzip, UTF-8 or UTF-16 with BOM).
    pub file: PathBuf,
    /// Output file (standard output when omitted).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Memories to search (repeat or comma-separate).
    #[arg(long = "memory", default_value = "default", value_delimiter = ',')]
    pub memories: Vec<String>,
    /// Term bases whose terms are noted (repeat or comma-separate).
    #[arg(long = "termbase", value_delimiter = ',')]
    pub termbases: Vec<String>,
    /// Lowest score offered as a match (30-100).
    #[arg(long, default_value_t = 70)]
    pub min_score: u32,
    /// Score from which the target is filled (30-101).
    #[arg(long, default_value_t = 100)]
    pub fill_threshold: u32,
    /// Matches offered per segment (1-50).
    #[arg(long, default_value_t = 3)]
    pub max_matches: usize,
    /// Source language (default: the file's).
    #[arg(long)]
    pub source_lang: Option<String>,
    /// Target language (default: the file's).
    #[arg(long)]
    pub target_lang: Option<String>,
    /// Print the report only, write no file.
    #[arg(long)]
    pub dry_run: bool,
    /// Server or data dir.
    #[command(flatten)]
    pub remote: RemoteOrData,
}

/// Output of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalysisFormat {
    /// A table of segments/words per band.
    Table,
    /// The JSON of `POST /v1/analysis`.
    Json,
    /// One row per file and band.
    Csv,
    /// Trados-style analysis report.
    Xml,
}

/// Options of `analyze`.
#[derive(Debug, Clone, Args)]
pub struct AnalyzeArgs {
    /// The files, in job order (XLIFF or plain text).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: AnalysisFormat,
    /// Memories to search (repeat or comma-separate).
    #[arg(long = "memory", default_value = "default", value_delimiter = ',')]
    pub memories: Vec<String>,
    /// Lowest fuzzy score counted (30-100).
    #[arg(long, default_value_t = 50)]
    pub min_score: u32,
    /// Earlier segments of the job act as a memory.
    #[arg(long)]
    pub internal_fuzzy: bool,
    /// Payable rates per band, e.g. `new:100,fuzzy_75_84:60,exact:30`.
    #[arg(long)]
    pub weights: Option<String>,
    /// Server or data dir.
    #[command(flatten)]
    pub remote: RemoteOrData,
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
        /// Character encoding of a CSV/TSV file that is not UTF-8/UTF-16
        /// (`windows-1256`, `iso-8859-6`, …); XML files declare their own.
        #[arg(long)]
        encoding: Option<String>,
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
        /// Character encoding of a CSV/TSV file that is not UTF-8/UTF-16
        /// (`windows-1256`, `iso-8859-6`, …); XML files declare their own.
        #[arg(long)]
        encoding: Option<String>,
        /// Source language of a memory to create (default: the TMX header's
        /// `srclang`, else `ar`); with an existing memory it must be its own.
        #[arg(long)]
        source_lang: Option<String>,
        /// Target language of a memory to create (default: the TMX's other
        /// language, else `en`).
        #[arg(long)]
        target_lang: Option<String>,
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
    /// Align a document with its translation and store the links as units
    /// (`tm align AR.txt EN.txt --memory news`, or `--pairs DIR` for every
    /// `NAME.ar.txt` with its `NAME.en.txt`).
    Align(AlignArgs),
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

/// Options of `tm align`.
#[derive(Debug, Clone, Args)]
pub struct AlignArgs {
    /// The source document (plain UTF-8 text, paragraphs by blank lines).
    #[arg(required_unless_present = "pairs", conflicts_with = "pairs")]
    pub source_file: Option<PathBuf>,
    /// Its translation.
    #[arg(required_unless_present = "pairs", conflicts_with = "pairs")]
    pub target_file: Option<PathBuf>,
    /// A folder of pairs: each `NAME.<source_lang>.txt` with `NAME.<target_lang>.txt`.
    #[arg(long)]
    pub pairs: Option<PathBuf>,
    /// Memory name (created with the pair when missing).
    #[arg(long, default_value = "default")]
    pub memory: String,
    /// Name of the document pair (stored as the units' origin); default: the
    /// source file name without `.<lang>.txt`.
    #[arg(long)]
    pub origin: Option<String>,
    /// Language of the source documents.
    #[arg(long, default_value = "ar")]
    pub source_lang: String,
    /// Language of the translations.
    #[arg(long, default_value = "en")]
    pub target_lang: String,
    /// Term bases whose concepts anchor the alignment.
    #[arg(long = "termbase", default_value = "tech")]
    pub termbases: Vec<String>,
    /// Store only links of at least this quality (0-1).
    #[arg(long, default_value_t = 0.0)]
    pub min_quality: f32,
    /// Write every link to this TSV (quality, kind, source, target[, origin]),
    /// weakest first, for a person to check.
    #[arg(long)]
    pub review: Option<PathBuf>,
    /// Report what would be stored, store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Data location.
    #[command(flatten)]
    pub data: DataArgs,
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
    /// Prefer MUSTALAH_TOKEN: a flag is visible to other users in `ps`.
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
    /// Prefer MUSTALAH_READ_TOKEN: a flag is visible to other users in `ps`.
    #[arg(long, env = "MUSTALAH_READ_TOKEN", hide_env_values = true)]
    pub read_token: Option<String>,
    /// Token required (as `Authorization: Bearer …`) for every request that changes data.
    /// Prefer MUSTALAH_WRITE_TOKEN: a flag is visible to other users in `ps`.
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
    /// Host names answered besides the loopback ones on a loopback --addr
    /// (repeat or comma-separate; `*` answers any). On another address,
    /// when given, only these. Other `Host` values get 421.
    #[arg(long, env = "MUSTALAH_ALLOWED_HOST", value_delimiter = ',')]
    pub allowed_host: Vec<String>,
    /// Seconds a request body may pause, and the grace period before
    /// --body-min-rate applies; a slower body gets 408.
    #[arg(long, env = "MUSTALAH_BODY_TIMEOUT", default_value_t = 30)]
    pub body_timeout: u64,
    /// Slowest average request-body rate accepted after --body-timeout, in bytes/s.
    #[arg(long, env = "MUSTALAH_BODY_MIN_RATE", default_value_t = 1024)]
    pub body_min_rate: u64,
    /// Imports that may stream or run at once; more get 429 with Retry-After.
    #[arg(long, env = "MUSTALAH_MAX_CONCURRENT_IMPORTS", default_value_t = crate::api::state::DEFAULT_CONCURRENT_IMPORTS)]
    pub max_concurrent_imports: usize,
    /// Largest JSON request body, in bytes.
    #[arg(long, env = "MUSTALAH_MAX_JSON_BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_json_bytes: usize,
    /// Largest import body, in bytes (streamed to a spool file, never held in memory).
    #[arg(long, env = "MUSTALAH_MAX_IMPORT_BYTES", default_value_t = 2 * 1024 * 1024 * 1024)]
    pub max_import_bytes: u64,
    /// Directory holding `tech.ar-en.csv`, loaded into term base `tech` on first
    /// start instead of the glossary built into the binary.
    #[arg(long, env = "MUSTALAH_SEED_DIR")]
    pub seed_dir: Option<PathBuf>,
    /// Do not load the seed glossary or create the `default` memory on first start.
    #[arg(long, env = "MUSTALAH_NO_SEED")]
    pub no_seed: bool,
    /// HTTP worker threads (default: number of cores).
    #[arg(long, env = "MUSTALAH_WORKERS")]
    pub workers: Option<usize>,
    /// Memories the CAT-tool protocols (tmserver/amaGama, MyMemory) answer from (repeat or comma-separate; default: all).
    #[arg(long, env = "MUSTALAH_COMPAT_MEMORIES", value_delimiter = ',')]
    pub compat_memories: Vec<String>,
    /// Term bases the LanguageTool-compatible term QA checks with (repeat or comma-separate; default: all).
    #[arg(long, env = "MUSTALAH_COMPAT_TERMBASES", value_delimiter = ',')]
    pub compat_termbases: Vec<String>,
    /// A client key of the CAT-tool protocols and the memories and term bases it selects: `KEY=name,name` (repeat; in the environment separate with `;`).
    #[arg(
        long,
        env = "MUSTALAH_COMPAT_KEYS",
        value_delimiter = ';',
        hide_env_values = true
    )]
    pub compat_key: Vec<String>,
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
        crate::api::compat::CompatConfig::from_flags(
            &self.compat_memories,
            &self.compat_termbases,
            &self.compat_key,
        )?;
        if self.body_timeout == 0 || self.max_concurrent_imports == 0 {
            return Err("--body-timeout and --max-concurrent-imports must be at least 1".into());
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
