package render

import (
	"os/user"
	"strconv"
	"sync"
)

var userNames, groupNames sync.Map

// UserName returns the login name of uid, or the number when it has none. Names are looked up
// once per uid.
func UserName(uid uint32) string {
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

// GroupName returns the name of gid, or the number when it has none. Names are looked up once
// per gid.
func GroupName(gid uint32) string {
	if n, ok := groupNames.Load(gid); ok {
		return n.(string)
	}
	name := strconv.FormatUint(uint64(gid), 10)
	if g, err := user.LookupGroupId(name); err == nil {
		name = g.Name
	}
	groupNames.Store(gid, name)
	return name
}
