package main

import (
	"os/user"
	"strconv"
	"sync"
)

var userNames sync.Map

// userName returns the login name of uid, or the number when it has none.
func userName(uid uint32) string {
	if n, ok := userNames.Load(uid); ok {
		return n.(string)
	}
	name := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	userNames.Store(uid, name)
	return name
}
