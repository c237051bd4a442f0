//! Units that came from aligning a document pair ([`crate::bitext`]).
//!
//! Their alignment metadata lives in TMX props, so export and re-import
//! keep it and other tools can read it (Trados keeps Quality, Source File
//! and Target File fields on aligned units in the same way):
//! * `x-alignment-quality`: the link's quality, 0–1 (three decimals);
//! * `x-alignment-confirmed`: `false` until a person confirms the unit
//!   (`PUT …/units/{id}` with `"confirmed": true`), then `true`;
//! * `x-alignment-kind`: `1-1`, `2-1`, …
//!
//! and the document pair's name is the unit's `origin`.
//!
//! **The `alignment` penalty**: an unconfirmed aligned unit loses
//! [`ALIGNMENT_PENALTY`] point in fuzzy search (memoQ and Trados penalize
//! unreviewed alignment the same way; Trados' default is 1). Like every
//! penalty it is applied after scoring and never to a byte-identical
//! segment (which scores 100, see [`super::score`]), and it only lowers
//! a score, so the index filter stays lossless.

use super::model::{Penalty, TranslationUnit, UnitDraft};
use super::{
    poisoned, prepare_draft, same_content, write_units_replacing, BatchKind, Memories, Result,
};

/// Prop holding the link quality.
pub const PROP_QUALITY: &str = "x-alignment-quality";
/// Prop holding `true`/`false`: confirmed by a person.
pub const PROP_CONFIRMED: &str = "x-alignment-confirmed";
/// Prop holding the link kind.
pub const PROP_KIND: &str = "x-alignment-kind";
/// Points an unconfirmed aligned unit loses in fuzzy search.
pub const ALIGNMENT_PENALTY: u32 = 1;

fn prop<'a>(props: &'a [(String, String)], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Whether the props mark an aligned unit nobody has confirmed yet.
pub fn is_unconfirmed(props: &[(String, String)]) -> bool {
    prop(props, PROP_CONFIRMED) == Some("false")
}

/// Whether the props mark an aligned unit (confirmed or not).
pub fn is_aligned(props: &[(String, String)]) -> bool {
    prop(props, PROP_CONFIRMED).is_some()
}

/// The `alignment` penalty of a unit with these props, if it has one.
pub fn penalty(props: &[(String, String)]) -> Option<Penalty> {
    is_unconfirmed(props).then_some(Penalty {
        reason: "alignment",
        points: ALIGNMENT_PENALTY,
    })
}

/// Sets (or adds) the confirmed prop.
pub fn set_confirmed(props: &mut Vec<(String, String)>, confirmed: bool) {
    let v = if confirmed { "true" } else { "false" };
    match props.iter_mut().find(|(k, _)| k == PROP_CONFIRMED) {
        Some(p) => p.1 = v.to_string(),
        None => props.push((PROP_CONFIRMED.to_string(), v.to_string())),
    }
}

/// Props of a fresh aligned unit.
pub fn props(quality: f32, kind: &str) -> Vec<(String, String)> {
    vec![
        (PROP_QUALITY.to_string(), format!("{quality:.3}")),
        (PROP_CONFIRMED.to_string(), "false".to_string()),
        (PROP_KIND.to_string(), kind.to_string()),
    ]
}

/// A replaced unit keeps the alignment props its replacement does not set,
/// so `PUT` with only the texts and `confirmed` keeps quality and kind.
pub(crate) fn carry_over(old: &TranslationUnit, draft: &mut UnitDraft) {
    for name in [PROP_QUALITY, PROP_CONFIRMED, PROP_KIND] {
        if prop(&draft.props, name).is_none() {
            if let Some(v) = prop(&old.props, name) {
                draft.props.push((name.to_string(), v.to_string()));
            }
        }
    }
}

/// An identical unit met again by a new alignment: an unconfirmed aligned
/// unit takes the new link's quality and kind; a confirmed or a hand-made
/// unit stays as it is.
pub(crate) fn refresh(unit: &mut TranslationUnit, draft: &UnitDraft) {
    if !is_unconfirmed(&unit.props) || !is_aligned(&draft.props) {
        return;
    }
    for name in [PROP_QUALITY, PROP_KIND] {
        if let Some(v) = prop(&draft.props, name) {
            match unit.props.iter_mut().find(|(k, _)| k == name) {
                Some(p) => p.1 = v.to_string(),
                None => unit.props.push((name.to_string(), v.to_string())),
            }
        }
    }
}

/// Outcome of storing a document pair's links.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlignedWrite {
    /// Unit id of each draft, in order (`0` in a dry run for a new unit).
    pub ids: Vec<u64>,
    /// Units created.
    pub added: u64,
    /// Identical units refreshed (quality and kind of unconfirmed ones).
    pub updated: u64,
    /// Identical units with nothing new (left as they were).
    pub unchanged: u64,
    /// Unconfirmed units of an earlier alignment of the pair that the new
    /// links no longer contain, deleted.
    pub removed: u64,
}

impl Memories {
    /// Stores the links of one document pair as units of origin `origin`,
    /// replacing the pair's earlier alignment: identical units are kept
    /// (same id), unconfirmed units of the pair that are no longer linked
    /// are deleted, confirmed ones always stay. One atomic batch; `dry_run`
    /// reports and writes nothing.
    ///
    /// Finding the pair's earlier units reads every unit of the memory
    /// (raw bytes are checked for the origin before decoding): a
    /// re-alignment costs a scan, a first alignment too.
    pub fn replace_aligned(
        &self,
        name: &str,
        origin: &str,
        drafts: Vec<UnitDraft>,
        dry_run: bool,
    ) -> Result<AlignedWrite> {
        let m = self.memory(name)?;
        let _w = m.writer.lock().map_err(|_| poisoned())?;
        let meta = m.meta.read().map_err(|_| poisoned())?.clone();
        let drafts = drafts
            .into_iter()
            .map(|mut d| {
                d.origin = Some(origin.to_string());
                prepare_draft(&meta, d)
            })
            .collect::<Result<Vec<_>>>()?;
        let needle = serde_json::to_string(origin).unwrap_or_default();
        let mut earlier: Vec<TranslationUnit> = Vec::new();
        for r in m.tree.scan_prefix(b"u/") {
            let (_, v) = r?;
            if memchr::memmem::find(&v, needle.as_bytes()).is_none() {
                continue;
            }
            let Ok(u) = serde_json::from_slice::<TranslationUnit>(&v) else {
                continue;
            };
            if u.origin.as_deref() == Some(origin) && is_aligned(&u.props) {
                earlier.push(u);
            }
        }
        let remove: Vec<u64> = earlier
            .iter()
            .filter(|u| is_unconfirmed(&u.props) && !drafts.iter().any(|d| same_content(u, d)))
            .map(|u| u.id)
            .collect();
        if dry_run {
            let mut out = AlignedWrite {
                removed: remove.len() as u64,
                ..Default::default()
            };
            for d in &drafts {
                match earlier.iter().find(|u| same_content(u, d)) {
                    Some(u) => {
                        out.ids.push(u.id);
                        out.updated += 1;
                    }
                    None => {
                        out.ids.push(0);
                        out.added += 1;
                    }
                }
            }
            return Ok(out);
        }
        let report = write_units_replacing(
            &m,
            drafts,
            None,
            chrono::Utc::now(),
            BatchKind::Request,
            &remove,
        )?;
        Ok(AlignedWrite {
            ids: report.ids,
            added: report.added,
            updated: report.updated,
            unchanged: report.unchanged,
            removed: remove.len() as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unconfirmed_aligned_units_are_penalized() {
        let mut p = props(0.91, "1-1");
        assert_eq!(penalty(&p).map(|x| x.points), Some(1));
        set_confirmed(&mut p, true);
        assert!(penalty(&p).is_none());
        assert!(is_aligned(&p));
        assert!(penalty(&[]).is_none());
        assert!(penalty(&[("x-origin".into(), "gedit".into())]).is_none());
    }

    fn aligned(source: &str, target: &str, quality: f32) -> UnitDraft {
        UnitDraft {
            source: source.into(),
            target: target.into(),
            props: props(quality, "1-1"),
            ..Default::default()
        }
    }

    #[test]
    fn realigning_a_pair_updates_keeps_confirmed_and_drops_stale_links() {
        let (_s, m) = super::super::tests::mems();
        m.create("news", "ar", "en", None).unwrap();
        let first = m
            .replace_aligned(
                "news",
                "waic",
                vec![
                    aligned("جملة أولى", "First", 0.5),
                    aligned("جملة ثانية", "Second", 0.6),
                    aligned("ثالثة", "Third", 0.7),
                ],
                false,
            )
            .unwrap();
        assert_eq!((first.added, first.updated, first.removed), (3, 0, 0));
        // A person confirms the third link.
        let mut third = m.get_unit("news", first.ids[2]).unwrap();
        set_confirmed(&mut third.props, true);
        m.put_unit(
            "news",
            third.id,
            UnitDraft {
                source: third.source.clone(),
                target: third.target.clone(),
                props: vec![(PROP_CONFIRMED.into(), "true".into())],
                ..Default::default()
            },
        )
        .unwrap();
        let kept = m.get_unit("news", third.id).unwrap();
        assert_eq!(
            prop(&kept.props, PROP_QUALITY),
            Some("0.700"),
            "quality carried over"
        );
        // Re-alignment: the first link again (better quality), the second
        // changed, the third gone from the new links.
        let dry = m
            .replace_aligned(
                "news",
                "waic",
                vec![
                    aligned("جملة أولى", "First", 0.9),
                    aligned("جملة ثانية", "The second", 0.8),
                ],
                true,
            )
            .unwrap();
        assert_eq!((dry.added, dry.updated, dry.removed), (1, 1, 1));
        assert_eq!(
            m.get_meta("news").unwrap().units,
            3,
            "a dry run writes nothing"
        );
        let again = m
            .replace_aligned(
                "news",
                "waic",
                vec![
                    aligned("جملة أولى", "First", 0.9),
                    aligned("جملة ثانية", "The second", 0.8),
                ],
                false,
            )
            .unwrap();
        assert_eq!((again.added, again.updated, again.removed), (1, 1, 1));
        assert_eq!(again.ids[0], first.ids[0]);
        let u = m.get_unit("news", first.ids[0]).unwrap();
        assert_eq!(prop(&u.props, PROP_QUALITY), Some("0.900"));
        assert!(
            m.get_unit("news", first.ids[1]).is_err(),
            "stale link deleted"
        );
        assert!(m.get_unit("news", third.id).is_ok(), "confirmed link kept");
        assert_eq!(m.get_meta("news").unwrap().units, 3);
    }

    #[test]
    fn unconfirmed_units_lose_a_point_in_fuzzy_search_but_not_when_identical() {
        use super::super::model::SearchQuery;
        let (_s, m) = super::super::tests::mems();
        m.create("news", "en", "ar", None).unwrap();
        let w = m
            .replace_aligned(
                "news",
                "pair",
                vec![aligned("Save the file now", "احفظ الملف الآن", 0.9)],
                false,
            )
            .unwrap();
        let q = |text: &str| SearchQuery {
            text: text.into(),
            source_lang: None,
            target_lang: None,
            min_score: 30,
            limit: 5,
            context: None,
        };
        let exact = m.search("news", &q("Save the file now")).unwrap();
        assert_eq!(exact[0].score, 100);
        let fuzzy = m.search("news", &q("Save the file later")).unwrap();
        let unconfirmed = fuzzy[0].score;
        assert!(fuzzy[0].penalties.iter().any(|p| p.reason == "alignment"));
        m.put_unit(
            "news",
            w.ids[0],
            UnitDraft {
                source: "Save the file now".into(),
                target: "احفظ الملف الآن".into(),
                props: vec![(PROP_CONFIRMED.into(), "true".into())],
                ..Default::default()
            },
        )
        .unwrap();
        let confirmed = m.search("news", &q("Save the file later")).unwrap()[0].score;
        assert_eq!(confirmed, unconfirmed + ALIGNMENT_PENALTY);
        assert_eq!(
            m.search_exhaustive("news", &q("Save the file later"))
                .unwrap()[0]
                .score,
            confirmed
        );
    }
}
