//! What the front answers by itself, counted and logged, and the brake on client
//! addresses that keep sending wrong API keys.
//!
//! Why: the front answers 401, 404 (an unknown path) and 405 before dropshot sees
//! the request (and hyper answers a head it cannot parse or buffer, 400 or 431,
//! before the front does), so dropshot's request log never had a line for them,
//! and nothing counted them: about 50,000 wrong keys in 10 s went unseen. A line per refusal
//! would flood the log under exactly that load, so the refusals are counted
//! ([`Refusals`], totals since start) and at most one warning a second
//! ([`REPORT_EVERY`]) says what was refused since the last one, with the address
//! that sent the most wrong keys and one sample request (method and path). The API
//! key itself is never logged.
//!
//! A client address that keeps sending wrong or missing keys is slowed down
//! ([`Throttle`]): each 401 fills the address's bucket by one and the bucket drains
//! by [`WRONG_KEYS_PER_SECOND`]; while it has no room for one more (it holds at most
//! [`WRONG_KEYS_BURST`]), a request that needs a key gets 429 `too_many_requests`
//! with `Retry-After` (whole seconds, at least one), without its key
//! being checked (a right key must not be found faster by guessing from an address
//! that is refused). So an address may try about 20 wrong keys at once and then one
//! a second. IPv6 addresses are counted by their /64 prefix, which one host
//! usually owns whole; at most [`MAX_ADDRESSES`] addresses are followed at once.
//! Behind a proxy every client shares the proxy's address, so the brake applies to
//! them together.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use slog::{Logger, warn};

/// Wrong keys an address may send at once before it is slowed down, by default
/// (`feather serve --wrong-key-burst`).
pub const WRONG_KEYS_BURST: u32 = 20;
/// How fast an address's count of wrong keys drains: the pace it may keep up.
pub const WRONG_KEYS_PER_SECOND: f64 = 1.0;
/// Addresses followed at once; beyond that, new addresses are not braked until
/// room is made by addresses whose count has drained.
pub const MAX_ADDRESSES: usize = 65_536;
/// The least time between two log lines about refusals.
pub const REPORT_EVERY: Duration = Duration::from_secs(1);
/// The `error` code of the 429 answer, in the contract's table of codes.
pub const TOO_MANY_REQUESTS: &str = feather_api::codes::TOO_MANY_REQUESTS;

/// What the front refused by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 401: the key was missing or wrong.
    Unauthorized,
    /// 404: no operation has the path.
    UnknownPath,
    /// 405: the path does not serve the method.
    WrongMethod,
    /// 429: the address sent too many wrong keys.
    Throttled,
    /// 431: the request head was larger than the limit.
    HeadTooLarge,
    /// 501: a transfer coding other than chunked.
    UnknownTransferCoding,
    /// 400 from hyper: a request head it could not parse.
    MalformedHead,
}

const KINDS: usize = 7;

impl Refusal {
    fn index(self) -> usize {
        self as usize
    }

    fn name(index: usize) -> &'static str {
        [
            "unauthorized",
            "unknown_path",
            "method_not_allowed",
            "too_many_requests",
            "head_too_large",
            "transfer_coding_not_implemented",
            "malformed_head",
        ][index]
    }
}

/// The totals of each refusal since the front started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RefusalCounts {
    pub unauthorized: u64,
    pub unknown_path: u64,
    pub method_not_allowed: u64,
    pub too_many_requests: u64,
    pub head_too_large: u64,
    pub transfer_coding_not_implemented: u64,
    pub malformed_head: u64,
}

/// Counts of refusals, and the log lines about them.
pub struct Refusals {
    totals: [AtomicU64; KINDS],
    since_report: Mutex<Interval>,
    log: Logger,
}

/// What was refused since the last report.
struct Interval {
    started: Instant,
    counts: [u64; KINDS],
    /// Wrong keys by address.
    wrong_keys: HashMap<IpAddr, u64>,
    /// The last refused request: method and path (at most 120 characters).
    sample: Option<String>,
}

impl Interval {
    fn new() -> Interval {
        Interval {
            started: Instant::now(),
            counts: [0; KINDS],
            wrong_keys: HashMap::new(),
            sample: None,
        }
    }
}

impl Refusals {
    pub fn new(log: Logger) -> Refusals {
        Refusals {
            totals: Default::default(),
            since_report: Mutex::new(Interval::new()),
            log,
        }
    }

    /// Counts one refusal of a request from `remote` (`method path`, as sent).
    pub fn refused(&self, refusal: Refusal, remote: IpAddr, method: &str, path: &str) {
        self.totals[refusal.index()].fetch_add(1, Ordering::Relaxed);
        let mut interval = self.interval();
        interval.counts[refusal.index()] += 1;
        if refusal == Refusal::Unauthorized {
            // The map holds an interval's addresses only; it is emptied every report.
            if interval.wrong_keys.len() < MAX_ADDRESSES
                || interval.wrong_keys.contains_key(&remote)
            {
                *interval.wrong_keys.entry(remote).or_default() += 1;
            }
        }
        let mut sample: String = format!("{method} {path}").chars().take(120).collect();
        sample.retain(|c| !c.is_control());
        interval.sample = Some(sample);
    }

    /// The totals since the front started.
    pub fn counts(&self) -> RefusalCounts {
        let total = |refusal: Refusal| self.totals[refusal.index()].load(Ordering::Relaxed);
        RefusalCounts {
            unauthorized: total(Refusal::Unauthorized),
            unknown_path: total(Refusal::UnknownPath),
            method_not_allowed: total(Refusal::WrongMethod),
            too_many_requests: total(Refusal::Throttled),
            head_too_large: total(Refusal::HeadTooLarge),
            transfer_coding_not_implemented: total(Refusal::UnknownTransferCoding),
            malformed_head: total(Refusal::MalformedHead),
        }
    }

    /// Writes one line about the refusals since the last line, if there were
    /// any; the front calls it every [`REPORT_EVERY`].
    pub fn report(&self) {
        let finished = std::mem::replace(&mut *self.interval(), Interval::new());
        if finished.counts.iter().all(|&n| n == 0) {
            return;
        }
        let refused = finished
            .counts
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(i, n)| format!("{}={n}", Refusal::name(i)))
            .collect::<Vec<_>>()
            .join(" ");
        let totals = self
            .totals
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{}={}", Refusal::name(i), n.load(Ordering::Relaxed)))
            .collect::<Vec<_>>()
            .join(" ");
        let top = finished
            .wrong_keys
            .iter()
            .max_by_key(|&(address, n)| (n, std::cmp::Reverse(*address)))
            .map(|(address, n)| format!("{address} ({n})"))
            .unwrap_or_else(|| "none".to_owned());
        // slog's terminal format writes the pairs last first: this order reads
        // `refused: ..., seconds: ..., ..., totals: ...`.
        warn!(self.log, "the front refused requests";
            "totals" => totals,
            "sample" => finished.sample.unwrap_or_default(),
            "most_wrong_keys_from" => top,
            "wrong_key_addresses" => finished.wrong_keys.len(),
            "seconds" => format!("{:.1}", finished.started.elapsed().as_secs_f64()),
            "refused" => refused);
    }

    fn interval(&self) -> std::sync::MutexGuard<'_, Interval> {
        self.since_report
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Each address's count of recent wrong keys: a bucket that each 401 fills by one
/// and that drains by [`WRONG_KEYS_PER_SECOND`]. Drained buckets are removed every
/// second ([`Throttle::prune`]), so while no address has sent a wrong key lately
/// a request pays one atomic load here, not a lock.
pub struct Throttle {
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
    /// How many buckets there are, read without the lock.
    tracked: AtomicUsize,
    /// Wrong keys an address may send at once; 0 turns the brake off (for an
    /// operator whose clients all reach the server from one proxy's address, or a
    /// contract checker whose own wrong keys would trip it).
    burst: u32,
}

#[derive(Clone, Copy)]
struct Bucket {
    level: f64,
    updated: Instant,
}

impl Bucket {
    /// The level now, drained since it was last updated.
    fn drained(self, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        (self.level - elapsed * WRONG_KEYS_PER_SECOND).max(0.0)
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(WRONG_KEYS_BURST)
    }
}

impl Throttle {
    /// A throttle that lets each address send `burst` wrong keys at once.
    pub fn new(burst: u32) -> Self {
        Throttle {
            buckets: Mutex::new(HashMap::new()),
            tracked: AtomicUsize::new(0),
            burst,
        }
    }

    /// `Some(wait)` when `remote` must wait before its next request that needs a
    /// key: until its bucket has room for one more wrong key.
    pub fn refused(&self, remote: IpAddr) -> Option<Duration> {
        if self.tracked.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let now = Instant::now();
        let buckets = self.buckets();
        let level = buckets.get(&key(remote))?.drained(now);
        // Refused while one more wrong key would overflow the bucket.
        let overflow = level + 1.0 - f64::from(self.burst);
        if overflow <= 0.0 {
            return None;
        }
        Some(Duration::from_secs_f64(overflow / WRONG_KEYS_PER_SECOND))
    }

    /// Counts a wrong (or missing) key from `remote`.
    pub fn wrong_key(&self, remote: IpAddr) {
        if self.burst == 0 {
            return;
        }
        let now = Instant::now();
        let mut buckets = self.buckets();
        let address = key(remote);
        if buckets.len() >= MAX_ADDRESSES && !buckets.contains_key(&address) {
            // Room is made by the addresses whose count has drained; if there are
            // none, this address is not followed (the brake fails open rather than
            // forgetting an address that is being braked).
            buckets.retain(|_, bucket| bucket.drained(now) > 0.0);
            self.tracked.store(buckets.len(), Ordering::Relaxed);
            if buckets.len() >= MAX_ADDRESSES {
                return;
            }
        }
        let bucket = buckets.entry(address).or_insert(Bucket {
            level: 0.0,
            updated: now,
        });
        // The level is capped at the burst, so an address that stops is let in
        // again within a second, however many keys it sent.
        bucket.level = (bucket.drained(now) + 1.0).min(f64::from(self.burst));
        bucket.updated = now;
        self.tracked.store(buckets.len(), Ordering::Relaxed);
    }

    /// Removes the buckets that have drained; the front calls it every
    /// [`REPORT_EVERY`].
    pub fn prune(&self) {
        let now = Instant::now();
        let mut buckets = self.buckets();
        buckets.retain(|_, bucket| bucket.drained(now) > 0.0);
        self.tracked.store(buckets.len(), Ordering::Relaxed);
    }

    fn buckets(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Bucket>> {
        self.buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The address a bucket is kept under: an IPv4 address (an IPv4-mapped IPv6 one
/// included) whole, an IPv6 address by its /64 prefix.
fn key(remote: IpAddr) -> IpAddr {
    match remote {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let segments = v6.segments();
                IpAddr::V6(Ipv6Addr::new(
                    segments[0],
                    segments[1],
                    segments[2],
                    segments[3],
                    0,
                    0,
                    0,
                    0,
                ))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_zero_never_brakes() {
        let throttle = Throttle::new(0);
        let address: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..10 * WRONG_KEYS_BURST {
            throttle.wrong_key(address);
        }
        assert_eq!(throttle.refused(address), None);
        // A smaller burst brakes sooner.
        let throttle = Throttle::new(2);
        throttle.wrong_key(address);
        assert_eq!(throttle.refused(address), None);
        throttle.wrong_key(address);
        assert!(throttle.refused(address).is_some());
    }

    #[test]
    fn an_address_is_braked_after_the_burst_and_others_are_not() {
        let throttle = Throttle::default();
        let braked: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..WRONG_KEYS_BURST - 1 {
            throttle.wrong_key(braked);
        }
        assert_eq!(throttle.refused(braked), None);
        throttle.wrong_key(braked);
        let wait = throttle.refused(braked).expect("braked after the burst");
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert_eq!(throttle.refused(other), None);
        // A bucket that has not drained is kept.
        throttle.prune();
        assert!(throttle.refused(braked).is_some());
    }

    #[test]
    fn ipv6_addresses_share_their_prefix() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(key(a), key(b));
        assert_eq!(key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }
}
