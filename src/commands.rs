//! The offline subcommands: they open the data dir directly (the server must
//! not be running on it: sled's lock refuses a second process with a clear
//! error) and call the domain, like the HTTP handlers do.

use crate::cli::{TermsCommand, TmCommand};
use crate::formats::Format;
use crate::memory::{model::SearchQuery, Memories};
use crate::store::Store;
use crate::termbase::import::{ImportOptions, OnDuplicate};
use crate::termbase::TermBases;
use anyhow::Context;
use std::io::Write;
use std::path::Path;

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
