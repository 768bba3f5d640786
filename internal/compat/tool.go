package compat

import (
	"fmt"
	"strconv"
	"strings"
)

// failure is an error of ipcs, ipcrm or ipcmk, printed the way util-linux prints it: "TOOL: msg",
// then optionally a hint and util-linux's "Try 'TOOL --help'" line. Exit status 1, as util-linux.
type failure struct {
	tool    string
	msg     string
	hint    string
	tryHelp bool
}

func (e *failure) Error() string { return e.tool + ": " + e.msg }

func (e *failure) withHint(h string) *failure { e.hint = h; return e }

func failf(tool, format string, args ...any) *failure {
	return &failure{tool: tool, msg: fmt.Sprintf(format, args...)}
}

// usagef is a failure with the "Try" line: a command line util-linux refuses.
func usagef(tool, format string, args ...any) *failure {
	return &failure{tool: tool, msg: fmt.Sprintf(format, args...), tryHelp: true}
}

// exit prints err as the tool does and returns the ExitStatus to end with: a failure or an
// OptionError is printed, with status 1; other errors (NamespaceError: ipcx's own) pass through.
func (env *Env) exit(err error) error {
	switch e := err.(type) {
	case nil:
		return nil
	case *OptionError:
		return env.exit(&failure{tool: e.Prog, msg: e.Msg, tryHelp: true})
	case *failure:
		fmt.Fprintf(env.Stderr, "%s: %s\n", e.tool, e.msg)
		if e.hint != "" {
			fmt.Fprintf(env.Stderr, "%s: hint: %s\n", e.tool, e.hint)
		}
		if e.tryHelp {
			fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", e.tool)
		}
		return ExitStatus(1)
	}
	return err
}

// open returns the System of --ns (or of env.NS).
func (env *Env) open(ns string, given bool) (System, error) {
	if !given {
		ns = env.NS
	}
	return env.Open(ns)
}

// UtilLinuxVersion is the util-linux release whose tools the compat modes reproduce: what their
// -V prints (ipcx --version prints ipcx's own version).
const UtilLinuxVersion = "2.41.5"

// version prints what util-linux's print_version prints: "TOOL from util-linux 2.41.5".
func (env *Env) version(tool string) error {
	fmt.Fprintf(env.Stdout, "%s from util-linux %s\n", tool, UtilLinuxVersion)
	return nil
}

// parseS32 reads a number as util-linux's strtos32_or_err does (strtol(3) in base 10: leading
// blanks, a sign), or fails with its message.
func parseS32(tool, what, s string) (int32, error) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	n, err := strconv.ParseInt(t, 10, 32)
	if err == nil {
		return int32(n), nil
	}
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return 0, failf(tool, "failed to parse %s argument: '%s': Numerical result out of range", what, s)
	}
	return 0, failf(tool, "failed to parse %s argument: '%s'", what, s)
}
