/* UDP echo server. wasock --addr-pool=127.0.0.1/32 udp_echo_server.wasm [ADDR] [--count=N] */
#include "common.h"
#include <unistd.h>

int main(int argc, char **argv) {
    const char *addr = argc > 1 && argv[1][0] != '-' ? argv[1] : "127.0.0.1:9000";
    long count = count_arg(argc, argv);
    struct sockaddr_storage probe;
    int fd = socket(parse_addr(addr, &probe) && probe.ss_family == AF_INET6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || bind_and_announce(fd, addr, 0) != 0)
        return 1;
    for (long n = 0; count < 0 || n < count; n++) {
        char buf[65536];
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        ssize_t r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen);
        if (r < 0 || sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&peer, plen) != r) {
            perror("udp echo");
            return 1;
        }
    }
    close(fd);
    return 0;
}
