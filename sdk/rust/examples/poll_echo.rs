//! Single-threaded multi-client echo server using `wasock_guest::poll`:
//! `wasock --addr-pool=127.0.0.1/32 poll_echo.wasm [ADDR] [COUNT]` (exits after COUNT clients closed).
use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsRawFd;
use wasock_guest::net::{TcpListener, TcpStream};
use wasock_guest::poll::{poll, PollFd};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    let count: usize = args
        .next()
        .and_then(|c| c.parse().ok())
        .unwrap_or(usize::MAX);
    let listener = TcpListener::bind(addr.as_str())?;
    listener.set_nonblocking(true)?;
    println!("listening on {}", listener.local_addr()?);
    let mut clients: Vec<TcpStream> = Vec::new();
    let mut closed = 0;
    while closed < count {
        let mut fds = vec![PollFd::readable(listener.as_raw_fd())];
        fds.extend(clients.iter().map(|c| PollFd::readable(c.as_raw_fd())));
        poll(&mut fds, None)?;
        if fds[0].ready.readable {
            loop {
                match listener.accept() {
                    Ok((c, _)) => clients.push(c),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
        }
        let mut keep = Vec::new();
        for (i, mut c) in std::mem::take(&mut clients).into_iter().enumerate() {
            let ready = fds.get(i + 1).map(|f| f.ready);
            if ready.is_some_and(|r| r.readable || r.hangup) {
                let mut buf = [0u8; 4096];
                let n = c.read(&mut buf)?;
                if n == 0 {
                    closed += 1;
                    continue;
                }
                c.write_all(&buf[..n])?;
            }
            keep.push(c);
        }
        clients = keep;
    }
    Ok(())
}
