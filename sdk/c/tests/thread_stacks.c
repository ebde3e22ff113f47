/* Thread capacity with the SDK's default stack (issue 19): wasi-libc gives every pthread the
 * main thread's stack size (1 MiB by default), so the threads build's maximum memory must hold
 * many of them. 200 threads (a thread-per-connection server's modest load) all alive at once,
 * each using 256 KiB of its stack. Prints `ok thread_stacks N`. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define N 200
static pthread_barrier_t all_alive;

static void *worker(void *arg) {
    volatile char buf[256 * 1024];
    memset((char *)buf, (int)(long)arg, sizeof buf);
    pthread_barrier_wait(&all_alive);
    return (void *)(long)buf[sizeof buf - 1];
}

int main(void) {
    pthread_t t[N];
    pthread_barrier_init(&all_alive, NULL, N + 1);
    for (int i = 0; i < N; i++) {
        int r = pthread_create(&t[i], NULL, worker, (void *)(long)(i % 100));
        if (r != 0) {
            printf("FAIL thread %d: %s\n", i, strerror(r));
            return 1;
        }
    }
    pthread_barrier_wait(&all_alive);
    for (int i = 0; i < N; i++) {
        void *v;
        pthread_join(t[i], &v);
        if ((long)v != i % 100) {
            printf("FAIL thread %d returned %ld\n", i, (long)v);
            return 1;
        }
    }
    printf("ok thread_stacks %d\n", N);
    return 0;
}
