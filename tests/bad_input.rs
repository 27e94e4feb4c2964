//! Anything a user can pass gets a clear answer, never UB, an abort or a hang: a capacity of
//! 0, a capacity whose slots would overflow the address space, one the allocator cannot
//! provide, zero-sized items with a huge capacity, empty and oversized batches. Errors are
//! real errors (`Display`, `std::error::Error`) and hand the refused value back.

use std::error::Error;
use std::fmt::Display;
use std::time::{Duration, Instant};

use ringstress::{CapacityError, PopError, PushError, TryPopError, TryPushError, mpmc, spsc};

// ---------------------------------------------------------------------------------------
// Capacity 0.
// ---------------------------------------------------------------------------------------

#[test]
fn zero_capacity_is_rejected() {
    assert_eq!(
        spsc::try_channel::<u64>(0).unwrap_err(),
        CapacityError::Zero
    );
    assert_eq!(spsc::try_channel::<()>(0).unwrap_err(), CapacityError::Zero);
    assert_eq!(
        spsc::try_channel::<String>(0).unwrap_err(),
        CapacityError::Zero
    );
    assert_eq!(
        mpmc::try_channel::<u64>(0).unwrap_err(),
        CapacityError::Zero
    );
    assert_eq!(mpmc::try_channel::<()>(0).unwrap_err(), CapacityError::Zero);
    assert_eq!(
        mpmc::try_channel::<String>(0).unwrap_err(),
        CapacityError::Zero
    );
}

#[test]
#[should_panic(expected = "ringstress::spsc::channel: ring capacity must be at least 1")]
fn zero_capacity_spsc_channel_panics_with_a_clear_message() {
    let _ = spsc::channel::<u64>(0);
}

#[test]
#[should_panic(expected = "ringstress::mpmc::channel: ring capacity must be at least 1")]
fn zero_capacity_mpmc_channel_panics_with_a_clear_message() {
    let _ = mpmc::channel::<u64>(0);
}

// ---------------------------------------------------------------------------------------
// Capacities too large.
// ---------------------------------------------------------------------------------------

/// Capacities whose `u64` slots cannot fit in `isize::MAX` bytes.
const OVERFLOWING: [usize; 5] = [
    usize::MAX,
    usize::MAX - 1,
    usize::MAX / 2,
    usize::MAX / 2 + 1,
    isize::MAX as usize / 8 + 1,
];

#[test]
fn overflowing_capacity_is_too_large_spsc() {
    for capacity in OVERFLOWING {
        assert_eq!(
            spsc::try_channel::<u64>(capacity).unwrap_err(),
            CapacityError::TooLarge {
                requested: capacity
            },
            "capacity {capacity}"
        );
    }
    // Large items overflow at smaller capacities.
    let capacity = (isize::MAX as usize) / 4096 + 1;
    assert_eq!(
        spsc::try_channel::<[u8; 4096]>(capacity).unwrap_err(),
        CapacityError::TooLarge {
            requested: capacity
        }
    );
}

#[test]
fn overflowing_capacity_is_too_large_mpmc() {
    for capacity in OVERFLOWING {
        assert_eq!(
            mpmc::try_channel::<u64>(capacity).unwrap_err(),
            CapacityError::TooLarge {
                requested: capacity
            },
            "capacity {capacity}"
        );
    }
    // Stamps need spare laps: even tiny items cannot have a capacity near `usize::MAX`.
    for capacity in [usize::MAX, usize::MAX / 2, usize::MAX / 4] {
        assert_eq!(
            mpmc::try_channel::<()>(capacity).unwrap_err(),
            CapacityError::TooLarge {
                requested: capacity
            },
            "capacity {capacity}"
        );
    }
}

#[test]
#[should_panic(
    expected = "ringstress::spsc::channel: ring capacity 18446744073709551615 is too large"
)]
fn overflowing_spsc_channel_panics_with_a_clear_message() {
    let _ = spsc::channel::<u64>(usize::MAX);
}

#[test]
#[should_panic(
    expected = "ringstress::mpmc::channel: ring capacity 9223372036854775807 is too large"
)]
fn overflowing_mpmc_channel_panics_with_a_clear_message() {
    let _ = mpmc::channel::<u64>(usize::MAX / 2);
}

#[test]
fn capacity_the_allocator_cannot_provide_is_an_error_not_an_abort() {
    // 2^60 one-byte slots (SPSC) and 2^58 sixteen-byte slots (MPMC) fit `isize::MAX` bytes
    // but no machine's address space.
    let capacity = 1 << 60;
    assert_eq!(
        spsc::try_channel::<u8>(capacity).unwrap_err(),
        CapacityError::AllocationFailed {
            requested: capacity
        }
    );
    let capacity = 1 << 58;
    assert_eq!(
        mpmc::try_channel::<u8>(capacity).unwrap_err(),
        CapacityError::AllocationFailed {
            requested: capacity
        }
    );
}

// ---------------------------------------------------------------------------------------
// Zero-sized items.
// ---------------------------------------------------------------------------------------

#[test]
fn zero_sized_items_with_a_huge_capacity_work_spsc() {
    // No memory is needed, so any capacity whose positions fit works, and quickly: the
    // ring must not build its (empty) slots one by one.
    for capacity in [usize::MAX / 2 + 1, usize::MAX / 2, 1 << 40, (1 << 40) + 3] {
        // Built on a thread, so a regression fails here instead of hanging the test.
        let maker = std::thread::spawn(move || spsc::try_channel::<()>(capacity));
        let start = Instant::now();
        while !maker.is_finished() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "building a ring of capacity {capacity} of () takes over 10 s"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        let (mut producer, mut consumer) = maker.join().unwrap().unwrap();
        assert_eq!(producer.capacity(), capacity);
        assert_eq!(producer.push_iter(&mut std::iter::repeat_n((), 1000)), 1000);
        assert_eq!(producer.push_slice(&[(); 24]), 24);
        producer.try_push(()).unwrap();
        assert_eq!(consumer.len(), 1025);
        assert!(!consumer.is_full());
        assert_eq!(consumer.pop_slice(&mut [(); 25]), 25);
        assert_eq!(consumer.pop_each(usize::MAX, drop), 1000);
        assert_eq!(consumer.try_pop(), Err(TryPopError::Empty));
    }
    // A power of two above `usize::MAX / 2` has no room: positions could not tell full
    // from empty.
    assert_eq!(
        spsc::try_channel::<()>(usize::MAX).unwrap_err(),
        CapacityError::TooLarge {
            requested: usize::MAX
        }
    );
}

#[test]
fn zero_sized_items_work_mpmc() {
    // MPMC slots carry a stamp, so zero-sized items still cost a word per slot.
    let (producer, consumer) = mpmc::try_channel::<()>(1 << 16).unwrap();
    assert_eq!(producer.push_slice(&[(); 1 << 17]), 1 << 16);
    assert!(producer.is_full());
    assert_eq!(producer.try_push(()), Err(TryPushError::Full(())));
    assert_eq!(consumer.pop_each(usize::MAX, drop), 1 << 16);
    assert_eq!(consumer.try_pop(), Err(TryPopError::Empty));
}

// ---------------------------------------------------------------------------------------
// Odd batch sizes.
// ---------------------------------------------------------------------------------------

#[test]
fn empty_and_oversized_batches_are_fine_spsc() {
    let (mut producer, mut consumer) = spsc::channel::<u8>(3);
    assert_eq!(producer.push_slice(&[]), 0);
    assert_eq!(producer.push_iter(&mut std::iter::empty()), 0);
    assert_eq!(consumer.pop_slice(&mut []), 0);
    assert_eq!(consumer.pop_each(0, |_| panic!("max 0 pops nothing")), 0);
    assert_eq!(producer.push_slice(&[7; 1000]), 3);
    assert_eq!(consumer.pop_each(0, |_| panic!("max 0 pops nothing")), 0);
    assert_eq!(consumer.pop_slice(&mut []), 0);
    let mut out = [0; 1000];
    assert_eq!(consumer.pop_slice(&mut out), 3);
    assert_eq!(out[..4], [7, 7, 7, 0]);
    assert_eq!(producer.push_iter(&mut (0..).map(|i| i as u8)), 3);
    assert_eq!(consumer.pop_each(usize::MAX, drop), 3);
}

#[test]
fn empty_and_oversized_batches_are_fine_mpmc() {
    let (producer, consumer) = mpmc::channel::<u8>(3);
    assert_eq!(producer.push_slice(&[]), 0);
    assert_eq!(consumer.pop_slice(&mut []), 0);
    assert_eq!(consumer.pop_each(0, |_| panic!("max 0 pops nothing")), 0);
    assert_eq!(producer.push_slice(&[7; 1000]), 3);
    assert_eq!(consumer.pop_each(0, |_| panic!("max 0 pops nothing")), 0);
    let mut out = [0; 1000];
    assert_eq!(consumer.pop_slice(&mut out), 3);
    assert_eq!(out[..4], [7, 7, 7, 0]);
    assert_eq!(producer.push_slice(&[1, 2]), 2);
    assert_eq!(consumer.pop_each(usize::MAX, drop), 2);
}

// ---------------------------------------------------------------------------------------
// Errors are errors and hand values back.
// ---------------------------------------------------------------------------------------

/// Checks `err` is a `std::error::Error` that prints a message containing `words`, and
/// converts to a boxed error as `?` would.
fn is_error_saying<E: Error + Send + Sync + 'static>(err: E, words: &str) {
    let text = err.to_string();
    assert!(text.contains(words), "{text:?} should mention {words:?}");
    assert!(err.source().is_none());
    let boxed: Box<dyn Error + Send + Sync> = err.into();
    assert_eq!(boxed.to_string(), text);
}

#[test]
fn errors_implement_display_and_error_with_clear_messages() {
    /// Neither `Debug` nor `Display`: errors must work for any item type.
    struct Opaque;
    is_error_saying(TryPushError::Full(Opaque), "full");
    is_error_saying(TryPushError::Disconnected(Opaque), "gone");
    is_error_saying(PushError(Opaque), "gone");
    is_error_saying(TryPopError::Empty, "empty");
    is_error_saying(TryPopError::Disconnected, "gone");
    is_error_saying(PopError, "gone");
    is_error_saying(CapacityError::Zero, "at least 1");
    is_error_saying(CapacityError::TooLarge { requested: 77 }, "77");
    is_error_saying(CapacityError::AllocationFailed { requested: 78 }, "78");
    // Debug works without `T: Debug` and does not print the value.
    assert_eq!(format!("{:?}", TryPushError::Full(Opaque)), "Full(..)");
    assert_eq!(format!("{:?}", PushError(Opaque)), "PushError(..)");
    // Messages differ per case, so a user can tell them apart.
    let texts: Vec<String> = [
        &TryPopError::Empty as &dyn Display,
        &TryPopError::Disconnected,
        &CapacityError::Zero,
    ]
    .iter()
    .map(|e| e.to_string())
    .collect();
    assert!(texts[0] != texts[1] && texts[1] != texts[2]);
}

#[test]
fn refused_pushes_hand_the_value_back() {
    let (mut producer, consumer) = spsc::channel(1);
    producer.try_push(String::from("kept")).unwrap();
    let back = producer.try_push(String::from("full")).unwrap_err();
    assert_eq!(back.into_inner(), "full");
    drop(consumer);
    let back = producer.try_push(String::from("gone")).unwrap_err();
    assert!(matches!(&back, TryPushError::Disconnected(s) if s == "gone"));
    assert_eq!(back.into_inner(), "gone");
    assert_eq!(
        producer
            .push(String::from("push"))
            .unwrap_err()
            .into_inner(),
        "push"
    );

    let (producer, consumer) = mpmc::channel(1);
    producer.try_push(vec![1]).unwrap();
    assert_eq!(producer.try_push(vec![2]).unwrap_err().into_inner(), [2]);
    drop(consumer);
    assert_eq!(producer.try_push(vec![3]).unwrap_err().into_inner(), [3]);
    assert_eq!(producer.push(vec![4]).unwrap_err().0, [4]);
}
