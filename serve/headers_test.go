package serve

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHSTSOnEveryResponse checks the security headers on each kind of
// response the server writes, over HTTP/1.1 and HTTP/2.
func TestHSTSOnEveryResponse(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>hello</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	preload := &HSTS{MaxAge: DefaultHSTSMaxAge, IncludeSubDomains: true, Preload: true}
	page := startTest(t, Options{RedirectAddr: "-"})
	files := startTest(t, Options{Dir: dir, HSTS: preload})
	const want = "max-age=63072000; includeSubDomains"
	const wantPreload = want + "; preload"

	h2 := httpClient(t, clientConfig(t))
	resp, _ := get(t, h2, page.URL())
	wantStatus(t, resp, http.StatusOK)
	wantSecureHeaders(t, "page over h2", resp, want)
	resp, _ = get(t, h2, page.URL()+"nothing-here")
	wantStatus(t, resp, http.StatusNotFound)
	wantSecureHeaders(t, "404 over h2", resp, want)

	resp, _ = get(t, h2, files.URL())
	wantStatus(t, resp, http.StatusOK)
	wantSecureHeaders(t, "file over h2", resp, wantPreload)
	req, _ := http.NewRequest("GET", files.URL()+"index.html", nil)
	req.Header.Set("If-Modified-Since", resp.Header.Get("Last-Modified"))
	resp304, err := h2.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp304.Body.Close()
	wantStatus(t, resp304, http.StatusNotModified)
	wantSecureHeaders(t, "304", resp304, wantPreload)

	for _, tc := range []struct {
		what    string
		s       *Server
		request string
		status  int
		hsts    string
	}{
		{"page", page, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", 200, want},
		{"404", page, "GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n", 404, want},
		{"405", page, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", 405, want},
		{"OPTIONS *", page, "OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n", 405, want},
		{"file 404", files, "GET /missing.html HTTP/1.1\r\nHost: localhost\r\n\r\n", 404, wantPreload},
		{"file 405", files, "DELETE /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n", 405, wantPreload},
		{"range 416", files, "GET /index.html HTTP/1.1\r\nHost: localhost\r\nRange: bytes=900-999\r\n\r\n", 416, wantPreload},
		{"traversal", files, "GET /../etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n", 404, wantPreload},
	} {
		resp := rawRequest(t, tc.s, tc.request)
		wantStatus(t, resp, tc.status)
		wantSecureHeaders(t, tc.what, resp, tc.hsts)
	}

	// The plain HTTP redirect carries the header too (browsers ignore it
	// there, scanners look for it).
	resp, _ = get(t, httpClient(t, nil), "http://"+page.RedirectAddr().String()+"/a?b=c")
	wantStatus(t, resp, http.StatusMovedPermanently)
	wantSecureHeaders(t, "redirect", resp, want)
	if loc := resp.Header.Get("Location"); loc != "https://127.0.0.1:"+port(page)+"/a?b=c" {
		t.Errorf("Location = %q", loc)
	}

	// "OPTIONS *" names no path: it is sent to the site's root.
	conn, err := net.Dial("tcp", page.RedirectAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, "OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	resp, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || loc != "https://localhost:"+port(page)+"/" {
		t.Errorf("OPTIONS * on the redirect: %d, Location %q", resp.StatusCode, loc)
	}
}

func wantStatus(t testing.TB, resp *http.Response, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s %s: status %d, want %d", resp.Request.Method, resp.Request.URL, resp.StatusCode, status)
	}
}

func TestSecureRecoversPanics(t *testing.T) {
	h := Secure(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), DefaultHSTS)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 || rec.Header().Get("Strict-Transport-Security") == "" {
		t.Errorf("panic: status %d, headers %v", rec.Code, rec.Header())
	}
}

func TestSecureHeaderNotShared(t *testing.T) {
	h := Secure(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Add("X-Content-Type-Options", "extra")
	}), DefaultHSTS)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if got := rec.Header().Values("X-Content-Type-Options"); len(got) != 2 {
		t.Errorf("second response: %q; a handler's Add leaked into the shared value", got)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestAccessLog(t *testing.T) {
	var log lockedBuffer
	s := startTest(t, Options{AccessLog: &log})
	c := httpClient(t, clientConfig(t))
	get(t, c, s.URL())
	get(t, c, s.URL()+"missing")
	rawGet(t, s, "/a\"b%0Ainjected")
	rawGet(t, s, "/\xc2\x9b31m\xe2\x80\xaeabc") // a C1 control (CSI) and a right-to-left override
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("log has %d lines, want 4:\n%s", len(lines), log.String())
	}
	for i, want := range []string{`"GET / HTTP/2.0" 200 `, `"GET /missing HTTP/2.0" 404 `, `"GET /a\x22b%0Ainjected HTTP/1.1" 404 `,
		`"GET /\xc2\x9b31m\xe2\x80\xaeabc HTTP/1.1" 404 `} {
		if !strings.Contains(lines[i], want) || !strings.HasSuffix(lines[i], "TLSv1.3") {
			t.Errorf("line %d = %q, want %q ... TLSv1.3", i, lines[i], want)
		}
		if _, err := time.Parse(time.RFC3339, strings.Fields(lines[i])[0]); err != nil {
			t.Errorf("line %d: no time stamp: %v", i, err)
		}
	}
}

func BenchmarkSecureAndLog(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	var sink bytes.Buffer
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"secure", Secure(ok, DefaultHSTS)},
		{"secure+log", AccessLog(Secure(ok, DefaultHSTS), &sink)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/index.html", nil)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				sink.Reset()
				bc.h.ServeHTTP(w, req)
			}
		})
	}
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}
