package serve

import (
	"net/http"
	"strings"
	"sync/atomic"
)

// Resource bounds: together with the timeouts and the header limit they
// bound what any number of clients can make the server hold.
const (
	// DefaultMaxConns is how many connections are open at once; further
	// ones wait in the kernel's queue until one closes. An idle TLS
	// connection holds about 40 KiB.
	DefaultMaxConns = 2048
	// DefaultMaxInFlight is how many requests are handled at once, over
	// all connections and HTTP/2 streams; further ones get 503 at once.
	// A request whose client stops reading holds its slot until the write
	// timeout: with 32 streams per HTTP/2 connection, holding them all
	// takes 32 such connections (1,024 over HTTP/1.1).
	DefaultMaxInFlight = 1024
	// maxConcurrentStreams is how many streams one HTTP/2 connection may
	// open at once (nginx allows 128, Go 250 by default; browsers seldom
	// keep more than a few dozen busy).
	maxConcurrentStreams = 32
	// maxRanges is how many ranges one request may ask for; with more the
	// whole file is sent (RFC 9110 lets a server ignore Range).
	maxRanges = 16
)

// limitInFlight answers 503 (with Retry-After, and no body that flow
// control could hold) when limit requests are already being handled.
func limitInFlight(h http.Handler, limit int) http.Handler {
	var inFlight atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if inFlight.Add(1) > int64(limit) {
			inFlight.Add(-1)
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		defer inFlight.Add(-1)
		h.ServeHTTP(w, r)
	})
}

// withFewRanges returns r, or a copy of r without its Range header when it
// asks for more than maxRanges ranges: each range costs a part header and
// a seek, hundreds of them fit in the header limit.
func withFewRanges(r *http.Request) *http.Request {
	if strings.Count(r.Header.Get("Range"), ",") < maxRanges {
		return r
	}
	r = r.Clone(r.Context())
	r.Header.Del("Range")
	return r
}
