/*
 * ex2_sealed.c: hand a sealed memfd to another process, and trust it only
 * if it is sealed (exercise).
 *
 * TASK
 *   ex2_sealed recv SOCKET OUTFILE
 *   ex2_sealed send [-s SEALS] SOCKET FILE
 * recv and send are two separate processes, started one after the other.
 * recv listens on a Unix stream socket; send copies FILE into a new memfd,
 * seals it and passes the DESCRIPTOR (not the bytes) over the socket; recv
 * checks the seals and only then uses the memory. Think of a server that
 * accepts a request from a client it does not trust: if it parsed bytes
 * that the client could still change or cut short, the client could swap
 * them after the check, or make it die of SIGBUS.
 *
 * recv SOCKET OUTFILE
 *   Create the socket at path SOCKET (socket(2), bind(2), listen(2)); it
 *   must not exist yet (bind's EADDRINUSE is an error: leave the file
 *   alone). Wait up to 10 seconds for one connection, accept it and remove
 *   SOCKET at once (and on every way out after bind). Receive one message
 *   carrying one descriptor (recvmsg(2), SCM_RIGHTS). Then, before reading
 *   a single byte of it, check its seals with fcntl(F_GET_SEALS). It must
 *   have F_SEAL_SHRINK, F_SEAL_GROW and F_SEAL_WRITE, or it is refused (see
 *   Errors; a shm_open object, or any file on tmpfs, answers F_GET_SEALS
 *   with F_SEAL_SEAL alone, so it is refused as unsealed). A refused
 *   descriptor leaves no OUTFILE. Otherwise map the memfd PROT_READ with
 *   MAP_PRIVATE, its size from fstat(2) (MAP_PRIVATE reads a write-sealed
 *   memfd on every kernel; MAP_SHARED, even read-only, is refused with
 *   EPERM through a descriptor open for writing, as the one received is,
 *   on kernels without the 6.7 change: the README says which), and write its bytes to OUTFILE (created or
 *   truncated, mode 0644). An empty memfd (mmap cannot map 0 bytes) gives
 *   an empty OUTFILE.
 *
 * send [-s SEALS] SOCKET FILE
 *   Create a memfd with MFD_CLOEXEC|MFD_ALLOW_SEALING, copy FILE into it,
 *   add the seals SEALS, a comma-separated list of shrink, grow, write,
 *   future_write and seal, or `none` (default: shrink,grow,write,seal),
 *   connect to SOCKET, and send the descriptor with SCM_RIGHTS in a message
 *   of at least one byte.
 *
 * Output on stdout, one line, N the memfd's size in bytes and LIST its
 * seals as F_GET_SEALS gives them, named in the order F_SEAL_SEAL,
 * F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE, F_SEAL_FUTURE_WRITE and
 * separated by one space, or `(none)` (F_SEAL_EXEC, which Linux 6.3 adds
 * to a memfd when vm.memfd_noexec asks for it, is not named):
 *   recv:  received N bytes, seals: LIST
 *          e.g. "received 5000 bytes, seals: F_SEAL_SHRINK F_SEAL_GROW
 *          F_SEAL_WRITE"
 *   send:  sent N bytes, seals: LIST
 *          e.g. "sent 17 bytes, seals: F_SEAL_SEAL F_SEAL_SHRINK
 *          F_SEAL_GROW F_SEAL_WRITE" (the default seals)
 *
 * Errors: one line on stderr, exit 1. recv:
 *   ex2_sealed: refusing an unsealed memfd: missing F_SEAL_GROW F_SEAL_WRITE
 *       (naming each missing seal of the three, in the order F_SEAL_SHRINK,
 *       F_SEAL_GROW, F_SEAL_WRITE; nothing after the last)
 *   ex2_sealed: refusing the descriptor: F_GET_SEALS: Invalid argument
 *       (F_GET_SEALS failed: not a memfd, e.g. a pipe or a regular file)
 *   ex2_sealed: the sender sent no descriptor
 *   ex2_sealed: bind 'SOCKET': Address already in use     (SOCKET exists)
 *   ex2_sealed: no sender connected to 'SOCKET' within 10 seconds
 * send (a failing call: the call, the path and the cause, as wb_die()
 * prints them):
 *   ex2_sealed: connect 'SOCKET': Connection refused       (nobody listens)
 *   ex2_sealed: connect 'SOCKET': No such file or directory
 *   ex2_sealed: open 'FILE': Permission denied              (and the like)
 *   ex2_sealed: 'FILE' is not a regular file
 * (wb_open_file() prints the last two kinds.)
 * A bad SEALS word is a usage error, exit 2:
 *   ex2_sealed: unknown seal 'glow' in 'shrink,glow' (usage: ...)
 *
 * READ   memfd_create(2), fcntl(2) ("File Sealing"), unix(7) (SCM_RIGHTS),
 *        cmsg(3), sendmsg(2), recvmsg(2), poll(2); the chapter's README,
 *        the sections on seals.
 * HINTS  Fill the memfd with write(2), or unmap before sealing: F_SEAL_WRITE
 *        is refused (EBUSY) while a writable shared mapping exists. Seals
 *        can be added but never removed, so a check that passed stays true:
 *        check first, then map. Why is F_SEAL_FUTURE_WRITE not enough for
 *        recv? (seal_write shows it.) CMSG_SPACE, CMSG_FIRSTHDR and
 *        CMSG_DATA build and take apart the control message; a union with
 *        struct cmsghdr keeps the buffer aligned.
 * CHECK  make grade CH=10
 */
#include "wb.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] recv SOCKET OUTFILE | send [-s SEALS] SOCKET FILE");
    int i = wb_simple_args(argc, argv);
    if (argc - i < 1)
        wb_usage("expected recv or send");

    /* TODO: parse the rest, then receive or send. */
    wb_fatal("not implemented yet");
}
