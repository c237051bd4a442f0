//! Request guards that run before any route: which `Host` the server
//! answers to, which origins may change data, which `Content-Encoding`s a
//! body may use, and how long a client may take to send a body.
//!
//! Why each exists:
//!
//! * **Host** (421 `host_not_allowed`): on a loopback bind only loopback
//!   names (`localhost`, `127.0.0.1`, `[::1]`, any port) and the hosts given
//!   with `--allowed-host` are answered, so a web page that rebinds its own
//!   DNS name to 127.0.0.1 cannot read or write through the victim's
//!   browser.
//! * **Origin** (403 `cross_origin_refused`): a request that changes data
//!   and carries an `Origin` other than the server's own or one listed with
//!   `--cors-origin` is refused, as is one without `Origin` whose
//!   `Sec-Fetch-Site` says `cross-site`/`same-site`. CORS alone does not
//!   stop "simple" requests (a `text/plain` POST is sent without preflight;
//!   only its answer is hidden), so a page could otherwise write.
//! * **Content-Encoding** (415 `unsupported_content_encoding`): only
//!   `identity`, `gzip` and `deflate` are decoded; anything else would be
//!   read as if it were plain bytes.
//! * **Body deadline** (408 `body_timeout`): every request body must keep
//!   arriving: no gap longer than the body timeout, and on average at least
//!   the minimum rate once the timeout has passed. A client trickling one
//!   byte a second holds a connection (and for an import a spool file) for
//!   about the timeout, not for days.
//!
//! Raw-body routes check their `Content-Type` themselves with
//! [`require_content_type`], as each documents its own list.

use super::auth::{access_for, Access};
use super::ApiError;
use actix_web::{
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::PayloadError,
    http::{header, StatusCode},
    middleware::Next,
    web, Error, HttpMessage, HttpRequest,
};
use bytes::Bytes;
use futures_util::Stream;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// The guards' configuration (one per server).
#[derive(Debug, Clone)]
pub struct RequestGuard {
    /// `None`: any `Host`; otherwise the host names (lower-case, no port)
    /// answered besides the loopback ones when `loopback` is set.
    pub hosts: Option<Vec<String>>,
    /// Whether loopback host names are answered (`hosts` being `Some`).
    pub loopback: bool,
    /// Origins allowed to change data besides the server's own (the
    /// `--cors-origin` list).
    pub origins: Vec<String>,
    /// Longest gap between two pieces of a request body, and the grace
    /// period before [`RequestGuard::body_min_rate`] applies.
    pub body_timeout: Duration,
    /// Slowest average body rate accepted after the grace period, bytes/s.
    pub body_min_rate: u64,
}

impl RequestGuard {
    /// The guard for a server bound to `addr` with the given flags: on a
    /// loopback address the loopback names plus `allowed_hosts`; elsewhere
    /// `allowed_hosts` when given, else any host. `*` in `allowed_hosts`
    /// turns the check off.
    pub fn new(
        addr: std::net::SocketAddr,
        allowed_hosts: &[String],
        origins: &[String],
        body_timeout: Duration,
        body_min_rate: u64,
    ) -> RequestGuard {
        let listed: Vec<String> = allowed_hosts
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        let any = listed.iter().any(|h| h == "*");
        let loopback = addr.ip().is_loopback();
        let hosts = if any || (!loopback && listed.is_empty()) {
            None
        } else {
            Some(listed.iter().map(|h| host_name(h).to_string()).collect())
        };
        RequestGuard {
            hosts,
            loopback,
            origins: origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                .collect(),
            body_timeout,
            body_min_rate: body_min_rate.max(1),
        }
    }

    /// Checks the `Host` value (absent: accepted, HTTP/1.0 clients send none
    /// and a browser always does).
    fn check_host(&self, host: Option<&str>) -> Result<(), ApiError> {
        let (Some(hosts), Some(host)) = (&self.hosts, host) else {
            return Ok(());
        };
        let name = host_name(host).to_ascii_lowercase();
        let ok = (self.loopback && is_loopback_name(&name)) || hosts.contains(&name);
        if ok {
            return Ok(());
        }
        let shown: String = host.chars().take(100).collect();
        Err(ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            "host_not_allowed",
            format!("this server does not answer to Host {shown:?}; start it with --allowed-host NAME to accept that name"),
        ))
    }

    /// Checks that a data-changing request comes from the server's own
    /// origin or an allowed one.
    fn check_origin(&self, req: &ServiceRequest) -> Result<(), ApiError> {
        if access_for(req.method(), req.path()) != Access::Write {
            return Ok(());
        }
        let refuse = |why: String| {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "cross_origin_refused",
                format!("{why}; list the web origin with --cors-origin to allow it"),
            ))
        };
        let headers = req.headers();
        match headers.get(header::ORIGIN).map(|v| v.to_str()) {
            Some(Ok(origin)) => {
                let origin = origin.trim_end_matches('/').to_ascii_lowercase();
                let own = headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .is_some_and(|host| same_authority(&origin, host));
                if own || self.origins.contains(&origin) {
                    Ok(())
                } else {
                    let shown: String = origin.chars().take(100).collect();
                    refuse(format!(
                        "a change requested by the web origin {shown:?} is refused"
                    ))
                }
            }
            Some(Err(_)) => refuse("a change with an unreadable Origin header is refused".into()),
            None => {
                let site = headers
                    .get("sec-fetch-site")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site")
                {
                    refuse(format!("a change sent by a page of another origin (Sec-Fetch-Site: {site}) is refused"))
                } else {
                    Ok(())
                }
            }
        }
    }
}

/// The host name of a `Host` value: port dropped, IPv6 brackets kept.
fn host_name(host: &str) -> &str {
    let host = host.trim();
    if host.starts_with('[') {
        return match host.find(']') {
            Some(i) => &host[..=i],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// `localhost`, a 127.0.0.0/8 address or `[::1]`.
fn is_loopback_name(name: &str) -> bool {
    if name == "localhost" {
        return true;
    }
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether `origin` (`scheme://host[:port]`) names the authority `host`
/// (a `Host` header value). Default ports are spelled out by neither.
fn same_authority(origin: &str, host: &str) -> bool {
    let authority = origin.split_once("://").map_or("", |(_, a)| a);
    !authority.is_empty() && authority.eq_ignore_ascii_case(host.trim())
}

/// Codings the server decodes (actix-web built with `compress-gzip`).
fn supported_encoding(value: &str) -> bool {
    ["identity", "gzip", "x-gzip", "deflate"]
        .iter()
        .any(|e| value.trim().eq_ignore_ascii_case(e))
}

/// The middleware: host, encoding and origin checks, then the body deadline.
pub async fn check_request(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, Error> {
    let Some(guard) = req
        .app_data::<web::Data<RequestGuard>>()
        .map(|g| g.get_ref().clone())
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let host = req
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("\u{FFFD}"))
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    let checked = guard
        .check_host(host.as_deref())
        .and_then(|()| check_encoding(&req))
        .and_then(|()| guard.check_origin(&req));
    if let Err(e) = checked {
        let mut resp = actix_web::ResponseError::error_response(&e);
        // The body (if any) is left unread: do not wait for it.
        resp.head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
        return Ok(req.into_response(resp));
    }
    let payload = req.take_payload();
    let timed = DeadlinePayload::new(payload, guard.body_timeout, guard.body_min_rate);
    req.set_payload(Payload::from(
        Box::pin(timed) as Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>
    ));
    let mut res = next.call(req).await?.map_into_boxed_body();
    if matches!(
        res.status(),
        StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS
    ) {
        res.response_mut()
            .head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
    }
    Ok(res)
}

fn check_encoding(req: &ServiceRequest) -> Result<(), ApiError> {
    for value in req.headers().get_all(header::CONTENT_ENCODING) {
        let ok = value.to_str().is_ok_and(supported_encoding);
        if !ok {
            let shown: String = String::from_utf8_lossy(value.as_bytes())
                .chars()
                .take(60)
                .collect();
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_content_encoding",
                format!(
                    "Content-Encoding {shown:?} is not supported; send identity, gzip or deflate"
                ),
            ));
        }
    }
    Ok(())
}

/// Prefix of the message of the I/O error a body deadline raises, so
/// callers can tell it from other read errors ([`is_body_timeout`]).
const BODY_TIMEOUT: &str = "body_timeout:";

/// A request body stream that fails with a timeout (see the module doc).
/// Only time spent waiting for the client counts: a server that is slow to
/// read (a stalled disk) never makes its client time out.
struct DeadlinePayload {
    inner: Payload,
    received: u64,
    /// Time spent waiting for body bytes so far (finished waits).
    waited: Duration,
    /// Start of the current wait, if the last poll was pending.
    pending_since: Option<Instant>,
    timeout: Duration,
    min_rate: u64,
    sleep: Pin<Box<Sleep>>,
    failed: bool,
}

impl DeadlinePayload {
    fn new(inner: Payload, timeout: Duration, min_rate: u64) -> Self {
        DeadlinePayload {
            inner,
            received: 0,
            waited: Duration::ZERO,
            pending_since: None,
            timeout,
            min_rate,
            sleep: Box::pin(tokio::time::sleep_until(Instant::now() + timeout)),
            failed: false,
        }
    }

    /// When the current wait (begun at `since`) must end: after the gap
    /// limit, and before the waits in total exceed the timeout plus what
    /// the minimum rate grants for the bytes received.
    fn deadline(&self, since: Instant) -> Instant {
        let budget =
            self.timeout + Duration::from_secs_f64(self.received as f64 / self.min_rate as f64);
        since + self.timeout.min(budget.saturating_sub(self.waited))
    }

    fn timed_out(&mut self) -> PayloadError {
        self.failed = true;
        PayloadError::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!(
                "{BODY_TIMEOUT} the request body stopped arriving or arrived slower than {} bytes/s (received {} bytes, waited {:.0?}; see --body-timeout)",
                self.min_rate, self.received, self.waited
            ),
        ))
    }
}

impl Stream for DeadlinePayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.failed {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(item) => {
                if let Some(since) = this.pending_since.take() {
                    this.waited += since.elapsed();
                }
                if let Some(Ok(chunk)) = &item {
                    this.received += chunk.len() as u64;
                }
                Poll::Ready(item)
            }
            Poll::Pending => {
                let now = Instant::now();
                let since = *this.pending_since.get_or_insert(now);
                let deadline = this.deadline(since);
                if deadline <= now {
                    this.waited += now - since;
                    return Poll::Ready(Some(Err(this.timed_out())));
                }
                if this.sleep.deadline() != deadline {
                    this.sleep.as_mut().reset(deadline);
                }
                match this.sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        this.waited += since.elapsed();
                        Poll::Ready(Some(Err(this.timed_out())))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

/// Whether `e` is the error of a body deadline.
pub fn is_body_timeout(e: &PayloadError) -> bool {
    matches!(e, PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut && io.to_string().starts_with(BODY_TIMEOUT))
}

/// 408 `body_timeout` for a body deadline.
pub fn body_timeout_error(e: &PayloadError) -> ApiError {
    let detail = e.to_string();
    let detail = detail
        .split_once(BODY_TIMEOUT)
        .map_or(detail.as_str(), |(_, rest)| rest.trim())
        .to_string();
    ApiError::new(StatusCode::REQUEST_TIMEOUT, "body_timeout", detail)
}

/// Checks a raw-body route's `Content-Type` against the types it documents
/// (compared without parameters, case-insensitively): missing or other →
/// 415 `unsupported_media_type`. A browser sends `text/plain`, form and
/// multipart bodies to any site without asking first, so routes that take
/// a raw body never accept those.
pub fn require_content_type(req: &HttpRequest, accepted: &[&str]) -> Result<String, ApiError> {
    let got = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    if accepted.iter().any(|a| a.eq_ignore_ascii_case(&got)) {
        return Ok(got);
    }
    let said = if got.is_empty() {
        "no Content-Type".to_string()
    } else {
        format!("Content-Type {:?}", req.content_type())
    };
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!(
            "{said} is not accepted here; send one of: {}",
            accepted.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback_guard(extra: &[&str]) -> RequestGuard {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        RequestGuard::new(
            "127.0.0.1:8080".parse().expect("addr"),
            &extra,
            &["https://cat.example".to_string()],
            Duration::from_secs(30),
            1024,
        )
    }

    #[test]
    fn loopback_bind_answers_loopback_names_and_listed_hosts_only() {
        let g = loopback_guard(&["tm.example.org"]);
        for ok in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:9",
            "127.1.2.3",
            "[::1]:8080",
            "[::1]",
            "LOCALHOST:1",
            "tm.example.org:443",
        ] {
            assert!(g.check_host(Some(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "attacker.example",
            "attacker.example:8080",
            "localhost.attacker.example",
            "127.0.0.1.nip.io",
            "[::2]:80",
            "",
        ] {
            let e = g.check_host(Some(bad)).unwrap_err();
            assert_eq!(e.code(), "host_not_allowed", "{bad}");
        }
        assert!(g.check_host(None).is_ok());
    }

    #[test]
    fn other_binds_check_hosts_only_when_listed() {
        let any = RequestGuard::new(
            "0.0.0.0:80".parse().expect("addr"),
            &[],
            &[],
            Duration::from_secs(1),
            1,
        );
        assert!(any.check_host(Some("anything.example")).is_ok());
        let listed = RequestGuard::new(
            "0.0.0.0:80".parse().expect("addr"),
            &["tm.example.org".into()],
            &[],
            Duration::from_secs(1),
            1,
        );
        assert!(listed.check_host(Some("tm.example.org")).is_ok());
        assert!(listed.check_host(Some("localhost")).is_err());
        let star = loopback_guard(&["*"]);
        assert!(star.check_host(Some("whatever")).is_ok());
    }

    #[test]
    fn host_names_and_authorities() {
        assert_eq!(host_name("a.b:80"), "a.b");
        assert_eq!(host_name("[::1]:80"), "[::1]");
        assert_eq!(host_name("a.b"), "a.b");
        assert!(same_authority("http://127.0.0.1:8080", "127.0.0.1:8080"));
        assert!(!same_authority("http://127.0.0.1:8081", "127.0.0.1:8080"));
        assert!(!same_authority("null", "null"));
        assert!(supported_encoding(" GZIP "));
        assert!(!supported_encoding("br"));
        assert!(!supported_encoding("gzip, gzip"));
    }
}
