/* Network rules (--net, --net-policy, --max-sockets, --hosts-file): a guest driven by
 * crates/wasock-cli/tests/net_policy.rs. Every address is a loopback one (127.0.0.1-3, ::1), so
 * nothing could leave the machine even if a check were missing. Modes (argv[1]):
 *
 *   accept N        TCP server on 127.0.0.1:0: prints `listening on ADDR`, then for each of N
 *                   accepted connections `peer ADDR` (as accept() reported it), reads one byte
 *                   and echoes it. Refused peers must never show up here.
 *   accept-mapped N the same through a dual-stack IPv6 listener on ::ffff:127.0.0.1: peers
 *                   arrive IPv4-mapped (`peer [::ffff:127.0.0.1]:P`), and IPv4 rules judge them.
 *   accept-quota    (--max-sockets=2) listener + one accepted connection fill the quota: the next
 *                   accept() fails EMFILE (`accept EMFILE`, the host resets that client); after
 *                   closing the first connection, the next client is served again.
 *   recv            UDP socket on 127.0.0.1:0 (`listening on ADDR`); the test sends a refused
 *                   datagram before each allowed one. Prints `recvfrom DATA ADDR`, then
 *                   `recv DATA`, then `read DATA`: each must be an allowed datagram.
 *   outbound TP UP  (allow connect tcp 127.0.0.1:TP, allow send udp 127.0.0.1:UP) the role and
 *                   protocol of a rule both have to match
 *   deny TP         (allow connect any 127.0.0.0/8, deny connect tcp 127.0.0.3) deny wins, for
 *                   TCP only, IPv4-mapped IPv6 included
 *   pin TP          (allow connect tcp *.test, --hosts-file with api.test -> 127.0.0.1) grants
 *                   by name: reads a line from stdin between the steps, while the test rewrites
 *                   the hosts file (api.test -> 127.0.0.2)
 *   quota           (--max-sockets=3) the fourth socket() is EMFILE, a closed one frees a slot
 *   noop            does nothing (for start-up checks) */
#include "net.h"
#include <netdb.h>

/* Prints one line: WORD, then ARG if not NULL. */
static void say(const char *word, const char *arg) {
    printf("%s%s%s\n", word, arg ? " " : "", arg ? arg : "");
    fflush(stdout);
}

/* A TCP listener on 127.0.0.1:0 that prints `listening on ADDR`. */
static int announce_listener(void) {
    int port;
    int ls = listener(&port);
    printf("listening on 127.0.0.1:%d\n", port);
    fflush(stdout);
    return ls;
}

/* Accepts one connection (blocking), prints `peer ADDR`, echoes one byte; returns the fd. */
static int serve_one(int ls) {
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    int c = accept(ls, SA(peer), &len);
    CHECK(c >= 0);
    say("peer", show_addr(&peer));
    char b;
    ssize_t n = read(c, &b, 1);
    CHECK(n == 1);
    CHECK(write(c, &b, 1) == 1);
    return c;
}

static int accept_mode(int n) {
    int ls = announce_listener();
    for (int i = 0; i < n; i++)
        close(serve_one(ls));
    OK("accepted");
    return 0;
}

/* The same through a dual-stack AF_INET6 listener bound to ::ffff:127.0.0.1: IPv4 peers arrive
 * as IPv4-mapped addresses, which IPv4 rules must match. */
static int accept_mapped(int n) {
    int ls = socket(AF_INET6, SOCK_STREAM, 0);
    CHECK(ls >= 0);
    int off = 0;
    CHECK(setsockopt(ls, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == 0);
    struct sockaddr_in6 a = v6("::ffff:127.0.0.1", 0);
    CHECK(bind(ls, SA(a), sizeof a) == 0);
    CHECK(listen(ls, 16) == 0);
    socklen_t len = sizeof a;
    CHECK(getsockname(ls, SA(a), &len) == 0);
    printf("listening on 127.0.0.1:%d\n", ntohs(a.sin6_port));
    fflush(stdout);
    for (int i = 0; i < n; i++)
        close(serve_one(ls));
    OK("accepted");
    return 0;
}

static int accept_quota(void) {
    int ls = announce_listener();
    int first = serve_one(ls); /* listener + this one: the quota of 2 is full */
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    CHECK_ERR(accept(ls, SA(peer), &len), EMFILE);
    say("accept EMFILE", NULL);
    close(first);
    close(serve_one(ls)); /* a slot is free again */
    OK("accept_quota");
    return 0;
}

static void print_datagram(const char *how, const char *buf, ssize_t n, const char *from) {
    CHECK(n >= 0 && n < 64);
    printf("%s %.*s%s%s\n", how, (int)n, buf, from ? " " : "", from ? from : "");
    fflush(stdout);
}

static int recv_mode(void) {
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(u >= 0);
    struct sockaddr_in a = v4("127.0.0.1", 0);
    CHECK(bind(u, SA(a), sizeof a) == 0);
    socklen_t len = sizeof a;
    CHECK(getsockname(u, SA(a), &len) == 0);
    printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    char buf[64];
    struct sockaddr_storage from;
    len = sizeof from;
    ssize_t n = recvfrom(u, buf, sizeof buf, 0, SA(from), &len);
    print_datagram("recvfrom", buf, n, show_addr(&from));
    n = recv(u, buf, sizeof buf, 0);
    print_datagram("recv", buf, n, NULL);
    n = read(u, buf, sizeof buf);
    print_datagram("read", buf, n, NULL);
    OK("recv");
    return 0;
}

static int outbound(int tport, int uport) {
    /* TCP connect to the granted address and port. */
    int t = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in ok_t = v4("127.0.0.1", tport);
    CHECK(connect(t, SA(ok_t), sizeof ok_t) == 0);
    CHECK(send(t, "tcp", 3, 0) == 3);
    close(t);
    OK("connect_tcp");

    /* The same address and port over UDP: the rule says tcp. */
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK_ERR(connect(u, SA(ok_t), sizeof ok_t), EACCES);
    /* Another port over TCP: the rule names one port. */
    t = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in other = v4("127.0.0.1", uport);
    CHECK_ERR(connect(t, SA(other), sizeof other), EACCES);
    close(t);
    OK("connect_proto_port");

    /* sendto the granted UDP destination works (no bind needed: sendto binds implicitly). */
    struct sockaddr_in ok_u = v4("127.0.0.1", uport);
    CHECK(sendto(u, "udp", 3, 0, SA(ok_u), sizeof ok_u) == 3);
    /* Elsewhere it does not: another port, another address. */
    CHECK_ERR(sendto(u, "bad", 3, 0, SA(ok_t), sizeof ok_t), EACCES);
    struct sockaddr_in far = v4("127.0.0.2", uport);
    CHECK_ERR(sendto(u, "bad", 3, 0, SA(far), sizeof far), EACCES);
    OK("send_udp");

    /* `send` grants no `connect`: a UDP default peer at the send-only destination is refused. */
    int u2 = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK_ERR(connect(u2, SA(ok_u), sizeof ok_u), EACCES);
    OK("send_is_not_connect");
    return 0;
}

static int deny_mode(int tport) {
    int t = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in ok_t = v4("127.0.0.1", tport);
    CHECK(connect(t, SA(ok_t), sizeof ok_t) == 0); /* allowed by 127.0.0.0/8 */
    CHECK(send(t, "v4", 2, 0) == 2);
    close(t);

    t = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in three = v4("127.0.0.3", 80);
    CHECK_ERR(connect(t, SA(three), sizeof three), EACCES); /* the deny rule wins */
    CHECK_ERR(connect(t, SA(three), sizeof three), EACCES); /* reported once */
    close(t);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(connect(u, SA(three), sizeof three) == 0); /* the deny rule is tcp only */
    close(u);
    OK("deny_wins");

    int s6 = socket(AF_INET6, SOCK_STREAM, 0);
    CHECK(s6 >= 0);
    int off = 0;
    CHECK(setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == 0);
    struct sockaddr_in6 mapped3 = v6("::ffff:127.0.0.3", 81);
    CHECK_ERR(connect(s6, SA(mapped3), sizeof mapped3), EACCES); /* mapped = 127.0.0.3 */
    struct sockaddr_in6 lo6 = v6("::1", tport);
    CHECK_ERR(connect(s6, SA(lo6), sizeof lo6), EACCES); /* ::1 is in no IPv4 rule */
    struct sockaddr_in6 mapped1 = v6("::ffff:127.0.0.1", tport);
    CHECK(connect(s6, SA(mapped1), sizeof mapped1) == 0); /* mapped = 127.0.0.1: allowed */
    CHECK(send(s6, "mapped", 6, 0) == 6);
    close(s6);
    OK("mapped");
    return 0;
}

/* Waits for the test: one line on stdin. */
static void wait_for_test(const char *step) {
    say("ready", step);
    char line[64];
    CHECK(fgets(line, sizeof line, stdin) != NULL);
}

static int pin_mode(int tport) {
    struct sockaddr_in lit1 = v4("127.0.0.1", tport);
    int t = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_ERR(connect(t, SA(lit1), sizeof lit1), EACCES); /* no name resolved to it yet */
    close(t);
    OK("before_resolve");

    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    errno = 0;
    int rc = getaddrinfo("evil.invalid", "80", &hints, &res);
    if (rc != EAI_SYSTEM || errno != EACCES) {
        fprintf(stderr, "FAIL: %s:%d: getaddrinfo(evil.invalid) = %d errno=%d, want %d errno=%d\n", __FILE__,
                __LINE__, rc, errno, EAI_SYSTEM, EACCES);
        return 1;
    }
    OK("unmatched_name");

    char port[16];
    snprintf(port, sizeof port, "%d", tport);
    res = NULL;
    rc = getaddrinfo("api.test", port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "FAIL: %s:%d: getaddrinfo(api.test) = %d (%s)\n", __FILE__, __LINE__, rc, gai_strerror(rc));
        return 1;
    }
    int n = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next, n++) {
        CHECK(ai->ai_family == AF_INET);
        const struct sockaddr_in *in = (const struct sockaddr_in *)ai->ai_addr;
        CHECK(in->sin_addr.s_addr == lit1.sin_addr.s_addr && in->sin_port == lit1.sin_port);
    }
    CHECK(n >= 1);
    t = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(t, res->ai_addr, res->ai_addrlen) == 0); /* granted by the name */
    CHECK(send(t, "pinned", 6, 0) == 6);
    close(t);
    freeaddrinfo(res);
    OK("after_resolve");

    wait_for_test("rebind"); /* the test now maps api.test to 127.0.0.2 */
    res = NULL;
    rc = getaddrinfo("api.test", port, &hints, &res);
    if (rc != EAI_NONAME) {
        if (rc == 0)
            fprintf(stderr, "FAIL: %s:%d: getaddrinfo(api.test) after rebinding returned %s\n", __FILE__, __LINE__,
                    show_addr((const struct sockaddr_storage *)res->ai_addr));
        else
            fprintf(stderr, "FAIL: %s:%d: getaddrinfo(api.test) = %d (%s), want EAI_NONAME\n", __FILE__, __LINE__, rc,
                    gai_strerror(rc));
        return 1;
    }
    struct sockaddr_in lit2 = v4("127.0.0.2", tport);
    t = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_ERR(connect(t, SA(lit2), sizeof lit2), EACCES); /* rebinding grants nothing */
    close(t);
    t = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(t, SA(lit1), sizeof lit1) == 0); /* the pinned address stays granted */
    CHECK(send(t, "again", 5, 0) == 5);
    close(t);
    OK("rebind");
    return 0;
}

static int quota(void) {
    int s[3];
    for (int i = 0; i < 3; i++) {
        s[i] = socket(i == 1 ? AF_INET : AF_INET6, i == 2 ? SOCK_DGRAM : SOCK_STREAM, 0);
        CHECK(s[i] >= 0);
    }
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, 0), EMFILE);
    CHECK_ERR(socket(AF_INET, SOCK_DGRAM, 0), EMFILE);
    OK("quota_full");
    CHECK(close(s[1]) == 0);
    s[1] = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(s[1] >= 0);
    CHECK_ERR(socket(AF_INET6, SOCK_DGRAM, 0), EMFILE);
    OK("quota_freed");
    return 0;
}

int main(int argc, char **argv) {
    CHECK(argc >= 2);
    const char *mode = argv[1];
    if (strcmp(mode, "accept") == 0 && argc == 3)
        return accept_mode(atoi(argv[2]));
    if (strcmp(mode, "accept-mapped") == 0 && argc == 3)
        return accept_mapped(atoi(argv[2]));
    if (strcmp(mode, "accept-quota") == 0)
        return accept_quota();
    if (strcmp(mode, "recv") == 0)
        return recv_mode();
    if (strcmp(mode, "outbound") == 0 && argc == 4)
        return outbound(atoi(argv[2]), atoi(argv[3]));
    if (strcmp(mode, "deny") == 0 && argc == 3)
        return deny_mode(atoi(argv[2]));
    if (strcmp(mode, "pin") == 0 && argc == 3)
        return pin_mode(atoi(argv[2]));
    if (strcmp(mode, "quota") == 0)
        return quota();
    if (strcmp(mode, "noop") == 0) {
        OK("noop");
        return 0;
    }
    fprintf(stderr, "FAIL: unknown mode %s\n", mode);
    return 1;
}
