package posix

import (
	"testing"

	"github.com/ipcx/ipcx/internal/testns"
)

// TestMain runs the package's tests in a private IPC and mount namespace (a fresh /dev/shm) when
// root (see testns).
func TestMain(m *testing.M) { testns.Main(m) }
