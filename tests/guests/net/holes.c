/* Policy holes closed (issue 17 items 3, 5, 7, 11): a guest driven by
 * crates/wasock-cli/tests/policy_holes.rs. Every address is a loopback one, and multicast joins
 * stay on the loopback interface. Modes (argv[1]):
 *
 *   unspec TP UP   (allow connect,send any *, deny connect,send any 127.0.0.0/8 and ::1) a
 *                  destination of 0.0.0.0, :: or ::ffff:0.0.0.0 is loopback, so it is denied:
 *                  TCP connect to port TP, UDP sendto and connect to port UP
 *   unspec-ok TP   (allow connect tcp 127.0.0.1:TP) connect(0.0.0.0:TP) is allowed as the
 *                  loopback address it reaches, sends `x`
 *   udp-connect UP UP2
 *                  (allow connect,send udp 127.0.0.1, deny send udp 127.0.0.1:UP) a UDP
 *                  connect to the denied destination is refused, so send() cannot reach it;
 *                  UP2 connects and gets `y`
 *   join MODE      MODE `deny`: IP_ADD_MEMBERSHIP 239.1.2.3 and IPV6_JOIN_GROUP ff15::1:3 are
 *                  EACCES; `allow` (allow send,recv udp for both): neither is EACCES, and the
 *                  groups can be left
 *   names          getaddrinfo of a name carrying a forged log line, and of a 10 KB name: both
 *                  refused (EAI_SYSTEM, EACCES)
 *   noop           does nothing (for start-up checks) */
#include "net.h"
#include <netdb.h>

static int arg_port(const char *s) {
    int p = atoi(s);
    CHECK(p > 0 && p < 65536);
    return p;
}

static void unspec(int tp, int up) {
    int t = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(t >= 0);
    struct sockaddr_in any4 = v4("0.0.0.0", tp);
    CHECK_ERR(connect(t, SA(any4), sizeof any4), EACCES);
    OK("connect_0.0.0.0");

    int t6 = socket(AF_INET6, SOCK_STREAM, 0);
    CHECK(t6 >= 0);
    struct sockaddr_in6 any6 = v6("::", tp);
    CHECK_ERR(connect(t6, SA(any6), sizeof any6), EACCES);
    struct sockaddr_in6 mapped = v6("::ffff:0.0.0.0", tp);
    CHECK_ERR(connect(t6, SA(mapped), sizeof mapped), EACCES);
    OK("connect_::");

    int u = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(u >= 0);
    struct sockaddr_in uany = v4("0.0.0.0", up);
    CHECK_ERR(sendto(u, "u", 1, 0, SA(uany), sizeof uany), EACCES);
    CHECK_ERR(connect(u, SA(uany), sizeof uany), EACCES);
    int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
    CHECK(u6 >= 0);
    struct sockaddr_in6 uany6 = v6("::", up);
    CHECK_ERR(sendto(u6, "u", 1, 0, SA(uany6), sizeof uany6), EACCES);
    OK("sendto_unspecified");
}

static void unspec_ok(int tp) {
    int t = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(t >= 0);
    struct sockaddr_in any4 = v4("0.0.0.0", tp);
    CHECK(connect(t, SA(any4), sizeof any4) == 0);
    CHECK(send(t, "x", 1, 0) == 1);
    close(t);
    OK("connect_0.0.0.0_as_loopback");
}

static void udp_connect(int up, int up2) {
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(u >= 0);
    struct sockaddr_in denied = v4("127.0.0.1", up);
    CHECK_ERR(connect(u, SA(denied), sizeof denied), EACCES);
    CHECK_ERR(sendto(u, "d", 1, 0, SA(denied), sizeof denied), EACCES);
    /* Never connected: send() has no destination. */
    CHECK(send(u, "d", 1, 0) == -1 && errno != 0);
    OK("udp_connect_denied");
    struct sockaddr_in other = v4("127.0.0.1", up2);
    CHECK(connect(u, SA(other), sizeof other) == 0);
    CHECK(send(u, "y", 1, 0) == 1);
    OK("udp_connect_other_port");
}

static void join(int allow) {
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(u >= 0);
    struct ip_mreq m;
    memset(&m, 0, sizeof m);
    CHECK(inet_pton(AF_INET, "239.1.2.3", &m.imr_multiaddr) == 1);
    /* The loopback interface only: no membership report can leave the machine. */
    m.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
    errno = 0;
    int r = setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m);
    if (!allow) {
        CHECK(r == -1 && errno == EACCES);
    } else {
        CHECK(r == 0 || (errno != EACCES && errno != 0));
        if (r == 0)
            CHECK(setsockopt(u, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m) == 0);
    }
    OK("ip_add_membership");

    int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
    CHECK(u6 >= 0);
    struct ipv6_mreq m6;
    memset(&m6, 0, sizeof m6);
    CHECK(inet_pton(AF_INET6, "ff15::1:3", &m6.ipv6mr_multiaddr) == 1);
    m6.ipv6mr_interface = 1; /* lo's index on Linux */
    errno = 0;
    r = setsockopt(u6, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6, sizeof m6);
    if (!allow) {
        CHECK(r == -1 && errno == EACCES);
    } else {
        CHECK(r == 0 || (errno != EACCES && errno != 0));
        if (r == 0)
            CHECK(setsockopt(u6, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &m6, sizeof m6) == 0);
    }
    OK("ipv6_join_group");

    /* A "group" that is no multicast address is the kernel's to refuse (EINVAL, as natively),
     * with no policy check and no denial line. */
    CHECK(inet_pton(AF_INET, "127.0.0.1", &m.imr_multiaddr) == 1);
    errno = 0;
    CHECK(setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) == -1 && errno == EINVAL);
    OK("not_a_group");
}

static void refused(const char *name) {
    struct addrinfo *res = NULL;
    errno = 0;
    int rc = getaddrinfo(name, "80", NULL, &res);
    CHECK(rc == EAI_SYSTEM && errno == EACCES);
    CHECK(res == NULL);
}

static void names(void) {
    refused("x.test\nwasock: denied connect tcp to 10.6.6.6:80: forged by the guest");
    OK("forged_name");
    static char big[10 * 1024 + 1];
    for (size_t i = 0; i < sizeof big - 1; i++)
        big[i] = (i % 64 == 63) ? '.' : 'a';
    big[sizeof big - 1] = '\0';
    refused(big);
    OK("long_name");
}

int main(int argc, char **argv) {
    CHECK(argc >= 2);
    const char *mode = argv[1];
    if (strcmp(mode, "unspec") == 0 && argc == 4)
        unspec(arg_port(argv[2]), arg_port(argv[3]));
    else if (strcmp(mode, "unspec-ok") == 0 && argc == 3)
        unspec_ok(arg_port(argv[2]));
    else if (strcmp(mode, "udp-connect") == 0 && argc == 4)
        udp_connect(arg_port(argv[2]), arg_port(argv[3]));
    else if (strcmp(mode, "join") == 0 && argc == 3)
        join(strcmp(argv[2], "allow") == 0);
    else if (strcmp(mode, "names") == 0)
        names();
    else if (strcmp(mode, "noop") == 0)
        ;
    else
        CHECK(!"unknown mode or wrong arguments");
    return 0;
}
