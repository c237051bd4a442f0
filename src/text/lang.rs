//! Language tags as clients send them: BCP-47 (`ar-SA`), POSIX locales
//! (`ar_SA`, `pt_br`), upper case (`AR`, `EN-US`), ISO 639-2 (`ara`, `eng`).
//!
//! Everything that compares languages goes through [`primary_subtag`]; the
//! protocol adapters additionally fold the two three-letter codes of the
//! languages this server analyses with [`base_language`], so `ara`, `ar_SA`
//! and `AR` all name Arabic.
//!
//! ```
//! use mustalah::text::lang::{base_language, is_language_tag, primary_subtag};
//! assert_eq!(primary_subtag("ar_SA"), "ar");
//! assert_eq!(primary_subtag("EN-us"), "en");
//! assert_eq!(base_language("ara"), "ar");
//! assert_eq!(base_language("pt_br"), "pt");
//! assert!(is_language_tag("zh-Hant-TW"));
//! assert!(!is_language_tag("ar|en"));
//! ```

/// The primary language subtag, lower-case: `ar-SA`, `ar_SA`, `AR` → `ar`.
pub fn primary_subtag(tag: &str) -> String {
    tag.trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// [`primary_subtag`] with the ISO 639-2 codes of Arabic and English
/// (`ara`, `eng`) folded to `ar` and `en`.
pub fn base_language(tag: &str) -> String {
    let base = primary_subtag(tag);
    match base.as_str() {
        "ara" => "ar".to_string(),
        "eng" => "en".to_string(),
        _ => base,
    }
}

/// Whether `tag` looks like a language tag: 1–35 ASCII letters, digits,
/// `-` or `_`, starting with a letter whose primary subtag is 2–8 letters.
pub fn is_language_tag(tag: &str) -> bool {
    let primary = tag.split(['-', '_']).next().unwrap_or("");
    !tag.is_empty()
        && tag.len() <= 35
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && (2..=8).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_spellings_meet_on_one_base() {
        for (tag, base) in [
            ("ar", "ar"),
            ("AR", "ar"),
            ("ar-SA", "ar"),
            ("ar_SA", "ar"),
            ("ara", "ar"),
            ("en_US", "en"),
            ("EN-GB", "en"),
            ("eng", "en"),
            ("pt_br", "pt"),
            ("zh-Hant-TW", "zh"),
            (" fr ", "fr"),
        ] {
            assert_eq!(base_language(tag), base, "{tag}");
        }
        assert_eq!(primary_subtag("ara"), "ara");
    }

    #[test]
    fn tags_are_checked() {
        for ok in ["ar", "en-US", "pt_br", "ara", "zh-Hant-TW", "x-klingon"] {
            let want = ok != "x-klingon";
            assert_eq!(is_language_tag(ok), want, "{ok}");
        }
        for bad in [
            "",
            "a",
            "1a",
            "ar|en",
            "ar en",
            "ar/en",
            "عربي",
            &"a".repeat(40),
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
