/* Inbound screening and readiness (issue 17 items 1, 2, 6): a guest driven by
 * crates/wasock-cli/tests/net_policy.rs. Every address is a loopback one. Modes (argv[1]):
 *
 *   poll-accept PAD  a *blocking* TCP listener on 127.0.0.1:0 (`listening on ADDR`), polled with
 *                    stdin and PAD never-ready UDP sockets (PAD >= 16 takes the epoll path): a
 *                    ready listener is accepted (`peer ADDR`, one byte echoed), a stdin line is
 *                    printed (`stdin LINE`); stdin's EOF ends the run. A refused peer must never
 *                    wake the guest into an accept() that then blocks.
 *   poll-recv PAD    the same with a blocking UDP socket: `recvfrom DATA ADDR`.
 *   reset PORT       connects to 127.0.0.1:PORT, says `connected`, polls until the test resets
 *                    the connection: poll must say readable (with hang-up), no error, and the
 *                    next recv() ECONNRESET.
 *   udp-refused PORT a UDP socket connected to 127.0.0.1:PORT (closed) sends a datagram: poll
 *                    must say readable, no error, and recv() ECONNREFUSED.
 *   dual             a TCP listener on [::]:0 (`listening on 127.0.0.1:P`, the same port) that
 *                    serves one client. */
#include "net.h"

enum { MAXPAD = 32 };

static int poll_loop(int udp, int pad) {
    int s;
    struct sockaddr_in a = loopback(0);
    if (udp) {
        s = socket(AF_INET, SOCK_DGRAM, 0);
        CHECK(s >= 0);
        CHECK(bind(s, SA(a), sizeof a) == 0);
    } else {
        s = socket(AF_INET, SOCK_STREAM, 0);
        CHECK(s >= 0);
        CHECK(bind(s, SA(a), sizeof a) == 0);
        CHECK(listen(s, 16) == 0);
    }
    socklen_t len = sizeof a;
    CHECK(getsockname(s, SA(a), &len) == 0);
    CHECK(pad >= 0 && pad <= MAXPAD);
    struct pollfd fds[2 + MAXPAD];
    fds[0] = (struct pollfd){.fd = s, .events = POLLIN};
    fds[1] = (struct pollfd){.fd = 0, .events = POLLIN};
    for (int i = 0; i < pad; i++) {
        fds[2 + i] = (struct pollfd){.fd = socket(AF_INET, SOCK_DGRAM, 0), .events = POLLIN};
        CHECK(fds[2 + i].fd >= 0);
    }
    int n = 2 + pad;
    /* The same set twice: a kept epoll set registers it (the first call polls). */
    CHECK(poll(fds, n, 0) == 0);
    CHECK(poll(fds, n, 0) == 0);
    printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        CHECK(poll(fds, n, -1) > 0);
        if (fds[0].revents) {
            CHECK(fds[0].revents & POLLIN);
            struct sockaddr_storage peer;
            socklen_t plen = sizeof peer;
            if (udp) {
                char buf[64];
                ssize_t got = recvfrom(s, buf, sizeof buf, 0, SA(peer), &plen);
                CHECK(got >= 0 && got < 64);
                printf("recvfrom %.*s %s\n", (int)got, buf, show_addr(&peer));
            } else {
                int c = accept(s, SA(peer), &plen);
                CHECK(c >= 0);
                printf("peer %s\n", show_addr(&peer));
                char b;
                CHECK(read(c, &b, 1) == 1);
                CHECK(write(c, &b, 1) == 1);
                close(c);
            }
            fflush(stdout);
        }
        if (fds[1].revents) {
            char line[128];
            ssize_t got = read(0, line, sizeof line - 1);
            CHECK(got >= 0);
            if (got == 0)
                break;
            while (got > 0 && line[got - 1] == '\n')
                got--;
            printf("stdin %.*s\n", (int)got, line);
            fflush(stdout);
        }
        for (int i = 2; i < n; i++)
            CHECK(fds[i].revents == 0);
    }
    OK("screen");
    return 0;
}

/* Polls `fd` for reading until something is reported; prints and returns its revents. */
static short poll_in(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    CHECK(poll(&p, 1, 30000) == 1);
    printf("revents in=%d hup=%d err=%d\n", !!(p.revents & POLLIN), !!(p.revents & POLLHUP),
           !!(p.revents & POLLERR));
    fflush(stdout);
    return p.revents;
}

static int reset_mode(int port) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(c >= 0);
    struct sockaddr_in a = loopback(port);
    CHECK(connect(c, SA(a), sizeof a) == 0);
    printf("connected\n");
    fflush(stdout);
    poll_in(c);
    char b;
    CHECK_ERR(recv(c, &b, 1, 0), ECONNRESET);
    OK("reset");
    return 0;
}

static int udp_refused(int port) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(s >= 0);
    struct sockaddr_in a = loopback(port);
    CHECK(connect(s, SA(a), sizeof a) == 0);
    CHECK(send(s, "x", 1, 0) == 1);
    poll_in(s);
    char b;
    CHECK_ERR(recv(s, &b, 1, 0), ECONNREFUSED);
    OK("udp-refused");
    return 0;
}

static int dual(void) {
    int ls = socket(AF_INET6, SOCK_STREAM, 0);
    CHECK(ls >= 0);
    struct sockaddr_in6 a = v6("::", 0);
    CHECK(bind(ls, SA(a), sizeof a) == 0);
    CHECK(listen(ls, 16) == 0);
    socklen_t len = sizeof a;
    CHECK(getsockname(ls, SA(a), &len) == 0);
    printf("listening on 127.0.0.1:%d\n", ntohs(a.sin6_port));
    fflush(stdout);
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    int c = accept(ls, SA(peer), &plen);
    CHECK(c >= 0);
    printf("peer %s\n", show_addr(&peer));
    fflush(stdout);
    char b;
    CHECK(read(c, &b, 1) == 1);
    CHECK(write(c, &b, 1) == 1);
    close(c);
    OK("dual");
    return 0;
}

int main(int argc, char **argv) {
    CHECK(argc >= 2);
    const char *mode = argv[1];
    int arg = argc > 2 ? atoi(argv[2]) : 0;
    if (!strcmp(mode, "poll-accept"))
        return poll_loop(0, arg);
    if (!strcmp(mode, "poll-recv"))
        return poll_loop(1, arg);
    if (!strcmp(mode, "reset"))
        return reset_mode(arg);
    if (!strcmp(mode, "udp-refused"))
        return udp_refused(arg);
    if (!strcmp(mode, "dual"))
        return dual();
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
