//! The dependency direction of the crate, checked over the sources:
//! `text` uses nothing of ours; `store` nothing but itself; `formats` only the
//! domain model types; actix/utoipa only in `api`/`app`; sled only in `store`.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read src") {
        let p = entry.expect("dir entry").path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| {
        let t = l.trim_start();
        !t.starts_with("//") && !t.starts_with("///") && !t.starts_with("//!")
    })
}

#[test]
fn modules_depend_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for file in rust_files(&src) {
        let rel = file
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&file).expect("read file");
        let top = rel.split('/').next().unwrap_or("");
        for line in code_lines(&text) {
            let mut bad = |why: &str| violations.push(format!("{rel}: {why}: {}", line.trim()));
            if top == "text" && line.contains("crate::") {
                bad("text must not use other modules");
            }
            if top == "store" && (line.contains("crate::") && !line.contains("crate::store")) {
                bad("store must not use other modules");
            }
            if top == "formats" {
                for m in ["crate::api", "crate::store", "crate::suggest", "crate::app"] {
                    if line.contains(m) {
                        bad("formats may only use the domain model types");
                    }
                }
                if line.contains("crate::termbase::") && !line.contains("crate::termbase::model") {
                    bad("formats may only use termbase::model");
                }
                if line.contains("crate::memory::") && !line.contains("crate::memory::model") {
                    bad("formats may only use memory::model");
                }
            }
            if matches!(
                top,
                "termbase"
                    | "memory"
                    | "suggest"
                    | "bitext"
                    | "pretranslate"
                    | "analysis"
                    | "text"
                    | "formats"
                    | "store"
            ) && (line.contains("crate::api")
                || line.contains("actix_web")
                || line.contains("utoipa"))
            {
                bad("domain code must not know HTTP");
            }
            if top != "store" && line.contains("sled::") {
                bad("sled is confined to store");
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layering violations:\n{}",
        violations.join("\n")
    );
}
