//go:build linux

package sock

import (
	"encoding/binary"
	"encoding/hex"
	"net"
	"os"
	"strconv"
	"strings"
)

// listProc reads the sockets from /proc/net, the fallback of List when sock_diag is unavailable.
// /proc/net/unix has no queue sizes and no peers.
func listProc(f Filter) ([]Socket, error) {
	var socks []Socket
	if f.wants(Unix) {
		b, err := os.ReadFile("/proc/net/unix")
		if err != nil {
			return nil, err
		}
		socks = append(socks, parseProcNetUnix(string(b))...)
	}
	for _, src := range []struct {
		kind Kind
		file string
	}{{TCP, "tcp"}, {TCP, "tcp6"}, {UDP, "udp"}, {UDP, "udp6"}} {
		if !f.wants(src.kind) {
			continue
		}
		b, err := os.ReadFile("/proc/net/" + src.file)
		if err != nil {
			if os.IsNotExist(err) {
				continue // no IPv6
			}
			return nil, err
		}
		socks = append(socks, parseProcNetInet(src.kind, string(b))...)
	}
	return socks, nil
}

// parseProcNetUnix parses /proc/net/unix:
// Num RefCount Protocol Flags Type St Inode [Path]
func parseProcNetUnix(s string) []Socket {
	var socks []Socket
	lines := strings.Split(s, "\n")
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		flags, err1 := strconv.ParseUint(f[3], 16, 32)
		typ, err2 := strconv.ParseUint(f[4], 16, 8)
		st, err3 := strconv.ParseUint(f[5], 16, 8)
		ino, err4 := strconv.ParseUint(f[6], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
			continue
		}
		kind, ok := unixType(uint8(typ))
		if !ok {
			continue
		}
		sk := Socket{Kind: kind, Inode: ino, RecvQ: -1, SendQ: -1, UID: -1}
		switch {
		case flags&0x10000 != 0: // __SO_ACCEPTCON
			sk.State = "LISTEN"
		case st == 3: // SS_CONNECTED
			sk.State = "ESTAB"
		case st == 2: // SS_CONNECTING
			sk.State = "SYN-SENT"
		case st == 4: // SS_DISCONNECTING
			sk.State = "CLOSING"
		default:
			sk.State = "UNCONN"
		}
		if len(f) >= 8 {
			// the path is the rest of the line (it may hold spaces); abstract names start with @
			i := strings.Index(line, f[6]) + len(f[6])
			sk.Local = Printable(strings.TrimSpace(line[i:]))
		}
		socks = append(socks, sk)
	}
	return socks
}

// parseProcNetInet parses /proc/net/{tcp,tcp6,udp,udp6}:
// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
func parseProcNetInet(kind Kind, s string) []Socket {
	var socks []Socket
	lines := strings.Split(s, "\n")
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < 10 {
			continue
		}
		local, ok1 := procNetAddr(f[1])
		peer, ok2 := procNetAddr(f[2])
		st, err1 := strconv.ParseUint(f[3], 16, 8)
		tx, rx, ok3 := strings.Cut(f[4], ":")
		txq, err2 := strconv.ParseInt(tx, 16, 64)
		rxq, err3 := strconv.ParseInt(rx, 16, 64)
		uid, err4 := strconv.Atoi(f[7])
		ino, err5 := strconv.ParseUint(f[9], 10, 64)
		if !ok1 || !ok2 || !ok3 || err1 != nil || err2 != nil || err3 != nil || err4 != nil || err5 != nil {
			continue
		}
		sk := Socket{Kind: kind, State: stateName(uint8(st)), Local: local, RecvQ: rxq, SendQ: txq, Inode: ino, UID: uid}
		if !strings.HasSuffix(peer, ":0") {
			sk.Peer = peer
		}
		socks = append(socks, sk)
	}
	return socks
}

// procNetAddr decodes "0100007F:1F90" (IPv4) or 32 hex digits (IPv6, four native-endian words)
// and a hex port.
func procNetAddr(s string) (string, bool) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return "", false
	}
	raw, err := hex.DecodeString(h)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return "", false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return "", false
	}
	ip := make(net.IP, len(raw))
	// each 32-bit word is printed as the number its bytes make in native order
	for i := 0; i < len(raw); i += 4 {
		w := binary.BigEndian.Uint32(raw[i:])
		binary.NativeEndian.PutUint32(ip[i:], w)
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(int(port))), true
}
