//! Application start-up: tracing, store, domain services, HTTP server.

use crate::api::{self, auth::Tokens, state::Limits, AppState};
use crate::cli::{LogFormat, ServeArgs};
use crate::store::Store;
use actix_web::{middleware, web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

/// Sets up the global tracing subscriber (once).
pub fn init_tracing(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// A built, bound server.
pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
    state: AppState,
    data_dir: std::path::PathBuf,
}

impl Application {
    /// Opens the store, loads the seed on first start, binds the listener.
    pub fn build(args: &ServeArgs) -> anyhow::Result<Application> {
        args.validate().map_err(anyhow::Error::msg)?;
        let store = Store::open(&args.data.data_dir)?;
        let spool_dir = args.data.data_dir.join("spool");
        std::fs::create_dir_all(&spool_dir)
            .map_err(|e| anyhow::anyhow!("creating the spool dir {}: {e}", spool_dir.display()))?;
        // Uploads of a process that was killed: nobody reads them any more
        // (the store's lock says no other server uses this data dir).
        let cleared = api::upload::clear_spool(&spool_dir)?;
        if cleared > 0 {
            tracing::info!(
                files = cleared,
                "removed spool files left by an earlier run"
            );
        }
        // Term bases and memories load independently: on both cores at
        // once, start-up takes the longer of the two, not their sum.
        let (termbases, memories) = std::thread::scope(|s| {
            let termbases = s.spawn(|| crate::termbase::TermBases::open(&store));
            let memories = crate::memory::Memories::open(&store);
            let termbases = termbases
                .join()
                .map_err(|_| anyhow::anyhow!("loading the term bases panicked"))?;
            anyhow::Ok((termbases?, memories?))
        })?;
        let (termbases, memories) = (Arc::new(termbases), Arc::new(memories));
        let limits = Limits {
            json_body_bytes: args.max_json_bytes,
            import_body_bytes: args.max_import_bytes,
            import_slots: Arc::new(tokio::sync::Semaphore::new(args.max_concurrent_imports)),
        };
        let state = AppState::new(store.clone(), termbases, memories, limits, spool_dir);
        let seed = if args.no_seed {
            crate::seed::recorded(&store)?
        } else {
            Some(crate::seed::load_if_first_start(
                &state,
                args.seed_dir.as_deref(),
            )?)
        };
        state.set_ready(seed);

        let listener = TcpListener::bind(args.addr)?;
        let port = listener.local_addr()?.port();
        let tokens = Tokens {
            read: args.read_token.clone(),
            write: args.write_token.clone(),
        };
        let compat = web::Data::new(
            api::compat::CompatConfig::from_flags(
                &args.compat_memories,
                &args.compat_termbases,
                &args.compat_key,
            )
            .map_err(anyhow::Error::msg)?,
        );
        let cors_origins = args.cors_origin.clone();
        let guard = web::Data::new(api::guard::RequestGuard::new(
            args.addr,
            &args.allowed_host,
            &args.cors_origin,
            std::time::Duration::from_secs(args.body_timeout),
            args.body_min_rate,
        ));
        let data = web::Data::new(state.clone());
        let json_limit = args.max_json_bytes;
        let mut server = HttpServer::new(move || {
            let mut cors = actix_cors::Cors::default()
                .allowed_methods(["GET", "POST", "PUT", "DELETE"])
                .allowed_headers([
                    actix_web::http::header::AUTHORIZATION,
                    actix_web::http::header::CONTENT_TYPE,
                ])
                .max_age(3600);
            for o in &cors_origins {
                cors = cors.allowed_origin(o);
            }
            App::new()
                .app_data(data.clone())
                .app_data(web::Data::new(tokens.clone()))
                .app_data(compat.clone())
                .app_data(guard.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(json_limit)
                        .error_handler(|e, _| api::error::json_error(e).into()),
                )
                .app_data(
                    web::QueryConfig::default()
                        .error_handler(|e, _| api::error::query_error(e).into()),
                )
                .app_data(
                    web::PathConfig::default()
                        .error_handler(|e, _| api::error::path_error(e).into()),
                )
                .wrap(middleware::from_fn(api::auth::require_token))
                .wrap(middleware::Condition::new(!cors_origins.is_empty(), cors))
                // Outside CORS, so a refused origin gets our 403, not
                // actix-cors' bare 400; preflights pass through.
                .wrap(middleware::from_fn(api::guard::check_request))
                .wrap(api::error::problem_bodies())
                .wrap(middleware::from_fn(api::request_id_header))
                .wrap(tracing_actix_web::TracingLogger::default())
                .configure(api::configure)
                .configure(api::docs::configure)
                .default_service(web::to(api::not_found))
        })
        .listen(listener)?
        // Signals are handled in `run_until_stopped`: running imports are
        // stopped first, so they answer before the workers go.
        .disable_signals()
        .shutdown_timeout(30);
        if let Some(w) = args.workers {
            server = server.workers(w.max(1));
        }
        let server = server.run();
        Ok(Application {
            port,
            server,
            state,
            data_dir: args.data.data_dir.clone(),
        })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM, then stops running imports (they
    /// answer 503 `shutting_down` and roll back), drains requests and
    /// flushes the store. After a storage failure it serves reads until
    /// the data dir takes writes again, then stops with an error, for a
    /// supervisor to restart it (sled cannot resume writing in-process).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        tracing::info!(port = self.port, "mustalah listening");
        let handle = self.server.handle();
        let state = self.state.clone();
        let on_signal = tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutting down: stopping imports, draining requests");
            state.memories.begin_shutdown();
            state.termbases.begin_shutdown();
            handle.stop(true).await;
        });
        let handle = self.server.handle();
        let store = self.state.store.clone();
        let probe = self.data_dir.join(".write-probe");
        let stopped_for = Arc::new(std::sync::Mutex::new(None::<String>));
        let reason = stopped_for.clone();
        let watcher = tokio::spawn(async move {
            loop {
                tokio::time::sleep(STORAGE_PROBE_INTERVAL).await;
                let Some(failure) = store.failure() else {
                    continue;
                };
                let probe = probe.clone();
                let writable = tokio::task::spawn_blocking(move || disk_takes_writes(&probe))
                    .await
                    .unwrap_or(false);
                if writable {
                    tracing::error!(
                        error = %failure,
                        "the data dir takes writes again; stopping so that a supervisor restarts the server"
                    );
                    if let Ok(mut r) = reason.lock() {
                        *r = Some(failure.to_string());
                    }
                    handle.stop(true).await;
                    return;
                }
            }
        });
        self.server.await?;
        on_signal.abort();
        watcher.abort();
        let failure = stopped_for.lock().ok().and_then(|mut r| r.take());
        if let Some(failure) = failure {
            anyhow::bail!(
                "stopped after a storage failure ({failure}); start again to resume writes"
            );
        }
        self.state.store.flush().await?;
        tracing::info!("store flushed; bye");
        Ok(())
    }
}

/// How often a failed store checks whether the disk takes writes again.
const STORAGE_PROBE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);
/// Bytes a recovery probe writes: enough for the restart's own writes.
const PROBE_BYTES: usize = 4 * 1024 * 1024;

/// Whether `probe` (a file in the data dir) can be written and synced.
fn disk_takes_writes(probe: &std::path::Path) -> bool {
    use std::io::Write;
    let ok = std::fs::File::create(probe)
        .and_then(|mut f| {
            f.write_all(&vec![0u8; PROBE_BYTES])?;
            f.sync_all()
        })
        .is_ok();
    let _ = std::fs::remove_file(probe);
    ok
}

/// Resolves on SIGTERM or SIGINT.
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => {
            tracing::warn!("cannot listen for signals; stop the server with SIGKILL");
            std::future::pending::<()>().await;
        }
    }
}
