//! The offline subcommands: they open the data dir directly (the server must
//! not be running on it: sled's lock refuses a second process with a clear
//! error) and call the domain, like the HTTP handlers do.

pub mod cat;

use crate::cli::{TermsCommand, TmCommand};
use crate::formats::Format;
use crate::memory::{model::SearchQuery, Memories};
use crate::store::Store;
use crate::termbase::import::{ImportOptions, OnDuplicate};
use crate::termbase::TermBases;
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};

fn open_store(dir: &Path) -> anyhow::Result<Store> {
    Store::open(dir).with_context(|| format!("opening data dir {}", dir.display()))
}

/// A progress display on standard error (hidden when it is not a terminal).
fn progress(what: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {elapsed_precise} {human_pos} {msg} ({per_sec})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message(what);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

fn output(path: Option<&Path>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
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
            on_duplicate,
            dry_run,
            data,
        } => {
            let store = open_store(&data.data_dir)?;
            let tbs = TermBases::open(&store)?;
            if tbs.get_meta(&termbase).is_err() {
                tbs.create(&termbase, None)?;
            }
            let bar = progress("rows");
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
            eprintln!(
                "{}{}: {} added, {} updated, {} unchanged, {} rows skipped ({} errors)",
                if dry_run { "dry run: " } else { "" },
                file.display(),
                report.entries_added,
                report.entries_updated,
                report.entries_unchanged,
                report.rows_skipped,
                report.errors_total
            );
            for e in report.errors.iter().take(20) {
                eprintln!(
                    "  line {}: {} ({})",
                    e.line.map(|l| l.to_string()).unwrap_or_else(|| "?".into()),
                    e.message,
                    e.code
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
            let mut w = output(out.as_deref())?;
            tbs.export(&termbase, fmt, &mut w)?;
            w.flush()?;
            Ok(())
        }
    }
}

/// Runs `mustalah tm …`.
pub fn tm(cmd: TmCommand) -> anyhow::Result<()> {
    match cmd {
        TmCommand::Import {
            file,
            memory,
            format,
            source_lang,
            target_lang,
            dry_run,
            data,
        } => {
            let store = open_store(&data.data_dir)?;
            let mems = Memories::open(&store)?;
            if mems.get_meta(&memory).is_err() {
                mems.create(&memory, &source_lang, &target_lang, None)?;
            }
            let bar = progress("units");
            let started = std::time::Instant::now();
            let report = mems.import_file(
                &memory,
                &file,
                format_arg(format.as_deref()),
                dry_run,
                &mut |n| bar.set_position(n),
            )?;
            store.flush_blocking()?;
            bar.finish_and_clear();
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "{}{}: {} added, {} updated, {} skipped ({} errors) in {:.1} s ({:.0} units/s)",
                if dry_run { "dry run: " } else { "" },
                file.display(),
                report.units_added,
                report.units_updated,
                report.units_skipped,
                report.errors_total,
                secs,
                (report.units_added + report.units_updated) as f64 / secs.max(1e-9)
            );
            for e in report.errors.iter().take(20) {
                eprintln!("  {e} ({})", e.code);
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
            let mut w = output(out.as_deref())?;
            mems.export(&memory, fmt, &mut w)?;
            w.flush()?;
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
            updated += w.updated;
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
