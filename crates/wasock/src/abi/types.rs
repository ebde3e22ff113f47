//! WASI preview1 constants and the byte layouts of the structs the host writes or reads.
//!
//! Layouts follow the preview1 witx (wasm32, little-endian); each encoder has a byte-level test.

/// `filetype` values.
pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_DGRAM: u8 = 5;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// `fdflags` bits.
pub mod fdflags {
    pub const APPEND: u16 = 1;
    pub const DSYNC: u16 = 2;
    pub const NONBLOCK: u16 = 4;
    pub const RSYNC: u16 = 8;
    pub const SYNC: u16 = 16;
}

/// `oflags` bits (path_open).
pub mod oflags {
    pub const CREAT: u16 = 1;
    pub const DIRECTORY: u16 = 2;
    pub const EXCL: u16 = 4;
    pub const TRUNC: u16 = 8;
}

/// `lookupflags` bits.
pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

/// `fstflags` bits (set_times).
pub mod fstflags {
    pub const ATIM: u16 = 1;
    pub const ATIM_NOW: u16 = 2;
    pub const MTIM: u16 = 4;
    pub const MTIM_NOW: u16 = 8;
}

/// `rights` bits; socket bits ≥ 28 as WAMR numbers them (docs/socket-abi.md).
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_CONNECT: u64 = 1 << 28;
    pub const SOCK_LISTEN: u64 = 1 << 29;
    pub const SOCK_BIND: u64 = 1 << 30;
    pub const SOCK_ACCEPT: u64 = 1 << 31;
    pub const SOCK_RECV: u64 = 1 << 32;
    pub const SOCK_SEND: u64 = 1 << 33;
    pub const SOCK_ADDR_LOCAL: u64 = 1 << 34;
    pub const SOCK_ADDR_REMOTE: u64 = 1 << 35;
    pub const SOCK_RECV_FROM: u64 = 1 << 36;
    pub const SOCK_SEND_TO: u64 = 1 << 37;

    /// Every right a regular file can have.
    pub const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
    /// Every right a directory can have (its inheriting rights add `FILE`).
    pub const DIR: u64 = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_ADVISE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;
    /// What stdio gets.
    pub const STDIO: u64 =
        FD_READ | FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
    /// What WAMR reports for a socket: `0x3FF820004A` (docs/socket-abi.md).
    pub const SOCKET: u64 = 0x3F_F820_004A;
    /// WAMR's inheriting rights for a socket.
    pub const SOCKET_INHERITING: u64 = 0x3F_FFFF_FFFF;
}

/// `whence` values.
pub mod whence {
    pub const SET: u8 = 0;
    pub const CUR: u8 = 1;
    pub const END: u8 = 2;
}

/// `clockid` values.
pub mod clockid {
    pub const REALTIME: u32 = 0;
    pub const MONOTONIC: u32 = 1;
    pub const PROCESS_CPUTIME_ID: u32 = 2;
    pub const THREAD_CPUTIME_ID: u32 = 3;
}

/// `eventtype` values.
pub mod eventtype {
    pub const CLOCK: u8 = 0;
    pub const FD_READ: u8 = 1;
    pub const FD_WRITE: u8 = 2;
}

/// `subclockflags`: the timeout is an absolute time.
pub const SUBSCRIPTION_CLOCK_ABSTIME: u16 = 1;
/// `eventrwflags`: the peer hung up.
pub const EVENT_FD_READWRITE_HANGUP: u16 = 1;

/// `fdstat` (24 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdStat {
    pub filetype: u8,
    pub flags: u16,
    pub rights_base: u64,
    pub rights_inheriting: u64,
}

impl FdStat {
    /// Encodes per the witx layout.
    pub fn encode(&self) -> [u8; 24] {
        let mut b = [0u8; 24];
        b[0] = self.filetype;
        b[2..4].copy_from_slice(&self.flags.to_le_bytes());
        b[8..16].copy_from_slice(&self.rights_base.to_le_bytes());
        b[16..24].copy_from_slice(&self.rights_inheriting.to_le_bytes());
        b
    }
}

/// `filestat` (64 bytes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileStat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

impl FileStat {
    /// Encodes per the witx layout.
    pub fn encode(&self) -> [u8; 64] {
        let mut b = [0u8; 64];
        b[0..8].copy_from_slice(&self.dev.to_le_bytes());
        b[8..16].copy_from_slice(&self.ino.to_le_bytes());
        b[16] = self.filetype;
        b[24..32].copy_from_slice(&self.nlink.to_le_bytes());
        b[32..40].copy_from_slice(&self.size.to_le_bytes());
        b[40..48].copy_from_slice(&self.atim.to_le_bytes());
        b[48..56].copy_from_slice(&self.mtim.to_le_bytes());
        b[56..64].copy_from_slice(&self.ctim.to_le_bytes());
        b
    }
}

/// `dirent` header (24 bytes; the name follows it, unterminated).
pub fn encode_dirent(next: u64, ino: u64, namlen: u32, filetype: u8) -> [u8; 24] {
    let mut b = [0u8; 24];
    b[0..8].copy_from_slice(&next.to_le_bytes());
    b[8..16].copy_from_slice(&ino.to_le_bytes());
    b[16..20].copy_from_slice(&namlen.to_le_bytes());
    b[20] = filetype;
    b
}

/// `prestat` for a directory (8 bytes: tag 0, name length).
pub fn encode_prestat_dir(name_len: u32) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[4..8].copy_from_slice(&name_len.to_le_bytes());
    b
}

/// Size of a `subscription`.
pub const SUBSCRIPTION_SIZE: u32 = 48;
/// Size of an `event`.
pub const EVENT_SIZE: u32 = 32;

/// A decoded `subscription`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscription {
    /// Wait for a clock.
    Clock {
        userdata: u64,
        id: u32,
        timeout: u64,
        precision: u64,
        flags: u16,
    },
    /// Wait for readability.
    FdRead { userdata: u64, fd: u32 },
    /// Wait for writability.
    FdWrite { userdata: u64, fd: u32 },
}

impl Subscription {
    /// Decodes 48 bytes; an unknown tag is `None` (the caller answers `EINVAL`).
    pub fn decode(b: &[u8; 48]) -> Option<Subscription> {
        let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap_or_default());
        let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap_or_default());
        let userdata = u64_at(0);
        match b[8] {
            eventtype::CLOCK => Some(Subscription::Clock {
                userdata,
                id: u32_at(16),
                timeout: u64_at(24),
                precision: u64_at(32),
                flags: u16::from_le_bytes([b[40], b[41]]),
            }),
            eventtype::FD_READ => Some(Subscription::FdRead {
                userdata,
                fd: u32_at(16),
            }),
            eventtype::FD_WRITE => Some(Subscription::FdWrite {
                userdata,
                fd: u32_at(16),
            }),
            _ => None,
        }
    }
}

/// An `event` to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub userdata: u64,
    pub error: u16,
    pub kind: u8,
    pub nbytes: u64,
    pub flags: u16,
}

impl Event {
    /// Encodes 32 bytes per the witx layout.
    pub fn encode(&self) -> [u8; 32] {
        let mut b = [0u8; 32];
        b[0..8].copy_from_slice(&self.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&self.error.to_le_bytes());
        b[10] = self.kind;
        b[16..24].copy_from_slice(&self.nbytes.to_le_bytes());
        b[24..26].copy_from_slice(&self.flags.to_le_bytes());
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fdstat_layout() {
        let s = FdStat {
            filetype: 6,
            flags: 4,
            rights_base: rights::SOCKET,
            rights_inheriting: 1,
        };
        let b = s.encode();
        assert_eq!(b[0], 6);
        assert_eq!(b[1], 0);
        assert_eq!(&b[2..4], &[4, 0]);
        assert_eq!(&b[8..16], &[0x4a, 0x00, 0x20, 0xf8, 0x3f, 0, 0, 0]);
        assert_eq!(&b[16..24], &[1, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn filestat_layout() {
        let s = FileStat {
            dev: 1,
            ino: 2,
            filetype: 4,
            nlink: 3,
            size: 0x1122,
            atim: 5,
            mtim: 6,
            ctim: 7,
        };
        let b = s.encode();
        assert_eq!(b[0], 1);
        assert_eq!(b[8], 2);
        assert_eq!(b[16], 4);
        assert_eq!(b[24], 3);
        assert_eq!(&b[32..34], &[0x22, 0x11]);
        assert_eq!((b[40], b[48], b[56]), (5, 6, 7));
    }

    #[test]
    fn dirent_and_prestat_layout() {
        let d = encode_dirent(9, 0x0102, 3, filetype::DIRECTORY);
        assert_eq!(d[0], 9);
        assert_eq!(&d[8..10], &[2, 1]);
        assert_eq!(&d[16..20], &[3, 0, 0, 0]);
        assert_eq!(d[20], 3);
        assert_eq!(encode_prestat_dir(7), [0, 0, 0, 0, 7, 0, 0, 0]);
    }

    #[test]
    fn subscription_and_event_layout() {
        let mut b = [0u8; 48];
        b[0] = 0xaa;
        b[8] = eventtype::CLOCK;
        b[16] = 1;
        b[24..32].copy_from_slice(&1_000_000u64.to_le_bytes());
        b[40] = 1;
        assert_eq!(
            Subscription::decode(&b),
            Some(Subscription::Clock {
                userdata: 0xaa,
                id: 1,
                timeout: 1_000_000,
                precision: 0,
                flags: 1
            })
        );
        b[8] = eventtype::FD_WRITE;
        b[16] = 5;
        assert_eq!(
            Subscription::decode(&b),
            Some(Subscription::FdWrite {
                userdata: 0xaa,
                fd: 5
            })
        );
        b[8] = 9;
        assert_eq!(Subscription::decode(&b), None);

        let e = Event {
            userdata: 7,
            error: 8,
            kind: 1,
            nbytes: 300,
            flags: 1,
        }
        .encode();
        assert_eq!(e[0], 7);
        assert_eq!(&e[8..10], &[8, 0]);
        assert_eq!(e[10], 1);
        assert_eq!(&e[16..18], &[0x2c, 0x01]);
        assert_eq!(&e[24..26], &[1, 0]);
    }
}
