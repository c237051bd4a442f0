//! `/openapi.json` and the Swagger UI at `/docs` (assets built into the
//! binary: works offline).

use actix_web::web;
use utoipa_swagger_ui::SwaggerUi;

/// Registers the spec and the UI.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", super::openapi()))
        .service(web::resource("/docs").route(web::get().to(|| async {
            actix_web::HttpResponse::PermanentRedirect()
                .insert_header((actix_web::http::header::LOCATION, "/docs/"))
                .finish()
        })));
}
