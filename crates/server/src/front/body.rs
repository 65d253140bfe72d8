//! Reading a request body within the limits: its size, its pace, and the bytes all
//! bodies in flight may hold together.
//!
//! The pace is checked two ways, neither of them one deadline for the whole body,
//! so an honest large body on a slow link gets through: no gap between two chunks
//! may exceed the idle timeout, and after a grace period of that same length the
//! body must have averaged the minimum rate (at 8 KiB/s, the default, an 8 MiB body
//! may take 17 minutes; a client trickling a byte every few seconds is cut off).

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

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

/// Reads a whole body. `declared` is its `Content-Length`, already checked against
/// the limit and already reserved in `permit`; a body without one reserves each
/// chunk as it arrives.
pub async fn read(
    mut body: Incoming,
    declared: Option<usize>,
    limits: &BodyLimits,
    budget: &Arc<Semaphore>,
    mut permit: OwnedSemaphorePermit,
) -> Result<(Bytes, OwnedSemaphorePermit), BodyError> {
    let mut buffer = BytesMut::with_capacity(declared.unwrap_or(0));
    let started = Instant::now();
    let mut last = started;
    loop {
        let mut deadline = last + limits.idle_timeout;
        if limits.min_rate > 0 {
            // The time by which the bytes so far would fall below the minimum rate.
            let earned = Duration::from_secs_f64(buffer.len() as f64 / limits.min_rate as f64);
            deadline = deadline.min(started + limits.idle_timeout + earned);
        }
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return Err(BodyError::TooSlow),
            Ok(None) => break,
            Ok(Some(Err(err))) => return Err(BodyError::Broken(err)),
            Ok(Some(Ok(frame))) => frame,
        };
        last = Instant::now();
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if buffer.len() + data.len() > limits.max_bytes {
            return Err(BodyError::TooLarge);
        }
        if declared.is_none() {
            permit.merge(reserve(budget, data.len(), limits.queue_timeout).await?);
        }
        buffer.extend_from_slice(&data);
    }
    Ok((buffer.freeze(), permit))
}
