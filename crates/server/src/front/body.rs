//! Reading a request body within the limits: its size, its pace, and the bytes all
//! bodies in flight may hold together; and passing it on to the API server as it
//! arrives.
//!
//! A large body (or one of unknown length) is streamed: [`pump`] reads it chunk by
//! chunk and hands each chunk to
//! the [`Forwarded`] body of the request to dropshot, a channel of
//! [`FORWARD_CHUNKS`] chunks. A small declared body is [`read`] whole and sent
//! (it says why). The front used to read every body whole before sending it, so a
//! body was held twice (the front's copy and dropshot's) while it was
//! received and validated. A body the front stops reading (too large, too slow,
//! no room in the budget, the client gone) ends the forwarded body with an error,
//! never with a clean end: dropshot must not take a truncated chunked body for a
//! whole one.
//!
//! What it saved, measured with `bench/attack.py --attack-key KEY --attack-body
//! session` (100 connections sending valid 7.94 MiB sessions for 20 s, release
//! build, default limits, a shared 2-core machine): a peak RSS of 115.0 and
//! 108.8 MiB before, 110.6, 106.9, 109.6 and 115.8 MiB after, within the noise.
//! The in-flight budget already admits one such body at a time, and the front's
//! copy was freed as it was sent, before the handler's work (about ten times the
//! body) peaked; the copy streaming removes is the body's size for each large
//! body in flight, which counts when `--max-body-bytes-in-flight` admits several.
//!
//! The pace is checked two ways, neither of them one deadline for the whole body,
//! so an honest large body on a slow link gets through: no gap between two chunks
//! may exceed the idle timeout, and after a grace period of that same length the
//! body must have averaged the minimum rate (at 8 KiB/s, the default, an 8 MiB body
//! may take 17 minutes; a client trickling a byte every few seconds is cut off).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::time::Instant;

/// Chunks of a body waiting between the client and dropshot: what the front holds
/// of a body it forwards (hyper's chunks are at most its 64 KiB read buffer, or
/// a client's chunk).
pub const FORWARD_CHUNKS: usize = 2;

/// The limits a body is read under.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    /// The largest body, in bytes.
    pub max_bytes: usize,
    /// The longest wait for the first chunk and between two chunks.
    pub idle_timeout: Duration,
    /// The lowest average rate after the first `idle_timeout`, in bytes a second;
    /// 0 turns the check off.
    pub min_rate: u64,
    /// How long a body waits for room in the in-flight budget before 503.
    pub queue_timeout: Duration,
}

/// Why a body was not read.
#[derive(Debug)]
pub enum BodyError {
    /// More bytes than the limit (a chunked body; a declared length is checked before).
    TooLarge,
    /// A gap or an average rate beyond the limits.
    TooSlow,
    /// No room in the in-flight budget within the queue timeout.
    Busy,
    /// The client went away or sent a malformed body.
    Broken(hyper::Error),
}

/// Room for `bytes` more body bytes in the budget, waiting at most `timeout`.
pub async fn reserve(
    budget: &Arc<Semaphore>,
    bytes: usize,
    timeout: Duration,
) -> Result<OwnedSemaphorePermit, BodyError> {
    let bytes = u32::try_from(bytes).map_err(|_| BodyError::TooLarge)?;
    match tokio::time::timeout(timeout, Arc::clone(budget).acquire_many_owned(bytes)).await {
        Ok(Ok(permit)) => Ok(permit),
        // A closed semaphore (never closed) or a timeout: no room.
        Ok(Err(_)) | Err(_) => Err(BodyError::Busy),
    }
}

/// What [`pump`] passes to the [`Forwarded`] body.
enum Chunk {
    Data(Bytes),
    /// The body was received whole.
    End,
    /// The body was not received whole; the forwarded body fails.
    Failed,
}

/// The body of a request forwarded to dropshot, fed by [`pump`].
pub struct Forwarded {
    chunks: mpsc::Receiver<Chunk>,
    declared: Option<u64>,
    ended: bool,
}

/// A body the front stopped reading.
#[derive(Debug)]
pub struct Unfinished;

impl std::fmt::Display for Unfinished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body was not received whole")
    }
}

impl std::error::Error for Unfinished {}

impl Body for Forwarded {
    type Data = Bytes;
    type Error = Unfinished;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Unfinished>>> {
        if self.ended {
            return Poll::Ready(None);
        }
        match self.chunks.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Chunk::Data(data))) => Poll::Ready(Some(Ok(Frame::data(data)))),
            Poll::Ready(Some(Chunk::End)) => {
                self.ended = true;
                Poll::Ready(None)
            }
            // A pump that failed, or that was dropped before the end.
            Poll::Ready(Some(Chunk::Failed) | None) => {
                self.ended = true;
                Poll::Ready(Some(Err(Unfinished)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.ended
    }

    fn size_hint(&self) -> SizeHint {
        match self.declared {
            Some(length) => SizeHint::with_exact(length),
            None => SizeHint::default(),
        }
    }
}

/// The end [`pump`] feeds and the body it feeds, for a body of `declared` bytes
/// (its `Content-Length`) or of a length not known in advance.
pub fn channel(declared: Option<usize>) -> (Feed, Forwarded) {
    let (sender, chunks) = mpsc::channel(FORWARD_CHUNKS);
    let forwarded = Forwarded {
        chunks,
        declared: declared.map(|n| n as u64),
        ended: false,
    };
    (Feed(sender), forwarded)
}

/// The end of a [`Forwarded`] body that [`pump`] writes to.
pub struct Feed(mpsc::Sender<Chunk>);

/// A body read under the pace and size limits, chunk by chunk.
struct Paced<'a> {
    body: Incoming,
    limits: &'a BodyLimits,
    started: Instant,
    last: Instant,
    received: usize,
}

impl<'a> Paced<'a> {
    fn new(body: Incoming, limits: &'a BodyLimits) -> Paced<'a> {
        let now = Instant::now();
        Paced {
            body,
            limits,
            started: now,
            last: now,
            received: 0,
        }
    }

    /// The next chunk of data, or `None` at the end of the body.
    async fn next(&mut self) -> Result<Option<Bytes>, BodyError> {
        let limits = self.limits;
        loop {
            let mut deadline = self.last + limits.idle_timeout;
            if limits.min_rate > 0 {
                // The time by which the bytes so far would fall below the minimum rate.
                let earned = Duration::from_secs_f64(self.received as f64 / limits.min_rate as f64);
                deadline = deadline.min(self.started + limits.idle_timeout + earned);
            }
            let frame = match tokio::time::timeout_at(deadline, self.body.frame()).await {
                Err(_) => return Err(BodyError::TooSlow),
                Ok(None) => return Ok(None),
                Ok(Some(Err(err))) => return Err(BodyError::Broken(err)),
                Ok(Some(Ok(frame))) => frame,
            };
            self.last = Instant::now();
            let Ok(data) = frame.into_data() else {
                continue;
            };
            if self.received + data.len() > limits.max_bytes {
                return Err(BodyError::TooLarge);
            }
            self.received += data.len();
            return Ok(Some(data));
        }
    }

    /// Takes the time since `since` off the body's pace: time the front spent
    /// elsewhere is not the client's.
    fn paused_since(&mut self, since: Instant) {
        self.started += since.elapsed();
        self.last = Instant::now();
    }
}

/// Reads a whole body whose length, declared and already reserved, is small
/// ([`crate::front::SMALL_BODY_BYTES`] at most): such a body is read before it is
/// sent, since streaming it costs more than holding it twice (a channel and the
/// wake-ups of two tasks per request). Measured with wrk on the draft endpoint
/// (`bench/draft.lua`, 32 connections, 8 s rounds, release builds side by side):
/// every body streamed, 23.3k–27.5k requests/s against 28.7k–29.9k before; small
/// bodies read whole, 26.9k–28.8k against 27.1k–30.5k, within the noise.
pub async fn read(
    body: Incoming,
    declared: usize,
    limits: &BodyLimits,
) -> Result<Bytes, BodyError> {
    let mut paced = Paced::new(body, limits);
    let mut buffer = BytesMut::with_capacity(declared);
    while let Some(data) = paced.next().await? {
        buffer.extend_from_slice(&data);
    }
    Ok(buffer.freeze())
}

/// Reads a body under the limits and passes each chunk on to `feed` as it comes.
/// `declared` is its `Content-Length`, already checked against the limit and
/// already reserved in `permit`; a body without one reserves each chunk in
/// `permit` as it arrives. Should dropshot stop taking the body (it answered
/// before reading it all), the rest is read and dropped under the same limits.
pub async fn pump(
    body: Incoming,
    declared: Option<usize>,
    limits: &BodyLimits,
    budget: &Arc<Semaphore>,
    permit: &mut OwnedSemaphorePermit,
    feed: Feed,
) -> Result<(), BodyError> {
    let feed = feed.0;
    let mut paced = Paced::new(body, limits);
    let read = async {
        while let Some(data) = paced.next().await? {
            if declared.is_none() {
                let waiting = Instant::now();
                permit.merge(reserve(budget, data.len(), limits.queue_timeout).await?);
                paced.paused_since(waiting);
            }
            // A closed channel: dropshot no longer reads the body. The time spent
            // waiting for dropshot to take a chunk is dropshot's, not the client's.
            let sending = Instant::now();
            let _ = feed.send(Chunk::Data(data)).await;
            paced.paused_since(sending);
        }
        Ok(())
    };
    let read = read.await;
    let last = if read.is_ok() {
        Chunk::End
    } else {
        Chunk::Failed
    };
    let _ = feed.send(last).await;
    read
}
