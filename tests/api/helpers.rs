//! Test server: a real `Application` on 127.0.0.1:0 over a temporary data dir.

use clap::Parser;
use mustalah::app::Application;
use mustalah::cli::{Cli, Command};
use std::sync::LazyLock;

static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var("TEST_LOG").is_ok() {
        mustalah::app::init_tracing("debug", mustalah::cli::LogFormat::Text);
    }
});

/// A running server for one test.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// Keeps the data dir alive.
    pub _dir: tempfile::TempDir,
}

/// Starts a server with the seed loaded (unless `extra` says `--no-seed`).
pub async fn spawn_app_with(extra: &[&str]) -> TestApp {
    LazyLock::force(&TRACING);
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/glossary");
    let mut argv = vec![
        "mustalah".to_string(),
        "serve".into(),
        "--addr".into(),
        "127.0.0.1:0".into(),
        "--data-dir".into(),
        data.display().to_string(),
        "--seed-dir".into(),
        seed.into(),
        "--workers".into(),
        "2".into(),
    ];
    argv.extend(extra.iter().map(|s| s.to_string()));
    let Command::Serve(args) = Cli::parse_from(argv).command else {
        unreachable!("serve")
    };
    let app = Application::build(&args).expect("server builds");
    let port = app.port();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
        _dir: dir,
    }
}

/// Starts a server with defaults.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

impl TestApp {
    /// Absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }
}
