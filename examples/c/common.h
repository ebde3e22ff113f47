/* Shared helpers for the examples: address parsing and printing (IPv4 and IPv6). */
#ifndef EXAMPLES_COMMON_H
#define EXAMPLES_COMMON_H
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __wasi__
#include <wasi_socket_ext.h>
#endif

/* Parses "HOST:PORT" or "[V6]:PORT" (numeric host) into `ss`; returns its length or 0. */
static inline socklen_t parse_addr(const char *text, struct sockaddr_storage *ss) {
    char host[64];
    const char *colon = strrchr(text, ':');
    if (!colon || colon - text >= (long)sizeof host)
        return 0;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = 0;
    int port = atoi(colon + 1);
    memset(ss, 0, sizeof *ss);
    char *h = host;
    if (h[0] == '[') {
        h++;
        h[strlen(h) - 1] = 0;
    }
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, h, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        return sizeof *in;
    }
    if (inet_pton(AF_INET6, h, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        return sizeof *in6;
    }
    return 0;
}

/* Formats an address as "HOST:PORT" / "[V6]:PORT". */
static inline const char *show_addr(const struct sockaddr *sa, char *buf, size_t len) {
    char host[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(buf, len, "[%s]:%d", host, ntohs(in6->sin6_port));
    } else {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(buf, len, "%s:%d", host, ntohs(in->sin_port));
    }
    return buf;
}

/* Binds `fd` to `text` and prints "listening on ADDR" with the port the kernel chose. */
static inline int bind_and_announce(int fd, const char *text, int stream) {
    struct sockaddr_storage ss;
    socklen_t len = parse_addr(text, &ss);
    int one = 1;
    char shown[80];
    if (!len) {
        fprintf(stderr, "bad address %s (want HOST:PORT)\n", text);
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || (stream && listen(fd, 128) != 0)) {
        perror("bind/listen");
        return -1;
    }
    len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    printf("listening on %s\n", show_addr((struct sockaddr *)&ss, shown, sizeof shown));
    fflush(stdout);
    return 0;
}

/* Returns N for a "--count=N" argument, else -1 (forever). */
static inline long count_arg(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--count=", 8) == 0)
            return atol(argv[i] + 8);
    return -1;
}
#endif
