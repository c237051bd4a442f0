//! The offline subcommands: they open the data dir directly (the server must
//! not be running on it: sled's lock refuses a second process with a clear
//! error) and call the domain, like the HTTP handlers do.

pub mod cat;

use crate::cli::{TermsCommand, TmCommand};
use crate::formats::Format;
use crate::memory::io::ImportStep;
use crate::memory::{lang_base, model::SearchQuery, Memories};
use crate::store::Store;
use crate::termbase::import::{ImportOptions, OnDuplicate};
use crate::termbase::TermBases;
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};

fn open_store(dir: &Path) -> anyhow::Result<Store> {
    Store::open(dir).with_context(|| format!("opening data dir {}", dir.display()))
}

/// A progress bar on standard error (hidden when it is not a terminal):
/// position of `total` (a spinner until the total is known), percent,
/// whole-number rate and ETA.
fn progress(what: &'static str, total: Option<u64>) -> indicatif::ProgressBar {
    let bar = match total {
        Some(t) => indicatif::ProgressBar::new(t),
        None => indicatif::ProgressBar::new_spinner(),
    };
    set_bar_style(&bar, what, total.is_some());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

fn set_bar_style(bar: &indicatif::ProgressBar, what: &'static str, with_total: bool) {
    let template = if with_total {
        "{msg:>9} [{bar:30}] {human_pos}/{human_len} {unit} {percent:>3}%  {rate}  ETA {eta}"
    } else {
        "{msg:>9} {spinner} {human_pos} {unit}  {rate}  {elapsed}"
    };
    let style = indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .with_key(
            "rate",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", s.per_sec());
            },
        )
        .with_key(
            "unit",
            move |_: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(what);
            },
        )
        .progress_chars("=> ");
    bar.set_style(style);
}

/// Whole units per second over `secs` (never a fraction: the figure is
/// for reading at a glance).
fn per_second(n: u64, secs: f64) -> u64 {
    (n as f64 / secs.max(1e-3)).round() as u64
}

fn output(path: Option<&Path>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

/// A UTF-8 copy of `file` read as `label` (in the data dir's spool), or
/// `None` when the label names UTF-8/UTF-16 (read natively).
fn utf8_copy(
    file: &Path,
    label: &str,
    data_dir: &Path,
) -> anyhow::Result<Option<crate::api::charset::Utf8Copy>> {
    let enc = crate::formats::decode::charset(label)?;
    if [
        encoding_rs::UTF_8,
        encoding_rs::UTF_16LE,
        encoding_rs::UTF_16BE,
    ]
    .contains(&enc)
    {
        return Ok(None);
    }
    let spool = data_dir.join("spool");
    std::fs::create_dir_all(&spool)?;
    let name = file.file_name().unwrap_or_default();
    let copy = crate::api::charset::Utf8Copy::into(file, enc, &spool.join(name))
        .with_context(|| format!("reading {} as {label}", file.display()))?;
    Ok(Some(copy))
}

fn shown_output(path: Option<&Path>) -> String {
    path.map_or_else(|| "standard output".into(), |p| p.display().to_string())
}

/// Whether two language pairs are the same, by base language.
fn same_pair(a: &(String, String), b: &(String, String)) -> bool {
    lang_base(&a.0) == lang_base(&b.0) && lang_base(&a.1) == lang_base(&b.1)
}

/// The language pair a TMX import file states (header `srclang` and its
/// units' languages); `None` for other formats or when it shows none.
fn import_pair(file: &Path, declared: Option<Format>) -> anyhow::Result<Option<(String, String)>> {
    let is_tmx = match declared {
        Some(f) => f == Format::Tmx,
        None => {
            let head = crate::formats::decoded_head(
                std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?,
            )?;
            crate::formats::sniff(&head) == Some(Format::Tmx)
        }
    };
    if !is_tmx {
        return Ok(None);
    }
    Ok(crate::memory::io::tmx_pair(file)?)
}

fn format_arg(s: Option<&str>) -> Option<Format> {
    s.and_then(Format::parse)
}

/// Runs `mustalah terms …`.
pub fn terms(cmd: TermsCommand) -> anyhow::Result<()> {
    match cmd {
        TermsCommand::Import {
            file,
            termbase,
            format,
            encoding,
            on_duplicate,
            dry_run,
            data,
        } => {
            let store = open_store(&data.data_dir)?;
            let utf8 = match encoding.as_deref() {
                Some(label) => utf8_copy(&file, label, &data.data_dir)?,
                None => None,
            };
            let file = utf8
                .as_ref()
                .map_or(file.clone(), |c| c.path().to_path_buf());
            let tbs = TermBases::open(&store)?;
            if tbs.get_meta(&termbase).is_err() {
                tbs.create(&termbase, None)?;
            }
            let bar = progress("rows", None);
            bar.set_message("importing");
            let started = std::time::Instant::now();
            let opts = ImportOptions {
                on_duplicate: OnDuplicate::parse(&on_duplicate).unwrap_or_default(),
                dry_run,
            };
            let report = tbs.import_file(
                &termbase,
                &file,
                format_arg(format.as_deref()),
                opts,
                &mut |n| bar.set_position(n),
            )?;
            store.flush_blocking()?;
            bar.finish_and_clear();
            let secs = started.elapsed().as_secs_f64();
            let rows = report.entries_added
                + report.entries_updated
                + report.entries_unchanged
                + report.rows_skipped;
            eprintln!(
                "{}{} → term base {termbase}: {} added, {} updated, {} unchanged, {} rows skipped ({} errors, {} warnings) in {secs:.1} s ({} rows/s)",
                if dry_run { "dry run: " } else { "" },
                file.display(),
                report.entries_added,
                report.entries_updated,
                report.entries_unchanged,
                report.rows_skipped,
                report.errors_total,
                report.warnings.len(),
                per_second(rows, secs)
            );
            let line = |l: Option<u64>| l.map(|l| l.to_string()).unwrap_or_else(|| "?".into());
            for e in report.errors.iter().take(20) {
                eprintln!("  error: line {}: {} ({})", line(e.line), e.message, e.code);
            }
            for w in report.warnings.iter().take(20) {
                eprintln!(
                    "  warning: line {}: {} ({})",
                    line(w.line),
                    w.message,
                    w.code
                );
            }
            Ok(())
        }
        TermsCommand::Export {
            termbase,
            format,
            output: out,
            data,
        } => {
            let store = open_store(&data.data_dir)?;
            let tbs = TermBases::open(&store)?;
            let fmt = Format::parse(&format).unwrap_or(Format::Tbx);
            let started = std::time::Instant::now();
            let entries = tbs.get_meta(&termbase)?.entries;
            let mut w = output(out.as_deref())?;
            tbs.export(&termbase, fmt, &mut w)?;
            w.flush()?;
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "term base {termbase} → {}: {entries} entries as {} in {secs:.1} s ({} entries/s)",
                shown_output(out.as_deref()),
                fmt.as_str(),
                per_second(entries as u64, secs)
            );
            Ok(())
        }
        TermsCommand::Candidates {
            files,
            termbase,
            memory,
            lang,
            limit,
            min_freq,
            format,
            data,
        } => {
            let texts = files
                .iter()
                .map(|f| {
                    std::fs::read_to_string(f)
                        .with_context(|| format!("reading {} (UTF-8 text expected)", f.display()))
                })
                .collect::<anyhow::Result<Vec<String>>>()?;
            let store = open_store(&data.data_dir)?;
            let tbs = TermBases::open(&store)?;
            let mems = Memories::open(&store)?;
            candidates_report(
                &texts,
                &tbs,
                &mems,
                &termbase,
                memory.as_deref(),
                &lang,
                limit,
                min_freq,
                &format,
            )
        }
    }
}

/// Runs extraction for `mustalah terms candidates` and prints the result.
#[allow(clippy::too_many_arguments)]
fn candidates_report(
    texts: &[String],
    tbs: &TermBases,
    mems: &Memories,
    termbase: &str,
    memory: Option<&str>,
    lang: &str,
    limit: usize,
    min_freq: usize,
    format: &str,
) -> anyhow::Result<()> {
    use crate::candidates::{self, adapters::MemoryPairs, Adoption, Request};
    let target_lang = if lang == "ar" { "en" } else { "ar" };
    let rejected = tbs.rejected_keys(termbase)?;
    let names = vec![termbase.to_string()];
    let req = Request {
        texts,
        lang,
        target_lang,
        termbases: &names,
        limit,
        min_freq,
    };
    let recognizer = crate::suggest::adapters::TermBaseRecognizer { termbases: tbs };
    let pairs = memory.map(|name| MemoryPairs {
        memories: mems,
        name,
    });
    let source = pairs.as_ref().map(|p| p as &dyn candidates::PairSource);
    let found = candidates::extract(&req, &recognizer, source, &rejected)?;
    let mut out = std::io::stdout().lock();
    match format {
        "json" => {
            let dtos: Vec<crate::api::candidates::CandidateDto> =
                found.into_iter().map(Into::into).collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&dtos)?)?;
        }
        "csv" | "tbx" => {
            // Through a scratch term base, so the files are what an export
            // of adopted candidates would be (and import back as they are).
            let scratch = Store::temporary()?;
            let staged = TermBases::open(&scratch)?;
            staged.create("candidates", None)?;
            for c in &found {
                staged.create_concept("candidates", Adoption::of(c, target_lang).into_draft())?;
            }
            let fmt = if format == "csv" {
                Format::Csv
            } else {
                Format::Tbx
            };
            staged.export("candidates", fmt, &mut out)?;
        }
        _ => {
            writeln!(
                out,
                "{:>3}  {:<32} {:>5} {:>4} {:>7}  translation",
                "#", "term", "freq", "docs", "score"
            )?;
            for (i, c) in found.iter().enumerate() {
                let tr = c.translation.as_ref().map_or(String::new(), |t| {
                    format!("{} ({}/{} pairs)", t.text, t.evidence, t.pairs)
                });
                writeln!(
                    out,
                    "{:>3}  {:<32} {:>5} {:>4} {:>7.2}  {tr}",
                    i + 1,
                    c.term,
                    c.frequency,
                    c.document_frequency,
                    c.score
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// Runs `mustalah tm …`.
pub fn tm(cmd: TmCommand) -> anyhow::Result<()> {
    match cmd {
        TmCommand::Import {
            file,
            memory,
            format,
            encoding,
            source_lang,
            target_lang,
            dry_run,
            data,
        } => {
            let store = open_store(&data.data_dir)?;
            let utf8 = match encoding.as_deref() {
                Some(label) => utf8_copy(&file, label, &data.data_dir)?,
                None => None,
            };
            let file = utf8
                .as_ref()
                .map_or(file.clone(), |c| c.path().to_path_buf());
            let mems = Memories::open(&store)?;
            let fmt = format_arg(format.as_deref());
            let file_pair = import_pair(&file, fmt)?;
            let stated = match (source_lang, target_lang) {
                (Some(s), Some(t)) => Some((s, t)),
                (None, None) => None,
                _ => anyhow::bail!("give both --source-lang and --target-lang, or neither"),
            };
            let mut created = false;
            match mems.get_meta(&memory) {
                Ok(info) => {
                    let have = (info.meta.source_lang.clone(), info.meta.target_lang.clone());
                    if let Some(s) = &stated {
                        if !same_pair(s, &have) {
                            anyhow::bail!(
                                "memory '{memory}' is {}→{}, not {}→{}; choose another --memory to create one with that pair",
                                have.0, have.1, s.0, s.1
                            );
                        }
                    } else if let Some(f) = &file_pair {
                        if !same_pair(f, &have) {
                            anyhow::bail!(
                                "{} is {}→{} (its header's srclang and languages), but memory '{memory}' is {}→{}: nothing imported. Import it into a memory of its own pair (--memory NEW_NAME creates one), or pass --source-lang {} --target-lang {} to read it into this memory by language",
                                file.display(), f.0, f.1, have.0, have.1, have.0, have.1
                            );
                        }
                    }
                }
                Err(crate::memory::Error::MemoryNotFound(_)) => {
                    let (s, t) = match stated.or(file_pair) {
                        Some(p) => p,
                        None => {
                            eprintln!(
                                "note: the file does not show its language pair; creating memory '{memory}' as ar→en (pass --source-lang/--target-lang to choose)"
                            );
                            ("ar".to_string(), "en".to_string())
                        }
                    };
                    if !dry_run {
                        mems.create(&memory, &s, &t, None)?;
                        created = true;
                        eprintln!("created memory '{memory}' ({s}→{t})");
                    } else {
                        anyhow::bail!(
                            "memory '{memory}' does not exist (a dry run creates nothing; it would be created as {s}→{t})"
                        );
                    }
                }
                Err(e) => return Err(e.into()),
            }
            let bar = progress("units", None);
            bar.set_message("checking");
            let started = std::time::Instant::now();
            let mut writing = false;
            let report =
                mems.import_file_with(&memory, &file, fmt, dry_run, &mut |step| match step {
                    ImportStep::Checked(n) => bar.set_position(n),
                    ImportStep::Written { done, total } => {
                        if !writing {
                            writing = true;
                            bar.reset();
                            bar.set_length(total);
                            set_bar_style(&bar, "units", true);
                            bar.set_message("writing");
                        }
                        bar.set_position(done);
                    }
                });
            bar.finish_and_clear();
            let report = match report {
                Ok(r) => r,
                Err(e) => {
                    // A refused file leaves no empty memory behind.
                    if created {
                        mems.delete(&memory)?;
                        store.flush_blocking()?;
                    }
                    return Err(e.into());
                }
            };
            store.flush_blocking()?;
            let secs = started.elapsed().as_secs_f64();
            let units = report.units_added + report.units_updated + report.units_unchanged;
            eprintln!(
                "{}{} → memory {memory}: {} added, {} updated, {} unchanged, {} skipped ({} errors, {} warnings) in {secs:.1} s ({} units/s)",
                if dry_run { "dry run: " } else { "" },
                file.display(),
                report.units_added,
                report.units_updated,
                report.units_unchanged,
                report.units_skipped,
                report.errors_total,
                report.warnings_total,
                per_second(units, secs)
            );
            for e in report.errors.iter().take(20) {
                eprintln!("  error: {e} ({})", e.code);
            }
            for w in report.warnings.iter().take(5) {
                eprintln!("  warning: {w} ({})", w.code);
            }
            if report.warnings_total > 5 {
                eprintln!("  … {} more warnings", report.warnings_total - 5);
            }
            Ok(())
        }
        TmCommand::Export {
            memory,
            format,
            output: out,
            data,
        } => {
            let store = open_store(&data.data_dir)?;
            let mems = Memories::open(&store)?;
            let fmt = Format::parse(&format).unwrap_or(Format::Tmx);
            let source = mems.export_source(&memory, &std::env::temp_dir())?;
            let total = source.units();
            let bar = progress("units", Some(total));
            bar.set_message("exporting");
            let started = std::time::Instant::now();
            let mut w = output(out.as_deref())?;
            source.write_with(fmt, &mut w, &mut |n| bar.set_position(n))?;
            w.flush()?;
            bar.finish_and_clear();
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "memory {memory} → {}: {total} units as {} in {secs:.1} s ({} units/s)",
                shown_output(out.as_deref()),
                fmt.as_str(),
                per_second(total, secs)
            );
            Ok(())
        }
        TmCommand::Align(args) => align(args),
        TmCommand::Search {
            text,
            memory,
            min_score,
            limit,
            json,
            data,
        } => {
            let store = open_store(&data.data_dir)?;
            let mems = Memories::open(&store)?;
            let matches = mems.search(
                &memory,
                &SearchQuery {
                    text,
                    source_lang: None,
                    target_lang: None,
                    min_score: min_score.min(101),
                    limit: limit.clamp(1, 100),
                    context: None,
                },
            )?;
            if json {
                let v: Vec<serde_json::Value> = matches
                    .iter()
                    .map(|m| {
                        serde_json::json!({
                            "id": m.id, "score": m.score, "source": m.source, "target": m.target,
                            "penalties": m.penalties, "diff": m.diff,
                        })
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "matches": v }))?
                );
            } else if matches.is_empty() {
                println!("no match at or above {min_score}");
            } else {
                for m in &matches {
                    println!(
                        "{:>3}  #{}  {}\n     → {}",
                        m.score, m.id, m.source, m.target
                    );
                }
            }
            Ok(())
        }
    }
}

/// Runs `mustalah suggest FILE`.
pub fn suggest(args: crate::cli::SuggestArgs) -> anyhow::Result<()> {
    use crate::suggest::{self, adapters, model::SuggestRequest};
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {} (UTF-8 text expected)", args.file.display()))?;
    let store = open_store(&args.data.data_dir)?;
    let termbases = TermBases::open(&store)?;
    let memories = Memories::open(&store)?;
    let req = SuggestRequest {
        text: Some(text),
        segments: None,
        source_lang: args.source_lang,
        target_lang: args.target_lang,
        memories: args.memories,
        termbases: args.termbases,
        min_score: args.min_score,
        limit: args.limit,
        infer_direction: false,
    };
    let resp = suggest::suggest(
        &req,
        &adapters::TermBaseRecognizer {
            termbases: &termbases,
        },
        &adapters::MemorySource {
            memories: &memories,
        },
    )?;
    if args.json {
        let dto = crate::api::suggest::SuggestResponseDto::from(resp);
        println!("{}", serde_json::to_string_pretty(&dto)?);
    } else {
        print!("{}", suggest::render_report(&resp));
    }
    Ok(())
}

/// A spinner with elapsed time, for work whose size is not known ahead.
fn spinner(what: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {spinner} {elapsed}") {
        bar.set_style(style);
    }
    bar.set_message(what);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// One line saying what a backup or restore holds.
fn manifest_summary(m: &crate::backup::Manifest) -> String {
    let units: u64 = m.memories.iter().map(|x| x.units).sum();
    let entries: u64 = m.termbases.iter().map(|x| x.entries).sum();
    let bytes: u64 = m.memories.iter().map(|x| x.bytes).sum::<u64>()
        + m.termbases.iter().map(|x| x.bytes).sum::<u64>();
    format!(
        "{} memories ({units} units), {} term bases ({entries} entries), {:.1} MB",
        m.memories.len(),
        m.termbases.len(),
        bytes as f64 / 1e6
    )
}

/// Runs `mustalah backup DIR`: a spinner while it runs, a summary line.
pub fn backup(args: crate::cli::BackupArgs) -> anyhow::Result<()> {
    let bar = spinner("backing up");
    let started = std::time::Instant::now();
    let manifest = crate::backup::backup(&args.url, args.token.as_deref(), &args.dir);
    bar.finish_and_clear();
    let manifest = manifest?;
    eprintln!(
        "backup of {} → {}: {} in {:.1} s",
        args.url,
        args.dir.display(),
        manifest_summary(&manifest),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Runs `mustalah restore DIR --data-dir EMPTY_DIR`: a spinner while it
/// runs, a summary line.
pub fn restore(args: crate::cli::RestoreArgs) -> anyhow::Result<()> {
    let bar = spinner("restoring");
    let started = std::time::Instant::now();
    let manifest = crate::backup::restore(&args.data.data_dir, &args.dir);
    bar.finish_and_clear();
    let manifest = manifest?;
    eprintln!(
        "restored {} into {}: {} in {:.1} s",
        args.dir.display(),
        args.data.data_dir.display(),
        manifest_summary(&manifest),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The document pairs of `tm align`: (origin, source file, target file).
fn align_pairs(args: &crate::cli::AlignArgs) -> anyhow::Result<Vec<(String, PathBuf, PathBuf)>> {
    let strip = |p: &Path, lang: &str| -> String {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        name.strip_suffix(&format!(".{lang}.txt"))
            .or_else(|| name.strip_suffix(".txt"))
            .unwrap_or(&name)
            .to_string()
    };
    let Some(dir) = &args.pairs else {
        let (Some(s), Some(t)) = (&args.source_file, &args.target_file) else {
            anyhow::bail!("give SOURCE TARGET files or --pairs DIR");
        };
        let origin = args
            .origin
            .clone()
            .unwrap_or_else(|| strip(s, &args.source_lang));
        return Ok(vec![(origin, s.clone(), t.clone())]);
    };
    let suffix = format!(".{}.txt", args.source_lang);
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let p = entry?.path();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let Some(stem) = name.strip_suffix(&suffix) else {
            continue;
        };
        let t = dir.join(format!("{stem}.{}.txt", args.target_lang));
        if t.is_file() {
            out.push((stem.to_string(), p.clone(), t));
        } else {
            missing.push(name);
        }
    }
    for m in missing {
        eprintln!(
            "skipped: {m} has no {}.txt translation beside it",
            args.target_lang
        );
    }
    out.sort();
    if out.is_empty() {
        anyhow::bail!(
            "no NAME{suffix} with a NAME.{}.txt in {}",
            args.target_lang,
            dir.display()
        );
    }
    Ok(out)
}

/// Runs `mustalah tm align …`.
fn align(args: crate::cli::AlignArgs) -> anyhow::Result<()> {
    use crate::bitext::{self, AlignRequest};
    use crate::formats::term_delimited::tsv_escape;
    use crate::suggest::adapters::TermBaseRecognizer;
    let pairs = align_pairs(&args)?;
    let store = open_store(&args.data.data_dir)?;
    let termbases = TermBases::open(&store)?;
    let mems = Memories::open(&store)?;
    if mems.get_meta(&args.memory).is_err() && !args.dry_run {
        mems.create(&args.memory, &args.source_lang, &args.target_lang, None)?;
    }
    let swap = match mems.get_meta(&args.memory) {
        Ok(info) => bitext::units::orientation(&info.meta, &args.source_lang, &args.target_lang)?,
        Err(_) => false,
    };
    let mut known = Vec::new();
    for tb in &args.termbases {
        if termbases.get_meta(tb).is_ok() {
            known.push(tb.clone());
        } else {
            eprintln!("skipped: term base {tb} does not exist; aligning without its concepts");
        }
    }
    let rec = TermBaseRecognizer {
        termbases: &termbases,
    };
    let bar = indicatif::ProgressBar::new(pairs.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} pairs {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut review: Vec<(f32, String)> = Vec::new();
    let (mut added, mut updated, mut removed, mut links, mut failed) = (0, 0, 0, 0, 0);
    let started = std::time::Instant::now();
    for (origin, s, t) in &pairs {
        bar.set_message(origin.clone());
        let read = |p: &Path| {
            std::fs::read_to_string(p)
                .with_context(|| format!("reading {} (UTF-8 text expected)", p.display()))
        };
        let req = AlignRequest {
            source_text: read(s)?,
            target_text: read(t)?,
            source_lang: args.source_lang.clone(),
            target_lang: args.target_lang.clone(),
            termbases: known.clone(),
            min_quality: 0.0,
        };
        let alignment = match bitext::align(&req, &rec) {
            Ok(a) => a,
            Err(e) if e.is_user_fault() && pairs.len() > 1 => {
                bar.suspend(|| eprintln!("skipped: {origin}: {e}"));
                failed += 1;
                bar.inc(1);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let drafts = bitext::units::drafts(&alignment, swap, args.min_quality);
        links += drafts.drafts.len();
        if mems.get_meta(&args.memory).is_ok() {
            let w = mems.replace_aligned(&args.memory, origin, drafts.drafts, args.dry_run)?;
            added += w.added;
            updated += w.updated + w.unchanged;
            removed += w.removed;
        } else {
            // A dry run into a memory that does not exist yet: all new.
            added += drafts.drafts.len() as u64;
        }
        if args.review.is_some() {
            for l in &alignment.pairs {
                let mut row = format!(
                    "{:.3}\t{}\t{}\t{}",
                    l.quality,
                    l.kind.as_str(),
                    tsv_escape(&l.source),
                    tsv_escape(&l.target)
                );
                if args.pairs.is_some() {
                    row.push('\t');
                    row.push_str(&tsv_escape(origin));
                }
                review.push((l.quality, row));
            }
        }
        bar.inc(1);
    }
    if !args.dry_run {
        store.flush_blocking()?;
    }
    bar.finish_and_clear();
    if let Some(path) = &args.review {
        review.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut w = output(Some(path))?;
        let origin_col = if args.pairs.is_some() { "\torigin" } else { "" };
        writeln!(w, "quality\tkind\tsource\ttarget{origin_col}")?;
        for (_, row) in &review {
            writeln!(w, "{row}")?;
        }
        w.flush()?;
    }
    eprintln!(
        "{}{} pair(s), {links} links stored: {added} added, {updated} updated, {removed} removed{} in {:.1} s",
        if args.dry_run { "dry run: " } else { "" },
        pairs.len() - failed,
        if failed > 0 { format!(", {failed} pair(s) skipped") } else { String::new() },
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
