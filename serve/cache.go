package serve

import (
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Limits of the file cache: small files are kept in memory so that a
// request costs no open, stat, seek, read and close. The cache is bounded
// in entries and bytes; beyond that files are read from disk each time.
const (
	cacheMaxFile    = 256 << 10 // bytes; larger files are never cached
	cacheMaxBytes   = 32 << 20
	cacheMaxEntries = 4096
	// cacheRevalidate is how long a cached file is served without looking
	// at the disk: an edited file shows within this time.
	cacheRevalidate = time.Second
)

// cachedFile is a small regular file held in memory.
type cachedFile struct {
	path    string // the file's name inside the root (index.html for a folder)
	data    []byte
	modTime time.Time
	size    int64
	info    os.FileInfo // of the open file, for os.SameFile
	changed time.Time   // its inode change time, where the system has one
	// Header values made once, shared by every response (each slice is
	// full, so a handler's Add copies it rather than writing into it).
	contentType, contentLength, lastModified []string
	checked                                  atomic.Int64 // when the disk was last looked at, UnixNano
}

// fileCache maps a request's clean name to the file it serves.
type fileCache struct {
	mu      sync.RWMutex
	entries map[string]*cachedFile
	bytes   int64
}

func newFileCache() *fileCache { return &fileCache{entries: map[string]*cachedFile{}} }

// get returns the entry for name if it was checked against the disk less
// than cacheRevalidate ago, or if a fresh look at the disk (a stat) finds
// it unchanged.
func (c *fileCache) get(root *os.Root, name string, now time.Time) *cachedFile {
	c.mu.RLock()
	e := c.entries[name]
	c.mu.RUnlock()
	if e == nil {
		return nil
	}
	if now.UnixNano()-e.checked.Load() < int64(cacheRevalidate) {
		return e
	}
	st, err := root.Stat(e.path)
	if err != nil || !e.sameFile(st) {
		c.remove(name, e)
		return nil
	}
	e.checked.Store(now.UnixNano())
	return e
}

// sameFile reports whether st (a fresh stat of the entry's path) is still
// the file read: the same inode, size, modification time and, where there
// is one, inode change time. A file replaced by another (mv, a release
// switch) is a different inode; one rewritten in place with its old size
// and modification time put back (cp -p, tar, fixed build timestamps) has
// a new change time.
func (e *cachedFile) sameFile(st os.FileInfo) bool {
	return st.Mode().IsRegular() && os.SameFile(st, e.info) && st.Size() == e.size &&
		st.ModTime().Equal(e.modTime) && changeTime(st).Equal(e.changed)
}

func (c *fileCache) remove(name string, e *cachedFile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[name] == e {
		delete(c.entries, name)
		c.bytes -= int64(len(e.data))
	}
}

// load reads the open file f (path inside the root, info st) into a new
// entry and keeps it if the cache has room. It returns nil when the file
// is too large or changed while being read.
func (c *fileCache) load(name, filePath string, f *os.File, st os.FileInfo, now time.Time) *cachedFile {
	if st.Size() > cacheMaxFile || !c.hasRoom(st.Size()) {
		return nil // served from the file, never copied into memory
	}
	data, err := io.ReadAll(io.LimitReader(f, cacheMaxFile+1))
	if err != nil || int64(len(data)) != st.Size() {
		return nil
	}
	e := &cachedFile{
		path: filePath, data: data, modTime: st.ModTime(), size: st.Size(), info: st, changed: changeTime(st),
		contentType:   []string{contentType(st.Name(), data)},
		contentLength: []string{strconv.Itoa(len(data))},
		lastModified:  []string{st.ModTime().UTC().Format(http.TimeFormat)},
	}
	e.checked.Store(now.UnixNano())
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[name]; old != nil {
		c.bytes -= int64(len(old.data))
		delete(c.entries, name)
	}
	if len(c.entries) < cacheMaxEntries && c.bytes+int64(len(data)) <= cacheMaxBytes {
		c.entries[name] = e
		c.bytes += int64(len(data))
	}
	return e
}

// hasRoom reports whether a file of size bytes would fit in the cache now.
func (c *fileCache) hasRoom(size int64) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries) < cacheMaxEntries && c.bytes+size <= cacheMaxBytes
}

// contentType is what http.ServeContent would send: by extension, else
// sniffed from the content.
func contentType(name string, data []byte) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return http.DetectContentType(data)
}
