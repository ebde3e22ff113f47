/* link_check.sh's app: calls the functions wasi-libc also defines (accept, accept4, recv, send,
 * shutdown, getsockopt) and nothing else of the SDK, so the linker alone decides which
 * definitions win. */
#include <sys/socket.h>
#include <netinet/in.h>
#ifdef __wasi__
#include <wasi_socket_ext.h>
#endif

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1000) { /* never run: only the references matter */
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        char b[4];
        int v;
        socklen_t vl = sizeof v;
        int fd = accept(3, (struct sockaddr *)&ss, &len);
        fd += accept4(3, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK);
        fd += (int)recv(fd, b, sizeof b, MSG_PEEK);
        fd += (int)send(fd, b, sizeof b, MSG_NOSIGNAL);
        fd += shutdown(fd, SHUT_WR);
        fd += getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &vl);
        return fd;
    }
    return 0;
}
