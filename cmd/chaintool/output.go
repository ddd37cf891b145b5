package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/term"
)

// errAlreadyExists reads "already exists" and matches fs.ErrExist, whose
// own text ("file already exists") would repeat the word after a path.
var errAlreadyExists error = alreadyExists{}

type alreadyExists struct{}

func (alreadyExists) Error() string        { return "already exists" }
func (alreadyExists) Is(target error) bool { return target == fs.ErrExist }

// outputFile is one file a command writes.
type outputFile struct {
	path   string
	data   []byte
	secret bool // holds a private key: created 0600
}

// writeFiles creates every file whole or none of them: each is written to a
// temporary file in its folder, then all are moved into place. Without
// force, an existing file is an error and nothing is written.
func writeFiles(files []outputFile, force bool) error {
	for _, f := range files {
		if err := checkOutputPath(f.path, force); err != nil {
			return err
		}
	}
	temps := make([]string, 0, len(files))
	cleanup := func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}
	for _, f := range files {
		t, err := writeTemp(f)
		if err != nil {
			cleanup()
			return err
		}
		temps = append(temps, t)
	}
	for i, f := range files {
		if err := place(temps[i], f.path, force); err != nil {
			cleanup()
			if !force { // the files placed so far are new: take them back
				for _, done := range files[:i] {
					os.Remove(done.path)
				}
			}
			return err
		}
	}
	return nil
}

// checkOutputPath refuses a path that is a folder, whose folder is missing,
// or that exists when force is off.
func checkOutputPath(path string, force bool) error {
	if st, err := os.Lstat(path); err == nil {
		if st.IsDir() {
			return fmt.Errorf("%s: is a directory; give a file name", path)
		}
		if !force {
			return fmt.Errorf("%s: %w", path, errAlreadyExists)
		}
		return nil
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s: directory %s does not exist", path, dir)
	}
	return nil
}

// writeTemp writes f's data to a new temporary file in f's folder and
// returns its name. The file is created with its final mode, 0600 for a
// key and otherwise 0666 less the umask, as any file a command creates.
func writeTemp(f outputFile) (string, error) {
	perm := os.FileMode(0o666)
	if f.secret {
		perm = 0o600
	}
	tmp, err := createTemp(f.path, perm)
	if err != nil {
		return "", fmt.Errorf("%s: cannot create: %w", f.path, unwrapPath(err))
	}
	if f.secret {
		// 0600 whatever the umask: a umask without the owner's write bit
		// would otherwise make a key file its owner cannot replace.
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		_, err = tmp.Write(f.data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("%s: cannot write: %w", f.path, unwrapPath(err))
	}
	return tmp.Name(), nil
}

// createTemp creates a new file named .BASE.tmp-RANDOM beside path with
// perm (less the umask). os.CreateTemp always makes 0600, and a chmod
// after it would ignore the umask.
func createTemp(path string, perm os.FileMode) (*os.File, error) {
	prefix := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	for {
		name := prefix + strconv.FormatUint(rand.Uint64(), 36)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

// place moves tmp to path. Without force it links, which fails if path
// appeared meanwhile, so a file is never overwritten by accident.
func place(tmp, path string, force bool) error {
	if force {
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("%s: cannot write: %w", path, unwrapPath(err))
		}
		return nil
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", path, errAlreadyExists)
		}
		// Filesystems without hard links: rename after the check above.
		if rerr := os.Rename(tmp, path); rerr != nil {
			return fmt.Errorf("%s: cannot write: %w", path, unwrapPath(rerr))
		}
		return nil
	}
	return os.Remove(tmp)
}

// writeStdout writes data to stdout, refusing binary data on a terminal.
func (e *env) writeStdout(data []byte, binary bool) error {
	if binary && isTerminal(e.stdout) {
		return &exitError{code: 2, msg: "refusing to write binary output to a terminal",
			hint: "give an output file with -o FILE, or redirect stdout"}
	}
	_, err := e.stdout.Write(data)
	return err
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// writeJSON writes v as indented JSON, with <, > and & as they are: the
// reports are read by people and jq, not embedded in HTML.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printJSON prints v to stdout as writeJSON does.
func (e *env) printJSON(v any) error { return writeJSON(e.stdout, v) }
