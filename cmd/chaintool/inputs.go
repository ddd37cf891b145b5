package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"

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
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, unwrapPath(err))
	}
	var names []string
	for _, ent := range entries {
		if ent.Type().IsRegular() && ent.Name()[0] != '.' {
			names = append(names, ent.Name())
		}
	}
	sort.Strings(names)
	var out []*bundle.Contents
	for _, n := range names {
		c, err := bundle.ReadFile(filepath.Join(dir, n), pw)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: directory holds no files", dir)
	}
	return out, nil
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
