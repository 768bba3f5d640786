package main

import (
	"fmt"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/escape"
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/render"
)

// reportCreated prints what a create made or found: the JSON object out with --json, else its
// address. When the report cannot be written (a full disk, a closed terminal), an object this
// run made is removed again with remove: nobody was told its id, so nobody would remove it.
func reportCreated(ios *iostreams.IOStreams, obj failure.Object, json bool, out any, made ipc.Made, remove func(addr.Addr) error) error {
	var err error
	if json {
		err = render.JSON(ios.Out, out)
	} else {
		_, err = fmt.Fprintln(ios.Out, escape.Name(made.Address()))
	}
	if err == nil {
		return nil
	}
	err = iostreams.Output(ios.Out, err)
	if !made.Created {
		return obj.Explain(err)
	}
	a, perr := addr.Parse(made.Address())
	if perr == nil {
		perr = remove(a)
	}
	if perr != nil {
		return obj.Explain(&failure.Progress{Err: err, After: fmt.Sprintf("; the new %s %s is left (%v)", obj.What, escape.Name(made.Address()), perr)})
	}
	return obj.Explain(&failure.Progress{Err: err, After: fmt.Sprintf("; the new %s was removed", obj.What)})
}
