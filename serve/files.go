package serve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"
)

// fileHandler serves the regular files under a folder through an os.Root,
// so that no path, encoded or not, and no symbolic link can reach outside
// it. Directories are never listed (a folder's index.html is served in its
// place), and names starting with a dot are never served. Everything else
// gets 404, never a hint about what exists.
type fileHandler struct {
	root  *os.Root
	cache *fileCache
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
	return &fileHandler{root: root, cache: newFileCache()}, nil
}

func (h *fileHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r) {
		return
	}
	r = withFewRanges(r)
	name, ok := cleanName(r.URL.Path)
	if !ok || !h.slashFits(r.URL.Path, name) {
		notFound(w)
		return
	}
	now := time.Now()
	if e := h.cache.get(h.root, name, now); e != nil {
		serveCached(w, r, e)
		return
	}
	f, filePath, st, err := h.open(name)
	if err != nil {
		notFound(w)
		return
	}
	defer f.Close()
	if e := h.cache.load(name, filePath, f, st, now); e != nil {
		serveCached(w, r, e)
		return
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		notFound(w)
		return
	}
	http.ServeContent(w, r, st.Name(), st.ModTime(), f)
}

// ReopenDir opens the Dir folder again, so that a folder replaced since
// (a symbolic link switched to a new release, say) is served from now on,
// with an empty file cache. If it cannot be opened, the folder served so
// far is kept. Without Dir it does nothing.
func (s *Server) ReopenDir() error {
	if s.opts.Dir == "" {
		return nil
	}
	files, err := newFileHandler(s.opts.Dir)
	if err != nil {
		return err
	}
	oldRoot := s.files.Swap(files).root
	// Requests under way may still open files through the old root.
	time.AfterFunc(s.opts.WriteTimeout, func() { oldRoot.Close() })
	return nil
}

// serveCached answers from memory. A plain GET or HEAD, the common case,
// is written directly with the headers made when the file was cached;
// conditional and range requests go through http.ServeContent.
func serveCached(w http.ResponseWriter, r *http.Request, e *cachedFile) {
	h := w.Header()
	h["Content-Type"] = e.contentType
	if !plainRequest(r) {
		http.ServeContent(w, r, "", e.modTime, bytes.NewReader(e.data))
		return
	}
	h["Last-Modified"] = e.lastModified
	h["Accept-Ranges"] = acceptRanges
	h["Content-Length"] = e.contentLength
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(e.data)
	}
}

var acceptRanges = []string{"bytes"}

// plainRequest reports whether r asks for no range and no condition.
func plainRequest(r *http.Request) bool {
	for _, k := range [...]string{"Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range"} {
		if _, ok := r.Header[k]; ok {
			return false
		}
	}
	return true
}

// slashFits reports whether a path ending in "/" names a folder: a file
// asked for as "file/" is not found, as on any static server.
func (h *fileHandler) slashFits(urlPath, name string) bool {
	if !strings.HasSuffix(urlPath, "/") || name == "." {
		return true
	}
	st, err := h.root.Stat(name)
	return err == nil && st.IsDir()
}

// open returns the regular file name, or name/index.html for a folder,
// with its path inside the root. Anything else (a FIFO, a device, a
// socket) is not found, and is opened non-blocking so that a FIFO with no
// writer cannot hold the request.
func (h *fileHandler) open(name string) (*os.File, string, fs.FileInfo, error) {
	f, err := h.openNonBlocking(name)
	if err != nil {
		return nil, "", nil, err
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		f.Close()
		if name == "." {
			name = "index.html"
		} else {
			name += "/index.html"
		}
		if f, err = h.openNonBlocking(name); err != nil {
			return nil, "", nil, err
		}
		st, err = f.Stat()
	}
	if err == nil && !st.Mode().IsRegular() {
		err = errNotServed
	}
	if err != nil {
		f.Close()
		return nil, "", nil, err
	}
	return f, name, st, nil
}

var errNotServed = errors.New("not a regular file")

// openNonBlocking opens a regular file or a folder. It looks before
// opening, as opening a device or a FIFO can have effects of its own.
func (h *fileHandler) openNonBlocking(name string) (*os.File, error) {
	if st, err := h.root.Stat(name); err != nil || !st.Mode().IsRegular() && !st.IsDir() {
		return nil, errNotServed
	}
	return h.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
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
