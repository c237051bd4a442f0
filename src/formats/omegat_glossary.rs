//! OmegaT's own glossary layout (`glossary/*.txt`, `*.utf8`, `*.tab`):
//! one line per term pair, `source<TAB>target<TAB>comment`, UTF-8, no
//! header row (OmegaT reads every line as a pair, so a header would become
//! a glossary entry, and an `id` column would be taken for the source term).
//!
//! Every source-language term of a concept (forbidden ones excepted: they
//! must not be proposed as sources of a match either) is paired with every
//! target-language term, preferred and admitted first; the comment says the
//! target term's status, and for a deprecated or forbidden target what to
//! use instead, then the concept's subject field. OmegaT has no escapes:
//! a tab or line break inside a text is written as a space.
//!
//! ```
//! use mustalah::formats::omegat_glossary::write_glossary;
//! use mustalah::termbase::model::{Concept, Term, TermStatus};
//! let now = chrono::Utc::now();
//! let term = |t: &str, status| Term { text: t.into(), status, ..Term::default() };
//! let c = Concept {
//!     id: "file".into(), domain: Some("computing".into()), definition: None, note: None,
//!     context_words: vec![], negative_context_words: vec![], general: false,
//!     terms: [("en".to_string(), vec![term("file", TermStatus::Preferred)]),
//!             ("ar".to_string(), vec![term("ملف", TermStatus::Preferred),
//!                                     term("فايل", TermStatus::Forbidden)])].into(),
//!     created: now, modified: now,
//! };
//! let mut out = Vec::new();
//! write_glossary(&mut out, "en", "ar", [c]).unwrap();
//! assert_eq!(String::from_utf8(out).unwrap(),
//!     "file\tملف\tpreferred; computing\nfile\tفايل\tforbidden, use ملف; computing\n");
//! ```

use crate::termbase::model::{Concept, Term, TermStatus};
use std::io::{self, Write};

/// Writes `concepts` as OmegaT glossary lines from `source_lang` to
/// `target_lang` (base languages: `ar` takes `ar-SA` terms too).
pub fn write_glossary<W: Write>(
    out: W,
    source_lang: &str,
    target_lang: &str,
    concepts: impl IntoIterator<Item = Concept>,
) -> io::Result<()> {
    let mut w = io::BufWriter::new(out);
    for c in concepts {
        let mut targets: Vec<&Term> = c.terms_in(target_lang).collect();
        targets.sort_by_key(|t| t.status);
        let preferred = targets
            .iter()
            .find(|t| matches!(t.status, TermStatus::Preferred | TermStatus::Admitted))
            .map(|t| t.text.as_str());
        for s in c
            .terms_in(source_lang)
            .filter(|t| t.status != TermStatus::Forbidden)
        {
            for t in &targets {
                let mut comment = t.status.as_str().to_string();
                if let (TermStatus::Deprecated | TermStatus::Forbidden, Some(p)) =
                    (t.status, preferred)
                {
                    comment.push_str(", use ");
                    comment.push_str(p);
                }
                if let Some(d) = &c.domain {
                    comment.push_str("; ");
                    comment.push_str(d);
                }
                writeln!(
                    w,
                    "{}\t{}\t{}",
                    one_line(&s.text),
                    one_line(&t.text),
                    one_line(&comment)
                )?;
            }
        }
    }
    w.flush()
}

/// `s` with tabs and line breaks as spaces (OmegaT splits on both).
fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\t', '\r', '\n']) {
        s.replace(['\t', '\r', '\n'], " ").into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concept(terms: Vec<(&str, Vec<(&str, TermStatus)>)>) -> Concept {
        let now = chrono::Utc::now();
        Concept {
            id: "c".into(),
            domain: None,
            definition: None,
            note: None,
            context_words: vec![],
            negative_context_words: vec![],
            general: false,
            terms: terms
                .into_iter()
                .map(|(l, ts)| {
                    (
                        l.to_string(),
                        ts.into_iter()
                            .map(|(t, status)| Term {
                                text: t.into(),
                                status,
                                ..Term::default()
                            })
                            .collect(),
                    )
                })
                .collect(),
            created: now,
            modified: now,
        }
    }

    #[test]
    fn pairs_every_usable_source_with_every_target_and_no_header() {
        use TermStatus::*;
        let c = concept(vec![
            (
                "ar-SA",
                vec![("ذكاء اصطناعي", Preferred), ("ذكاء صناعي", Deprecated)],
            ),
            ("ar", vec![("ذكاء آلي", Forbidden)]),
            (
                "en",
                vec![
                    ("A.I.", Deprecated),
                    ("AI", Admitted),
                    ("artificial\tintelligence", Preferred),
                ],
            ),
        ]);
        let mut out = Vec::new();
        write_glossary(&mut out, "ar", "en", [c]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "ذكاء اصطناعي\tartificial intelligence\tpreferred",
                "ذكاء اصطناعي\tAI\tadmitted",
                "ذكاء اصطناعي\tA.I.\tdeprecated, use artificial intelligence",
                "ذكاء صناعي\tartificial intelligence\tpreferred",
                "ذكاء صناعي\tAI\tadmitted",
                "ذكاء صناعي\tA.I.\tdeprecated, use artificial intelligence",
            ]
        );
        assert!(lines.iter().all(|l| l.split('\t').count() == 3));
    }

    #[test]
    fn a_concept_without_one_of_the_languages_writes_nothing() {
        let c = concept(vec![("en", vec![("file", TermStatus::Preferred)])]);
        let mut out = Vec::new();
        write_glossary(&mut out, "en", "ar", [c]).unwrap();
        assert!(out.is_empty());
    }
}
