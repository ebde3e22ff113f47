//! HTTP/1.1 client: `wasock --addr-pool=127.0.0.1/32 --allow-resolve=localhost http_get.wasm HOST PORT PATH`.
//! Resolves HOST with `lookup_host`, sends a GET, prints the response body.
use std::io::{Read, Write};
use wasock_guest::net::{lookup_host, TcpStream};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (host, port, path) = match args.as_slice() {
        [_, h, p, path] => (h.as_str(), p.parse().unwrap_or(80), path.as_str()),
        _ => ("localhost", 80, "/"),
    };
    let addrs: Vec<_> = lookup_host(host, port)?.collect();
    let mut stream = TcpStream::connect(&addrs[..])?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    print!("{body}");
    Ok(())
}
