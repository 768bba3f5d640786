package main

import (
	"reflect"
	"testing"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
)

// TestStreamJSONFields pins the JSON field names scripts rely on.
func TestStreamJSONFields(t *testing.T) {
	one, n64 := 1, int64(1)
	s := "x"
	tests := []struct {
		v    any
		want []string
	}{
		{fifoStatus{Buffered: &one, Capacity: &one}, []string{"buffered", "capacity", "gid", "mode", "open", "owner", "path", "readers", "uid", "writers"}},
		{fifoHolder{}, []string{"command", "fd", "pid"}},
		{pipeInfo{}, []string{"defaultCapacity", "maxSize", "pageSize", "pipeBuf", "userPagesHard", "userPagesSoft"}},
		{sockRow{UID: &one, PeerInode: 1}, []string{"inode", "kind", "local", "peer", "peerInode", "processes", "recvQ", "sendQ", "state", "uid"}},
		{sockProc{}, []string{"command", "fd", "pid"}},
		{sockEvent{Address: "a", Peer: "p", PID: &one, UID: &one, GID: &one, BytesIn: &n64, BytesOut: &n64, Status: &one, Data: &s, Data64: "x", Error: "e"},
			[]string{"address", "bytesIn", "bytesOut", "data", "dataBase64", "error", "event", "gid", "peer", "pid", "status", "time", "uid"}},
	}
	for _, tt := range tests {
		if got := jsonFields(t, tt.v); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%T JSON fields %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestSockListenValidation(t *testing.T) {
	tests := []struct {
		args []string
		ok   bool
	}{
		{[]string{"--echo", "--http-echo", "tcp:127.0.0.1:0"}, false},
		{[]string{"--exec", "cat", "udp:127.0.0.1:0"}, false},
		{[]string{"--http-echo", "unix-dgram:@x"}, false},
		{[]string{"--keep", "udp:127.0.0.1:0"}, false},
		{[]string{"--keep", "--once", "unix:@x"}, false},
		{[]string{"--keep", "--max-conns", "0", "unix:@x"}, false},
		{[]string{"--mode", "888", "unix:/tmp/x"}, false},
		{[]string{"tcp:[::1]"}, false},
	}
	for _, tt := range tests {
		ios, _, _, _ := iostreams.Test()
		c := newSockListenCmd(ios, nil)
		c.SetArgs(tt.args)
		err := c.Execute()
		if failure.Code(err) != failure.Usage {
			t.Errorf("listen %q: %v, want a usage error", tt.args, err)
		}
	}
}

func TestSockSendArgs(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *sockSendOptions
	c := newSockSendCmd(ios, func(o *sockSendOptions) error { got = o; return nil })
	c.SetArgs([]string{"--timeout", "2s", "udp:127.0.0.1:53", "payload"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.addr != "udp:127.0.0.1:53" || got.data == nil || *got.data != "payload" || got.timeout.Seconds() != 2 {
		t.Fatalf("options %+v", got)
	}
}
