/* Threads one after another: `one_at_a_time PORT N` creates N threads in turn, each connecting
 * to 127.0.0.1:PORT and reading until the peer closes; each is joined before the next starts. */
#include "../net/net.h"
#include <pthread.h>

static int port;

static void *until_closed(void *arg) {
    (void)arg;
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(c >= 0);
    struct sockaddr_in a = loopback(port);
    CHECK(connect(c, SA(a), sizeof a) == 0);
    char buf[64];
    while (recv(c, buf, sizeof buf, 0) > 0)
        ;
    close(c);
    return NULL;
}

int main(int argc, char **argv) {
    CHECK(argc == 3);
    port = atoi(argv[1]);
    int n = atoi(argv[2]);
    for (int i = 0; i < n; i++) {
        pthread_t t;
        CHECK(pthread_create(&t, NULL, until_closed, NULL) == 0);
        CHECK(pthread_join(t, NULL) == 0);
    }
    OK("one_at_a_time");
    return 0;
}
