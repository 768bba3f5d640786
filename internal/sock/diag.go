//go:build linux

package sock

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Socket is one socket of the machine (of this network namespace), as `ss` shows it.
type Socket struct {
	Kind  Kind
	State string // LISTEN, ESTAB, UNCONN, TIME-WAIT, ... (ss's names)
	// Local and Peer are addresses in ParseAddr's grammar without the scheme ("/path", "@name",
	// "127.0.0.1:80", "[::1]:80"); empty when unbound / unconnected. UNIX names are Printable:
	// control bytes escaped.
	Local string
	Peer  string
	// RecvQ and SendQ are the queues in bytes; for a listening socket, the connections waiting
	// to be accepted and the backlog. -1 when the source does not say (/proc/net/unix).
	RecvQ int64
	SendQ int64
	Inode uint64
	// PeerInode is the inode of a UNIX socket's peer (0 when none or unknown).
	PeerInode uint64
	UID       int // TCP and UDP only; -1 otherwise
	Procs     []Proc
}

// Proc is a process holding a socket open.
type Proc struct {
	PID     int
	Command string
	FD      int
}

// Filter selects sockets for List. The zero Filter selects all.
type Filter struct {
	Unix, TCP, UDP bool // families wanted; none set means all
	Listening      bool // only listening (stream) or bound unconnected (datagram) sockets
}

func (f Filter) wants(k Kind) bool {
	if !f.Unix && !f.TCP && !f.UDP {
		return true
	}
	switch k {
	case TCP:
		return f.TCP
	case UDP:
		return f.UDP
	}
	return f.Unix
}

// List returns the sockets of this network namespace that f selects, sorted by kind and local
// address, with the processes holding them (from /proc/PID/fd; those this user may not inspect
// are missing). It asks the kernel through netlink sock_diag and reads /proc/net/{unix,tcp,
// tcp6,udp,udp6} where sock_diag is not available (the module not loaded, a seccomp policy).
func List(f Filter) ([]Socket, error) {
	socks, err := listDiag(f)
	if err != nil {
		socks, err = listProc(f)
		if err != nil {
			return nil, err
		}
	}
	if f.Listening {
		kept := socks[:0]
		for _, s := range socks {
			if s.State == "LISTEN" || (s.Kind.IsDatagram() && s.State == "UNCONN" && s.Local != "") {
				kept = append(kept, s)
			}
		}
		socks = kept
	}
	owners := socketOwners()
	// A UNIX socket's peer is found by its inode. Only UNIX sockets take part: a TCP or UDP
	// socket has no PeerInode, and sockets without an inode (TIME-WAIT ones have 0) must not be
	// taken for the peer of every socket that has none (PeerInode 0).
	byInode := map[uint64]*Socket{}
	for i := range socks {
		socks[i].Procs = owners[socks[i].Inode]
		if socks[i].Kind.IsUnix() && socks[i].Inode != 0 {
			byInode[socks[i].Inode] = &socks[i]
		}
	}
	for i := range socks {
		if !socks[i].Kind.IsUnix() || socks[i].PeerInode == 0 || socks[i].Peer != "" {
			continue
		}
		if p := byInode[socks[i].PeerInode]; p != nil {
			socks[i].Peer = p.Local
		}
	}
	sort.SliceStable(socks, func(i, j int) bool {
		if socks[i].Kind != socks[j].Kind {
			return socks[i].Kind < socks[j].Kind
		}
		if socks[i].Local != socks[j].Local {
			return socks[i].Local < socks[j].Local
		}
		return socks[i].Inode < socks[j].Inode
	})
	return socks, nil
}

// The sock_diag request and reply layouts (linux/sock_diag.h, unix_diag.h, inet_diag.h).
type unixDiagReq struct {
	Family   uint8
	Protocol uint8
	_        uint16
	States   uint32
	Ino      uint32
	Show     uint32
	Cookie   [2]uint32
}

type unixDiagMsg struct {
	Family uint8
	Type   uint8
	State  uint8
	_      uint8
	Ino    uint32
	Cookie [2]uint32
}

type inetDiagSockID struct {
	Sport  [2]byte // big-endian
	Dport  [2]byte
	Src    [16]byte
	Dst    [16]byte
	If     uint32
	Cookie [2]uint32
}

type inetDiagReqV2 struct {
	Family   uint8
	Protocol uint8
	Ext      uint8
	_        uint8
	States   uint32
	ID       inetDiagSockID
}

type inetDiagMsg struct {
	Family  uint8
	State   uint8
	Timer   uint8
	Retrans uint8
	ID      inetDiagSockID
	Expires uint32
	RQueue  uint32
	WQueue  uint32
	UID     uint32
	Inode   uint32
}

const (
	sizeofUnixDiagReq = 24
	sizeofUnixDiagMsg = 16
	sizeofInetDiagReq = 56
	sizeofInetDiagMsg = 72

	udiagShowName  = 0x01
	udiagShowPeer  = 0x04
	udiagShowRQLen = 0x10
	unixDiagName   = 0
	unixDiagPeer   = 2
	unixDiagRQLen  = 4
)

// Compile-time size checks against the kernel ABI.
var (
	_ [sizeofUnixDiagReq]byte = [unsafe.Sizeof(unixDiagReq{})]byte{}
	_ [sizeofUnixDiagMsg]byte = [unsafe.Sizeof(unixDiagMsg{})]byte{}
	_ [sizeofInetDiagReq]byte = [unsafe.Sizeof(inetDiagReqV2{})]byte{}
	_ [sizeofInetDiagMsg]byte = [unsafe.Sizeof(inetDiagMsg{})]byte{}
)

// stateName is the kernel's TCP state s (include/net/tcp_states.h) by ss's name.
func stateName(s uint8) string {
	switch s {
	case 1:
		return "ESTAB"
	case 2:
		return "SYN-SENT"
	case 3:
		return "SYN-RECV"
	case 4:
		return "FIN-WAIT-1"
	case 5:
		return "FIN-WAIT-2"
	case 6:
		return "TIME-WAIT"
	case 7:
		return "UNCONN"
	case 8:
		return "CLOSE-WAIT"
	case 9:
		return "LAST-ACK"
	case 10:
		return "LISTEN"
	case 11:
		return "CLOSING"
	}
	return "UNKNOWN(" + strconv.Itoa(int(s)) + ")"
}

func listDiag(f Filter) ([]Socket, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil, fmt.Errorf("netlink sock_diag: %w", err)
	}
	defer unix.Close(fd)
	var socks []Socket
	if f.wants(Unix) {
		req := unixDiagReq{Family: unix.AF_UNIX, States: 0xffffffff, Show: udiagShowName | udiagShowPeer | udiagShowRQLen}
		err := diagDump(fd, unsafe.Slice((*byte)(unsafe.Pointer(&req)), sizeofUnixDiagReq), func(b []byte) {
			if s, ok := parseUnixDiag(b); ok {
				socks = append(socks, s)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	for _, proto := range []struct {
		kind  Kind
		proto uint8
	}{{TCP, unix.IPPROTO_TCP}, {UDP, unix.IPPROTO_UDP}} {
		if !f.wants(proto.kind) {
			continue
		}
		for _, fam := range []uint8{unix.AF_INET, unix.AF_INET6} {
			req := inetDiagReqV2{Family: fam, Protocol: proto.proto, States: 0xffffffff}
			err := diagDump(fd, unsafe.Slice((*byte)(unsafe.Pointer(&req)), sizeofInetDiagReq), func(b []byte) {
				if s, ok := parseInetDiag(proto.kind, b); ok {
					socks = append(socks, s)
				}
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return socks, nil
}

// diagDump sends one SOCK_DIAG_BY_FAMILY dump request and calls each for every reply payload.
func diagDump(fd int, req []byte, each func([]byte)) error {
	hdr := unix.NlMsghdr{
		Len:   uint32(unix.NLMSG_HDRLEN + len(req)),
		Type:  unix.SOCK_DIAG_BY_FAMILY,
		Flags: unix.NLM_F_REQUEST | unix.NLM_F_DUMP,
		Seq:   1,
	}
	msg := append(unsafe.Slice((*byte)(unsafe.Pointer(&hdr)), unix.NLMSG_HDRLEN), req...)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("netlink sock_diag: %w", err)
	}
	buf := make([]byte, 1<<16)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("netlink sock_diag: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return fmt.Errorf("netlink sock_diag: %w", err)
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case unix.NLMSG_DONE:
				return nil
			case unix.NLMSG_ERROR:
				if len(m.Data) >= 4 {
					if e := int32(binary.NativeEndian.Uint32(m.Data)); e != 0 {
						return fmt.Errorf("netlink sock_diag: %w", unix.Errno(-e))
					}
				}
				return nil
			default:
				each(m.Data)
			}
		}
	}
}

// attrs walks the rtattr list in b.
func attrs(b []byte, each func(typ uint16, val []byte)) {
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b))
		typ := binary.NativeEndian.Uint16(b[2:])
		if l < 4 || l > len(b) {
			return
		}
		each(typ, b[4:l])
		l = (l + 3) &^ 3
		if l > len(b) {
			return
		}
		b = b[l:]
	}
}

// unixType is the Kind of a UNIX socket of type typ (SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET).
func unixType(typ uint8) (Kind, bool) {
	switch typ {
	case unix.SOCK_STREAM:
		return Unix, true
	case unix.SOCK_DGRAM:
		return UnixDgram, true
	case unix.SOCK_SEQPACKET:
		return UnixSeqpacket, true
	}
	return 0, false
}

func parseUnixDiag(b []byte) (Socket, bool) {
	if len(b) < sizeofUnixDiagMsg {
		return Socket{}, false
	}
	m := (*unixDiagMsg)(unsafe.Pointer(&b[0]))
	kind, ok := unixType(m.Type)
	if !ok {
		return Socket{}, false
	}
	s := Socket{Kind: kind, State: stateName(m.State), Inode: uint64(m.Ino), RecvQ: -1, SendQ: -1, UID: -1}
	attrs(b[sizeofUnixDiagMsg:], func(typ uint16, val []byte) {
		switch typ {
		case unixDiagName:
			s.Local = unixName(val)
		case unixDiagPeer:
			if len(val) >= 4 {
				s.PeerInode = uint64(binary.NativeEndian.Uint32(val))
			}
		case unixDiagRQLen:
			if len(val) >= 8 {
				s.RecvQ = int64(binary.NativeEndian.Uint32(val))
				s.SendQ = int64(binary.NativeEndian.Uint32(val[4:]))
			}
		}
	})
	return s, true
}

// unixName formats a sun_path: "@name" for an abstract one (leading NUL), with what a terminal
// would not show as itself escaped (Printable): an abstract name is any bytes, NULs and escape
// sequences included, chosen by whoever bound it.
func unixName(b []byte) string {
	if len(b) > 0 && b[0] == 0 {
		return "@" + Printable(string(b[1:]))
	}
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return Printable(string(b))
}

func parseInetDiag(kind Kind, b []byte) (Socket, bool) {
	if len(b) < sizeofInetDiagMsg {
		return Socket{}, false
	}
	m := (*inetDiagMsg)(unsafe.Pointer(&b[0]))
	s := Socket{Kind: kind, State: stateName(m.State), Inode: uint64(m.Inode),
		RecvQ: int64(m.RQueue), SendQ: int64(m.WQueue), UID: int(m.UID)}
	if kind == UDP && m.State == 1 {
		s.State = "ESTAB"
	}
	ipOf := func(a [16]byte) net.IP {
		if m.Family == unix.AF_INET {
			return net.IP(append([]byte(nil), a[:4]...))
		}
		return net.IP(append([]byte(nil), a[:]...))
	}
	sport := int(binary.BigEndian.Uint16(m.ID.Sport[:]))
	dport := int(binary.BigEndian.Uint16(m.ID.Dport[:]))
	s.Local = net.JoinHostPort(ipOf(m.ID.Src).String(), strconv.Itoa(sport))
	if dport != 0 {
		s.Peer = net.JoinHostPort(ipOf(m.ID.Dst).String(), strconv.Itoa(dport))
	}
	return s, true
}

// socketOwners maps socket inodes to the processes holding them, from /proc/PID/fd.
func socketOwners() map[uint64][]Proc {
	owners := map[uint64][]Proc{}
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		dir := "/proc/" + p.Name() + "/fd/"
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		var comm string
		for _, f := range fds {
			link, err := os.Readlink(dir + f.Name())
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			ino, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]"), 10, 64)
			if err != nil {
				continue
			}
			if comm == "" {
				b, _ := os.ReadFile("/proc/" + p.Name() + "/comm")
				// a program's name is its file's, which anyone may choose: escape it as a name
				comm = Printable(strings.TrimSuffix(string(b), "\n"))
			}
			n, _ := strconv.Atoi(f.Name())
			owners[ino] = append(owners[ino], Proc{PID: pid, Command: comm, FD: n})
		}
	}
	return owners
}
