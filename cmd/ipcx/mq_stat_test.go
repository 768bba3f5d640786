package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/sysv"
)

// TestMqStatOutput pins the table for people (TTY: human sizes and times) and for scripts (exact
// values, RFC 3339), and the JSON field names.
func TestMqStatOutput(t *testing.T) {
	id, err := sysv.MsgGet(sysv.Private, sysv.Create|0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer sysv.MsgRemove(id)
	ds, _ := sysv.MsgStat(id)
	ds.Qbytes = 12 << 10 // below msgmnb: raising above it needs CAP_SYS_RESOURCE
	if err := sysv.MsgSet(id, ds); err != nil {
		t.Fatal(err)
	}
	for _, tty := range []bool{true, false} {
		ios, _, out, _ := iostreams.Test()
		ios.OutTTY = tty
		if err := mqStatRun(&mqStatOptions{io: ios, addr: fmt.Sprintf("id:%d", id)}); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if len(lines) != 2 {
			t.Fatalf("tty=%v: %d lines:\n%s", tty, len(lines), out)
		}
		if got := strings.Fields(lines[0]); strings.Join(got, " ") != "KEY ID MODE OWNER MESSAGES BYTES QBYTES LSPID LRPID STIME RTIME CTIME" {
			t.Errorf("tty=%v: header %q", tty, lines[0])
		}
		f := strings.Fields(lines[1])
		wantQ := "12288"
		if tty {
			wantQ = "12K" // sizes human in tables for people
		}
		if f[0] != "0x00000000" || f[1] != fmt.Sprint(id) || f[2] != "0640" || f[6] != wantQ || f[9] != "-" || f[10] != "-" {
			t.Errorf("tty=%v: row %q", tty, lines[1])
		}
		if strings.HasSuffix(lines[1], " ") {
			t.Errorf("tty=%v: trailing blanks", tty)
		}
		if !tty && !strings.HasSuffix(f[len(f)-1], "Z") {
			t.Errorf("piped: ctime %q is not RFC 3339 UTC", f[len(f)-1])
		}
	}
	ios, _, out, _ := iostreams.Test()
	if err := mqStatRun(&mqStatOptions{io: ios, addr: fmt.Sprintf("id:%d", id), json: true}); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"flavor": "sysv"`, `"address": "id:`, `"key": "0x00000000"`, `"id": `, `"qbytes": 12288`, `"lspid": 0`,
		`"lrpid": 0`, `"messages": 0`, `"bytes": 0`, `"mode": "0640"`, `"uid": `, `"gid": `, `"owner": `, `"ctime": "`} {
		if !strings.Contains(out.String(), field) {
			t.Errorf("JSON lacks %s:\n%s", field, out)
		}
	}
}
