//! `loadgen MODE ADDR [options]`: drives a server on loopback and prints one JSON line.
//!
//! Modes: `pingpong` (round trips of SIZE bytes on one connection; p50/p99 latency),
//! `stream` (one-way bulk MiB/s to an echo server, echoes drained), `connects` (sequential
//! connect+close per second), `http` (CONNS keep-alive connections issuing `GET /` as fast as
//! answers come back; requests/s; with `--active N` only N of them issue requests and the rest
//! stay open and idle). Every loop is bounded by `--seconds` or `--count`.

use anyhow::{bail, Context, Result};
use mio::net::TcpStream as MioStream;
use mio::{Events, Interest, Poll, Token};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

struct Opts {
    mode: String,
    addr: SocketAddr,
    seconds: f64,
    count: u64,
    size: usize,
    conns: usize,
    active: Option<usize>,
    path: String,
}

fn parse() -> Result<Opts> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().context(
        "usage: loadgen MODE ADDR [--seconds S] [--count N] [--size B] [--conns N] [--active N] \
         [--path P]",
    )?;
    let addr = args
        .next()
        .context("missing ADDR")?
        .parse()
        .context("ADDR must be IP:PORT")?;
    let mut o = Opts {
        mode,
        addr,
        seconds: 3.0,
        count: u64::MAX,
        size: 64,
        conns: 50,
        active: None,
        path: "/".into(),
    };
    while let Some(flag) = args.next() {
        let v = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--seconds" => o.seconds = v.parse()?,
            "--count" => o.count = v.parse()?,
            "--size" => o.size = v.parse()?,
            "--conns" => o.conns = v.parse()?,
            "--active" => o.active = Some(v.parse()?),
            "--path" => o.path = v,
            _ => bail!("unknown option {flag}"),
        }
    }
    Ok(o)
}

fn main() -> Result<()> {
    let o = parse()?;
    let json = match o.mode.as_str() {
        "pingpong" => pingpong(&o)?,
        "stream" => stream(&o)?,
        "connects" => connects(&o)?,
        "http" => http(&o)?,
        m => bail!("unknown mode {m} (pingpong, stream, connects, http)"),
    };
    println!("{json}");
    Ok(())
}

fn pingpong(o: &Opts) -> Result<String> {
    let mut s = TcpStream::connect(o.addr)?;
    s.set_nodelay(true)?;
    let msg = vec![b'x'; o.size];
    let mut buf = vec![0u8; o.size];
    let mut lat = Vec::new();
    let end = Instant::now() + Duration::from_secs_f64(o.seconds);
    while Instant::now() < end && (lat.len() as u64) < o.count {
        let t = Instant::now();
        s.write_all(&msg)?;
        s.read_exact(&mut buf)?;
        lat.push(t.elapsed().as_nanos() as u64);
    }
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    let total: u64 = lat.iter().sum();
    Ok(format!(
        "{{\"mode\":\"pingpong\",\"round_trips\":{},\"per_sec\":{:.1},\"p50_us\":{:.1},\"p99_us\":{:.1}}}",
        lat.len(),
        lat.len() as f64 / (total as f64 / 1e9),
        pct(0.5),
        pct(0.99)
    ))
}

fn stream(o: &Opts) -> Result<String> {
    let s = TcpStream::connect(o.addr)?;
    let mut reader = s.try_clone()?;
    let drain = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        let mut n = 0u64;
        while let Ok(k) = reader.read(&mut buf) {
            if k == 0 {
                break;
            }
            n += k as u64;
        }
        n
    });
    let chunk = vec![b'y'; 1 << 16];
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(o.seconds);
    let mut sent = 0u64;
    let mut w = &s;
    while Instant::now() < end {
        w.write_all(&chunk)?;
        sent += chunk.len() as u64;
    }
    s.shutdown(std::net::Shutdown::Write)?;
    let echoed = drain
        .join()
        .map_err(|_| anyhow::anyhow!("drain thread panicked"))?;
    let secs = start.elapsed().as_secs_f64();
    Ok(format!(
        "{{\"mode\":\"stream\",\"bytes\":{sent},\"echoed\":{echoed},\"mib_per_sec\":{:.1}}}",
        echoed as f64 / secs / (1 << 20) as f64
    ))
}

fn connects(o: &Opts) -> Result<String> {
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(o.seconds);
    let mut n = 0u64;
    let mut buf = [0u8; 1];
    while Instant::now() < end && n < o.count {
        let mut s = TcpStream::connect(o.addr)?;
        s.write_all(b"c")?;
        s.read_exact(&mut buf)?;
        n += 1;
    }
    Ok(format!(
        "{{\"mode\":\"connects\",\"connects\":{n},\"per_sec\":{:.1}}}",
        n as f64 / start.elapsed().as_secs_f64()
    ))
}

/// One keep-alive HTTP connection's state.
struct Conn {
    sock: MioStream,
    inbuf: Vec<u8>,
    pending: bool,
}

fn http(o: &Opts) -> Result<String> {
    let req = format!("GET {} HTTP/1.1\r\nHost: bench\r\n\r\n", o.path).into_bytes();
    let mut poll = Poll::new()?;
    let active = o.active.unwrap_or(o.conns).min(o.conns);
    let mut conns: Vec<Conn> = Vec::with_capacity(active);
    // Idle connections: open (the server watches them) but never used.
    let idle: Vec<TcpStream> = (active..o.conns)
        .map(|_| TcpStream::connect(o.addr))
        .collect::<std::io::Result<_>>()?;
    for i in 0..active {
        let mut sock = MioStream::connect(o.addr)?;
        poll.registry()
            .register(&mut sock, Token(i), Interest::READABLE | Interest::WRITABLE)?;
        conns.push(Conn {
            sock,
            inbuf: Vec::new(),
            pending: false,
        });
    }
    let mut events = Events::with_capacity(1024);
    let mut done = 0u64;
    let mut errors = 0u64;
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(o.seconds);
    let mut buf = vec![0u8; 1 << 16];
    while Instant::now() < end && done < o.count {
        poll.poll(&mut events, Some(Duration::from_millis(100)))?;
        for ev in events.iter() {
            let c = &mut conns[ev.token().0];
            if ev.is_writable() && !c.pending {
                match c.sock.write(&req) {
                    Ok(n) if n == req.len() => c.pending = true,
                    Ok(_) => errors += 1,
                    Err(e)
                        if e.kind() == ErrorKind::WouldBlock
                            || e.kind() == ErrorKind::NotConnected => {}
                    Err(_) => errors += 1,
                }
            }
            if ev.is_readable() {
                loop {
                    match c.sock.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => c.inbuf.extend_from_slice(&buf[..n]),
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(_) => {
                            errors += 1;
                            break;
                        }
                    }
                }
                while let Some(len) = response_len(&c.inbuf) {
                    c.inbuf.drain(..len);
                    done += 1;
                    c.pending = false;
                }
                if !c.pending {
                    // Pipelining off: the next request goes out as soon as the answer is in.
                    match c.sock.write(&req) {
                        Ok(n) if n == req.len() => c.pending = true,
                        Ok(_) | Err(_) => {}
                    }
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    drop(idle);
    Ok(format!(
        "{{\"mode\":\"http\",\"conns\":{},\"active\":{active},\"requests\":{done},\"errors\":{errors},\"per_sec\":{:.1}}}",
        o.conns,
        done as f64 / secs
    ))
}

/// Length of the first complete response in `buf` (headers + Content-Length body).
fn response_len(buf: &[u8]) -> Option<usize> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let body = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().ok())
        })
        .flatten()
        .unwrap_or(0);
    (buf.len() >= head_end + body).then_some(head_end + body)
}

#[cfg(test)]
mod tests {
    use super::response_len;

    #[test]
    fn finds_complete_responses() {
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1";
        assert_eq!(response_len(r), Some(43));
        assert_eq!(response_len(&r[..40]), None);
        assert_eq!(response_len(b"HTTP/1.1 204 No Content\r\n\r\n"), Some(27));
    }
}
