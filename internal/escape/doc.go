// Package escape writes names chosen by anyone (a POSIX object's name, a FIFO's or a socket's
// path, a process name) so that a terminal shows them as text and never acts on them, and reads
// the written form back.
//
// One form serves every place ipcx prints a name (tables, stat, rm's lines, errors, hints,
// socket listings): the way Go writes a string's bytes, without the quotes.
//
//	\\          a backslash (doubled, so that every escape below is unambiguous)
//	\xHH        a byte that is an ASCII control character (\x1b for ESC, \x0a for a newline,
//	            \x0d for a carriage return, \x7f for DEL) or is not part of valid UTF-8 (\xff)
//	\uHHHH      a valid but unprintable character up to U+FFFF (\u0085, \u00a0, \u2028)
//	\UHHHHHHHH  a valid but unprintable character above U+FFFF
//
// Everything else, spaces and printable Unicode included, is written as it is. The form is
// lossless: Unquote(Name(s)) == s for every string s, so two names that differ in a control byte
// or an invalid byte are always printed differently, and the printed form can be given back to
// ipcx (as esc:/name in an address, see package addr) or to a shell as $'...'.
package escape
