//! Protocols that existing CAT tools and platforms already speak, so they
//! can use mustalah by URL alone, without a plugin. One file per protocol,
//! each a thin wire mapping over the domain:
//!
//! * [`tmserver`]: translate-toolkit's `tmserver` / amaGama (Weblate, Okapi,
//!   Virtaal, Pootle) under `/tmserver/` and `/api/v1/`;
//! * [`mymemory`]: MyMemory's `GET /get` and `/set` (MateCat, OmegaT, Okapi);
//! * [`languagetool`]: LanguageTool's `POST /v2/check` and `/v2/languages`,
//!   answering with terminology QA (OmegaT's remote LanguageTool);
//! * [`export`]: stable export URLs with strong `ETag`s that OmegaT team
//!   projects and scripts poll (`/v1/memories/{tm}.tmx`, `/v1/termbases/{tb}.tbx`,
//!   `.utf8`/`.tsv` in OmegaT's glossary layout).
//!
//! Which collections answer: `--compat-memories` / `--compat-termbases`
//! (default: all), or per client key: `--compat-key KEY=name,name` gives a
//! client presenting `KEY` (MyMemory's `key=`, a `key=` query parameter on
//! any of these routes, or `Authorization: Bearer KEY`) the memories and
//! term bases of those names instead. Keys select, they do not
//! authenticate: with `--read-token`/`--write-token` set, these routes need
//! the tokens like every other route, which clients that cannot send a
//! header may pass as `key=` (see [`super::auth`]).

pub mod export;
pub mod languagetool;
pub mod mymemory;
pub mod tmserver;

use actix_web::{web, HttpRequest};

/// Which memories and term bases the protocol adapters use.
#[derive(Debug, Clone, Default)]
pub struct CompatConfig {
    /// Memories that answer (`None`: all).
    pub memories: Option<Vec<String>>,
    /// Term bases the term QA uses (`None`: all).
    pub termbases: Option<Vec<String>>,
    /// Client keys and the collection names each selects.
    pub keys: Vec<(String, Vec<String>)>,
}

impl CompatConfig {
    /// Builds the configuration from the `serve` flags: `memories` and
    /// `termbases` empty mean all; each key spec is `KEY=name,name`.
    pub fn from_flags(
        memories: &[String],
        termbases: &[String],
        keys: &[String],
    ) -> Result<CompatConfig, String> {
        let list = |v: &[String]| (!v.is_empty()).then(|| v.to_vec());
        let mut parsed = Vec::new();
        for spec in keys {
            let Some((key, names)) = spec.split_once('=') else {
                return Err(format!(
                    "--compat-key {spec:?}: use KEY=name,name (memories and term bases the key selects)"
                ));
            };
            let names: Vec<String> = names
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .collect();
            if key.trim().is_empty() || names.is_empty() {
                return Err(format!(
                    "--compat-key {spec:?}: the key and at least one name are needed"
                ));
            }
            parsed.push((key.trim().to_string(), names));
        }
        Ok(CompatConfig {
            memories: list(memories),
            termbases: list(termbases),
            keys: parsed,
        })
    }
}

/// The collections one request may use.
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    /// Memory names (`None`: all).
    pub memories: Option<Vec<String>>,
    /// Term-base names (`None`: all).
    pub termbases: Option<Vec<String>>,
}

impl Selection {
    /// Term bases to check with: the selection, else every term base.
    pub fn termbase_names(&self, all: &crate::termbase::TermBases) -> Vec<String> {
        let every: Vec<String> = all.list().into_iter().map(|t| t.name).collect();
        match &self.termbases {
            Some(names) => every.into_iter().filter(|n| names.contains(n)).collect(),
            None => every,
        }
    }
}

/// The selection for `req`: the first presented key (`key` values, then
/// the bearer token) that is a configured client key, else the defaults.
pub(crate) fn selection(req: &HttpRequest, key_param: Option<&str>) -> Selection {
    let default = CompatConfig::default();
    let config = req
        .app_data::<web::Data<CompatConfig>>()
        .map(|c| c.get_ref())
        .unwrap_or(&default);
    let bearer = super::auth::bearer_of(req.headers());
    let presented = key_param
        .into_iter()
        .flat_map(|k| k.split(','))
        .map(str::trim)
        .chain(bearer);
    for p in presented {
        if let Some((_, names)) = config.keys.iter().find(|(k, _)| k == p) {
            return Selection {
                memories: Some(names.clone()),
                termbases: Some(names.clone()),
            };
        }
    }
    Selection {
        memories: config.memories.clone(),
        termbases: config.termbases.clone(),
    }
}

/// Registers every protocol route. The export routes come first: the
/// memory and term-base routes would otherwise take `x.tmx` for a name.
pub fn configure(cfg: &mut web::ServiceConfig) {
    export::configure(cfg);
    tmserver::configure(cfg);
    mymemory::configure(cfg);
    languagetool::configure(cfg);
}

/// The protocols' OpenAPI fragments.
pub fn fragments() -> Vec<utoipa::openapi::OpenApi> {
    use utoipa::OpenApi;
    vec![
        export::ExportApi::openapi(),
        tmserver::TmserverApi::openapi(),
        mymemory::MyMemoryApi::openapi(),
        languagetool::LanguageToolApi::openapi(),
    ]
}

/// Whether `path` belongs to a protocol whose clients may present the token
/// as a `key=` query parameter (they cannot set headers).
pub fn accepts_key_param(path: &str) -> bool {
    let p = path.trim_start_matches('/');
    [
        "tmserver", "api/v1", "get", "api/get", "set", "api/set", "v2",
    ]
    .iter()
    .any(|b| p == *b || p.strip_prefix(b).is_some_and(|rest| rest.starts_with('/')))
}

/// Percent-decodes a URL path segment or query value (`+` is kept: in a
/// path it is a plus sign); `None` when the bytes are not UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).and_then(|c| hex(*c)),
            b.get(i + 2).and_then(|c| hex(*c)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_specs_parse() {
        let c = CompatConfig::from_flags(&[], &["tech".into()], &["k1=ui, news".into()]).unwrap();
        assert_eq!(c.memories, None);
        assert_eq!(c.termbases, Some(vec!["tech".to_string()]));
        assert_eq!(
            c.keys,
            [("k1".to_string(), vec!["ui".to_string(), "news".to_string()])]
        );
        for bad in ["k1", "=ui", "k1=", "k1= , "] {
            assert!(
                CompatConfig::from_flags(&[], &[], &[bad.into()]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b%2Fc+d").as_deref(), Some("a b/c+d"));
        assert_eq!(
            percent_decode("%D8%A7%D9%84%D9%85%D9%84%D9%81").as_deref(),
            Some("الملف")
        );
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
        assert_eq!(percent_decode("%zz").as_deref(), Some("%zz"));
        assert_eq!(percent_decode("%FF"), None);
    }

    #[test]
    fn key_parameter_routes() {
        for p in [
            "/tmserver/en/ar/unit/x",
            "/api/v1/languages/",
            "/get",
            "/api/get",
            "/set",
            "/v2/check",
        ] {
            assert!(accepts_key_param(p), "{p}");
        }
        for p in ["/v1/memories", "/getter", "/v1/memories/m.tmx", "/api/v10"] {
            assert!(!accepts_key_param(p), "{p}");
        }
    }
}
