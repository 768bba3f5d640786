package inventory

import (
	"strings"
)

// Problem is what Audit flags.
type Problem string

// The problems.
const (
	World  Problem = "world"  // others may read or write the object
	Group  Problem = "group"  // other members of its group may read or write it
	Orphan Problem = "orphan" // no live process holds it and its creator is gone
	Full   Problem = "limit"  // a limit on the namespace's total is more than FullPercent used
)

// FullPercent is the use of a global limit, in percent, above which Audit flags it.
const FullPercent = 80

// Finding is one problem Audit found, with an Object or a Limit.
type Finding struct {
	Problem Problem
	Object  *Object
	// Access are the permission bits (rwx) the mode gives others (World) or the group (Group).
	Access uint32
	Limit  *Limit
}

// Audit checks objs and the limits lims: an object whose mode lets others (World) or else its
// group (Group) read or write it, an object that is an orphan, and a global limit more than
// FullPercent used. The findings of an object come in that order, the objects' in the order of
// objs, then the limits'.
func Audit(objs []Object, lims []Limit) []Finding {
	var found []Finding
	for i := range objs {
		o := &objs[i]
		mode := o.Mode & 0o777
		switch {
		case mode&0o006 != 0:
			found = append(found, Finding{Problem: World, Object: o, Access: mode & 0o007})
		case mode&0o060 != 0:
			found = append(found, Finding{Problem: Group, Object: o, Access: (mode >> 3) & 0o007})
		}
		if o.HoldersKnown && o.Orphaned {
			found = append(found, Finding{Problem: Orphan, Object: o})
		}
	}
	for i := range lims {
		if l := &lims[i]; l.Global && l.Percent() > FullPercent {
			found = append(found, Finding{Problem: Full, Limit: l})
		}
	}
	return found
}

// File is the file of a POSIX object, where its mode can change: /dev/mqueue/NAME for a queue,
// /dev/shm/sem.NAME for a semaphore, /dev/shm/NAME for shared memory; "" for System V objects.
func (o *Object) File() string {
	switch {
	case o.Flavor != POSIX:
		return ""
	case o.Kind == MQ:
		return "/dev/mqueue" + o.Name
	case o.Kind == Sem:
		return "/dev/shm/" + semPrefix + o.Name[1:]
	}
	return "/dev/shm" + o.Name
}

// Sysctl is the sysctl(8) name of the file l is read from: kernel.msgmni, fs.mqueue.queues_max.
func (l Limit) Sysctl() string {
	name := strings.TrimPrefix(strings.TrimPrefix(l.Source, "/proc/sys/"), "/")
	return strings.ReplaceAll(name, "/", ".")
}
