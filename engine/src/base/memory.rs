//! Bytes allocated by the current thread, so that a script's memory can be bounded per
//! evaluation: Rhai bounds the length of one string, array or map, but not the sum of many
//! (a map filled by indexed insert, or many large strings, grew to hundreds of megabytes before
//! the operation limit stopped it).
//!
//! The count is kept only when the process's global allocator is [`Counting`]; the `mentorflow`
//! binary installs it. Without it the count stays at zero and the memory budget never fires,
//! which is how an embedding application that brings its own allocator opts out.

#![allow(unsafe_code)] // A global allocator cannot be written without it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    // A plain `Cell` with a const initialiser: reading it never allocates and registers no
    // destructor, which is what code inside an allocator needs.
    static NET: Cell<i64> = const { Cell::new(0) };
}

/// Net bytes allocated by this thread since it started (allocations minus frees). Memory freed
/// on another thread is not subtracted here, so only differences over one evaluation, which
/// runs on one thread, are meaningful.
pub fn allocated_here() -> i64 {
    NET.try_with(Cell::get).unwrap_or(0)
}

fn add(bytes: i64) {
    let _ = NET.try_with(|n| n.set(n.get().wrapping_add(bytes)));
}

fn size(bytes: usize) -> i64 {
    i64::try_from(bytes).unwrap_or(i64::MAX)
}

/// A global allocator that counts each thread's bytes and leaves the allocating to `A`.
pub struct Counting<A = System>(pub A);

// SAFETY: every call is passed unchanged to the inner allocator, which upholds the contract;
// the counting touches only a thread-local integer and never allocates.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees for `alloc` are passed on unchanged.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            add(size(layout.size()));
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            add(size(layout.size()));
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's guarantees for `dealloc` are passed on unchanged.
        unsafe { self.0.dealloc(ptr, layout) };
        add(-size(layout.size()));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's guarantees for `realloc` are passed on unchanged.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(size(new_size) - size(layout.size()));
        }
        p
    }
}
