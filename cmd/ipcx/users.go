package main

import "github.com/ipcx/ipcx/internal/render"

// userName forwards to render for fifo_stat.go.
func userName(uid uint32) string { return render.UserName(uid) }
