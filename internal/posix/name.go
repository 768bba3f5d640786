//go:build linux

package posix

import (
	"errors"
	"fmt"
	"strings"
)

// NameMax is the longest object name the kernel takes, without the leading slash (NAME_MAX).
const NameMax = 255

// ErrBadName is wrapped by every name-validation error.
var ErrBadName = errors.New("invalid POSIX IPC name")

// ValidName checks a POSIX IPC name as given by a user: one leading slash, then 1 to NameMax bytes
// with no further slash and no NUL, and not "." or "..".
func ValidName(name string) error {
	switch {
	case !strings.HasPrefix(name, "/"):
		return fmt.Errorf("%w: %q must start with /", ErrBadName, name)
	case name == "/":
		return fmt.Errorf("%w: %q has no name after the /", ErrBadName, name)
	case strings.Contains(name[1:], "/"):
		return fmt.Errorf("%w: %q has a / after the first character", ErrBadName, name)
	case strings.IndexByte(name, 0) >= 0:
		return fmt.Errorf("%w: %q contains a NUL byte", ErrBadName, name)
	case len(name)-1 > NameMax:
		return fmt.Errorf("%w: name is %d bytes long, the limit is %d", ErrBadName, len(name)-1, NameMax)
	case name == "/." || name == "/..":
		return fmt.Errorf("%w: %q is not a usable name", ErrBadName, name)
	}
	return nil
}
