package grade

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// hostileResponses answer GET / in ways meant to exhaust a client: each
// writes until the connection fails.
var hostileResponses = map[string]func(w io.Writer) error{
	// one header line that never ends
	"endless line": func(w io.Writer) error {
		if _, err := io.WriteString(w, "HTTP/1.1 200 OK\r\nX-Long: "); err != nil {
			return err
		}
		return writeForever(w, strings.Repeat("a", 16<<10))
	},
	// small headers without end
	"endless headers": func(w io.Writer) error {
		if _, err := io.WriteString(w, "HTTP/1.1 200 OK\r\n"); err != nil {
			return err
		}
		return writeForever(w, strings.Repeat("X-A: b\r\n", 2048))
	},
	// good headers (HSTS included), then a body without end
	"endless body": func(w io.Writer) error {
		if _, err := io.WriteString(w, "HTTP/1.1 200 OK\r\nStrict-Transport-Security: "+hstsTwoYears+"\r\n\r\n"); err != nil {
			return err
		}
		return writeForever(w, strings.Repeat("body ", 4096))
	},
	// a header now and then, never the end of them
	"trickle": func(w io.Writer) error {
		if _, err := io.WriteString(w, "HTTP/1.1 200 OK\r\n"); err != nil {
			return err
		}
		for {
			if _, err := io.WriteString(w, "X-A: b\r\n"); err != nil {
				return err
			}
			time.Sleep(10 * time.Millisecond)
		}
	},
}

func writeForever(w io.Writer, chunk string) error {
	for {
		if _, err := io.WriteString(w, chunk); err != nil {
			return err
		}
	}
}

// hostileTLSServer completes TLS handshakes on loopback (TLS 1.2 and 1.3,
// ECDSA) and answers the first request of each connection with respond.
func hostileTLSServer(t *testing.T, respond func(io.Writer) error) (string, *bundle.Roots) {
	t.Helper()
	root := testpki.NewRoot("Hostile Test Root")
	inter := root.NewIntermediate("Hostile Test Intermediate")
	leaf := inter.NewLeaf("localhost", testpki.DNS("localhost"), testpki.IP("127.0.0.1"))
	cfg := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.Cert.Raw, inter.Cert.Raw}, PrivateKey: leaf.Key}},
	}
	// The deadline: never outlive a stuck test.
	addr := loopbackServer(t, 20*time.Second, func(c net.Conn) {
		tc := tls.Server(c, cfg)
		if tc.Handshake() != nil || readRequest(tc) != nil {
			return
		}
		_ = respond(tc)
	})
	roots := &bundle.Roots{}
	roots.Add(bundle.Anchor{Cert: root.Cert, Source: "test"})
	return addr, roots
}

// readRequest reads a request's head, up to its blank line.
func readRequest(r io.Reader) error {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return err
		}
		if line == "\r\n" {
			return nil
		}
	}
}

// TestHostileHTTP: a server whose response to GET / never ends is still
// graded; the HSTS check stops at 64 KiB of headers or at the timeout and
// says why, and the rest of the grade stands.
func TestHostileHTTP(t *testing.T) {
	const timeout = 500 * time.Millisecond
	for name, respond := range hostileResponses {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			addr, roots := hostileTLSServer(t, respond)
			res, err := Grade(context.Background(), addr, Options{ServerName: "localhost", Roots: roots, At: testpki.Now, Timeout: timeout})
			if err != nil {
				t.Fatal(err)
			}
			if res.Score != 96 || res.Certificate == nil || !res.Certificate.Trusted {
				t.Errorf("grade %s score %d certificate %+v", res.Grade, res.Score, res.Certificate)
			}
			h := res.HSTS
			switch name {
			case "endless body":
				if !h.Checked || !h.Present || h.MaxAge != 63072000 || res.Grade != "A+" {
					t.Errorf("HSTS before an endless body: %+v, grade %s", h, res.Grade)
				}
			case "trickle":
				if h.Checked || h.Problem != "no HTTP response: timed out after 500ms" || res.Grade != "A" {
					t.Errorf("HSTS of a trickle: %+v, grade %s", h, res.Grade)
				}
			default:
				if h.Checked || h.Problem != "HTTP response headers too large (over 64 KiB)" || res.Grade != "A" {
					t.Errorf("HSTS of %s: %+v, grade %s", name, h, res.Grade)
				}
				want := "GET / (HSTS not checked): HTTP response headers too large (over 64 KiB)"
				if !strings.Contains(strings.Join(res.Problems, "\n"), want) {
					t.Errorf("problems %q lack %q", res.Problems, want)
				}
				note := "HSTS not checked: HTTP response headers too large (over 64 KiB); no A+ without it"
				if !strings.Contains(strings.Join(res.Notes, "\n"), note) {
					t.Errorf("notes %q lack %q", res.Notes, note)
				}
			}
		})
	}
}

// countingConn counts the bytes read through it.
type countingConn struct {
	net.Conn
	n atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestFetchHSTSReadsLittle: whatever the server sends, fetchHSTS reads at
// most 64 KiB, headers and body together.
func TestFetchHSTSReadsLittle(t *testing.T) {
	for name, respond := range hostileResponses {
		if name == "trickle" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			client, server := net.Pipe()
			done := make(chan struct{})
			go func() {
				defer close(done)
				defer server.Close()
				if readRequest(server) == nil {
					_ = respond(server)
				}
			}()
			conn := &countingConn{Conn: client}
			h := fetchHSTS(context.Background(), conn, "localhost", 10*time.Second)
			client.Close()
			<-done
			if got := conn.n.Load(); got > maxResponseHeader {
				t.Errorf("read %d bytes, want at most %d", got, maxResponseHeader)
			}
			if name == "endless body" != h.Checked {
				t.Errorf("%+v", h)
			}
		})
	}
}

// TestConnErrorWording: timeouts say how long was waited, network errors
// lose their addresses, TLS alerts keep their origin.
func TestConnErrorWording(t *testing.T) {
	timeoutErr := &net.OpError{Op: "read", Net: "tcp", Err: errTimeout{}}
	tests := []struct {
		err  error
		want string
	}{
		{context.DeadlineExceeded, "timed out after 5s"},
		{io.EOF, "the server closed the connection"},
		{fmt.Errorf("reading: %w", io.ErrUnexpectedEOF), "the server closed the connection"},
		{timeoutErr, "timed out after 5s"},
		{&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "nowhere.invalid"}}, "lookup nowhere.invalid: no such host"},
		{&net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}, "remote error: tls: handshake failure"},
		{errors.New("tls: first record\ndoes not look like a TLS handshake"), "tls: first record does not look like a TLS handshake"},
	}
	for _, tt := range tests {
		if got := connError(tt.err, 5*time.Second); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.err, got, tt.want)
		}
	}
}

type errTimeout struct{}

func (errTimeout) Error() string   { return "i/o timeout" }
func (errTimeout) Timeout() bool   { return true }
func (errTimeout) Temporary() bool { return true }

// TestStallWording: a server that never answers is unreachable after the
// timeout, said as such rather than as Go's "i/o timeout" or "context
// deadline exceeded".
func TestStallWording(t *testing.T) {
	addr := loopbackServer(t, 10*time.Second, func(c net.Conn) { spoil(c, "stall") })
	_, err := Grade(context.Background(), addr, Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrUnreachable) || !strings.HasSuffix(err.Error(), "no TLS handshake succeeded (timed out after 100ms)") {
		t.Errorf("err %v", err)
	}
}
