//! Letting the guest's runtime turn where a guest that never waits would otherwise see stale
//! answers for ever.
//!
//! The guest runs inside a current-thread runtime (see [`super::run`]): its reactor takes in new
//! socket events, and its tasks (a write's rest, a UDP receive, a name lookup) run, only while
//! the guest waits. A call answered at once (`poll` with a ready timeout, `pollable.ready`, or a
//! non-blocking call saying "not yet") does not wait, and a guest asking in a loop would get the
//! same answer for ever, where wasmtime-wasi's own threads would have moved on. So:
//! - `poll` and `pollable.ready` yield first (one `epoll_wait` with no timeout; wasmtime-wasi's
//!   synchronous bindings do the same for the same reason);
//! - a non-blocking call that says "not yet" [`SPIN`] times in a row, with no wait between,
//!   yields and asks once more ([`spinning`]): free for a guest that waits as it should.

use super::ctx::ComponentHost;
use std::cell::Cell;
use wasmtime::component::{Linker, Resource};
use wasmtime::StoreContextMut;
use wasmtime_wasi::p2::bindings::io::poll::{Host as Poll, HostPollable};
use wasmtime_wasi::p2::bindings::io::streams::{
    Host as Streams, HostInputStream, HostOutputStream, StreamError,
};
use wasmtime_wasi::p2::{DynInputStream, DynOutputStream, DynPollable, StreamResult};
use wasmtime_wasi::ResourceTable;

/// "Not yet" answers in a row before a call yields to the runtime and asks again.
pub(crate) const SPIN: u32 = 16;

thread_local! {
    /// "Not yet" answers since the guest last waited (the guest's calls run on its thread).
    static STREAK: Cell<u32> = const { Cell::new(0) };
}

/// Counts a "not yet" answer; true (and the count starts over) when it is the [`SPIN`]th since
/// the guest last waited.
fn spinning() -> bool {
    STREAK.with(|n| {
        let next = n.get() + 1;
        n.set(if next >= SPIN { 0 } else { next });
        next >= SPIN
    })
}

/// Yields once to the guest's runtime; the guest has waited.
async fn turn() {
    STREAK.with(|n| n.set(0));
    tokio::task::yield_now().await;
}

/// Runs the non-blocking `call` on `state`; when its answer is "not yet" (`not_yet`) for the
/// [`SPIN`]th time since the guest last waited, lets the runtime turn and runs it once more.
pub(crate) async fn settled<S: ?Sized, T>(
    state: &mut S,
    mut call: impl FnMut(&mut S) -> T,
    not_yet: impl Fn(&T) -> bool,
) -> T {
    let r = call(state);
    if !not_yet(&r) || !spinning() {
        return r;
    }
    turn().await;
    call(state)
}

/// A stream call's result as the component ABI returns it.
fn lowered<T>(
    table: &mut ResourceTable,
    r: StreamResult<T>,
) -> wasmtime::Result<(Result<T, StreamError>,)> {
    match r {
        Ok(v) => Ok((Ok(v),)),
        Err(e) => Ok((Err(Streams::convert_stream_error(table, e)?),)),
    }
}

/// Shadows `poll`, `[method]pollable.ready` (`wasi:io/poll`), `check-write` and `read`
/// (`wasi:io/streams`) of `version`.
pub(crate) fn add_to_linker(
    linker: &mut Linker<ComponentHost>,
    version: &str,
) -> wasmtime::Result<()> {
    type Store<'a> = StoreContextMut<'a, ComponentHost>;
    linker.allow_shadowing(true);
    let mut poll = linker.instance(&format!("wasi:io/poll@{version}"))?;
    poll.func_wrap_async(
        "poll",
        |mut st: Store<'_>, (list,): (Vec<Resource<DynPollable>>,)| {
            Box::new(async move {
                turn().await;
                Ok((Poll::poll(st.data_mut().table(), list).await?,))
            })
        },
    )?;
    poll.func_wrap_async(
        "[method]pollable.ready",
        |mut st: Store<'_>, (this,): (Resource<DynPollable>,)| {
            Box::new(async move {
                turn().await;
                Ok((HostPollable::ready(st.data_mut().table(), this).await?,))
            })
        },
    )?;
    let mut streams = linker.instance(&format!("wasi:io/streams@{version}"))?;
    streams.func_wrap_async(
        "[method]output-stream.check-write",
        |mut st: Store<'_>, (this,): (Resource<DynOutputStream>,)| {
            Box::new(async move {
                let table = st.data_mut().table();
                let this = || Resource::<DynOutputStream>::new_borrow(this.rep());
                let check = |t: &mut ResourceTable| HostOutputStream::check_write(t, this());
                let r = settled(table, check, |r| matches!(r, Ok(0))).await;
                lowered(table, r)
            })
        },
    )?;
    streams.func_wrap_async(
        "[method]input-stream.read",
        |mut st: Store<'_>, (this, len): (Resource<DynInputStream>, u64)| {
            Box::new(async move {
                let table = st.data_mut().table();
                let this = || Resource::<DynInputStream>::new_borrow(this.rep());
                let read = |t: &mut ResourceTable| HostInputStream::read(t, this(), len);
                let empty =
                    |r: &StreamResult<Vec<u8>>| matches!(r, Ok(v) if v.is_empty() && len > 0);
                let r = settled(table, read, empty).await;
                lowered(table, r)
            })
        },
    )?;
    Ok(())
}
