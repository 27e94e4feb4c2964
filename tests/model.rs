//! Property tests: random single-threaded sequences of every operation, on both rings,
//! against a `VecDeque` with a capacity. After every step the results (values, counts,
//! values handed back, what an iterator had taken) and the size queries of every handle must
//! match the model; at the end the producers leave and the consumer must drain exactly the
//! model's items, then see `Disconnected`.

use std::collections::VecDeque;
use std::panic;
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use ringstress::{TryPopError, TryPushError, mpmc, spsc};

/// The model: a FIFO that refuses pushes beyond `capacity`.
#[derive(Debug)]
struct Model {
    items: VecDeque<u32>,
    capacity: usize,
}

impl Model {
    fn room(&self) -> usize {
        self.capacity - self.items.len()
    }
}

#[derive(Debug, Clone)]
enum Op {
    TryPush,
    TryPop,
    /// Blocking `push`, issued only when the model has room (it would wait forever).
    PushWithRoom,
    /// Blocking `pop`, issued only when the model holds an item.
    PopWithItem,
    PushSlice(usize),
    PopSlice(usize),
    /// SPSC only; the MPMC ring pushes a slice through a clone instead.
    PushIter(usize),
    PopEach(usize),
    /// MPMC: use the other producer or consumer clone from now on. SPSC: no-op.
    SwitchHandles,
}

fn op() -> impl Strategy<Value = Op> {
    let batch = 0usize..=12;
    prop_oneof![
        4 => Just(Op::TryPush),
        4 => Just(Op::TryPop),
        1 => Just(Op::PushWithRoom),
        1 => Just(Op::PopWithItem),
        2 => batch.clone().prop_map(Op::PushSlice),
        2 => batch.clone().prop_map(Op::PopSlice),
        2 => batch.clone().prop_map(Op::PushIter),
        2 => batch.prop_map(Op::PopEach),
        1 => Just(Op::SwitchHandles),
    ]
}

fn capacity() -> impl Strategy<Value = usize> {
    prop_oneof![1usize..=9, Just(16), Just(31), Just(64)]
}

/// How long one model test may run before it fails with the step it is stuck at.
const DEADLINE: Duration = Duration::from_secs(60);

/// The step each model is at, for the deadline's failure message: a faulty ring can spin
/// forever inside a single-threaded call.
static SPSC_AT: Mutex<String> = Mutex::new(String::new());
static MPMC_AT: Mutex<String> = Mutex::new(String::new());

fn note(at: &Mutex<String>, step: usize, op: &Op, model: &Model) {
    let mut at = at.lock().unwrap_or_else(|e| e.into_inner());
    at.clear();
    use std::fmt::Write;
    let _ = write!(
        at,
        "step {step}: {op:?} on {} of {}",
        model.items.len(),
        model.capacity
    );
}

/// Runs `test` on a thread and fails if it is not done within [`DEADLINE`], instead of
/// hanging; re-raises its panic (the proptest failure report) otherwise.
fn within_deadline(what: &str, at: &'static Mutex<String>, test: fn()) {
    let runner = thread::spawn(test);
    let start = Instant::now();
    while !runner.is_finished() {
        if start.elapsed() > DEADLINE {
            let at = at.lock().unwrap_or_else(|e| e.into_inner()).clone();
            panic!("{what}: not finished after {DEADLINE:?}, stuck at {at}");
        }
        thread::sleep(Duration::from_millis(5));
    }
    if let Err(payload) = runner.join() {
        panic::resume_unwind(payload);
    }
}

#[test]
fn spsc_matches_a_vecdeque_model() {
    within_deadline("SPSC model", &SPSC_AT, spsc_model);
}

#[test]
fn mpmc_matches_a_vecdeque_model() {
    within_deadline("MPMC model", &MPMC_AT, mpmc_model);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 256 } else { 1024 }))]

    fn spsc_model(capacity in capacity(), ops in prop::collection::vec(op(), 0..300)) {
        let (mut producer, mut consumer) = spsc::channel::<u32>(capacity);
        let mut model = Model { items: VecDeque::new(), capacity };
        let mut next = 0u32;
        for (step, op) in ops.iter().enumerate() {
            note(&SPSC_AT, step, op, &model);
            match *op {
                Op::TryPush => {
                    let result = producer.try_push(next);
                    if model.room() > 0 {
                        prop_assert_eq!(result, Ok(()), "step {}", step);
                        model.items.push_back(next);
                    } else {
                        prop_assert_eq!(result, Err(TryPushError::Full(next)), "step {}", step);
                    }
                    next += 1;
                }
                Op::TryPop => {
                    let expected = model.items.pop_front().ok_or(TryPopError::Empty);
                    prop_assert_eq!(consumer.try_pop(), expected, "step {}", step);
                }
                Op::PushWithRoom if model.room() > 0 => {
                    prop_assert!(producer.push(next).is_ok());
                    model.items.push_back(next);
                    next += 1;
                }
                Op::PopWithItem if !model.items.is_empty() => {
                    prop_assert_eq!(consumer.pop().ok(), model.items.pop_front());
                }
                Op::PushWithRoom | Op::PopWithItem | Op::SwitchHandles => {}
                Op::PushSlice(n) => {
                    let items: Vec<u32> = (next..next + n as u32).collect();
                    let pushed = producer.push_slice(&items);
                    prop_assert_eq!(pushed, n.min(model.room()), "step {}", step);
                    model.items.extend(&items[..pushed]);
                    next += n as u32;
                }
                Op::PopSlice(n) => {
                    let mut out = vec![u32::MAX; n];
                    let popped = consumer.pop_slice(&mut out);
                    let expected: Vec<u32> =
                        model.items.drain(..n.min(model.items.len())).collect();
                    prop_assert_eq!(&out[..popped], &expected[..], "step {}", step);
                    prop_assert!(out[popped..].iter().all(|&v| v == u32::MAX), "wrote past count");
                }
                Op::PushIter(n) => {
                    let mut source = next..next + n as u32;
                    let pushed = producer.push_iter(&mut source);
                    prop_assert_eq!(pushed, n.min(model.room()), "step {}", step);
                    prop_assert_eq!(source.start, next + pushed as u32, "took more than it pushed");
                    model.items.extend(next..next + pushed as u32);
                    next += n as u32;
                }
                Op::PopEach(n) => {
                    let mut seen = Vec::new();
                    let popped = consumer.pop_each(n, |v| seen.push(v));
                    let expected: Vec<u32> =
                        model.items.drain(..n.min(model.items.len())).collect();
                    prop_assert_eq!(popped, expected.len(), "step {}", step);
                    prop_assert_eq!(seen, expected, "step {}", step);
                }
            }
            let len = model.items.len();
            prop_assert_eq!((producer.len(), consumer.len()), (len, len), "step {} {:?}", step, op);
            prop_assert_eq!(producer.is_empty(), len == 0);
            prop_assert_eq!(consumer.is_empty(), len == 0);
            prop_assert_eq!(producer.is_full(), len == capacity);
            prop_assert_eq!(consumer.is_full(), len == capacity);
            prop_assert_eq!((producer.capacity(), consumer.capacity()), (capacity, capacity));
        }
        drop(producer);
        for expected in model.items.drain(..) {
            prop_assert_eq!(consumer.try_pop(), Ok(expected));
        }
        prop_assert_eq!(consumer.try_pop(), Err(TryPopError::Disconnected));
    }

    fn mpmc_model(capacity in capacity(), ops in prop::collection::vec(op(), 0..300)) {
        let (producer, consumer) = mpmc::channel::<u32>(capacity);
        let producers = [producer.clone(), producer];
        let consumers = [consumer.clone(), consumer];
        let mut which = 0;
        let mut model = Model { items: VecDeque::new(), capacity };
        let mut next = 0u32;
        for (step, op) in ops.iter().enumerate() {
            note(&MPMC_AT, step, op, &model);
            let (producer, consumer) = (&producers[which], &consumers[which]);
            match *op {
                Op::TryPush => {
                    let result = producer.try_push(next);
                    if model.room() > 0 {
                        prop_assert_eq!(result, Ok(()), "step {}", step);
                        model.items.push_back(next);
                    } else {
                        prop_assert_eq!(result, Err(TryPushError::Full(next)), "step {}", step);
                    }
                    next += 1;
                }
                Op::TryPop => {
                    let expected = model.items.pop_front().ok_or(TryPopError::Empty);
                    prop_assert_eq!(consumer.try_pop(), expected, "step {}", step);
                }
                Op::PushWithRoom if model.room() > 0 => {
                    prop_assert!(producer.push(next).is_ok());
                    model.items.push_back(next);
                    next += 1;
                }
                Op::PopWithItem if !model.items.is_empty() => {
                    prop_assert_eq!(consumer.pop().ok(), model.items.pop_front());
                }
                Op::PushWithRoom | Op::PopWithItem => {}
                Op::SwitchHandles => which = 1 - which,
                Op::PushSlice(n) | Op::PushIter(n) => {
                    let items: Vec<u32> = (next..next + n as u32).collect();
                    let pushed = producer.push_slice(&items);
                    prop_assert_eq!(pushed, n.min(model.room()), "step {}", step);
                    model.items.extend(&items[..pushed]);
                    next += n as u32;
                }
                Op::PopSlice(n) => {
                    let mut out = vec![u32::MAX; n];
                    let popped = consumer.pop_slice(&mut out);
                    let expected: Vec<u32> =
                        model.items.drain(..n.min(model.items.len())).collect();
                    prop_assert_eq!(&out[..popped], &expected[..], "step {}", step);
                    prop_assert!(out[popped..].iter().all(|&v| v == u32::MAX), "wrote past count");
                }
                Op::PopEach(n) => {
                    let mut seen = Vec::new();
                    let popped = consumer.pop_each(n, |v| seen.push(v));
                    let expected: Vec<u32> =
                        model.items.drain(..n.min(model.items.len())).collect();
                    prop_assert_eq!(popped, expected.len(), "step {}", step);
                    prop_assert_eq!(seen, expected, "step {}", step);
                }
            }
            let len = model.items.len();
            for (producer, consumer) in producers.iter().zip(&consumers) {
                prop_assert_eq!((producer.len(), consumer.len()), (len, len), "step {} {:?}", step, op);
                prop_assert_eq!(producer.is_empty(), len == 0);
                prop_assert_eq!(consumer.is_empty(), len == 0);
                prop_assert_eq!(producer.is_full(), len == capacity);
                prop_assert_eq!(consumer.is_full(), len == capacity);
                prop_assert_eq!((producer.capacity(), consumer.capacity()), (capacity, capacity));
            }
        }
        // One producer clone leaving changes nothing; the last one disconnects.
        let [first, last] = producers;
        drop(first);
        if model.items.is_empty() {
            prop_assert_eq!(consumers[0].try_pop(), Err(TryPopError::Empty));
        }
        drop(last);
        for (i, expected) in model.items.drain(..).enumerate() {
            prop_assert_eq!(consumers[i % 2].try_pop(), Ok(expected));
        }
        prop_assert_eq!(consumers[0].try_pop(), Err(TryPopError::Disconnected));
        prop_assert_eq!(consumers[1].try_pop(), Err(TryPopError::Disconnected));
    }
}
