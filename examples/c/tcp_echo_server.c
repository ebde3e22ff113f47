/* TCP echo server, one client at a time.
 * wasock --addr-pool=127.0.0.1/32 tcp_echo_server.wasm [ADDR] [--count=N]   (ADDR default 127.0.0.1:8080) */
#include "common.h"
#include <unistd.h>

int main(int argc, char **argv) {
    const char *addr = argc > 1 && argv[1][0] != '-' ? argv[1] : "127.0.0.1:8080";
    long count = count_arg(argc, argv);
    struct sockaddr_storage probe;
    int fd = socket(parse_addr(addr, &probe) && probe.ss_family == AF_INET6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || bind_and_announce(fd, addr, 1) != 0)
        return 1;
    for (long served = 0; count < 0 || served < count; served++) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        int c = accept(fd, (struct sockaddr *)&peer, &plen);
        if (c < 0) {
            perror("accept");
            return 1;
        }
        char buf[4096], shown[80];
        fprintf(stderr, "client %s\n", show_addr((struct sockaddr *)&peer, shown, sizeof shown));
        ssize_t n;
        while ((n = recv(c, buf, sizeof buf, 0)) > 0)
            if (send(c, buf, (size_t)n, 0) != n)
                break;
        close(c);
    }
    close(fd);
    return 0;
}
