//! `wasi:io/poll`'s `poll` and `pollable.ready`, each after one turn of the guest's runtime.
//!
//! The guest runs inside a current-thread runtime (see [`super::run`]), whose reactor takes in
//! new socket events only while the guest waits. A call that is answered at once, `poll` with a
//! ready timeout or `ready`, would not wait, and a guest asking in a loop would see the same
//! stale answer for ever; a yield first lets the reactor look (one `epoll_wait` with no
//! timeout). wasmtime-wasi's synchronous bindings yield the same way for the same reason.

use super::ctx::ComponentHost;
use wasmtime::component::{Linker, Resource};
use wasmtime::StoreContextMut;
use wasmtime_wasi::p2::bindings::io::poll::{Host as Poll, HostPollable};
use wasmtime_wasi::p2::DynPollable;

/// Shadows `poll` and `[method]pollable.ready` of `wasi:io/poll@version`.
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
                tokio::task::yield_now().await;
                Ok((Poll::poll(st.data_mut().table(), list).await?,))
            })
        },
    )?;
    poll.func_wrap_async(
        "[method]pollable.ready",
        |mut st: Store<'_>, (this,): (Resource<DynPollable>,)| {
            Box::new(async move {
                tokio::task::yield_now().await;
                Ok((HostPollable::ready(st.data_mut().table(), this).await?,))
            })
        },
    )?;
    Ok(())
}
