//go:build linux

package posix

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeRoot makes a directory standing for another process's root, and a "host" directory with a
// decoy file that a link planted in the root points at.
func fakeRoot(t *testing.T) (root, host string) {
	t.Helper()
	root, host = t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(host, "decoy"), []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return root, host
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestOpenDirInRootRefusesLinks: every way of making /dev/shm of a root lead elsewhere — an
// absolute or relative link at /dev/shm, a link at /dev, a link escaping with "..": each is a
// *SymlinkError naming the link and its target, through openat2 and through the walk alike.
func TestOpenDirInRootRefusesLinks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		plant    func(root, host string)
		wantPath string
	}{
		{"absolute shm", func(root, host string) { mustSymlink(t, host, root+"/dev/shm") }, "/dev/shm"},
		{"relative shm", func(root, host string) {
			os.MkdirAll(root+"/elsewhere", 0o755)
			mustSymlink(t, "../elsewhere", root+"/dev/shm")
		}, "/dev/shm"},
		{"escaping shm", func(root, host string) { mustSymlink(t, "../../../../../../../.."+host, root+"/dev/shm") }, "/dev/shm"},
		{"absolute dev", func(root, host string) {
			os.MkdirAll(host+"/shm", 0o755)
			mustSymlink(t, host, root+"/dev")
		}, "/dev"},
	} {
		for _, walk := range []bool{false, true} {
			root, host := fakeRoot(t)
			tc.plant(root, host)
			var d *DirFD
			var err error
			if walk {
				rfd, oerr := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
				if oerr != nil {
					t.Fatal(oerr)
				}
				d, err = walkInRoot(rfd, "dev/shm")
				unix.Close(rfd)
			} else {
				d, err = OpenDirInRoot(root, "/dev/shm")
			}
			if err == nil {
				names, _ := d.Names()
				d.Close()
				t.Errorf("%s (walk %v): opened, entries %v", tc.name, walk, names)
				continue
			}
			var le *SymlinkError
			if !errors.As(err, &le) || !errors.Is(err, unix.ELOOP) {
				t.Errorf("%s (walk %v): %v, want a *SymlinkError", tc.name, walk, err)
				continue
			}
			if le.Path != tc.wantPath || le.Target == "" {
				t.Errorf("%s (walk %v): link %q -> %q, want %s and its target", tc.name, walk, le.Path, le.Target, tc.wantPath)
			}
		}
	}
}

// TestDirFDEntries: in a real directory, entries are listed, a regular file is removed, and a
// link inside is neither followed (stat, semaphore value) nor removed, nor its target.
func TestDirFDEntries(t *testing.T) {
	root, host := fakeRoot(t)
	shm := root + "/dev/shm"
	if err := os.MkdirAll(shm, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(shm+"/obj", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(host+"/sem.decoy", make([]byte, SemSize), 0o600); err != nil {
		t.Fatal(err)
	}
	mustSymlink(t, host+"/decoy", shm+"/evil")
	mustSymlink(t, host+"/sem.decoy", shm+"/sem.evil")
	for _, walk := range []bool{false, true} {
		var d *DirFD
		var err error
		if walk {
			rfd, _ := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
			d, err = walkInRoot(rfd, "dev/shm")
			unix.Close(rfd)
		} else {
			d, err = OpenDirInRoot(root, "/dev/shm")
		}
		if err != nil {
			t.Fatal(err)
		}
		names, err := d.Names()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(names)
		if want := []string{"evil", "obj", "sem.evil"}; !slices.Equal(names, want) {
			t.Errorf("names %v, want %v", names, want)
		}
		if d.Path != "/dev/shm" {
			t.Errorf("Path %q", d.Path)
		}
		st, err := d.Lstat("evil")
		if err != nil || st.Mode&unix.S_IFMT != unix.S_IFLNK {
			t.Errorf("Lstat(evil): mode %o, %v: want the link itself", st.Mode, err)
		}
		if target, err := d.Readlink("evil"); err != nil || target != host+"/decoy" {
			t.Errorf("Readlink(evil) = %q, %v", target, err)
		}
		if err := d.UnlinkRegular("evil", 0, 0); !errors.Is(err, unix.EINVAL) {
			t.Errorf("UnlinkRegular(link) = %v, want EINVAL", err)
		}
		if _, err := d.SemStat("sem.evil", "/evil"); !errors.Is(err, unix.EINVAL) {
			t.Errorf("SemStat(link) = %v, want EINVAL", err)
		}
		d.Close()
	}
	for _, p := range []string{shm + "/evil", shm + "/sem.evil", host + "/decoy", host + "/sem.decoy"} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	d, err := OpenDirInRoot(root, "/dev/shm")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st, _ := d.Lstat("obj")
	if err := d.UnlinkRegular("obj", st.Dev, st.Ino+1); !errors.Is(err, unix.ENOENT) {
		t.Errorf("UnlinkRegular(another inode) = %v, want ENOENT", err)
	}
	if err := d.UnlinkRegular("obj", st.Dev, st.Ino); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(shm + "/obj"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("obj still there: %v", err)
	}
}
