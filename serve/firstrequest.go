package serve

import (
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"time"
)

// firstRequestDeadline gives an HTTP/2 connection ReadHeaderTimeout to
// send its first request, as net/http gives an HTTP/1.1 one. net/http's
// HTTP/2 server has no header timeout of its own: a client that finishes
// the handshake and then sends nothing, or half a HEADERS frame, would
// hold the connection until the idle timeout. The HTTP/2 server reports
// a new connection idle once, before it reads any frame; a read deadline
// set then cuts a silent client, and the server itself clears it when the
// first request's headers arrive (it does so whenever ReadTimeout is set,
// as it always is here).
type firstRequestDeadline struct {
	timeout time.Duration
	mu      sync.Mutex
	seen    map[net.Conn]struct{} // connections past their first idle state
}

func newFirstRequestDeadline(timeout time.Duration) *firstRequestDeadline {
	return &firstRequestDeadline{timeout: timeout, seen: map[net.Conn]struct{}{}}
}

// connState is an http.Server.ConnState hook.
func (f *firstRequestDeadline) connState(c net.Conn, state http.ConnState) {
	switch state {
	case http.StateIdle:
		// HTTP/1.x connections go idle after every request; asking the
		// protocol first keeps them off the shared lock and map.
		if isHTTP2(c) && f.firstIdle(c) {
			c.SetReadDeadline(time.Now().Add(f.timeout))
		}
	case http.StateClosed, http.StateHijacked:
		if isHTTP2(c) {
			f.mu.Lock()
			delete(f.seen, c)
			f.mu.Unlock()
		}
	}
}

// firstIdle reports whether this is the first time c is idle.
func (f *firstRequestDeadline) firstIdle(c net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.seen[c]; ok {
		return false
	}
	f.seen[c] = struct{}{}
	return true
}

func isHTTP2(c net.Conn) bool {
	tc, ok := c.(*tls.Conn)
	return ok && tc.ConnectionState().NegotiatedProtocol == "h2"
}
