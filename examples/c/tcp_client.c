/* TCP client: sends MESSAGE, prints the reply.
 * wasock --addr-pool=127.0.0.1/32 tcp_client.wasm HOST:PORT MESSAGE */
#include "common.h"
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: tcp_client HOST:PORT MESSAGE\n");
        return 2;
    }
    struct sockaddr_storage ss;
    socklen_t len = parse_addr(argv[1], &ss);
    int fd = len ? socket(ss.ss_family, SOCK_STREAM, 0) : -1;
    if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) != 0) {
        perror("connect");
        return 1;
    }
    size_t mlen = strlen(argv[2]);
    if (send(fd, argv[2], mlen, 0) != (ssize_t)mlen) {
        perror("send");
        return 1;
    }
    shutdown(fd, SHUT_WR);
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    putchar('\n');
    close(fd);
    return n < 0;
}
