//! Liveness and readiness probes.

use super::{ApiError, AppState};
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

/// Health routes' OpenAPI fragment.
#[derive(OpenApi)]
#[openapi(paths(healthz, readyz), components(schemas(Health)))]
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
    })
}

/// Readiness: the store is open, the seed term base is loaded and no
/// storage failure (a full disk, an I/O error) has stopped writes.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Health, example = json!({"status": "ready"})),
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
