//go:build linux

package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"
)

// IsChild says whether this process is a run's echoing end (ipcx re-executed by Run).
func IsChild() bool {
	_, ok := os.LookupEnv(envChild)
	return ok
}

// Child is the echoing end of a run: ipcx re-executed by Run with the spec in the environment, the
// control channel on fd 3 and the mechanism's descriptors from fd 4. It pins its locked thread
// where the spec says, opens its end, says it is ready, and then does what the control channel
// asks until told to quit or the channel closes. It dies with the parent (PR_SET_PDEATHSIG, set
// by Run) and leaves Ctrl-C to it. It returns the exit code; what went wrong goes to stderr,
// which the parent reports.
func Child() int {
	runtime.LockOSThread()
	signal.Ignore(syscall.SIGINT, syscall.SIGQUIT)
	var sp spec
	if err := json.Unmarshal([]byte(os.Getenv(envChild)), &sp); err != nil {
		fmt.Fprintf(os.Stderr, "bad run description: %v\n", err)
		return 1
	}
	os.Unsetenv(envChild)
	if os.Getppid() != sp.ParentPid {
		return 1 // the parent is gone already
	}
	if sp.CPU >= 0 {
		if err := pin(sp.CPU); err != nil {
			fmt.Fprintf(os.Stderr, "pin to CPU %d: %v\n", sp.CPU, err)
			return 1
		}
	}
	m := mechanismByName(sp.Mech)
	if m == nil {
		fmt.Fprintf(os.Stderr, "unknown mechanism %q\n", sp.Mech)
		return 1
	}
	var files []*os.File
	for i := 0; i < sp.Files; i++ {
		files = append(files, os.NewFile(uintptr(4+i), fmt.Sprint("fd", 4+i)))
	}
	keep = append(keep, files) // a collected *os.File closes its descriptor
	e, info, err := m.child(&sp, files)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", sp.Mech, err)
		return 1
	}
	debug.SetGCPercent(-1)
	c := &ctl{fd: 3}
	if err := c.put(opReady, info, int64(getcpu()), 0); err != nil {
		return 1
	}

	f := newFrame(sp.Size)
	data := m.kind == carriesData
	for {
		w, err := c.get()
		if err != nil {
			return 0 // the parent is done or gone
		}
		switch w[0] {
		case opEcho:
			runtime.GC()
			cpu, err := m.loop(sp.CPU, func() error {
				// from the loop's own thread: the first round trip is not the thread's start
				if err := c.put(opLooping, 0, 0, 0); err != nil {
					return errPeerGone
				}
				return echoLoop(e, f, data, w[1])
			})
			if err != nil {
				return childFail(sp.Mech, err)
			}
			if c.put(opDone, 0, int64(cpu), 0) != nil {
				return 0
			}
		case opSink:
			runtime.GC()
			var got int64
			var d time.Duration
			cpu, err := m.loop(sp.CPU, func() (err error) {
				if m.lossy {
					got, d, err = lossySinkLoop(e.(*fdDgram), f, uint64(w[2]))
				} else {
					got = w[1]
					d, err = sinkLoop(e, f, w[1])
				}
				return err
			})
			if err != nil {
				return childFail(sp.Mech, err)
			}
			if c.put(opDone, got, int64(d), int64(cpu)) != nil {
				return 0
			}
		case opQuit:
			return 0
		default:
			fmt.Fprintf(os.Stderr, "unknown request %d\n", w[0])
			return 1
		}
	}
}

func childFail(mech string, err error) int {
	if err == errPeerGone {
		return 0 // the parent ended the run
	}
	fmt.Fprintf(os.Stderr, "%s: %v\n", mech, err)
	return 1
}
