package compat

import (
	"fmt"
	"strings"
)

// ArgMode says whether an option takes an argument, as getopt_long's has_arg does.
type ArgMode int

const (
	NoArg       ArgMode = iota // no_argument
	RequiredArg                // required_argument: attached (-iID, --id=ID) or the next word
	OptionalArg                // optional_argument: attached only (-aTYPE, --all=TYPE)
)

// Option is one option a tool takes: one entry of getopt_long's longopts, with its short letter.
type Option struct {
	Long  string // the long name, without "--"; it also names the option in Parsed
	Short byte   // the short letter, 0 for none
	Arg   ArgMode
	// Help is the option's line in the tool's help: "`arg` ..." names the argument, as pflag's
	// usage strings do ("" for the options the help does not list).
	Help string
}

// exactOnly says whether long is one of ipcx's own options (not util-linux's): only their whole
// name matches, so that a prefix of one means what util-linux makes of it (unrecognized, or
// another option).
func exactOnly(long string) bool { return long == "ns" }

// Parsed is one option found on a command line, in command-line order.
type Parsed struct {
	Name     string // the Option's Long
	Value    string // its argument
	HasValue bool   // an argument was given (always for RequiredArg; attached only for OptionalArg)
	Long     bool   // it was spelled as a long option
	Index    int    // the index in args of the word that holds the option
}

// OptionError is a bad command line, worded as glibc's getopt_long words it. Tools print it as
// "PROG: MSG" and util-linux's "Try 'PROG --help' for more information." line, and exit 1.
type OptionError struct {
	Prog string
	Msg  string
}

func (e *OptionError) Error() string { return e.Prog + ": " + e.Msg }

// Getopt is a tool's option table: Prog names the tool in messages, Options in the order of its
// longopts (the order getopt_long lists an ambiguous prefix's possibilities in).
type Getopt struct {
	Prog    string
	Options []Option
}

// Parse reads args (the command line without argv[0]) as getopt_long does with an optstring
// that does not start with '+' or '-' and POSIXLY_CORRECT unset: options and operands may mix
// (operands are permuted to the end), "--" ends the options, a lone "-" is an operand. It
// returns the options in order and the operands, or the first error.
func (g Getopt) Parse(args []string) (opts []Parsed, operands []string, err error) {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			return opts, append(operands, args[i+1:]...), nil
		case strings.HasPrefix(arg, "--"):
			p, next, err := g.long(arg[2:], args, i)
			if err != nil {
				return opts, operands, err
			}
			p.Index = i
			opts, i = append(opts, p), next
		case len(arg) > 1 && arg[0] == '-':
			for j := 1; j < len(arg); j++ {
				o := g.short(arg[j])
				if o == nil {
					return opts, operands, g.errorf("invalid option -- '%c'", arg[j])
				}
				p := Parsed{Name: o.Long, Index: i}
				if o.Arg == NoArg {
					opts = append(opts, p)
					continue
				}
				p.Value, p.HasValue = arg[j+1:], j+1 < len(arg)
				if o.Arg == RequiredArg && !p.HasValue {
					if i+1 >= len(args) {
						return opts, operands, g.errorf("option requires an argument -- '%c'", arg[j])
					}
					i++
					p.Value, p.HasValue = args[i], true
				}
				opts = append(opts, p)
				break
			}
		default:
			operands = append(operands, arg)
		}
	}
	return opts, operands, nil
}

func (g Getopt) errorf(format string, args ...any) error {
	return &OptionError{Prog: g.Prog, Msg: fmt.Sprintf(format, args...)}
}

func (g Getopt) short(c byte) *Option {
	for i := range g.Options {
		if c != 0 && g.Options[i].Short == c {
			return &g.Options[i]
		}
	}
	return nil
}

// long reads the long option s ("name" or "name=value", the text after "--") at args[i] and
// returns it and the index of the last word it used.
func (g Getopt) long(s string, args []string, i int) (Parsed, int, error) {
	name, value, hasValue := strings.Cut(s, "=")
	var o *Option
	var matches []*Option
	for k := range g.Options {
		opt := &g.Options[k]
		if opt.Long == name {
			o, matches = opt, nil
			break
		}
		if strings.HasPrefix(opt.Long, name) && !exactOnly(opt.Long) {
			matches = append(matches, opt)
		}
	}
	switch {
	case o != nil:
	case len(matches) == 1:
		o = matches[0]
	case len(matches) == 0:
		return Parsed{}, i, g.errorf("unrecognized option '--%s'", s)
	default:
		var b strings.Builder
		fmt.Fprintf(&b, "option '--%s' is ambiguous; possibilities:", s)
		for _, m := range matches {
			fmt.Fprintf(&b, " '--%s'", m.Long)
		}
		return Parsed{}, i, g.errorf("%s", b.String())
	}
	p := Parsed{Name: o.Long, Value: value, HasValue: hasValue, Long: true}
	switch {
	case o.Arg == NoArg && hasValue:
		return Parsed{}, i, g.errorf("option '--%s' doesn't allow an argument", o.Long)
	case o.Arg == RequiredArg && !hasValue:
		if i+1 >= len(args) {
			return Parsed{}, i, g.errorf("option '--%s' requires an argument", o.Long)
		}
		i++
		p.Value, p.HasValue = args[i], true
	}
	return p, i, nil
}
