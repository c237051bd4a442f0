//! `mustalah xliff pretranslate` and `mustalah analyze`: offline on the data
//! dir (the engines over the real term bases and memories), or with `--url`
//! through a running server's `POST /v1/xliff/pretranslate` and
//! `POST /v1/analysis`.

use super::{open_store, progress};
use crate::analysis::{self, model::parse_weights, report, Analysis, AnalysisOptions, FileInput};
use crate::cli::{AnalysisFormat, AnalyzeArgs, PretranslateArgs, RemoteOrData};
use crate::memory::Memories;
use crate::pretranslate::{self, Options, Report};
use crate::suggest::adapters::{MemorySource, TermBaseRecognizer};
use crate::termbase::TermBases;
use anyhow::{bail, Context};
use std::io::Write;

fn client() -> anyhow::Result<reqwest::blocking::Client> {
    Ok(reqwest::blocking::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        // A large file against a large memory can take minutes.
        .timeout(None)
        .build()?)
}

/// POSTs `body` to `path` of the server; the answer's bytes and headers.
fn post(
    remote: &RemoteOrData,
    url: &str,
    path_and_query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> anyhow::Result<(Vec<u8>, reqwest::header::HeaderMap)> {
    let full = format!("{}{path_and_query}", url.trim_end_matches('/'));
    let mut req = client()?
        .post(&full)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body);
    if let Some(t) = &remote.token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().with_context(|| format!("POST {full}"))?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp
        .bytes()
        .with_context(|| format!("POST {full}"))?
        .to_vec();
    if !status.is_success() {
        let text: String = String::from_utf8_lossy(&bytes).chars().take(800).collect();
        bail!("POST {full} answered {status}: {text}");
    }
    Ok((bytes, headers))
}

fn query_pair(out: &mut Vec<String>, key: &str, value: &str) {
    let mut enc = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b',' | b':') {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    out.push(format!("{key}={enc}"));
}

/// Runs `mustalah xliff pretranslate`.
pub fn pretranslate(args: PretranslateArgs) -> anyhow::Result<()> {
    let input =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let opts = Options {
        memories: args.memories.clone(),
        termbases: args.termbases.clone(),
        min_score: args.min_score,
        fill_threshold: args.fill_threshold,
        max_matches: args.max_matches,
        source_lang: args.source_lang.clone(),
        target_lang: args.target_lang.clone(),
    };
    let bar = progress("pre-translating");
    let (bytes, summary) = match &args.remote.url {
        Some(url) => {
            let mut q = Vec::new();
            query_pair(&mut q, "memories", &opts.memories.join(","));
            if !opts.termbases.is_empty() {
                query_pair(&mut q, "termbases", &opts.termbases.join(","));
            }
            for (k, v) in [
                ("min_score", opts.min_score.to_string()),
                ("fill_threshold", opts.fill_threshold.to_string()),
                ("max_matches", opts.max_matches.to_string()),
            ] {
                query_pair(&mut q, k, &v);
            }
            for (k, v) in [
                ("source_lang", &opts.source_lang),
                ("target_lang", &opts.target_lang),
            ] {
                if let Some(v) = v {
                    query_pair(&mut q, k, v);
                }
            }
            let path = format!("/v1/xliff/pretranslate?{}", q.join("&"));
            let (bytes, headers) = post(&args.remote, url, &path, "application/xliff+xml", input)?;
            let h = |k: &str| {
                headers
                    .get(k)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("?")
                    .to_string()
            };
            let summary = format!(
                "{} segments, {} filled, {} offered matches, {} skipped, {} errors",
                h("x-mustalah-segments"),
                h("x-mustalah-filled"),
                h("x-mustalah-fuzzy"),
                h("x-mustalah-skipped"),
                h("x-mustalah-errors")
            );
            (bytes, summary)
        }
        None => {
            let store = open_store(&args.remote.data.data_dir)?;
            let termbases = TermBases::open(&store)?;
            let memories = Memories::open(&store)?;
            let out = pretranslate::pretranslate(
                &input,
                &opts,
                &TermBaseRecognizer {
                    termbases: &termbases,
                },
                &MemorySource {
                    memories: &memories,
                },
            )?;
            (out.bytes, summary_of(&out.report))
        }
    };
    bar.finish_and_clear();
    eprintln!("{}: {summary}", args.file.display());
    if args.dry_run {
        return Ok(());
    }
    let mut w = super::output(args.output.as_deref())?;
    w.write_all(&bytes)?;
    w.flush()?;
    Ok(())
}

fn summary_of(r: &Report) -> String {
    format!(
        "{} ({}→{}): {} segments, {} filled ({} exact), {} offered matches, {} skipped {:?}, {} with terms, {} demoted for tags, {} errors",
        r.flavour,
        r.source_lang,
        r.target_lang,
        r.segments,
        r.filled,
        r.filled_exact,
        r.fuzzy_offered,
        r.skipped_total(),
        r.skipped,
        r.with_terms,
        r.tags_differ,
        r.errors
    )
}

/// A `multipart/form-data` body with one part per file.
fn multipart(files: &[FileInput]) -> (String, Vec<u8>) {
    let boundary = format!("mustalah-{:016x}", std::process::id() as u64 * 0x9E37_79B9);
    let mut body = Vec::new();
    for f in files {
        let name = f.name.replace(['"', '\r', '\n'], "_");
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&f.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Runs `mustalah analyze`.
pub fn analyze(args: AnalyzeArgs) -> anyhow::Result<()> {
    let mut files = Vec::new();
    for p in &args.files {
        files.push(FileInput {
            name: p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            bytes: std::fs::read(p).with_context(|| format!("reading {}", p.display()))?,
        });
    }
    let weights = args
        .weights
        .as_deref()
        .map(parse_weights)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--weights: {e}"))?;
    let opts = AnalysisOptions {
        memories: args.memories.clone(),
        source_lang: None,
        target_lang: None,
        min_score: args.min_score,
        internal_fuzzy: args.internal_fuzzy,
        weights,
    };
    let bar = progress("analysing");
    let result: Analysis = match &args.remote.url {
        Some(url) => {
            let mut q = Vec::new();
            query_pair(&mut q, "memories", &opts.memories.join(","));
            query_pair(&mut q, "min_score", &opts.min_score.to_string());
            query_pair(&mut q, "internal_fuzzy", &opts.internal_fuzzy.to_string());
            if let Some(w) = &args.weights {
                query_pair(&mut q, "weights", w);
            }
            let (ct, body) = multipart(&files);
            let (bytes, _) = post(
                &args.remote,
                url,
                &format!("/v1/analysis?{}", q.join("&")),
                &ct,
                body,
            )?;
            bar.finish_and_clear();
            if args.format == AnalysisFormat::Json {
                std::io::stdout().write_all(&bytes)?;
                println!();
                return Ok(());
            }
            serde_json::from_slice(&bytes).context("the server's answer is not an analysis")?
        }
        None => {
            let store = open_store(&args.remote.data.data_dir)?;
            let memories = Memories::open(&store)?;
            analysis::analyze(
                &files,
                &opts,
                &MemorySource {
                    memories: &memories,
                },
            )?
        }
    };
    bar.finish_and_clear();
    let text = match args.format {
        AnalysisFormat::Table => report::to_table(&result),
        AnalysisFormat::Json => serde_json::to_string_pretty(&result)? + "\n",
        AnalysisFormat::Csv => report::to_csv(&result),
        AnalysisFormat::Xml => report::to_xml(&result),
    };
    print!("{text}");
    Ok(())
}
