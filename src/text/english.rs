//! English match keys: case, possessive, plural, hyphenation.
//!
//! Rules:
//! * keys are lowercase ([`normalize`]: curly apostrophes fold to `'`);
//! * a possessive `'s` / `s'` is dropped (`Nvidia's` → `nvidia`,
//!   `companies'` → `companies`);
//! * plurals: irregular table first ([`IRREGULAR`]: `mice`, `indices`,
//!   `matrices`, `analyses`, `criteria`, `people`, `children`, `men`…), then
//!   `-ies`→`-y`, `-(s|x|z|ch|sh)es`→``, `-s`→``. Running-text words get every
//!   plausible singular as a candidate (`movies` → `movy`, `movie`;
//!   `leaves` → `leaf`, `leave`); the term key takes the first one, which
//!   is in that set;
//! * never singularized: words of ≤ 3 letters (`us`, `bus`, `gas`, `os`,
//!   `ios`, `aws`), the invariant words of [`INVARIANT`] (`news`, `series`,
//!   `data`, `physics`…), words ending in `ss`, `us`, `is`, `ics`, `less`,
//!   `ous`, capitalised `Windows`, and acronyms/camel case ending in a
//!   capital (`AWS`, `iOS`, `macOS`); an acronym with a lowercase plural `s`
//!   drops it (`GPUs` → `gpu`, `LLMs` → `llm`);
//! * hyphenated words stay one key with the hyphen (`data-center`); the
//!   last part is singularized. Hyphen/space/closed variants (`data center`,
//!   `data-center`, `datacenter`) meet at the term level through
//!   [`compound_key`]: a recognizer computes `compound_key` of the term's
//!   words and compares it with the concatenation of the candidate keys
//!   (hyphens removed) of 1..n running-text tokens; [`word_keys_en`] also
//!   offers the hyphen-free key of a hyphenated token for that purpose.

use super::normalize::normalize;
use super::{KeyKind, WordKey};

/// Irregular plural → singular (lowercase).
pub const IRREGULAR: &[(&str, &str)] = &[
    ("men", "man"),
    ("women", "woman"),
    ("children", "child"),
    ("people", "person"),
    ("mice", "mouse"),
    ("geese", "goose"),
    ("feet", "foot"),
    ("teeth", "tooth"),
    ("indices", "index"),
    ("matrices", "matrix"),
    ("vertices", "vertex"),
    ("appendices", "appendix"),
    ("analyses", "analysis"),
    ("axes", "axis"),
    ("crises", "crisis"),
    ("theses", "thesis"),
    ("hypotheses", "hypothesis"),
    ("diagnoses", "diagnosis"),
    ("parentheses", "parenthesis"),
    ("synopses", "synopsis"),
    ("criteria", "criterion"),
    ("phenomena", "phenomenon"),
    ("schemata", "schema"),
    ("lives", "life"),
    ("knives", "knife"),
    ("wives", "wife"),
    ("halves", "half"),
    ("shelves", "shelf"),
    ("wolves", "wolf"),
    ("thieves", "thief"),
    ("leaves", "leaf"),
    ("loaves", "loaf"),
    ("selves", "self"),
    ("radii", "radius"),
    ("nuclei", "nucleus"),
    ("stimuli", "stimulus"),
    ("alumni", "alumnus"),
    ("cacti", "cactus"),
    ("foci", "focus"),
    ("corpora", "corpus"),
    ("genera", "genus"),
    ("quizzes", "quiz"),
];

/// Words that look plural but are not (or whose plural is themselves).
pub const INVARIANT: &[&str] = &[
    "news",
    "series",
    "species",
    "means",
    "data",
    "media",
    "always",
    "perhaps",
    "whereas",
    "towards",
    "afterwards",
    "does",
    "goes",
    "lens",
    "canvas",
    "atlas",
    "alias",
    "bias",
    "gas",
    "plus",
    "thus",
    "headquarters",
    "sales",
    "savings",
    "earnings",
    "arrears",
    "premises",
    "kudos",
    "chaos",
    "cosmos",
    "ethos",
    "pathos",
    "logos",
    "mathematics",
    "sometimes",
    "besides",
    "yes",
    "its",
    "hers",
    "ours",
    "yours",
    "theirs",
    "whose",
    "kubernetes",
];

/// Endings after which a final `s` is part of the singular.
const KEEP_ENDINGS: &[&str] = &["ss", "us", "is", "ics", "ous", "less", "'s"];

/// Drops a possessive `'s` or plural-possessive `'`.
fn drop_possessive(lower: &str) -> &str {
    if let Some(base) = lower.strip_suffix("'s") {
        if !base.is_empty() {
            return base;
        }
    }
    if let Some(base) = lower.strip_suffix('\'') {
        if base.ends_with('s') && base.len() > 1 {
            return base;
        }
    }
    lower
}

/// Whether the original spelling marks an acronym/camel-case word whose
/// final `s` must be kept (`AWS`, `iOS`, `macOS`), or allows only a
/// lowercase plural `s` after a capital (`GPUs`). Returns `None` for plain
/// words, `Some(true)` to strip one `s`, `Some(false)` to keep as is.
fn acronym_rule(original: &str) -> Option<bool> {
    let inner_upper = original
        .chars()
        .filter(|c| c.is_alphabetic())
        .skip(1)
        .any(char::is_uppercase);
    if !inner_upper {
        return None;
    }
    let mut rev = original.chars().rev().filter(|c| c.is_alphabetic());
    match (rev.next(), rev.next()) {
        // GPUs, CPUs: an acronym's plural.
        (Some('s'), Some(p)) if p.is_uppercase() => Some(true),
        // iPhones, MacBooks: a camel-case name with an ordinary plural.
        (Some('s'), Some(p)) if p.is_lowercase() => None,
        // iOS, macOS: invariant.
        _ => Some(false),
    }
}

/// Whether a lowercase, possessive-free word can have a singular other than
/// itself (ends in `s` or is an irregular plural): the fast path skips the
/// candidate machinery for all other words.
fn may_be_plural(lower: &str) -> bool {
    lower.ends_with('s') || IRREGULAR.iter().any(|(p, _)| *p == lower)
}

/// Singular candidates of a lowercase, possessive-free word, canonical
/// first. `original` is the word as written (for capitalisation rules).
pub fn singular_candidates(lower: &str, original: &str) -> Vec<String> {
    // Hyphenated: singularize the last part only.
    if let Some((head, last)) = lower.rsplit_once('-') {
        let orig_last = original.rsplit_once('-').map_or(original, |(_, l)| l);
        return singular_candidates(last, orig_last)
            .into_iter()
            .map(|s| format!("{head}-{s}"))
            .collect();
    }
    let mut out = vec![];
    match acronym_rule(original) {
        Some(true) => {
            out.push(lower.strip_suffix('s').unwrap_or(lower).to_string());
            return out;
        }
        Some(false) => {
            out.push(lower.to_string());
            return out;
        }
        None => {}
    }
    if let Some(&(_, s)) = IRREGULAR.iter().find(|(p, _)| *p == lower) {
        out.push(s.to_string());
        return out;
    }
    let capitalised = original.chars().next().is_some_and(char::is_uppercase);
    if lower.chars().count() <= 3
        || !lower.ends_with('s')
        || INVARIANT.contains(&lower)
        || KEEP_ENDINGS.iter().any(|e| lower.ends_with(e))
        || (capitalised && lower == "windows")
        || !lower.chars().all(|c| c.is_alphanumeric() || c == '\'')
    {
        out.push(lower.to_string());
        return out;
    }
    let mut add = |s: String| {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    if let Some(b) = lower.strip_suffix("ies") {
        if b.len() >= 2 {
            add(format!("{b}y"));
        }
    }
    for e in ["sses", "xes", "zes", "ches", "shes", "ses", "oes"] {
        if lower.ends_with(e) {
            add(lower[..lower.len() - 2].to_string());
        }
    }
    if let Some(b) = lower.strip_suffix("ves") {
        if b.len() >= 2 {
            add(format!("{b}f"));
            add(format!("{b}fe"));
        }
    }
    add(lower[..lower.len() - 1].to_string());
    out
}

/// Canonical key of an English word of a term.
pub fn term_key_en(word: &str) -> String {
    let lower = normalize(word);
    let base = drop_possessive(&lower);
    singular_candidates(base, word)
        .into_iter()
        .next()
        .unwrap_or_else(|| base.to_string())
}

/// Candidate keys of an English running-text word: surface (lowercase),
/// possessive dropped, hyphen-free, singulars.
pub fn word_keys_en(word: &str) -> Vec<WordKey> {
    let lower = normalize(word);
    if lower.is_empty() {
        return Vec::new();
    }
    let base = drop_possessive(&lower);
    if base.len() == lower.len() && !base.contains('-') && !may_be_plural(base) {
        // The common case: the surface is the only key.
        return vec![WordKey {
            key: lower,
            kind: KeyKind::Surface,
            prefix_chars: 0,
        }];
    }
    let mut out = vec![WordKey {
        key: lower.clone(),
        kind: KeyKind::Surface,
        prefix_chars: 0,
    }];
    let mut push = |key: String, kind: KeyKind| {
        if !key.is_empty() && !out.iter().any(|k| k.key == key) {
            out.push(WordKey {
                key,
                kind,
                prefix_chars: 0,
            });
        }
    };
    push(base.to_string(), KeyKind::Clitic);
    if base.contains('-') {
        push(base.replace('-', ""), KeyKind::Clitic);
    }
    let sing = singular_candidates(base, word);
    for s in &sing {
        push(s.clone(), KeyKind::Inflected);
    }
    for s in sing {
        if s.contains('-') {
            push(s.replace('-', ""), KeyKind::Inflected);
        }
    }
    out
}

/// The closed-compound key of a multi-word English term: each word's
/// [`term_key_en`] with hyphens removed, concatenated, so `data center`,
/// `data-center`, `datacenter` and `data centers` all give `datacenter`.
pub fn compound_key(words: &[&str]) -> String {
    let mut out = String::new();
    for w in words {
        for part in w.split_whitespace() {
            out.extend(term_key_en(part).chars().filter(|&c| c != '-'));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(w: &str) -> Vec<String> {
        word_keys_en(w).into_iter().map(|k| k.key).collect()
    }

    #[test]
    fn singulars() {
        let cases = [
            ("GPUs", "gpu"),
            ("iPhones", "iphone"),
            ("MacBooks", "macbook"),
            ("LLMs", "llm"),
            ("models", "model"),
            ("companies", "company"),
            ("boxes", "box"),
            ("switches", "switch"),
            ("addresses", "address"),
            ("processes", "process"),
            ("mice", "mouse"),
            ("indices", "index"),
            ("matrices", "matrix"),
            ("analyses", "analysis"),
            ("criteria", "criterion"),
            ("people", "person"),
            ("children", "child"),
            ("men", "man"),
            ("Nvidia's", "nvidia"),
            ("companies'", "company"),
            ("Nvidia’s", "nvidia"),
            ("data-centers", "data-center"),
            ("state-of-the-art", "state-of-the-art"),
            ("chips", "chip"),
        ];
        for (w, want) in cases {
            assert_eq!(term_key_en(w), want, "{w}");
            assert!(keys(w).contains(&want.to_string()), "{w}: {:?}", keys(w));
        }
    }

    #[test]
    fn no_over_merging() {
        for w in [
            "us",
            "bus",
            "gas",
            "OS",
            "iOS",
            "macOS",
            "AWS",
            "Windows",
            "news",
            "series",
            "species",
            "physics",
            "analytics",
            "status",
            "virus",
            "campus",
            "chassis",
            "process",
            "access",
            "address",
            "wireless",
            "data",
            "analysis",
            "famous",
        ] {
            let lower = normalize(w);
            assert_eq!(term_key_en(w), lower, "{w}");
            let ks = keys(w);
            assert_eq!(ks, vec![lower], "{w}");
        }
        // Lowercase windows are still panes.
        assert_eq!(term_key_en("windows"), "window");
    }

    #[test]
    fn plurals_reach_term_key() {
        let cases = [
            ("movie", "movies"),
            ("bus", "buses"),
            ("house", "houses"),
            ("leaf", "leaves"),
            ("knife", "knives"),
            ("drive", "drives"),
            ("status", "statuses"),
            ("virus", "viruses"),
            ("GPU", "GPUs"),
            ("hero", "heroes"),
            ("policy", "policies"),
        ];
        for (sing, pl) in cases {
            let k = term_key_en(sing);
            assert!(
                keys(pl).contains(&k),
                "{sing} ({k}) vs {pl}: {:?}",
                keys(pl)
            );
        }
    }

    #[test]
    fn key_kinds() {
        let ks = word_keys_en("Nvidia's");
        assert_eq!(ks[0].key, "nvidia's");
        assert_eq!(ks[0].kind, KeyKind::Surface);
        assert_eq!(
            (ks[1].key.as_str(), ks[1].kind),
            ("nvidia", KeyKind::Clitic)
        );
        let ks = word_keys_en("Data-Centers");
        assert!(ks
            .iter()
            .any(|k| k.key == "datacenters" && k.kind == KeyKind::Clitic));
        assert!(ks
            .iter()
            .any(|k| k.key == "datacenter" && k.kind == KeyKind::Inflected));
    }

    #[test]
    fn compounds_collapse() {
        let want = "datacenter";
        assert_eq!(compound_key(&["data", "center"]), want);
        assert_eq!(compound_key(&["data-center"]), want);
        assert_eq!(compound_key(&["datacenter"]), want);
        assert_eq!(compound_key(&["Data", "Centers"]), want);
        assert_eq!(compound_key(&["data centers"]), want);
        assert_ne!(compound_key(&["data", "base"]), want);
    }
}
