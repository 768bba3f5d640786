//go:build linux

package inventory

import (
	"testing"

	"github.com/ipcx/ipcx/internal/sysv"
)

// BenchmarkList lists 5,000 System V queues and 3,000 segments with holders (the shape of the
// scripts/bench.d/inventory.sh benchmark, smaller).
func BenchmarkList(b *testing.B) {
	var ids, shms []sysv.ID
	b.Cleanup(func() {
		for _, id := range ids {
			sysv.MsgRemove(id)
		}
		for _, id := range shms {
			sysv.ShmRemove(id)
		}
	})
	for i := 0; i < 5000; i++ {
		if i >= 3000 {
			id, err := sysv.MsgGet(sysv.Private, sysv.Create|0o600)
			if err != nil {
				b.Fatal(err)
			}
			ids = append(ids, id)
			continue
		}
		id, err := sysv.MsgGet(sysv.Private, sysv.Create|0o600)
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
		id, err = sysv.ShmGet(sysv.Private, 4096, sysv.Create|0o600)
		if err != nil {
			b.Fatal(err)
		}
		shms = append(shms, id)
	}
	var ns Namespace
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inv, err := ns.List(Options{Holders: true, QueueAttrs: true})
		if err != nil || len(inv.Objects) < 8000 {
			b.Fatal(err, len(inv.Objects))
		}
	}
}
