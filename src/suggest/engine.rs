//! The engine proper: validation, segmentation, per-segment matching,
//! repair, alignment and checks (see the parent module docs).

use super::align::{align, occurrences};
use super::check::checks;
use super::error::{Error, Result};
use super::model::{
    MemoryMatch, SegmentSuggestion, SuggestRequest, SuggestResponse, Suggestion, SuggestionKind,
    MAX_LIMIT, MAX_SEGMENTS, MIN_SCORE_FLOOR,
};
use super::repair::repair;
use super::source::{MatchSource, TermRecognizer};
use crate::text;
use rayon::prelude::*;

/// Points a repaired suggestion loses per repair (see the module docs).
pub const REPAIR_COST: u32 = 2;

/// One segment to process: index, code point span, text.
struct Piece<'a> {
    index: usize,
    start: usize,
    end: usize,
    text: &'a str,
}

/// Suggestions for every segment of the request's article or segment list.
pub fn suggest(
    req: &SuggestRequest,
    terms: &dyn TermRecognizer,
    memory: &dyn MatchSource,
) -> Result<SuggestResponse> {
    let pieces = pieces(req)?;
    let segments = pieces
        .par_iter()
        .map(|p| segment(req, p, terms, memory))
        .collect::<Result<Vec<_>>>()?;
    Ok(SuggestResponse { segments })
}

/// Validates the request and cuts it into segments.
fn pieces(req: &SuggestRequest) -> Result<Vec<Piece<'_>>> {
    if req.limit == 0 || req.limit > MAX_LIMIT {
        return Err(Error::invalid(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}, got {}", req.limit),
        ));
    }
    if !(MIN_SCORE_FLOOR..=100).contains(&req.min_score) {
        return Err(Error::invalid(
            "min_score",
            format!(
                "must be between {MIN_SCORE_FLOOR} and 100, got {}",
                req.min_score
            ),
        ));
    }
    for (field, tag) in [
        ("source_lang", &req.source_lang),
        ("target_lang", &req.target_lang),
    ] {
        if tag.trim().is_empty() {
            return Err(Error::invalid(field, "a language tag is required"));
        }
    }
    let pieces = match (&req.text, &req.segments) {
        (Some(text), None) => text::segment(text)
            .into_iter()
            .enumerate()
            .map(|(index, s)| {
                let body = text.get(s.start..s.end).ok_or_else(|| {
                    Error::Internal(format!(
                        "segment {}..{} is not a char boundary",
                        s.start, s.end
                    ))
                })?;
                Ok(Piece {
                    index,
                    start: s.char_start,
                    end: s.char_end,
                    text: body,
                })
            })
            .collect::<Result<Vec<_>>>()?,
        (None, Some(list)) => list
            .iter()
            .enumerate()
            .map(|(index, s)| Piece {
                index,
                start: 0,
                end: s.chars().count(),
                text: s.as_str(),
            })
            .collect(),
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "text",
                "give either text or segments, not both",
            ))
        }
        (None, None) => return Err(Error::invalid("text", "give text or segments")),
    };
    if pieces.len() > MAX_SEGMENTS {
        return Err(Error::invalid(
            "segments",
            format!(
                "at most {MAX_SEGMENTS} segments per request, got {}",
                pieces.len()
            ),
        ));
    }
    Ok(pieces)
}

/// Ranks merged matches: score, then newer, then memory and id (stable output).
fn rank(matches: &mut [MemoryMatch]) {
    matches.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.modified.cmp(&a.modified))
            .then_with(|| a.memory.cmp(&b.memory))
            .then(a.id.cmp(&b.id))
    });
}

fn segment(
    req: &SuggestRequest,
    p: &Piece<'_>,
    rec: &dyn TermRecognizer,
    memory: &dyn MatchSource,
) -> Result<SegmentSuggestion> {
    let (src, tgt) = (req.source_lang.as_str(), req.target_lang.as_str());
    let mut hits = if p.text.trim().is_empty() {
        Vec::new()
    } else {
        rec.recognize(&req.termbases, p.text, src, tgt)?
    };
    hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
    let mut matches = Vec::new();
    if !p.text.trim().is_empty() {
        for (i, name) in req.memories.iter().enumerate() {
            // A memory listed twice is searched once.
            if req.memories[..i].contains(name) {
                continue;
            }
            let found = memory.search(name, p.text, src, tgt, req.min_score, req.limit)?;
            matches.extend(found.into_iter().filter(|m| m.score >= req.min_score));
        }
    }
    rank(&mut matches);
    matches.truncate(req.limit);

    let Some(best) = matches.first() else {
        return Ok(SegmentSuggestion {
            index: p.index,
            start: p.start,
            end: p.end,
            text: p.text.to_string(),
            terms: hits,
            matches,
            suggestion: Suggestion {
                text: String::new(),
                score: 0,
                kind: SuggestionKind::TermsOnly,
                from_match: None,
                alignment: Vec::new(),
                repairs: Vec::new(),
            },
            checks: Vec::new(),
        });
    };
    let (text, repairs) = if best.score < 100 {
        let source_hits = rec.recognize(&req.termbases, &best.source, src, tgt)?;
        repair(rec, tgt, p.text, &hits, best, &source_hits)
    } else {
        (best.target.clone(), Vec::new())
    };
    let (kind, score) = if !repairs.is_empty() {
        let cost = REPAIR_COST.saturating_mul(repairs.len() as u32);
        (
            SuggestionKind::Repaired,
            best.score.saturating_sub(cost).min(99),
        )
    } else if best.score >= 100 {
        (SuggestionKind::Exact, best.score)
    } else {
        (SuggestionKind::Fuzzy, best.score)
    };
    let occ = occurrences(rec, &text, tgt, &hits);
    let suggestion = Suggestion {
        alignment: align(&hits, &occ),
        text,
        score,
        kind,
        from_match: Some(format!("{}:{}", best.memory, best.id)),
        repairs,
    };
    let checks = checks(
        p.text,
        &suggestion.text,
        tgt,
        &hits,
        &occ,
        rec.check_confidence(),
    );
    Ok(SegmentSuggestion {
        index: p.index,
        start: p.start,
        end: p.end,
        text: p.text.to_string(),
        terms: hits,
        matches,
        suggestion,
        checks,
    })
}

#[cfg(test)]
mod tests {
    use super::super::model::{CheckCode, SuggestResponse};
    use super::super::testkit::{at, pos, slice, tech_terms, unit, FakeMemory};
    use super::*;

    fn request(segments: &[&str], memories: &[&str]) -> SuggestRequest {
        SuggestRequest {
            segments: Some(segments.iter().map(|s| s.to_string()).collect()),
            memories: memories.iter().map(|s| s.to_string()).collect(),
            termbases: vec!["tech".into()],
            ..Default::default()
        }
    }

    fn run(segments: &[&str], mem: FakeMemory) -> SuggestResponse {
        let names: Vec<&str> = mem.0.iter().map(|(m, _, _)| *m).collect();
        let req = request(segments, &names);
        match suggest(&req, &tech_terms(), &mem) {
            Ok(r) => r,
            Err(e) => panic!("suggest failed: {e}"),
        }
    }

    const SEG_HUAWEI: &str = "أعلنت هواوي عن شريحة جديدة للذكاء الاصطناعي.";
    const SRC_NVIDIA: &str = "أعلنت إنفيديا عن شريحة جديدة للذكاء الاصطناعي.";

    #[test]
    fn a_differing_company_name_is_repaired_and_aligned() {
        let mem = FakeMemory(vec![(
            "news",
            SEG_HUAWEI,
            unit(
                "news",
                41,
                88,
                SRC_NVIDIA,
                "Nvidia announced a new AI chip.",
                at(2025, 1, 5),
            ),
        )]);
        let seg = &run(&[SEG_HUAWEI], mem).segments[0];
        let s = &seg.suggestion;
        assert_eq!(s.text, "Huawei announced a new AI chip.");
        assert_eq!(s.kind, SuggestionKind::Repaired);
        assert_eq!(s.score, 86);
        assert_eq!(s.from_match.as_deref(), Some("news:41"));
        assert_eq!(s.repairs.len(), 1);
        let r = &s.repairs[0];
        assert_eq!(
            (r.old_target.as_str(), r.new_target.as_str()),
            ("Nvidia", "Huawei")
        );
        assert_eq!(r.entry_id.as_deref(), Some("huawei"));
        assert_eq!(
            slice(SEG_HUAWEI, r.source_span[0], r.source_span[1]),
            "هواوي"
        );
        // Alignment, checked against the strings character by character.
        let pairs: Vec<(String, String, &str)> = s
            .alignment
            .iter()
            .map(|a| {
                (
                    slice(SEG_HUAWEI, a.source_start, a.source_end),
                    slice(&s.text, a.target_start, a.target_end),
                    a.entry_id.as_str(),
                )
            })
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("هواوي".to_string(), "Huawei".to_string(), "huawei"),
                ("شريحة".to_string(), "chip".to_string(), "chip"),
                ("للذكاء الاصطناعي".to_string(), "AI".to_string(), "ai"),
            ]
        );
        assert_eq!(
            (s.alignment[0].source_start, s.alignment[0].target_start),
            (6, 0)
        );
        assert!(seg.checks.is_empty(), "{:?}", seg.checks);
    }

    #[test]
    fn accelerators_are_dropped_and_placeholders_substituted() {
        let seg_text = "Save all open files";
        let mem = FakeMemory(vec![(
            "ui",
            seg_text,
            unit(
                "ui",
                4,
                99,
                "Sa_ve all open files",
                "ا_حفظ كل الملفات المفتوحة",
                at(2024, 6, 1),
            ),
        )]);
        let s = &run(&[seg_text], mem).segments[0].suggestion;
        assert_eq!(s.text, "احفظ كل الملفات المفتوحة");
        assert_eq!(s.kind, SuggestionKind::Repaired);
        assert_eq!(s.repairs.len(), 1);
        assert_eq!(
            (
                s.repairs[0].old_target.as_str(),
                s.repairs[0].new_target.as_str()
            ),
            ("ا_حفظ", "احفظ")
        );
        // A segment with a marker keeps the target's.
        let seg_text = "Sa&ve all open files";
        let mem = FakeMemory(vec![(
            "ui",
            seg_text,
            unit(
                "ui",
                4,
                99,
                "Sa_ve all open files",
                "ا_حفظ كل الملفات المفتوحة",
                at(2024, 6, 1),
            ),
        )]);
        let s = &run(&[seg_text], mem).segments[0].suggestion;
        assert_eq!(
            (s.text.as_str(), s.kind),
            ("ا_حفظ كل الملفات المفتوحة", SuggestionKind::Fuzzy)
        );
        // A placeholder of the same kind is substituted like a number.
        let seg_text = "Deleting %1 now";
        let mem = FakeMemory(vec![(
            "ui",
            seg_text,
            unit(
                "ui",
                5,
                98,
                "Deleting %s now",
                "جار حذف %s الآن",
                at(2024, 6, 1),
            ),
        )]);
        let s = &run(&[seg_text], mem).segments[0].suggestion;
        assert_eq!(s.text, "جار حذف %1 الآن");
        assert_eq!(s.repairs[0].old_target, "%s");
    }

    #[test]
    fn a_differing_number_is_repaired_in_the_target_format() {
        let seg_text = "باعت الشركة ٢٠٠٠ شريحة في يناير.";
        let mem = FakeMemory(vec![(
            "news",
            seg_text,
            unit(
                "news",
                3,
                90,
                "باعت الشركة ١٠٠٠ شريحة في يناير.",
                "The company sold 1,000 chips in January.",
                at(2024, 6, 1),
            ),
        )]);
        let seg = &run(&[seg_text], mem).segments[0];
        let s = &seg.suggestion;
        assert_eq!(s.text, "The company sold 2,000 chips in January.");
        assert_eq!((s.kind, s.score), (SuggestionKind::Repaired, 88));
        assert_eq!(s.repairs[0].old_target, "1,000");
        assert_eq!(s.repairs[0].entry_id, None);
        assert_eq!(
            slice(
                seg_text,
                s.repairs[0].source_span[0],
                s.repairs[0].source_span[1]
            ),
            "٢٠٠٠"
        );
        // "chips" (plural) is aligned with شريحة; no number is reported missing.
        let a = &s.alignment[0];
        assert_eq!(slice(&s.text, a.target_start, a.target_end), "chips");
        assert!(seg.checks.is_empty(), "{:?}", seg.checks);
    }

    #[test]
    fn an_ambiguous_repair_is_refused() {
        let seg_text = "قالت هواوي إن رقائق هواوي الجديدة أسرع";
        let seg_one = "قالت هواوي إن الرقائق الجديدة أسرع";
        let mem = FakeMemory(vec![
            (
                "news",
                seg_one,
                unit(
                    "news",
                    9,
                    80,
                    "قالت إنفيديا إن الرقائق الجديدة أسرع",
                    "Nvidia said the new Nvidia chips are faster.",
                    at(2025, 2, 1),
                ),
            ),
            (
                "news",
                seg_text,
                unit(
                    "news",
                    10,
                    75,
                    "قالت إنفيديا إن رقائق إنفيديا الجديدة أسرع",
                    "Nvidia said its new chips are faster.",
                    at(2025, 2, 1),
                ),
            ),
        ]);
        let resp = run(&[seg_one, seg_text], mem);
        // Nvidia occurs twice in the target: which one to replace is unknown.
        let s = &resp.segments[0].suggestion;
        assert_eq!(s.text, "Nvidia said the new Nvidia chips are faster.");
        assert_eq!((s.kind, s.score), (SuggestionKind::Fuzzy, 80));
        assert!(s.repairs.is_empty());
        let missing: Vec<_> = resp.segments[0]
            .checks
            .iter()
            .filter(|c| c.code == CheckCode::MissingTerm)
            .map(|c| c.entry_id.as_deref())
            .collect();
        assert_eq!(missing, vec![Some("huawei")]);
        // Huawei occurs twice in the segment: no unique pairing either.
        let s = &resp.segments[1].suggestion;
        assert_eq!(s.text, "Nvidia said its new chips are faster.");
        assert!(s.repairs.is_empty());
    }

    #[test]
    fn unpairable_terms_and_repeated_numbers_are_not_repaired() {
        // Nvidia was dropped and Huawei added elsewhere: no counterpart.
        let moved = "أعلنت عن شريحة هواوي للذكاء الاصطناعي";
        // 1,000 occurs twice in the target: which one changed is unknown.
        let twice = "باعت الشركة ٢٠٠٠ شريحة";
        let mem = FakeMemory(vec![
            (
                "m",
                moved,
                unit(
                    "m",
                    1,
                    78,
                    "أعلنت إنفيديا عن شريحة",
                    "Nvidia announced a chip.",
                    at(2025, 1, 1),
                ),
            ),
            (
                "m",
                twice,
                unit(
                    "m",
                    2,
                    90,
                    "باعت الشركة ١٠٠٠ شريحة",
                    "The company sold 1,000 chips, 1,000 more than planned.",
                    at(2025, 1, 1),
                ),
            ),
        ]);
        let resp = run(&[moved, twice], mem);
        let s = &resp.segments[0].suggestion;
        assert_eq!(
            (s.kind, s.text.as_str()),
            (SuggestionKind::Fuzzy, "Nvidia announced a chip.")
        );
        let missing: Vec<Option<&str>> = resp.segments[0]
            .checks
            .iter()
            .map(|c| c.entry_id.as_deref())
            .collect();
        assert_eq!(missing, vec![Some("huawei"), Some("ai")]);
        let s = &resp.segments[1].suggestion;
        assert!(s.repairs.is_empty());
        assert_eq!(
            s.text,
            "The company sold 1,000 chips, 1,000 more than planned."
        );
        let codes: Vec<CheckCode> = resp.segments[1].checks.iter().map(|c| c.code).collect();
        assert_eq!(codes, vec![CheckCode::NumberMismatch]);
    }

    #[test]
    fn the_json_shape_uses_the_published_field_names() {
        let mem = FakeMemory(vec![(
            "news",
            SEG_HUAWEI,
            unit(
                "news",
                41,
                88,
                SRC_NVIDIA,
                "Nvidia announced a new AI chip.",
                at(2025, 1, 5),
            ),
        )]);
        let json = match serde_json::to_value(run(&[SEG_HUAWEI], mem)) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        let seg = &json["segments"][0];
        assert_eq!(seg["start"], 0);
        assert_eq!(seg["end"], SEG_HUAWEI.chars().count());
        assert_eq!(seg["terms"][0]["match"], "surface");
        assert_eq!(seg["terms"][0]["translations"][0]["status"], "preferred");
        assert_eq!(seg["suggestion"]["kind"], "repaired");
        assert_eq!(seg["suggestion"]["from_match"], "news:41");
        assert_eq!(
            seg["suggestion"]["repairs"][0]["source_span"],
            serde_json::json!([6, 11])
        );
        assert_eq!(seg["suggestion"]["alignment"][0]["target_end"], 6);
        assert_eq!(seg["matches"][0]["score"], 88);
    }

    #[test]
    fn repeated_terms_align_in_order_and_never_share_a_target_span() {
        let twice = "النموذج الجديد أسرع من النموذج القديم";
        let once = "نموذج واحد فقط";
        let mem = FakeMemory(vec![
            (
                "m",
                twice,
                unit(
                    "m",
                    1,
                    100,
                    twice,
                    "The new model is faster than the old model.",
                    at(2025, 1, 1),
                ),
            ),
            (
                "m",
                once,
                unit(
                    "m",
                    2,
                    100,
                    once,
                    "One model, not one model more.",
                    at(2025, 1, 1),
                ),
            ),
        ]);
        let resp = run(&[twice, "اختبار", once], mem);
        let s = &resp.segments[0].suggestion;
        assert_eq!(s.kind, SuggestionKind::Exact);
        let spans: Vec<(usize, usize)> = s
            .alignment
            .iter()
            .map(|a| (a.source_start, a.target_start))
            .collect();
        assert_eq!(spans, vec![(0, 8), (23, 37)]);
        assert_eq!(slice(twice, 23, 30), "النموذج");
        assert_eq!(slice(&s.text, 37, 42), "model");
        // Source once, target twice: one alignment, to the first occurrence.
        let s = &resp.segments[2].suggestion;
        assert_eq!(s.alignment.len(), 1);
        assert_eq!(
            (s.alignment[0].target_start, s.alignment[0].target_end),
            (4, 9)
        );
        assert_eq!(resp.segments[1].suggestion.kind, SuggestionKind::TermsOnly);
    }

    #[test]
    fn forbidden_and_deprecated_translations_are_flagged_with_spans() {
        let a = "الذكاء الاصطناعي يغير السوق";
        let b = "والذكاء الاصطناعي يغير العالم";
        let mem = FakeMemory(vec![
            (
                "m",
                a,
                unit(
                    "m",
                    1,
                    100,
                    a,
                    "Artificial intellect is changing the market.",
                    at(2025, 1, 1),
                ),
            ),
            (
                "m",
                b,
                unit(
                    "m",
                    2,
                    95,
                    b,
                    "And machine intelligence changes the world.",
                    at(2025, 1, 1),
                ),
            ),
        ]);
        let resp = run(&[a, b], mem);
        let c = &resp.segments[0].checks;
        let t = &resp.segments[0].suggestion.text;
        let codes: Vec<CheckCode> = c.iter().map(|c| c.code).collect();
        assert_eq!(
            codes,
            vec![CheckCode::MissingTerm, CheckCode::ForbiddenTerm]
        );
        let span = c[1].target_span.unwrap_or_default();
        assert_eq!(slice(t, span[0], span[1]), "Artificial intellect");
        let c = &resp.segments[1].checks;
        let t = &resp.segments[1].suggestion.text;
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[1].code, CheckCode::DeprecatedTerm);
        let span = c[1].target_span.unwrap_or_default();
        assert_eq!(slice(t, span[0], span[1]), "machine intelligence");
        assert_eq!(c[1].entry_id.as_deref(), Some("ai"));
    }

    #[test]
    fn numbers_missing_from_the_suggestion_are_flagged_but_not_scale_words() {
        let seg_text = "باعت الشركة ٦ ملايين هاتف في عام ٢٠٢٤";
        let mem = FakeMemory(vec![(
            "m",
            seg_text,
            unit(
                "m",
                5,
                100,
                seg_text,
                "The company sold 6 million phones in 2023.",
                at(2025, 1, 1),
            ),
        )]);
        let seg = &run(&[seg_text], mem).segments[0];
        let codes: Vec<(CheckCode, bool)> = seg
            .checks
            .iter()
            .map(|c| (c.code, c.message.contains("٢٠٢٤")))
            .collect();
        assert_eq!(codes, vec![(CheckCode::NumberMismatch, true)]);
    }

    #[test]
    fn weak_hits_are_listed_but_not_enforced() {
        let seg_text = "صنعت الشركة شريحة";
        let mem = FakeMemory(vec![(
            "m",
            seg_text,
            unit(
                "m",
                1,
                100,
                seg_text,
                "The company made a processor.",
                at(2025, 1, 1),
            ),
        )]);
        let seg = &run(&[seg_text], mem).segments[0];
        assert_eq!(seg.terms.len(), 1);
        assert!(seg.checks.is_empty(), "{:?}", seg.checks);
    }

    #[test]
    fn no_match_above_min_score_gives_terms_only() {
        let mem = FakeMemory(vec![(
            "news",
            SEG_HUAWEI,
            unit(
                "news",
                1,
                65,
                SRC_NVIDIA,
                "Nvidia announced a new AI chip.",
                at(2025, 1, 1),
            ),
        )]);
        let seg = &run(&[SEG_HUAWEI], mem).segments[0];
        let s = &seg.suggestion;
        assert_eq!(s.kind, SuggestionKind::TermsOnly);
        assert_eq!((s.text.as_str(), s.from_match.clone()), ("", None));
        assert!(s.alignment.is_empty() && s.repairs.is_empty());
        assert!(seg.matches.is_empty() && seg.checks.is_empty());
        let ids: Vec<&str> = seg.terms.iter().map(|t| t.entry_id.as_str()).collect();
        assert_eq!(ids, vec!["huawei", "chip", "ai"]);
        assert_eq!(seg.terms[2].translations[0].text, "artificial intelligence");
    }

    #[test]
    fn matches_of_all_memories_are_merged_and_ties_go_to_the_newer() {
        let q = "أطلقت الشركة نموذجها الجديد";
        let mem = FakeMemory(vec![
            (
                "old",
                q,
                unit(
                    "old",
                    1,
                    85,
                    q,
                    "The company launched its new model.",
                    at(2024, 1, 1),
                ),
            ),
            ("old", q, unit("old", 2, 72, q, "Launched.", at(2025, 9, 1))),
            (
                "new",
                q,
                unit(
                    "new",
                    7,
                    85,
                    q,
                    "The firm released its new model.",
                    at(2025, 3, 1),
                ),
            ),
            (
                "new",
                q,
                unit("new", 8, 60, q, "Below the threshold.", at(2026, 1, 1)),
            ),
        ]);
        let seg = &run(&[q], mem).segments[0];
        let got: Vec<(String, u64)> = seg
            .matches
            .iter()
            .map(|m| (m.memory.clone(), m.id))
            .collect();
        assert_eq!(
            got,
            vec![
                ("new".to_string(), 7),
                ("old".to_string(), 1),
                ("old".to_string(), 2)
            ]
        );
        assert_eq!(seg.suggestion.from_match.as_deref(), Some("new:7"));
        assert_eq!(seg.suggestion.text, "The firm released its new model.");
    }

    #[test]
    fn article_segments_point_into_the_article() {
        let article = "قمة الذكاء الاصطناعي في شنغهاي.\n\n  أعلنت هواوي عن شريحة جديدة.\nوقالت إنفيديا إن الطلب قوي.\n";
        let req = SuggestRequest {
            text: Some(article.to_string()),
            termbases: vec!["tech".into()],
            ..Default::default()
        };
        let resp = match suggest(&req, &tech_terms(), &FakeMemory(vec![])) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let texts: Vec<&str> = resp.segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "قمة الذكاء الاصطناعي في شنغهاي.",
                "أعلنت هواوي عن شريحة جديدة.",
                "وقالت إنفيديا إن الطلب قوي."
            ]
        );
        for (i, s) in resp.segments.iter().enumerate() {
            assert_eq!(s.index, i);
            assert_eq!(slice(article, s.start, s.end), s.text);
        }
        assert_eq!(resp.segments[1].start, pos(article, "أعلنت"));
        // Term offsets are relative to the segment.
        let h = &resp.segments[1].terms[0];
        assert_eq!(slice(&resp.segments[1].text, h.start, h.end), "هواوي");
    }

    #[test]
    fn malformed_requests_and_unknown_memories_are_user_faults() {
        let terms = tech_terms();
        let mem = FakeMemory(vec![]);
        let both = SuggestRequest {
            text: Some("نص".into()),
            segments: Some(vec!["نص".into()]),
            ..Default::default()
        };
        let neither = SuggestRequest::default();
        let zero = SuggestRequest {
            limit: 0,
            ..request(&["نص"], &[])
        };
        let high = SuggestRequest {
            min_score: 101,
            ..request(&["نص"], &[])
        };
        let low = SuggestRequest {
            min_score: MIN_SCORE_FLOOR - 1,
            ..request(&["نص"], &[])
        };
        for (req, field) in [
            (both, "text"),
            (neither, "text"),
            (zero, "limit"),
            (high, "min_score"),
            (low, "min_score"),
        ] {
            match suggest(&req, &terms, &mem) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("expected invalid {field}, got {other:?}"),
            }
        }
        match suggest(&request(&["نص عربي"], &["غير-موجودة"]), &terms, &mem) {
            Err(e @ Error::NotFound { .. }) => assert!(e.is_user_fault()),
            other => panic!("expected not found, got {other:?}"),
        }
        // An empty segment list is valid and yields nothing.
        match suggest(&request(&[], &[]), &terms, &mem) {
            Ok(r) => assert!(r.segments.is_empty()),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_report_shows_segment_match_suggestion_terms_and_checks() {
        let mem = FakeMemory(vec![(
            "news",
            SEG_HUAWEI,
            unit(
                "news",
                41,
                88,
                SRC_NVIDIA,
                "Nvidia announced a new AI chip.",
                at(2025, 1, 5),
            ),
        )]);
        let report = super::super::render_report(&run(&[SEG_HUAWEI, "جملة بلا ذاكرة"], mem));
        for needle in [
            SEG_HUAWEI,
            "best match: 88% from news #41",
            "suggestion [repaired 86%]: Huawei announced a new AI chip.",
            "repaired: Nvidia → Huawei",
            "للذكاء الاصطناعي [ai] → artificial intelligence, AI (admitted)",
            "suggestion: (terms only)",
        ] {
            assert!(report.contains(needle), "missing {needle:?} in\n{report}");
        }
    }
}
