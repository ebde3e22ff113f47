/* A refused datagram must never be visible in shared memory (issue 17 item 4): built for
 * wasm32-wasip1-threads, driven by crates/wasock-cli/tests/net_policy.rs.
 *
 *   recv_spy ROUNDS [peek]  a UDP socket on 127.0.0.1:0 (`listening on ADDR`); the main thread
 *                           receives ROUNDS admitted datagrams `good R` into a shared buffer,
 *                           answering each with `ack R` (with `peek`, each receive is a MSG_PEEK first), while a
 *                           second thread spins reading that buffer for the refused senders'
 *                           marker byte 'Z'. Prints `seen N` on stderr (how often the spy saw
 *                           it), and fails unless N is 0. */
#include "net.h"
#include <pthread.h>
#include <stdatomic.h>

static volatile char buf[65536];
static atomic_int stop;
static atomic_long seen;
static long passes;

static void *spy(void *arg) {
    (void)arg;
    while (!atomic_load(&stop)) {
        passes++;
        for (size_t i = 0; i < sizeof buf; i += 512)
            if (buf[i] == 'Z') {
                atomic_fetch_add(&seen, 1);
                break;
            }
    }
    return NULL;
}

int main(int argc, char **argv) {
    CHECK(argc >= 2);
    int rounds = atoi(argv[1]);
    int peek = argc > 2 && !strcmp(argv[2], "peek");
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(s >= 0);
    struct sockaddr_in a = loopback(0);
    CHECK(bind(s, SA(a), sizeof a) == 0);
    socklen_t len = sizeof a;
    CHECK(getsockname(s, SA(a), &len) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, spy, NULL) == 0);
    printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (int i = 0; i < rounds;) {
        ssize_t n;
        if (peek) {
            n = recv(s, (char *)buf, sizeof buf, MSG_PEEK);
            CHECK(n > 0 && buf[0] == 'g');
        }
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        n = recvfrom(s, (char *)buf, sizeof buf, 0, SA(from), &flen);
        CHECK(n > 5 && buf[0] == 'g');
        /* "good R": the driver resends a round whose ack it did not get (UDP may drop either),
         * so a round is counted once and every copy is acked with its number. */
        char msg[32];
        size_t m = (size_t)n < sizeof msg - 1 ? (size_t)n : sizeof msg - 1;
        for (size_t k = 0; k < m; k++)
            msg[k] = buf[k];
        msg[m] = 0;
        int r = atoi(msg + 5);
        char ack[24];
        int alen = snprintf(ack, sizeof ack, "ack %d", r);
        CHECK(sendto(s, ack, (size_t)alen, 0, SA(from), flen) == alen);
        if (r == i)
            i++;
    }
    atomic_store(&stop, 1);
    CHECK(pthread_join(t, NULL) == 0);
    fprintf(stderr, "seen %ld (in %ld passes)\n", atomic_load(&seen), passes);
    CHECK(atomic_load(&seen) == 0);
    OK("recv_spy");
    return 0;
}
