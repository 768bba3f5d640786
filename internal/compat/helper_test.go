package compat

// The helper of the comparison test: this test binary re-executed (IPCX_COMPAT_HELPER set) as pid
// 1 of fresh IPC, mount and pid namespaces. It mounts its own /proc, /dev/mqueue and /dev/shm,
// builds a fixture (objects of several owners and modes, attached and locked segments, a waiter,
// messages, unknown uids, changed limits), runs the commands it is given and prints their output
// as JSON. Each helper starts from nothing, so two helpers given the same fixture see the same
// ids, pids and keys; times differ only between helpers (read-only commands run in one helper).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/ipcx/ipcx/internal/testns"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(helperMain())
	}
	if _, v := testns.Env(); v == "" && os.Geteuid() == 0 {
		// Still in the host's namespaces, where the network is: install the peer now (the tests
		// run in a network namespace of their own) and tell the tests how it went.
		if root, err := installPeer(); err != nil {
			os.Setenv(peerErrEnv, err.Error())
		} else {
			os.Setenv(peerRootEnv, root)
		}
	}
	testns.Enter()
	code := m.Run()
	removePeerCopy()
	os.Exit(code)
}

func helperMain() int {
	fail := func(err error) int { fmt.Fprintf(os.Stderr, "helper: %v\n", err); return 1 }
	var req helperRequest
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		return fail(err)
	}
	if err := helperMounts(); err != nil {
		return fail(err)
	}
	syscall.Umask(0o022)
	// POSIX queues count against their owner's RLIMIT_MSGQUEUE across all namespaces, and a dead
	// namespace's queues are freed lazily: small default queues, so that the helpers never run
	// out (the mqueue sysctls belong to this namespace).
	for f, v := range map[string]string{"msg_default": "4", "msgsize_default": "128"} {
		if err := os.WriteFile("/proc/sys/fs/mqueue/"+f, []byte(v), 0); err != nil {
			return fail(err)
		}
	}
	build, ok := fixtures[req.Fixture]
	if !ok {
		return fail(fmt.Errorf("no fixture %q", req.Fixture))
	}
	if err := build(); err != nil {
		return fail(fmt.Errorf("fixture %s: %w", req.Fixture, err))
	}
	var res []helperResult
	for _, r := range req.Runs {
		var out, errOut bytes.Buffer
		cmd := exec.Command(r.Argv[0], r.Argv[1:]...)
		cmd.Env = []string{"LC_ALL=C", "TZ=UTC", "PATH=/usr/bin:/bin", "HOME=/"}
		cmd.Stdout, cmd.Stderr = &out, &errOut
		cmd.Dir = "/"
		if r.UID != 0 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(r.UID), Gid: uint32(r.UID), Groups: []uint32{}}}
		}
		code := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				return fail(err)
			}
			code = ee.ExitCode()
		}
		hr := helperResult{Stdout: out.String(), Stderr: errOut.String(), Code: code}
		if r.State {
			hr.State = dumpState()
		}
		res = append(res, hr)
	}
	json.NewEncoder(os.Stdout).Encode(res)
	return 0
}

func helperMounts() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mount /proc: %w", err)
	}
	os.MkdirAll("/dev/mqueue", 0o755)
	if err := unix.Mount("mqueue", "/dev/mqueue", "mqueue", 0, ""); err != nil {
		return fmt.Errorf("mount /dev/mqueue: %w", err)
	}
	if err := unix.Mount("tmpfs", "/dev/shm", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777"); err != nil {
		return fmt.Errorf("mount /dev/shm: %w", err)
	}
	return nil
}

// asUser runs fn with the effective uid and gid id (all threads), then returns to root.
func asUser(id int, fn func() error) error {
	if err := syscall.Setresgid(-1, id, -1); err != nil {
		return err
	}
	if err := syscall.Setresuid(-1, id, -1); err != nil {
		return err
	}
	ferr := fn()
	if err := syscall.Setresuid(-1, 0, -1); err != nil {
		panic(err)
	}
	if err := syscall.Setresgid(-1, 0, -1); err != nil {
		panic(err)
	}
	return ferr
}

// Users of the fixtures: root, daemon (1) and nobody (65534) have names on every Debian system;
// 4321 has none.
const (
	uidDaemon  = 1
	uidNobody  = 65534
	uidUnknown = 4321
)

var fixtures = map[string]func() error{
	"empty":  func() error { return nil },
	"full":   fixtureFull,
	"limits": func() error { return firstErr(setLimits(), fixtureFull()) },
	"rm":     fixtureRm,
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func setLimits() error {
	for f, v := range map[string]string{
		"kernel/msgmni": "77", "kernel/msgmax": "4096", "kernel/msgmnb": "8192",
		"kernel/shmmni": "99", "kernel/shmmax": "2097152", "kernel/shmall": "4096",
		"kernel/sem": "100 1000 50 64", "fs/mqueue/queues_max": "50", "fs/mqueue/msg_max": "20",
		"fs/mqueue/msgsize_max": "4096",
	} {
		if err := os.WriteFile("/proc/sys/"+f, []byte(v), 0); err != nil {
			return err
		}
	}
	return nil
}

// fixtureFull: System V queues with messages, segments attached, locked and marked for removal,
// semaphore sets with values and a waiter, and POSIX objects, of several owners, one of them
// without a name.
func fixtureFull() error {
	ctx := context.Background()
	// Queues: 0 root 0644 with two messages, one received; 1 daemon 0600 private; 2 unknown 0666.
	q0, err := sysv.MsgGet(0x1111, sysv.Create|0o644)
	if err != nil {
		return err
	}
	for _, m := range []string{"hello", "world!", "again"} {
		if err := sysv.MsgSnd(ctx, q0, 1, []byte(m), 0); err != nil {
			return err
		}
	}
	buf := make([]byte, 64)
	if _, _, err := sysv.MsgRcv(ctx, q0, buf, 0, 0); err != nil {
		return err
	}
	if err := asUser(uidDaemon, func() error { _, err := sysv.MsgGet(sysv.Private, sysv.Create|0o600); return err }); err != nil {
		return err
	}
	if err := asUser(uidUnknown, func() error { _, err := sysv.MsgGet(0x1113, sysv.Create|0o666); return err }); err != nil {
		return err
	}
	// Segments: 0 root 0640 4096 attached; 1 root 0600 1.5 MB locked; 2 nobody 0664 100 bytes;
	// 3 root attached and marked for removal; 4 unknown 0400 1 MiB.
	s0, err := sysv.ShmGet(0x2222, 4096, sysv.Create|0o640)
	if err != nil {
		return err
	}
	if _, err := sysv.ShmAttach(s0, false); err != nil {
		return err
	}
	s1, err := sysv.ShmGet(0x2223, 1500000, sysv.Create|0o600)
	if err != nil {
		return err
	}
	if _, err := unix.SysvShmCtl(int(s1), 11 /* SHM_LOCK: not in x/sys */, nil); err != nil {
		return fmt.Errorf("SHM_LOCK: %w", err)
	}
	if err := asUser(uidNobody, func() error { _, err := sysv.ShmGet(sysv.Private, 100, sysv.Create|0o664); return err }); err != nil {
		return err
	}
	s3, err := sysv.ShmGet(0x2225, 65536, sysv.Create|0o666)
	if err != nil {
		return err
	}
	if _, err := sysv.ShmAttach(s3, true); err != nil {
		return err
	}
	if err := sysv.ShmRemove(s3); err != nil {
		return err
	}
	if err := asUser(uidUnknown, func() error { _, err := sysv.ShmGet(0x2226, 1<<20, sysv.Create|0o400); return err }); err != nil {
		return err
	}
	// Semaphore sets: 0 root 0600 three semaphores 1 0 5 and a waiter on the second; 1 unknown
	// 0666 one semaphore; 2 daemon 0644 two.
	m0, err := sysv.SemGet(0x3333, 3, sysv.Create|0o600)
	if err != nil {
		return err
	}
	if err := sysv.SemSetAll(m0, []uint16{1, 0, 5}); err != nil {
		return err
	}
	if err := sysv.SemOp(ctx, m0, []sysv.Sembuf{{Num: 0, Op: 1}}); err != nil {
		return err
	}
	if err := asUser(uidUnknown, func() error { _, err := sysv.SemGet(0x3334, 1, sysv.Create|0o666); return err }); err != nil {
		return err
	}
	if err := asUser(uidDaemon, func() error { _, err := sysv.SemGet(0x3335, 2, sysv.Create|0o644); return err }); err != nil {
		return err
	}
	// POSIX: queues /q1 root 0644 with two messages, /q2 daemon 0600; shared memory /s1 root 0600
	// 8 KiB, /s2 nobody 0666 empty, /s3 unknown 0644 1.5 MB; semaphores /m1 root value 3, /m2
	// unknown 0640.
	q1, err := posix.MqOpen("/q1", unix.O_CREAT|unix.O_RDWR, 0o644, &posix.MqAttr{MaxMsg: 10, MsgSize: 64})
	if err != nil {
		return err
	}
	for _, m := range []string{"one", "three"} {
		if err := q1.Send(ctx, []byte(m), 0, true); err != nil {
			return err
		}
	}
	q1.Close()
	if err := asUser(uidDaemon, func() error {
		q, err := posix.MqOpen("/q2", unix.O_CREAT|unix.O_RDWR, 0o600, nil)
		if err == nil {
			q.Close()
		}
		return err
	}); err != nil {
		return err
	}
	shm := func(name string, mode uint32, size int64) error {
		f, _, err := posix.ShmCreate(name, posix.ShmCreateOptions{Mode: mode, Size: size, Exclusive: true})
		if err == nil {
			f.Close()
		}
		return err
	}
	// Names that need quoting in raw, export and JSON output.
	if err := firstErr(shm("/sp ace$`\"q\\x", 0o644, 1), shm("/ctl\x01\ttab", 0o644, 2)); err != nil {
		return err
	}
	if q, err := posix.MqOpen("/ctl\x02 q\\", unix.O_CREAT|unix.O_RDWR, 0o644, &posix.MqAttr{MaxMsg: 2, MsgSize: 16}); err != nil {
		return err
	} else {
		q.Close()
	}
	if err := firstErr(shm("/s1", 0o600, 8192),
		asUser(uidNobody, func() error { return shm("/s2", 0o666, 0) }),
		asUser(uidUnknown, func() error { return shm("/s3", 0o644, 1500000) })); err != nil {
		return err
	}
	sem := func(name string, mode uint32, v uint) error {
		s, err := posix.SemOpen(name, unix.O_CREAT|unix.O_EXCL, mode, v)
		if err == nil {
			s.Close()
		}
		return err
	}
	if err := firstErr(sem("/m1", 0o644, 3), asUser(uidUnknown, func() error { return sem("/m2", 0o640, 0) })); err != nil {
		return err
	}
	// The waiter, once every object is made (the uids above apply to all threads).
	go func() {
		runtime.LockOSThread()
		b := sysv.Sembuf{Num: 1, Op: -1}
		// semop is never restarted after a signal (the runtime's preemption signals among them).
		for {
			_, _, e := unix.Syscall(unix.SYS_SEMOP, uintptr(m0), uintptr(unsafe.Pointer(&b)), 1)
			if e != unix.EINTR {
				fmt.Fprintf(os.Stderr, "helper: waiter: %v\n", e)
				return
			}
		}
	}()
	for i := 0; ; i++ {
		st, err := sysv.SemStates(m0)
		if err != nil {
			return err
		}
		if st[1].Ncnt == 1 {
			return nil
		}
		if i > 2000 {
			return fmt.Errorf("the semaphore waiter does not wait")
		}
		time.Sleep(time.Millisecond)
	}
}

// fixtureRm is what ipcrm removes: one object of each kind and flavor owned by root, one owned by
// daemon (mode 0600: root may remove it, another user may not) and, in /dev/shm, things that are
// not POSIX objects (a directory, a symlink, a file named like a semaphore's prefix only).
func fixtureRm() error {
	for i, o := range []struct {
		uid  int
		key  sysv.Key
		mode int
	}{{0, 0x100, 0o644}, {uidDaemon, 0x101, 0o600}, {uidNobody, 0x102, 0o666}} {
		err := asUser(o.uid, func() error {
			_, e1 := sysv.MsgGet(o.key, sysv.Create|o.mode)
			_, e2 := sysv.ShmGet(o.key, 4096*(i+1), sysv.Create|o.mode)
			_, e3 := sysv.SemGet(o.key, i+1, sysv.Create|o.mode)
			return firstErr(e1, e2, e3)
		})
		if err != nil {
			return err
		}
	}
	// A private object of each kind.
	if _, err := sysv.MsgGet(sysv.Private, sysv.Create|0o600); err != nil {
		return err
	}
	for _, o := range []struct {
		uid  int
		name string
		mode uint32
	}{{0, "/r0", 0o644}, {uidDaemon, "/r1", 0o600}} {
		err := asUser(o.uid, func() error {
			q, e1 := posix.MqOpen(o.name, unix.O_CREAT|unix.O_RDWR, o.mode, &posix.MqAttr{MaxMsg: 4, MsgSize: 128})
			if e1 == nil {
				q.Close()
			}
			f, _, e2 := posix.ShmCreate(o.name, posix.ShmCreateOptions{Mode: o.mode, Size: 100, Exclusive: true})
			if e2 == nil {
				f.Close()
			}
			s, e3 := posix.SemOpen(o.name, unix.O_CREAT|unix.O_EXCL, o.mode, 1)
			if e3 == nil {
				s.Close()
			}
			return firstErr(e1, e2, e3)
		})
		if err != nil {
			return err
		}
	}
	return firstErr(os.Mkdir("/dev/shm/adir", 0o755), os.Symlink("/etc/hostname", "/dev/shm/alink"))
}

// dumpState lists the objects left: the System V tables without their times, and the entries of
// /dev/mqueue and /dev/shm with their type, mode, owner and size.
func dumpState() string {
	var b strings.Builder
	for _, t := range []struct {
		name string
		cols int
	}{{"msg", 11}, {"shm", 11}, {"sem", 8}} {
		data, _ := os.ReadFile("/proc/sysvipc/" + t.name)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		for _, l := range lines[1:] {
			f := strings.Fields(l)
			if len(f) > t.cols {
				f = f[:t.cols]
			}
			fmt.Fprintf(&b, "%s %s\n", t.name, strings.Join(f, " "))
		}
	}
	for _, dir := range []string{"/dev/mqueue", "/dev/shm"} {
		ents, _ := os.ReadDir(dir)
		names := []string{}
		for _, e := range ents {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		for _, n := range names {
			var st unix.Stat_t
			unix.Lstat(filepath.Join(dir, n), &st)
			fmt.Fprintf(&b, "%s/%s %o %d:%d %d\n", dir, n, st.Mode, st.Uid, st.Gid, st.Size)
		}
	}
	return b.String()
}
