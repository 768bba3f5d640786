//go:build linux

// Package sock implements the socket side of ipcx: the address grammar (unix:/path, unix:@abstract,
// unix-dgram:, unix-seqpacket:, tcp:HOST:PORT, udp:HOST:PORT, IPv6 in brackets), listening,
// connecting and relaying with a correct half-close, serving a listener ([Serve]: the accept and
// datagram loops, connections one after the other or at the same time, echo, HTTP echo,
// inetd-style exec), zero-copy relays with splice(2), peer credentials (SO_PEERCRED,
// SCM_CREDENTIALS) and the listing of the machine's sockets through netlink sock_diag with
// /proc/net as the fallback.
//
// Blocking operations take a context.Context; a deadline that expires comes back as
// unix.ETIMEDOUT so that commands can map it to exit code 124.
//
// See unix(7), tcp(7), udp(7), socket(7), splice(2) and sock_diag(7).
package sock
