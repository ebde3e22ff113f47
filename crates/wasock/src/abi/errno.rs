//! WASI preview1 errno values and the one mapping from host errors to them.

use std::fmt;
use std::io;

macro_rules! errnos {
    ($($name:ident = $val:literal, $upper:literal, $text:literal;)*) => {
        /// A WASI preview1 errno (`u16` on the wire; the value every import returns).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u16)]
        pub enum Errno { $(#[doc = $text] $name = $val,)* }

        impl Errno {
            /// The errno's name as wasi-libc spells it (`EBADF`, …).
            pub fn name(self) -> &'static str {
                match self { $(Errno::$name => concat!("E", $upper),)* }
            }

            /// The errno with this numeric value, if it is one.
            pub fn from_raw(raw: u16) -> Option<Errno> {
                match raw { $($val => Some(Errno::$name),)* _ => None }
            }
        }
    };
}

errnos! {
    Success = 0, "SUCCESS", "No error.";
    TooBig = 1, "2BIG", "Argument list too long.";
    Acces = 2, "ACCES", "Permission denied.";
    AddrInUse = 3, "ADDRINUSE", "Address in use.";
    AddrNotAvail = 4, "ADDRNOTAVAIL", "Address not available.";
    AfNoSupport = 5, "AFNOSUPPORT", "Address family not supported.";
    Again = 6, "AGAIN", "Resource unavailable, or operation would block.";
    Already = 7, "ALREADY", "Connection already in progress.";
    Badf = 8, "BADF", "Bad file descriptor.";
    BadMsg = 9, "BADMSG", "Bad message.";
    Busy = 10, "BUSY", "Device or resource busy.";
    Canceled = 11, "CANCELED", "Operation canceled.";
    Child = 12, "CHILD", "No child processes.";
    ConnAborted = 13, "CONNABORTED", "Connection aborted.";
    ConnRefused = 14, "CONNREFUSED", "Connection refused.";
    ConnReset = 15, "CONNRESET", "Connection reset.";
    Deadlk = 16, "DEADLK", "Resource deadlock would occur.";
    DestAddrReq = 17, "DESTADDRREQ", "Destination address required.";
    Dom = 18, "DOM", "Mathematics argument out of domain.";
    Dquot = 19, "DQUOT", "Reserved.";
    Exist = 20, "EXIST", "File exists.";
    Fault = 21, "FAULT", "Bad address.";
    Fbig = 22, "FBIG", "File too large.";
    HostUnreach = 23, "HOSTUNREACH", "Host is unreachable.";
    Idrm = 24, "IDRM", "Identifier removed.";
    Ilseq = 25, "ILSEQ", "Illegal byte sequence.";
    InProgress = 26, "INPROGRESS", "Operation in progress.";
    Intr = 27, "INTR", "Interrupted function.";
    Inval = 28, "INVAL", "Invalid argument.";
    Io = 29, "IO", "I/O error.";
    IsConn = 30, "ISCONN", "Socket is connected.";
    IsDir = 31, "ISDIR", "Is a directory.";
    Loop = 32, "LOOP", "Too many levels of symbolic links.";
    Mfile = 33, "MFILE", "File descriptor value too large.";
    Mlink = 34, "MLINK", "Too many links.";
    MsgSize = 35, "MSGSIZE", "Message too large.";
    Multihop = 36, "MULTIHOP", "Reserved.";
    NameTooLong = 37, "NAMETOOLONG", "Filename too long.";
    NetDown = 38, "NETDOWN", "Network is down.";
    NetReset = 39, "NETRESET", "Connection aborted by network.";
    NetUnreach = 40, "NETUNREACH", "Network unreachable.";
    Nfile = 41, "NFILE", "Too many files open in system.";
    NoBufs = 42, "NOBUFS", "No buffer space available.";
    NoDev = 43, "NODEV", "No such device.";
    NoEnt = 44, "NOENT", "No such file or directory.";
    NoExec = 45, "NOEXEC", "Executable file format error.";
    NoLck = 46, "NOLCK", "No locks available.";
    NoLink = 47, "NOLINK", "Reserved.";
    NoMem = 48, "NOMEM", "Not enough space.";
    NoMsg = 49, "NOMSG", "No message of the desired type.";
    NoProtoOpt = 50, "NOPROTOOPT", "Protocol not available.";
    NoSpc = 51, "NOSPC", "No space left on device.";
    NoSys = 52, "NOSYS", "Function not supported.";
    NotConn = 53, "NOTCONN", "The socket is not connected.";
    NotDir = 54, "NOTDIR", "Not a directory or a symbolic link to a directory.";
    NotEmpty = 55, "NOTEMPTY", "Directory not empty.";
    NotRecoverable = 56, "NOTRECOVERABLE", "State not recoverable.";
    NotSock = 57, "NOTSOCK", "Not a socket.";
    NotSup = 58, "NOTSUP", "Not supported, or operation not supported on socket.";
    NoTty = 59, "NOTTY", "Inappropriate I/O control operation.";
    Nxio = 60, "NXIO", "No such device or address.";
    Overflow = 61, "OVERFLOW", "Value too large to be stored in data type.";
    OwnerDead = 62, "OWNERDEAD", "Previous owner died.";
    Perm = 63, "PERM", "Operation not permitted.";
    Pipe = 64, "PIPE", "Broken pipe.";
    Proto = 65, "PROTO", "Protocol error.";
    ProtoNoSupport = 66, "PROTONOSUPPORT", "Protocol not supported.";
    ProtoType = 67, "PROTOTYPE", "Protocol wrong type for socket.";
    Range = 68, "RANGE", "Result too large.";
    Rofs = 69, "ROFS", "Read-only file system.";
    Spipe = 70, "SPIPE", "Invalid seek.";
    Srch = 71, "SRCH", "No such process.";
    Stale = 72, "STALE", "Reserved.";
    TimedOut = 73, "TIMEDOUT", "Connection timed out.";
    TxtBsy = 74, "TXTBSY", "Text file busy.";
    Xdev = 75, "XDEV", "Cross-device link.";
    NotCapable = 76, "NOTCAPABLE", "Extension: Capabilities insufficient.";
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), *self as u16)
    }
}

impl std::error::Error for Errno {}

impl Errno {
    /// Maps a host OS errno number to WASI (docs/socket-abi.md: unknown values become `ENOSYS`).
    pub fn from_host(raw: i32) -> Errno {
        use rustix::io::Errno as E;
        let e = E::from_raw_os_error(raw);
        // One table for files and sockets alike; aliases (EWOULDBLOCK, EOPNOTSUPP) are
        // numerically identical to their partners on Linux, so they map for free.
        let table: &[(E, Errno)] = &[
            (E::TOOBIG, Errno::TooBig),
            (E::ACCESS, Errno::Acces),
            (E::ADDRINUSE, Errno::AddrInUse),
            (E::ADDRNOTAVAIL, Errno::AddrNotAvail),
            (E::AFNOSUPPORT, Errno::AfNoSupport),
            (E::AGAIN, Errno::Again),
            (E::ALREADY, Errno::Already),
            (E::BADF, Errno::Badf),
            (E::BADMSG, Errno::BadMsg),
            (E::BUSY, Errno::Busy),
            (E::CANCELED, Errno::Canceled),
            (E::CHILD, Errno::Child),
            (E::CONNABORTED, Errno::ConnAborted),
            (E::CONNREFUSED, Errno::ConnRefused),
            (E::CONNRESET, Errno::ConnReset),
            (E::DEADLK, Errno::Deadlk),
            (E::DESTADDRREQ, Errno::DestAddrReq),
            (E::DOM, Errno::Dom),
            (E::DQUOT, Errno::Dquot),
            (E::EXIST, Errno::Exist),
            (E::FAULT, Errno::Fault),
            (E::FBIG, Errno::Fbig),
            (E::HOSTUNREACH, Errno::HostUnreach),
            (E::IDRM, Errno::Idrm),
            (E::ILSEQ, Errno::Ilseq),
            (E::INPROGRESS, Errno::InProgress),
            (E::INTR, Errno::Intr),
            (E::INVAL, Errno::Inval),
            (E::IO, Errno::Io),
            (E::ISCONN, Errno::IsConn),
            (E::ISDIR, Errno::IsDir),
            (E::LOOP, Errno::Loop),
            (E::MFILE, Errno::Mfile),
            (E::MLINK, Errno::Mlink),
            (E::MSGSIZE, Errno::MsgSize),
            (E::MULTIHOP, Errno::Multihop),
            (E::NAMETOOLONG, Errno::NameTooLong),
            (E::NETDOWN, Errno::NetDown),
            (E::NETRESET, Errno::NetReset),
            (E::NETUNREACH, Errno::NetUnreach),
            (E::NFILE, Errno::Nfile),
            (E::NOBUFS, Errno::NoBufs),
            (E::NODEV, Errno::NoDev),
            (E::NOENT, Errno::NoEnt),
            (E::NOEXEC, Errno::NoExec),
            (E::NOLCK, Errno::NoLck),
            (E::NOLINK, Errno::NoLink),
            (E::NOMEM, Errno::NoMem),
            (E::NOMSG, Errno::NoMsg),
            (E::NOPROTOOPT, Errno::NoProtoOpt),
            (E::NOSPC, Errno::NoSpc),
            (E::NOSYS, Errno::NoSys),
            (E::NOTCONN, Errno::NotConn),
            (E::NOTDIR, Errno::NotDir),
            (E::NOTEMPTY, Errno::NotEmpty),
            (E::NOTRECOVERABLE, Errno::NotRecoverable),
            (E::NOTSOCK, Errno::NotSock),
            (E::NOTSUP, Errno::NotSup),
            (E::NOTTY, Errno::NoTty),
            (E::NXIO, Errno::Nxio),
            (E::OVERFLOW, Errno::Overflow),
            (E::OWNERDEAD, Errno::OwnerDead),
            (E::PERM, Errno::Perm),
            (E::PIPE, Errno::Pipe),
            (E::PROTO, Errno::Proto),
            (E::PROTONOSUPPORT, Errno::ProtoNoSupport),
            (E::PROTOTYPE, Errno::ProtoType),
            (E::RANGE, Errno::Range),
            (E::ROFS, Errno::Rofs),
            (E::SPIPE, Errno::Spipe),
            (E::SRCH, Errno::Srch),
            (E::STALE, Errno::Stale),
            (E::TIMEDOUT, Errno::TimedOut),
            (E::TXTBSY, Errno::TxtBsy),
            (E::XDEV, Errno::Xdev),
        ];
        table
            .iter()
            .find(|(h, _)| *h == e)
            .map_or(Errno::NoSys, |(_, w)| *w)
    }
}

impl From<io::Error> for Errno {
    fn from(err: io::Error) -> Errno {
        match err.raw_os_error() {
            Some(raw) => Errno::from_host(raw),
            None => match err.kind() {
                io::ErrorKind::NotFound => Errno::NoEnt,
                io::ErrorKind::PermissionDenied => Errno::Perm,
                io::ErrorKind::AlreadyExists => Errno::Exist,
                io::ErrorKind::WouldBlock => Errno::Again,
                io::ErrorKind::InvalidInput => Errno::Inval,
                io::ErrorKind::OutOfMemory => Errno::NoMem,
                io::ErrorKind::Unsupported => Errno::NotSup,
                _ => Errno::Io,
            },
        }
    }
}

impl From<rustix::io::Errno> for Errno {
    fn from(err: rustix::io::Errno) -> Errno {
        Errno::from_host(err.raw_os_error())
    }
}

/// The result of a host operation as the guest sees it.
pub type WasiResult<T> = Result<T, Errno>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_errnos_map_per_spec() {
        // Linux numbers from docs/socket-abi.md's examples.
        assert_eq!(Errno::from_host(111), Errno::ConnRefused);
        assert_eq!(Errno::from_host(98), Errno::AddrInUse);
        assert_eq!(Errno::from_host(110), Errno::TimedOut);
        assert_eq!(Errno::from_host(32), Errno::Pipe);
        assert_eq!(Errno::from_host(11), Errno::Again); // EAGAIN == EWOULDBLOCK
        assert_eq!(Errno::from_host(95), Errno::NotSup); // EOPNOTSUPP
        assert_eq!(Errno::from_host(108), Errno::NoSys); // ESHUTDOWN: unmapped
        assert_eq!(Errno::from_host(112), Errno::NoSys); // EHOSTDOWN: unmapped
    }

    #[test]
    fn numbering_matches_preview1() {
        assert_eq!(Errno::Acces as u16, 2);
        assert_eq!(Errno::Badf as u16, 8);
        assert_eq!(Errno::Fault as u16, 21);
        assert_eq!(Errno::Inval as u16, 28);
        assert_eq!(Errno::NotCapable as u16, 76);
        assert_eq!(Errno::from_raw(57), Some(Errno::NotSock));
        assert_eq!(Errno::from_raw(77), None);
        assert_eq!(Errno::NotCapable.name(), "ENOTCAPABLE");
    }
}
