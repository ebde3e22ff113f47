//! UDP ping: `wasock --addr-pool=127.0.0.1/32 udp_ping.wasm SERVER_ADDR COUNT`.
//! Sends COUNT datagrams `ping N`, expects each echoed back, prints `pong N from ADDR`.
use std::time::Duration;
use wasock_guest::net::UdpSocket;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let server = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:9000".into());
    let count: u32 = args.get(2).and_then(|c| c.parse().ok()).unwrap_or(3);
    let sock = UdpSocket::bind("127.0.0.1:0")?;
    sock.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut buf = [0u8; 1500];
    for i in 0..count {
        sock.send_to(format!("ping {i}").as_bytes(), server.as_str())?;
        let (n, from) = sock.recv_from(&mut buf)?;
        let reply = String::from_utf8_lossy(&buf[..n]);
        println!("{} from {from}", reply.replace("ping", "pong"));
    }
    Ok(())
}
