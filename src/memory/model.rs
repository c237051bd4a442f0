//! Translation-memory model: bilingual units with metadata.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One stored translation unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranslationUnit {
    /// Id within the memory.
    pub id: u64,
    /// Source text. TMX inline codes appear as their native code text
    /// (`<b>`, `%s`), which the tokenizer treats as one tag token each.
    pub source: String,
    /// Target text, same conventions.
    pub target: String,
    /// Source language tag as given (`ar`, `en-US`).
    pub source_lang: String,
    /// Target language tag.
    pub target_lang: String,
    /// Context key (previous/next segment hash or a free key) for 101 matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// Where the unit came from (project/file/package).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last modification time.
    pub modified: DateTime<Utc>,
    /// Who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// TMX `<prop type="…">value</prop>` pairs, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<(String, String)>,
    /// TMX `<note>` texts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Original TMX inner markup of the source `<seg>` when it held inline
    /// elements (`<bpt>`, `<ph>`, …), so export restores it exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_markup: Option<String>,
    /// Same for the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_markup: Option<String>,
}

/// A unit as read from a file or request, before the memory assigns an id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnitDraft {
    /// Source text (inline codes as native text).
    pub source: String,
    /// Target text.
    pub target: String,
    /// Source language tag.
    pub source_lang: String,
    /// Target language tag.
    pub target_lang: String,
    /// Context key.
    pub context: Option<String>,
    /// Origin.
    pub origin: Option<String>,
    /// Creation time from the file, if any.
    pub created: Option<DateTime<Utc>>,
    /// Modification time from the file, if any.
    pub modified: Option<DateTime<Utc>>,
    /// Creator from the file.
    pub created_by: Option<String>,
    /// TMX props.
    pub props: Vec<(String, String)>,
    /// TMX notes.
    pub notes: Vec<String>,
    /// Raw TMX inner markup of the source seg when it had inline elements.
    pub source_markup: Option<String>,
    /// Same for the target.
    pub target_markup: Option<String>,
}
