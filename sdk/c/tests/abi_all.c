/* Link-time ABI probe: references every import wrapper of wasi_socket_ext.h (all 52 socket
 * imports) and every POSIX function of the library, so that check_imports.py can verify the
 * header's import declarations against the signature table of docs/socket-abi.md. Never meant
 * to be run with arguments; without any it only prints the layout facts it was compiled with. */
#include <stdio.h>
#include <sys/socket.h>
#include <netinet/in.h>
#ifdef __wasi__
#include <wasi_socket_ext.h>
#endif
#include <netdb.h>

static void every_wrapper(void)
{
    __wasi_fd_t fd = 0;
    __wasi_addr_t a = {0};
    __wasi_addr_ip_t g = {0};
    __wasi_addr_info_hints_t h = {SOCKET_ANY, INET_UNSPEC, 0};
    __wasi_addr_info_t info[1];
    __wasi_size_t n = 0;
    __wasi_ciovec_t iov = {0, 0};
    uint32_t n32 = 0;
    bool b = false;
    int secs = 0;
    uint64_t us = 0, big = 0;
    uint32_t u32 = 0;
    uint8_t u8 = 0;
    volatile int r = 0;

    r += __wasi_sock_open(fd, INET4, SOCKET_STREAM, &fd);
    r += __wasi_sock_bind(fd, &a);
    r += __wasi_sock_connect(fd, &a);
    r += __wasi_sock_listen(fd, 1);
    r += __wasi_sock_accept(fd, 0, &fd);
    r += __wasi_sock_addr_local(fd, &a);
    r += __wasi_sock_addr_remote(fd, &a);
    r += __wasi_sock_addr_resolve("h", "", &h, info, 1, &n);
    r += __wasi_sock_send_to(fd, &iov, 1, 0, &a, &n32);
    r += __wasi_sock_recv_from(fd, &iov, 1, 0, &a, &n32);
    r += __wasi_sock_close(fd);
    r += __wasi_sock_recv(fd, (const __wasi_iovec_t *)(const void *)&iov, 1, 0, &n, &(__wasi_roflags_t){0});
    r += __wasi_sock_send(fd, &iov, 1, 0, &n);
    r += __wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR);

    r += __wasi_sock_set_broadcast(fd, true) + __wasi_sock_get_broadcast(fd, &b);
    r += __wasi_sock_set_keep_alive(fd, true) + __wasi_sock_get_keep_alive(fd, &b);
    r += __wasi_sock_set_reuse_addr(fd, true) + __wasi_sock_get_reuse_addr(fd, &b);
    r += __wasi_sock_set_reuse_port(fd, true) + __wasi_sock_get_reuse_port(fd, &b);
    r += __wasi_sock_set_recv_buf_size(fd, 1) + __wasi_sock_get_recv_buf_size(fd, (__wasi_size_t *)&big);
    r += __wasi_sock_set_send_buf_size(fd, 1) + __wasi_sock_get_send_buf_size(fd, (__wasi_size_t *)&big);
    r += __wasi_sock_set_recv_timeout(fd, 1) + __wasi_sock_get_recv_timeout(fd, &us);
    r += __wasi_sock_set_send_timeout(fd, 1) + __wasi_sock_get_send_timeout(fd, &us);
    r += __wasi_sock_set_linger(fd, true, 1) + __wasi_sock_get_linger(fd, &b, &secs);
    r += __wasi_sock_set_tcp_fastopen_connect(fd, true) + __wasi_sock_get_tcp_fastopen_connect(fd, &b);
    r += __wasi_sock_set_tcp_keep_idle(fd, 1) + __wasi_sock_get_tcp_keep_idle(fd, &u32);
    r += __wasi_sock_set_tcp_keep_intvl(fd, 1) + __wasi_sock_get_tcp_keep_intvl(fd, &u32);
    r += __wasi_sock_set_tcp_no_delay(fd, true) + __wasi_sock_get_tcp_no_delay(fd, &b);
    r += __wasi_sock_set_tcp_quick_ack(fd, true) + __wasi_sock_get_tcp_quick_ack(fd, &b);
    r += __wasi_sock_set_ip_multicast_loop(fd, false, true) + __wasi_sock_get_ip_multicast_loop(fd, false, &b);
    r += __wasi_sock_set_ip_multicast_ttl(fd, 1) + __wasi_sock_get_ip_multicast_ttl(fd, &u8);
    r += __wasi_sock_set_ip_ttl(fd, 1) + __wasi_sock_get_ip_ttl(fd, &u8);
    r += __wasi_sock_set_ipv6_only(fd, true) + __wasi_sock_get_ipv6_only(fd, &b);
    r += __wasi_sock_set_ip_add_membership(fd, &g, 0) + __wasi_sock_set_ip_drop_membership(fd, &g, 0);
    (void)r;
}

static void every_function(void)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    struct msghdr m = {0};
    struct addrinfo *res = NULL;
    char buf[8], host[64], serv[8];
    int v = 0;
    socklen_t vl = sizeof v;
    volatile long r = 0;

    r += socket(AF_INET, SOCK_STREAM, 0);
    r += bind(0, (struct sockaddr *)&ss, len);
    r += connect(0, (struct sockaddr *)&ss, len);
    r += listen(0, 1);
    r += accept(0, (struct sockaddr *)&ss, &len);
    r += accept4(0, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK);
    r += send(0, buf, sizeof buf, MSG_NOSIGNAL);
    r += recv(0, buf, sizeof buf, MSG_PEEK);
    r += sendto(0, buf, sizeof buf, 0, (struct sockaddr *)&ss, len);
    r += recvfrom(0, buf, sizeof buf, 0, (struct sockaddr *)&ss, &len);
    r += sendmsg(0, &m, 0);
    r += recvmsg(0, &m, 0);
    r += shutdown(0, SHUT_RDWR);
    r += getsockname(0, (struct sockaddr *)&ss, &len);
    r += getpeername(0, (struct sockaddr *)&ss, &len);
    r += getsockopt(0, SOL_SOCKET, SO_ERROR, &v, &vl);
    r += setsockopt(0, SOL_SOCKET, SO_REUSEADDR, &v, vl);
    r += getaddrinfo("localhost", "80", NULL, &res);
    freeaddrinfo(res);
    r += (long)gai_strerror(EAI_NONAME);
    r += getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST);
    r += (long)gethostbyname("localhost");
    (void)r;
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1000) {
        every_wrapper();
        every_function();
    }
    printf("sizeof(__wasi_addr_t)=%zu sizeof(__wasi_addr_info_t)=%zu sizeof(struct addrinfo)=%zu\n",
           sizeof(__wasi_addr_t), sizeof(__wasi_addr_info_t), sizeof(struct addrinfo));
    return 0;
}
