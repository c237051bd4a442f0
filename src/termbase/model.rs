//! Term-base model: concepts with terms per language.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Normative status of a term (TBX `administrativeStatus`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum TermStatus {
    /// The term to use.
    Preferred,
    /// Acceptable synonym.
    #[default]
    Admitted,
    /// Should no longer be used.
    Deprecated,
    /// Must not be used.
    Forbidden,
}

impl TermStatus {
    /// Parses our names and the TBX / common spellings
    /// (`preferredTerm-admn-sts`, `supersededTerm-admn-sts`, `obsolete`, …).
    pub fn parse(s: &str) -> Option<TermStatus> {
        let l = s.trim().to_ascii_lowercase();
        let l = l.trim_end_matches("-admn-sts").trim_end_matches("term");
        match l {
            "preferred" | "pref" | "standardized" | "normative" => Some(TermStatus::Preferred),
            "admitted" | "admissible" | "allowed" | "" => Some(TermStatus::Admitted),
            "deprecated" | "superseded" | "obsolete" | "legacy" => Some(TermStatus::Deprecated),
            "forbidden" | "prohibited" | "notrecommended" | "not recommended" => {
                Some(TermStatus::Forbidden)
            }
            _ => None,
        }
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TermStatus::Preferred => "preferred",
            TermStatus::Admitted => "admitted",
            TermStatus::Deprecated => "deprecated",
            TermStatus::Forbidden => "forbidden",
        }
    }
}

/// One term of a concept in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Term {
    /// The term as written.
    pub text: String,
    /// Normative status.
    #[serde(default)]
    pub status: TermStatus,
    /// Part of speech (`noun`, `verb`, `adjective`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pos: Option<String>,
    /// Usage note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Explicit inflected forms that analysis cannot derive (broken plurals).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
}

/// A concept (term entry): terms in several languages for one meaning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Concept {
    /// Stable id within the term base.
    pub id: String,
    /// Subject field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// Free note (also holds unknown CSV columns as `column: value` lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Words whose presence near a hit confirms this concept's technical
    /// sense (disambiguation evidence), in any language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context_words: Vec<String>,
    /// Words whose presence near a hit points to ANOTHER sense than this
    /// concept's (خادم "server" not with مطعم, فندق, مسجد), in any language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub negative_context_words: Vec<String>,
    /// General vocabulary (شركة "company"): recognized only on request
    /// (`include_general`), never flagged by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub general: bool,
    /// Terms keyed by BCP-47 language tag as given (`ar`, `en-US`).
    pub terms: BTreeMap<String, Vec<Term>>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last modification time.
    pub modified: DateTime<Utc>,
}

/// A concept as read from a file or a request, before the term base assigns
/// an id (when absent) and timestamps.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConceptDraft {
    /// Id from the file (`id` column, TBX `id` attribute), if any.
    pub id: Option<String>,
    /// Subject field.
    pub domain: Option<String>,
    /// Definition.
    pub definition: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Disambiguation context words.
    pub context_words: Vec<String>,
    /// Words pointing to another sense.
    pub negative_context_words: Vec<String>,
    /// General vocabulary, shown only on request.
    pub general: bool,
    /// Terms keyed by language tag.
    pub terms: BTreeMap<String, Vec<Term>>,
}

impl Concept {
    /// Terms of the base language `lang` (`ar` matches `ar-SA` entries too).
    pub fn terms_in<'a>(&'a self, lang: &'a str) -> impl Iterator<Item = &'a Term> + 'a {
        self.terms
            .iter()
            .filter(move |(tag, _)| same_base_lang(tag, lang))
            .flat_map(|(_, t)| t.iter())
    }
}

/// Whether two BCP-47 tags share the base language (`ar-SA` ~ `ar`), case-insensitively.
pub fn same_base_lang(a: &str, b: &str) -> bool {
    let base = |t: &str| {
        t.split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    base(a) == base(b)
}
