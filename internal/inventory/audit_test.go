package inventory

import (
	"reflect"
	"testing"
)

func TestAudit(t *testing.T) {
	use := func(n int64) *int64 { return &n }
	objs := []Object{
		{Kind: MQ, Flavor: POSIX, Name: "/w", Mode: 0o666},
		{Kind: Sem, Flavor: POSIX, Name: "/g", Mode: 0o640, HoldersKnown: true, Orphaned: true},
		{Kind: Shm, Flavor: SysV, ID: 3, Mode: 0o600 | 0o1000},
		{Kind: Shm, Flavor: POSIX, Name: "/o", Mode: 0o600, Orphaned: true}, // holders unknown
	}
	lims := []Limit{
		{Name: "msgmni", Global: true, Known: true, Value: 10, Use: use(9)},
		{Name: "msgmax", Known: true, Value: 10, Use: use(10)}, // bounds one object
		{Name: "shmmni", Global: true, Known: true, Value: 10, Use: use(8)},
	}
	got := Audit(objs, lims)
	want := []Finding{
		{Problem: World, Object: &objs[0], Access: 0o6},
		{Problem: Group, Object: &objs[1], Access: 0o4},
		{Problem: Orphan, Object: &objs[1]},
		{Problem: Full, Limit: &lims[0]},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Audit = %+v\n want %+v", got, want)
	}
	for o, file := range map[*Object]string{&objs[0]: "/dev/mqueue/w", &objs[1]: "/dev/shm/sem.g", &objs[2]: "", &objs[3]: "/dev/shm/o"} {
		if f := o.File(); f != file {
			t.Errorf("%s %s File() = %q, want %q", o.Kind, o.Address(), f, file)
		}
	}
	if s := (Limit{Source: "/proc/sys/fs/mqueue/queues_max"}).Sysctl(); s != "fs.mqueue.queues_max" {
		t.Errorf("Sysctl = %q", s)
	}
}

// OwnedBy selects what a uid owns or created (rm --all's "your own objects only").
func TestFilterOwnedBy(t *testing.T) {
	me := uint32(1000)
	f := Filter{OwnedBy: &me}
	for _, tt := range []struct {
		uid, cuid uint32
		want      bool
	}{{1000, 0, true}, {0, 1000, true}, {0, 0, false}} {
		if got := f.Match(&Object{UID: tt.uid, CUID: tt.cuid}); got != tt.want {
			t.Errorf("uid %d cuid %d: Match = %v, want %v", tt.uid, tt.cuid, got, tt.want)
		}
	}
}
