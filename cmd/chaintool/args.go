package main

import (
	"errors"
	"os"
	"strings"

	"github.com/chaintool/chaintool/bundle"
	"github.com/urfave/cli/v2"
)

const completionFlag = "--generate-bash-completion"

// reorderArgs moves a command's flags ahead of its arguments, because
// urfave/cli v2 stops parsing flags at the first argument and people type
// `chaintool bundle a.pem b.pem -o out.pem`. Everything after `--` stays an
// argument. Flags that take a value keep their value next to them.
//
// For shell completion (the last word is --generate-bash-completion) no
// `--` is put between flags and arguments, and a typed `--` is left out
// with the words after it: urfave/cli turns completion off after a `--`,
// and would run the command with the completion flag as an input file.
//
// reorderArgs is also where chaintool first sees the command typed, so it
// fits that command's shell completion to the words typed (completeWords).
func reorderArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	completing := rest[len(rest)-1] == completionFlag
	if completing {
		rest = rest[:len(rest)-1]
	}
	// Global flags come before the command name.
	i := 0
	for i < len(rest) && strings.HasPrefix(rest[i], "-") && rest[i] != "--" {
		i++
	}
	out = append(out, rest[:i]...)
	if i < len(rest) {
		cmd := findCommand(app.Commands, rest[i])
		out = append(out, rest[i])
		if cmd != nil {
			out = append(out, splitFlags(cmd, rest[i+1:], completing)...)
			if completing {
				cmd.BashComplete = completeWords(cmd, rest[i+1:])
			}
		} else {
			out = append(out, rest[i+1:]...)
		}
	}
	if completing {
		out = append(out, completionFlag)
	}
	return out
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// splitFlags returns the flags of args (with their values) followed by the
// positional arguments, order otherwise kept, with `--` between them unless
// completing.
func splitFlags(cmd *cli.Command, args []string, completing bool) []string {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--" && completing:
			return append(flags, positional...)
		case a == "--":
			positional = append(positional, args[i+1:]...)
			return append(append(flags, "--"), positional...)
		case a == "-" || !strings.HasPrefix(a, "-"):
			positional = append(positional, a)
		default:
			flags = append(flags, a)
			if !strings.Contains(a, "=") && takesValue(cmd, a) {
				if i+1 == len(args) {
					// A value flag typed last has no value: leave it last,
					// with no "--" after it to swallow, so the parser says so.
					return flags
				}
				i++
				flags = append(flags, args[i])
			}
		}
	}
	if len(positional) == 0 {
		return flags
	}
	if completing {
		return append(flags, positional...)
	}
	return append(append(flags, "--"), positional...)
}

// takesValue reports whether the flag named by arg (-o, --to) expects a value.
func takesValue(cmd *cli.Command, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n == name {
				dg, ok := f.(cli.DocGenerationFlag)
				return !ok || dg.TakesValue()
			}
		}
	}
	return false
}

// usageHint is usageError's hint until nameCommandInHint names the command.
const usageHint = "run 'chaintool --help'"

// nameCommandInHint is the app's ExitErrHandler: it makes usage errors of
// a command hint at that command's help, `run 'chaintool convert --help'`,
// as flag errors do (urfave/cli hands a command's errors to it with the
// command's context). It never exits: run returns the code.
func nameCommandInHint(c *cli.Context, err error) {
	var ee *exitError
	if errors.As(err, &ee) && ee.hint == usageHint && c != nil && c.Command != nil &&
		c.Command.Name != "" && c.Command.Name != c.App.Name {
		ee.hint = "run 'chaintool " + c.Command.Name + " --help'"
	}
}

// oneLine keeps a message on one line, as every stderr line must be.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// hintFor gives the hint line for errors the library marks.
func hintFor(err error) string {
	switch {
	case errors.Is(err, bundle.ErrWrongPassword):
		return "wrong password? give it with --password-file FILE or the CHAINTOOL_PASSWORD variable"
	case errors.Is(err, bundle.ErrPasswordRequired):
		return "give the password with --password-file FILE or the CHAINTOOL_PASSWORD variable, or run in a terminal to be asked"
	case errors.Is(err, bundle.ErrUnsupportedPFXEncryption):
		return "convert it with 'openssl pkcs12 -in FILE -nodes -out all.pem' and give chaintool all.pem (mind that all.pem holds the key unencrypted)"
	case errors.Is(err, bundle.ErrUnsupportedEncryption):
		return "re-encrypt the key with 'openssl pkcs8 -topk8 -v2 aes-256-cbc -in FILE -out new.key' (add -provider legacy -provider default for RC2 or DES) and give chaintool new.key"
	case errors.Is(err, bundle.ErrUnrecognized):
		return "chaintool reads PEM, DER, PKCS#7 (.p7b, .p7c) and PKCS#12 (.pfx, .p12) files"
	case errors.Is(err, bundle.ErrCertOnlyPFX):
		return "extract the certificates with 'openssl pkcs12 -in FILE -nokeys -out certs.pem' (add -legacy for old files) and give chaintool certs.pem"
	case errors.Is(err, bundle.ErrTooLarge):
		return "certificate files are small; is this the right file?"
	case errors.Is(err, os.ErrExist):
		return "add --force to overwrite it"
	case errors.Is(err, bundle.ErrTooManyIterations):
		return "OpenSSL writes 2048 iterations; if you trust this file, re-encrypt it with fewer (openssl pkcs12 -export, or openssl pkcs8 -topk8 -iter 2048 for a key)"
	case errors.Is(err, bundle.ErrTooManyElements):
		return "convert it with 'openssl pkcs7 -print_certs -in FILE -out certs.pem' and give chaintool certs.pem"
	case errors.Is(err, bundle.ErrUnreachable):
		return "check the host name and port, and that the server is running"
	}
	return ""
}
