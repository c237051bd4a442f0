//! Backup and restore of a whole server: every memory as TMX, every term
//! base as TBX, plus `manifest.json` (counts, language pairs, descriptions,
//! file names, sizes and SHA-256 checksums).
//!
//! [`backup`] talks to a *running* server over HTTP, because the server holds
//! the store's lock; it never needs downtime. Every export the server
//! answers is a point-in-time snapshot of its collection taken when the
//! request arrives (a term base from its in-memory index, a memory from a
//! copy of its units made under its writer lock), so each file is
//! consistent while writes go on, in one pass, and the counts in the
//! manifest are counted from the files. Collections are exported one after
//! the other: a backup is consistent per collection, not across them.
//! [`restore`] opens an *empty* data directory
//! directly (no server may run on it), verifies every checksum before it
//! writes anything, and imports the files through the domain import
//! functions, then flushes.
//!
//! Known limit: unit ids are assigned afresh on restore (TMX has no place
//! for them); term-base entry ids travel in the TBX and are kept.

use crate::formats::Format;
use crate::memory::Memories;
use crate::store::Store;
use crate::termbase::{ImportOptions, TermBases};
use anyhow::{anyhow, bail, Context};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

/// Version of the manifest layout written by this build.
pub const MANIFEST_VERSION: u32 = 1;
/// Name of the manifest inside a backup directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// What a backup directory holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest layout version ([`MANIFEST_VERSION`]).
    pub version: u32,
    /// When the backup finished.
    pub created: DateTime<Utc>,
    /// Version of the mustalah that wrote it.
    pub mustalah_version: String,
    /// Every memory, by name.
    pub memories: Vec<MemoryBackup>,
    /// Every term base, by name.
    pub termbases: Vec<TermBaseBackup>,
}

/// Creation and last change of a collection, restored as they were.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Times {
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last change.
    pub modified: DateTime<Utc>,
}

/// The times in a collection's metadata answer (absent from older servers).
fn times_of(meta: &serde_json::Value) -> Option<Times> {
    let at = |key: &str| {
        meta.get(key)
            .and_then(|v| v.as_str())
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.with_timezone(&Utc))
    };
    Some(Times {
        created: at("created")?,
        modified: at("modified")?,
    })
}

/// One memory in a backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryBackup {
    /// Memory name.
    pub name: String,
    /// Source language.
    pub source_lang: String,
    /// Target language.
    pub target_lang: String,
    /// Description.
    pub description: Option<String>,
    /// Units in the file.
    pub units: u64,
    /// The file, relative to the backup directory.
    pub file: String,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// The collection's own times (manifests of older builds lack them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<Times>,
}

/// One term base in a backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermBaseBackup {
    /// Term-base name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Entries in the file.
    pub entries: u64,
    /// The file, relative to the backup directory.
    pub file: String,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// The collection's own times (manifests of older builds lack them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<Times>,
}

/// A `Write` that hashes and counts what passes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 and size of a file, streamed.
fn hash_file(path: &Path) -> anyhow::Result<(String, u64)> {
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut h = Hashing {
        inner: std::io::sink(),
        hash: Sha256::new(),
        bytes: 0,
    };
    std::io::copy(&mut f, &mut h).with_context(|| format!("reading {}", path.display()))?;
    Ok((hex(&h.hash.finalize()), h.bytes))
}

/// The names a server reports become file names: hold them to the API's own
/// rule so a confused (or hostile) server cannot write outside `dir`.
fn safe_name(name: &str) -> anyhow::Result<&str> {
    crate::api::validate_name("name", name).map_err(|e| anyhow!("server reported {e}"))?;
    Ok(name)
}

/// HTTP access to the server being backed up.
struct Remote {
    client: reqwest::blocking::Client,
    base: String,
    token: Option<String>,
}

impl Remote {
    fn get(&self, path: &str) -> anyhow::Result<reqwest::blocking::Response> {
        let url = format!("{}{path}", self.base);
        let mut req = self.client.get(&url);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().with_context(|| format!("GET {url}"))?;
        let status = resp.status();
        if !status.is_success() {
            // The problem JSON names the cause (401 without a token, …).
            let body: String = resp.text().unwrap_or_default().chars().take(500).collect();
            bail!("GET {url} answered {status}: {body}");
        }
        Ok(resp)
    }

    fn json(&self, path: &str) -> anyhow::Result<serde_json::Value> {
        let url = format!("{}{path}", self.base);
        self.get(path)?
            .json()
            .with_context(|| format!("GET {url}: not JSON"))
    }

    /// Streams `path` into `file`, hashing on the way.
    fn download(&self, path: &str, file: &Path) -> anyhow::Result<(String, u64)> {
        let mut resp = self.get(path)?;
        let out =
            std::fs::File::create(file).with_context(|| format!("creating {}", file.display()))?;
        let mut w = Hashing {
            inner: std::io::BufWriter::new(out),
            hash: Sha256::new(),
            bytes: 0,
        };
        std::io::copy(&mut resp, &mut w)
            .with_context(|| format!("downloading {path} to {}", file.display()))?;
        w.flush()?;
        w.inner
            .into_inner()
            .map_err(|e| anyhow!("writing {}: {}", file.display(), e.error()))?
            .sync_all()?;
        Ok((hex(&w.hash.finalize()), w.bytes))
    }
}

fn text_field(v: &serde_json::Value, key: &str) -> anyhow::Result<String> {
    v.get(key)
        .and_then(|x| x.as_str())
        .map(str::to_string)
        .ok_or_else(|| anyhow!("server answer lacks the string field {key:?}: {v}"))
}

fn opt_text(v: &serde_json::Value, key: &str) -> Option<String> {
    v.get(key).and_then(|x| x.as_str()).map(str::to_string)
}

/// Counts the units of a TMX file by reading it (proves it parses, too).
fn count_tmx(path: &Path, src: &str, tgt: &str) -> anyhow::Result<u64> {
    let f = std::fs::File::open(path)?;
    let reader = crate::formats::tmx::TmxReader::new(f, src, tgt)
        .map_err(|e| anyhow!("{}: {}", path.display(), e.message))?;
    let mut n = 0;
    for item in reader {
        match item {
            Ok(_) => n += 1,
            Err(e) => bail!("{}: line {:?}: {}", path.display(), e.line, e.message),
        }
    }
    Ok(n)
}

/// Counts the entries of a TBX file by reading it.
fn count_tbx(path: &Path) -> anyhow::Result<u64> {
    let f = std::fs::File::open(path)?;
    let reader = crate::formats::tbx::TbxReader::new(f)
        .map_err(|e| anyhow!("{}: {}", path.display(), e.message))?;
    let mut n = 0;
    for item in reader {
        match item {
            Ok(_) => n += 1,
            Err(e) => bail!("{}: line {:?}: {}", path.display(), e.line, e.message),
        }
    }
    Ok(n)
}

/// The collection's metadata (`meta_path`) and its export (`export_path`,
/// a point-in-time snapshot) into `file`: the metadata, checksum and size.
fn export_once(
    remote: &Remote,
    meta_path: &str,
    export_path: &str,
    file: &Path,
) -> anyhow::Result<(serde_json::Value, String, u64)> {
    let meta = remote.json(meta_path)?;
    let (sha, bytes) = remote.download(export_path, file)?;
    Ok((meta, sha, bytes))
}

fn items<'a>(v: &'a serde_json::Value, key: &str) -> anyhow::Result<&'a Vec<serde_json::Value>> {
    v.get(key)
        .and_then(|x| x.as_array())
        .ok_or_else(|| anyhow!("server answer lacks the array {key:?}"))
}

/// Writes a backup of the server at `base_url` into `dir` (created; must be
/// empty): `memories/<name>.tmx`, `termbases/<name>.tbx` and, last,
/// `manifest.json`, so a directory with a manifest is a complete backup.
/// `token` is sent as `Authorization: Bearer` (the read token suffices).
///
/// Blocking; do not call it from inside an async runtime's worker thread.
pub fn backup(base_url: &str, token: Option<&str>, dir: &Path) -> anyhow::Result<Manifest> {
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty; back up into a new or empty directory",
                dir.display()
            );
        }
    }
    std::fs::create_dir_all(dir.join("memories"))
        .with_context(|| format!("creating {}", dir.display()))?;
    std::fs::create_dir_all(dir.join("termbases"))?;
    let remote = Remote {
        client: reqwest::blocking::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            // Exports of large memories stream for minutes; no total timeout.
            .timeout(None)
            .build()?,
        base: base_url.trim_end_matches('/').to_string(),
        token: token.map(str::to_string),
    };

    let mut memories = Vec::new();
    for m in items(&remote.json("/v1/memories")?, "memories")? {
        let name = text_field(m, "name")?;
        let name = safe_name(&name)?;
        let file = format!("memories/{name}.tmx");
        let path = dir.join(&file);
        let (meta, sha256, bytes) = export_once(
            &remote,
            &format!("/v1/memories/{name}"),
            &format!("/v1/memories/{name}/export?format=tmx"),
            &path,
        )?;
        let source_lang = text_field(&meta, "source_lang")?;
        let target_lang = text_field(&meta, "target_lang")?;
        let units = count_tmx(&path, &source_lang, &target_lang)?;
        memories.push(MemoryBackup {
            name: name.to_string(),
            source_lang,
            target_lang,
            description: opt_text(&meta, "description"),
            units,
            file,
            bytes,
            sha256,
            times: times_of(&meta),
        });
    }

    let mut termbases = Vec::new();
    for t in items(&remote.json("/v1/termbases")?, "termbases")? {
        let name = text_field(t, "name")?;
        let name = safe_name(&name)?;
        let file = format!("termbases/{name}.tbx");
        let path = dir.join(&file);
        let (meta, sha256, bytes) = export_once(
            &remote,
            &format!("/v1/termbases/{name}"),
            &format!("/v1/termbases/{name}/export?format=tbx"),
            &path,
        )?;
        let entries = count_tbx(&path)?;
        termbases.push(TermBaseBackup {
            name: name.to_string(),
            description: opt_text(&meta, "description"),
            entries,
            file,
            bytes,
            sha256,
            times: times_of(&meta),
        });
    }

    let manifest = Manifest {
        version: MANIFEST_VERSION,
        created: Utc::now(),
        mustalah_version: env!("CARGO_PKG_VERSION").to_string(),
        memories,
        termbases,
    };
    // Written last and renamed into place: its presence means "complete".
    let tmp = dir.join(".manifest.json.part");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&manifest)?)?;
    std::fs::rename(&tmp, dir.join(MANIFEST_FILE))?;
    Ok(manifest)
}

/// Reads and checks a backup's manifest and files (names, sizes, checksums)
/// without touching any store.
pub fn verify(dir: &Path) -> anyhow::Result<Manifest> {
    let mpath = dir.join(MANIFEST_FILE);
    let raw = std::fs::read(&mpath).with_context(|| format!("reading {}", mpath.display()))?;
    let manifest: Manifest = serde_json::from_slice(&raw)
        .with_context(|| format!("{} is not a mustalah manifest", mpath.display()))?;
    if manifest.version != MANIFEST_VERSION {
        bail!(
            "{} has manifest version {}; this build reads version {MANIFEST_VERSION}",
            mpath.display(),
            manifest.version
        );
    }
    let files = manifest
        .memories
        .iter()
        .map(|m| (&m.name, &m.file, m.bytes, &m.sha256, "tmx"))
        .chain(
            manifest
                .termbases
                .iter()
                .map(|t| (&t.name, &t.file, t.bytes, &t.sha256, "tbx")),
        );
    for (name, file, bytes, sha, ext) in files {
        safe_name(name)?;
        let kind = if ext == "tmx" {
            "memories"
        } else {
            "termbases"
        };
        // The manifest could be edited by hand: only the file name we would
        // have written is accepted, so nothing outside `dir` is read.
        if *file != format!("{kind}/{name}.{ext}") {
            bail!("manifest names the file {file:?} for {name}; expected {kind}/{name}.{ext}");
        }
        let (got_sha, got_bytes) = hash_file(&dir.join(file))?;
        if got_bytes != bytes || got_sha != *sha {
            bail!(
                "{file}: checksum mismatch (manifest: {bytes} bytes, sha256 {sha}; file: {got_bytes} bytes, sha256 {got_sha}); the backup is damaged"
            );
        }
    }
    Ok(manifest)
}

/// Restores the backup in `dir` into `data_dir`, which must be missing or
/// empty (no server may be running on it). Every checksum is verified
/// before anything is written; each collection is created with its language
/// pair and description and its file imported; the store is flushed. The
/// restored counts must equal the manifest's, else this fails.
pub fn restore(data_dir: &Path, dir: &Path) -> anyhow::Result<Manifest> {
    if data_dir.exists() {
        let mut entries = std::fs::read_dir(data_dir)
            .with_context(|| format!("reading {}", data_dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty; restore into a new or empty data directory",
                data_dir.display()
            );
        }
    }
    let manifest = verify(dir)?;
    let store = Store::open(data_dir)?;
    let memories = Memories::open(&store)?;
    let termbases = TermBases::open(&store)?;

    for m in &manifest.memories {
        memories
            .create(
                &m.name,
                &m.source_lang,
                &m.target_lang,
                m.description.clone(),
            )
            .map_err(|e| anyhow!("memory {}: {e}", m.name))?;
        let report = memories
            .import_file(
                &m.name,
                &dir.join(&m.file),
                Some(Format::Tmx),
                false,
                &mut |_| {},
            )
            .map_err(|e| anyhow!("memory {}: {e}", m.name))?;
        if let Some(e) = report.errors.first() {
            bail!(
                "memory {}: {} unit(s) refused, first: {}",
                m.name,
                report.errors_total,
                e.message
            );
        }
        if let Some(t) = m.times {
            memories
                .restore_times(&m.name, t.created, t.modified)
                .map_err(|e| anyhow!("memory {}: {e}", m.name))?;
        }
        let units = memories.get_meta(&m.name)?.units;
        if units != m.units {
            bail!(
                "memory {}: restored {units} units, the manifest says {}",
                m.name,
                m.units
            );
        }
    }
    for t in &manifest.termbases {
        termbases
            .create(&t.name, t.description.clone())
            .map_err(|e| anyhow!("term base {}: {e}", t.name))?;
        let report = termbases
            .import_file(
                &t.name,
                &dir.join(&t.file),
                Some(Format::Tbx),
                ImportOptions::default(),
                &mut |_| {},
            )
            .map_err(|e| anyhow!("term base {}: {e}", t.name))?;
        if let Some(e) = report.errors.first() {
            bail!(
                "term base {}: {} entr(y/ies) refused, first: {}",
                t.name,
                report.errors_total,
                e.message
            );
        }
        if let Some(times) = t.times {
            termbases
                .restore_times(&t.name, times.created, times.modified)
                .map_err(|e| anyhow!("term base {}: {e}", t.name))?;
        }
        let entries = termbases.get_meta(&t.name)?.entries as u64;
        if entries != t.entries {
            bail!(
                "term base {}: restored {entries} entries, the manifest says {}",
                t.name,
                t.entries
            );
        }
    }
    // The restored data is the user's, not a first start: mark it seeded
    // (the key `seed::load_if_first_start` checks) so the seed glossary is
    // not merged into a restored `tech` and a deleted `default` memory does
    // not come back.
    crate::seed::mark_seeded(&store)?;
    Ok(manifest)
}

/// What [`compact`] did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompactReport {
    /// Bytes of the data dir before.
    pub bytes_before: u64,
    /// Bytes after.
    pub bytes_after: u64,
    /// What was carried over (the same as a backup's manifest).
    pub manifest: Manifest,
}

/// Bytes of the files under `dir`.
fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Exports every collection of an opened store into `dir` as a backup
/// (the files and manifest [`restore`] reads).
fn backup_store(
    memories: &Memories,
    termbases: &TermBases,
    dir: &Path,
) -> anyhow::Result<Manifest> {
    std::fs::create_dir_all(dir.join("memories"))?;
    std::fs::create_dir_all(dir.join("termbases"))?;
    let create = |file: &str| -> anyhow::Result<Hashing<std::io::BufWriter<std::fs::File>>> {
        let path = dir.join(file);
        let out =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Hashing {
            inner: std::io::BufWriter::new(out),
            hash: Sha256::new(),
            bytes: 0,
        })
    };
    let finish =
        |mut w: Hashing<std::io::BufWriter<std::fs::File>>| -> anyhow::Result<(String, u64)> {
            w.flush()?;
            w.inner
                .into_inner()
                .map_err(|e| anyhow!("writing the export: {}", e.error()))?
                .sync_all()?;
            Ok((hex(&w.hash.finalize()), w.bytes))
        };
    let mut mems = Vec::new();
    for info in memories.list()? {
        let meta = info.meta;
        let file = format!("memories/{}.tmx", safe_name(&meta.name)?);
        let mut w = create(&file)?;
        memories.export(&meta.name, Format::Tmx, &mut w)?;
        let (sha256, bytes) = finish(w)?;
        mems.push(MemoryBackup {
            name: meta.name.clone(),
            source_lang: meta.source_lang,
            target_lang: meta.target_lang,
            description: meta.description,
            units: info.units,
            file,
            bytes,
            sha256,
            times: Some(Times {
                created: meta.created,
                modified: meta.modified,
            }),
        });
    }
    let mut tbs = Vec::new();
    for info in termbases.list() {
        let file = format!("termbases/{}.tbx", safe_name(&info.name)?);
        let mut w = create(&file)?;
        termbases.export(&info.name, Format::Tbx, &mut w)?;
        let (sha256, bytes) = finish(w)?;
        tbs.push(TermBaseBackup {
            name: info.name,
            description: info.description,
            entries: info.entries as u64,
            file,
            bytes,
            sha256,
            times: Some(Times {
                created: info.created,
                modified: info.modified,
            }),
        });
    }
    let manifest = Manifest {
        version: MANIFEST_VERSION,
        created: Utc::now(),
        mustalah_version: env!("CARGO_PKG_VERSION").to_string(),
        memories: mems,
        termbases: tbs,
    };
    std::fs::write(
        dir.join(MANIFEST_FILE),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    Ok(manifest)
}

/// Rewrites the data dir (no server may run on it) to give back the disk
/// space of deleted data, which sled keeps for reuse but never returns:
/// every collection is exported next to it, restored into a fresh store
/// (checksums and counts verified as by [`restore`]), and the fresh store
/// renamed into place; the old one is removed last. Unit ids are
/// renumbered (as by a restore); entry ids and every time but the term
/// entries' own are kept. Interrupted, it leaves the original data dir in
/// place, or (between the two renames) in `.<name>.compact/old`.
pub fn compact(data_dir: &Path) -> anyhow::Result<CompactReport> {
    let name = data_dir
        .file_name()
        .ok_or_else(|| anyhow!("{} names no directory", data_dir.display()))?
        .to_string_lossy()
        .into_owned();
    let parent = match data_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let work = parent.join(format!(".{name}.compact"));
    if work.exists() {
        bail!(
            "{} exists: an earlier compact was interrupted; if {} is missing, move {}/old back to it, then remove {}",
            work.display(),
            data_dir.display(),
            work.display(),
            work.display()
        );
    }
    if !data_dir.join("db").exists() {
        bail!("{} holds no mustalah store", data_dir.display());
    }
    let bytes_before = dir_bytes(data_dir);
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    {
        let store = Store::open(data_dir)?;
        let memories = Memories::open(&store)?;
        let termbases = TermBases::open(&store)?;
        backup_store(&memories, &termbases, &work.join("backup"))?;
    }
    let fresh = work.join("new");
    let manifest = restore(&fresh, &work.join("backup"))?;
    let old = work.join("old");
    std::fs::rename(data_dir, &old)
        .with_context(|| format!("moving {} aside", data_dir.display()))?;
    std::fs::rename(&fresh, data_dir)
        .with_context(|| format!("moving the compacted store to {}", data_dir.display()))?;
    std::fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
    Ok(CompactReport {
        bytes_before,
        bytes_after: dir_bytes(data_dir),
        manifest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_gives_back_the_space_of_a_deleted_memory_and_keeps_the_rest() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        let (kept, created) = {
            let store = Store::open(&data).unwrap();
            let memories = Memories::open(&store).unwrap();
            let termbases = TermBases::open(&store).unwrap();
            memories.create("keep", "en", "ar", None).unwrap();
            let d = crate::memory::tests::draft("Save the file", "احفظ الملف");
            let kept = memories.add_units("keep", vec![d]).unwrap().ids[0];
            memories.create("gone", "en", "ar", None).unwrap();
            for b in 0..3 {
                let drafts = (0..10_000)
                    .map(|i| {
                        crate::memory::tests::draft(
                            &format!("Line {b}-{i} of a memory that will be deleted"),
                            &format!("السطر {b}-{i} من ذاكرة ستحذف"),
                        )
                    })
                    .collect();
                memories.add_units("gone", drafts).unwrap();
            }
            termbases.create("tech", Some("تقنية".into())).unwrap();
            termbases
                .create_concept(
                    "tech",
                    crate::termbase::tests::draft(Some("gpu"), &["معالج رسومي"], &["GPU"]),
                )
                .unwrap();
            memories.delete("gone").unwrap();
            store.flush_blocking().unwrap();
            let created = memories.get_meta("keep").unwrap().meta.created;
            (memories.get_unit("keep", kept).unwrap(), created)
        };
        // sled may hold its lock a moment after the last handle is gone.
        let report = (0..100)
            .find_map(|_| match compact(&data) {
                Err(e) if e.to_string().contains("in use") => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    None
                }
                other => Some(other),
            })
            .unwrap()
            .unwrap();
        assert!(
            report.bytes_after * 2 < report.bytes_before,
            "{} -> {} bytes",
            report.bytes_before,
            report.bytes_after
        );
        assert!(!root.path().join(".data.compact").exists());
        let store = crate::memory::tests::reopen(&data);
        let memories = Memories::open(&store).unwrap();
        let termbases = TermBases::open(&store).unwrap();
        let names: Vec<String> = memories
            .list()
            .unwrap()
            .into_iter()
            .map(|m| m.meta.name)
            .collect();
        assert_eq!(names, vec!["keep"]);
        let meta = memories.get_meta("keep").unwrap();
        assert_eq!((meta.units, meta.meta.created), (1, created));
        let unit = memories.get_unit("keep", 1).unwrap();
        assert_eq!(
            (&unit.source, &unit.target, unit.created, unit.modified),
            (&kept.source, &kept.target, kept.created, kept.modified)
        );
        let gpu = termbases.get_concept("tech", "gpu").unwrap();
        assert_eq!(gpu.terms["en"][0].text, "GPU");
        assert_eq!(
            termbases.get_meta("tech").unwrap().description.as_deref(),
            Some("تقنية")
        );
    }

    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(hex(&[0x00, 0x0f, 0xab]), "000fab");
    }

    #[test]
    fn sha256_of_a_known_string() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, "abc").unwrap();
        let (sha, n) = hash_file(&p).unwrap();
        assert_eq!(n, 3);
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    fn write_backup(dir: &Path, tmx: &str) -> Manifest {
        std::fs::create_dir_all(dir.join("memories")).unwrap();
        std::fs::create_dir_all(dir.join("termbases")).unwrap();
        std::fs::write(dir.join("memories/ui.tmx"), tmx).unwrap();
        let (sha256, bytes) = hash_file(&dir.join("memories/ui.tmx")).unwrap();
        let m = Manifest {
            version: MANIFEST_VERSION,
            created: Utc::now(),
            mustalah_version: "test".into(),
            memories: vec![MemoryBackup {
                name: "ui".into(),
                source_lang: "ar".into(),
                target_lang: "en".into(),
                description: Some("واجهة".into()),
                units: 2,
                file: "memories/ui.tmx".into(),
                bytes,
                sha256,
                times: None,
            }],
            termbases: vec![],
        };
        std::fs::write(dir.join(MANIFEST_FILE), serde_json::to_vec(&m).unwrap()).unwrap();
        m
    }

    const TMX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="ar" datatype="plaintext" segtype="sentence" adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="t"/>
<body>
<tu><tuv xml:lang="ar"><seg>احفظ الملف</seg></tuv><tuv xml:lang="en"><seg>Save the file</seg></tuv></tu>
<tu><tuv xml:lang="ar"><seg>وبالملفات</seg></tuv><tuv xml:lang="en"><seg>and with the files</seg></tuv></tu>
</body></tmx>"#;

    #[test]
    fn restore_imports_a_verified_backup() {
        let b = tempfile::tempdir().unwrap();
        let d = tempfile::tempdir().unwrap();
        write_backup(b.path(), TMX);
        let data = d.path().join("data");
        let m = restore(&data, b.path()).unwrap();
        assert_eq!(m.memories[0].units, 2);
        let store = Store::open(&data).unwrap();
        let mems = Memories::open(&store).unwrap();
        let info = mems.get_meta("ui").unwrap();
        assert_eq!(info.units, 2);
        assert_eq!(info.meta.description.as_deref(), Some("واجهة"));
        // A restored store is not a first start: the seed is not loaded.
        assert!(store.tree("meta").unwrap().contains_key(b"seeded").unwrap());
    }

    #[test]
    fn restore_refuses_damaged_files_and_non_empty_data_dirs() {
        let b = tempfile::tempdir().unwrap();
        let d = tempfile::tempdir().unwrap();
        write_backup(b.path(), TMX);
        // One byte changed after the manifest was written.
        std::fs::write(
            b.path().join("memories/ui.tmx"),
            TMX.replace("احفظ", "احفض"),
        )
        .unwrap();
        let err = restore(&d.path().join("data"), b.path()).unwrap_err();
        assert!(err.to_string().contains("checksum mismatch"), "{err}");
        assert!(
            !d.path().join("data").exists(),
            "nothing written before verification"
        );

        write_backup(b.path(), TMX);
        std::fs::write(d.path().join("occupied"), "x").unwrap();
        let err = restore(d.path(), b.path()).unwrap_err();
        assert!(err.to_string().contains("not empty"), "{err}");
    }

    #[test]
    fn manifest_file_names_cannot_escape_the_backup() {
        let b = tempfile::tempdir().unwrap();
        let mut m = write_backup(b.path(), TMX);
        m.memories[0].file = "../../etc/passwd".into();
        std::fs::write(
            b.path().join(MANIFEST_FILE),
            serde_json::to_vec(&m).unwrap(),
        )
        .unwrap();
        let err = verify(b.path()).unwrap_err();
        assert!(
            err.to_string().contains("expected memories/ui.tmx"),
            "{err}"
        );
    }
}
