package render

import (
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/escape"
	"github.com/ipcx/ipcx/internal/inventory"
)

// The views of inventory objects: ls shows every kind with one set of fields, mq ls, sem ls and
// shm ls (and the nouns' stat) show one kind with its own. The JSON member names are pinned by
// tests; where two views name the same fact differently (ls's "size" is mq ls's "bytes"), each
// keeps the name it has always printed.

type object = *inventory.Object

// Names in JSON. A name is any bytes but the slash; JSON strings carry every valid UTF-8 string
// exactly (a control byte as \u001b), so "name" is the exact name and "address" an address that
// names exactly that object. A name that is not valid UTF-8 cannot be a JSON string: "name" is
// left out (never a near miss, which could name another object), "nameEscaped" is the name as the
// tables print it (package escape) and "address" is esc: and that (package addr), which every
// command accepts.

// AddressJSON is the address of o in JSON: what ipcx accepts to name exactly o.
func AddressJSON(o object) string {
	if o.Flavor == inventory.POSIX && !utf8.ValidString(o.Name) {
		return addr.Escaped(o.Name)
	}
	return o.Address()
}

// nameJSON is o's POSIX name in JSON: left out when empty or when it is not valid UTF-8.
func nameJSON(o object) JSONValue {
	if !utf8.ValidString(o.Name) {
		return JSONOmit()
	}
	return omitEmpty(o.Name)
}

// Cells and values shared by the views.
var (
	flavorField = Field[object]{Header: "FLAVOR", JSON: "flavor",
		Cell: func(o object) string { return string(o.Flavor) }, Value: func(o object) JSONValue { return JSONString(string(o.Flavor)) }}
	addressJSON = Field[object]{JSON: "address", Value: addressValue}
	addressCol  = Field[object]{Header: "ADDRESS", Cell: addressCell}
	addressBoth = Field[object]{Header: "ADDRESS", Cell: addressCell, JSON: "address", Value: addressValue}
	posixName   = Field[object]{Header: "NAME", JSON: "name", Cell: func(o object) string { return escape.Name(o.Name) },
		Value: func(o object) JSONValue { return nameJSON(o) }}
	// nameEscaped carries a name that JSON cannot (one that is not valid UTF-8), escaped.
	nameEscaped = Field[object]{JSON: "nameEscaped", Value: func(o object) JSONValue {
		if utf8.ValidString(o.Name) {
			return JSONOmit()
		}
		return JSONString(escape.Name(o.Name))
	}}
	keyField = Field[object]{Header: "KEY", JSON: "key", Cell: func(o object) string {
		if o.Flavor != inventory.SysV {
			return "-"
		}
		return keyString(o)
	}, Value: func(o object) JSONValue {
		if o.Flavor != inventory.SysV {
			return JSONOmit()
		}
		return JSONString(keyString(o))
	}}
	idField = Field[object]{Header: "ID", JSON: "id", Cell: func(o object) string {
		if o.Flavor != inventory.SysV {
			return "-"
		}
		return Int(o.ID)
	}, Value: func(o object) JSONValue {
		if o.Flavor != inventory.SysV {
			return JSONOmit()
		}
		return JSONInt(o.ID)
	}}
	ownerField = Field[object]{Header: "OWNER", JSON: "owner", Cell: func(o object) string { return UserName(o.UID) },
		Value: func(o object) JSONValue { return JSONString(UserName(o.UID)) }}
	uidField = Field[object]{Header: "UID", JSON: "uid", Cell: func(o object) string { return Int(o.UID) },
		Value: func(o object) JSONValue { return JSONInt(o.UID) }}
	gidField = Field[object]{Header: "GID", JSON: "gid", Cell: func(o object) string { return Int(o.GID) },
		Value: func(o object) JSONValue { return JSONInt(o.GID) }}
	modeField = Field[object]{Header: "MODE", JSON: "mode", Cell: func(o object) string { return Mode(o.Mode & 0o777) },
		Value: func(o object) JSONValue { return JSONString(Mode(o.Mode & 0o777)) }}
	holdersCol  = Field[object]{Header: "HOLDERS", Cell: holdersCell}
	orphanedCol = Field[object]{Header: "ORPHANED", Cell: orphanedCell}
)

func addressCell(o object) string     { return escape.Name(o.Address()) }
func addressValue(o object) JSONValue { return JSONString(AddressJSON(o)) }

func holdersCell(o object) string {
	if len(o.Holders) == 0 {
		return "-"
	}
	s := make([]string, len(o.Holders))
	for i, h := range o.Holders {
		s[i] = strconv.Itoa(h.PID) + "(" + h.Comm + ")"
	}
	return strings.Join(s, ",")
}

func orphanedCell(o object) string {
	switch {
	case !o.HoldersKnown:
		return "?"
	case o.Orphaned:
		return "yes"
	}
	return "no"
}

// keyString is o.Key.String() (0x%08x) without fmt: ls formats tens of thousands of them.
func keyString(o object) string {
	const hex = "0123456789abcdef"
	k := uint32(o.Key)
	b := [10]byte{'0', 'x'}
	for i := 9; i >= 2; i-- {
		b[i] = hex[k&0xf]
		k >>= 4
	}
	return string(b[:])
}

func named(name string, f Field[object]) Field[object] { f.Name = name; return f }

func documented(doc string, f Field[object]) Field[object] { f.JSONDoc = doc; return f }

func omitEmpty(s string) JSONValue {
	if s == "" {
		return JSONOmit()
	}
	return JSONString(s)
}

// timeField is a time column and member: "-" and null (or absent, omit) for never.
func timeField(header, json string, omit bool, get func(o object) time.Time) Field[object] {
	cell := func(human bool) func(o object) string {
		return func(o object) string { return Time(get(o), human) }
	}
	return Field[object]{Header: header, JSON: json, Cell: cell(false), Human: cell(true),
		Value: func(o object) JSONValue {
			switch t := get(o); {
			case !t.IsZero():
				return JSONTime(t)
			case omit:
				return JSONOmit()
			}
			return JSONNull()
		}}
}

// intField is an integer column and member: "-" and absent (null unless omit) when ok says it is
// unknown or does not apply.
func intField(header, json string, omit bool, get func(o object) (int64, bool)) Field[object] {
	return Field[object]{Header: header, JSON: json,
		Cell: func(o object) string {
			if n, ok := get(o); ok {
				return Int(n)
			}
			return "-"
		},
		Value: func(o object) JSONValue {
			n, ok := get(o)
			switch {
			case ok:
				return JSONInt(n)
			case omit:
				return JSONOmit()
			}
			return JSONNull()
		}}
}

// holderJSON is a holder as ls's JSON reports it.
type holderJSON struct {
	PID  int    `json:"pid"`
	Comm string `json:"comm"`
	How  string `json:"how"`
}

// lsTime is a time as ls reports it: in UTC; POSIX shared memory and semaphores to the second,
// as ls has always shown them.
func lsTime(o object, t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	if o.Flavor == inventory.POSIX && o.Kind != inventory.MQ {
		t = t.Truncate(time.Second)
	}
	return t.UTC()
}

// LsFields are the fields of ipcx ls: every kind and flavor in one table. The -o names are in
// the order ls --help lists them; the JSON members in the order ls --json prints them.
//
// The field tables are made on first use (timeField and the like build closures): every command
// links this package, few of them print objects.
var LsFields = sync.OnceValue(func() Fields[object] {
	return Fields[object]{
		{Header: "KIND", JSON: "kind", Cell: func(o object) string { return string(o.Kind) },
			Value: func(o object) JSONValue { return JSONString(string(o.Kind)) }},
		flavorField,
		addressJSON,
		{Header: "NAME", Cell: func(o object) string { // a POSIX name or a System V key
			if o.Flavor == inventory.SysV {
				return keyString(o)
			}
			return escape.Name(o.Name)
		}},
		{JSON: "name", JSONDoc: "name or key and id", Value: func(o object) JSONValue {
			if o.Flavor != inventory.POSIX {
				return JSONOmit()
			}
			return nameJSON(o)
		}},
		documented("-", nameEscaped), // explained in ls --help's NAMES
		documented("-", keyField),
		documented("-", idField),
		addressCol,
		ownerField,
		uidField,
		gidField,
		{JSON: "cuid", Value: func(o object) JSONValue { return JSONInt(o.CUID) }},
		{JSON: "cgid", Value: func(o object) JSONValue { return JSONInt(o.CGID) }},
		modeField,
		{Header: "SIZE", JSON: "size",
			Cell: func(o object) string {
				if o.Size < 0 {
					return "-"
				}
				return Int(o.Size)
			},
			Human: func(o object) string {
				if o.Size < 0 {
					return "-"
				}
				if o.Kind == inventory.Sem {
					return Int(o.Size)
				}
				return HumanSize(o.Size)
			},
			Value: func(o object) JSONValue {
				if o.Size < 0 {
					return JSONNull()
				}
				return JSONInt(o.Size)
			}},
		named("messages", intField("MSGS", "messages", true, func(o object) (int64, bool) { return o.Messages, o.Kind == inventory.MQ && o.Messages >= 0 })),
		intField("CPID", "cpid", true, func(o object) (int64, bool) {
			return int64(o.CPID), o.Flavor == inventory.SysV && o.Kind == inventory.Shm && o.CPID > 0
		}),
		intField("LPID", "lpid", true, func(o object) (int64, bool) { p := o.LastPID(); return int64(p), p > 0 }),
		timeField("CTIME", "ctime", false, func(o object) time.Time { return lsTime(o, o.CTime) }),
		documented("lastOp (RFC 3339)", timeField("LASTOP", "lastOp", false, func(o object) time.Time { return lsTime(o, o.LastOp()) })),
		{Header: "HOLDERS", Cell: holdersCell, JSON: "holders", JSONDoc: "holders [{pid, comm, how}]", Value: func(o object) JSONValue {
			if len(o.Holders) == 0 {
				return JSONRaw("[]")
			}
			hs := make([]holderJSON, len(o.Holders))
			for i, h := range o.Holders {
				hs[i] = holderJSON{PID: h.PID, Comm: h.Comm, How: h.How}
			}
			return JSONAny(hs)
		}},
		{Header: "ORPHANED", Cell: orphanedCell, JSON: "orphaned", Value: func(o object) JSONValue {
			if !o.HoldersKnown {
				return JSONNull()
			}
			return JSONBool(o.Orphaned)
		}},
	}
})

// LsDefault are the columns ls shows without -o.
var LsDefault = []string{"kind", "flavor", "name", "id", "owner", "mode", "size", "cpid", "lpid", "ctime", "holders"}

// kindMode is a mode as the per-kind views show it: the permission bits, and for POSIX objects
// the set-id and sticky bits too (a System V segment's SHM_DEST and SHM_LOCKED are not modes).
var kindMode = Field[object]{Header: "MODE", JSON: "mode", Cell: func(o object) string { return kindModeOf(o) },
	Value: func(o object) JSONValue { return JSONString(kindModeOf(o)) }}

func kindModeOf(o object) string {
	if o.Flavor == inventory.SysV && o.Kind == inventory.Shm {
		return Mode(o.Mode & 0o777)
	}
	return Mode(o.Mode)
}

// sizeField is a byte count column (human on a terminal) and member: "-" and null, or absent when
// omit, when ok says it is unknown.
func sizeField(header, json string, omit bool, get func(o object) (int64, bool)) Field[object] {
	cell := func(human bool) func(o object) string {
		return func(o object) string {
			if n, ok := get(o); ok {
				return Size(n, human)
			}
			return "-"
		}
	}
	return Field[object]{Header: header, JSON: json, Cell: cell(false), Human: cell(true),
		Value: func(o object) JSONValue {
			n, ok := get(o)
			switch {
			case ok:
				return JSONInt(n)
			case omit:
				return JSONOmit()
			}
			return JSONNull()
		}}
}

// pidField is a process id column ("-" for none) and member (absent where it does not apply).
func pidField(header, json string, applies func(o object) bool, get func(o object) int) Field[object] {
	return Field[object]{Header: header, JSON: json,
		Cell: func(o object) string {
			if p := get(o); applies(o) && p != 0 {
				return Int(p)
			}
			return "-"
		},
		Value: func(o object) JSONValue {
			if !applies(o) {
				return JSONOmit()
			}
			return JSONInt(get(o))
		}}
}

func isSysV(o object) bool { return o.Flavor == inventory.SysV }

// MqFields are the fields of mq ls and mq stat.
var MqFields = sync.OnceValue(func() Fields[object] {
	return Fields[object]{
		flavorField,
		addressBoth,
		posixName,
		nameEscaped,
		intField("MAXMSG", "maxmsg", true, func(o object) (int64, bool) { return o.MaxMsg, o.Flavor == inventory.POSIX && o.MaxMsg > 0 }),
		sizeField("MSGSIZE", "msgsize", true, func(o object) (int64, bool) {
			return o.MsgSize, o.Flavor == inventory.POSIX && o.MaxMsg > 0
		}),
		intField("NOTIFY", "notifyPid", true, func(o object) (int64, bool) { return int64(o.NotifyPID), o.NotifyPID != 0 }),
		keyField,
		idField,
		sizeField("QBYTES", "qbytes", true, func(o object) (int64, bool) { return o.QBytes, isSysV(o) && o.QBytes > 0 }),
		pidField("LSPID", "lspid", isSysV, func(o object) int { return o.LSPID }),
		pidField("LRPID", "lrpid", isSysV, func(o object) int { return o.LRPID }),
		timeField("STIME", "stime", true, func(o object) time.Time { return o.STime }),
		timeField("RTIME", "rtime", true, func(o object) time.Time { return o.RTime }),
		intField("MESSAGES", "messages", false, func(o object) (int64, bool) { return o.Messages, o.Messages >= 0 }),
		sizeField("BYTES", "bytes", false, func(o object) (int64, bool) { return o.Size, o.Size >= 0 }),
		kindMode,
		uidField,
		gidField,
		ownerField,
		timeField("CTIME", "ctime", false, func(o object) time.Time { return o.CTime }),
		timeField("MTIME", "mtime", true, func(o object) time.Time { return o.MTime }),
		holdersCol,
		orphanedCol,
	}
})

// MqStatFields are MqFields as mq stat reports them: the notify pid of a POSIX queue is in the
// JSON whenever the queue's status was read, also when it is 0 (mq ls leaves a 0 out).
//
// MqStatFields and the stat columns below are made on first use: finding columns by name at
// start-up was most of this package's initialization, paid by every command.
var MqStatFields = sync.OnceValue(func() Fields[object] {
	fs := MqFields()
	return fs.With(Field[object]{Header: "NOTIFY", JSON: "notifyPid",
		Cell: fs.field("notify").Cell,
		Value: func(o object) JSONValue {
			if o.Flavor != inventory.POSIX || o.Size < 0 {
				return JSONOmit()
			}
			return JSONInt(o.NotifyPID)
		}})
})

// MqDefault are the columns mq ls shows without -o.
var MqDefault = []string{"flavor", "address", "key", "mode", "owner", "messages", "bytes", "ctime"}

// The columns mq stat shows for each flavor.
var (
	MqStatPOSIX = sync.OnceValue(func() []Column[object] {
		return MqStatFields().MustColumns("name", "mode", "owner", "maxmsg", "msgsize", "messages", "bytes", "notify", "mtime", "ctime")
	})
	MqStatSysV = sync.OnceValue(func() []Column[object] {
		return MqStatFields().MustColumns("key", "id", "mode", "owner", "messages", "bytes", "qbytes", "lspid", "lrpid", "stime", "rtime", "ctime")
	})
)

// usersJSON are the processes that have a POSIX semaphore or shared memory object open or mapped,
// as sem stat and shm stat report them (absent when none, and in ls, which does not read them).
var usersJSON = Field[object]{JSON: "holders", Value: func(o object) JSONValue {
	if len(o.Users) == 0 {
		return JSONOmit()
	}
	us := make([]userJSON, len(o.Users))
	for i, u := range o.Users {
		us[i] = userJSON{PID: u.PID, Command: u.Comm, FDs: u.FDs, Mapped: u.Mapped}
		if us[i].FDs == nil {
			us[i].FDs = []int{}
		}
	}
	return JSONAny(us)
}}

type userJSON struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	FDs     []int  `json:"fds"`
	Mapped  bool   `json:"mapped"`
}

// SemFields are the fields of sem ls and sem stat.
var SemFields = sync.OnceValue(func() Fields[object] {
	return Fields[object]{
		flavorField,
		addressBoth,
		posixName,
		nameEscaped,
		usersJSON,
		timeField("MTIME", "mtime", true, func(o object) time.Time { return o.MTime }),
		keyField,
		idField,
		timeField("OTIME", "otime", true, func(o object) time.Time { return o.OTime }),
		{Header: "NSEMS", JSON: "nsems", Cell: func(o object) string { return Int(o.Size) },
			Value: func(o object) JSONValue { return JSONInt(o.Size) }},
		{Header: "VALUES", JSON: "semaphores", Cell: SemValuesText, Value: func(o object) JSONValue {
			if o.SemValues == nil {
				return JSONNull()
			}
			return JSONAny(o.SemValues)
		}},
		{Header: "WAITERS", Cell: func(o object) string { // a POSIX semaphore's registered waiters
			if len(o.SemValues) == 0 || o.SemValues[0].Waiters == nil {
				return "?"
			}
			return Int(*o.SemValues[0].Waiters)
		}},
		kindMode,
		uidField,
		gidField,
		ownerField,
		timeField("CTIME", "ctime", false, func(o object) time.Time { return o.CTime }),
		holdersCol,
		orphanedCol,
	}
})

// SemDefault are the columns sem ls shows without -o.
var SemDefault = []string{"flavor", "address", "key", "mode", "owner", "nsems", "values", "ctime"}

// The columns sem stat shows for each flavor; a POSIX semaphore has one VALUE (then the
// processes that map it; a System V set, SemValueColumns).
var (
	SemStatPOSIX = sync.OnceValue(func() []Column[object] {
		cols := SemFields().MustColumns("name", "mode", "owner", "values", "waiters", "mtime")
		cols[3].Header = "VALUE"
		return cols
	})
	SemStatSysV = sync.OnceValue(func() []Column[object] {
		return SemFields().MustColumns("key", "id", "mode", "owner", "nsems", "otime", "ctime")
	})
)

// SemValuesText is the values of a semaphore's semaphores, comma-separated; "?" when unknown.
func SemValuesText(o object) string {
	if o.SemValues == nil {
		return "?"
	}
	v := make([]string, len(o.SemValues))
	for i, x := range o.SemValues {
		if x.Value < 0 {
			v[i] = "?"
		} else {
			v[i] = Int(x.Value)
		}
	}
	return strings.Join(v, ",")
}

// ShmFields are the fields of shm ls and shm stat.
var ShmFields = sync.OnceValue(func() Fields[object] {
	return Fields[object]{
		flavorField,
		addressBoth,
		posixName,
		nameEscaped,
		usersJSON,
		timeField("MTIME", "mtime", true, func(o object) time.Time { return o.MTime }),
		keyField,
		idField,
		intField("NATTCH", "nattch", true, func(o object) (int64, bool) { return o.NAttch, isSysV(o) }),
		pidField("CPID", "cpid", isSysV, func(o object) int { return o.CPID }),
		pidField("LPID", "lpid", isSysV, func(o object) int { return o.LPID }),
		timeField("ATIME", "atime", true, func(o object) time.Time { return o.ATime }),
		timeField("DTIME", "dtime", true, func(o object) time.Time { return o.DTime }),
		{Header: "STATUS", JSON: "removed", Cell: func(o object) string {
			if o.Removed() {
				return "removed"
			}
			return "-"
		}, Value: func(o object) JSONValue {
			if !isSysV(o) {
				return JSONOmit()
			}
			return JSONBool(o.Removed())
		}},
		sizeField("SIZE", "size", false, func(o object) (int64, bool) { return o.Size, true }),
		kindMode,
		uidField,
		gidField,
		ownerField,
		timeField("CTIME", "ctime", false, func(o object) time.Time { return o.CTime }),
		holdersCol,
		orphanedCol,
	}
})

// ShmDefault are the columns shm ls shows without -o.
var ShmDefault = []string{"flavor", "address", "key", "mode", "owner", "size", "nattch", "ctime", "status"}

// The columns shm stat shows for each flavor.
var (
	ShmStatPOSIX = sync.OnceValue(func() []Column[object] {
		return ShmFields().MustColumns("name", "mode", "owner", "size", "mtime")
	})
	ShmStatSysV = sync.OnceValue(func() []Column[object] {
		return ShmFields().MustColumns("key", "id", "mode", "owner", "size", "nattch", "cpid", "lpid", "atime", "dtime", "ctime", "status")
	})
)

// SemValueColumns are the columns of a System V set's semaphores (sem stat).
var SemValueColumns = []Column[inventory.SemValue]{
	{Header: "INDEX", Value: func(v inventory.SemValue) string { return Int(v.Index) }},
	{Header: "VALUE", Value: func(v inventory.SemValue) string { return Int(v.Value) }},
	{Header: "NCNT", Value: func(v inventory.SemValue) string { return Opt(v.NCnt, Int[int], Dash) }},
	{Header: "ZCNT", Value: func(v inventory.SemValue) string { return Opt(v.ZCnt, Int[int], Dash) }},
	{Header: "PID", Value: func(v inventory.SemValue) string { return Opt(v.PID, Int[int], DashZero) }},
}

// NameJSON is o's POSIX name as JSON carries it, for reports that build their own objects: the
// exact name for "name", or, for a name that is not valid UTF-8, "" and the escaped name for
// "nameEscaped" (see AddressJSON).
func NameJSON(o object) (name, escaped string) {
	if utf8.ValidString(o.Name) {
		return o.Name, ""
	}
	return "", escape.Name(o.Name)
}
