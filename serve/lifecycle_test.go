package serve

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSlowHeadersCutOff opens connections that never finish their
// request headers, and one that never finishes its handshake: the server
// closes each soon after ReadHeaderTimeout.
func TestSlowHeadersCutOff(t *testing.T) {
	const timeout = 500 * time.Millisecond
	s := startTest(t, Options{ReadHeaderTimeout: timeout})

	conn := dialTLS(t, s, "http/1.1")
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	wantClosed(t, "TLS connection with unfinished headers", conn, timeout)

	raw, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.Write([]byte{0x16, 0x03, 0x01}) // the start of a ClientHello, no more
	wantClosed(t, "unfinished handshake", raw, timeout)
}

// wantClosed waits for the server to close conn, failing if that takes
// far longer than timeout.
func wantClosed(t *testing.T, what string, conn net.Conn, timeout time.Duration) {
	t.Helper()
	start := time.Now()
	conn.SetReadDeadline(start.Add(timeout + 5*time.Second))
	_, err := io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("%s: still open after %v", what, time.Since(start))
	}
}

// TestReload swaps the certificate while a connection is open: the open
// connection keeps working, a new one sees the new certificate, and a
// certificate whose key does not match is refused with the old one kept.
func TestReload(t *testing.T) {
	s := startTest(t, Options{})
	c := httpClient(t, clientConfig(t))
	resp, _ := get(t, c, s.URL())
	before := resp.TLS.PeerCertificates[0]

	next, err := NewDemo(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(next.Certificate); err != nil {
		t.Fatal(err)
	}
	resp, _ = get(t, c, s.URL()) // same keep-alive connection
	if !resp.TLS.PeerCertificates[0].Equal(before) {
		t.Error("the open connection changed certificate")
	}
	if _, err := dialWith(s, clientConfig(t)); err == nil {
		t.Error("a new connection still trusts the old root")
	}
	nextCfg := clientConfig(t)
	nextCfg.RootCAs.AddCert(next.Root)
	st, err := dialWith(s, nextCfg)
	if err != nil || !st.PeerCertificates[0].Equal(next.Certificate.Chain[0]) {
		t.Errorf("new connection: %v", err)
	}

	bad := &Certificate{Chain: next.Certificate.Chain, Key: testDemo(t).Certificate.Key}
	if err := s.Reload(bad); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("Reload with the wrong key: %v, want ErrKeyMismatch", err)
	}
	if !s.Certificate().Chain[0].Equal(next.Certificate.Chain[0]) {
		t.Error("a refused reload changed the certificate")
	}
	if err := s.Reload(&Certificate{}); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("Reload with nothing: %v", err)
	}
}

func TestStartRefuses(t *testing.T) {
	d := testDemo(t)
	other, _ := NewDemo(time.Now())
	for _, tc := range []struct {
		name string
		cert *Certificate
		want error
	}{
		{"nil", nil, ErrNoCertificate},
		{"no key", &Certificate{Chain: d.Certificate.Chain}, ErrNoKey},
		{"mismatch", &Certificate{Chain: d.Certificate.Chain, Key: other.Certificate.Key}, ErrKeyMismatch},
	} {
		if _, err := Start(tc.cert, Options{Addr: "127.0.0.1:0"}); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	s := startTest(t, Options{})
	if _, err := Start(d.Certificate, Options{Addr: s.Addr().String()}); err == nil {
		t.Error("started twice on one address")
	}
}

// TestShutdownDrains starts a large download, shuts down while it runs,
// and checks that the download completes whole and that new connections
// are refused meanwhile.
func TestShutdownDrains(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTest(t, Options{Dir: dir})
	conn := dialTLS(t, s, "http/1.1")
	io.WriteString(conn, "GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, 1000)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr().String(), time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("new connections still accepted during shutdown")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) while a download was under way", err)
	default:
	}
	rest, err := io.ReadAll(resp.Body)
	if err != nil || len(first)+len(rest) != len(big) {
		t.Errorf("download under way: %d of %d bytes, %v", len(first)+len(rest), len(big), err)
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// TestDefaults: a zero Options gets the documented limits, and the HTTPS
// server is built with them.
func TestDefaults(t *testing.T) {
	s := startTest(t, Options{})
	h := s.https
	got := []any{h.ReadHeaderTimeout, h.ReadTimeout, h.WriteTimeout, h.IdleTimeout, h.MaxHeaderBytes}
	want := []any{10 * time.Second, 30 * time.Second, 60 * time.Second, 120 * time.Second, 64 << 10}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("limit %d: %v, want %v", i, got[i], want[i])
		}
	}
}

// TestHeaderLimit: request headers within 64 KiB are served; far beyond
// it (net/http allows 4 KiB of slack) an HTTP/1.1 request is refused
// with 431, and an HTTP/2 client is told the limit in SETTINGS, so Go's
// refuses to send the request at all.
func TestHeaderLimit(t *testing.T) {
	s := startTest(t, Options{})
	h1 := clientConfig(t)
	h1.NextProtos = []string{"http/1.1"}
	clients := map[string]*http.Client{
		"HTTP/1.1": {Transport: &http.Transport{TLSClientConfig: h1}, Timeout: 10 * time.Second},
		"HTTP/2.0": httpClient(t, clientConfig(t)),
	}
	for proto, c := range clients {
		// In this order: an HTTP/2 client learns the limit from the server's
		// SETTINGS, which a first request on a new connection may not wait for.
		for _, tc := range []struct{ size, want int }{{60 << 10, http.StatusOK}, {72 << 10, http.StatusRequestHeaderFieldsTooLarge}} {
			size, want := tc.size, tc.want
			req, _ := http.NewRequest(http.MethodGet, s.URL(), nil)
			req.Header.Set("X-Big", strings.Repeat("a", size))
			resp, err := c.Do(req)
			switch {
			case err != nil && proto == "HTTP/2.0" && want != http.StatusOK && strings.Contains(err.Error(), "advertised limit"):
				continue
			case err != nil:
				t.Fatalf("%s, %d-byte header: %v", proto, size, err)
			}
			resp.Body.Close()
			if resp.StatusCode != want || resp.Proto != proto {
				t.Errorf("%d-byte header: %s %d, want %s %d", size, resp.Proto, resp.StatusCode, proto, want)
			}
		}
	}
}
