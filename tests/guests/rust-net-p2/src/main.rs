//! A std::net program for wasm32-wasip2, run as a component under wasock by
//! crates/wasock-cli/tests/components.rs. One action per argument; each prints `ok ACTION ...`
//! or `err ACTION KIND` (and the program then exits 1).
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};

fn fail(action: &str, e: std::io::Error) -> ! {
    println!("err {action} {:?}", e.kind());
    std::process::exit(1);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    for arg in &args {
        let (action, value) = arg.split_once('=').unwrap_or((arg, ""));
        match action {
            // A TCP echo round trip with a native peer.
            "tcp" => {
                let mut s = TcpStream::connect(value).unwrap_or_else(|e| fail(action, e));
                s.write_all(b"ping").unwrap_or_else(|e| fail(action, e));
                let mut buf = [0u8; 4];
                s.read_exact(&mut buf).unwrap_or_else(|e| fail(action, e));
                assert_eq!(&buf, b"ping");
                println!("ok tcp");
            }
            // Connects, turns non-blocking and reads in a loop that never waits (no poll, no
            // sleep) until the peer's 4 bytes are there.
            "spin-read" => {
                let mut s = TcpStream::connect(value).unwrap_or_else(|e| fail(action, e));
                s.set_nonblocking(true).unwrap_or_else(|e| fail(action, e));
                let mut buf = [0u8; 4];
                let n = loop {
                    match s.read(&mut buf) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                        Err(e) => fail(action, e),
                    }
                };
                println!("ok spin-read {n}");
            }
            // Writes 8 MiB on a non-blocking socket, retrying at once on WouldBlock (never
            // waiting), then reads the peer's 2-byte answer.
            "spin-write" => {
                let mut s = TcpStream::connect(value).unwrap_or_else(|e| fail(action, e));
                s.set_nonblocking(true).unwrap_or_else(|e| fail(action, e));
                let data = vec![7u8; 8 << 20];
                let mut sent = 0;
                while sent < data.len() {
                    match s.write(&data[sent..]) {
                        Ok(n) => sent += n,
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                        Err(e) => fail(action, e),
                    }
                }
                s.set_nonblocking(false).unwrap_or_else(|e| fail(action, e));
                let mut buf = [0u8; 2];
                s.read_exact(&mut buf).unwrap_or_else(|e| fail(action, e));
                println!("ok spin-write {sent}");
            }
            // Three reads into a buffer larger than what comes, each after a read that took
            // less than it asked for (a host that took that for an empty socket and answered
            // the next read without asking it would have to get this right): two in a
            // non-blocking loop that never waits, one blocking. Each must still get the peer's
            // next bytes.
            "read-after-short" => {
                let mut s = TcpStream::connect(value).unwrap_or_else(|e| fail(action, e));
                let mut buf = [0u8; 64];
                for (round, blocking) in [("first", false), ("second", false), ("third", true)] {
                    s.set_nonblocking(!blocking)
                        .unwrap_or_else(|e| fail(action, e));
                    let n = loop {
                        match s.read(&mut buf) {
                            Ok(n) => break n,
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                            Err(e) => fail(action, e),
                        }
                    };
                    println!("{round} {}", String::from_utf8_lossy(&buf[..n]));
                }
                println!("ok read-after-short");
            }
            // Connects, waits 300 ms (the peer's bytes arrive meanwhile), then two blocking
            // reads. With urgent data in the middle, Linux's first read stops short at the
            // urgent mark with the rest queued: the second read must get it at once.
            "read-after-wait" => {
                let mut s = TcpStream::connect(value).unwrap_or_else(|e| fail(action, e));
                std::thread::sleep(std::time::Duration::from_millis(300));
                let mut buf = [0u8; 64];
                for round in ["first", "second"] {
                    let n = s.read(&mut buf).unwrap_or_else(|e| fail(action, e));
                    println!("{round} {}", String::from_utf8_lossy(&buf[..n]));
                }
                println!("ok read-after-wait");
            }
            // Sends a datagram to the echo peer, then receives the echo on a non-blocking
            // socket in a loop that never waits.
            "spin-udp" => {
                let sock = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| fail(action, e));
                sock.set_nonblocking(true)
                    .unwrap_or_else(|e| fail(action, e));
                sock.send_to(b"ping", value)
                    .unwrap_or_else(|e| fail(action, e));
                let mut buf = [0u8; 16];
                let n = loop {
                    match sock.recv_from(&mut buf) {
                        Ok((n, _)) => break n,
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                        Err(e) => fail(action, e),
                    }
                };
                println!("ok spin-udp {n}");
            }
            // Reads 4 bytes of what the peer sent, shuts the receiving side, reads again: the
            // rest, already buffered, must not arrive (POSIX: no further receptions).
            "shut-read" => {
                let mut s = TcpStream::connect(value).unwrap_or_else(|e| fail(action, e));
                let mut buf = [0u8; 4];
                s.read_exact(&mut buf).unwrap_or_else(|e| fail(action, e));
                s.shutdown(std::net::Shutdown::Read)
                    .unwrap_or_else(|e| fail(action, e));
                let n = s.read(&mut buf).unwrap_or_else(|e| fail(action, e));
                println!("ok shut-read {n}");
            }
            // A UDP round trip with send_to/recv_from from an explicitly bound socket.
            "udp" => {
                let sock = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| fail(action, e));
                sock.send_to(b"ping", value)
                    .unwrap_or_else(|e| fail(action, e));
                let mut buf = [0u8; 16];
                let (n, from) = sock.recv_from(&mut buf).unwrap_or_else(|e| fail(action, e));
                assert_eq!(&buf[..n], b"ping");
                println!("ok udp {from}");
            }
            // The same through a connected UDP socket (send/recv).
            "udp-connect" => {
                let sock = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| fail(action, e));
                sock.connect(value).unwrap_or_else(|e| fail(action, e));
                sock.send(b"ping").unwrap_or_else(|e| fail(action, e));
                let mut buf = [0u8; 16];
                let n = sock.recv(&mut buf).unwrap_or_else(|e| fail(action, e));
                assert_eq!(&buf[..n], b"ping");
                println!("ok udp-connect");
            }
            // One datagram from a fresh socket, no reply expected.
            "sendto-only" => {
                let sock = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| fail(action, e));
                sock.send_to(b"ping", value)
                    .unwrap_or_else(|e| fail(action, e));
                println!("ok sendto-only");
            }
            "lookup" => {
                let addrs: Vec<SocketAddr> = (value, 80)
                    .to_socket_addrs()
                    .unwrap_or_else(|e| fail(action, e))
                    .collect();
                assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
                println!("ok lookup {}", addrs.len());
            }
            // Listens on 127.0.0.1 (any port), echoes one line per accepted peer, `value` times.
            "serve" => {
                let l = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| fail(action, e));
                println!("listening on {}", l.local_addr().unwrap());
                let n: usize = value.parse().unwrap_or(1);
                for _ in 0..n {
                    let (mut s, peer) = l.accept().unwrap_or_else(|e| fail(action, e));
                    let mut buf = [0u8; 4];
                    s.read_exact(&mut buf).unwrap_or_else(|e| fail(action, e));
                    s.write_all(&buf).unwrap_or_else(|e| fail(action, e));
                    println!("accepted {}", peer.ip());
                }
                println!("ok serve");
            }
            // Holds `value` UDP sockets open at once (for --max-sockets).
            "hold" => {
                let n: usize = value.parse().unwrap_or(1);
                let mut held = Vec::new();
                for _ in 0..n {
                    match UdpSocket::bind("127.0.0.1:0") {
                        Ok(s) => held.push(s),
                        Err(e) => {
                            println!("err hold {:?} after {}", e.kind(), held.len());
                            std::process::exit(1);
                        }
                    }
                }
                println!("ok hold {n}");
            }
            // Opens and closes `value` UDP sockets one after the other.
            "cycle" => {
                for _ in 0..value.parse().unwrap_or(1) {
                    drop(UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| fail(action, e)));
                }
                println!("ok cycle");
            }
            "exit" => std::process::exit(value.parse().unwrap_or(0)),
            _ => panic!("unknown action {arg}"),
        }
    }
}
