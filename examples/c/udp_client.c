/* UDP client: sends MESSAGE to HOST:PORT, prints "reply from ADDR: TEXT".
 * wasock --addr-pool=127.0.0.1/32 udp_client.wasm HOST:PORT MESSAGE */
#include "common.h"
#include <sys/time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: udp_client HOST:PORT MESSAGE\n");
        return 2;
    }
    struct sockaddr_storage ss, from;
    socklen_t len = parse_addr(argv[1], &ss), flen = sizeof from;
    int fd = len ? socket(ss.ss_family, SOCK_DGRAM, 0) : -1;
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (fd < 0 || sendto(fd, argv[2], strlen(argv[2]), 0, (struct sockaddr *)&ss, len) < 0) {
        perror("sendto");
        return 1;
    }
    char buf[65536], shown[80];
    ssize_t n = recvfrom(fd, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &flen);
    if (n < 0) {
        perror("recvfrom");
        return 1;
    }
    buf[n] = 0;
    printf("reply from %s: %s\n", show_addr((struct sockaddr *)&from, shown, sizeof shown), buf);
    close(fd);
    return 0;
}
