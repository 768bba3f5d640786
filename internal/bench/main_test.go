//go:build linux

package bench

import (
	"testing"

	"github.com/ipcx/ipcx/internal/testns"
)

func TestMain(m *testing.M) { testns.Main(m) }
