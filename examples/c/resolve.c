/* getaddrinfo: prints each address of NAME.
 * wasock --allow-resolve=localhost resolve.wasm localhost [SERVICE] */
#include "common.h"
#include <errno.h>
#include <netdb.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: resolve NAME [SERVICE]\n");
        return 2;
    }
    struct addrinfo hints, *res, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(argv[1], argc > 2 ? argv[2] : NULL, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo(%s): %s%s%s\n", argv[1], gai_strerror(rc), rc == EAI_SYSTEM ? ": " : "",
                rc == EAI_SYSTEM ? strerror(errno) : "");
        return 1;
    }
    char shown[80];
    for (ai = res; ai; ai = ai->ai_next)
        printf("%s\n", show_addr(ai->ai_addr, shown, sizeof shown));
    freeaddrinfo(res);
    return 0;
}
