//! Liveness and readiness probes.

use super::{ApiError, AppState};
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

/// Health routes' OpenAPI fragment.
#[derive(OpenApi)]
#[openapi(paths(healthz, readyz), components(schemas(Health, SeedInfo)))]
pub struct HealthApi;

/// Registers the health routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// Probe answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    /// `ok` or `ready`.
    pub status: String,
    /// On `/readyz`: what the data dir was seeded with at its first start
    /// (absent when it never was, e.g. always started with `--no-seed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<SeedInfo>,
}

/// What the first start of the data dir loaded.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"source": "embedded", "at": "2026-12-04T20:30:00+00:00",
    "termbase": "tech", "entries": 320, "memory": "default"}))]
pub struct SeedInfo {
    /// `embedded` (the glossary built into the binary), the seed file's
    /// path (`--seed-dir`), `none` (that directory had no seed file),
    /// `restored` (restored from a backup: nothing seeded) or `unknown`
    /// (seeded by an older version).
    pub source: String,
    /// When seeding ran (RFC 3339).
    pub at: String,
    /// Term base created (`tech`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termbase: Option<String>,
    /// Entries loaded into it.
    pub entries: u64,
    /// Memory created (`default`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
}

impl From<&crate::seed::SeedRecord> for SeedInfo {
    fn from(r: &crate::seed::SeedRecord) -> Self {
        SeedInfo {
            source: r.source.clone(),
            at: r.at.clone(),
            termbase: r.termbase.clone(),
            entries: r.entries,
            memory: r.memory.clone(),
        }
    }
}

/// Liveness: the process is up and serving HTTP.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "Process is up", body = Health, example = json!({"status": "ok"})))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        seed: None,
    })
}

/// Readiness: the store is open, the seed term base is loaded and no
/// storage failure (a full disk, an I/O error) has stopped writes; says
/// what the data dir was seeded with.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Health, example = json!({"status": "ready",
            "seed": {"source": "embedded", "at": "2026-12-04T20:30:00+00:00", "termbase": "tech", "entries": 320, "memory": "default"}})),
        (status = 503, description = "Still starting (`not_ready`) or writes stopped by a storage failure (`storage_failed`, the cause in `detail`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if let Some(failure) = state.store.failure() {
        return Err(ApiError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "storage_failed",
            format!("{failure}; reads go on, writes are refused until the server restarts"),
        ));
    }
    if state.is_ready() {
        Ok(HttpResponse::Ok().json(Health {
            status: "ready".into(),
            seed: state.seed().map(SeedInfo::from),
        }))
    } else {
        Err(ApiError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "the server is still opening its store or loading the seed term base",
        ))
    }
}

use super::Problem;
