//! TCP echo server: `wasock --addr-pool=127.0.0.1/32 echo_server.wasm [ADDR] [COUNT]`.
//! Prints `listening on ADDR` once ready; exits after COUNT connections (default: never).
use std::io::{Read, Write};
use wasock_guest::net::TcpListener;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    let count: usize = args
        .next()
        .and_then(|c| c.parse().ok())
        .unwrap_or(usize::MAX);
    let listener = TcpListener::bind(addr.as_str())?;
    println!("listening on {}", listener.local_addr()?);
    for stream in listener.incoming().take(count) {
        let mut stream = stream?;
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf)?;
            if n == 0 {
                break;
            }
            stream.write_all(&buf[..n])?;
        }
    }
    Ok(())
}
