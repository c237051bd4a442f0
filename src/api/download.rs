//! Streaming response bodies for exports: a writer on the blocking pool
//! fills 64 KiB chunks into a bounded channel (a slow client slows the
//! writer instead of growing memory), and a failure after the headers are
//! gone aborts the transfer, so a client never takes a short file for a
//! whole one.

use actix_web::HttpResponse;
use bytes::Bytes;
use std::io::Write;

/// Bytes per streamed chunk.
const CHUNK_BYTES: usize = 64 * 1024;

/// Answers 200 with `content_type`, a download file name, and the bytes
/// `produce` writes (run on the blocking pool). An `Err` from `produce` is
/// logged with `what` and cuts the connection.
pub fn streamed(
    content_type: &str,
    file_name: &str,
    what: String,
    produce: impl FnOnce(&mut dyn Write) -> Result<(), String> + Send + 'static,
) -> HttpResponse {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK_BYTES),
        };
        let result = produce(&mut out).and_then(|()| out.send().map_err(|e| e.to_string()));
        if let Err(e) = result {
            tracing::error!(error = %e, export = %what, "export failed mid-stream");
            let _ = tx.blocking_send(Err(std::io::Error::other(e)));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .streaming(stream)
}

/// A `Write` that sends full chunks through the channel.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(CHUNK_BYTES),
        ));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK_BYTES {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // Chunks go out when full or at the end; an inner BufWriter's flush
        // must not send many tiny chunks.
        Ok(())
    }
}
