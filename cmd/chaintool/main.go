// Command chaintool converts, bundles, verifies, inspects and serves TLS
// certificate chains, and grades TLS servers by the SSL Labs rating guide.
//
// This file holds the entry point, the application definition and the one
// place where errors become exit codes.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build information.
var version = ""

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// env carries the process's streams to the commands so that tests can run
// the real main in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	args           []string // as typed, to name flags in errors as typed
}

// run executes chaintool with args and returns its exit code: 0 success,
// 1 the check found problems, 2 usage, input or I/O error.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "chaintool: error: internal error: %v\n", r)
			fmt.Fprintf(stderr, "chaintool: hint: please report this with the command you ran\n")
			code = 2
		}
	}()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, args: args}
	app := newApp(e)
	err := app.Run(reorderArgs(app, args))
	return report(stderr, err)
}

func newApp(e *env) *cli.App {
	app := &cli.App{
		Name:                 "chaintool",
		Usage:                "convert, bundle, verify, inspect and serve TLS certificate chains",
		Description:          description,
		Version:              appVersion(),
		Writer:               e.stdout,
		ErrWriter:            e.stderr,
		Reader:               e.stdin,
		EnableBashCompletion: true,
		HideHelpCommand:      true,
		ExitErrHandler:       nameCommandInHint,
		OnUsageError:         e.onUsageError,
		Commands: []*cli.Command{
			convertCommand(e),
			bundleCommand(e),
			verifyCommand(e),
			inspectCommand(e),
			serveCommand(e),
			gradeCommand(e),
			completionCommand(e),
			manCommand(e),
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageError("unknown command %q", c.Args().First())
			}
			_ = cli.ShowAppHelp(c)
			return nil
		},
	}
	for _, cmd := range app.Commands {
		if cmd.OnUsageError == nil {
			cmd.OnUsageError = e.onUsageError
		}
	}
	return app
}

const description = `chaintool takes the certificate files a CA, a Windows export or a colleague
hands you, in any format and any order, and turns them into the one correct
file a server needs; it proves that file is right (key, order, trust, names,
dates); and it serves it from a test HTTPS server that earns an SSL Labs A+,
grading that server (or any other) on the spot.

Exit codes, all commands: 0 success; 1 the check found problems; 2 usage,
input or I/O error.`

func appVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel" + vcsSuffix(info.Settings)
}

// vcsSuffix names the commit a development build was made from, when the
// go command recorded it: " (1a2b3c4d5e6f)", " (1a2b3c4d5e6f, modified)".
func vcsSuffix(settings []debug.BuildSetting) string {
	var rev, modified string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return ""
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		return " (" + rev + ", modified)"
	}
	return " (" + rev + ")"
}

func (e *env) onUsageError(c *cli.Context, err error, _ bool) error {
	hint := "run 'chaintool --help'"
	if c != nil && c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
		hint = "run 'chaintool " + c.Command.Name + " --help'"
	}
	msg := flagErrorText(err.Error())
	if m := flagUndefined.FindStringSubmatch(err.Error()); m != nil && typedFlag(e.args, m[1]) != "" {
		msg = "unknown flag " + typedFlag(e.args, m[1])
	}
	return &exitError{code: 2, msg: msg, hint: hint}
}

// Messages of Go's flag package, reworded: they name flags with one dash.
var (
	flagUndefined = regexp.MustCompile(`^flag provided but not defined: -+(\S+)$`)
	flagNoValue   = regexp.MustCompile(`^flag needs an argument: -+(\S+)$`)
	flagBadValue  = regexp.MustCompile(`^invalid (?:boolean )?value (".*") for (?:flag )?-+([^:\s]+)(?::.*)?$`)
)

func flagErrorText(msg string) string {
	if m := flagUndefined.FindStringSubmatch(msg); m != nil {
		return "unknown flag " + dashes(m[1])
	}
	if m := flagNoValue.FindStringSubmatch(msg); m != nil {
		return dashes(m[1]) + " needs a value"
	}
	if m := flagBadValue.FindStringSubmatch(msg); m != nil {
		return dashes(m[2]) + ": invalid value " + m[1]
	}
	return msg
}

// typedFlag returns the flag called name as args spell it ("--t", "-o"),
// or "" when no word before a "--" names it.
func typedFlag(args []string, name string) string {
	for _, a := range args {
		if a == "--" {
			break
		}
		if word, _, _ := strings.Cut(a, "="); strings.HasPrefix(word, "-") && strings.TrimLeft(word, "-") == name {
			return word
		}
	}
	return ""
}

// dashes spells a flag name as it is typed: -o, --json.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// exitError carries an exit code, an optional message and hint to run.
type exitError struct {
	code int
	msg  string // empty when the command already reported on stdout
	hint string
}

func (e *exitError) Error() string { return e.msg }

// usageError is a usage mistake: exit 2 with a hint to read the help, the
// command's own when a command runs (see nameCommandInHints).
func usageError(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...), hint: usageHint}
}

// problems means a check ran and found problems (exit 1). msg may be empty
// when the report already said everything.
func problems(msg, hint string) error { return &exitError{code: 1, msg: msg, hint: hint} }

// report prints err the way every command does and returns the exit code.
func report(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var pwErr *passwordFileError
	if errors.As(err, &pwErr) {
		err = pwErr
	}
	code, hint := 2, hintFor(err)
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		if ee.hint != "" {
			hint = ee.hint
		}
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintf(stderr, "chaintool: error: %s\n", oneLine(msg))
	}
	if hint != "" {
		fmt.Fprintf(stderr, "chaintool: hint: %s\n", hint)
	}
	return code
}
