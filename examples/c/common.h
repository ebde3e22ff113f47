/* Shared helpers for the examples: address parsing and printing (IPv4 and IPv6). */
#ifndef EXAMPLES_COMMON_H
#define EXAMPLES_COMMON_H
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __wasi__
#include <wasi_socket_ext.h>
#endif

/* Parses "HOST:PORT", "[V6]:PORT" or a bare "PORT" (= 127.0.0.1:PORT) into `ss`; returns its
 * length or 0. HOST is numeric, or a name looked up with getaddrinfo (under wasock that needs
 * --allow-resolve=NAME). */
static inline socklen_t parse_addr(const char *text, struct sockaddr_storage *ss) {
    char host[256];
    const char *colon = strrchr(text, ':');
    const char *port_text = colon ? colon + 1 : text;
    size_t hlen = colon ? (size_t)(colon - text) : 0;
    char *end;
    long port = strtol(port_text, &end, 10);
    if (*port_text == 0 || *end != 0 || port < 0 || port > 65535 || hlen >= sizeof host)
        return 0;
    if (colon) {
        memcpy(host, text, hlen);
        host[hlen] = 0;
    } else {
        strcpy(host, "127.0.0.1");
    }
    memset(ss, 0, sizeof *ss);
    char *h = host;
    if (h[0] == '[' && strlen(h) >= 2 && h[strlen(h) - 1] == ']') {
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
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(h, NULL, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", h, gai_strerror(rc));
        return 0;
    }
    socklen_t len = res->ai_addrlen <= sizeof *ss ? res->ai_addrlen : 0;
    if (len) {
        memcpy(ss, res->ai_addr, len);
        in->sin_port = htons((uint16_t)port); /* same offset in sockaddr_in6 */
    }
    freeaddrinfo(res);
    return len;
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
        fprintf(stderr, "bad address %s (want HOST:PORT, [V6]:PORT or PORT)\n", text);
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
