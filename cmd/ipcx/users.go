package main

import "github.com/ipcx/ipcx/internal/render"

// userName and groupName forward to render for the files that still call them (fifo_stat.go,
// ipcs.go).
func userName(uid uint32) string  { return render.UserName(uid) }
func groupName(gid uint32) string { return render.GroupName(gid) }
