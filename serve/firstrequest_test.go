package serve

import (
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"testing"
	"time"
)

// http2Preface is what an HTTP/2 client sends first: the connection
// preface and an empty SETTINGS frame.
var http2Preface = append([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 0, 0, 0, 4, 0, 0, 0, 0, 0)

// TestHTTP2SlowFirstRequestCutOff: an HTTP/2 client that sends the
// preface and then nothing, or half a HEADERS frame (no END_HEADERS, no
// CONTINUATION), is cut soon after ReadHeaderTimeout, not after the idle
// timeout.
func TestHTTP2SlowFirstRequestCutOff(t *testing.T) {
	const timeout = 500 * time.Millisecond
	s := startTest(t, Options{ReadHeaderTimeout: timeout, IdleTimeout: time.Minute})
	// HEADERS on stream 1 with END_STREAM but not END_HEADERS, one byte
	// of header block (":method: GET").
	halfHeaders := []byte{0, 0, 1, 1, 0x1, 0, 0, 0, 1, 0x82}
	for name, send := range map[string][]byte{
		"preface only":       http2Preface,
		"unfinished HEADERS": append(append([]byte(nil), http2Preface...), halfHeaders...),
	} {
		conn := dialTLS(t, s, "h2")
		if _, err := conn.Write(send); err != nil {
			t.Fatal(err)
		}
		wantClosed(t, "HTTP/2, "+name, conn, timeout)
	}
}

// TestHTTP2IdleKeptOpen: once an HTTP/2 connection has made a request,
// the first-request deadline no longer applies; it stays open while idle
// for longer than ReadHeaderTimeout and serves the next request.
func TestHTTP2IdleKeptOpen(t *testing.T) {
	const timeout = 300 * time.Millisecond
	s := startTest(t, Options{ReadHeaderTimeout: timeout, IdleTimeout: time.Minute})
	c := httpClient(t, clientConfig(t))
	get := func() (reused bool) {
		t.Helper()
		trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }}
		req, _ := http.NewRequest(http.MethodGet, s.URL(), nil)
		resp, err := c.Do(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %d, want HTTP/2 200", resp.Proto, resp.StatusCode)
		}
		return reused
	}
	get()
	time.Sleep(4 * timeout)
	if !get() {
		t.Error("the idle HTTP/2 connection was closed before the idle timeout")
	}
}

// TestFirstRequestDeadlineTracksOnlyHTTP2: HTTP/1.x connections go idle
// after every request and never enter the hook's shared map (no lock per
// request); an HTTP/2 connection enters it once and leaves it on close.
func TestFirstRequestDeadlineTracksOnlyHTTP2(t *testing.T) {
	f := newFirstRequestDeadline(time.Minute)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	ts.EnableHTTP2 = true
	ts.Config.ConnState = f.connState
	ts.StartTLS()
	defer ts.Close()
	tracked := func() int {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.seen)
	}
	get := func(c *http.Client, wantMajor int) {
		t.Helper()
		resp, err := c.Get(ts.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.ProtoMajor != wantMajor {
			t.Fatalf("%s, want HTTP/%d", resp.Proto, wantMajor)
		}
	}

	h1 := &http.Client{Transport: &http.Transport{TLSClientConfig: ts.Client().Transport.(*http.Transport).TLSClientConfig}}
	for range 3 {
		get(h1, 1)
	}
	if n := tracked(); n != 0 {
		t.Errorf("%d connections tracked after HTTP/1.1 requests, want 0", n)
	}

	h2 := ts.Client()
	get(h2, 2)
	waitFor(t, "the HTTP/2 connection tracked", func() bool { return tracked() == 1 })
	h2.CloseIdleConnections()
	waitFor(t, "the closed HTTP/2 connection forgotten", func() bool { return tracked() == 0 })
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
