//! Plain data of the aligner: the request, the links and their anchors.
//!
//! Offsets are Unicode code points into the texts as sent (never bytes), so
//! clients in any language can slice the strings they sent; the empty side
//! of a `1-0`/`0-1` link has no offsets (`None`).

use serde::{Deserialize, Serialize};

/// Largest text accepted per side, in bytes (8 MiB: a book-length article
/// pair; the DP is linear in the number of sentences, but the request body
/// is held in memory).
pub const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;
/// Largest number of sentences per side.
pub const MAX_SENTENCES: usize = 100_000;

/// An alignment request.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignRequest {
    /// The source document (plain text; paragraphs by line breaks).
    pub source_text: String,
    /// The target document.
    pub target_text: String,
    /// Source language tag (`ar`).
    pub source_lang: String,
    /// Target language tag (`en`).
    pub target_lang: String,
    /// Term bases whose concept pairs serve as anchors.
    pub termbases: Vec<String>,
    /// Links below this quality (0–1) are left out of the answer.
    pub min_quality: f32,
}

impl Default for AlignRequest {
    fn default() -> Self {
        AlignRequest {
            source_text: String::new(),
            target_text: String::new(),
            source_lang: "ar".into(),
            target_lang: "en".into(),
            termbases: Vec::new(),
            min_quality: 0.0,
        }
    }
}

/// How many sentences a link joins on each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LinkKind {
    /// One source sentence, one target sentence.
    #[serde(rename = "1-1")]
    OneOne,
    /// One source sentence translated by two.
    #[serde(rename = "1-2")]
    OneTwo,
    /// Two source sentences translated by one.
    #[serde(rename = "2-1")]
    TwoOne,
    /// Two and two, not separable.
    #[serde(rename = "2-2")]
    TwoTwo,
    /// A source sentence without translation.
    #[serde(rename = "1-0")]
    OneZero,
    /// A target sentence without source.
    #[serde(rename = "0-1")]
    ZeroOne,
}

impl LinkKind {
    /// Every kind, in the order the DP tries them.
    pub const ALL: [LinkKind; 6] = [
        LinkKind::OneOne,
        LinkKind::OneTwo,
        LinkKind::TwoOne,
        LinkKind::TwoTwo,
        LinkKind::OneZero,
        LinkKind::ZeroOne,
    ];

    /// Sentences taken on the (source, target) side.
    pub fn sizes(self) -> (usize, usize) {
        match self {
            LinkKind::OneOne => (1, 1),
            LinkKind::OneTwo => (1, 2),
            LinkKind::TwoOne => (2, 1),
            LinkKind::TwoTwo => (2, 2),
            LinkKind::OneZero => (1, 0),
            LinkKind::ZeroOne => (0, 1),
        }
    }

    /// The wire name (`1-1`, `2-1`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::OneOne => "1-1",
            LinkKind::OneTwo => "1-2",
            LinkKind::TwoOne => "2-1",
            LinkKind::TwoTwo => "2-2",
            LinkKind::OneZero => "1-0",
            LinkKind::ZeroOne => "0-1",
        }
    }

    /// Whether one side is empty.
    pub fn is_null(self) -> bool {
        matches!(self, LinkKind::OneZero | LinkKind::ZeroOne)
    }
}

/// What kind of evidence an anchor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnchorKind {
    /// A term-base concept recognized on both sides.
    Term,
    /// The same number (any digit system).
    Number,
    /// The same Latin-script word (a name, a product, code).
    Latin,
    /// The same URL or e-mail address.
    Url,
    /// The same placeholder or inline tag (`%s`, `{0}`, `<b>`).
    Tag,
    /// The same sentence-final `?`/`؟` or `!`, or a colon ending it.
    Punctuation,
}

/// One piece of lexical evidence shared by both sides of a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anchor {
    /// Kind of evidence.
    pub kind: AnchorKind,
    /// The shared key: the number's ASCII digits, the Latin word lower-cased,
    /// `termbase:entry` for a concept.
    pub key: String,
    /// Whether it occurs exactly once in each document (a hapax pair, the
    /// strongest evidence).
    pub hapax: bool,
}

/// One link of the alignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// First code point of the source sentences (`None` for `0-1`).
    pub source_start: Option<usize>,
    /// One past the last code point of the source sentences.
    pub source_end: Option<usize>,
    /// First code point of the target sentences (`None` for `1-0`).
    pub target_start: Option<usize>,
    /// One past the last code point of the target sentences.
    pub target_end: Option<usize>,
    /// The source sentences as written (a line break or space between two
    /// of them kept as in the text).
    pub source: String,
    /// The target sentences as written.
    pub target: String,
    /// Sentences per side.
    pub kind: LinkKind,
    /// Confidence 0–1 (see the module docs); 0 for a `1-0`/`0-1` link.
    pub quality: f32,
    /// The evidence the link's sides share.
    pub anchors: Vec<Anchor>,
    /// Index of the first source sentence (of `stats.source_sentences`).
    pub source_sentence: usize,
    /// Index of the first target sentence.
    pub target_sentence: usize,
}

/// Figures about one alignment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AlignStats {
    /// Sentences found in the source text.
    pub source_sentences: usize,
    /// Sentences found in the target text.
    pub target_sentences: usize,
    /// Paragraphs found in the source text.
    pub source_paragraphs: usize,
    /// Paragraphs found in the target text.
    pub target_paragraphs: usize,
    /// Links of every kind, before the `min_quality` filter.
    pub links: usize,
    /// Links per kind (`1-1` → count), before the filter.
    pub kinds: std::collections::BTreeMap<String, usize>,
    /// Links left out for being below `min_quality`.
    pub below_min_quality: usize,
    /// Anchor keys shared by both documents.
    pub anchor_keys: usize,
    /// Mean quality of the non-null links.
    pub mean_quality: f32,
    /// Widest band searched (target sentences per source sentence).
    pub band: usize,
}

/// The answer: links in document order, and figures.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Alignment {
    /// Links at or above `min_quality`, in order (they never cross).
    pub pairs: Vec<Link>,
    /// Figures.
    pub stats: AlignStats,
}
