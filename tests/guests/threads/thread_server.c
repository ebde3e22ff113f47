/* Thread-per-connection TCP echo server (wasm32-wasip1-threads): `thread_server --count=N`
 * serves N connections concurrently, one pthread each, then exits 0. */
#include "../net/net.h"
#include <pthread.h>

static void *serve(void *arg) {
    int c = (int)(intptr_t)arg;
    char buf[4096];
    ssize_t n;
    while ((n = recv(c, buf, sizeof buf, 0)) > 0)
        if (send(c, buf, (size_t)n, 0) != n)
            break;
    close(c);
    return NULL;
}

int main(int argc, char **argv) {
    long count = argc > 1 ? atol(argv[1] + strlen("--count=")) : 1;
    int port;
    int ls = listener(&port);
    printf("listening on 127.0.0.1:%d\n", port);
    fflush(stdout);
    pthread_t *t = calloc((size_t)count, sizeof *t);
    for (long i = 0; i < count; i++) {
        int c = accept(ls, NULL, NULL);
        CHECK(c >= 0);
        CHECK(pthread_create(&t[i], NULL, serve, (void *)(intptr_t)c) == 0);
    }
    for (long i = 0; i < count; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
    return 0;
}
