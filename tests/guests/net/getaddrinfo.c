/* getaddrinfo() under --allow-resolve. Modes (argv[1]):
 *   allowed   (--allow-resolve=localhost) "localhost" resolves to loopback addresses only
 *             (127.0.0.1 and/or ::1) with the service's port; hints filter family and type
 *   denied    (--allow-resolve=localhost) "example.org" is refused before any lookup:
 *             EAI_SYSTEM with errno EACCES, twice, with and without hints
 *   literal   (no flag) numeric hosts need no grant; AI_NUMERICHOST never looks a name up
 *   lookup N  (--allow-resolve=*) prints "ip <address>" for each stream entry of N, or
 *             "eai <code>" when getaddrinfo fails (compared with the host's own answer) */
#include "net.h"
#include <netdb.h>

static void show(const struct addrinfo *ai) {
    char host[INET6_ADDRSTRLEN];
    if (ai->ai_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ai->ai_addr;
        CHECK(inet_ntop(AF_INET, &in->sin_addr, host, sizeof host) != NULL);
        printf("%s:%d %s\n", host, ntohs(in->sin_port), ai->ai_socktype == SOCK_STREAM ? "stream" : "dgram");
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ai->ai_addr;
        CHECK(inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host) != NULL);
        printf("[%s]:%d %s\n", host, ntohs(in6->sin6_port), ai->ai_socktype == SOCK_STREAM ? "stream" : "dgram");
    }
}

/* Every entry is a loopback address with `port`, of `family` (0 = any) and `type` (0 = any);
 * returns the number of entries. */
static int check_loopback(const struct addrinfo *res, int port, int family, int type) {
    int n = 0;
    for (const struct addrinfo *ai = res; ai && n < 64; ai = ai->ai_next, n++) {
        show(ai);
        CHECK(family == 0 || ai->ai_family == family);
        CHECK(type == 0 || ai->ai_socktype == type);
        CHECK(ai->ai_socktype == SOCK_STREAM || ai->ai_socktype == SOCK_DGRAM);
        if (ai->ai_family == AF_INET) {
            const struct sockaddr_in *in = (const struct sockaddr_in *)ai->ai_addr;
            CHECK(ai->ai_addrlen == sizeof *in && in->sin_family == AF_INET);
            CHECK(in->sin_addr.s_addr == htonl(INADDR_LOOPBACK) && in->sin_port == htons((uint16_t)port));
        } else {
            CHECK(ai->ai_family == AF_INET6);
            const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ai->ai_addr;
            CHECK(ai->ai_addrlen == sizeof *in6 && in6->sin6_family == AF_INET6);
            CHECK(memcmp(&in6->sin6_addr, &in6addr_loopback, 16) == 0 && in6->sin6_port == htons((uint16_t)port));
        }
    }
    CHECK(n > 0 && n < 64);
    fflush(stdout);
    return n;
}

int main(int argc, char **argv) {
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    if (argc == 3 && strcmp(argv[1], "lookup") == 0) {
        hints.ai_socktype = SOCK_STREAM;
        int rc = getaddrinfo(argv[2], "80", &hints, &res);
        if (rc != 0) {
            printf("eai %d\n", rc);
            return 0;
        }
        for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            char host[INET6_ADDRSTRLEN];
            const void *a = ai->ai_family == AF_INET ? (const void *)&((const struct sockaddr_in *)ai->ai_addr)->sin_addr
                                                     : (const void *)&((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
            CHECK(inet_ntop(ai->ai_family, a, host, sizeof host) != NULL);
            printf("ip %s\n", host);
        }
        freeaddrinfo(res);
        return 0;
    }
    CHECK(argc == 2);
    if (strcmp(argv[1], "allowed") == 0) {
        hints.ai_socktype = SOCK_STREAM;
        res = NULL;
        CHECK(getaddrinfo("localhost", "8080", &hints, &res) == 0 && res != NULL);
        check_loopback(res, 8080, 0, SOCK_STREAM);
        freeaddrinfo(res);
        OK("localhost");

        hints.ai_family = AF_INET;
        CHECK(getaddrinfo("localhost", "80", &hints, &res) == 0);
        check_loopback(res, 80, AF_INET, SOCK_STREAM); /* /etc/hosts maps localhost to 127.0.0.1 */
        freeaddrinfo(res);
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_DGRAM;
        CHECK(getaddrinfo("localhost", "53", &hints, &res) == 0);
        check_loopback(res, 53, 0, SOCK_DGRAM);
        freeaddrinfo(res);
        CHECK(getaddrinfo("localhost", NULL, NULL, &res) == 0); /* no hints at all */
        check_loopback(res, 0, 0, 0);
        freeaddrinfo(res);
        OK("hints");
        return 0;
    }
    if (strcmp(argv[1], "denied") == 0) {
        for (int i = 0; i < 2; i++) {
            res = (struct addrinfo *)0x1234;
            hints.ai_socktype = SOCK_STREAM;
            errno = 0;
            int rc = getaddrinfo("example.org", "80", &hints, &res);
            if (rc != EAI_SYSTEM || errno != EACCES) {
                fprintf(stderr, "FAIL: %s:%d: getaddrinfo(example.org) = %d errno=%d, want %d errno=%d\n", __FILE__,
                        __LINE__, rc, errno, EAI_SYSTEM, EACCES);
                return 1;
            }
            /* nothing returned (POSIX leaves *res unspecified on failure: unchanged or NULL) */
            CHECK(res == (struct addrinfo *)0x1234 || res == NULL);
            errno = 0;
            rc = getaddrinfo("example.org", NULL, NULL, &res);
            CHECK(rc == EAI_SYSTEM && errno == EACCES && EACCES == 2);
        }
        OK("denied");
        return 0;
    }
    CHECK(strcmp(argv[1], "literal") == 0);
    hints.ai_socktype = SOCK_STREAM;
    CHECK(getaddrinfo("127.0.0.1", "443", &hints, &res) == 0);
    CHECK(check_loopback(res, 443, AF_INET, SOCK_STREAM) == 1);
    freeaddrinfo(res);
    CHECK(getaddrinfo("::1", "443", &hints, &res) == 0);
    CHECK(check_loopback(res, 443, AF_INET6, SOCK_STREAM) == 1);
    freeaddrinfo(res);
    hints.ai_flags = AI_NUMERICHOST;
    CHECK(getaddrinfo("localhost", "443", &hints, &res) == EAI_NONAME); /* no lookup, no denial */
    OK("literal");
    return 0;
}
