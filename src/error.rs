//! The errors of both rings: why a push or pop could not happen, and why a ring could not
//! be built. Push errors hand the value back, so nothing is lost on failure.

use std::fmt;

/// A non-blocking push failed; the value is handed back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TryPushError<T> {
    /// The ring has no free slot for this push: it holds `capacity` items (or, in the MPMC
    /// ring, the pop of the next slot's item is claimed but not finished); try again after a
    /// pop.
    Full(T),
    /// The ring is full and every consumer is gone, so no pop will ever make room.
    Disconnected(T),
}

impl<T> TryPushError<T> {
    /// The value that was not pushed.
    pub fn into_inner(self) -> T {
        match self {
            Self::Full(value) | Self::Disconnected(value) => value,
        }
    }
}

/// A non-blocking pop failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryPopError {
    /// No item is ready right now: the ring is empty (or, in the MPMC ring, the push of the
    /// next slot's item is claimed but not finished); a producer may still push.
    Empty,
    /// The ring is empty and every producer is gone, so it will stay empty.
    Disconnected,
}

/// A blocking push gave up because every consumer is gone; the value is handed back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PushError<T>(pub T);

impl<T> PushError<T> {
    /// The value that was not pushed.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// A blocking pop gave up because the ring is empty and every producer is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PopError;

/// A ring could not be built with the requested capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityError {
    /// A ring must hold at least one item.
    Zero,
    /// The ring's slots would not fit in the address space (or in `isize::MAX` bytes).
    TooLarge {
        /// The capacity that was asked for.
        requested: usize,
    },
    /// The allocator could not provide the ring's memory.
    AllocationFailed {
        /// The capacity that was asked for.
        requested: usize,
    },
}

// Debug by hand so that `T: Debug` is not required (the value is not printed), as for std's
// channel errors: `result.unwrap()` then works for every `T`.
impl<T> fmt::Debug for TryPushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("Full(..)"),
            Self::Disconnected(_) => f.write_str("Disconnected(..)"),
        }
    }
}

impl<T> fmt::Debug for PushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PushError(..)")
    }
}

impl<T> fmt::Display for TryPushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("push to a full ring"),
            Self::Disconnected(_) => f.write_str("push to a full ring whose consumers are gone"),
        }
    }
}

impl<T> fmt::Display for PushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("push to a ring whose consumers are gone")
    }
}

impl fmt::Display for TryPopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("pop from an empty ring"),
            Self::Disconnected => f.write_str("pop from an empty ring whose producers are gone"),
        }
    }
}

impl fmt::Display for PopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("pop from an empty ring whose producers are gone")
    }
}

impl fmt::Display for CapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Zero => f.write_str("ring capacity must be at least 1"),
            Self::TooLarge { requested } => {
                write!(f, "ring capacity {requested} is too large to allocate")
            }
            Self::AllocationFailed { requested } => {
                write!(f, "could not allocate a ring of capacity {requested}")
            }
        }
    }
}

impl<T> std::error::Error for TryPushError<T> {}
impl<T> std::error::Error for PushError<T> {}
impl std::error::Error for TryPopError {}
impl std::error::Error for PopError {}
impl std::error::Error for CapacityError {}

/// Allocates `len` slots made by `make`, reporting overflow and allocation failure as
/// [`CapacityError`] instead of aborting. `requested` is the capacity the caller asked for.
pub(crate) fn alloc_slots<S>(
    len: usize,
    requested: usize,
    mut make: impl FnMut(usize) -> S,
) -> Result<Box<[S]>, CapacityError> {
    let too_large = len
        .checked_mul(std::mem::size_of::<S>())
        .is_none_or(|bytes| bytes > isize::MAX as usize);
    if too_large {
        return Err(CapacityError::TooLarge { requested });
    }
    let mut slots = Vec::new();
    slots
        .try_reserve_exact(len)
        .map_err(|_| CapacityError::AllocationFailed { requested })?;
    slots.extend((0..len).map(&mut make));
    Ok(slots.into_boxed_slice())
}
