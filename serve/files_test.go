package serve

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFilesStayInside serves a folder next to secrets and tries every way
// out: plain and encoded dot-dot, dotfiles, directory listings and
// symbolic links to outside. Each gets 404.
func TestFilesStayInside(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "site")
	write := func(path, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(base, "secret.txt"), "secret")
	write(filepath.Join(dir, "index.html"), "<p>home</p>")
	write(filepath.Join(dir, "small.txt"), "small file")
	write(filepath.Join(dir, ".env"), "TOKEN=x")
	write(filepath.Join(dir, ".git", "config"), "[core]")
	write(filepath.Join(dir, "docs", "index.html"), "<p>docs</p>")
	write(filepath.Join(dir, "nolist", "a.txt"), "a")
	symlink := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	symlink("../secret.txt", "up.txt")
	symlink(filepath.Join(base, "secret.txt"), "abs.txt")
	symlink("..", "parent")
	symlink("small.txt", "inside.txt")
	// A FIFO with no writer would block an ordinary open forever.
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}

	s := startTest(t, Options{Dir: dir})
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/", 200},
		{"/index.html", 200},
		{"/small.txt", 200},
		{"/docs/", 200},
		{"/docs", 200},
		{"/inside.txt", 200},
		{"/nolist/", 404},
		{"/nolist", 404},
		{"/.env", 404},
		{"/.git/config", 404},
		{"/%2egit/config", 404},
		{"/../secret.txt", 404},
		{"/%2e%2e/secret.txt", 404},
		{"/%2E%2E/secret.txt", 404},
		{"/docs/../../secret.txt", 404},
		{"/docs/%2e%2e/%2e%2e/secret.txt", 404},
		{"/..%2fsecret.txt", 404},
		{"/docs/..%5c..%5csecret.txt", 404},
		{"/up.txt", 404},
		{"/abs.txt", 404},
		{"/parent/secret.txt", 404},
		{"/small.txt%00.html", 404},
		{"//secret.txt", 404},
		{"/missing", 404},
		{"/small.txt/", 404},
		{"/index.html/", 404},
		{"/docs/index.html/", 404},
		{"/fifo", 404},
		{"/fifo/", 404},
	} {
		resp := rawGet(t, s, tc.path)
		if resp.StatusCode != tc.status {
			t.Errorf("GET %s: status %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
	}
	c := httpClient(t, clientConfig(t))
	_, body := get(t, c, s.URL()+"docs/")
	if body != "<p>docs</p>" {
		t.Errorf("/docs/ served %q, want its index.html", body)
	}
	resp, body := get(t, c, s.URL()+"small.txt")
	if body != "small file" || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("small.txt: %q %q", body, resp.Header.Get("Content-Type"))
	}
}

func TestCleanName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"/", ".", true},
		{"/a/b.txt", "a/b.txt", true},
		{"/a/", "a", true},
		{"/a/../b", "", false},
		{"/..", "", false},
		{"/.well-known/x", "", false},
		{"a", "", false},
		{"/a//b", "", false},
		{"/a\\b", "", false},
	} {
		got, ok := cleanName(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("cleanName(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestStartRefusesMissingDir(t *testing.T) {
	_, err := Start(testDemo(t).Certificate, Options{Addr: "127.0.0.1:0", Dir: filepath.Join(t.TempDir(), "nope")})
	if err == nil {
		t.Fatal("started on a missing folder")
	}
}

// TestFileCache checks that cached files follow the disk: an edit shows
// after the revalidation interval, a removed file stops being served, and
// conditional and range requests still work from memory.
func TestFileCache(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "page.txt")
	if err := os.WriteFile(file, []byte("version one"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTest(t, Options{Dir: dir})
	c := httpClient(t, clientConfig(t))
	resp, body := get(t, c, s.URL()+"page.txt")
	if body != "version one" || resp.Header.Get("Content-Length") != "11" || resp.Header.Get("Last-Modified") == "" ||
		resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("first fetch: %q %v", body, resp.Header)
	}
	req, _ := http.NewRequest("GET", s.URL()+"page.txt", nil)
	req.Header.Set("Range", "bytes=0-6")
	ranged, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(ranged.Body)
	ranged.Body.Close()
	if ranged.StatusCode != http.StatusPartialContent || string(part) != "version" {
		t.Errorf("range: %d %q", ranged.StatusCode, part)
	}

	later := time.Now().Add(time.Minute)
	if err := os.WriteFile(file, []byte("version two, longer"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(file, later, later)
	deadline := time.Now().Add(cacheRevalidate + 3*time.Second)
	for {
		if _, body = get(t, c, s.URL()+"page.txt"); body == "version two, longer" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still serving %q after the file changed", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	os.Remove(file)
	deadline = time.Now().Add(cacheRevalidate + 3*time.Second)
	for {
		resp, _ := get(t, c, s.URL()+"page.txt")
		if resp.StatusCode == http.StatusNotFound {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("still serving a removed file")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func BenchmarkFileHandler(b *testing.B) {
	dir := b.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), bytes.Repeat([]byte("x"), 600), 0o644)
	h, err := newFileHandler(dir)
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/index.html", nil)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(&discardWriter{h: http.Header{}}, req)
	}
}

// FuzzCleanName checks that no URL path becomes a name that leaves the
// root, names a dotfile or is absolute.
func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"/", "/a/b", "/../x", "/a/../../b", "/.git/config", "//x", "/a\\..\\b", "/%2e%2e/", "/a/./b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		name, ok := cleanName(p)
		if !ok {
			return
		}
		if name == "." {
			return
		}
		// Not fs.ValidPath: file names on Linux need not be UTF-8.
		if strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") {
			t.Fatalf("cleanName(%q) = %q, not a valid path below the root", p, name)
		}
		for _, seg := range strings.Split(name, "/") {
			if seg == "" || seg[0] == '.' || strings.ContainsAny(seg, "\\\x00") {
				t.Fatalf("cleanName(%q) = %q: segment %q", p, name, seg)
			}
		}
	})
}

// TestFileCacheSeesSameSizeAndTime: a file replaced by another of the same
// size and modification time (mv of a `cp -p` copy, a release switch), or
// rewritten in place with its modification time put back, is served anew
// within the revalidation time.
func TestFileCacheSeesSameSizeAndTime(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "same.txt")
	stamp := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	write := func(path, content string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, stamp, stamp); err != nil {
			t.Fatal(err)
		}
	}
	write(file, "AAAA")
	s := startTest(t, Options{Dir: dir})
	c := httpClient(t, clientConfig(t))
	waitBody := func(want string) {
		t.Helper()
		deadline := time.Now().Add(cacheRevalidate + 3*time.Second)
		for {
			_, body := get(t, c, s.URL()+"same.txt")
			if body == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("still serving %q, want %q", body, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitBody("AAAA")
	write(filepath.Join(dir, ".next"), "BBBB")
	if err := os.Rename(filepath.Join(dir, ".next"), file); err != nil {
		t.Fatal(err)
	}
	waitBody("BBBB")
	write(file, "CCCC") // the same inode, size and modification time
	waitBody("CCCC")
}

// TestFileCacheFullServesFromDisk: with the cache full, a small file is
// served from the disk, neither kept nor read into memory for the request.
func TestFileCacheFullServesFromDisk(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "small.txt"), []byte("small file"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTest(t, Options{Dir: dir})
	s.files.Load().cache.mu.Lock()
	s.files.Load().cache.bytes = cacheMaxBytes
	s.files.Load().cache.mu.Unlock()
	c := httpClient(t, clientConfig(t))
	if resp, body := get(t, c, s.URL()+"small.txt"); resp.StatusCode != http.StatusOK || body != "small file" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	f, err := os.Open(filepath.Join(dir, "small.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	if e := s.files.Load().cache.load("small.txt", "small.txt", f, st, time.Now()); e != nil {
		t.Error("a full cache read the file into memory")
	}
	s.files.Load().cache.mu.RLock()
	defer s.files.Load().cache.mu.RUnlock()
	if n := len(s.files.Load().cache.entries); n != 0 {
		t.Errorf("%d entries kept in a full cache", n)
	}
}
