//! Round trips of real third-party files, checked with translate-toolkit.
//!
//! Every TMX and TBX file of `../shared/data/peer/` (a conformance corpus
//! of other tools' files, see its README) is imported over HTTP into the
//! binary, exported again, and both files are read by translate-toolkit
//! (`tests/clients/ttk_dump.py`, in the venv `.ci/setup.d/20-python-clients.sh`
//! installs). Files the corpus marks valid must import; the export must hold
//! the same units (TMX: every unit with both languages of the pair and
//! non-blank text, keyed by its NFC texts and context) with their tuids,
//! notes, props (tu and tuv level), creator and dates, and the header's
//! notes and props; a second import of the same file must report every
//! unit unchanged. TBX: the same concepts and terms per language, and every
//! data-category field of the original either in the export or its kind
//! reported as an import warning (`tbx_field_dropped`/`_folded`/`_merged`).
//! Skipped cleanly without the shared data or the venv.

use crate::spawned::{client, serve, Spawned};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

fn peer_dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("../shared/data/peer"),
        PathBuf::from("/work/shared/data/peer"),
    ]
    .into_iter()
    .find(|p| p.join("SOURCES.tsv").is_file())
}

fn venv_python() -> Option<PathBuf> {
    let venv = std::env::var_os("MUSTALAH_CLIENTS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/clients-venv"));
    let py = venv.join("bin/python");
    let ok = std::process::Command::new(&py)
        .args(["-c", "import translate.storage.tmx, translate.storage.tbx"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(py)
}

/// `meant` of each file in the corpus' SOURCES.tsv.
fn meant(peer: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(peer.join("SOURCES.tsv")).expect("SOURCES.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (Some(file), Some(m)) = (col("file"), col("meant")) else {
        panic!("SOURCES.tsv lacks file/meant columns: {header:?}");
    };
    lines
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((f.get(file)?.to_string(), f.get(m)?.to_string()))
        })
        .collect()
}

fn dump(py: &Path, kind: &str, file: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/ttk_dump.py");
    let out = std::process::Command::new("timeout")
        .arg("300")
        .arg(py)
        .arg(script)
        .arg(kind)
        .arg(file)
        .output()
        .expect("runs python");
    assert!(
        out.status.success(),
        "translate-toolkit could not read {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("dump is JSON")
}

fn setup() -> Option<(PathBuf, PathBuf, tempfile::TempDir, Spawned)> {
    let Some(peer) = peer_dir() else {
        println!("skipped: ../shared/data/peer not found");
        return None;
    };
    let Some(py) = venv_python() else {
        println!(
            "skipped: translate-toolkit venv not installed (run .ci/setup.d/20-python-clients.sh)"
        );
        return None;
    };
    if !crate::spawned::has("timeout") {
        println!("skipped: timeout not installed");
        return None;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve(dir.path(), &["--no-seed"]);
    Some((peer, py, dir, server))
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn base(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The tuv of `tag` (exact tag first, then base language), not `skip`.
fn pick<'a>(tuvs: &'a [Value], tag: &str, skip: Option<usize>) -> Option<(usize, &'a Value)> {
    let lang = |t: &Value| t["lang"].as_str().unwrap_or("").to_string();
    let ok = |i: &usize| Some(*i) != skip;
    (0..tuvs.len())
        .filter(ok)
        .find(|&i| lang(&tuvs[i]).eq_ignore_ascii_case(tag))
        .or_else(|| {
            (0..tuvs.len())
                .filter(ok)
                .find(|&i| base(&lang(&tuvs[i])) == base(tag))
        })
        .map(|i| (i, &tuvs[i]))
}

/// What a unit carries, for comparison (sets: a merged unit holds the
/// union of its duplicates').
#[derive(Debug, Default)]
struct Carried {
    count: usize,
    tuids: BTreeSet<String>,
    notes: BTreeSet<String>,
    props: BTreeSet<String>,
    src_meta: BTreeSet<String>,
    tgt_meta: BTreeSet<String>,
    creationid: BTreeSet<String>,
    creationdate: BTreeSet<String>,
}

fn tuv_meta(t: &Value) -> Vec<String> {
    let mut v: Vec<String> = strs(&t["notes"])
        .into_iter()
        .map(|n| format!("note:{n}"))
        .collect();
    v.extend(strs(&t["props"]).into_iter().map(|p| format!("prop:{p}")));
    v
}

fn tmx_units(d: &Value, src: &str, tgt: &str) -> BTreeMap<(String, String, String), Carried> {
    let mut out: BTreeMap<(String, String, String), Carried> = BTreeMap::new();
    for u in d["units"].as_array().into_iter().flatten() {
        let tuvs = u["tuvs"].as_array().cloned().unwrap_or_default();
        let Some((si, s)) = pick(&tuvs, src, None) else {
            continue;
        };
        let Some((_, t)) = pick(&tuvs, tgt, Some(si)) else {
            continue;
        };
        let (st, tt) = (
            s["text"].as_str().unwrap_or(""),
            t["text"].as_str().unwrap_or(""),
        );
        if st.trim().is_empty() || tt.trim().is_empty() {
            continue;
        }
        let props: Vec<Vec<String>> = u["props"]
            .as_array()
            .into_iter()
            .flatten()
            .map(strs)
            .collect();
        let context = props
            .iter()
            .find(|p| p.first().map(String::as_str) == Some("x-context"))
            .and_then(|p| p.get(1).cloned())
            .unwrap_or_default();
        let key = (st.nfc().collect(), tt.nfc().collect(), context);
        let c = out.entry(key).or_default();
        c.count += 1;
        if let Some(id) = u["tuid"].as_str() {
            c.tuids.insert(id.to_string());
        }
        for p in &props {
            match p.first().map(String::as_str) {
                Some("x-tuid" | "x-merged-tuid") => {
                    c.tuids.extend(p.get(1).cloned());
                }
                _ => {
                    c.props.insert(p.join("="));
                }
            }
        }
        c.notes.extend(strs(&u["notes"]));
        c.src_meta.extend(tuv_meta(s));
        c.tgt_meta.extend(tuv_meta(t));
        c.creationid
            .extend(u["creationid"].as_str().map(str::to_string));
        c.creationdate.extend(
            u["creationdate"]
                .as_str()
                .filter(|d| d.len() == 16 && d.ends_with('Z'))
                .map(str::to_string),
        );
    }
    out
}

fn json_ok(r: reqwest::blocking::Response, what: &str) -> Value {
    let status = r.status();
    let body: Value = r.json().unwrap_or(Value::Null);
    assert!(status.is_success(), "{what}: {status} {body}");
    body
}

/// Imports `file` into a new memory and checks the round trip; returns the
/// number of units compared.
fn tmx_round_trip(py: &Path, server: &Spawned, name: &str, file: &Path, work: &Path) -> usize {
    let http = client();
    let pair = mustalah::memory::io::tmx_pair(file).expect("reads the header");
    let Some((src, tgt)) = pair else {
        // One language only: nothing to store; the import still answers,
        // with each unit's position.
        let r = http
            .put(format!("{}/v1/memories/{name}", server.base))
            .json(&serde_json::json!({"source_lang": "en", "target_lang": "fr"}))
            .send()
            .expect("put");
        json_ok(r, "create");
        let r = http
            .post(format!(
                "{}/v1/memories/{name}/import?format=tmx",
                server.base
            ))
            .header("content-type", "application/x-tmx+xml")
            .body(std::fs::read(file).expect("read"))
            .send()
            .expect("import");
        let report = json_ok(r, &file.display().to_string());
        for e in report["errors"].as_array().into_iter().flatten() {
            assert!(e["line"].is_u64() && e["column"].is_u64(), "{e}");
        }
        return 0;
    };
    let r = http
        .put(format!("{}/v1/memories/{name}", server.base))
        .json(&serde_json::json!({"source_lang": src, "target_lang": tgt}))
        .send()
        .expect("put");
    json_ok(r, "create");
    let body = std::fs::read(file).expect("read");
    let import = |body: Vec<u8>| {
        let r = http
            .post(format!(
                "{}/v1/memories/{name}/import?format=tmx",
                server.base
            ))
            .header("content-type", "application/x-tmx+xml")
            .body(body)
            .send()
            .expect("import");
        json_ok(r, &format!("import {}", file.display()))
    };
    let first = import(body.clone());
    for e in first["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(first["warnings"].as_array().into_iter().flatten())
    {
        assert!(
            e["line"].is_u64() && e["column"].is_u64(),
            "{}: {e}",
            file.display()
        );
    }
    let second = import(body);
    let n = |r: &Value, k: &str| r[k].as_u64().unwrap_or(u64::MAX);
    assert_eq!(
        (n(&second, "units_added"), n(&second, "units_updated")),
        (0, 0),
        "{}: second import {second}",
        file.display()
    );
    assert_eq!(
        n(&second, "units_unchanged"),
        n(&first, "units_added") + n(&first, "units_updated") + n(&first, "units_unchanged"),
        "{}: {first} then {second}",
        file.display()
    );
    let exported = http
        .get(format!("{}/v1/memories/{name}/export", server.base))
        .send()
        .expect("export")
        .bytes()
        .expect("export body");
    let out = work.join(format!("{name}.tmx"));
    std::fs::write(&out, &exported).expect("write export");

    let (orig, back) = (dump(py, "tmx", file), dump(py, "tmx", &out));
    let want = tmx_units(&orig, &src, &tgt);
    let got = tmx_units(&back, &src, &tgt);
    let f = file.display();
    assert_eq!(
        want.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "{f}: units differ"
    );
    for (key, w) in &want {
        let g = &got[key];
        assert_eq!(g.count, 1, "{f}: {key:?} exported {} times", g.count);
        let subset = |what: &str, a: &BTreeSet<String>, b: &BTreeSet<String>| {
            assert!(
                a.is_subset(b),
                "{f}: {key:?} lost {what}: {:?} (export has {b:?})",
                a.difference(b).collect::<Vec<_>>()
            );
        };
        subset("tuids", &w.tuids, &g.tuids);
        subset("notes", &w.notes, &g.notes);
        subset("props", &w.props, &g.props);
        subset("source tuv notes/props", &w.src_meta, &g.src_meta);
        subset("target tuv notes/props", &w.tgt_meta, &g.tgt_meta);
        if w.count == 1 {
            subset("creationid", &w.creationid, &g.creationid);
            subset("creationdate", &w.creationdate, &g.creationdate);
        }
    }
    for part in ["notes", "props"] {
        let a: BTreeSet<String> = orig["header"][part]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v.to_string())
            .collect();
        let b: BTreeSet<String> = back["header"][part]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v.to_string())
            .collect();
        assert!(a.is_subset(&b), "{f}: header {part} {a:?} ⊄ {b:?}");
    }
    want.len()
}

#[test]
fn peer_tmx_files_round_trip_through_translate_toolkit() {
    let Some((peer, py, dir, server)) = setup() else {
        return;
    };
    let meant = meant(&peer);
    let mut files: Vec<PathBuf> = std::fs::read_dir(peer.join("tmx"))
        .expect("tmx dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut compared = 0;
    for (i, file) in files.iter().enumerate() {
        let rel = format!(
            "tmx/{}",
            file.file_name().unwrap_or_default().to_string_lossy()
        );
        let valid = meant.get(&rel).is_some_and(|m| m.starts_with("valid"));
        if !valid {
            // Not a valid file of its own suite: a clear answer either way.
            let r = client()
                .post(format!(
                    "{}/v1/memories/default/import?format=tmx",
                    server.base
                ))
                .header("content-type", "application/x-tmx+xml")
                .body(std::fs::read(file).expect("read"))
                .send()
                .expect("import");
            assert!(r.status().as_u16() < 500, "{rel}: {}", r.status());
            continue;
        }
        compared += tmx_round_trip(&py, &server, &format!("peer{i}"), file, dir.path());
    }
    println!("{} TMX files, {compared} units compared", files.len());
    assert!(compared > 50, "only {compared} units compared");
}

#[test]
#[ignore = "imports 198k units twice (minutes in a debug build): cargo test --test offline shared_software -- --ignored"]
fn shared_software_tmx_round_trips_with_tuids_notes_and_props() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(file) = [
        root.join("../shared/data/tm/software-ui.en-ar.tmx.gz"),
        PathBuf::from("/work/shared/data/tm/software-ui.en-ar.tmx.gz"),
    ]
    .into_iter()
    .find(|p| p.is_file()) else {
        println!("skipped: ../shared/data/tm/software-ui.en-ar.tmx.gz not found");
        return;
    };
    let Some((_, py, dir, server)) = setup() else {
        return;
    };
    // translate-toolkit reads plain XML: unpack first.
    let plain = dir.path().join("software-ui.en-ar.tmx");
    let mut gz = flate2::read::MultiGzDecoder::new(std::fs::File::open(&file).expect("open"));
    let mut out = std::fs::File::create(&plain).expect("create");
    std::io::copy(&mut gz, &mut out).expect("gunzip");
    let n = tmx_round_trip(&py, &server, "software", &plain, dir.path());
    println!("software-ui.en-ar.tmx: {n} units compared");
    assert!(n > 190_000, "{n}");
}

/// Data-category fields of a dumped TBX entry at every scope.
fn entry_fields(e: &Value) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    let mut take = |v: &Value| {
        for f in v.as_array().into_iter().flatten() {
            if let [el, ty, text, group] = &strs(f)[..] {
                out.push((el.clone(), ty.clone(), text.clone(), group.clone()));
            }
        }
    };
    take(&e["fields"]);
    for l in e["langs"].as_array().into_iter().flatten() {
        take(&l["fields"]);
        for t in l["terms"].as_array().into_iter().flatten() {
            take(&t["fields"]);
        }
    }
    out
}

fn entry_terms(e: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for l in e["langs"].as_array().into_iter().flatten() {
        let lang = base(l["lang"].as_str().unwrap_or(""));
        for t in l["terms"].as_array().into_iter().flatten() {
            let text = t["text"].as_str().unwrap_or("").to_string();
            if !text.is_empty() {
                out.insert((lang.clone(), text));
            }
        }
    }
    out
}

#[test]
fn peer_tbx_files_round_trip_or_report_what_they_drop() {
    let Some((peer, py, dir, server)) = setup() else {
        return;
    };
    let http = client();
    let mut files: Vec<PathBuf> = std::fs::read_dir(peer.join("tbx"))
        .expect("tbx dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut concepts = 0;
    for (i, file) in files.iter().enumerate() {
        let f = file.display().to_string();
        let name = format!("peer{i}");
        let r = http
            .put(format!("{}/v1/termbases/{name}", server.base))
            .json(&serde_json::json!({}))
            .send()
            .expect("put");
        json_ok(r, "create term base");
        let r = http
            .post(format!(
                "{}/v1/termbases/{name}/import?format=tbx",
                server.base
            ))
            .header("content-type", "application/x-tbx+xml")
            .body(std::fs::read(file).expect("read"))
            .send()
            .expect("import");
        let report = json_ok(r, &f);
        let warned: Vec<String> = report["warnings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|w| w["message"].as_str().map(str::to_string))
            .collect();
        let exported = http
            .get(format!(
                "{}/v1/termbases/{name}/export?format=tbx",
                server.base
            ))
            .send()
            .expect("export")
            .bytes()
            .expect("body");
        let out = dir.path().join(format!("{name}.tbx"));
        std::fs::write(&out, &exported).expect("write");
        let (orig, back) = (dump(&py, "tbx", file), dump(&py, "tbx", &out));
        let by_id: BTreeMap<String, &Value> = back["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| Some((e["id"].as_str()?.to_string(), e)))
            .collect();
        for e in orig["entries"].as_array().into_iter().flatten() {
            if entry_terms(e).is_empty() {
                continue;
            }
            concepts += 1;
            // Entries without an id get one: match them by their terms.
            let got = match e["id"].as_str() {
                Some(id) => by_id.get(id).copied(),
                None => by_id
                    .values()
                    .copied()
                    .find(|b| entry_terms(b) == entry_terms(e)),
            };
            let Some(got) = got else {
                panic!("{f}: entry {} missing from the export", e["id"]);
            };
            assert_eq!(
                entry_terms(got),
                entry_terms(e),
                "{f}: terms of {}",
                e["id"]
            );
            let have = entry_fields(got);
            for (el, ty, value, group) in entry_fields(e) {
                let kept = have.iter().any(|(a, b, c, _)| {
                    a == &el
                        && b == &ty
                        && (c == &value
                            || (ty == "administrativeStatus"
                                && mustalah::termbase::model::TermStatus::parse(c)
                                    == mustalah::termbase::model::TermStatus::parse(&value)))
                });
                let kind = if ty.is_empty() {
                    format!("<{el}>")
                } else {
                    format!("<{el} type=\"{ty}\">")
                };
                let reported = warned.iter().any(|w| {
                    w.starts_with(&kind)
                        || (!group.is_empty() && w.starts_with(&format!("<{group}>")))
                        || (el == "note" && w.starts_with("several notes"))
                        || (ty == "definition" && w.contains("definition"))
                        || (ty == "subjectField" && w.starts_with("several subject fields"))
                });
                assert!(
                    kept || reported,
                    "{f}: entry {}: {kind} {value:?} neither exported nor reported (warnings: {warned:?})",
                    e["id"]
                );
            }
        }
    }
    println!("{} TBX files, {concepts} concepts compared", files.len());
    assert!(concepts > 200, "{concepts}");
}
