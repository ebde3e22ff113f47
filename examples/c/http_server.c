/* A small HTTP/1.1 server (keep-alive, poll()-based) that curl and a browser can talk to.
 *   GET /       -> an HTML page        GET /hello -> "hello\n"        anything else -> 404
 * wasock --addr-pool=127.0.0.1/32 http_server.wasm [ADDR] [--count=N]   (exits after N requests) */
#include "common.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#define MAX_CONNS 512
#define BUF 8192

struct conn {
    int fd, len;
    char buf[BUF];
};

static const char PAGE[] = "<!doctype html><html><head><title>wasock</title></head>"
                           "<body><h1>Hello from WebAssembly</h1><p>Served by a C program under wasock.</p></body></html>\n";

static void respond(int fd, const char *req) {
    char head[256];
    const char *status = "200 OK", *type = "text/html", *body = PAGE;
    if (strncmp(req, "GET /hello ", 11) == 0)
        type = "text/plain", body = "hello\n";
    else if (strncmp(req, "GET / ", 6) != 0)
        status = "404 Not Found", type = "text/plain", body = "not found\n";
    int hl = snprintf(head, sizeof head, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n", status, type,
                      strlen(body));
    send(fd, head, (size_t)hl, 0);
    send(fd, body, strlen(body), 0);
}

int main(int argc, char **argv) {
    const char *addr = argc > 1 && argv[1][0] != '-' ? argv[1] : "127.0.0.1:8080";
    long count = count_arg(argc, argv), served = 0;
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0 || bind_and_announce(ls, addr, 1) != 0)
        return 1;
    fcntl(ls, F_SETFL, fcntl(ls, F_GETFL) | O_NONBLOCK);
    static struct conn conns[MAX_CONNS];
    struct pollfd fds[MAX_CONNS + 1];
    int n = 0;
    while (count < 0 || served < count) {
        fds[0] = (struct pollfd){ls, POLLIN, 0};
        for (int i = 0; i < n; i++)
            fds[i + 1] = (struct pollfd){conns[i].fd, POLLIN, 0};
        if (poll(fds, (nfds_t)n + 1, -1) < 0 && errno != EINTR)
            return 1;
        if (fds[0].revents & POLLIN) {
            int c;
            while ((c = accept(ls, NULL, NULL)) >= 0) {
                if (n == MAX_CONNS) {
                    close(c);
                    continue;
                }
                conns[n].fd = c;
                conns[n++].len = 0;
            }
        }
        for (int i = n - 1; i >= 0; i--) {
            if (!(fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            struct conn *c = &conns[i];
            ssize_t r = recv(c->fd, c->buf + c->len, (size_t)(BUF - 1 - c->len), 0);
            if (r <= 0) {
                close(c->fd);
                conns[i] = conns[--n];
                continue;
            }
            c->len += (int)r;
            c->buf[c->len] = 0;
            char *end;
            while ((end = strstr(c->buf, "\r\n\r\n")) != NULL) {
                respond(c->fd, c->buf);
                served++;
                int used = (int)(end - c->buf) + 4;
                memmove(c->buf, c->buf + used, (size_t)(c->len - used + 1));
                c->len -= used;
            }
            if (c->len == BUF - 1)
                c->len = 0; /* request head too large: drop it */
        }
    }
    close(ls);
    return 0;
}
