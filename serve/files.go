package serve

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
)

// fileHandler serves the regular files under a folder through an os.Root,
// so that no path, encoded or not, and no symbolic link can reach outside
// it. Directories are never listed (a folder's index.html is served in its
// place), and names starting with a dot are never served. Everything else
// gets 404, never a hint about what exists.
type fileHandler struct {
	root *os.Root
}

func newFileHandler(dir string) (*fileHandler, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return &fileHandler{root: root}, nil
}

func (h *fileHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r) {
		return
	}
	name, ok := cleanName(r.URL.Path)
	if !ok {
		notFound(w)
		return
	}
	f, st, err := h.open(name)
	if err != nil {
		notFound(w)
		return
	}
	defer f.Close()
	http.ServeContent(w, r, st.Name(), st.ModTime(), f)
}

// open returns the regular file name, or name/index.html for a folder.
func (h *fileHandler) open(name string) (*os.File, fs.FileInfo, error) {
	f, err := h.root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		f.Close()
		index := "index.html"
		if name != "." {
			index = name + "/index.html"
		}
		if f, err = h.root.Open(index); err != nil {
			return nil, nil, err
		}
		st, err = f.Stat()
	}
	if err == nil && !st.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// cleanName turns a decoded URL path into a name inside the root, or
// reports false for anything that is not plainly a path below it: "..",
// "." or any other dot-name, empty segments in the middle, backslashes
// and NUL bytes.
func cleanName(p string) (string, bool) {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return "", false
	}
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return ".", true
	}
	p = strings.TrimSuffix(p, "/")
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "" || seg[0] == '.' {
			return "", false
		}
	}
	return p, true
}

// allowMethod accepts GET and HEAD; anything else gets 405.
func allowMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
	return false
}

func notFound(w http.ResponseWriter) {
	http.Error(w, "404 page not found", http.StatusNotFound)
}
