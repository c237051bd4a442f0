//! The real binary started as a user would, on a free loopback port, killed
//! when dropped.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `mustalah serve`.
pub struct Spawned {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Starts `mustalah serve` from `cwd` (data in `cwd/data`) with `extra`
/// flags and waits (at most 60 s) until `/readyz` answers 200.
pub fn serve(cwd: &Path, extra: &[&str]) -> Spawned {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_mustalah"))
        .current_dir(cwd)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(["--data-dir", "data", "--log", "warn"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn server");
    let server = Spawned {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = client();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !client
        .get(format!("{}/readyz", server.base))
        .send()
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(Instant::now() < deadline, "server not ready within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

/// An HTTP client with a bounded timeout.
pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()
        .expect("client")
}

/// Whether `program --version` runs.
pub fn has(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
