/*
 * wasi_socket_ext.h — wasock's C guest SDK for Berkeley sockets on WASI preview1.
 *
 * ABI-identical to WAMR's lib-socket header (same type names, enum values, struct layouts and
 * import names/signatures), so programs written for WAMR compile unchanged and a module built
 * with this SDK runs on both wasock and WAMR's iwasm. Include it after <sys/socket.h> and
 * <netinet/in.h>, guarded by `#ifdef __wasi__` (it also includes what it needs itself).
 */
#ifndef _WASI_SOCKET_EXT_H
#define _WASI_SOCKET_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __wasi__
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <wasi/api.h>
#if __has_include(<netdb.h>)
#include <netdb.h> /* struct addrinfo, getaddrinfo, EAI_* */
#define _WASI_SOCKET_EXT_HAVE_NETDB 1
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- §2 types (layouts are the ABI; see the static asserts below) ---- */

typedef enum { IPv4 = 0, IPv6 } __wasi_addr_type_t;

typedef struct __wasi_addr_ip4_t {
    uint8_t n0, n1, n2, n3; /* a.b.c.d -> n0=a ... n3=d */
} __wasi_addr_ip4_t;

/* Port in host order. */
typedef uint16_t __wasi_ip_port_t;

typedef struct __wasi_addr_ip4_port_t {
    __wasi_addr_ip4_t addr;
    __wasi_ip_port_t port;
} __wasi_addr_ip4_port_t;

typedef struct __wasi_addr_ip6_t {
    uint16_t n0, n1, n2, n3; /* the eight groups of the textual address, in order */
    uint16_t h0, h1, h2, h3;
} __wasi_addr_ip6_t;

typedef struct __wasi_addr_ip6_port_t {
    __wasi_addr_ip6_t addr;
    __wasi_ip_port_t port;
} __wasi_addr_ip6_port_t;

typedef struct __wasi_addr_ip_t {
    __wasi_addr_type_t kind;
    union {
        __wasi_addr_ip4_t ip4;
        __wasi_addr_ip6_t ip6;
    } addr;
} __wasi_addr_ip_t;

typedef struct __wasi_addr_t {
    __wasi_addr_type_t kind;
    union {
        __wasi_addr_ip4_port_t ip4;
        __wasi_addr_ip6_port_t ip6;
    } addr;
} __wasi_addr_t;

typedef enum { INET4 = 0, INET6, INET_UNSPEC } __wasi_address_family_t;

typedef enum { SOCKET_ANY = -1, SOCKET_DGRAM = 0, SOCKET_STREAM } __wasi_sock_type_t;

typedef struct __wasi_addr_info_t {
    __wasi_addr_t addr;
    __wasi_sock_type_t type;
} __wasi_addr_info_t;

typedef struct __wasi_addr_info_hints_t {
    __wasi_sock_type_t type;
    __wasi_address_family_t family;
    uint8_t hints_enabled; /* 0: ignore type and family */
} __wasi_addr_info_hints_t;

#if defined(__wasm32__)
_Static_assert(sizeof(__wasi_addr_type_t) == 4, "addr_type");
_Static_assert(sizeof(__wasi_addr_ip4_t) == 4 && _Alignof(__wasi_addr_ip4_t) == 1, "ip4");
_Static_assert(sizeof(__wasi_addr_ip4_port_t) == 6 && _Alignof(__wasi_addr_ip4_port_t) == 2, "ip4_port");
_Static_assert(offsetof(__wasi_addr_ip4_port_t, port) == 4, "ip4_port.port");
_Static_assert(sizeof(__wasi_addr_ip6_t) == 16 && _Alignof(__wasi_addr_ip6_t) == 2, "ip6");
_Static_assert(offsetof(__wasi_addr_ip6_t, h3) == 14, "ip6.h3");
_Static_assert(sizeof(__wasi_addr_ip6_port_t) == 18 && offsetof(__wasi_addr_ip6_port_t, port) == 16, "ip6_port");
_Static_assert(sizeof(__wasi_addr_ip_t) == 20 && _Alignof(__wasi_addr_ip_t) == 4, "addr_ip");
_Static_assert(offsetof(__wasi_addr_ip_t, addr) == 4, "addr_ip.addr");
_Static_assert(sizeof(__wasi_addr_t) == 24 && _Alignof(__wasi_addr_t) == 4, "addr");
_Static_assert(offsetof(__wasi_addr_t, addr.ip4.port) == 8, "addr.ip4.port");
_Static_assert(offsetof(__wasi_addr_t, addr.ip6.port) == 20, "addr.ip6.port");
_Static_assert(sizeof(__wasi_addr_info_t) == 28 && offsetof(__wasi_addr_info_t, type) == 24, "addr_info");
_Static_assert(sizeof(__wasi_addr_info_hints_t) == 12 && offsetof(__wasi_addr_info_hints_t, hints_enabled) == 8,
               "hints");
#endif

#ifdef __wasi__

/* ---- POSIX constants wasi-libc leaves out (values as in WAMR's header / Linux) ---- */
#ifndef SO_REUSEADDR
#define SO_REUSEADDR 2
#endif
#ifndef SO_ERROR
#define SO_ERROR 4
#endif
#ifndef SO_SNDBUF
#define SO_SNDBUF 7
#endif
#ifndef SO_RCVBUF
#define SO_RCVBUF 8
#endif
#ifndef SO_KEEPALIVE
#define SO_KEEPALIVE 9
#endif
#ifndef SO_BROADCAST
#define SO_BROADCAST 6
#endif
#ifndef SO_LINGER
#define SO_LINGER 13
#endif
#ifndef SO_REUSEPORT
#define SO_REUSEPORT 15
#endif
#ifndef SO_RCVTIMEO
#define SO_RCVTIMEO 20
#endif
#ifndef SO_SNDTIMEO
#define SO_SNDTIMEO 21
#endif
#ifndef TCP_NODELAY
#define TCP_NODELAY 1
#endif
#ifndef TCP_KEEPIDLE
#define TCP_KEEPIDLE 4
#endif
#ifndef TCP_KEEPINTVL
#define TCP_KEEPINTVL 5
#endif
#ifndef TCP_QUICKACK
#define TCP_QUICKACK 12
#endif
#ifndef TCP_FASTOPEN_CONNECT
#define TCP_FASTOPEN_CONNECT 30
#endif
#ifndef IP_TTL
#define IP_TTL 2
#endif
#ifndef IP_MULTICAST_TTL
#define IP_MULTICAST_TTL 33
#endif
#ifndef IP_MULTICAST_LOOP
#define IP_MULTICAST_LOOP 34
#endif
#ifndef IP_ADD_MEMBERSHIP
#define IP_ADD_MEMBERSHIP 35
#endif
#ifndef IP_DROP_MEMBERSHIP
#define IP_DROP_MEMBERSHIP 36
#endif
#ifndef IPV6_MULTICAST_LOOP
#define IPV6_MULTICAST_LOOP 19
#endif
#ifndef IPV6_JOIN_GROUP
#define IPV6_JOIN_GROUP 20
#endif
#ifndef IPV6_LEAVE_GROUP
#define IPV6_LEAVE_GROUP 21
#endif
#ifndef IPV6_V6ONLY
#define IPV6_V6ONLY 26
#endif
/* preview1 wasi-libc defines MSG_PEEK 1 and MSG_WAITALL 2 only; these do not collide. */
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0x0040
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0x4000
#endif

#ifndef _WASI_SOCKET_EXT_HAVE_NETDB
struct addrinfo {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    socklen_t ai_addrlen;
    struct sockaddr *ai_addr;
    char *ai_canonname;
    struct addrinfo *ai_next;
};
#define EAI_BADFLAGS -1
#define EAI_NONAME -2
#define EAI_AGAIN -3
#define EAI_FAIL -4
#define EAI_FAMILY -6
#define EAI_SOCKTYPE -7
#define EAI_SERVICE -8
#define EAI_MEMORY -10
#define EAI_SYSTEM -11
#define EAI_OVERFLOW -12
#endif
#ifndef AI_PASSIVE
#define AI_PASSIVE 0x01
#define AI_CANONNAME 0x02
#define AI_NUMERICHOST 0x04
#define AI_V4MAPPED 0x08
#define AI_ALL 0x10
#define AI_ADDRCONFIG 0x20
#define AI_NUMERICSERV 0x400
#endif

/* ---- POSIX functions this library provides (wasi-libc's preview1 headers omit most) ---- */
int socket(int domain, int type, int protocol);
int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);
int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen);
int listen(int sockfd, int backlog);
int accept(int sockfd, struct sockaddr *addr, socklen_t *addrlen);
int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest, socklen_t destlen);
ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src, socklen_t *srclen);
ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags);
ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags);
int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen);
int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen);
int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen);
int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen);
#ifndef _WASI_SOCKET_EXT_HAVE_NETDB
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res);
void freeaddrinfo(struct addrinfo *res);
const char *gai_strerror(int errcode);
#endif

/* ---- The imports (module wasi_snapshot_preview1), exactly WAMR's signatures ---- */
#define __WASI_SOCK_IMPORT(name) __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__(name)))

int32_t __imported_wasi_snapshot_preview1_sock_open(int32_t, int32_t, int32_t, int32_t) __WASI_SOCK_IMPORT("sock_open");
int32_t __imported_wasi_snapshot_preview1_sock_bind(int32_t, int32_t) __WASI_SOCK_IMPORT("sock_bind");
int32_t __imported_wasi_snapshot_preview1_sock_connect(int32_t, int32_t) __WASI_SOCK_IMPORT("sock_connect");
int32_t __imported_wasi_snapshot_preview1_sock_listen(int32_t, int32_t) __WASI_SOCK_IMPORT("sock_listen");
int32_t __imported_wasi_snapshot_preview1_sock_addr_local(int32_t, int32_t) __WASI_SOCK_IMPORT("sock_addr_local");
int32_t __imported_wasi_snapshot_preview1_sock_addr_remote(int32_t, int32_t) __WASI_SOCK_IMPORT("sock_addr_remote");
int32_t __imported_wasi_snapshot_preview1_sock_addr_resolve(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t)
    __WASI_SOCK_IMPORT("sock_addr_resolve");
int32_t __imported_wasi_snapshot_preview1_sock_send_to(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t)
    __WASI_SOCK_IMPORT("sock_send_to");
int32_t __imported_wasi_snapshot_preview1_sock_recv_from(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t)
    __WASI_SOCK_IMPORT("sock_recv_from");
/* Options: bool/u8/u32 setters take (fd, i32); getters (fd, ptr). Timeouts are i64 µs. */
#define __WASI_SOCK_OPT(name)                                                                                   \
    int32_t __imported_wasi_snapshot_preview1_sock_set_##name(int32_t, int32_t) __WASI_SOCK_IMPORT("sock_set_" #name); \
    int32_t __imported_wasi_snapshot_preview1_sock_get_##name(int32_t, int32_t) __WASI_SOCK_IMPORT("sock_get_" #name);
__WASI_SOCK_OPT(broadcast)
__WASI_SOCK_OPT(keep_alive)
__WASI_SOCK_OPT(reuse_addr)
__WASI_SOCK_OPT(reuse_port)
__WASI_SOCK_OPT(recv_buf_size)
__WASI_SOCK_OPT(send_buf_size)
__WASI_SOCK_OPT(tcp_fastopen_connect)
__WASI_SOCK_OPT(tcp_keep_idle)
__WASI_SOCK_OPT(tcp_keep_intvl)
__WASI_SOCK_OPT(tcp_no_delay)
__WASI_SOCK_OPT(tcp_quick_ack)
__WASI_SOCK_OPT(ip_multicast_ttl)
__WASI_SOCK_OPT(ip_ttl)
__WASI_SOCK_OPT(ipv6_only)
#undef __WASI_SOCK_OPT
int32_t __imported_wasi_snapshot_preview1_sock_set_recv_timeout(int32_t, int64_t) __WASI_SOCK_IMPORT("sock_set_recv_timeout");
int32_t __imported_wasi_snapshot_preview1_sock_get_recv_timeout(int32_t, int32_t) __WASI_SOCK_IMPORT("sock_get_recv_timeout");
int32_t __imported_wasi_snapshot_preview1_sock_set_send_timeout(int32_t, int64_t) __WASI_SOCK_IMPORT("sock_set_send_timeout");
int32_t __imported_wasi_snapshot_preview1_sock_get_send_timeout(int32_t, int32_t) __WASI_SOCK_IMPORT("sock_get_send_timeout");
int32_t __imported_wasi_snapshot_preview1_sock_set_linger(int32_t, int32_t, int32_t) __WASI_SOCK_IMPORT("sock_set_linger");
int32_t __imported_wasi_snapshot_preview1_sock_get_linger(int32_t, int32_t, int32_t) __WASI_SOCK_IMPORT("sock_get_linger");
int32_t __imported_wasi_snapshot_preview1_sock_set_ip_multicast_loop(int32_t, int32_t, int32_t)
    __WASI_SOCK_IMPORT("sock_set_ip_multicast_loop");
int32_t __imported_wasi_snapshot_preview1_sock_get_ip_multicast_loop(int32_t, int32_t, int32_t)
    __WASI_SOCK_IMPORT("sock_get_ip_multicast_loop");
int32_t __imported_wasi_snapshot_preview1_sock_set_ip_add_membership(int32_t, int32_t, int32_t)
    __WASI_SOCK_IMPORT("sock_set_ip_add_membership");
int32_t __imported_wasi_snapshot_preview1_sock_set_ip_drop_membership(int32_t, int32_t, int32_t)
    __WASI_SOCK_IMPORT("sock_set_ip_drop_membership");

/* ---- Typed wrappers (WAMR's names); each returns a WASI errno, 0 on success ---- */
#define __WASI_PTR(p) ((int32_t)(intptr_t)(p))

static inline __wasi_errno_t __wasi_sock_open(__wasi_fd_t poolfd, __wasi_address_family_t af,
                                              __wasi_sock_type_t socktype, __wasi_fd_t *sockfd) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_open((int32_t)poolfd, (int32_t)af, (int32_t)socktype,
                                                                       __WASI_PTR(sockfd));
}
static inline __wasi_errno_t __wasi_sock_bind(__wasi_fd_t fd, __wasi_addr_t *addr) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_bind((int32_t)fd, __WASI_PTR(addr));
}
static inline __wasi_errno_t __wasi_sock_connect(__wasi_fd_t fd, __wasi_addr_t *addr) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_connect((int32_t)fd, __WASI_PTR(addr));
}
static inline __wasi_errno_t __wasi_sock_listen(__wasi_fd_t fd, __wasi_size_t backlog) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_listen((int32_t)fd, (int32_t)backlog);
}
static inline __wasi_errno_t __wasi_sock_addr_local(__wasi_fd_t fd, __wasi_addr_t *addr) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_addr_local((int32_t)fd, __WASI_PTR(addr));
}
static inline __wasi_errno_t __wasi_sock_addr_remote(__wasi_fd_t fd, __wasi_addr_t *addr) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_addr_remote((int32_t)fd, __WASI_PTR(addr));
}
static inline __wasi_errno_t __wasi_sock_addr_resolve(const char *host, const char *service,
                                                      __wasi_addr_info_hints_t *hints, __wasi_addr_info_t *addr_info,
                                                      __wasi_size_t addr_info_size,
                                                      __wasi_size_t *max_info_size) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_addr_resolve(
        __WASI_PTR(host), __WASI_PTR(service), __WASI_PTR(hints), __WASI_PTR(addr_info), (int32_t)addr_info_size,
        __WASI_PTR(max_info_size));
}
static inline __wasi_errno_t __wasi_sock_send_to(__wasi_fd_t fd, const __wasi_ciovec_t *si_data, uint32_t si_data_len,
                                                 __wasi_siflags_t si_flags, const __wasi_addr_t *dest_addr,
                                                 uint32_t *so_data_len) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_send_to(
        (int32_t)fd, __WASI_PTR(si_data), (int32_t)si_data_len, (int32_t)si_flags, __WASI_PTR(dest_addr),
        __WASI_PTR(so_data_len));
}
static inline __wasi_errno_t __wasi_sock_recv_from(__wasi_fd_t fd, __wasi_ciovec_t *ri_data, uint32_t ri_data_len,
                                                   __wasi_riflags_t ri_flags, __wasi_addr_t *src_addr,
                                                   uint32_t *ro_data_len) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_recv_from(
        (int32_t)fd, __WASI_PTR(ri_data), (int32_t)ri_data_len, (int32_t)ri_flags, __WASI_PTR(src_addr),
        __WASI_PTR(ro_data_len));
}

#define __WASI_SOCK_BOOL(name)                                                                            \
    static inline __wasi_errno_t __wasi_sock_set_##name(__wasi_fd_t fd, bool on) {                         \
        return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_##name((int32_t)fd, (int32_t)on); \
    }                                                                                                     \
    static inline __wasi_errno_t __wasi_sock_get_##name(__wasi_fd_t fd, bool *on) {                       \
        return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_##name((int32_t)fd, __WASI_PTR(on)); \
    }
__WASI_SOCK_BOOL(broadcast)
__WASI_SOCK_BOOL(keep_alive)
__WASI_SOCK_BOOL(reuse_addr)
__WASI_SOCK_BOOL(reuse_port)
__WASI_SOCK_BOOL(tcp_fastopen_connect)
__WASI_SOCK_BOOL(tcp_no_delay)
__WASI_SOCK_BOOL(tcp_quick_ack)
__WASI_SOCK_BOOL(ipv6_only)
#undef __WASI_SOCK_BOOL

#define __WASI_SOCK_VALUE(name, type)                                                                       \
    static inline __wasi_errno_t __wasi_sock_set_##name(__wasi_fd_t fd, type v) {                            \
        return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_##name((int32_t)fd, (int32_t)v);    \
    }                                                                                                       \
    static inline __wasi_errno_t __wasi_sock_get_##name(__wasi_fd_t fd, type *v) {                           \
        return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_##name((int32_t)fd, __WASI_PTR(v)); \
    }
/* WAMR's host writes 8 bytes for buffer sizes (size_t on 64-bit hosts); wasock writes 4.
 * The library passes an 8-byte slot; direct callers should do the same. */
__WASI_SOCK_VALUE(recv_buf_size, size_t)
__WASI_SOCK_VALUE(send_buf_size, size_t)
__WASI_SOCK_VALUE(tcp_keep_idle, uint32_t)
__WASI_SOCK_VALUE(tcp_keep_intvl, uint32_t)
__WASI_SOCK_VALUE(ip_ttl, uint8_t)
__WASI_SOCK_VALUE(ip_multicast_ttl, uint8_t)
#undef __WASI_SOCK_VALUE

static inline __wasi_errno_t __wasi_sock_set_recv_timeout(__wasi_fd_t fd, uint64_t timeout_us) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_recv_timeout((int32_t)fd, (int64_t)timeout_us);
}
static inline __wasi_errno_t __wasi_sock_get_recv_timeout(__wasi_fd_t fd, uint64_t *timeout_us) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_recv_timeout((int32_t)fd, __WASI_PTR(timeout_us));
}
static inline __wasi_errno_t __wasi_sock_set_send_timeout(__wasi_fd_t fd, uint64_t timeout_us) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_send_timeout((int32_t)fd, (int64_t)timeout_us);
}
static inline __wasi_errno_t __wasi_sock_get_send_timeout(__wasi_fd_t fd, uint64_t *timeout_us) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_send_timeout((int32_t)fd, __WASI_PTR(timeout_us));
}
static inline __wasi_errno_t __wasi_sock_set_linger(__wasi_fd_t fd, bool on, int linger_s) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_linger((int32_t)fd, (int32_t)on, (int32_t)linger_s);
}
static inline __wasi_errno_t __wasi_sock_get_linger(__wasi_fd_t fd, bool *on, int *linger_s) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_linger((int32_t)fd, __WASI_PTR(on),
                                                                            __WASI_PTR(linger_s));
}
static inline __wasi_errno_t __wasi_sock_set_ip_multicast_loop(__wasi_fd_t fd, bool ipv6, bool on) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_ip_multicast_loop((int32_t)fd, (int32_t)ipv6,
                                                                                       (int32_t)on);
}
static inline __wasi_errno_t __wasi_sock_get_ip_multicast_loop(__wasi_fd_t fd, bool ipv6, bool *on) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_ip_multicast_loop((int32_t)fd, (int32_t)ipv6,
                                                                                       __WASI_PTR(on));
}
static inline __wasi_errno_t __wasi_sock_set_ip_add_membership(__wasi_fd_t fd, __wasi_addr_ip_t *group,
                                                               uint32_t imr_interface) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_ip_add_membership(
        (int32_t)fd, __WASI_PTR(group), (int32_t)imr_interface);
}
static inline __wasi_errno_t __wasi_sock_set_ip_drop_membership(__wasi_fd_t fd, __wasi_addr_ip_t *group,
                                                                uint32_t imr_interface) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_ip_drop_membership(
        (int32_t)fd, __WASI_PTR(group), (int32_t)imr_interface);
}

#endif /* __wasi__ */

#ifdef __cplusplus
}
#endif

#endif /* _WASI_SOCKET_EXT_H */
