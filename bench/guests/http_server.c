#define _GNU_SOURCE /* memmem */
/* poll()-based HTTP/1.1 keep-alive server for benchmarks (same source natively and as wasm).
 * usage: http_server PORT WORK   — WORK = integer operations per request (simulated handler).
 * Prints "listening on 127.0.0.1:PORT". Answers every request with a small fixed body. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi_socket_ext.h>
#endif

#define MAXC 16384
#define BUFSZ 4096

struct conn {
    int fd;
    int len;
    char buf[BUFSZ];
};

static struct pollfd pfds[MAXC + 1];
static struct conn *conns[MAXC + 1];
static volatile unsigned sink;

static unsigned work(long n, unsigned seed) {
    unsigned x = seed | 1;
    for (long i = 0; i < n; i++)
        x = x * 1103515245u + 12345u + (x >> 7);
    return x;
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 0;
    long wrk = argc > 2 ? atol(argv[2]) : 0;
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096)) {
        perror("http_server: listen");
        return 1;
    }
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &al);
    set_nonblock(ls);
    printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n";
    int n = 1;
    pfds[0].fd = ls;
    pfds[0].events = POLLIN;
    for (;;) {
        if (poll(pfds, n, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("poll");
            return 1;
        }
        if (pfds[0].revents & POLLIN) {
            for (;;) {
                int c = accept(ls, NULL, NULL);
                if (c < 0)
                    break;
                if (n > MAXC) {
                    close(c);
                    continue;
                }
                set_nonblock(c);
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                conns[n] = calloc(1, sizeof(struct conn));
                conns[n]->fd = c;
                pfds[n].fd = c;
                pfds[n].events = POLLIN;
                pfds[n].revents = 0;
                n++;
            }
        }
        for (int i = 1; i < n; i++) {
            if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            struct conn *c = conns[i];
            ssize_t r = recv(c->fd, c->buf + c->len, BUFSZ - c->len, 0);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN)
                    continue;
                close(c->fd);
                free(c);
                n--;
                pfds[i] = pfds[n];
                conns[i] = conns[n];
                i--;
                continue;
            }
            c->len += r;
            char *end;
            while ((end = memmem(c->buf, c->len, "\r\n\r\n", 4))) {
                int used = (int)(end - c->buf) + 4;
                sink += work(wrk, (unsigned)used);
                send(c->fd, resp, sizeof resp - 1, 0);
                memmove(c->buf, c->buf + used, c->len - used);
                c->len -= used;
            }
            if (c->len == BUFSZ)
                c->len = 0; /* oversized request: drop it */
        }
    }
}
