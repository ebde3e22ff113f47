/* One program, two threads: a server thread and a client thread talking over 127.0.0.1, while
 * the main thread waits. Both sides share the one fd table. */
#include "../net/net.h"
#include <pthread.h>

static int port, ls;

static void *server(void *arg) {
    (void)arg;
    for (int i = 0; i < 3; i++) {
        int c = accept(ls, NULL, NULL);
        CHECK(c >= 0);
        char buf[64];
        ssize_t n = recv(c, buf, 8, MSG_WAITALL);
        CHECK(n == 8);
        for (int k = 0; k < n; k++)
            buf[k] = (char)(buf[k] - 'a' + 'A');
        CHECK(send(c, buf, (size_t)n, 0) == n);
        close(c);
    }
    return NULL;
}

static void *client(void *arg) {
    (void)arg;
    for (int i = 0; i < 3; i++) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = loopback(port);
        CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
        CHECK(send(c, "abcdefgh", 8, 0) == 8);
        char buf[16];
        CHECK(recv(c, buf, 8, MSG_WAITALL) == 8 && memcmp(buf, "ABCDEFGH", 8) == 0);
        close(c);
    }
    return NULL;
}

int main(void) {
    ls = listener(&port);
    pthread_t s, c;
    CHECK(pthread_create(&s, NULL, server, NULL) == 0);
    CHECK(pthread_create(&c, NULL, client, NULL) == 0);
    CHECK(pthread_join(c, NULL) == 0 && pthread_join(s, NULL) == 0);
    OK("client_server_threads");
    return 0;
}
