//go:build linux

package complete

import (
	"strings"

	"github.com/ipcx/ipcx/internal/sig"
)

// Signals are the names of the signals (sig.List: 1 to 31 and RTMIN to RTMAX) that start with
// prefix, each in both forms, TERM and SIGTERM, described as sig list describes them. Case does
// not matter to sig.Parse, so a prefix in lower case is completed in lower case. With zero, 0
// (send nothing, check the target) is offered too.
func Signals(prefix string, zero bool) Result {
	lower := prefix != "" && prefix == strings.ToLower(prefix) && prefix != strings.ToUpper(prefix)
	up := strings.ToUpper(prefix)
	var r Result
	add := func(v, desc string) {
		if strings.HasPrefix(v, up) {
			if lower {
				v = strings.ToLower(v)
			}
			r.Candidates = append(r.Candidates, Candidate{Value: v, Description: desc})
		}
	}
	if zero {
		add("0", "send nothing: check that the target exists and may be signalled")
	}
	for _, s := range sig.List() {
		add(s.String(), s.Description())
	}
	for _, s := range sig.List() {
		add("SIG"+s.String(), s.Description())
	}
	return r
}
