//! Running a scenario's threads: spawn them, line them up at a barrier, time from the first
//! thread's start after the barrier to the last thread's end, and watch for stalls.
//!
//! Every scenario driver hands [`run`] one [`Job`] per thread. Each job gets a [`Worker`]:
//! its handle for reporting progress, for waiting (with the shared backoff), and for
//! failing. A watchdog thread follows the progress counters; if none moves for the stall
//! timeout (`RINGSTRESS_STALL_SECS`, default 10 s) it aborts the run: every job's next wait
//! returns [`Failure::Stalled`], the jobs report their queue lengths, and [`run`] panics with
//! a diagnostic (per-thread counts and queue lengths) instead of hanging. If a job does not
//! even come back to a wait within a grace period, the watchdog prints the diagnostic and
//! exits the process, so `cargo bench` and CI never hang.
//!
//! ```
//! use ringstress_suite::stress::run::{run, Job};
//!
//! let jobs: Vec<Job<u64>> = (0..2)
//!     .map(|i| Job::new(format!("adder {i}"), move |worker| {
//!         worker.progress(1);
//!         Ok(i)
//!     }))
//!     .collect();
//! let (elapsed, results) = run("demo", jobs);
//! assert_eq!(results, [0, 1]);
//! assert!(elapsed.as_secs() < 60);
//! ```

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Barrier, Mutex, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;

use ringstress::wait::Backoff;

/// Stall timeout when `RINGSTRESS_STALL_SECS` is not set.
const DEFAULT_STALL: Duration = Duration::from_secs(10);
/// How long jobs get to notice an abort before the watchdog gives up on them.
const ABORT_GRACE: Duration = Duration::from_secs(5);
/// How often the watchdog looks at the progress counters.
const WATCH_TICK: Duration = Duration::from_millis(50);

/// Why a job stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The watchdog aborted the run (no progress anywhere, or another job failed).
    Stalled,
    /// This job found an invalid message; the text says which and why.
    Invalid(String),
}

/// What a job runs on its thread.
type Work<'env, R> = Box<dyn FnOnce(&Worker) -> Result<R, Failure> + Send + 'env>;

/// One thread's work in a scenario: a name for diagnostics and the closure it runs.
pub struct Job<'env, R> {
    name: String,
    work: Work<'env, R>,
}

impl<'env, R> Job<'env, R> {
    /// A job called `name` (e.g. "producer 2") that runs `work` on its own thread.
    pub fn new(
        name: impl Into<String>,
        work: impl FnOnce(&Worker) -> Result<R, Failure> + Send + 'env,
    ) -> Self {
        Self {
            name: name.into(),
            work: Box::new(work),
        }
    }
}

/// Per-thread state the watchdog can read.
#[derive(Default)]
struct Slot {
    /// Messages this thread has moved so far (its own count; only it writes).
    progress: CachePadded<AtomicU64>,
    /// Its queue end's length when it noticed the abort, if the queue can say.
    queued_at_abort: Mutex<Option<usize>>,
    finished: AtomicBool,
}

/// A job's handle on the run: progress, waiting and failing.
pub struct Worker<'run> {
    slot: &'run Slot,
    abort: &'run AtomicBool,
    failure: &'run Mutex<Option<String>>,
}

impl Worker<'_> {
    /// Reports how many messages this job has moved in total; call at least once per burst.
    #[inline(always)]
    pub fn progress(&self, moved: u64) {
        self.slot.progress.store(moved, Ordering::Relaxed);
    }

    /// Waits once for a blocked operation, escalating with `backoff`; `queued` says how
    /// many messages the queue end waited on holds (`|| None` if it cannot say).
    ///
    /// ```
    /// use ringstress::wait::Backoff;
    /// use ringstress_suite::stress::queue::{Queue, Receiver, RingSpsc, Sender};
    /// use ringstress_suite::stress::run::{run, Job};
    ///
    /// let (mut tx, mut rx) = RingSpsc::channel::<u64>(8);
    /// let jobs = vec![
    ///     Job::new("producer", move |_| {
    ///         assert!(tx.try_send(7));
    ///         Ok(None)
    ///     }),
    ///     Job::new("consumer", move |worker| {
    ///         let mut backoff = Backoff::new();
    ///         loop {
    ///             if let Some(message) = rx.try_recv() {
    ///                 return Ok(Some(message));
    ///             }
    ///             worker.wait(&mut backoff, || rx.queued())?;
    ///         }
    ///     }),
    /// ];
    /// let (_, results) = run("wait demo", jobs);
    /// assert_eq!(results, [None, Some(7)]);
    /// ```
    ///
    /// # Errors
    ///
    /// [`Failure::Stalled`] once the run has been aborted, after recording `queued()` for
    /// the diagnostic; return it from the job (`?`).
    #[inline]
    pub fn wait(
        &self,
        backoff: &mut Backoff,
        queued: impl FnOnce() -> Option<usize>,
    ) -> Result<(), Failure> {
        // Only waits that have escalated past spinning look at the shared flag, so the
        // fast path of a busy scenario never touches it; `queued` runs only on a stall.
        if backoff.is_yielding() && self.abort.load(Ordering::Relaxed) {
            return Err(self.stalled(queued()));
        }
        backoff.snooze();
        Ok(())
    }

    /// Records the queue length seen when giving up (for the diagnostic) and returns
    /// [`Failure::Stalled`].
    #[cold]
    #[inline(never)]
    fn stalled(&self, queued: Option<usize>) -> Failure {
        *lock(&self.slot.queued_at_abort) = queued;
        Failure::Stalled
    }

    /// Fails the run: records `message`, aborts every other job, and returns the failure
    /// for this job to return.
    pub fn fail(&self, message: impl Into<String>) -> Failure {
        let message = message.into();
        lock(self.failure).get_or_insert_with(|| message.clone());
        self.abort.store(true, Ordering::Relaxed);
        Failure::Invalid(message)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The variable setting the stall timeout, in seconds.
pub const STALL_SECS_ENV: &str = "RINGSTRESS_STALL_SECS";

/// The stall timeout: [`STALL_SECS_ENV`] (seconds, may be fractional) or 10 s.
///
/// # Panics
///
/// If the variable is set but is not a positive number; bench files check it up front
/// (`ringstress_suite::settings`), so a bad value stops them with one line instead.
pub fn stall_timeout() -> Duration {
    match std::env::var(STALL_SECS_ENV) {
        Ok(text) => parse_stall_secs(&text).unwrap_or_else(|error| panic!("{error}")),
        Err(_) => DEFAULT_STALL,
    }
}

/// The variable asking for each scenario thread to be pinned to its own logical core.
pub const PIN_ENV: &str = "RINGSTRESS_PIN";

/// Whether scenario threads are pinned ([`PIN_ENV`] = `1`): thread `i` of a run on the
/// `i mod n`-th of the `n` cores the process may use. Off by default: on a small machine
/// the suite oversubscribes on purpose, and the scheduler's freedom is part of what a
/// topology with more threads than cores measures. On a many-core machine, pinning keeps a
/// producer and its consumer from being moved between cores (and caches) mid-run.
///
/// # Panics
///
/// If the variable is set to anything but `0` or `1`; bench files check it up front
/// (`ringstress_suite::settings`).
pub fn pinning() -> bool {
    static PINNING: OnceLock<bool> = OnceLock::new();
    *PINNING.get_or_init(|| match std::env::var(PIN_ENV) {
        Ok(text) => parse_pin(&text).unwrap_or_else(|error| panic!("{error}")),
        Err(_) => false,
    })
}

/// Whether [`PIN_ENV`]'s value asks for pinning.
///
/// # Errors
///
/// A message naming the variable, the value and what is accepted, unless it is `0` or `1`.
pub fn parse_pin(text: &str) -> Result<bool, String> {
    match text.trim() {
        "1" => Ok(true),
        "0" => Ok(false),
        _ => Err(format!(
            "{PIN_ENV}={text:?} is not a pinning choice; accepted: 1 (pin each scenario \
             thread to a core) or 0 (let the scheduler place them, the default)"
        )),
    }
}

/// Pins the calling thread to the `index mod n`-th of the `n` logical cores this process
/// may run on. Best effort: where that cannot be done the thread stays unpinned.
fn pin_to_core(index: usize) {
    #[cfg(target_os = "linux")]
    // SAFETY: `cpu_set_t` is plain data, valid when zeroed; both calls get the size of the
    // set they are given and write or read only within it; pid 0 is the calling thread.
    unsafe {
        let mut allowed: libc::cpu_set_t = std::mem::zeroed();
        let size = std::mem::size_of::<libc::cpu_set_t>();
        if libc::sched_getaffinity(0, size, &mut allowed) != 0 {
            return;
        }
        let cores: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
            .filter(|&cpu| libc::CPU_ISSET(cpu, &allowed))
            .collect();
        if let Some(&core) = cores.get(index % cores.len().max(1)) {
            let mut one: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(core, &mut one);
            libc::sched_setaffinity(0, size, &one);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = index;
}

/// A stall timeout given in seconds.
///
/// # Errors
///
/// A message naming [`STALL_SECS_ENV`], the value and what is accepted, unless `text` is a
/// positive number of seconds of at most a day.
pub fn parse_stall_secs(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 86_400.0 => Ok(Duration::from_secs_f64(secs)),
        _ => Err(format!(
            "{STALL_SECS_ENV}={text:?} is not a stall timeout: give seconds, more than 0 and \
             at most 86400 (e.g. 10 or 0.5)"
        )),
    }
}

/// Runs `jobs` on one thread each, timed from the moment all have started (a barrier) to
/// the moment the last has finished; returns that time and the jobs' results in order.
///
/// # Panics
///
/// With a diagnostic naming `scenario`, if a job failed validation, the run stalled, or a
/// job panicked.
pub fn run<R: Send>(scenario: &str, jobs: Vec<Job<'_, R>>) -> (Duration, Vec<R>) {
    run_with_stall(scenario, jobs, stall_timeout())
}

/// [`run`] with an explicit stall timeout instead of the environment's.
///
/// # Panics
///
/// As [`run`].
pub fn run_with_stall<R: Send>(
    scenario: &str,
    jobs: Vec<Job<'_, R>>,
    stall: Duration,
) -> (Duration, Vec<R>) {
    let slots: Vec<Slot> = jobs.iter().map(|_| Slot::default()).collect();
    let names: Vec<String> = jobs.iter().map(|job| job.name.clone()).collect();
    let abort = AtomicBool::new(false);
    let failure = Mutex::new(None);
    let barrier = Barrier::new(jobs.len() + 1);
    let diagnose = || diagnostic(scenario, &names, &slots);
    let (slots, abort, failure, barrier) = (&slots, &abort, &failure, &barrier);

    let (elapsed, outcomes) = thread::scope(|scope| {
        let (done_tx, done_rx) = mpsc::channel::<()>();
        scope.spawn(move || watch(done_rx, slots, abort, stall, &diagnose));
        let handles: Vec<_> = jobs
            .into_iter()
            .enumerate()
            .map(|(index, job)| {
                let worker = Worker {
                    slot: &slots[index],
                    abort,
                    failure,
                };
                thread::Builder::new()
                    .name(job.name)
                    .spawn_scoped(scope, move || {
                        if pinning() {
                            pin_to_core(index);
                        }
                        barrier.wait();
                        // Each thread stamps its own start and end: the main thread may be
                        // descheduled right after the barrier on a busy machine, and a
                        // clock it started then could miss most of a short run.
                        let started = Instant::now();
                        let outcome = (job.work)(&worker);
                        let ended = Instant::now();
                        if outcome.is_err() {
                            // Tell the others to stop waiting for this thread.
                            abort.store(true, Ordering::Relaxed);
                        }
                        worker.slot.finished.store(true, Ordering::Relaxed);
                        (outcome, started, ended)
                    })
                    .expect("spawn a scenario thread")
            })
            .collect();
        barrier.wait();
        let joined: Vec<_> = handles.into_iter().map(|handle| handle.join()).collect();
        drop(done_tx);
        // From the first thread's start to the last thread's end.
        let stamps = joined.iter().filter_map(|joined| joined.as_ref().ok());
        let first_start = stamps.clone().map(|&(_, started, _)| started).min();
        let last_end = stamps.map(|&(_, _, ended)| ended).max();
        let elapsed = match (first_start, last_end) {
            (Some(start), Some(end)) => end.saturating_duration_since(start),
            _ => Duration::ZERO,
        };
        let outcomes: Vec<_> = joined
            .into_iter()
            .map(|joined| joined.map(|(outcome, _, _)| outcome))
            .collect();
        (elapsed, outcomes)
    });

    let mut results = Vec::with_capacity(outcomes.len());
    let mut problems = Vec::new();
    for (name, outcome) in names.iter().zip(outcomes) {
        match outcome {
            Ok(Ok(result)) => results.push(result),
            Ok(Err(Failure::Invalid(message))) => problems.push(format!("{name}: {message}")),
            Ok(Err(Failure::Stalled)) => {}
            Err(panic) => problems.push(format!("{name} panicked: {}", panic_text(panic.as_ref()))),
        }
    }
    if results.len() == names.len() {
        return (elapsed, results);
    }
    if problems.is_empty() {
        problems.push(format!("no progress for {stall:?}: the run stalled"));
    }
    panic!("{}\n{}", problems.join("\n"), diagnose());
}

/// The watchdog: aborts the run when no counter has moved for `stall`, and exits the
/// process if the jobs then ignore the abort.
fn watch(
    done: mpsc::Receiver<()>,
    slots: &[Slot],
    abort: &AtomicBool,
    stall: Duration,
    diagnose: &dyn Fn() -> String,
) {
    let total = || -> u64 {
        slots
            .iter()
            .map(|slot| slot.progress.load(Ordering::Relaxed))
            .sum()
    };
    let mut last_total = total();
    let mut last_change = Instant::now();
    let mut aborted_at: Option<Instant> = None;
    loop {
        match done.recv_timeout(WATCH_TICK) {
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            // The run finished (the sender was dropped).
            _ => return,
        }
        if let Some(at) = aborted_at {
            let stuck = slots
                .iter()
                .any(|slot| !slot.finished.load(Ordering::Relaxed));
            if stuck && at.elapsed() > ABORT_GRACE {
                eprintln!(
                    "ringstress watchdog: threads ignored the abort for {ABORT_GRACE:?}; \
                     exiting.\n{}",
                    diagnose()
                );
                std::process::exit(101);
            }
            continue;
        }
        if abort.load(Ordering::Relaxed) {
            aborted_at = Some(Instant::now());
            continue;
        }
        let now_total = total();
        if now_total != last_total {
            last_total = now_total;
            last_change = Instant::now();
        } else if last_change.elapsed() > stall {
            abort.store(true, Ordering::Relaxed);
            aborted_at = Some(Instant::now());
        }
    }
}

/// Per-thread counts and queue lengths, for a failure message.
fn diagnostic(scenario: &str, names: &[String], slots: &[Slot]) -> String {
    let mut text = format!("scenario {scenario}, per thread:");
    for (name, slot) in names.iter().zip(slots) {
        let moved = slot.progress.load(Ordering::Relaxed);
        let state = if slot.finished.load(Ordering::Relaxed) {
            "finished"
        } else {
            "running"
        };
        let _ = write!(text, "\n  {name}: {moved} messages moved, {state}");
        if let Some(queued) = *lock(&slot.queued_at_abort) {
            let _ = write!(text, ", its queue held {queued}");
        }
    }
    text
}

/// The text of a panic's payload (`panic!` with a literal or with a format string), or
/// "(non-text panic)".
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(non-text panic)".to_string()
    }
}

/// Runs `run`, which must fail by panicking (a failed validation, a stall), and returns the
/// panic's text: how tests show that a broken queue is caught and what the run says.
///
/// ```
/// use ringstress_suite::stress::run::failure_of;
///
/// assert_eq!(failure_of(|| panic!("lost message 7")), "lost message 7");
/// ```
///
/// # Panics
///
/// If `run` returns normally.
pub fn failure_of(run: impl FnOnce()) -> String {
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .expect_err("the run should have failed");
    panic_text(payload.as_ref())
}

/// The iteration count of a soak run: ten times the iterations of the largest sample
/// Criterion takes of a case measured with these settings. It estimates the case's cost as
/// Criterion's warm-up does (run `run_once(iters)` with doubling `iters` until `warm_up` is
/// spent), then applies Criterion's linear sampling: sample `k` of `sample_size` runs
/// `k × d` iterations, with `d` chosen so the samples fill `measurement`; the largest runs
/// `sample_size × d`.
pub fn soak_iters(
    sample_size: usize,
    warm_up: Duration,
    measurement: Duration,
    mut run_once: impl FnMut(u64) -> Duration,
) -> u64 {
    let (mut iters, mut done, mut spent) = (1u64, 0u64, Duration::ZERO);
    while spent < warm_up {
        spent += run_once(iters);
        done += iters;
        iters *= 2;
    }
    let per_iter_ns = spent.as_nanos() as f64 / done as f64;
    let samples = sample_size as f64;
    let weights = samples * (samples + 1.0) / 2.0;
    let d = (measurement.as_nanos() as f64 / (per_iter_ns * weights))
        .ceil()
        .max(1.0);
    10 * (samples * d) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_job_order() {
        let jobs: Vec<Job<usize>> = (0..3)
            .map(|i| Job::new(format!("j{i}"), move |_| Ok(i * 10)))
            .collect();
        let (_, results) = run("order", jobs);
        assert_eq!(results, [0, 10, 20]);
    }

    #[test]
    #[should_panic(expected = "bad message")]
    fn a_failing_job_fails_the_run_and_releases_waiters() {
        let jobs: Vec<Job<()>> = vec![
            Job::new("failer", |worker| Err(worker.fail("bad message"))),
            Job::new("waiter", |worker| {
                let mut backoff = Backoff::new();
                loop {
                    worker.wait(&mut backoff, || None)?;
                }
            }),
        ];
        run("failing", jobs);
    }

    #[test]
    fn a_stalled_run_panics_with_counts_instead_of_hanging() {
        let outcome = std::panic::catch_unwind(|| {
            let jobs: Vec<Job<()>> = vec![Job::new("stuck consumer", |worker| {
                worker.progress(3);
                let mut backoff = Backoff::new();
                loop {
                    worker.wait(&mut backoff, || Some(7))?;
                }
            })];
            run_with_stall("stall", jobs, Duration::from_millis(200))
        });
        let text = panic_text(outcome.unwrap_err().as_ref());
        assert!(text.contains("stalled"), "{text}");
        assert!(text.contains("stuck consumer: 3 messages moved"), "{text}");
        assert!(text.contains("its queue held 7"), "{text}");
    }

    #[test]
    fn a_wait_reads_the_queue_length_only_on_a_stall() {
        let jobs: Vec<Job<()>> = vec![Job::new("waiter", |worker| {
            let mut backoff = Backoff::new();
            // Spins, then yields: past the point where a wait looks at the abort flag.
            for _ in 0..20 {
                worker.wait(&mut backoff, || panic!("queue length read without a stall"))?;
            }
            Ok(())
        })];
        run("no stall", jobs);
    }
}
