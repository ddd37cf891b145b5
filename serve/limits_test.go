package serve

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// TestLimitInFlight: beyond the bound a request gets 503 at once, with
// Retry-After, HSTS and no body; when a slot frees, requests are served.
func TestLimitInFlight(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	blocking := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			started <- struct{}{}
			<-release
		}
		io.WriteString(w, "ok")
	})
	ts := httptest.NewServer(Secure(limitInFlight(blocking, 1), DefaultHSTS))
	defer ts.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get(ts.URL + "/block")
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	resp, err := http.Get(ts.URL + "/other")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" || len(body) != 0 {
		t.Errorf("over the bound: %d, Retry-After %q, body %q; want 503, 1, none", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	wantSecureHeaders(t, "503", resp, DefaultHSTS.String())
	close(release)
	<-done
	if resp, err = http.Get(ts.URL + "/other"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("after the slot freed: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestMaxConns: with MaxConns open connections, the next one is not
// served until one of them closes.
func TestMaxConns(t *testing.T) {
	s := startTest(t, Options{MaxConns: 2})
	dial := func(timeout time.Duration) (*tls.Conn, error) {
		cfg := clientConfig(t)
		cfg.NextProtos = []string{"http/1.1"}
		raw, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
		if err != nil {
			return nil, err
		}
		conn := tls.Client(raw, cfg)
		conn.SetDeadline(time.Now().Add(timeout))
		if err := conn.Handshake(); err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	}
	first, err := dial(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	second, err := dial(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if third, err := dial(300 * time.Millisecond); err == nil {
		third.Close()
		t.Fatal("a third connection was served with MaxConns 2")
	}
	first.Close()
	third, err := dial(5 * time.Second)
	if err != nil {
		t.Fatalf("after one closed: %v", err)
	}
	third.Close()
}

// TestHTTP2StreamLimit: the server tells HTTP/2 clients it takes 100
// concurrent streams per connection.
func TestHTTP2StreamLimit(t *testing.T) {
	conn := dialTLS(t, startTest(t, Options{}), "h2")
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write(http2Preface); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(conn, conn)
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if sf, ok := f.(*http2.SettingsFrame); ok && !sf.IsAck() {
			if v, ok := sf.Value(http2.SettingMaxConcurrentStreams); !ok || v != maxConcurrentStreams {
				t.Errorf("SETTINGS_MAX_CONCURRENT_STREAMS = %d (%v), want %d", v, ok, maxConcurrentStreams)
			}
			return
		}
	}
}

// TestManyRangesIgnored: up to maxRanges ranges are answered 206; more
// get the whole file, 200.
func TestManyRangesIgnored(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f.txt"), []byte(strings.Repeat("abcdefghij", 10)), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTest(t, Options{Dir: dir})
	c := httpClient(t, clientConfig(t))
	ranges := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("%d-%d", i, i)
		}
		return "bytes=" + strings.Join(parts, ",")
	}
	for n, want := range map[int]int{2: http.StatusPartialContent, maxRanges: http.StatusPartialContent, maxRanges + 1: http.StatusOK, 500: http.StatusOK} {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+"f.txt", nil)
		req.Header.Set("Range", ranges(n))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || want == http.StatusOK && len(body) != 100 {
			t.Errorf("%d ranges: %d with %d bytes, want %d", n, resp.StatusCode, len(body), want)
		}
	}
}

// TestServerAppliesMaxInFlight: a download whose client stops reading
// holds the server's only slot, so another request gets 503; once that
// connection closes, requests are served again.
func TestServerAppliesMaxInFlight(t *testing.T) {
	dir := t.TempDir()
	big := make([]byte, 32<<20) // more than the socket buffers hold
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "small.txt"), []byte("small"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTest(t, Options{Dir: dir, MaxInFlight: 1})
	stalled := dialTLS(t, s, "http/1.1")
	io.WriteString(stalled, "GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
	deadline := time.Now().Add(5 * time.Second)
	for rawGet(t, s, "/small.txt").StatusCode != http.StatusServiceUnavailable {
		if time.Now().After(deadline) {
			t.Fatal("no 503 while the only slot is held")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stalled.Close()
	deadline = time.Now().Add(5 * time.Second)
	for rawGet(t, s, "/small.txt").StatusCode != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("still 503 after the stalled connection closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStartRefusesNegativeBounds: negative bounds are an error, not a panic.
func TestStartRefusesNegativeBounds(t *testing.T) {
	for _, opts := range []Options{{Addr: "127.0.0.1:0", MaxConns: -1}, {Addr: "127.0.0.1:0", MaxInFlight: -1}} {
		if s, err := Start(testDemo(t).Certificate, opts); err == nil {
			s.Close()
			t.Errorf("%+v: started", opts)
		}
	}
}
