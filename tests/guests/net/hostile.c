/* A hostile guest against the socket imports: bad pointers are EFAULT, bad fds EBADF, socket
 * calls on non-sockets ENOTCAPABLE/ENOTSOCK, unknown address kinds EPROTONOSUPPORT. */
#include "net.h"

#define BAD ((void *)0xFFFFFFF0u)
#define EQ(call, want)                                                                              \
    do {                                                                                            \
        int _e = (int)(call);                                                                       \
        if (_e != (want)) {                                                                         \
            fprintf(stderr, "FAIL: %s:%d: %s = %d, want %d\n", __FILE__, __LINE__, #call, _e, want); \
            exit(1);                                                                                \
        }                                                                                           \
    } while (0)

int main(void) {
    __wasi_fd_t fd;
    EQ(__wasi_sock_open((__wasi_fd_t)-1, INET4, SOCKET_STREAM, &fd), 0);
    EQ(__wasi_sock_open((__wasi_fd_t)-1, INET4, SOCKET_STREAM, BAD), __WASI_ERRNO_FAULT);
    EQ(__wasi_sock_bind(fd, BAD), __WASI_ERRNO_FAULT);
    EQ(__wasi_sock_connect(fd, BAD), __WASI_ERRNO_FAULT);
    EQ(__wasi_sock_addr_local(fd, BAD), __WASI_ERRNO_FAULT);
    EQ(__wasi_sock_accept(fd, 0, BAD), __WASI_ERRNO_FAULT);
    bool on;
    (void)on;
    EQ(__wasi_sock_get_reuse_addr(fd, BAD), __WASI_ERRNO_FAULT);
    EQ(__wasi_sock_get_recv_timeout(fd, BAD), __WASI_ERRNO_FAULT);
    __wasi_size_t total;
    __wasi_addr_info_hints_t hints = {SOCKET_STREAM, INET4, 1};
    __wasi_addr_info_t info[2];
    EQ(__wasi_sock_addr_resolve(BAD, "", &hints, info, 2, &total), __WASI_ERRNO_FAULT);
    EQ(__wasi_sock_addr_resolve("127.0.0.1", "", &hints, BAD, 2, &total), __WASI_ERRNO_FAULT);
    EQ(__wasi_sock_addr_resolve("127.0.0.1", "", &hints, info, 0x20000000u, &total), __WASI_ERRNO_FAULT);
    __wasi_ciovec_t iov = {BAD, 64};
    uint32_t n32;
    __wasi_addr_t dest;
    memset(&dest, 0, sizeof dest);
    EQ(__wasi_sock_send_to(fd, &iov, 1, 0, &dest, &n32), __WASI_ERRNO_FAULT);
    OK("efault");

    EQ(__wasi_sock_addr_resolve("127.0.0.1", "80", &hints, info, 0, &total), 0); /* n = 0: count only */
    EQ(total, 1);
    OK("count_only");

    __wasi_addr_t a;
    memset(&a, 0, sizeof a);
    a.kind = 7;
    EQ(__wasi_sock_connect(fd, &a), __WASI_ERRNO_PROTONOSUPPORT);
    OK("bad_kind");

    a.kind = IPv4;
    a.addr.ip4.addr = (__wasi_addr_ip4_t){127, 0, 0, 1};
    EQ(__wasi_sock_bind(99, &a), __WASI_ERRNO_BADF);
    EQ(__wasi_sock_listen(99, 1), __WASI_ERRNO_BADF);
    EQ(__wasi_sock_set_reuse_addr(99, 1), __WASI_ERRNO_BADF);
    EQ(__wasi_sock_shutdown(99, __WASI_SDFLAGS_WR), __WASI_ERRNO_BADF);
    OK("ebadf");

    EQ(__wasi_sock_bind(1, &a), __WASI_ERRNO_NOTCAPABLE);
    EQ(__wasi_sock_connect(1, &a), __WASI_ERRNO_NOTCAPABLE);
    EQ(__wasi_sock_listen(1, 1), __WASI_ERRNO_NOTCAPABLE);
    __wasi_fd_t nfd;
    EQ(__wasi_sock_accept(1, 0, &nfd), __WASI_ERRNO_NOTCAPABLE);
    EQ(__wasi_sock_addr_local(1, &a), __WASI_ERRNO_NOTCAPABLE);
    EQ(__wasi_sock_set_reuse_addr(1, 1), __WASI_ERRNO_NOTSOCK);
    EQ(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);
    OK("not_a_socket");
    return 0;
}
