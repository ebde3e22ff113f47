//! The `input-stream` and `output-stream` of a connected component TCP socket: reads and
//! writes straight on the host socket, with a background task only for the part of a write the
//! kernel did not take at once (a `write` must not block).

use bytes::{Bytes, BytesMut};
use std::future::{poll_fn, Future};
use std::io;
use std::io::Read;
use std::net::Shutdown;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use tokio::io::Interest;
use tokio::net::TcpStream;
use wasmtime_wasi::p2::{InputStream, OutputStream, Pollable, StreamError, StreamResult};
use wasmtime_wasi::runtime::{spawn, AbortOnDropJoinHandle};

/// The most a read takes, and a write may give, at once (wasmtime-wasi's own limit).
pub(crate) const CHUNK: usize = 64 * 1024;

/// A stream error as wasi:io reports it: the socket's error code travels in the
/// `last-operation-failed` error, where `network.error-code` finds it (as an `io::Error`).
fn failed(e: io::Error) -> StreamError {
    StreamError::LastOperationFailed(e.into())
}

/// `recv` on the socket itself, not through tokio's cached readiness: the guest's runtime
/// refreshes that only while the guest waits, and a guest that reads in a loop without waiting
/// must still see its data. `EAGAIN` clears the cached readiness, so `ready` waits for the
/// next event.
fn recv(stream: &TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    let r = (&*socket2::SockRef::from(stream)).read(buf);
    if matches!(&r, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
        let _ = stream.try_io(Interest::READABLE, || {
            Err::<(), _>(io::ErrorKind::WouldBlock.into())
        });
    }
    r
}

/// `send` on the socket itself, as [`recv`]; `MSG_NOSIGNAL`: a peer gone is `EPIPE`, not a
/// signal (wasock is embeddable: the process may not ignore `SIGPIPE` as Rust's std does).
fn send(stream: &TcpStream, buf: &[u8]) -> io::Result<usize> {
    let r = socket2::SockRef::from(stream).send_with_flags(buf, libc::MSG_NOSIGNAL);
    if matches!(&r, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
        let _ = stream.try_io(Interest::WRITABLE, || {
            Err::<(), _>(io::ErrorKind::WouldBlock.into())
        });
    }
    r
}

/// The receiving half: `None` once closed (end of stream or error). `shut` is shared with
/// the socket, whose `shutdown(receive)` closes the stream at once, data still buffered
/// included (Linux's `SHUT_RD` would let a read take that data).
pub(crate) struct Reader {
    stream: Option<Arc<TcpStream>>,
    shut: Arc<AtomicBool>,
}

impl Reader {
    pub(crate) fn new(stream: Arc<TcpStream>, shut: Arc<AtomicBool>) -> Reader {
        Reader {
            stream: Some(stream),
            shut,
        }
    }

    /// The socket, while the stream is open.
    fn open(&mut self) -> Option<&Arc<TcpStream>> {
        if self.shut.load(Ordering::Relaxed) {
            self.stream = None;
        }
        self.stream.as_ref()
    }
}

#[async_trait::async_trait]
impl InputStream for Reader {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        let Some(stream) = self.open() else {
            return Err(StreamError::Closed);
        };
        if size == 0 {
            return Ok(Bytes::new());
        }
        let mut buf = BytesMut::zeroed(size.min(CHUNK));
        match recv(stream, &mut buf) {
            Ok(0) => {
                self.stream = None;
                Err(StreamError::Closed)
            }
            Ok(n) => {
                buf.truncate(n);
                Ok(buf.freeze())
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Bytes::new()),
            Err(e) => {
                self.stream = None;
                Err(failed(e))
            }
        }
    }
}

#[async_trait::async_trait]
impl Pollable for Reader {
    async fn ready(&mut self) {
        if let Some(stream) = self.open() {
            // An error is readiness too: the next read reports it.
            let _ = stream.readable().await;
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        if let Some(stream) = &self.stream {
            let _ = socket2::SockRef::from(&**stream).shutdown(Shutdown::Read);
        }
    }
}

/// Why a writer can write no more: the peer is gone (`closed`, as EPIPE) or the errno of
/// another failure (kept as a number: it is reported again at each later call).
#[derive(Debug, Clone, Copy)]
enum WriteError {
    Closed,
    Failed(i32),
}

impl From<WriteError> for StreamError {
    fn from(e: WriteError) -> StreamError {
        match e {
            WriteError::Closed => StreamError::Closed,
            WriteError::Failed(errno) => failed(io::Error::from_raw_os_error(errno)),
        }
    }
}

/// A write error as `WriteError`: EPIPE means the stream is closed.
fn write_error(e: &io::Error) -> WriteError {
    match e.raw_os_error() {
        Some(libc::EPIPE) => WriteError::Closed,
        Some(errno) => WriteError::Failed(errno),
        None => WriteError::Failed(libc::EIO),
    }
}

/// The sending half's state.
enum Writing {
    /// No write in flight.
    Idle,
    /// The rest of the last write, still going out on a task.
    Flushing(AbortOnDropJoinHandle<Result<(), WriteError>>),
    /// Nothing more can be written.
    Done(WriteError),
}

/// The sending half of a connected socket, shared by its `output-stream` and its socket
/// (whose `shutdown` must let a write in flight go out first).
pub(crate) struct Sender {
    stream: Arc<TcpStream>,
    state: Writing,
}

/// A [`Sender`] as the socket and the stream hold it.
pub(crate) type SharedSender = Arc<Mutex<Sender>>;

/// Locks a sender; a poisoned lock (a panic elsewhere) still holds a usable state.
pub(crate) fn lock(sender: &SharedSender) -> MutexGuard<'_, Sender> {
    sender.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Sender {
    /// The sender of `stream`, for its socket and its output stream.
    pub(crate) fn shared(stream: Arc<TcpStream>) -> SharedSender {
        Arc::new(Mutex::new(Sender {
            stream,
            state: Writing::Idle,
        }))
    }

    /// Ends the sending side: a write in flight still goes out, then the peer sees the end.
    pub(crate) fn shutdown(&mut self) {
        let stream = self.stream.clone();
        self.state = match std::mem::replace(&mut self.state, Writing::Done(WriteError::Closed)) {
            Writing::Flushing(task) => Writing::Flushing(spawn(async move {
                let sent = task.await;
                let _ = socket2::SockRef::from(&*stream).shutdown(Shutdown::Write);
                sent.and(Err(WriteError::Closed))
            })),
            Writing::Idle => {
                let _ = socket2::SockRef::from(&*stream).shutdown(Shutdown::Write);
                Writing::Done(WriteError::Closed)
            }
            done => done,
        };
    }

    /// Polls the write in flight, if any, to its end.
    fn poll_flushed(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), WriteError>> {
        match &mut self.state {
            Writing::Idle => Poll::Ready(Ok(())),
            Writing::Done(e) => Poll::Ready(Err(*e)),
            Writing::Flushing(task) => {
                let result = match Pin::new(&mut **task).poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(r)) => r,
                    // The task never panics; a cancelled one is a closed stream.
                    Poll::Ready(Err(_)) => Err(WriteError::Closed),
                };
                self.state = match result {
                    Ok(()) => Writing::Idle,
                    Err(e) => Writing::Done(e),
                };
                Poll::Ready(result)
            }
        }
    }

    fn write(&mut self, mut bytes: Bytes) -> StreamResult<()> {
        match &self.state {
            Writing::Idle => {}
            Writing::Done(e) => return Err((*e).into()),
            Writing::Flushing(_) => {
                return Err(StreamError::trap("write while the last one is in flight"))
            }
        }
        if bytes.len() > CHUNK {
            return Err(StreamError::trap("write beyond check-write's permit"));
        }
        while !bytes.is_empty() {
            match send(&self.stream, &bytes) {
                Ok(n) => {
                    let _ = bytes.split_to(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    let e = write_error(&e);
                    self.state = Writing::Done(e);
                    return Err(e.into());
                }
            }
        }
        if !bytes.is_empty() {
            let stream = self.stream.clone();
            self.state = Writing::Flushing(spawn(async move {
                while !bytes.is_empty() {
                    let sent = match stream.writable().await {
                        Ok(()) => send(&stream, &bytes),
                        Err(e) => Err(e),
                    };
                    match sent {
                        Ok(n) => {
                            let _ = bytes.split_to(n);
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        Err(e) => return Err(write_error(&e)),
                    }
                }
                Ok(())
            }));
        }
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match self.poll_flushed(&mut cx) {
            Poll::Pending => Ok(0),
            Poll::Ready(Err(e)) => Err(e.into()),
            // Whether the kernel takes it shows at the write (the rest goes out on a task).
            Poll::Ready(Ok(())) => Ok(CHUNK),
        }
    }
}

/// The `output-stream` of a connected socket.
pub(crate) struct Writer(pub(crate) SharedSender);

#[async_trait::async_trait]
impl OutputStream for Writer {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        lock(&self.0).write(bytes)
    }

    fn flush(&mut self) -> StreamResult<()> {
        // Writes go to the kernel as soon as they can: there is nothing to push.
        match &lock(&self.0).state {
            Writing::Done(e) => Err((*e).into()),
            _ => Ok(()),
        }
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        lock(&self.0).check_write()
    }

    async fn cancel(&mut self) {
        // What the guest wrote is sent before the stream goes: wait for the write in flight.
        let _ = poll_fn(|cx| lock(&self.0).poll_flushed(cx)).await;
    }
}

#[async_trait::async_trait]
impl Pollable for Writer {
    async fn ready(&mut self) {
        if poll_fn(|cx| lock(&self.0).poll_flushed(cx)).await.is_ok() {
            let stream = lock(&self.0).stream.clone();
            let _ = stream.writable().await;
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // The guest closed its output stream: the peer sees the end (`cancel` ran first).
        let mut sender = lock(&self.0);
        if let Writing::Idle = sender.state {
            sender.shutdown();
        }
    }
}
