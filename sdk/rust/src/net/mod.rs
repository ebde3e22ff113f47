//! `std::net`-style sockets over WAMR's socket imports.

mod lookup;
pub(crate) mod socket;
mod tcp;
mod udp;

pub use lookup::lookup_host;
pub use tcp::{Incoming, TcpListener, TcpStream};
pub use udp::UdpSocket;
