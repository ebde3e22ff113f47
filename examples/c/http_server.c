/* A small HTTP/1.1 server (poll()-based, keep-alive) that curl and a browser can talk to.
 *   GET /       -> an HTML page        GET /hello -> "hello\n"        anything else -> 404
 * Responses carry Content-Length; connections stay open (HTTP/1.1 default, or HTTP/1.0 with
 * "Connection: keep-alive") unless the client sends "Connection: close".
 * wasock --addr-pool=127.0.0.1/32 http_server.wasm [ADDR] [--count=N]   (exits after N requests) */
#include "common.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <strings.h>
#include <unistd.h>

#define MAX_CONNS 512
#define BUF 8192

struct conn {
    int fd, len;
    char buf[BUF];
};

static const char PAGE[] = "<!doctype html><html><head><title>wasock</title></head>"
                           "<body><h1>Hello from WebAssembly</h1><p>Served by a C program under wasock.</p></body></html>\n";

/* Does the request head (up to its blank line) contain header NAME with a value containing
 * TOKEN? Both compared case-insensitively. */
static int header_has(const char *head, const char *name, const char *token) {
    size_t nlen = strlen(name), tlen = strlen(token);
    for (const char *line = strstr(head, "\r\n"); line && line[2] != '\r'; line = strstr(line + 2, "\r\n")) {
        const char *p = line + 2;
        if (strncasecmp(p, name, nlen) != 0 || p[nlen] != ':')
            continue;
        for (p += nlen + 1; *p && *p != '\r'; p++)
            if (strncasecmp(p, token, tlen) == 0)
                return 1;
    }
    return 0;
}

static int send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Answers the request whose head starts at `req`; returns 1 to keep the connection open. */
static int respond(int fd, const char *req) {
    const char *status = "200 OK", *type = "text/html", *body = PAGE;
    if (strncmp(req, "GET /hello ", 11) == 0)
        type = "text/plain", body = "hello\n";
    else if (strncmp(req, "GET / ", 6) != 0)
        status = "404 Not Found", type = "text/plain", body = "not found\n";
    const char *eol = strstr(req, "\r\n");
    int http10 = eol && eol - req >= 8 && strncmp(eol - 8, "HTTP/1.0", 8) == 0;
    int keep = http10 ? header_has(req, "Connection", "keep-alive") : !header_has(req, "Connection", "close");
    char out[BUF];
    int n = snprintf(out, sizeof out, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n%s", status,
                     type, strlen(body), keep ? (http10 ? "Connection: keep-alive\r\n" : "") : "Connection: close\r\n",
                     body);
    if (send_all(fd, out, (size_t)n) != 0)
        return 0;
    return keep;
}

int main(int argc, char **argv) {
    const char *addr = argc > 1 && argv[1][0] != '-' ? argv[1] : "127.0.0.1:8080";
    long count = count_arg(argc, argv), served = 0;
    struct sockaddr_storage probe;
    int ls = socket(parse_addr(addr, &probe) && probe.ss_family == AF_INET6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (ls < 0 || bind_and_announce(ls, addr, 1) != 0)
        return 1;
    fcntl(ls, F_SETFL, fcntl(ls, F_GETFL) | O_NONBLOCK);
    static struct conn conns[MAX_CONNS];
    static struct pollfd fds[MAX_CONNS + 1];
    int n = 0;
    while (count < 0 || served < count) {
        fds[0] = (struct pollfd){ls, POLLIN, 0};
        for (int i = 0; i < n; i++)
            fds[i + 1] = (struct pollfd){conns[i].fd, POLLIN, 0};
        if (poll(fds, (nfds_t)n + 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("poll");
            return 1;
        }
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
        /* Newest first, so that moving the last entry into a freed slot skips nothing. */
        for (int i = n - 1; i >= 0; i--) {
            if (!(fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            struct conn *c = &conns[i];
            ssize_t r = recv(c->fd, c->buf + c->len, (size_t)(BUF - 1 - c->len), 0);
            int keep = r > 0;
            if (keep) {
                c->len += (int)r;
                c->buf[c->len] = 0;
                char *end;
                while (keep && (end = strstr(c->buf, "\r\n\r\n")) != NULL) {
                    keep = respond(c->fd, c->buf);
                    served++;
                    int used = (int)(end - c->buf) + 4;
                    memmove(c->buf, c->buf + used, (size_t)(c->len - used + 1));
                    c->len -= used;
                }
                if (c->len == BUF - 1)
                    keep = 0; /* request head too large */
            }
            if (!keep) {
                close(c->fd);
                conns[i] = conns[--n];
            }
        }
    }
    close(ls);
    return 0;
}
