package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"testing"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
)

// createJSON runs ipcx with args (a create --json) and returns the object it printed.
func createJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	if code := run(args, ios); code != 0 {
		t.Fatalf("ipcx %v: exit %d: %s", args, code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("ipcx %v: %v in %q", args, err, out)
	}
	return m
}

func sortedKeys(m map[string]any) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestCreateJSONFields pins the fields and values scripts read from sem create --json and shm
// create --json, for both flavors: renaming or dropping one breaks scripts.
func TestCreateJSONFields(t *testing.T) {
	name := fmt.Sprintf("/ipcx-cj-%d", os.Getpid())
	defer posix.SemUnlink(name)
	defer posix.ShmUnlink(name)

	check := func(what string, got map[string]any, want map[string]any) {
		t.Helper()
		if !reflect.DeepEqual(sortedKeys(got), sortedKeys(want)) {
			t.Errorf("%s fields %v, want %v", what, sortedKeys(got), sortedKeys(want))
		}
		for k, v := range want {
			if v != nil && !reflect.DeepEqual(got[k], v) {
				t.Errorf("%s %q = %#v, want %#v", what, k, got[k], v)
			}
		}
	}

	got := createJSON(t, "sem", "create", name, "--value", "3", "--mode", "0640", "--json")
	check("sem create POSIX", got, map[string]any{"address": name, "flavor": "posix", "name": name, "mode": "0640",
		"created": true, "nsems": 1.0, "values": []any{3.0}})
	got = createJSON(t, "sem", "create", name, "--json")
	check("sem create POSIX again", got, map[string]any{"address": name, "flavor": "posix", "name": name, "mode": "0640",
		"created": false, "nsems": 1.0, "values": []any{3.0}})

	got = createJSON(t, "sem", "create", "private", "--nsems", "2", "--value", "5", "--json")
	id, _ := got["id"].(float64)
	defer sysv.SemRemove(sysv.ID(id))
	check("sem create System V", got, map[string]any{"address": fmt.Sprintf("id:%d", int(id)), "flavor": "sysv", "key": "0x00000000",
		"id": nil, "mode": "0600", "created": true, "nsems": 2.0, "values": []any{5.0, 5.0}})

	got = createJSON(t, "shm", "create", name, "--size", "8K", "--mode", "0604", "--json")
	check("shm create POSIX", got, map[string]any{"address": name, "flavor": "posix", "name": name, "mode": "0604",
		"created": true, "size": 8192.0})

	got = createJSON(t, "shm", "create", "private", "--size", "4096", "--json")
	id, _ = got["id"].(float64)
	defer sysv.ShmRemove(sysv.ID(id))
	check("shm create System V", got, map[string]any{"address": fmt.Sprintf("id:%d", int(id)), "flavor": "sysv", "key": "0x00000000",
		"id": nil, "mode": "0600", "created": true, "size": 4096.0})
}
