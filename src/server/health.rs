//! The health probe: connects to the host's own web service and switches the zone between
//! its normal and degraded copies, with thresholds against flapping.

use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::thread;
use std::time::Instant;

use super::{Health, Shared, TICK, ZoneRuntime, now};

/// Probes `health.target` every interval until the server stops or the zone is dropped.
pub(super) fn watch(health: Health, runtime: &ZoneRuntime, shared: &Shared) {
    let mut failures = 0u32;
    let mut successes = 0u32;
    while !shared.stopping() && !runtime.retired.load(Ordering::Relaxed) {
        let started = Instant::now();
        if TcpStream::connect_timeout(&health.target, health.timeout()).is_ok() {
            successes = successes.saturating_add(1);
            failures = 0;
        } else {
            failures = failures.saturating_add(1);
            successes = 0;
        }
        let degraded = runtime.degraded.load(Ordering::Relaxed);
        let target = health.target;
        if !degraded && failures >= health.down_after {
            runtime.degraded.store(true, Ordering::Relaxed);
            runtime.changed.store(now(), Ordering::Relaxed);
            shared.log.info(&format!(
                "health: {target} is down ({failures} failed probes): {} answers with the other hosts' addresses",
                runtime.label()
            ));
        } else if degraded && successes >= health.up_after {
            runtime.degraded.store(false, Ordering::Relaxed);
            runtime.changed.store(now(), Ordering::Relaxed);
            shared.log.info(&format!(
                "health: {target} is up again ({successes} probes): {} answers with this host's addresses",
                runtime.label()
            ));
        }
        // Sleep out the interval in ticks, so that a stop is seen soon.
        while started.elapsed() < health.interval
            && !shared.stopping()
            && !runtime.retired.load(Ordering::Relaxed)
        {
            thread::sleep(TICK.min(health.interval.saturating_sub(started.elapsed())));
        }
    }
}
