/* poll()-based multi-client echo server: one thread, many clients.
 * wasock --addr-pool=127.0.0.1/32 poll_server.wasm [ADDR] [--count=N]   (exits after N clients closed) */
#include "common.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#define MAX_FDS 1024

int main(int argc, char **argv) {
    const char *addr = argc > 1 && argv[1][0] != '-' ? argv[1] : "127.0.0.1:8080";
    long count = count_arg(argc, argv), closed = 0;
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0 || bind_and_announce(ls, addr, 1) != 0)
        return 1;
    fcntl(ls, F_SETFL, fcntl(ls, F_GETFL) | O_NONBLOCK);
    struct pollfd fds[MAX_FDS];
    int n = 1;
    fds[0] = (struct pollfd){ls, POLLIN, 0};
    while (count < 0 || closed < count) {
        if (poll(fds, (nfds_t)n, -1) < 0 && errno != EINTR) {
            perror("poll");
            return 1;
        }
        if (fds[0].revents & POLLIN) {
            int c;
            while ((c = accept(ls, NULL, NULL)) >= 0) {
                if (n == MAX_FDS) {
                    close(c);
                    continue;
                }
                fds[n++] = (struct pollfd){c, POLLIN, 0};
            }
        }
        for (int i = 1; i < n; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            ssize_t r = recv(fds[i].fd, buf, sizeof buf, 0);
            if (r > 0 && send(fds[i].fd, buf, (size_t)r, 0) == r)
                continue;
            close(fds[i].fd);
            fds[i--] = fds[--n];
            closed++;
        }
    }
    close(ls);
    return 0;
}
