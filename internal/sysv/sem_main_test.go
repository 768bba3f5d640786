package sysv

import (
	"testing"

	"github.com/ipcx/ipcx/internal/testns"
)

// TestMain runs the package's tests in a private IPC namespace when root (see testns).
func TestMain(m *testing.M) { testns.Main(m) }
