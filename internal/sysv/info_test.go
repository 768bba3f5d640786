//go:build linux

package sysv

import "testing"

// The *_INFO calls count what exists: a queue made here is one of Msgpool, and the limits they
// return beside the counts are the kernel's (Msgmax, Semmsl above 0).
func TestInfo(t *testing.T) {
	id, err := MsgGet(Private, Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer MsgRemove(id)
	mi, err := GetMsgInfo()
	if err != nil || mi.Msgpool < 1 || mi.Msgmax <= 0 {
		t.Errorf("GetMsgInfo with a queue: %+v, %v", mi, err)
	}
	if si, err := GetShmInfo(); err != nil || si.UsedIDs < 0 {
		t.Errorf("GetShmInfo: %+v, %v", si, err)
	}
	if sm, err := GetSemInfo(); err != nil || sm.Semmsl <= 0 {
		t.Errorf("GetSemInfo: %+v, %v", sm, err)
	}
}

// MsgQueueOf gives the record /proc/sysvipc/msg gives, and the byte limit /proc does not show.
func TestMsgQueueOf(t *testing.T) {
	id, err := MsgGet(Private, Create|0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer MsgRemove(id)
	q, err := MsgQueueOf(id)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := MsgQueues()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range qs {
		if p.ID != id {
			continue
		}
		if q.QBytes == 0 || p.QBytes != 0 {
			t.Errorf("QBytes: IPC_STAT %d, /proc %d; want the limit, and 0", q.QBytes, p.QBytes)
		}
		p.QBytes = q.QBytes
		if *q.CTime != *p.CTime {
			t.Errorf("CTime: IPC_STAT %v, /proc %v", q.CTime, p.CTime)
		}
		q.CTime, p.CTime = nil, nil
		if q != p {
			t.Errorf("MsgQueueOf = %+v\n /proc gives %+v", q, p)
		}
		return
	}
	t.Errorf("queue %d not in /proc/sysvipc/msg", id)
}
