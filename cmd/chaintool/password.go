package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	"github.com/chaintool/chaintool/bundle"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// Password sources, in order: a file flag, an environment variable, then a
// prompt on the terminal. Never a flag value.
const (
	passwordEnv    = "CHAINTOOL_PASSWORD"
	outPasswordEnv = "CHAINTOOL_OUT_PASSWORD"
)

func passwordFlag() cli.Flag {
	return &cli.PathFlag{
		Name:      "password-file",
		Usage:     "read the input password from the first line of `FILE` (else $" + passwordEnv + ", else a prompt)",
		TakesFile: true,
	}
}

func outPasswordFlag() cli.Flag {
	return &cli.PathFlag{
		Name:      "out-password-file",
		Usage:     "read the output PFX password from the first line of `FILE` (else $" + outPasswordEnv + ", else a prompt)",
		TakesFile: true,
	}
}

// inputPassword returns the PasswordFunc every command reads inputs with.
// The answer is asked once and reused for every input.
func (e *env) inputPassword(c *cli.Context) bundle.PasswordFunc {
	var once sync.Once
	var pw []byte
	var err error
	return func(name string) ([]byte, error) {
		once.Do(func() {
			pw, err = e.password(c.Path("password-file"), passwordEnv, "password for "+name, false)
		})
		return pw, err
	}
}

// outputPassword returns the password for a written PFX file.
func (e *env) outputPassword(c *cli.Context) (string, error) {
	pw, err := e.password(c.Path("out-password-file"), outPasswordEnv, "password for the new PFX file", true)
	if errors.Is(err, bundle.ErrPasswordRequired) {
		return "", &exitError{code: 2, msg: "a PFX file needs a password",
			hint: "give it with --out-password-file FILE or the " + outPasswordEnv + " variable (an empty file means no password)"}
	}
	return string(pw), err
}

func (e *env) password(file, envName, prompt string, confirm bool) ([]byte, error) {
	if file != "" {
		return readPasswordFile(file)
	}
	if v, ok := os.LookupEnv(envName); ok {
		return []byte(v), nil
	}
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, bundle.ErrPasswordRequired
	}
	fmt.Fprintf(e.stderr, "%s: ", prompt)
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return nil, fmt.Errorf("reading password: %w", err)
	}
	if confirm {
		fmt.Fprintf(e.stderr, "again: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return nil, fmt.Errorf("reading password: %w", err)
		}
		if !bytes.Equal(pw, again) {
			return nil, errors.New("the two passwords differ")
		}
	}
	return pw, nil
}

// passwordFileError is an unreadable password file. The reader that asked
// for the password wraps it; report prints it alone, since the input
// itself is not at fault.
type passwordFileError struct {
	file string
	err  error
}

func (e *passwordFileError) Error() string {
	return e.file + ": cannot read password file: " + e.err.Error()
}

func (e *passwordFileError) Unwrap() error { return e.err }

// readPasswordFile returns the first line of file, without its line end.
func readPasswordFile(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, &passwordFileError{file, unwrapPath(err)}
	}
	defer f.Close()
	line, err := bufio.NewReader(io.LimitReader(f, 64<<10)).ReadBytes('\n')
	if err != nil && err != io.EOF {
		return nil, &passwordFileError{file, unwrapPath(err)}
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

// unwrapPath drops the operation and path of an *os.PathError, which the
// caller names itself, and says "no such file" as every message here does.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, fs.ErrNotExist) {
		return errNoSuchFile
	}
	return err
}

// errNoSuchFile reads "no such file" and matches fs.ErrNotExist.
var errNoSuchFile error = noSuchFile{}

type noSuchFile struct{}

func (noSuchFile) Error() string        { return "no such file" }
func (noSuchFile) Is(target error) bool { return target == fs.ErrNotExist }
