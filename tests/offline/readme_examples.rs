//! README's `curl` examples, run as written against the real binary.
//!
//! Every fenced `sh` block of README.md that talks to `127.0.0.1:8080` is
//! split into commands (lines joined at a trailing `\`); the `# →` comment
//! after a command (continued by `#` lines indented further) is its
//! documented answer. The binary is started from an empty directory (so it
//! can only serve the glossary built into it), each command runs through
//! `sh` from the repository root with the address replaced by the test
//! server's, and its output must contain the documented answer: for JSON,
//! every field shown with the value shown (arrays element by element, as a
//! prefix); otherwise the text itself. A command without a documented
//! answer fails the test, so an example cannot be added unchecked. Blocks
//! holding a here-document (scripts that write files) are not run yet.

use crate::spawned::{has, serve};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const README_ADDR: &str = "http://127.0.0.1:8080";

/// One command of a README block and its documented answer.
#[derive(Debug)]
struct Example {
    line: usize,
    command: String,
    answer: Option<String>,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut lines = readme.lines().enumerate().peekable();
    while let Some((_, l)) = lines.next() {
        if l.trim() != "```sh" {
            continue;
        }
        let mut block: Vec<(usize, &str)> = Vec::new();
        for (n, l) in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            block.push((n + 1, l));
        }
        // A block with a here-document is a script, not a list of commands:
        // not run here (yet).
        if !block.iter().any(|(_, l)| l.contains(README_ADDR))
            || block.iter().any(|(_, l)| l.contains("<<'"))
        {
            continue;
        }
        let mut i = 0;
        let mut in_answer = false;
        while i < block.len() {
            let (n, l) = block[i];
            i += 1;
            let t = l.trim_start();
            if let Some(a) = t.strip_prefix("# →") {
                if let Some(last) = out.last_mut() {
                    last.answer = Some(a.trim().to_string());
                    in_answer = true;
                }
                continue;
            }
            if in_answer && t.starts_with("#  ") {
                if let Some(ans) = out.last_mut().and_then(|e| e.answer.as_mut()) {
                    ans.push_str(t.trim_start_matches('#').trim());
                }
                continue;
            }
            in_answer = false;
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let mut command = l.to_string();
            while command.ends_with('\\') && i < block.len() {
                command.pop();
                command.push(' ');
                command.push_str(block[i].1.trim());
                i += 1;
            }
            out.push(Example {
                line: n,
                command,
                answer: None,
            });
        }
    }
    out
}

/// Where `actual` lacks what `expected` shows, if anywhere.
fn missing(actual: &Value, expected: &Value, at: &str) -> Option<String> {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().find_map(|(k, v)| match a.get(k) {
            Some(av) => missing(av, v, &format!("{at}.{k}")),
            None => Some(format!("{at}.{k} is absent")),
        }),
        (Value::Array(a), Value::Array(e)) => {
            if a.len() < e.len() {
                return Some(format!("{at} has {} elements, {} shown", a.len(), e.len()));
            }
            e.iter()
                .zip(a)
                .enumerate()
                .find_map(|(i, (ev, av))| missing(av, ev, &format!("{at}[{i}]")))
        }
        _ if actual == expected => None,
        _ => Some(format!("{at} is {actual}, README says {expected}")),
    }
}

#[test]
fn readme_examples_answer_as_documented() {
    if !has("curl") || !has("timeout") {
        println!("skipped: curl or timeout not installed");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let examples = examples(&readme);
    assert!(
        examples.len() >= 10,
        "found only {} curl examples in README: {examples:#?}",
        examples.len()
    );
    for e in &examples {
        assert!(
            e.answer.is_some(),
            "README line {}: no `# →` answer documented for {}",
            e.line,
            e.command
        );
    }

    // Started from an empty directory: no glossary/ to find there.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let server = serve(elsewhere.path(), &[]);
    let base = server.base.clone();

    for e in &examples {
        let command = e.command.replace(README_ADDR, &base);
        let out = Command::new("timeout")
            .args(["60", "sh", "-c", &command])
            .current_dir(root)
            .output()
            .expect("runs sh");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "README line {}: `{}` failed ({}): {}",
            e.line,
            e.command,
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let answer = e.answer.as_deref().unwrap_or_default();
        match serde_json::from_str::<Value>(answer) {
            Ok(expected) => {
                let actual: Value = serde_json::from_str(&stdout).unwrap_or_else(|err| {
                    panic!(
                        "README line {}: answer is not JSON ({err}): {stdout}",
                        e.line
                    )
                });
                if let Some(why) = missing(&actual, &expected, "answer") {
                    panic!(
                        "README line {}: {why}\ncommand: {}\nanswer: {stdout}",
                        e.line, e.command
                    );
                }
            }
            Err(_) => assert!(
                stdout.contains(answer),
                "README line {}: the answer does not contain {answer:?}:\n{stdout}",
                e.line
            ),
        }
    }
}

#[test]
fn examples_are_split_and_answers_joined() {
    let text = "x\n```sh\n# a comment\ncurl -s http://127.0.0.1:8080/a \\\n  -d 1\n# → {\"a\":\n#     1}\ncurl -s http://127.0.0.1:8080/b\n```\n```sh\ncargo test\n```\n";
    let ex = examples(text);
    assert_eq!(ex.len(), 2, "{ex:?}");
    assert_eq!(ex[0].command, "curl -s http://127.0.0.1:8080/a  -d 1");
    assert_eq!(ex[0].answer.as_deref(), Some("{\"a\":1}"));
    assert_eq!((ex[1].line, ex[1].answer.as_deref()), (8, None));
    let actual: Value = serde_json::json!({"a": [1, {"b": 2, "c": 3}], "d": 4});
    assert_eq!(
        missing(&actual, &serde_json::json!({"a": [1, {"c": 3}]}), ""),
        None
    );
    assert!(missing(&actual, &serde_json::json!({"a": [2]}), "").is_some());
    assert!(missing(&actual, &serde_json::json!({"e": 1}), "").is_some());
}
