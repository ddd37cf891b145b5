package grade

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// maxResponseHeader bounds what is read of the response to GET /: its
// status line and headers must fit in it. The body is never read.
const maxResponseHeader = 64 << 10

// headersTooLarge is the HSTS problem of a response whose headers run past
// maxResponseHeader.
var headersTooLarge = fmt.Sprintf("HTTP response headers too large (over %d KiB)", maxResponseHeader>>10)

// liveCheck is what a normal crypto/tls connection and an HTTP request saw.
type liveCheck struct {
	state tls.ConnectionState
	hsts  HSTSResult
	err   error  // the TLS handshake failed, worded for the report
	odd   string // the server misbehaved over HTTP: a probe problem
}

// allGoSuites is every suite crypto/tls implements, so that the
// certificate connection succeeds wherever Go can make one.
func allGoSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

// connect makes a crypto/tls connection over raw, then sends GET / over
// it to read the Strict-Transport-Security header. The handshake and the
// HTTP exchange are each bounded by timeout. It closes raw.
func connect(ctx context.Context, raw net.Conn, sni, hostHeader string, timeout time.Duration) liveCheck {
	defer raw.Close()
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deadline, _ := hctx.Deadline()
	_ = raw.SetDeadline(deadline)
	conn := tls.Client(raw, &tls.Config{
		ServerName:         sni,
		InsecureSkipVerify: true, //nolint:gosec // the chain is judged by verify, not here
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       allGoSuites(),
		NextProtos:         []string{"http/1.1"},
	})
	if err := conn.HandshakeContext(hctx); err != nil {
		return liveCheck{err: errors.New(connError(err, timeout)), hsts: uncheckedHSTS("no TLS connection for an HTTP request")}
	}
	lc := liveCheck{state: conn.ConnectionState()}
	lc.hsts = fetchHSTS(ctx, conn, hostHeader, timeout)
	if lc.hsts.Problem == headersTooLarge {
		lc.odd = "GET / (HSTS not checked): " + headersTooLarge
	}
	return lc
}

// fetchHSTS sends GET / and judges the first response's HSTS header. It
// reads at most maxResponseHeader bytes, never the body, and gives up
// after timeout or when ctx ends.
func fetchHSTS(ctx context.Context, conn net.Conn, host string, timeout time.Duration) HSTSResult {
	_ = conn.SetDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	req := "GET / HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: chaintool-grade\r\nAccept: */*\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		return uncheckedHSTS("no HTTP response: " + connError(err, timeout))
	}
	limit := &headerLimit{r: conn, left: maxResponseHeader}
	resp, err := http.ReadResponse(bufio.NewReader(limit), nil)
	switch {
	case err != nil && limit.exceeded:
		return uncheckedHSTS(headersTooLarge)
	case err != nil:
		return uncheckedHSTS("no HTTP response: " + connError(err, timeout))
	}
	// resp.Body stays unread and unclosed (closing would read it to the
	// end): the caller closes the connection.
	h := parseHSTS(resp.Header.Values("Strict-Transport-Security"))
	h.Checked, h.Status = true, resp.StatusCode
	return h
}

func uncheckedHSTS(problem string) HSTSResult { return HSTSResult{MaxAge: -1, Problem: problem} }

// headerLimit lets at most left bytes through, then fails every read and
// remembers that it did.
type headerLimit struct {
	r        io.Reader
	left     int
	exceeded bool
}

var errHeaderLimit = errors.New(headersTooLarge)

func (l *headerLimit) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.exceeded = true
		return 0, errHeaderLimit
	}
	if len(p) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= n
	return n, err
}

// connError words the failure of a connection for the report: a timeout
// as "timed out after D", a network error without its addresses.
func connError(err error, timeout time.Duration) string {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.As(err, &ne) && ne.Timeout() {
		return "timed out after " + timeout.String()
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the server closed the connection"
	}
	var oe *net.OpError
	if errors.As(err, &oe) && (oe.Op == "dial" || oe.Op == "read" || oe.Op == "write") {
		err = oe.Err
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		err = se.Err
	}
	return oneLine(err.Error())
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
