package main

import (
	"crypto"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/chaintool/chaintool/bundle"
	"github.com/urfave/cli/v2"
)

// inputOptions says which kinds of arguments a command accepts.
type inputOptions struct {
	dirs bool // a directory means every regular file in it
}

// readInputs reads every argument: a file, "-" for stdin, or (when allowed)
// a directory. The first failure stops with an error naming the input.
func (e *env) readInputs(c *cli.Context, args []string, opts inputOptions) ([]*bundle.Contents, error) {
	if err := stdinOnce(args); err != nil {
		return nil, err
	}
	pw := e.inputPassword(c)
	var out []*bundle.Contents
	for _, arg := range args {
		got, err := e.readInput(arg, pw, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func (e *env) readInput(arg string, pw bundle.PasswordFunc, opts inputOptions) ([]*bundle.Contents, error) {
	if arg == "-" {
		c, err := bundle.ReadFrom(e.stdin, "stdin", pw)
		if err != nil {
			return nil, fmt.Errorf("stdin: %w", err)
		}
		return []*bundle.Contents{c}, nil
	}
	if st, err := os.Stat(arg); err == nil && st.IsDir() && opts.dirs {
		return readDir(arg, pw)
	}
	c, err := bundle.ReadFile(arg, pw)
	if err != nil {
		return nil, err
	}
	return []*bundle.Contents{c}, nil
}

// readDir reads every regular file of dir in name order, skipping dotfiles.
func readDir(dir string, pw bundle.PasswordFunc) ([]*bundle.Contents, error) {
	paths, err := dirFiles(dir)
	if err != nil {
		return nil, err
	}
	var out []*bundle.Contents
	for _, path := range paths {
		c, err := bundle.ReadFile(path, pw)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// dirFiles lists the regular files of dir in name order, dotfiles left
// out; a folder without any is an error.
func dirFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, unwrapPath(err))
	}
	var names []string
	for _, ent := range entries {
		if ent.Type().IsRegular() && !strings.HasPrefix(ent.Name(), ".") {
			names = append(names, ent.Name())
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: directory holds no files", dir)
	}
	sort.Strings(names)
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(dir, n)
	}
	return paths, nil
}

// readKeyFile reads the private keys of a --key file.
func readKeyFile(path string, pw bundle.PasswordFunc) ([]crypto.Signer, error) {
	contents, err := bundle.ReadFile(path, pw)
	if err != nil {
		return nil, err
	}
	if len(contents.Keys) == 0 {
		return nil, fmt.Errorf("%s: holds no private key", path)
	}
	return contents.Keys, nil
}

// isHostPort reports whether arg names a live server (host:port) rather than
// a file: it is not an existing path and it splits into a host and a
// numeric port.
func isHostPort(arg string) bool {
	if _, err := os.Stat(arg); err == nil {
		return false
	}
	host, port, err := net.SplitHostPort(arg)
	if err != nil || host == "" {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n > 0 && n < 65536
}

// portOutOfRange returns an error for arg when it is not an existing path
// but reads as HOST:PORT with a port number outside 1-65535, which would
// otherwise be reported as a missing file.
func portOutOfRange(arg string) error {
	if _, err := os.Stat(arg); err == nil {
		return nil
	}
	host, port, err := net.SplitHostPort(arg)
	if err != nil || host == "" || port == "" || strings.Trim(port, "0123456789") != "" {
		return nil
	}
	if n, err := strconv.Atoi(port); err == nil && n > 0 && n < 65536 {
		return nil
	}
	return fmt.Errorf("%s: port %s out of range (1 to 65535)", arg, port)
}

// stdinOnce refuses "-" given twice: stdin can be read only once.
func stdinOnce(args []string) error {
	seen := false
	for _, a := range args {
		if a == "-" {
			if seen {
				return usageError("- (stdin) can be given only once")
			}
			seen = true
		}
	}
	return nil
}
