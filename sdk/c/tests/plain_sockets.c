/* A POSIX socket program with nothing of the SDK in its source or its build: only the
 * system headers, built with `scripts/wasi-cc` (or the CMake toolchain) and no SDK header,
 * no -include, no extra library (the sysroot's libc.a holds the socket layer).
 * TCP to itself over 127.0.0.1, UDP, options, getaddrinfo of localhost; the same source
 * builds and passes natively (cc).
 * usage: plain_sockets      (wasock --addr-pool=127.0.0.1/32 --allow-resolve=localhost)
 * Prints `ok NAME` per check, `FAIL ...` and exit 1 on the first failure. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

int main(void) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = inet_addr("127.0.0.1");
    socklen_t len = sizeof addr;
    int one = 1, type = 0;
    socklen_t tlen = sizeof type;

    int ls = socket(AF_INET, SOCK_STREAM, 0);
    CHECK("socket", ls >= 0);
    CHECK("setsockopt", setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    CHECK("getsockopt", getsockopt(ls, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 && type == SOCK_STREAM);
    CHECK("bind", bind(ls, (struct sockaddr *)&addr, sizeof addr) == 0);
    CHECK("listen", listen(ls, 4) == 0);
    CHECK("getsockname", getsockname(ls, (struct sockaddr *)&addr, &len) == 0 && addr.sin_port != 0);

    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK("connect", c >= 0 && connect(c, (struct sockaddr *)&addr, sizeof addr) == 0);
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    int s = accept(ls, (struct sockaddr *)&peer, &plen);
    CHECK("accept", s >= 0 && peer.sin_addr.s_addr == addr.sin_addr.s_addr);
    plen = sizeof peer;
    CHECK("getpeername", getpeername(c, (struct sockaddr *)&peer, &plen) == 0 && peer.sin_port == addr.sin_port);
    char buf[8] = {0};
    CHECK("send", send(c, "ping", 4, 0) == 4);
    CHECK("recv", recv(s, buf, sizeof buf, 0) == 4 && memcmp(buf, "ping", 4) == 0);
    CHECK("shutdown", shutdown(c, SHUT_WR) == 0 && recv(s, buf, sizeof buf, 0) == 0);
    close(s);
    close(c);
    close(ls);

    int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in ua = addr;
    ua.sin_port = 0;
    len = sizeof ua;
    CHECK("udp bind", u1 >= 0 && u2 >= 0 && bind(u1, (struct sockaddr *)&ua, sizeof ua) == 0
                          && getsockname(u1, (struct sockaddr *)&ua, &len) == 0);
    CHECK("sendto", sendto(u2, "dgram", 5, 0, (struct sockaddr *)&ua, sizeof ua) == 5);
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    CHECK("recvfrom", recvfrom(u1, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen) == 5
                          && memcmp(buf, "dgram", 5) == 0 && from.sin_port != 0);
    close(u1);
    close(u2);

    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
    CHECK("getaddrinfo", getaddrinfo("localhost", "80", &hints, &res) == 0 && res != NULL
                             && ((struct sockaddr_in *)res->ai_addr)->sin_port == htons(80));
    freeaddrinfo(res);
    printf("plain_sockets: all ok\n");
    return 0;
}
